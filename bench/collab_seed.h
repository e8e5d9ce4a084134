// A city for the collab benches, seeded fast: a city, 10 districts, 10
// streets each and `communities` communities spread over the streets
// (through IdentityService::CreateUnit, so paths and audit are as usual),
// then `people` staff accounts written through the identity store in
// transactions of 1,000 (one argon2 hash shared by all, a handler
// membership each, in community i % communities) — creating them one by
// one through the service would hash 10,000 passwords. Optionally a session
// per account with a known token, so a client can act as each of them
// without 10,000 logins.
#pragma once

#include <string>
#include <vector>

#include "app/platform.h"
#include "identity/identity.h"

namespace xietong::bench {

struct CollabCity {
  identity::OrgUnit city;
  std::vector<identity::OrgUnit> communities;
  identity::Principal sender;               // a unit lead of the city (a real account)
  std::vector<identity::Principal> people;  // the staff, each with their membership
  std::vector<std::string> tokens;          // people[i]'s session token (with_sessions)
};

struct CollabSeedOptions {
  int people = 10'000;
  int communities = 2'000;
  bool with_sessions = false;
  std::string code = "BC";  // the city's unit code (usernames start with it, lower-cased)
};

CollabCity SeedCollabCity(app::Platform& p, const CollabSeedOptions& o);

}  // namespace xietong::bench
