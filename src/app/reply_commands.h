// The reply-quality command of the xietong binary: `replies` scores every
// reply of a CSV of messages and replies (text/reply_quality.h) for relevance,
// completeness and timeliness, prints the distribution of each score, how
// well relevance tells a message's own reply from another message's (AUC),
// and the worst replies; --out writes one row per message as CSV.
//
// RegisterReplyCommands adds the subcommand to `cli`; it runs from its CLI11
// callback and ends with the exit status of cli_support.h (2 for bad input,
// 1 otherwise). Not thread-safe: call once, from main.
#pragma once

#include <CLI/CLI.hpp>

namespace xietong::app {

void RegisterReplyCommands(CLI::App& cli);

}  // namespace xietong::app
