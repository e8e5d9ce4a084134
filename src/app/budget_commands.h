// `xietong budgets verify-tally FILE`: checks a closed participatory
// budget's proof — the JSON of GET /api/v1/budgets/{id}/proof — with nothing
// but that file (no database, no data directory): every event's hash is
// SHA-256(prev_hash ‖ canonical) and its canonical text is what the event
// says, and participation::CheckTally holds over the events (distinct
// casters within the window, one opened ballot per cast with distinct tags,
// each valid, the recomputed tally and selection equal the published ones).
// Exit 0 when it holds, 3 when not, 2 for a file that is not a proof.
#pragma once

#include <CLI/CLI.hpp>

namespace xietong::app {

void RegisterBudgetCommands(CLI::App& cli);

}  // namespace xietong::app
