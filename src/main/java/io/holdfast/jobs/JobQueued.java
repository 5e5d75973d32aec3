package io.holdfast.jobs;

/** Fired when a job is queued; observed after commit to wake the machine's waiting poll. */
record JobQueued(long machineId) {}
