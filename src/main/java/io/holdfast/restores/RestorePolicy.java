package io.holdfast.restores;

import io.holdfast.platform.Role;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rule set that grades a restore before anyone is asked: what kind of overwrite it is, how
 * risky that is, and whether policy lets it through without a second person. Each kind maps to a
 * decision in configuration ({@code holdfast.restores.policy.*}); a request is approved by policy
 * only when every kind it falls under says {@code auto}.
 */
public final class RestorePolicy {

  /** What a restore overwrites, from riskiest to mildest. */
  public enum Kind {
    DIFFERENT_MACHINE("restores onto a different machine", true),
    WHOLE_DISK("overwrites a whole disk", true),
    SYSTEM_PARTITION("overwrites a system partition (boot, EFI, root or recovery)", true),
    DATA_PARTITION("one data partition back onto the machine it came from", false),
    FILES("files copied into a new folder, overwriting nothing", false);

    private final String words;
    private final boolean highRisk;

    Kind(String words, boolean highRisk) {
      this.words = words;
      this.highRisk = highRisk;
    }

    public String words() {
      return words;
    }
  }

  /** What policy says about a kind of restore. */
  public enum Decision {
    /** A second person with approve rights must approve. */
    APPROVAL,
    /** Approved by policy at once; the automatic decision is audited as such. */
    AUTO
  }

  /** The grade of one request. */
  public record Grade(List<Kind> kinds, boolean highRisk, boolean autoApproved) {

    public String risk() {
      return highRisk ? "high" : "low";
    }

    public String reasons() {
      return kinds.stream().map(Kind::words).collect(Collectors.joining("; "));
    }
  }

  private static final Set<String> SYSTEM_TYPES =
      Set.of(
          "efi system",
          "bios boot",
          "microsoft reserved",
          "windows recovery environment",
          "linux root (x86-64)",
          "linux root (x86)",
          "linux root (arm64)",
          "linux /boot",
          "linux extended boot");
  private static final Set<String> SYSTEM_NAMES =
      Set.of("efi", "esp", "boot", "root", "system", "recovery", "msr");

  private final RestoresConfig.Policy policy;

  public RestorePolicy(RestoresConfig.Policy policy) {
    this.policy = policy;
  }

  /**
   * @param sameMachine whether the target is the machine the image came from
   * @param partition the partition restored, or null for a whole disk
   * @param partitionTypeName the partition's type as the engine names it, or null
   * @param partitionName the partition's label (GPT name), or null
   */
  public Grade grade(
      boolean sameMachine, Integer partition, String partitionTypeName, String partitionName) {
    List<Kind> kinds = new ArrayList<>();
    if (!sameMachine) {
      kinds.add(Kind.DIFFERENT_MACHINE);
    }
    if (partition == null) {
      kinds.add(Kind.WHOLE_DISK);
    } else if (isSystem(partitionTypeName, partitionName)) {
      kinds.add(Kind.SYSTEM_PARTITION);
    } else if (sameMachine) {
      kinds.add(Kind.DATA_PARTITION);
    }
    boolean high = kinds.stream().anyMatch(k -> k.highRisk);
    boolean auto = kinds.stream().allMatch(k -> decision(k) == Decision.AUTO);
    return new Grade(List.copyOf(kinds), high, auto);
  }

  /** A file restore: files copied out of the image into a folder; nothing is overwritten. */
  public Grade gradeFiles(boolean sameMachine) {
    List<Kind> kinds = new ArrayList<>();
    if (!sameMachine) {
      kinds.add(Kind.DIFFERENT_MACHINE);
    }
    kinds.add(Kind.FILES);
    boolean high = kinds.stream().anyMatch(k -> k.highRisk);
    boolean auto = kinds.stream().allMatch(k -> decision(k) == Decision.AUTO);
    return new Grade(List.copyOf(kinds), high, auto);
  }

  public Decision decision(Kind kind) {
    return switch (kind) {
      case DIFFERENT_MACHINE -> policy.differentMachine();
      case WHOLE_DISK -> policy.wholeDisk();
      case SYSTEM_PARTITION -> policy.systemPartition();
      case DATA_PARTITION -> policy.dataPartition();
      case FILES -> policy.files();
    };
  }

  static boolean isSystem(String typeName, String name) {
    return (typeName != null && SYSTEM_TYPES.contains(typeName.toLowerCase(Locale.ROOT)))
        || (name != null && SYSTEM_NAMES.contains(name.trim().toLowerCase(Locale.ROOT)));
  }

  /**
   * Whether someone holding {@code roles} may approve or reject restores: admins always, and the
   * configured approver roles. Helpdesk and auditors never, whatever else they hold.
   */
  public static boolean mayApprove(Collection<String> roles, Set<String> approverRoles) {
    if (roles.contains(Role.ADMIN.id())) {
      return true;
    }
    if (roles.contains(Role.HELPDESK.id()) || roles.contains(Role.AUDITOR.id())) {
      return false;
    }
    return roles.stream().anyMatch(approverRoles::contains);
  }
}
