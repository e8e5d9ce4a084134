#include "app/points_commands.h"

#include <fmt/core.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "app/cli_support.h"
#include "participation/statement.h"

namespace xietong::app {
namespace {

using identity::Principal;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::InvalidArgument(fmt::format("cannot read {}", path)));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool IsHexKey(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// The key as 64 hex characters, or a file holding them (`xietong audit public-key --out`).
Result<std::string> TrustedKey(const std::string& arg) {
  std::string key = arg;
  if (!IsHexKey(key)) {
    XT_ASSIGN_OR_RETURN(key, ReadFile(arg));
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  }
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!IsHexKey(key))
    return Fail(Error::InvalidArgument(
        "--public-key is 64 hex characters or a file holding them (xietong audit public-key)"));
  return key;
}

void VerifyStatementFile(const std::string& file, const std::string& key_arg) {
  const std::string key = OrExit(TrustedKey(key_arg));
  const std::string text = OrExit(ReadFile(file));
  const auto c = participation::VerifyStatement(text, key, SystemClock().Now());
  if (!c.valid) {
    fmt::print(stderr, "points statement does NOT verify: {}\n", c.problem);
    throw CLI::RuntimeError(3);
  }
  const auto& st = c.statement;
  auto str = [](const json::Json& o, const char* k) {
    auto it = o.find(k);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const json::Json none = json::Json::object();
  const auto& period = st.contains("period") ? st["period"] : none;
  const auto& level = st.contains("level") ? st["level"] : none;
  fmt::print("points statement {} verifies (Ed25519, key {}…)\n", c.statement_id,
             key.substr(0, 16));
  fmt::print("holder:      {} ({})\n", c.holder_name, c.holder);
  fmt::print("balance:     {}\n", c.balance);
  fmt::print("period:      {} – {}\n", str(period, "from"), str(period, "to"));
  fmt::print("level:       {}\n", str(level, "name"));
  fmt::print("valid until: {}\n", FormatRfc3339(c.valid_until));
}

int CheckLedger(const PlatformOptions& popts) {
  auto platform = Platform::Open(popts);
  if (!platform) return Report(platform.error());
  auto check = (*platform)->points().CheckLedger(Principal::System(), "");
  if (!check) return Report(check.error());
  fmt::print("points ledger: {} accounts, {} postings, balances sum to {}\n", check->accounts,
             check->postings, check->sum_of_balances);
  for (const auto& a : check->mismatched)
    fmt::print(stderr, "  - {}: its balance is not the sum of its entries\n", a);
  return check->sum_of_balances == 0 && check->mismatched.empty() ? 0 : 3;
}

}  // namespace

void RegisterPointsCommands(CLI::App& cli, PlatformOptions& popts,
                            const std::function<void(CLI::App*)>& add_common) {
  auto* points = cli.add_subcommand("points", "the points ledger (积分制)");
  points->require_subcommand(1);

  static std::string file, key;
  auto* verify = points->add_subcommand(
      "verify-statement",
      "check a signed points statement offline (no database); exit 0 when valid, 3 when not");
  verify->add_option("file", file, "the statement (GET /api/v1/points/statements/{id})")
      ->required()
      ->check(CLI::ExistingFile);
  verify->add_option("--public-key", key, "the trusted key: 64 hex characters or a file")
      ->required();
  verify->callback([] { VerifyStatementFile(file, key); });

  auto* check = points->add_subcommand(
      "check", "trial balance of the whole ledger; exit 0 when it balances, 3 when not");
  add_common(check);
  check->callback([&popts] {
    const int rc = CheckLedger(popts);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace xietong::app
