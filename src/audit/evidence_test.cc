// An evidence package verifies with nothing but the file and the public key,
// and every way of changing it after export is found and named.
#include "audit/evidence.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "storage/testing.h"

namespace xietong::audit {
namespace {

using storage::Executor;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// The index of the line that holds event seq.
std::size_t LineOf(const std::vector<std::string>& lines, std::int64_t seq) {
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find(fmt::format(",\"seq\":{},\"subject\"", seq)) != std::string::npos) return i;
  ADD_FAILURE() << "no line holds event " << seq;
  return 0;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

class Evidence : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplyMigrations(db(), Migrations(), 0));
    key_dir_ = storage::testing::MakeTempDir();
    auto key = SigningKey::LoadOrCreate(key_dir_ + "/keys/instance.key");
    ASSERT_TRUE(key) << key.error().message;
    key_.emplace(std::move(*key));
  }
  void TearDown() override { std::filesystem::remove_all(key_dir_); }

  storage::Database& db() { return t_->db(); }

  // n events at start, start + 1, …
  void AppendEvents(int n, Timestamp start) {
    auto r = db().Write([&](Executor& ex) -> Result<void> {
      for (int i = 0; i < n; ++i) {
        EventInput e{"acct-1",
                     "test.thing.update",
                     fmt::format("thing-{}", i % 5),
                     {{"n", i}, {"note", "处理完毕 \"ok\"\n"}}};
        XT_TRY_VOID(Append(ex, start + i, e));
      }
      return {};
    });
    ASSERT_TRUE(r) << r.error().message;
  }

  std::string Export(const ExportRange& range = {}, ExportReport* report = nullptr) {
    std::ostringstream out;
    auto r = ExportEvidence(db(), *key_, 9'000'000, range, out);
    EXPECT_TRUE(r) << r.error().message;
    if (r && report) *report = *r;
    return out.str();
  }

  EvidenceReport Verify(const std::string& package, int threads = 2, std::string public_key = {}) {
    std::istringstream in(package);
    auto r = VerifyEvidence(in, public_key.empty() ? key_->PublicKeyHex() : public_key, threads);
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(EvidenceReport{});
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  std::string key_dir_;
  std::optional<SigningKey> key_;
};

TEST_P(Evidence, WholeChainVerifies) {
  AppendEvents(30, 1'000'000);
  ASSERT_TRUE(Checkpoint(db(), *key_, 5));  // an intermediate checkpoint at 30
  AppendEvents(12, 2'000'000);
  ExportReport exported;
  const std::string package = Export({}, &exported);
  EXPECT_EQ(exported.events, 42);
  EXPECT_EQ(exported.first_seq, 1);
  EXPECT_EQ(exported.last_seq, 42);
  EXPECT_EQ(exported.signed_seq, 42);
  EXPECT_EQ(exported.checkpoints, 2);
  EXPECT_EQ(exported.bytes, static_cast<std::int64_t>(package.size()));
  auto lines = Lines(package);
  ASSERT_EQ(lines.size(), 1u + 42u + 2u);
  EXPECT_TRUE(lines[0].starts_with(R"({"format":"xietong-audit-evidence/1",)")) << lines[0];
  EXPECT_TRUE(Contains(lines[0], key_->PublicKeyHex()));
  EXPECT_TRUE(lines[1].starts_with(fmt::format(R"({{"prev_hash":"{}","hash":")", kGenesisHash)));
  EXPECT_TRUE(lines.back().starts_with(R"({"checkpoint":{"seq":42,)")) << lines.back();
  for (int threads : {1, 2, 3}) {
    auto report = Verify(package, threads);
    EXPECT_TRUE(report.ok()) << report.problem;
    EXPECT_EQ(report.events, 42);
    EXPECT_EQ(report.tail_events, 0);
    EXPECT_EQ(report.checkpoints, 2);
    EXPECT_EQ(report.first_seq, 1);
    EXPECT_EQ(report.last_seq, 42);
  }
}

TEST_P(Evidence, EventLinesCarryTheHashedBytesVerbatim) {
  AppendEvents(3, 1'000'000);
  auto events = db().Read([](Executor& ex) { return EventsAfter(ex, 0, "", 10); });
  ASSERT_TRUE(events);
  auto lines = Lines(Export());
  ASSERT_EQ(lines.size(), 1u + 3u + 1u);
  for (const Event& e : *events) {
    const std::string canonical = Canonical(e.seq, e.at, e.actor, e.action, e.subject, e.payload);
    EXPECT_TRUE(Contains(lines[e.seq], ",\"event\":" + canonical)) << lines[e.seq];
    EXPECT_EQ(ChainHash(e.prev_hash, canonical), e.hash);
  }
}

TEST_P(Evidence, RangeInTheMiddleCarriesOnlyTheTailToTheNextCheckpoint) {
  AppendEvents(20, 1'000'000);
  ASSERT_TRUE(Checkpoint(db(), *key_, 5));  // signs event 20
  AppendEvents(20, 2'000'000);              // the export signs event 40
  ExportReport exported;
  const std::string package =
      Export({.from = 1'000'005, .to = 1'000'010}, &exported);  // events 6 to 10
  EXPECT_EQ(exported.first_seq, 6);
  EXPECT_EQ(exported.last_seq, 10);
  EXPECT_EQ(exported.signed_seq, 20);
  EXPECT_EQ(exported.events, 15);
  EXPECT_EQ(exported.checkpoints, 1);
  auto lines = Lines(package);
  ASSERT_EQ(lines.size(), 1u + 15u + 1u);
  EXPECT_TRUE(Contains(lines[0], R"("first_seq":6,"last_seq":10,)")) << lines[0];
  EXPECT_TRUE(Contains(lines[0], R"("from":"1970-01-01T08:00:01.000005+08:00")")) << lines[0];
  EXPECT_EQ(LineOf(lines, 6), 1u);
  EXPECT_FALSE(Contains(lines[5], "\"tail\"")) << lines[5];                 // event 10
  EXPECT_TRUE(Contains(lines[6], ",\"tail\":true")) << lines[6];            // event 11
  EXPECT_TRUE(Contains(lines[15], ",\"checkpointed\":true")) << lines[15];  // event 20
  EXPECT_FALSE(Contains(package, ",\"seq\":5,"));
  EXPECT_FALSE(Contains(package, ",\"seq\":21,"));
  auto report = Verify(package);
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.events, 15);
  EXPECT_EQ(report.tail_events, 10);
  EXPECT_EQ(report.first_seq, 6);
  EXPECT_EQ(report.last_seq, 20);
}

TEST_P(Evidence, RangeBySeqEndingAtACheckpointNeedsNoTail) {
  AppendEvents(20, 1'000'000);
  ASSERT_TRUE(Checkpoint(db(), *key_, 5));
  AppendEvents(5, 2'000'000);
  ExportReport exported;
  const std::string package = Export({.first_seq = 11, .last_seq = 20}, &exported);
  EXPECT_EQ(exported.events, 10);
  EXPECT_EQ(exported.signed_seq, 20);
  auto report = Verify(package);
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.tail_events, 0);
}

TEST_P(Evidence, EmptyRangeAndEmptyChainVerifyAsNoEvents) {
  const std::string empty_chain = Export();
  EXPECT_EQ(Lines(empty_chain).size(), 1u);
  auto report = Verify(empty_chain);
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.events, 0);

  AppendEvents(10, 1'000'000);
  ExportReport exported;
  const std::string later = Export({.from = 5'000'000}, &exported);
  EXPECT_EQ(exported.events, 0);
  EXPECT_EQ(exported.first_seq, 0);
  EXPECT_TRUE(Contains(later, R"("first_seq":null,"last_seq":null)")) << later;
  report = Verify(later);
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.events, 0);
  EXPECT_EQ(report.checkpoints, 0);
}

TEST_P(Evidence, InvertedRangeIsRefused) {
  std::ostringstream out;
  auto r = ExportEvidence(db(), *key_, 9'000'000, {.from = 10, .to = 5}, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(Evidence, ChangedByteInAPayloadNamesTheEvent) {
  AppendEvents(20, 1'000'000);
  auto lines = Lines(Export());
  auto& line = lines[LineOf(lines, 7)];
  const auto at = line.find(R"("n":6,)");
  ASSERT_NE(at, std::string::npos) << line;
  line[at + 4] = '9';
  auto report = Verify(Join(lines));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 7);
  EXPECT_TRUE(Contains(report.problem, "event 7 does not match its hash")) << report.problem;
}

TEST_P(Evidence, ChangedTimeNamesTheEvent) {
  AppendEvents(20, 1'000'000);
  auto lines = Lines(Export());
  auto& line = lines[LineOf(lines, 12)];
  const auto at = line.find(R"("at":1000011,)");
  ASSERT_NE(at, std::string::npos) << line;
  line.replace(at, 13, R"("at":1000012,)");
  auto report = Verify(Join(lines));
  EXPECT_EQ(report.first_bad_seq, 12) << report.problem;
}

TEST_P(Evidence, RemovedLineNamesTheGap) {
  AppendEvents(20, 1'000'000);
  auto lines = Lines(Export());
  lines.erase(lines.begin() + static_cast<long>(LineOf(lines, 9)));
  auto report = Verify(Join(lines));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 9);
  EXPECT_TRUE(Contains(report.problem, "event 9 is missing")) << report.problem;
}

TEST_P(Evidence, RemovedFirstLineIsFoundByTheSignedHeader) {
  AppendEvents(20, 1'000'000);
  auto lines = Lines(Export({.first_seq = 5}));
  lines.erase(lines.begin() + 1);  // event 5
  auto report = Verify(Join(lines));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 5);
  EXPECT_TRUE(Contains(report.problem, "begins at event 6")) << report.problem;
}

TEST_P(Evidence, ChangedHeaderRangeIsFound) {
  AppendEvents(20, 1'000'000);
  auto lines = Lines(Export({.first_seq = 5}));
  const auto at = lines[0].find(R"("first_seq":5,)");
  ASSERT_NE(at, std::string::npos) << lines[0];
  lines[0].replace(at, 14, R"("first_seq":6,)");
  lines.erase(lines.begin() + 1);  // and event 5 with it
  auto report = Verify(Join(lines));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.bad_line, 1);
  EXPECT_TRUE(Contains(report.problem, "signature is invalid")) << report.problem;
}

TEST_P(Evidence, ReorderedLinesAreNamed) {
  AppendEvents(20, 1'000'000);
  auto lines = Lines(Export());
  std::swap(lines[LineOf(lines, 10)], lines[LineOf(lines, 11)]);
  auto report = Verify(Join(lines));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 10) << report.problem;
}

TEST_P(Evidence, TruncatedPackageIsNamed) {
  AppendEvents(20, 1'000'000);
  const std::string package = Export();
  auto lines = Lines(package);
  lines.resize(1 + 12);  // the header and events 1 to 12: no checkpoint covers them
  auto report = Verify(Join(lines));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 12);
  EXPECT_TRUE(Contains(report.problem, "truncated: event 12 is not covered by a signed checkpoint"))
      << report.problem;

  // Cut in the middle of a line.
  report = Verify(package.substr(0, package.size() / 2));
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(Contains(report.problem, "truncated")) << report.problem;
  EXPECT_TRUE(report.bad_line.has_value());
}

TEST_P(Evidence, DroppingTheLastEventsAndTheirCheckpointIsFound) {
  AppendEvents(20, 1'000'000);
  ASSERT_TRUE(Checkpoint(db(), *key_, 5));  // signs event 20
  AppendEvents(10, 2'000'000);
  auto lines = Lines(Export());
  // Keep events 1 to 20 and the checkpoint at 20, which still verify on their
  // own; the signed header announces 30.
  std::vector<std::string> kept(lines.begin(), lines.begin() + 21);
  kept.push_back(lines[lines.size() - 2]);
  ASSERT_TRUE(kept.back().starts_with(R"({"checkpoint":{"seq":20,)")) << kept.back();
  auto report = Verify(Join(kept));
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(Contains(report.problem, "ends at event 20, before event 30")) << report.problem;
}

TEST_P(Evidence, WrongPublicKeyFails) {
  AppendEvents(5, 1'000'000);
  const std::string package = Export();
  auto other = SigningKey::LoadOrCreate(key_dir_ + "/other.key");
  ASSERT_TRUE(other);
  auto report = Verify(package, 2, other->PublicKeyHex());
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(Contains(report.problem, "not by the given key")) << report.problem;

  std::istringstream in(package);
  auto bad_key = VerifyEvidence(in, "not-a-key", 2);
  ASSERT_FALSE(bad_key);
  EXPECT_EQ(bad_key.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(Evidence, ForgedCheckpointSignatureIsNamed) {
  AppendEvents(10, 1'000'000);
  auto lines = Lines(Export());
  auto& checkpoint = lines.back();
  const auto at = checkpoint.find(R"("signature":")");
  ASSERT_NE(at, std::string::npos);
  char& c = checkpoint[at + 13];
  c = c == '0' ? '1' : '0';
  auto report = Verify(Join(lines));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 10);
  EXPECT_TRUE(Contains(report.problem, "checkpoint at event 10 has an invalid signature"))
      << report.problem;
}

TEST_P(Evidence, CheckpointByAnotherKeyIsNamed) {
  AppendEvents(10, 1'000'000);
  auto lines = Lines(Export());
  auto other = SigningKey::LoadOrCreate(key_dir_ + "/other.key");
  ASSERT_TRUE(other);
  auto& checkpoint = lines.back();
  const auto at = checkpoint.find(key_->PublicKeyHex());
  ASSERT_NE(at, std::string::npos);
  checkpoint.replace(at, 64, other->PublicKeyHex());
  auto report = Verify(Join(lines));
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(Contains(report.problem, "checkpoint at event 10 is not signed by the given key"))
      << report.problem;
}

TEST_P(Evidence, ConsistentRewriteIsCaughtByTheCheckpoint) {
  AppendEvents(10, 1'000'000);
  auto lines = Lines(Export());
  // Change event 4 and re-hash every event after it, so that every link
  // checks out again: only the signed checkpoint can tell.
  std::string prev;
  for (std::int64_t seq = 1; seq <= 10; ++seq) {
    auto& line = lines[LineOf(lines, seq)];
    const auto event_at = line.find(",\"event\":") + 9;
    const auto event_end = line.find(",\"checkpointed\"") != std::string::npos
                               ? line.find(",\"checkpointed\"")
                               : line.size() - 1;
    std::string event = line.substr(event_at, event_end - event_at);
    if (seq == 1) prev = line.substr(14, 64);
    if (seq == 4) event.replace(event.find(R"("n":3,)"), 6, R"("n":7,)");
    const std::string hash = ChainHash(prev, event);
    line = fmt::format(R"({{"prev_hash":"{}","hash":"{}","event":{}{}}})", prev, hash, event,
                       seq == 10 ? ",\"checkpointed\":true" : "");
    prev = hash;
  }
  auto report = Verify(Join(lines));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_bad_seq, 10);
  EXPECT_TRUE(Contains(report.problem, "differs from what the checkpoint signed"))
      << report.problem;
}

TEST_P(Evidence, MalformedInputIsAReportNotACrash) {
  AppendEvents(5, 1'000'000);
  auto lines = Lines(Export());
  struct Case {
    std::string name, text, problem;
  };
  const std::string header = lines[0] + "\n";
  const std::vector<Case> cases = {
      {"empty file", "", "the package is empty"},
      {"blank file", "\n\n", "the package is empty"},
      {"not JSON", "this is not an evidence package\n", "line 1 is not an evidence header"},
      {"binary", std::string("\x89PNG\r\n\x1a\n\0\0\0", 11), "line 1 is not an evidence header"},
      {"JSON but not a header", "[1,2,3]\n", "line 1 is not an evidence header"},
      {"another format",
       R"({"format":"other/2"})"
       "\n",
       "format is 'other/2'"},
      {"garbage line", header + lines[1] + "\n{\"event\":\n" + lines[2] + "\n",
       "line 3 is not a valid evidence line"},
      {"not an object", header + "42\n", "line 2 is not a valid evidence line"},
      {"unknown field",
       header + R"({"prev_hash":"a","hash":"b","event":{},"x":1})"
                "\n",
       "line 2 is not a valid evidence line"},
      {"missing hash",
       header + R"({"prev_hash":"a","event":{"seq":1}})"
                "\n",
       "line 2 is not a valid evidence line"},
      {"event without seq",
       header + R"({"prev_hash":"a","hash":"b","event":{"at":1}})"
                "\n",
       "line 2 is not a valid evidence line"},
      {"wrong types",
       header + R"({"prev_hash":1,"hash":"b","event":{"seq":1}})"
                "\n",
       "line 2 is not a valid evidence line"},
      {"trailing bytes", header + lines[1] + " x\n", "line 2 is not a valid evidence line"},
      {"invalid UTF-8", header + lines[1].substr(0, 30) + "\xff\xfe" + lines[1].substr(30) + "\n",
       "line 2 is not a valid evidence line"},
      {"huge line", header + std::string(kMaxEvidenceLineBytes + 10, 'x') + "\n",
       "line 2 is not a valid evidence line (it is longer than"},
      {"huge line without end",
       header + lines[1] + "\n" + std::string(kMaxEvidenceLineBytes + 10, '['),
       "line 3 is not a valid evidence line (it is longer than"},
      {"huge header", std::string(kMaxEvidenceLineBytes + 10, '{'), "line 1 is not a valid"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto report = Verify(c.text);
    EXPECT_FALSE(report.ok());
    EXPECT_TRUE(Contains(report.problem, c.problem)) << report.problem;
    EXPECT_TRUE(report.bad_line.has_value());
  }
}

TEST_P(Evidence, BlankLinesAndCrlfAreHarmless) {
  AppendEvents(5, 1'000'000);
  auto lines = Lines(Export());
  std::string text;
  for (const auto& l : lines) text += l + "\r\n\n";
  auto report = Verify(text);
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.events, 5);
}

// A package of a few megabytes is read in several blocks, which the workers
// check apart: a change at or near a seam between them is still named.
TEST_P(Evidence, ChangesAtTheSeamsBetweenBlocksAreNamed) {
  AppendEvents(8000, 1'000'000);
  const std::string package = Export();
  ASSERT_GT(package.size(), 2u << 20);
  for (int threads : {1, 2, 4}) {
    auto report = Verify(package, threads);
    EXPECT_TRUE(report.ok()) << report.problem;
    EXPECT_EQ(report.events, 8000);
  }
  auto lines = Lines(package);
  // The line that ends the first block and the one that starts the next.
  std::size_t offset = 0, seam = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    offset += lines[i].size() + 1;
    if (offset > (1u << 20)) {
      seam = i;
      break;
    }
  }
  ASSERT_GT(seam, 0u);
  for (std::size_t drop : {seam - 1, seam, seam + 1}) {
    SCOPED_TRACE(drop);
    auto changed = lines;
    changed.erase(changed.begin() + static_cast<long>(drop));
    auto report = Verify(Join(changed), 2);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.first_bad_seq, static_cast<std::int64_t>(drop)) << report.problem;
    EXPECT_TRUE(Contains(report.problem, "missing")) << report.problem;
  }
  auto swapped = lines;
  std::swap(swapped[seam - 1], swapped[seam]);
  auto report = Verify(Join(swapped), 2);
  EXPECT_EQ(report.first_bad_seq, static_cast<std::int64_t>(seam - 1)) << report.problem;
}

INSTANTIATE_TEST_SUITE_P(Backends, Evidence, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::audit
