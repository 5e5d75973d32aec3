package io.holdfast.platform;

import java.util.Locale;

/** What a person may do in Holdfast. The role names are also the security role names. */
public enum Role {
  /** Everything, including users, repositories, approving restores and deleting images. */
  ADMIN,
  /** Plans, backups and verifies; may request restores. */
  OPERATOR,
  /** Sees machines and images, starts a backup now, requests restores; never approves. */
  HELPDESK,
  /** Reads everything, including the whole audit trail and its export. */
  AUDITOR;

  /** Role names as string constants, for {@code @RolesAllowed}. */
  public static final class Names {
    public static final String ADMIN = "admin";
    public static final String OPERATOR = "operator";
    public static final String HELPDESK = "helpdesk";
    public static final String AUDITOR = "auditor";

    private Names() {}
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String label() {
    return name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
  }

  /**
   * The strongest Holdfast role among security role names (a Keycloak user may carry several realm
   * roles, and roles of other applications), if any.
   */
  public static java.util.Optional<Role> strongestOf(java.util.Collection<String> roleNames) {
    return java.util.Arrays.stream(values()).filter(r -> roleNames.contains(r.id())).findFirst();
  }

  public static Role fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
