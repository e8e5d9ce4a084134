#include "requests/lifecycle.h"

#include <fmt/format.h>

#include <array>

namespace xietong::requests {
namespace {

constexpr std::array kCommands = {
    Command::kDispatch,         Command::kSign,
    Command::kHandle,           Command::kReply,
    Command::kRequestReturn,    Command::kApproveReturn,
    Command::kRejectReturn,     Command::kTransfer,
    Command::kRequestExtension, Command::kApproveExtension,
    Command::kRejectExtension,  Command::kMerge,
    Command::kCallback,         Command::kClose,
    Command::kReopen,           Command::kSummon,
    Command::kReport,           Command::kUrge,
};

bool Handling(Status s) { return s == Status::kSigned || s == Status::kHandling; }
bool AtUnit(Status s) { return s == Status::kDispatched || Handling(s); }

// Whether c fits r at now, ignoring authority.
bool Fits(const Request& r, Command c, Timestamp now) {
  const Status s = r.status;
  switch (c) {
    case Command::kDispatch:
      return s == Status::kReceived;
    case Command::kSign:
      return s == Status::kDispatched && !r.return_requested;
    case Command::kHandle:
    case Command::kReply:
      return Handling(s) && !r.return_requested;
    case Command::kRequestReturn:
      return (s == Status::kDispatched || s == Status::kSigned) && !r.return_requested &&
             now < r.return_until;
    case Command::kApproveReturn:
    case Command::kRejectReturn:
      return AtUnit(s) && r.return_requested;
    case Command::kTransfer:
      return AtUnit(s);
    case Command::kRequestExtension:
      return Handling(s) && r.extension_days == 0;
    case Command::kApproveExtension:
    case Command::kRejectExtension:
      return Handling(s) && r.extension_days > 0;
    case Command::kMerge:
      return s == Status::kReceived || AtUnit(s);
    case Command::kCallback:
      return s == Status::kReplied;
    case Command::kClose:
      return s == Status::kReplied || s == Status::kCallback;
    case Command::kReopen:
      return s == Status::kCallback || s == Status::kClosed;
    case Command::kSummon:
      return Handling(s);
    case Command::kReport:
      return IsOpen(s);
    case Command::kUrge:
      return IsOpen(s) && s != Status::kReplied;
  }
  return false;
}

}  // namespace

std::string_view CommandName(Command c) {
  switch (c) {
    case Command::kDispatch:
      return "dispatch";
    case Command::kSign:
      return "sign";
    case Command::kHandle:
      return "handle";
    case Command::kReply:
      return "reply";
    case Command::kRequestReturn:
      return "request_return";
    case Command::kApproveReturn:
      return "approve_return";
    case Command::kRejectReturn:
      return "reject_return";
    case Command::kTransfer:
      return "transfer";
    case Command::kRequestExtension:
      return "request_extension";
    case Command::kApproveExtension:
      return "approve_extension";
    case Command::kRejectExtension:
      return "reject_extension";
    case Command::kMerge:
      return "merge";
    case Command::kCallback:
      return "callback";
    case Command::kClose:
      return "close";
    case Command::kReopen:
      return "reopen";
    case Command::kSummon:
      return "summon";
    case Command::kReport:
      return "report";
    case Command::kUrge:
      return "urge";
  }
  return "unknown";
}

Result<Command> ParseCommand(std::string_view s) {
  for (Command c : kCommands)
    if (CommandName(c) == s) return c;
  return Fail(Error::InvalidArgument(fmt::format("unknown command '{}'", s)));
}

std::span<const Command> AllCommands() { return kCommands; }

Authority AuthorityFor(Command c) {
  switch (c) {
    case Command::kSign:
    case Command::kHandle:
    case Command::kReply:
    case Command::kRequestReturn:
    case Command::kRequestExtension:
    case Command::kSummon:
      return Authority::kUnit;
    case Command::kApproveExtension:
    case Command::kRejectExtension:
    case Command::kUrge:
      return Authority::kSupervisor;
    case Command::kReport:
      return Authority::kSummoned;
    case Command::kDispatch:
    case Command::kApproveReturn:
    case Command::kRejectReturn:
    case Command::kTransfer:
    case Command::kMerge:
    case Command::kCallback:
    case Command::kClose:
    case Command::kReopen:
      return Authority::kCentre;
  }
  return Authority::kCentre;
}

std::vector<Command> Allowed(const Request& r, Timestamp now) {
  std::vector<Command> out;
  for (Command c : kCommands)
    if (Fits(r, c, now)) out.push_back(c);
  return out;
}

Result<void> Check(const Request& r, Command c, Timestamp now) {
  if (Fits(r, c, now)) return {};
  std::string allowed;
  for (Command a : Allowed(r, now)) {
    if (!allowed.empty()) allowed += ", ";
    allowed += CommandName(a);
  }
  std::string why;
  if (c == Command::kRequestReturn &&
      (r.status == Status::kDispatched || r.status == Status::kSigned) && !r.return_requested &&
      now >= r.return_until)
    why = " (the return window has passed)";
  else if (r.return_requested &&
           (c == Command::kSign || c == Command::kHandle || c == Command::kReply))
    why = " (a return is waiting for the centre's decision)";
  else if (c == Command::kRequestExtension && r.extension_days > 0)
    why = " (an extension is already waiting for a supervisor)";
  return Fail(Error::Conflict(fmt::format("cannot {} a request that is {}{}; allowed now: {}",
                                          CommandName(c), StatusName(r.status), why,
                                          allowed.empty() ? "nothing" : allowed)));
}

Status NextStatus(const Request& r, Command c, bool dissatisfied) {
  switch (c) {
    case Command::kDispatch:
    case Command::kTransfer:
    case Command::kReopen:
      return Status::kDispatched;
    case Command::kSign:
      return Status::kSigned;
    case Command::kHandle:
      return Status::kHandling;
    case Command::kReply:
      return Status::kReplied;
    case Command::kApproveReturn:
      return Status::kReceived;
    case Command::kMerge:
      return Status::kMerged;
    case Command::kCallback:
      return dissatisfied ? Status::kCallback : Status::kClosed;
    case Command::kClose:
      return Status::kClosed;
    default:
      return r.status;
  }
}

}  // namespace xietong::requests
