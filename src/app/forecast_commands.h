// The forecast command of the xietong binary (docs/plans/decision-support.md §2.12):
// `forecast --horizon D [--data-dir DIR] [--backtest] [--no-store] [--top N] [--origins K]`
// runs a forecast over the data directory's requests (insight::ForecastService::Run). Without
// --backtest it stores the run (unless --no-store) and prints, per level-1 category, the next
// D days' total with its 80 % interval, its last line "run=<id> series=… mase_7d=…"; with
// --backtest it stores nothing (unless --store) and prints the backtest table, whose last line
// starts with "mase_7d=".
//
// RegisterForecastCommands adds the subcommand to `cli`; it ends parsing with
// CLI::RuntimeError(code) when it fails (2 for bad input, 1 otherwise). Not thread-safe: call
// once, from main.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "app/platform.h"

namespace xietong::app {

void RegisterForecastCommands(CLI::App& cli, PlatformOptions& popts,
                              const std::function<void(CLI::App*)>& add_common);

}  // namespace xietong::app
