#include "app/audit_commands.h"

#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app/cli_support.h"
#include "audit/evidence.h"
#include "http/request_handlers.h"

namespace xietong::app {
namespace {

struct ExportArgs {
  std::string from, to, out;
  std::int64_t first_seq = 0, last_seq = 0;
};

struct VerifyArgs {
  std::string file, public_key_file;
  int threads = 2;
};

// Writes to path + ".tmp" and renames it only when write succeeded, so that a
// failed command never leaves a partial file under the name asked for.
void WriteFile(const std::string& path, const std::function<Result<void>(std::ostream&)>& write) {
  const std::string tmp = path + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) Exit(Error::Unavailable(fmt::format("cannot create {}", tmp)));
  auto written = write(out);
  out.close();
  std::error_code ec;
  if (written && !out) written = Fail(Error::Unavailable(fmt::format("cannot write {}", tmp)));
  if (written) std::filesystem::rename(tmp, path, ec);
  if (written && ec)
    written = Fail(Error::Unavailable(fmt::format("cannot rename {}: {}", tmp, ec.message())));
  if (!written) {
    std::filesystem::remove(tmp, ec);
    Exit(written.error());
  }
}

audit::ExportRange Range(const ExportArgs& a) {
  audit::ExportRange range;
  if (!a.from.empty()) range.from = OrExit(http::ParseTimeParam("--from", a.from, false));
  if (!a.to.empty()) range.to = OrExit(http::ParseTimeParam("--to", a.to, true));
  if (a.first_seq > 0) range.first_seq = a.first_seq;
  if (a.last_seq > 0) range.last_seq = a.last_seq;
  return range;
}

void Export(const PlatformOptions& popts, const ExportArgs& a) {
  const audit::ExportRange range = Range(a);
  auto platform = OrExit(Platform::Open(popts));
  audit::ExportReport report;
  WriteFile(a.out, [&](std::ostream& out) -> Result<void> {
    XT_ASSIGN_OR_RETURN(report, audit::ExportEvidence(platform->db(), platform->key(),
                                                      platform->clock().Now(), range, out));
    return {};
  });
  if (report.events == 0) {
    fmt::print("no events in the range; wrote an empty package to {}\n", a.out);
    return;
  }
  const std::string signed_by =
      report.signed_seq > report.last_seq
          ? fmt::format(
                "with events {}–{} after them up to the checkpoint at event {} that signs "
                "them all",
                report.last_seq + 1, report.signed_seq, report.signed_seq)
          : fmt::format("signed by the checkpoint at event {}", report.signed_seq);
  fmt::print("exported events {}–{} to {}, {} ({} events, {} checkpoint(s), {} bytes)\n",
             report.first_seq, report.last_seq, a.out, signed_by, report.events, report.checkpoints,
             report.bytes);
}

void WritePublicKey(const PlatformOptions& popts, const std::string& path) {
  auto platform = OrExit(Platform::Open(popts));
  const std::string key = platform->key().PublicKeyHex();
  WriteFile(path, [&](std::ostream& out) -> Result<void> {
    out << key << '\n';
    return {};
  });
  fmt::print("wrote the instance's public key {} to {}\n", key, path);
}

// The first line of the key file that is not empty or a # comment, trimmed.
Result<std::string> ReadPublicKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Fail(Error::InvalidArgument(fmt::format("cannot read the key file {}", path)));
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    return line.substr(first, line.find_last_not_of(" \t\r") + 1 - first);
  }
  return Fail(Error::InvalidArgument(fmt::format("the key file {} holds no key", path)));
}

// Needs nothing but the two files: no Platform, no database, no data directory.
void VerifyExport(const VerifyArgs& a) {
  const std::string key = OrExit(ReadPublicKey(a.public_key_file));
  std::ifstream in(a.file, std::ios::binary);
  if (!in) Exit(Error::InvalidArgument(fmt::format("cannot read {}", a.file)));
  const auto start = std::chrono::steady_clock::now();
  const audit::EvidenceReport report = OrExit(audit::VerifyEvidence(in, key, a.threads));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!report.ok()) {
    if (report.first_bad_seq) {
      fmt::print(stderr, "evidence BROKEN at event {}: {}\n", *report.first_bad_seq,
                 report.problem);
    } else {
      fmt::print(stderr, "evidence BROKEN at line {}: {}\n", report.bad_line.value_or(0),
                 report.problem);
    }
    throw CLI::RuntimeError(3);
  }
  fmt::print("evidence intact: {} events, {} checkpoints verified in {:.2f} s ({:.0f} events/s)\n",
             report.events, report.checkpoints, secs,
             secs > 0 ? static_cast<double>(report.events) / secs : 0.0);
  if (report.events > 0)
    fmt::print("events {}–{}{}\n", report.first_seq, report.last_seq,
               report.tail_events > 0
                   ? fmt::format(" ({} of them after the requested range, up to the signed "
                                 "checkpoint)",
                                 report.tail_events)
                   : "");
}

}  // namespace

void RegisterAuditCommands(CLI::App& audit_cmd, PlatformOptions& popts,
                           const std::function<void(CLI::App*)>& add_common) {
  static ExportArgs export_args;
  auto* ex = audit_cmd.add_subcommand(
      "export", "write a signed evidence package of the chain, or of a range, to check offline");
  add_common(ex);
  ex->add_option("--from", export_args.from,
                 "events at or after this time: 2026-11-01 (the day's start, +08:00) or "
                 "2026-11-01T08:00:00+08:00");
  ex->add_option("--to", export_args.to,
                 "events before this time; a day means up to the end of that day");
  ex->add_option("--first-seq", export_args.first_seq, "events from this seq on")
      ->check(CLI::PositiveNumber);
  ex->add_option("--last-seq", export_args.last_seq, "events up to this seq")
      ->check(CLI::PositiveNumber);
  ex->add_option("--out", export_args.out, "the package to write (JSON Lines)")->required();
  ex->callback([&popts] { Export(popts, export_args); });

  static std::string public_key_out;
  auto* pk = audit_cmd.add_subcommand(
      "public-key", "write the instance's public key (hex) to a file, for verify-export");
  add_common(pk);
  pk->add_option("--out", public_key_out, "the file to write")->required();
  pk->callback([&popts] { WritePublicKey(popts, public_key_out); });

  static VerifyArgs verify_args;
  auto* ve = audit_cmd.add_subcommand(
      "verify-export",
      "check an evidence package with nothing but it and the public key; exit 0 when intact, "
      "3 when broken");
  ve->add_option("file", verify_args.file, "the package (from audit export)")
      ->required()
      ->check(CLI::ExistingFile);
  ve->add_option("--public-key", verify_args.public_key_file,
                 "the file holding the instance's public key (from audit public-key)")
      ->required()
      ->check(CLI::ExistingFile);
  ve->add_option("--threads", verify_args.threads, "worker threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  ve->callback([] { VerifyExport(verify_args); });
}

}  // namespace xietong::app
