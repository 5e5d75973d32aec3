package io.holdfast.machines;

/**
 * Fired, inside the retiring transaction, when an admin retires a machine: the features that hold
 * something of it (its workers, the plans that back it up, its unfinished jobs) let go of it.
 *
 * @param user who retired it
 */
public record MachineRetired(long machineId, String name, String user) {}
