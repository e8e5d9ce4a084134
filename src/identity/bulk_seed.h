// Many staff accounts at once, for benchmarks and crash tests that need
// thousands of people (a directive to 10,000): one password hash for all
// (argon2 once, not per account), one membership each and, when asked, a
// session with a token the caller chose — written through identity's own
// store in transactions of `batch` rows. It skips the service's
// authorization and audit events, so nothing in the HTTP API or the CLI
// calls it; only bench/ and tests do.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"
#include "storage/database.h"

namespace xietong::identity {

struct SeededStaff {
  std::string account_id, username, display_name;
  Membership membership;      // its account_id is account_id
  std::string session_token;  // "" = no session; else valid for a week from now
};

Result<void> SeedStaffAccounts(storage::Database& db, std::span<const SeededStaff> staff,
                               std::string_view password_hash, Timestamp now,
                               std::size_t batch = 1'000);

}  // namespace xietong::identity
