// `xietong audit export`, `public-key` and `verify-export`, run as a user
// would: the real binary, a data directory, and a verification that has
// nothing but the package and the key file (every backend).
#include "app/audit_commands.h"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/audit_log.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AuditCommands : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    data_dir_ = storage::testing::MakeTempDir();
    empty_dir_ = storage::testing::MakeTempDir();
    auto p = Platform::Open(PlatformOptions{data_dir_, t_->url(), "", 2});
    ASSERT_TRUE(p) << p.error().message;
    public_key_ = (*p)->key().PublicKeyHex();
    // Six events an hour apart from 2026-11-01 10:00 (+08:00), after those
    // the platform may have recorded itself.
    const Timestamp ten = *ParseRfc3339("2026-11-01T10:00:00+08:00");
    auto first = (*p)->db().Write([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(std::int64_t before, audit::LastSeq(ex));
      for (int i = 0; i < 6; ++i)
        XT_TRY_VOID(audit::Append(ex, ten + i * kMicrosPerHour,
                                  {"system", "test.thing.update", "thing-1", {{"n", i}}}));
      return before + 1;
    });
    ASSERT_TRUE(first) << first.error().message;
    first_ = *first;
  }
  void TearDown() override {
    std::filesystem::remove_all(data_dir_);
    std::filesystem::remove_all(empty_dir_);
  }

  // Runs the binary in cwd, without the environment's data directory or database.
  Outcome Run(const std::string& cwd, const std::vector<std::string>& args) {
    std::string cmd = fmt::format("cd '{}' && env -u XIETONG_DATA_DIR -u XIETONG_DATABASE '{}'",
                                  cwd, XIETONG_BINARY);
    for (const auto& a : args) cmd += " '" + a + "'";
    const std::string out = data_dir_ + "/cmd.out", err = data_dir_ + "/cmd.err";
    cmd += fmt::format(" > '{}' 2> '{}'", out, err);
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadAll(out), ReadAll(err)};
  }

  Outcome Export(const std::string& file, std::vector<std::string> range = {}) {
    std::vector<std::string> args = {"audit",      "export",  "--data-dir", data_dir_,
                                     "--database", t_->url(), "--out",      file};
    args.insert(args.end(), range.begin(), range.end());
    return Run(data_dir_, args);
  }

  Outcome VerifyExport(const std::string& file, const std::string& key_file) {
    return Run(empty_dir_, {"audit", "verify-export", file, "--public-key", key_file});
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::string data_dir_, empty_dir_, public_key_;
  std::int64_t first_ = 0;  // the seq of the first of the six events
};

TEST_P(AuditCommands, ExportedPackageVerifiesWithNothingButTheKeyFile) {
  const std::string package = data_dir_ + "/all.jsonl", key = data_dir_ + "/instance.pub";
  auto exported = Export(package);
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_NE(exported.out.find(fmt::format("exported events 1–{} to {}, signed by the checkpoint "
                                          "at event {}",
                                          first_ + 5, package, first_ + 5)),
            std::string::npos)
      << exported.out;
  auto written = Run(data_dir_, {"audit", "public-key", "--data-dir", data_dir_, "--database",
                                 t_->url(), "--out", key});
  ASSERT_EQ(written.code, 0) << written.err;
  EXPECT_EQ(ReadAll(key), public_key_ + "\n");

  auto verified = VerifyExport(package, key);
  EXPECT_EQ(verified.code, 0) << verified.err;
  EXPECT_TRUE(verified.out.starts_with(
      fmt::format("evidence intact: {} events, 1 checkpoints verified in ", first_ + 5)))
      << verified.out;
  // It opened no data directory: the folder it ran in is still empty.
  EXPECT_TRUE(std::filesystem::is_empty(empty_dir_));
}

TEST_P(AuditCommands, TimeRangesExportOnlyTheirEventsAndTheTail) {
  const std::string key = data_dir_ + "/instance.pub";
  std::ofstream(key) << public_key_ << "\n";
  const std::string hours = data_dir_ + "/hours.jsonl";
  auto exported =
      Export(hours, {"--from", "2026-11-01T12:00:00+08:00", "--to", "2026-11-01T14:00:00+08:00"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_NE(exported.out.find(fmt::format("exported events {}–{} to {}, with events {}–{} after "
                                          "them up to the checkpoint at event {}",
                                          first_ + 2, first_ + 3, hours, first_ + 4, first_ + 5,
                                          first_ + 5)),
            std::string::npos)
      << exported.out;
  auto verified = VerifyExport(hours, key);
  EXPECT_EQ(verified.code, 0) << verified.err;
  EXPECT_NE(verified.out.find("evidence intact: 4 events"), std::string::npos) << verified.out;

  const std::string day = data_dir_ + "/day.jsonl";
  exported = Export(day, {"--from", "2026-11-01", "--to", "2026-11-01"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_NE(exported.out.find(fmt::format("exported events {}–{} ", first_, first_ + 5)),
            std::string::npos)
      << exported.out;
  EXPECT_EQ(VerifyExport(day, key).code, 0);

  exported = Export(day, {"--from", "November"});
  EXPECT_EQ(exported.code, 2);
  EXPECT_NE(exported.err.find("'--from' must be a time like"), std::string::npos) << exported.err;
}

TEST_P(AuditCommands, ChangedPackageOrWrongKeyExitsThree) {
  const std::string package = data_dir_ + "/all.jsonl", key = data_dir_ + "/instance.pub";
  std::ofstream(key) << public_key_ << "\n";
  ASSERT_EQ(Export(package).code, 0);
  ASSERT_EQ(VerifyExport(package, key).code, 0);

  std::string text = ReadAll(package);
  const auto at = text.find(fmt::format(R"("payload":{{"n":2}},"seq":{},)", first_ + 2));
  ASSERT_NE(at, std::string::npos) << text;
  text[at + 15] = '7';
  std::ofstream(package, std::ios::binary | std::ios::trunc) << text;
  auto broken = VerifyExport(package, key);
  EXPECT_EQ(broken.code, 3);
  EXPECT_TRUE(broken.err.starts_with(fmt::format("evidence BROKEN at event {}: ", first_ + 2)))
      << broken.err;

  ASSERT_EQ(Export(package).code, 0);
  const std::string other = data_dir_ + "/other.pub";
  std::ofstream(other) << std::string(64, 'a') << "\n";
  broken = VerifyExport(package, other);
  EXPECT_EQ(broken.code, 3);
  EXPECT_NE(broken.err.find("not by the given key"), std::string::npos) << broken.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditCommands, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::app
