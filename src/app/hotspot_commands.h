// The hotspot command of the xietong binary: `hotspots` groups the messages
// of a CSV file by topic × place × time, prints the best-ranked groups and
// then compares them with the messages that the likes alone would rank first.
//
// RegisterHotspotCommands adds the subcommand to `cli`; it runs from its
// CLI11 callback and ends parsing with CLI::RuntimeError(code) when it fails
// (2 for bad input, 1 otherwise). Not thread-safe: call once, from main.
#pragma once

#include <CLI/CLI.hpp>

namespace xietong::app {

void RegisterHotspotCommands(CLI::App& cli);

}  // namespace xietong::app
