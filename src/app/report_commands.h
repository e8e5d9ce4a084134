// The report command of the xietong binary: `report monthly --month yyyy-mm
// [--unit ID|CODE] --out FILE` writes the monthly report (接诉即办工作月报) of
// the city or one unit's subtree as a PDF or XLSX (by --format, else the
// file's extension), as the system, and prints
// "wrote report.pdf (8 pages, 412,331 bytes, 1.9 s)".
//
// RegisterReportCommands adds the subcommand to `cli`; it ends parsing with
// CLI::RuntimeError(code) when it fails (2 for bad input, 1 otherwise). Not
// thread-safe: call once, from main.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "app/platform.h"

namespace xietong::app {

void RegisterReportCommands(CLI::App& cli, PlatformOptions& popts,
                            const std::function<void(CLI::App*)>& add_common);

}  // namespace xietong::app
