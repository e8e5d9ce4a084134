// The request state machine: which command may move a request from which
// state, and on whose authority. Pure; the service asks Check() before it
// changes anything and answers 409 with the allowed commands when it fails.
//
//   received ──dispatch──▶ dispatched ──sign──▶ signed ──handle──▶ handling
//      ▲                    │   ▲                 │                   │
//      └─approve_return─────┘   └──transfer───────┴──────reply────────┤
//                                                                     ▼
//   closed ◀──close── callback ◀──callback(dissatisfied)────────── replied
//     ▲ │               │                                             │
//     │ └──reopen──▶ dispatched ◀──reopen──┘      callback(satisfied)─┘─▶ closed
//
// Flags that do not change the status: a pending return (退单, asked by the
// unit within the return window, decided by the centre), a pending extension
// (asked by the unit, decided by a supervisor), summonses (吹哨报到), urging (催办).
// A request merged into another (merge) follows its parent: the parent's
// reply and closing are copied to it.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "requests/request.h"

namespace xietong::requests {

enum class Command {
  kDispatch,
  kSign,
  kHandle,
  kReply,
  kRequestReturn,
  kApproveReturn,
  kRejectReturn,
  kTransfer,
  kRequestExtension,
  kApproveExtension,
  kRejectExtension,
  kMerge,
  kCallback,
  kClose,
  kReopen,
  kSummon,
  kReport,
  kUrge,
};
std::string_view CommandName(Command c);  // "dispatch", "request_return", …
Result<Command> ParseCommand(std::string_view s);
std::span<const Command> AllCommands();

// Whose authority a command needs; the service maps it to identity::Can.
enum class Authority {
  kCentre,      // an operator or supervisor of the receiving centre (kRequestDispatch)
  kUnit,        // a handler or lead of the handling unit's subtree (kRequestHandle)
  kSupervisor,  // a supervisor of the centre (kRequestSupervise)
  kSummoned,    // a handler of a summoned department (kRequestHandle there)
};
Authority AuthorityFor(Command c);

// Whether the command fits the request's state at `now` (the return window
// is time-bound). Error::Conflict otherwise, naming the current status and
// the commands allowed now, e.g. "cannot sign a request that is replied;
// allowed now: callback, close, urge".
Result<void> Check(const Request& r, Command c, Timestamp now);
// The commands Check accepts now (whoever may give them).
std::vector<Command> Allowed(const Request& r, Timestamp now);

// The status a command leads to (callback: closed unless dissatisfied).
Status NextStatus(const Request& r, Command c, bool dissatisfied = false);

}  // namespace xietong::requests
