// PointsService's monthly honour roll (光荣榜), docs/plans/participation.md
// §2.5 and §8: the residents of a unit ranked by the points they earned in
// a month of Asia/Shanghai (awards and manual awards, less their
// reversals; never what they spent). Live until staff publish it once the
// month is over; then the published roll is what everyone reads. Residents
// see names masked (林*), staff over the unit see them whole.
#include <fmt/core.h>

#include "identity/authorization.h"
#include "participation/points_service.h"
#include "participation/points_store.h"

namespace xietong::participation {
namespace {

using identity::Action;
using identity::Principal;
using storage::Executor;

constexpr std::size_t kRollSize = 10;
constexpr int kMaxResidents = 5000;

// "yyyy-mm" → [first instant, first instant of the next month), Asia/Shanghai.
Result<std::pair<Timestamp, Timestamp>> MonthWindow(std::string_view month) {
  auto bad = [&] {
    return Error::InvalidArgument("'month' is yyyy-mm, e.g. 2026-11").About("month", "invalid");
  };
  if (month.size() != 7 || month[4] != '-') return Fail(bad());
  int y = 0, m = 0;
  for (int i = 0; i < 4; ++i) {
    if (month[i] < '0' || month[i] > '9') return Fail(bad());
    y = y * 10 + (month[i] - '0');
  }
  for (int i = 5; i < 7; ++i) {
    if (month[i] < '0' || month[i] > '9') return Fail(bad());
    m = m * 10 + (month[i] - '0');
  }
  if (y < 2000 || y > 2999 || m < 1 || m > 12) return Fail(bad());
  const int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
  auto from = ParseRfc3339(fmt::format("{:04}-{:02}-01T00:00:00+08:00", y, m));
  auto to = ParseRfc3339(fmt::format("{:04}-{:02}-01T00:00:00+08:00", ny, nm));
  if (!from || !to) return Fail(bad());
  return std::pair<Timestamp, Timestamp>{*from, *to};
}

std::string ThisMonth(Timestamp now) { return FormatRfc3339(now).substr(0, 7); }

// The first character and a star: 林晓 → 林*.
std::string Mask(std::string_view name) {
  if (name.empty()) return "*";
  std::size_t n = 1;
  while (n < name.size() && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) ++n;
  return std::string(name.substr(0, n)) + "*";
}

bool StaffOver(const Principal& a, std::string_view path) {
  return identity::Can(a, Action::kParticipationStaff, path) ||
         identity::Can(a, Action::kParticipationOversee, path) ||
         identity::Can(a, Action::kPointsManage, path);
}

}  // namespace

Result<HonourRoll> PointsService::LiveRoll(const identity::OrgUnit& unit, std::string_view month,
                                           Timestamp from, Timestamp to) {
  // The unit's residents (identity), then what each earned (the ledger).
  std::vector<std::string> accounts;
  identity::AccountListQuery q;
  q.unit_id = unit.id;
  q.limit = 200;
  while (static_cast<int>(accounts.size()) < kMaxResidents) {
    XT_ASSIGN_OR_RETURN(auto page, identity_.ListAccounts(Principal::System(), q));
    for (const auto& a : page.items)
      if (a.kind == identity::AccountKind::kResident) accounts.push_back(PersonAccount(a.id));
    if (!page.next_cursor) break;
    q.cursor = page.next_cursor;
  }
  XT_ASSIGN_OR_RETURN(auto ranked, db_.Read([&](Executor& ex) {
    return store::EarnedBetween(ex, accounts, from, to);
  }));
  HonourRoll roll{.unit_id = unit.id, .unit_name = unit.name, .month = std::string(month)};
  for (const auto& e : ranked) {
    if (roll.entries.size() == kRollSize) break;
    roll.entries.push_back({.rank = e.rank, .account_id = e.account_id, .points = e.points});
  }
  return roll;
}

void PointsService::NameRoll(const Principal& actor, const identity::OrgUnit& unit,
                             HonourRoll& roll) {
  const bool staff = actor.is_system() || StaffOver(actor, unit.path);
  for (auto& e : roll.entries) {
    auto parsed = ParseAccountId(e.account_id);
    if (!parsed) continue;
    if (auto who = identity_.GetAccount(Principal::System(), parsed->owner_id))
      e.display_name =
          staff || who->id == actor.account_id ? who->display_name : Mask(who->display_name);
    auto acc = db_.Read([&](Executor& ex) { return store::FindAccount(ex, e.account_id); });
    e.level = LevelOf(acc && *acc ? (*acc)->lifetime_earned : 0);
  }
}

Result<HonourRoll> PointsService::GetHonourRoll(const Principal& actor, std::string_view unit_id,
                                                std::string_view month) {
  const std::string m = month.empty() ? ThisMonth(clock_.Now()) : std::string(month);
  XT_ASSIGN_OR_RETURN(auto window, MonthWindow(m));
  if (unit_id.empty())
    return Fail(Error::InvalidArgument("'unit_id' is required").About("unit_id", "required"));
  XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), unit_id));
  XT_ASSIGN_OR_RETURN(auto published, db_.Read([&](Executor& ex) {
    return store::FindHonourRoll(ex, unit->id, m);
  }));
  HonourRoll roll;
  if (published) {
    roll = {.unit_id = unit->id,
            .unit_name = unit->name,
            .month = m,
            .published = true,
            .published_by = published->published_by,
            .published_at = published->published_at};
    for (const auto& e : published->entries)
      roll.entries.push_back({.rank = e.rank, .account_id = e.account_id, .points = e.points});
  } else {
    XT_ASSIGN_OR_RETURN(roll, LiveRoll(*unit, m, window.first, window.second));
  }
  NameRoll(actor, *unit, roll);
  return roll;
}

Result<HonourRoll> PointsService::PublishHonourRoll(const Principal& actor,
                                                    std::string_view unit_id,
                                                    std::string_view month) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto window, MonthWindow(month));
  if (unit_id.empty())
    return Fail(Error::InvalidArgument("'unit_id' is required").About("unit_id", "required"));
  XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), unit_id));
  if (!actor.is_system() && !identity::Can(actor, Action::kParticipationStaff, unit->path))
    return Fail(Error::PermissionDenied(
        fmt::format("the honour roll of {} is published by its staff", unit->name)));
  if (window.second > now)
    return Fail(Error::InvalidArgument(fmt::format("{} is not over yet", month))
                    .About("month", "month_not_over"));
  XT_ASSIGN_OR_RETURN(auto roll, LiveRoll(*unit, month, window.first, window.second));
  if (roll.entries.empty())
    return Fail(
        Error::InvalidArgument(fmt::format("nobody in {} earned points in {}", unit->name, month))
            .About("month", "empty"));
  const std::string subject = fmt::format("{}:{}", unit->id, month);
  auto out = db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto existing, store::FindHonourRoll(ex, unit->id, month));
    if (existing)
      return Fail(Error::Conflict(fmt::format("the honour roll of {} for {} is published already",
                                              unit->name, month))
                      .About("month", "already_published"));
    store::PublishedRoll rows{.entries = {}, .published_by = actor.account_id, .published_at = now};
    json::Json entries = json::Json::array();
    for (const auto& e : roll.entries) {
      rows.entries.push_back({.rank = e.rank, .account_id = e.account_id, .points = e.points});
      entries.push_back({{"rank", e.rank}, {"account", e.account_id}, {"points", e.points}});
    }
    XT_TRY_VOID(store::InsertHonourRoll(ex, unit->id, month, rows));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.is_system() ? "system" : actor.account_id,
                               "points.honour_roll.published",
                               subject,
                               {{"unit_id", unit->id}, {"month", month}, {"entries", entries}}}));
    return {};
  });
  if (!out) {
    if (out.error().code == ErrorCode::kConflict && out.error().reason != "already_published")
      return Fail(Error::Conflict(fmt::format("the honour roll of {} for {} is published already",
                                              unit->name, month))
                      .About("month", "already_published"));
    return Fail(out.error());
  }
  Committed();
  roll.published = true;
  roll.published_by = actor.account_id;
  roll.published_at = now;
  NameRoll(actor, *unit, roll);
  return roll;
}

}  // namespace xietong::participation
