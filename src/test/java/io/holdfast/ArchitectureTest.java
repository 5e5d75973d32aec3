package io.holdfast;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the lines drawn in STYLE.md: a framework-free engine, no feature cycles, thin views. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.holdfast");
  }

  @Test
  void the_engine_imports_no_framework() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("io.holdfast.engine..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.quarkus..",
                "jakarta..",
                "javax.persistence..",
                "org.hibernate..",
                "com.vaadin..")
            .allowEmptyShould(true);
    rule.check(classes);
  }

  @Test
  void the_worker_uses_only_the_engine_and_no_console_code() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("io.holdfast.worker..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.quarkus..",
                "jakarta..",
                "org.hibernate..",
                "com.vaadin..",
                "io.holdfast.accounts..",
                "io.holdfast.audit..",
                "io.holdfast.machines..",
                "io.holdfast.jobs..",
                "io.holdfast.images..",
                "io.holdfast.plans..",
                "io.holdfast.restores..",
                "io.holdfast.ui..")
            .allowEmptyShould(true);
    rule.check(classes);
  }

  /**
   * Every package is its own slice: a feature's views ({@code machines.ui}) may use another
   * feature's services ({@code jobs}) that in turn use the first feature's service ({@code
   * machines}) without that being a cycle, as the view depends on both and neither on it.
   */
  @Test
  void packages_have_no_cycles() {
    slices().matching("io.holdfast.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void views_call_services_never_repositories_or_entities() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("..ui..")
            .should()
            .dependOnClassesThat()
            .areAnnotatedWith(jakarta.persistence.Entity.class)
            .orShould()
            .dependOnClassesThat()
            .areAssignableTo(io.quarkus.hibernate.orm.panache.PanacheRepositoryBase.class)
            .orShould()
            .dependOnClassesThat()
            .areAssignableTo(jakarta.persistence.EntityManager.class);
    rule.check(classes);
  }
}
