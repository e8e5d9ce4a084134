// Directives (通知/指令, 1-n): a unit's message to a set of units chosen in
// the org tree, delivered to every person who holds a membership there, with
// a receipt per person. Pure: no I/O.
//
//   recipients: the staff accounts (not disabled) with a membership in a
//               target unit — or, with include_subtree, anywhere below one —
//               each once, under the deepest matching unit; never the sender.
//   a receipt:  received (stored with the directive, in its transaction)
//               ──▶ read (the first opening; later ones change nothing)
//               ──▶ acknowledged 签收 (by the recipient, for themself only;
//                   acknowledging also counts as reading)
//   reminders:  receipts not acknowledged when ack_by has passed.
// Thread-safe: plain values and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"

namespace xietong::collab {

inline constexpr std::size_t kMaxDirectiveBodyChars = 20'000;
inline constexpr std::size_t kMaxTargetUnits = 200;

struct NewDirective {
  std::string title = {}, body = {};
  std::string from_unit_id = {};  // "" = the sender's first unit allowed to send
  std::vector<std::string> to_units = {};
  bool include_subtree = true;
  Timestamp ack_by = 0;  // 0 = no acknowledgement deadline
  // A retry with the same key (per sender) answers the first directive.
  std::string idempotency_key = {};
};

struct Directive {
  std::string id;
  std::string title, body;
  std::string from_unit_id, from_unit_name, from_unit_path;
  std::string sender_id, sender_name;
  std::vector<std::string> to_units;
  bool include_subtree = true;
  Timestamp ack_by = 0;
  Timestamp created_at = 0;
  std::int64_t recipients = 0;
};

// Checks title, body, targets and ack_by (after now, when given).
Result<void> ValidateDirective(const NewDirective& in, Timestamp now);

struct Receipt {
  std::string directive_id = {}, account_id = {}, display_name = {};
  // The unit through which the person received it.
  std::string unit_id = {}, unit_name = {}, unit_path = {};
  Timestamp received_at = 0, read_at = 0, acked_at = 0;
  std::string ack_note = {};
};

// The accounts a directive reaches (see above), in account id order.
// targets: the chosen units; candidates: accounts with a membership in their
// subtrees (more are fine: they are filtered here).
std::vector<Receipt> ResolveRecipients(std::span<const identity::OrgUnit> targets,
                                       bool include_subtree,
                                       std::span<const identity::Account> candidates,
                                       std::string_view sender_id);

// The sender's view, one row per unit through which people received it.
struct UnitReceipts {
  std::string unit_id, unit_name;
  std::int64_t recipients = 0, read = 0, acknowledged = 0;
};
struct ReceiptTable {
  std::vector<UnitReceipts> units;                    // by unit name
  std::vector<std::string> units_not_acknowledged;    // unit ids where someone has not yet
  std::vector<std::string> units_without_recipients;  // targets nobody could receive it in
  std::int64_t recipients = 0, read = 0, acknowledged = 0;
};
ReceiptTable Tabulate(std::span<const Receipt> receipts, std::span<const identity::OrgUnit> targets,
                      bool include_subtree);

// Whether the recipient should be reminded at now.
bool NeedsReminder(const Directive& d, const Receipt& r, Timestamp now);

}  // namespace xietong::collab
