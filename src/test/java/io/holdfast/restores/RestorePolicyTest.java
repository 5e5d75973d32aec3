package io.holdfast.restores;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.restores.RestorePolicy.Decision;
import io.holdfast.restores.RestorePolicy.Kind;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RestorePolicyTest {

  record Policy(
      Decision differentMachine,
      Decision wholeDisk,
      Decision systemPartition,
      Decision dataPartition,
      Decision files)
      implements RestoresConfig.Policy {

    Policy(Decision differentMachine, Decision wholeDisk, Decision system, Decision data) {
      this(differentMachine, wholeDisk, system, data, Decision.APPROVAL);
    }
  }

  static final Policy ALL_APPROVAL =
      new Policy(Decision.APPROVAL, Decision.APPROVAL, Decision.APPROVAL, Decision.APPROVAL);
  static final Policy DATA_AUTO =
      new Policy(Decision.APPROVAL, Decision.APPROVAL, Decision.APPROVAL, Decision.AUTO);

  @Test
  void a_file_restore_is_its_own_kind_and_still_counts_another_machine() {
    RestorePolicy p = new RestorePolicy(ALL_APPROVAL);
    assertThat(p.gradeFiles(true).kinds()).containsExactly(Kind.FILES);
    assertThat(p.gradeFiles(true).risk()).isEqualTo("low");
    assertThat(p.gradeFiles(false).kinds()).containsExactly(Kind.DIFFERENT_MACHINE, Kind.FILES);
    assertThat(p.gradeFiles(false).risk()).isEqualTo("high");
    assertThat(p.gradeFiles(true).autoApproved()).isFalse();
    RestorePolicy filesAuto =
        new RestorePolicy(
            new Policy(
                Decision.APPROVAL,
                Decision.APPROVAL,
                Decision.APPROVAL,
                Decision.APPROVAL,
                Decision.AUTO));
    assertThat(filesAuto.gradeFiles(true).autoApproved()).isTrue();
    assertThat(filesAuto.gradeFiles(false).autoApproved())
        .as("files onto another machine still wait for a person")
        .isFalse();
  }

  @Test
  void each_kind_of_restore_is_graded_by_what_it_overwrites() {
    RestorePolicy p = new RestorePolicy(ALL_APPROVAL);
    assertThat(p.grade(true, 2, "Linux filesystem", "data").kinds())
        .containsExactly(Kind.DATA_PARTITION);
    assertThat(p.grade(true, 2, "Linux filesystem", "data").risk()).isEqualTo("low");
    assertThat(p.grade(true, null, null, null).kinds()).containsExactly(Kind.WHOLE_DISK);
    assertThat(p.grade(true, 1, "EFI System", null).kinds()).containsExactly(Kind.SYSTEM_PARTITION);
    assertThat(p.grade(true, 3, "Microsoft basic data", "System").kinds())
        .as("a partition labelled System")
        .containsExactly(Kind.SYSTEM_PARTITION);
    assertThat(p.grade(false, 2, "Linux filesystem", "data").kinds())
        .containsExactly(Kind.DIFFERENT_MACHINE);
    assertThat(p.grade(false, null, null, null).kinds())
        .containsExactly(Kind.DIFFERENT_MACHINE, Kind.WHOLE_DISK);
    assertThat(p.grade(false, null, null, null).reasons())
        .isEqualTo("restores onto a different machine; overwrites a whole disk");
    for (var g :
        List.of(
            p.grade(true, null, null, null),
            p.grade(true, 1, "EFI System", null),
            p.grade(false, 2, "Linux filesystem", null))) {
      assertThat(g.risk()).isEqualTo("high");
    }
  }

  @Test
  void policy_approves_only_when_every_kind_the_request_falls_under_says_auto() {
    assertThat(new RestorePolicy(ALL_APPROVAL).grade(true, 2, "Linux", null).autoApproved())
        .isFalse();
    RestorePolicy dataAuto = new RestorePolicy(DATA_AUTO);
    assertThat(dataAuto.grade(true, 2, "Linux", null).autoApproved()).isTrue();
    assertThat(dataAuto.grade(true, 1, "EFI System", null).autoApproved()).isFalse();
    assertThat(dataAuto.grade(true, null, null, null).autoApproved()).isFalse();
    assertThat(dataAuto.grade(false, 2, "Linux", null).autoApproved()).isFalse();
    RestorePolicy lenient =
        new RestorePolicy(
            new Policy(Decision.AUTO, Decision.APPROVAL, Decision.APPROVAL, Decision.AUTO));
    assertThat(lenient.grade(false, 2, "Linux", null).autoApproved()).isTrue();
    assertThat(lenient.grade(false, null, null, null).autoApproved()).isFalse();
  }

  @Test
  void admins_and_configured_approver_roles_approve_but_helpdesk_and_auditors_never() {
    Set<String> approvers = Set.of("operator", "restore-approver", "helpdesk", "auditor");
    assertThat(RestorePolicy.mayApprove(Set.of("admin"), Set.of())).isTrue();
    assertThat(RestorePolicy.mayApprove(Set.of("operator"), Set.of())).isFalse();
    assertThat(RestorePolicy.mayApprove(Set.of("operator"), approvers)).isTrue();
    assertThat(RestorePolicy.mayApprove(Set.of("restore-approver"), approvers)).isTrue();
    assertThat(RestorePolicy.mayApprove(Set.of("helpdesk", "restore-approver"), approvers))
        .as("an approver group on top of helpdesk")
        .isFalse();
    assertThat(RestorePolicy.mayApprove(Set.of("helpdesk"), approvers)).isFalse();
    assertThat(RestorePolicy.mayApprove(Set.of("auditor"), approvers)).isFalse();
  }
}
