// Routes of the identity API under /api/v1: login, logout, me, the org tree,
// accounts and memberships. Thin: parse, call IdentityService, encode.
#pragma once

#include "http/api.h"
#include "identity/identity_service.h"

namespace xietong::http {

void RegisterIdentityRoutes(Api& api, identity::IdentityService& identity);

// JSON forms shared by other modules' handlers.
json::Json UnitJson(const identity::OrgUnit& unit);
json::Json AccountJson(const identity::Account& account);
json::Json MembershipJson(const identity::Membership& m);

}  // namespace xietong::http
