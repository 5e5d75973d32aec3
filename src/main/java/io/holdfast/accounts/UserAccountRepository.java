package io.holdfast.accounts;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

@ApplicationScoped
class UserAccountRepository implements PanacheRepository<UserAccount> {

  Optional<UserAccount> findByUsername(String username) {
    return find("lower(username) = ?1", username.toLowerCase(java.util.Locale.ROOT))
        .firstResultOptional();
  }
}
