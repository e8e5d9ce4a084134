// The workflow commands of the xietong binary: `workflow deploy FILE`
// validates and deploys a BPMN file (exit 2 with one `FILE:LINE: ELEMENT:
// reason` line per problem) and `workflow bench FILE` runs N instances to
// completion — the engine alone (--in-memory) or durably through the
// platform's database with built-in workers answering every job and task —
// and prints `instances/s=…` last. Commands run from their CLI11 callbacks
// and end with CLI::RuntimeError(code) when they fail. Call once, from main.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "app/platform.h"

namespace xietong::app {

void RegisterWorkflowCommands(CLI::App& cli, PlatformOptions& popts,
                              const std::function<void(CLI::App*)>& add_common);

}  // namespace xietong::app
