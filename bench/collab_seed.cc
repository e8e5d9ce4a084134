#include "collab_seed.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "bench_util.h"
#include "identity/bulk_seed.h"
#include "identity/password.h"

namespace xietong::bench {

using identity::Membership;
using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

namespace {

OrgUnit UnitOf(app::Platform& p, std::optional<std::string> parent, UnitKind kind,
               const std::string& code, std::string name) {
  auto found = Must(p.identity().FindUnitByCode(code));
  if (found) return *found;
  return Must(p.identity().CreateUnit(Principal::System(),
                                      {std::move(parent), kind, code, std::move(name), {}}));
}

}  // namespace

CollabCity SeedCollabCity(app::Platform& p, const CollabSeedOptions& o) {
  CollabCity out;
  const auto started = SteadyClock::now();
  out.city = UnitOf(p, std::nullopt, UnitKind::kCity, o.code, "压测市" + o.code);
  // 10 districts × 10 streets, the communities spread over the 100 streets;
  // one thread per district (their commits share fsyncs).
  constexpr int kDistricts = 10, kStreets = 10;
  std::vector<std::vector<OrgUnit>> by_district(kDistricts);
  std::vector<std::thread> threads;
  for (int d = 0; d < kDistricts; ++d) {
    threads.emplace_back([&, d] {
      const OrgUnit district = UnitOf(p, out.city.id, UnitKind::kDistrict,
                                      fmt::format("{}-D{}", o.code, d), fmt::format("第{}区", d));
      for (int s = 0; s < kStreets; ++s) {
        const OrgUnit street =
            UnitOf(p, district.id, UnitKind::kStreet, fmt::format("{}-D{}-S{}", o.code, d, s),
                   fmt::format("第{}区第{}街道", d, s));
        for (int c = d * kStreets + s; c < o.communities; c += kDistricts * kStreets)
          by_district[static_cast<std::size_t>(d)].push_back(
              UnitOf(p, street.id, UnitKind::kCommunity, fmt::format("{}-C{}", o.code, c),
                     fmt::format("第{}社区", c)));
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& v : by_district) out.communities.insert(out.communities.end(), v.begin(), v.end());
  std::sort(out.communities.begin(), out.communities.end(),
            [](const OrgUnit& a, const OrgUnit& b) { return a.code < b.code; });

  std::string prefix = o.code;
  for (auto& ch : prefix) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  // The sender: a real account, a unit lead of the city.
  {
    const std::string username = prefix + "-sender";
    auto acc = p.identity().CreateAccount(
        Principal::System(), {username, "压测发文人", identity::AccountKind::kStaff, std::nullopt,
                              "bench-pass-1", out.city.id, Role::kUnitLead});
    if (!acc) Die(acc.error());
    out.sender.account_id = acc->id;
    out.sender.username = username;
    out.sender.display_name = "压测发文人";
    out.sender.memberships = acc->memberships;
  }

  const std::string hash = Must(identity::HashPassword("bench-pass-1"));
  const Timestamp now = p.clock().Now();
  out.people.reserve(static_cast<std::size_t>(o.people));
  for (int i = 0; i < o.people; ++i) {
    const OrgUnit& unit = out.communities[static_cast<std::size_t>(i % o.communities)];
    Principal who;
    who.account_id = p.ids().Next();
    who.username = fmt::format("{}{:05}", prefix, i);
    who.display_name = fmt::format("工作人员{}", i);
    who.memberships.push_back(
        Membership{p.ids().Next(), who.account_id, unit.id, unit.name, unit.path, Role::kHandler});
    out.people.push_back(std::move(who));
    if (o.with_sessions) out.tokens.push_back(identity::RandomToken());
  }
  std::vector<identity::SeededStaff> seeds;
  seeds.reserve(out.people.size());
  for (std::size_t i = 0; i < out.people.size(); ++i) {
    const Principal& who = out.people[i];
    seeds.push_back({who.account_id, who.username, who.display_name, who.memberships.front(),
                     o.with_sessions ? out.tokens[i] : std::string()});
  }
  Must(identity::SeedStaffAccounts(p.db(), seeds, hash, now));
  fmt::print("seeded {} communities and {} staff accounts{} in {:.1f} s\n", out.communities.size(),
             out.people.size(), o.with_sessions ? " with sessions" : "", Seconds(started));
  return out;
}

}  // namespace xietong::bench
