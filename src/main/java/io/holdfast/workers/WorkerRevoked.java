package io.holdfast.workers;

/** Fired when a worker is revoked; observed after commit to forget its cached credential. */
record WorkerRevoked(long workerId) {}
