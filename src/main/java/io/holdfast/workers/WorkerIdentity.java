package io.holdfast.workers;

/** An authenticated worker and the machine it runs on. */
public record WorkerIdentity(long workerId, long machineId, int maxJobs) {}
