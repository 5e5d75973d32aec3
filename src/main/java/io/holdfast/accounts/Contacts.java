package io.holdfast.accounts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Email addresses of the people Holdfast knows: local accounts, and people who signed in through
 * Keycloak (remembered from their last sign-in).
 */
@ApplicationScoped
public class Contacts {

  @Inject EntityManager em;
  @Inject Clock clock;

  /** The address of one person, if known. */
  @Transactional(Transactional.TxType.REQUIRES_NEW) // notifiers run after their event's commit
  public Optional<String> emailOf(String username) {
    UserAccount local =
        em.createQuery("from UserAccount where username = :u", UserAccount.class)
            .setParameter("u", username)
            .getResultStream()
            .findFirst()
            .orElse(null);
    if (local != null && local.email != null) {
      return Optional.of(local.email);
    }
    return Optional.ofNullable(em.find(SsoPerson.class, username)).map(p -> p.email);
  }

  /**
   * The addresses of enabled local accounts and Keycloak people whose roles pass {@code rule} (e.g.
   * "may approve restores").
   */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public List<String> emailsOf(Predicate<Collection<String>> rule) {
    TreeSet<String> out = new TreeSet<>();
    for (UserAccount u :
        em.createQuery(
                "from UserAccount where enabled = true and email is not null", UserAccount.class)
            .getResultList()) {
      if (rule.test(List.of(u.role))) {
        out.add(u.email);
      }
    }
    for (SsoPerson p :
        em.createQuery("from SsoPerson where email is not null", SsoPerson.class).getResultList()) {
      if (rule.test(Arrays.asList(p.roles.split(",")))) {
        out.add(p.email);
      }
    }
    return List.copyOf(out);
  }

  /** Remembers how a Keycloak sign-in described the person. */
  @Transactional
  void rememberSsoPerson(
      String username, String displayName, String email, Collection<String> roles) {
    SsoPerson p = em.find(SsoPerson.class, username);
    boolean fresh = p == null;
    if (fresh) {
      p = new SsoPerson();
      p.username = username;
    }
    p.displayName = displayName;
    p.email = email;
    p.roles = String.join(",", new TreeSet<>(roles));
    p.lastSigninAt = clock.instant();
    if (fresh) {
      em.persist(p);
    }
  }
}
