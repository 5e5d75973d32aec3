package io.holdfast.platform;

/**
 * A person may not do this, for a reason that depends on more than their role (e.g. only the
 * configured approvers may decide restores). Answered as 403 with the message.
 */
public class NotPermitted extends RuntimeException {

  public NotPermitted(String message) {
    super(message);
  }
}
