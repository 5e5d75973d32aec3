package io.holdfast.jobs;

import java.time.Instant;

public record JobLogLine(long id, Instant at, String level, String message) {}
