package io.holdfast.engine;

/** The engine's version, recorded in every manifest. */
public final class EngineVersion {

  public static final String VERSION = "0.8.0";

  private EngineVersion() {}
}
