// The text commands of the xietong binary: `train` (one model, or k-fold
// cross-validation with --cv) and `classify` (an evaluation report with
// --label, else CSV predictions with the top three classes).
//
// RegisterTextCommands adds both subcommands to `cli`; each runs from its
// CLI11 callback and ends parsing with CLI::RuntimeError(code) when it fails,
// which CLI11_PARSE turns into the process exit code (2 for bad input, 1
// otherwise). Not thread-safe: call once, from main.
#pragma once

#include <CLI/CLI.hpp>

namespace xietong::app {

void RegisterTextCommands(CLI::App& cli);

}  // namespace xietong::app
