package io.holdfast.accounts;

import io.holdfast.platform.Role;
import java.time.Instant;

/** The answer to a sign-in attempt. Only {@link Success} lets the person in. */
public sealed interface SignInResult {

  record Success(String username, String displayName, Role role) implements SignInResult {}

  /** Unknown user or wrong password; deliberately not told apart. */
  record WrongCredentials() implements SignInResult {}

  /** Too many failures in a row; attempts are refused until {@code until}. */
  record LockedOut(Instant until) implements SignInResult {}

  record Disabled() implements SignInResult {}
}
