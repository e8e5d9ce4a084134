#include "identity/bulk_seed.h"

#include <algorithm>

#include "identity/identity_store.h"
#include "identity/password.h"

namespace xietong::identity {

Result<void> SeedStaffAccounts(storage::Database& db, std::span<const SeededStaff> staff,
                               std::string_view password_hash, Timestamp now, std::size_t batch) {
  batch = std::max<std::size_t>(batch, 1);
  for (std::size_t from = 0; from < staff.size(); from += batch) {
    XT_TRY_VOID(db.Write([&](storage::Executor& ex) -> Result<void> {
      for (std::size_t i = from; i < std::min(staff.size(), from + batch); ++i) {
        const SeededStaff& s = staff[i];
        Account a;
        a.id = s.account_id;
        a.username = s.username;
        a.display_name = s.display_name;
        a.kind = AccountKind::kStaff;
        a.created_at = now;
        XT_TRY_VOID(store::InsertAccount(ex, a, password_hash));
        XT_TRY_VOID(store::InsertMembership(ex, s.membership, now));
        if (!s.session_token.empty()) {
          XT_TRY_VOID(store::InsertSession(
              ex, TokenDigest(s.session_token),
              {s.account_id, RandomToken(16), now + 7 * kMicrosPerDay, std::nullopt}, now));
        }
      }
      return {};
    }));
  }
  return {};
}

}  // namespace xietong::identity
