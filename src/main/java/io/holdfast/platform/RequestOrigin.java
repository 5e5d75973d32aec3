package io.holdfast.platform;

/** Where a request came from, as recorded on audit events. Both parts may be null. */
public record RequestOrigin(String ip, String userAgent) {

  public static final RequestOrigin SYSTEM = new RequestOrigin(null, "holdfast");
}
