package io.holdfast.machines;

import io.holdfast.engine.disk.DiskLayout;

/** A disk as its worker last reported it. */
public record DiskView(String name, String path, long size, DiskLayout layout) {}
