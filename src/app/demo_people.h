// What every part of `xietong demo` acts through: the demo's people, each
// logged in once with the staff password (a login hashes with argon2, so
// each is kept), and the matters found by their names.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.h"
#include "identity/identity_service.h"
#include "matters/catalog.h"

namespace xietong::app {

class DemoPeople {
 public:
  DemoPeople(identity::IdentityService& identity, std::string password)
      : identity_(identity), password_(std::move(password)) {}

  Result<identity::Principal> As(std::string_view username) {
    const std::string key(username);
    if (auto it = people_.find(key); it != people_.end()) return it->second;
    XT_ASSIGN_OR_RETURN(auto login, identity_.Login(key, password_));
    XT_ASSIGN_OR_RETURN(auto principal, identity_.Authenticate(login.token));
    people_[key] = principal;
    return principal;
  }

 private:
  identity::IdentityService& identity_;
  std::string password_;
  std::map<std::string, identity::Principal> people_;
};

// The leaf matter of that name in the catalog; null when there is none.
inline const matters::Matter* LeafNamed(const matters::Catalog& catalog, std::string_view name) {
  for (const matters::Matter* m : catalog.Leaves())
    if (m->name == name) return m;
  return nullptr;
}

}  // namespace xietong::app
