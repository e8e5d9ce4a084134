// The duplicate command of the xietong binary: `duplicates` indexes a CSV of
// messages, prints the groups of likely duplicates it finds and, with
// --plant N, plants N paraphrases and prints precision and recall last.
//
// RegisterDuplicateCommands adds the subcommand to `cli`; it runs from its
// CLI11 callback and ends parsing with CLI::RuntimeError(code) when it fails
// (2 for bad input, 1 otherwise). Not thread-safe: call once, from main.
#pragma once

#include <CLI/CLI.hpp>

namespace xietong::app {

void RegisterDuplicateCommands(CLI::App& cli);

}  // namespace xietong::app
