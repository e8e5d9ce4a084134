// The demo city: 江澜市, a fictional city with districts, streets and
// townships, communities and villages, grids whose polygons tile each street
// exactly, city and district departments, the 12345 hotline centre, staff in
// every role and a few residents, for `xietong demo`.
//
// CreateDemoCity is idempotent: units are matched by code and accounts by
// username, and what exists is counted, not created or changed again. The
// plan is fixed (no randomness that differs between runs), so two runs and
// two machines build the same city. Not safe to run twice at once on one
// database; it holds no state of its own.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "identity/identity_service.h"

namespace xietong::app {

struct DemoOptions {
  std::string admin_password;  // for the account `admin`; needed only when it does not exist yet
  std::string staff_password = "demo-2026";  // every other demo account, residents included
  // Called after each unit and each account; step is "units" or "accounts".
  std::function<void(std::string_view step, int done, int total)> progress;
};

// A demo login worth printing: `role` and `unit_name` are in Chinese.
struct DemoAccount {
  std::string username, display_name, role, unit_name;
};

struct DemoReport {
  int units_created = 0;
  int units_existing = 0;
  int accounts_created = 0;
  int accounts_existing = 0;
  // The well-known logins, one or two per role: `admin` takes the admin
  // password, the others the staff password.
  std::vector<DemoAccount> login_accounts;
};

// Creates whatever of the demo city is missing, acting as the system.
Result<DemoReport> CreateDemoCity(identity::IdentityService& identity, const DemoOptions& options);

}  // namespace xietong::app
