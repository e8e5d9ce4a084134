// lifecycle::Decide — what one command does to a request, decided in one
// pure function: the new state, the deadline timers to set, the summonses
// created or reported, and the audit action with its payload. Every rule of
// the request lifecycle lives here or in lifecycle.h (which command fits
// which state): which units may receive a request, who summons (吹哨),
// what each command must carry, how an extension moves the deadline.
//
// The service authorizes (who may give the command, which summons is the
// caller's), loads what Decide needs into a Context, calls Decide, and
// commits the Transition in one transaction (RequestService::Commit), the
// same way for intake (Submit) and for every later command (Apply).
// Decide reads no clock and no database: tests give it everything.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "core/json.h"
#include "core/result.h"
#include "matters/matter.h"
#include "requests/directory.h"
#include "requests/lifecycle.h"
#include "requests/request.h"

namespace xietong::requests {

// A command and what it carries, as a client sends it.
struct CommandInput {
  Command command = Command::kSign;
  std::string idempotency_key;              // a repeated key returns the current state
  std::optional<std::int64_t> if_match;     // expected version
  std::string text;                         // handle note, reply, report
  std::vector<std::string> attachment_ids;  // reply: photos after handling, at most kMaxAttachments
  std::string reason;                       // return, transfer, extension, reopen, urge, close
  std::string unit_id;                      // dispatch override, transfer target
  std::string matter_id;                    // dispatch: (re)categorise
  std::string parent_id;                    // merge into
  int days = 0;                             // extension
  std::optional<bool> resolved;             // callback
  std::optional<Satisfaction> satisfaction;
  std::vector<std::string> department_ids;  // summon
  std::string summons_id;                   // report (optional when only one is pending)
};

namespace lifecycle {

// The city's settings the rules depend on (RequestOptions holds them).
struct Rules {
  double warn_fraction = 0.75;  // a warning when this share of a limit has passed
  matters::Limit summons_report_limit{8, matters::LimitUnit::kWorkingHours};
  int max_extension_days = 30;
};

// Everything Decide may look at besides the request and the command.
struct Context {
  Timestamp now = 0;
  const WorkCalendar& calendar;
  const Directory& directory;
  const Rules& rules;
  // dispatch, transfer, reopen: the category (chosen, or the request's own).
  const matters::Matter* matter = nullptr;
  std::span<const Summons> summonses = {};
  // report: the caller's pending summons (chosen when authorizing); null
  // when the caller's department has none.
  const Summons* reporting = nullptr;
  // merge: the request to merge into (null: no such request), and how many
  // requests are merged into this one already.
  const Request* merge_parent = nullptr;
  std::size_t merged_into_this = 0;
  std::string_view merge_field = "parent_id";  // how the error names it (intake: merge_into)
  // summon: who summons, and the ids of the new summonses.
  std::string actor_id = {};
  std::function<std::string()> next_id = {};
};

// The timers of a request whose kind starts with `prefix` become `timers`
// (kind, due); an empty list removes them.
struct TimerChange {
  std::string prefix;
  std::vector<std::pair<std::string, Timestamp>> timers;
};

struct Transition {
  Request after;           // the request as the command leaves it (version not yet bumped)
  bool unchanged = false;  // nothing to store (a repeated sign)
  std::vector<TimerChange> timers;
  std::vector<Summons> summoned;      // new summonses (their due timers are in `timers`)
  std::optional<Summons> reported;    // ctx.reporting as its report leaves it
  std::vector<std::string> attached;  // files to attach to the request (reply photos)
  std::string action;                 // the audit action, e.g. "request.signed"
  json::Json payload = json::Json::object();
  bool children_follow = false;  // requests merged into it copy its reply and closing
};

// The command applied to r, or the error a client should see:
// Conflict for a command that does not fit the state (naming what does),
// InvalidArgument for what the command lacks or names wrongly.
Result<Transition> Decide(const Request& r, const CommandInput& in, const Context& ctx);

// r dispatched to unit under matter at now: unit, category, deadlines and
// warnings from the matter's limits on the calendar, flags cleared.
Request Dispatched(Request r, const identity::OrgUnit& unit, const matters::Matter& matter,
                   Timestamp now, const WorkCalendar& calendar, const Rules& rules);

// The deadline timers of a dispatched request: sign (warning, due), finish.
std::vector<TimerChange> DeadlineTimers(const Request& r);

// The JSON an audit event keeps of a request's state change: number; from/to on a status
// change; unit_id/unit_name on a new unit; matter_id/from_matter_id on a new category.
json::Json Change(const Request& before, const Request& after);

}  // namespace lifecycle
}  // namespace xietong::requests
