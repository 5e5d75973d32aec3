package io.holdfast.accounts;

import io.holdfast.audit.AuditEntry;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.platform.Role;
import io.quarkus.elytron.security.common.BcryptUtil;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Local accounts: sign-in with lockout, and the admin's user management. */
@ApplicationScoped
public class AccountService {

  /** Compared against when the user is unknown, so both cases cost one bcrypt check. */
  private static final String DUMMY_HASH = BcryptUtil.bcryptHash("holdfast-no-such-user");

  @Inject UserAccountRepository users;
  @Inject AuditService audit;
  @Inject AccountsConfig config;
  @Inject Clock clock;

  /**
   * Checks a username and password. Every failure is audited; {@code threshold} failures in a row
   * lock the account for the configured time, and attempts during a lockout are refused without
   * looking at the password.
   */
  @Transactional
  public SignInResult signIn(
      String username, String password, RequestOrigin origin, boolean auditSuccess) {
    Instant now = clock.instant();
    Optional<UserAccount> found = users.findByUsername(username);
    if (found.isEmpty()) {
      BcryptUtil.matches(password, DUMMY_HASH);
      audit.record(signInEvent(username, AuditOutcome.FAILURE, origin).withDetails("unknown user"));
      return new SignInResult.WrongCredentials();
    }
    UserAccount u = found.get();
    if (u.lockedUntil != null && u.lockedUntil.isAfter(now)) {
      audit.record(
          signInEvent(u.username, AuditOutcome.DENIED, origin)
              .withDetails("account locked until " + u.lockedUntil));
      return new SignInResult.LockedOut(u.lockedUntil);
    }
    if (!BcryptUtil.matches(password, u.passwordHash)) {
      u.failedAttempts++;
      String details = "wrong password (" + u.failedAttempts + " in a row)";
      if (u.failedAttempts >= config.lockoutThreshold()) {
        u.lockedUntil = now.plus(config.lockoutDuration());
        u.failedAttempts = 0;
        details += "; account locked until " + u.lockedUntil;
      }
      audit.record(signInEvent(u.username, AuditOutcome.FAILURE, origin).withDetails(details));
      return u.lockedUntil != null && u.lockedUntil.isAfter(now)
          ? new SignInResult.LockedOut(u.lockedUntil)
          : new SignInResult.WrongCredentials();
    }
    if (!u.enabled) {
      audit.record(
          signInEvent(u.username, AuditOutcome.DENIED, origin).withDetails("account disabled"));
      return new SignInResult.Disabled();
    }
    u.failedAttempts = 0;
    u.lockedUntil = null;
    if (auditSuccess) {
      u.lastLoginAt = now;
      audit.record(signInEvent(u.username, AuditOutcome.SUCCESS, origin));
    }
    return new SignInResult.Success(u.username, u.displayName, Role.fromId(u.role));
  }

  /** The account behind a still-valid session cookie, if it may still sign in. */
  @Transactional
  public Optional<UserSummary> findActive(String username) {
    Instant now = clock.instant();
    return users
        .findByUsername(username)
        .filter(u -> u.enabled)
        .filter(u -> u.lockedUntil == null || !u.lockedUntil.isAfter(now))
        .map(UserAccount::summary);
  }

  @Transactional(TxType.SUPPORTS)
  public List<UserSummary> page(int offset, int limit) {
    return users
        .findAll(io.quarkus.panache.common.Sort.by("username"))
        .range(offset, offset + limit - 1)
        .list()
        .stream()
        .map(UserAccount::summary)
        .toList();
  }

  @Transactional(TxType.SUPPORTS)
  public long count() {
    return users.count();
  }

  /** Creates a local account. Fails with a clear message when the name is taken. */
  @Transactional
  public UserSummary create(
      String username,
      String displayName,
      Role role,
      String password,
      String actor,
      RequestOrigin origin) {
    if (username == null || !username.matches("[A-Za-z0-9._@-]{1,64}")) {
      throw new IllegalArgumentException(
          "A username is 1 to 64 letters, digits, dots, dashes, underscores or @.");
    }
    if (password == null || password.length() < 12) {
      throw new IllegalArgumentException("A password needs at least 12 characters.");
    }
    if (users.findByUsername(username).isPresent()) {
      throw new IllegalArgumentException("There is already an account named " + username + ".");
    }
    UserAccount u = new UserAccount();
    u.username = username;
    u.displayName = displayName == null || displayName.isBlank() ? username : displayName;
    u.passwordHash = BcryptUtil.bcryptHash(password);
    u.role = role.id();
    u.createdAt = clock.instant();
    users.persist(u);
    audit.record(
        new AuditEntry(
            actor,
            "user.create",
            "user",
            username,
            AuditOutcome.SUCCESS,
            origin,
            "role=" + role.id()));
    return u.summary();
  }

  private static AuditEntry signInEvent(String username, AuditOutcome outcome, RequestOrigin o) {
    return AuditEntry.of(username, "signin", outcome, o).on("user", username);
  }
}
