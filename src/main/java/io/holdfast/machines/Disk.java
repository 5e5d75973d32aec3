package io.holdfast.machines;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "disk")
class Disk {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(name = "machine_id", nullable = false)
  Long machineId;

  @Column(nullable = false)
  String name;

  @Column(nullable = false)
  String path;

  @Column(name = "size_bytes", nullable = false)
  long sizeBytes;

  /** The engine's DiskLayout as JSON. */
  String layout;

  /** What used the disk when its worker last looked, one sentence a line; null: nothing. */
  @Column(name = "in_use")
  String inUse;

  @Column(name = "updated_at", nullable = false)
  Instant updatedAt;
}
