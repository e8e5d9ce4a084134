#include "collab/directive.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <set>

#include "collab/taskforce.h"

namespace xietong::collab {

Result<void> ValidateDirective(const NewDirective& in, Timestamp now) {
  XT_TRY_VOID(CheckText("title", in.title, kMaxTitleChars, true));
  XT_TRY_VOID(CheckText("body", in.body, kMaxDirectiveBodyChars, true));
  if (in.to_units.empty())
    return Fail(Error::InvalidArgument("field 'to_units': name at least one unit")
                    .About("to_units", "required"));
  if (in.to_units.size() > kMaxTargetUnits)
    return Fail(Error::InvalidArgument(
                    fmt::format("field 'to_units': at most {} units; choose a parent unit with "
                                "include_subtree instead",
                                kMaxTargetUnits))
                    .About("to_units", "too_many"));
  std::set<std::string_view> seen;
  for (const auto& u : in.to_units)
    if (!seen.insert(u).second)
      return Fail(Error::InvalidArgument(
                      fmt::format("field 'to_units': {} is listed twice", u.substr(0, 32)))
                      .About("to_units", "duplicate"));
  if (in.idempotency_key.size() > 200)
    return Fail(Error::InvalidArgument("the Idempotency-Key is at most 200 characters")
                    .About("idempotency_key", "too_long"));
  if (in.ack_by != 0 && in.ack_by <= now)
    return Fail(
        Error::InvalidArgument("field 'ack_by': must be in the future").About("ack_by", "past"));
  return {};
}

std::vector<Receipt> ResolveRecipients(std::span<const identity::OrgUnit> targets,
                                       bool include_subtree,
                                       std::span<const identity::Account> candidates,
                                       std::string_view sender_id) {
  std::map<std::string, Receipt> by_account;
  for (const auto& a : candidates) {
    if (a.disabled || a.kind != identity::AccountKind::kStaff || a.id == sender_id) continue;
    const identity::Membership* best = nullptr;
    for (const auto& m : a.memberships) {
      const bool hit = std::any_of(targets.begin(), targets.end(), [&](const auto& t) {
        return include_subtree ? m.unit_path.starts_with(t.path) : m.unit_id == t.id;
      });
      // The deepest unit names the person's place best (a community, not its street).
      if (hit && (!best || m.unit_path.size() > best->unit_path.size() ||
                  (m.unit_path.size() == best->unit_path.size() && m.unit_id < best->unit_id)))
        best = &m;
    }
    if (!best) continue;
    Receipt r;
    r.account_id = a.id;
    r.display_name = a.display_name;
    r.unit_id = best->unit_id;
    r.unit_name = best->unit_name;
    r.unit_path = best->unit_path;
    by_account.emplace(a.id, std::move(r));
  }
  std::vector<Receipt> out;
  out.reserve(by_account.size());
  for (auto& [id, r] : by_account) out.push_back(std::move(r));
  return out;
}

ReceiptTable Tabulate(std::span<const Receipt> receipts, std::span<const identity::OrgUnit> targets,
                      bool include_subtree) {
  ReceiptTable t;
  std::map<std::string, UnitReceipts> units;
  for (const auto& r : receipts) {
    auto& u = units[r.unit_id];
    u.unit_id = r.unit_id;
    u.unit_name = r.unit_name;
    ++u.recipients;
    ++t.recipients;
    if (r.read_at != 0) ++u.read, ++t.read;
    if (r.acked_at != 0) ++u.acknowledged, ++t.acknowledged;
  }
  for (auto& [id, u] : units) {
    if (u.acknowledged < u.recipients) t.units_not_acknowledged.push_back(id);
    t.units.push_back(std::move(u));
  }
  std::sort(t.units.begin(), t.units.end(), [](const auto& a, const auto& b) {
    return a.unit_name != b.unit_name ? a.unit_name < b.unit_name : a.unit_id < b.unit_id;
  });
  for (const auto& target : targets) {
    const bool reached = std::any_of(receipts.begin(), receipts.end(), [&](const Receipt& r) {
      return include_subtree ? r.unit_path.starts_with(target.path) : r.unit_id == target.id;
    });
    if (!reached) t.units_without_recipients.push_back(target.id);
  }
  return t;
}

bool NeedsReminder(const Directive& d, const Receipt& r, Timestamp now) {
  return d.ack_by != 0 && r.acked_at == 0 && now > d.ack_by;
}

}  // namespace xietong::collab
