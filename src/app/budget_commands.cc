#include "app/budget_commands.h"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "app/cli_support.h"
#include "participation/budget.h"

namespace xietong::app {
namespace {

Error NotAProof(std::string what) {
  return Error::InvalidArgument(fmt::format("not a budget proof: {}", what));
}

void VerifyTally(const std::string& path) {
  if (path.empty())
    Exit(
        Error::InvalidArgument("usage: xietong budgets verify-tally FILE (a budget's proof JSON)"));
  std::ifstream in(path, std::ios::binary);
  if (!in) Exit(Error::InvalidArgument(fmt::format("cannot read {}", path)));
  std::stringstream text;
  text << in.rdbuf();
  auto proof = json::Json::parse(text.str(), nullptr, false);
  if (proof.is_discarded()) Exit(NotAProof(fmt::format("{} is not JSON", path)));
  const participation::ProofCheck report = OrExit(participation::CheckProof(proof));
  if (!report.ok) {
    fmt::print(stderr, "budget tally does NOT hold ({} events, {} casts, {} ballots):\n",
               report.events, report.casts, report.ballots);
    for (const auto& p : report.problems) fmt::print(stderr, "  - {}\n", p);
    throw CLI::RuntimeError(3);
  }
  fmt::print("budget tally holds: {} events hash-checked, {} distinct voters, {} ballots counted\n",
             report.events, report.casts, report.ballots);
}

}  // namespace

void RegisterBudgetCommands(CLI::App& cli) {
  static std::string file;
  auto* budgets = cli.add_subcommand("budgets", "participatory budgets (参与式预算)");
  budgets->require_subcommand(1);
  auto* verify = budgets->add_subcommand(
      "verify-tally",
      "check a closed budget's proof (GET /api/v1/budgets/{id}/proof saved to a file) offline; "
      "exit 0 when the tally holds, 3 when it does not");
  // Not ->required(): a missing file is a usage error like an unreadable one (exit 2).
  verify->add_option("file", file, "the proof's JSON");
  verify->callback([] { VerifyTally(file); });
}

}  // namespace xietong::app
