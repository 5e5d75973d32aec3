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
import jakarta.ws.rs.NotFoundException;
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
    checkPassword(password);
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

  /**
   * Gives an account another role. Holdfast always keeps one enabled admin, so the last one cannot
   * be demoted.
   */
  @Transactional
  public UserSummary changeRole(String username, Role role, String actor, RequestOrigin origin) {
    UserAccount u = existing(username);
    Role before = Role.fromId(u.role);
    if (before == role) {
      return u.summary();
    }
    if (before == Role.ADMIN && u.enabled && enabledAdmins() == 1) {
      throw new IllegalStateException(
          u.username + " is the only enabled admin. Make another account admin first.");
    }
    u.role = role.id();
    audit.record(
        new AuditEntry(actor, "user.role", "user", u.username, AuditOutcome.SUCCESS, origin, null)
            .withChange("role", before.id(), role.id()));
    return u.summary();
  }

  /**
   * Disables or enables an account. A disabled account cannot sign in, and its open browser
   * sessions stop working on their next request. Nobody disables their own account, and the last
   * enabled admin stays enabled.
   */
  @Transactional
  public UserSummary setEnabled(
      String username, boolean enabled, String actor, RequestOrigin origin) {
    UserAccount u = existing(username);
    if (u.enabled == enabled) {
      return u.summary();
    }
    if (!enabled && u.username.equals(actor)) {
      throw new IllegalStateException("You cannot disable your own account.");
    }
    if (!enabled && Role.fromId(u.role) == Role.ADMIN && enabledAdmins() == 1) {
      throw new IllegalStateException(
          u.username + " is the only enabled admin. Make another account admin first.");
    }
    u.enabled = enabled;
    audit.record(
        new AuditEntry(
                actor,
                enabled ? "user.enable" : "user.disable",
                "user",
                u.username,
                AuditOutcome.SUCCESS,
                origin,
                null)
            .withChange("enabled", !enabled, enabled));
    return u.summary();
  }

  /**
   * Sets a new password chosen by an admin, and lifts a lockout. The password itself never reaches
   * the audit trail.
   */
  @Transactional
  public UserSummary resetPassword(
      String username, String newPassword, String actor, RequestOrigin origin) {
    UserAccount u = existing(username);
    checkPassword(newPassword);
    u.passwordHash = BcryptUtil.bcryptHash(newPassword);
    u.failedAttempts = 0;
    boolean wasLocked = u.lockedUntil != null && u.lockedUntil.isAfter(clock.instant());
    u.lockedUntil = null;
    audit.record(
        new AuditEntry(
            actor,
            "user.password-reset",
            "user",
            u.username,
            AuditOutcome.SUCCESS,
            origin,
            wasLocked ? "password reset; lockout lifted" : "password reset"));
    return u.summary();
  }

  /** Sets or clears the address notifications for this account go to. */
  @Transactional
  public UserSummary setEmail(String username, String email, String actor, RequestOrigin origin) {
    UserAccount u = existing(username);
    String clean = cleanEmail(email);
    if (java.util.Objects.equals(clean, u.email)) {
      return u.summary();
    }
    String before = u.email;
    u.email = clean;
    audit.record(
        new AuditEntry(actor, "user.email", "user", u.username, AuditOutcome.SUCCESS, origin, null)
            .withChange("email", before, clean));
    return u.summary();
  }

  /** The address trimmed, null when blank; refuses what cannot be an address. */
  public static String cleanEmail(String email) {
    String clean = email == null || email.isBlank() ? null : email.trim();
    if (clean != null && !clean.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
      throw new IllegalArgumentException(
          "'" + clean + "' does not look like an email address (name@example.org).");
    }
    return clean;
  }

  private UserAccount existing(String username) {
    return users
        .findByUsername(username)
        .orElseThrow(
            () -> new NotFoundException("There is no local account named " + username + "."));
  }

  private long enabledAdmins() {
    return users.count("role = ?1 and enabled = true", Role.ADMIN.id());
  }

  private static void checkPassword(String password) {
    if (password == null || password.length() < 12) {
      throw new IllegalArgumentException("A password needs at least 12 characters.");
    }
  }

  private static AuditEntry signInEvent(String username, AuditOutcome outcome, RequestOrigin o) {
    return AuditEntry.of(username, "signin", outcome, o).on("user", username);
  }
}
