package io.holdfast.jobs;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "job_log")
class JobLog {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(name = "job_id", nullable = false)
  Long jobId;

  @Column(nullable = false)
  Instant at;

  @Column(nullable = false)
  String level;

  @Column(nullable = false)
  String message;
}
