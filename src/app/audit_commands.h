// The evidence commands of the xietong binary, beside `audit verify` and
// `audit checkpoint`: `audit export` writes a signed evidence package of the
// chain or of a time or seq range (audit/evidence.h), `audit public-key`
// writes the instance's public key to a file, and `audit verify-export FILE
// --public-key FILE` checks a package with nothing but those two files — it
// opens no database and no data directory — exiting 0 when the evidence is
// intact and 3 when it is broken. Commands run from their CLI11 callbacks and
// end with CLI::RuntimeError(code) when they fail. Call once, from main.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "app/platform.h"

namespace xietong::app {

void RegisterAuditCommands(CLI::App& audit_cmd, PlatformOptions& popts,
                           const std::function<void(CLI::App*)>& add_common);

}  // namespace xietong::app
