// The points commands of the xietong binary (docs/plans/participation.md §6):
// `points verify-statement FILE --public-key HEX|FILE` checks a signed
// credit statement with nothing but the file and the key one trusts — it
// opens no database and no data directory — exiting 0 when it is valid
// (and printing the holder, balance, period, level and valid_until), 3 when
// it is not (with the reason) and 2 for bad input; `points check` runs the
// trial balance of the whole ledger over a data directory: exit 0 when every
// balance is the sum of its entries and all balances sum to 0, 3 otherwise.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "app/platform.h"

namespace xietong::app {

void RegisterPointsCommands(CLI::App& cli, PlatformOptions& popts,
                            const std::function<void(CLI::App*)>& add_common);

}  // namespace xietong::app
