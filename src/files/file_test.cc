// Upload checks (no I/O) and FileService against real databases (every backend).
#include "files/file_service.h"

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "core/json.h"
#include "files/file_store.h"
#include "storage/testing.h"

namespace xietong::files {
namespace {

using namespace std::string_literals;

const std::string kJpeg = "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 photo bytes"s;
const std::string kPng = "\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR"s;
const std::string kWebp = "RIFF\x24\x00\x00\x00WEBPVP8 "s;
const std::string kHeic =
    "\x00\x00\x00\x18"
    "ftypheic\x00\x00\x00\x00mif1"s;

TEST(SniffImageType, KnowsThePhotoTypesByTheirBytes) {
  EXPECT_EQ(SniffImageType(kJpeg), "image/jpeg");
  EXPECT_EQ(SniffImageType(kPng), "image/png");
  EXPECT_EQ(SniffImageType(kWebp), "image/webp");
  EXPECT_EQ(SniffImageType(kHeic), "image/heic");
  EXPECT_EQ(SniffImageType("GIF89a......"), std::nullopt);
  EXPECT_EQ(SniffImageType("%PDF-1.7"), std::nullopt);
  EXPECT_EQ(SniffImageType("\xFF\xD8"s), std::nullopt);  // cut short
  EXPECT_EQ(SniffImageType("RIFF\x24\x00\x00\x00WAVEfmt "s), std::nullopt);
}

TEST(SniffType, AddsPdfDocumentsToThePhotos) {
  EXPECT_EQ(SniffType(kPng), "image/png");
  EXPECT_EQ(SniffType("%PDF-1.7\n"), "application/pdf");
  EXPECT_EQ(SniffType("%PD"), std::nullopt);
  EXPECT_EQ(SniffType("<html>%PDF-"), std::nullopt);
  EXPECT_TRUE(IsImage("image/heic"));
  EXPECT_FALSE(IsImage("application/pdf"));
}

TEST(CheckUpload, AcceptsAPhotoWhoseDeclaredTypeAgrees) {
  EXPECT_EQ(CheckUpload("image/jpeg", kJpeg).value(), "image/jpeg");
  EXPECT_EQ(CheckUpload("IMAGE/PNG; charset=binary", kPng).value(), "image/png");
  EXPECT_EQ(CheckUpload("", kWebp).value(), "image/webp");
  EXPECT_EQ(CheckUpload("application/octet-stream", kHeic).value(), "image/heic");
  EXPECT_EQ(CheckUpload("image/jpg", kJpeg).value(), "image/jpeg");
}

TEST(CheckUpload, RefusesWhatIsNotAnAcceptedPhoto) {
  auto empty = CheckUpload("image/jpeg", "");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);

  auto pdf = CheckUpload("image/jpeg", "%PDF-1.7 pretending");
  ASSERT_FALSE(pdf);
  EXPECT_EQ(pdf.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(pdf.error().message.find("application/pdf"), std::string::npos);
  EXPECT_EQ(CheckUpload("application/pdf", "%PDF-1.7\n").value(), "application/pdf");

  auto gif = CheckUpload("", "GIF89a......");
  ASSERT_FALSE(gif);
  EXPECT_NE(gif.error().message.find("JPEG, PNG, WebP or HEIC"), std::string::npos);

  auto lying = CheckUpload("image/png", kJpeg);
  ASSERT_FALSE(lying);
  EXPECT_NE(lying.error().message.find("image/jpeg"), std::string::npos);

  std::string big = kJpeg + std::string(kMaxFileBytes, 'x');
  auto large = CheckUpload("image/jpeg", big);
  ASSERT_FALSE(large);
  EXPECT_EQ(large.error().code, ErrorCode::kTooLarge);
  std::string just_fits = kJpeg + std::string(kMaxFileBytes - kJpeg.size(), 'x');
  EXPECT_TRUE(CheckUpload("image/jpeg", just_fits));
}

identity::Principal Someone(std::string id) {
  identity::Principal p;
  p.account_id = std::move(id);
  p.username = p.account_id;
  p.kind = identity::AccountKind::kResident;
  return p;
}

class FileServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(db(), {&Schema()}, 0));
    service_ = std::make_unique<FileService>(db(), clock_, ids_);
  }
  storage::Database& db() { return t_->db(); }
  Result<void> AttachAs(std::string uploader, std::vector<std::string> ids, std::string subject) {
    return db().Write([&](storage::Executor& ex) -> Result<void> {
      XT_TRY_VOID(Attach(ex, uploader, ids, subject));
      return {};
    });
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{1'763'000'000'000'000};
  IdGenerator ids_{clock_};
  std::unique_ptr<FileService> service_;
};

TEST_P(FileServiceTest, StoresEveryByteAndReadsItBackAfterARestart) {
  std::string bytes = kPng;
  for (int i = 0; i < 256 * 40; ++i) bytes.push_back(static_cast<char>(i % 256));  // NULs too
  auto up = service_->Upload(Someone("res-1"), "image/png", bytes);
  ASSERT_TRUE(up) << up.error().message;
  EXPECT_EQ(up->content_type, "image/png");
  EXPECT_EQ(up->size, static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(up->sha256.size(), 64u);
  EXPECT_TRUE(up->subject_id.empty());

  t_->Reopen();
  service_ = std::make_unique<FileService>(db(), clock_, ids_);
  auto back = service_->Read(up->id);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->bytes, bytes);
  EXPECT_EQ(back->info.sha256, up->sha256);
  EXPECT_EQ(back->info.uploader_id, "res-1");

  auto events = db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, up->id); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().action, "file.upload");

  auto missing = service_->Read("no-such-file");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(FileServiceTest, ARefusedUploadStoresNothing) {
  ASSERT_FALSE(service_->Upload(Someone("res-1"), "image/jpeg", "not a photo"));
  auto n = db().Read([](storage::Executor& ex) { return store::CountUnattached(ex, "res-1"); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
}

TEST_P(FileServiceTest, OnlyTheUploaderAttachesAFileAndOnlyOnce) {
  auto a = service_->Upload(Someone("res-1"), "image/jpeg", kJpeg);
  auto b = service_->Upload(Someone("res-1"), "image/png", kPng);
  ASSERT_TRUE(a && b);

  auto stranger = AttachAs("res-2", {a->id}, "req-1");
  ASSERT_FALSE(stranger);
  EXPECT_NE(stranger.error().message.find(a->id), std::string::npos);

  auto twice = AttachAs("res-1", {a->id, a->id}, "req-1");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("twice"), std::string::npos);

  auto unknown = AttachAs("res-1", {a->id, "nope"}, "req-1");
  ASSERT_FALSE(unknown);
  // The failed call attached nothing: a was rolled back with it.
  auto still_free = db().Read([&](storage::Executor& ex) { return store::FindInfo(ex, a->id); });
  ASSERT_TRUE(still_free && *still_free);
  EXPECT_TRUE((*still_free)->subject_id.empty());

  ASSERT_TRUE(AttachAs("res-1", {a->id, b->id}, "req-1"));
  auto again = AttachAs("res-1", {b->id}, "req-2");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  auto read = service_->Read(b->id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->info.subject_id, "req-1");
}

TEST_P(FileServiceTest, APdfAttachesOnlyWhereDocumentsAreAccepted) {
  auto pdf = service_->Upload(Someone("res-1"), "application/pdf", "%PDF-1.7\n%%EOF");
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(pdf->content_type, "application/pdf");
  auto to_request = AttachAs("res-1", {pdf->id}, "req-1");
  ASSERT_FALSE(to_request);
  EXPECT_NE(to_request.error().message.find("only photos"), std::string::npos);
  auto to_application = db().Write([&](storage::Executor& ex) {
    return Attach(ex, "res-1", std::vector{pdf->id}, "app-1", Accept::kImagesAndPdf);
  });
  ASSERT_TRUE(to_application) << to_application.error().message;
  ASSERT_EQ(to_application->size(), 1u);
  EXPECT_EQ(to_application->front().content_type, "application/pdf");
  EXPECT_EQ(to_application->front().subject_id, "app-1");
  EXPECT_EQ(service_->Read(pdf->id)->info.subject_id, "app-1");
}

TEST_P(FileServiceTest, LimitsPhotosWaitingToBeAttached) {
  for (int i = 0; i < kMaxUnattachedPerAccount; ++i)
    ASSERT_TRUE(service_->Upload(Someone("res-1"), "image/jpeg", kJpeg));
  auto over = service_->Upload(Someone("res-1"), "image/jpeg", kJpeg);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kTooManyRequests);
  EXPECT_TRUE(service_->Upload(Someone("res-2"), "image/jpeg", kJpeg));  // others are not held up
  auto report = audit::Verify(db(), {});
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->problem;
  EXPECT_EQ(report->events, kMaxUnattachedPerAccount + 1);  // the refused upload left no event
}

TEST_P(FileServiceTest, AnAccountsBytesAreLimitedWaitingAndPerDay) {
  const auto size = static_cast<std::int64_t>(kJpeg.size());
  service_ = std::make_unique<FileService>(
      db(), clock_, ids_, FileQuota{.unattached_bytes = 3 * size, .daily_bytes = 5 * size});
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto f = service_->Upload(Someone("res-1"), "image/jpeg", kJpeg);
    ASSERT_TRUE(f) << f.error().message;
    ids.push_back(f->id);
  }
  auto waiting = service_->Upload(Someone("res-1"), "image/jpeg", kJpeg);
  ASSERT_FALSE(waiting);
  EXPECT_EQ(waiting.error().code, ErrorCode::kTooManyRequests);
  EXPECT_NE(waiting.error().message.find("not yet attached"), std::string::npos);
  // Attached, they stop counting as waiting, but count for the day.
  ASSERT_TRUE(AttachAs("res-1", ids, "request-1"));
  ASSERT_TRUE(service_->Upload(Someone("res-1"), "image/jpeg", kJpeg));
  ASSERT_TRUE(service_->Upload(Someone("res-1"), "image/jpeg", kJpeg));
  auto daily = service_->Upload(Someone("res-1"), "image/jpeg", kJpeg);
  ASSERT_FALSE(daily);
  EXPECT_EQ(daily.error().code, ErrorCode::kTooManyRequests);
  EXPECT_NE(daily.error().message.find("last 24 hours"), std::string::npos);
  EXPECT_TRUE(service_->Upload(Someone("res-2"), "image/jpeg", kJpeg));  // others are not held up
  // A day later the day's budget is back (two still wait: 2 of 3 allowed).
  clock_.Advance(kMicrosPerDay);
  EXPECT_TRUE(service_->Upload(Someone("res-1"), "image/jpeg", kJpeg));
  EXPECT_EQ(service_->Upload(Someone("res-1"), "image/jpeg", kJpeg).error().code,
            ErrorCode::kTooManyRequests);
}

TEST_P(FileServiceTest, SweepsPhotosNeverAttached) {
  auto forgotten = service_->Upload(Someone("res-1"), "image/jpeg", kJpeg);
  auto attached = service_->Upload(Someone("res-1"), "image/png", kPng);
  ASSERT_TRUE(forgotten && attached);
  ASSERT_TRUE(AttachAs("res-1", {attached->id}, "req-1"));
  clock_.Advance(kUnattachedLifetime + kMicrosPerHour);
  auto fresh = service_->Upload(Someone("res-2"), "image/webp", kWebp);
  ASSERT_TRUE(fresh);

  auto swept = service_->SweepUnattached(clock_.Now() - kUnattachedLifetime);
  ASSERT_TRUE(swept) << swept.error().message;
  EXPECT_EQ(*swept, 1);
  auto gone = service_->Read(forgotten->id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(service_->Read(attached->id));
  EXPECT_TRUE(service_->Read(fresh->id));

  auto events = db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, "files"); });
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().action, "file.sweep");
  EXPECT_EQ(events->front().actor, "system");
  const auto payload = json::Json::parse(events->front().payload);
  EXPECT_EQ(payload.at("count"), 1);
  EXPECT_EQ(payload.at("ids"), json::Json::array({forgotten->id}));

  // Nothing left to sweep: nothing deleted, nothing recorded.
  auto again = service_->SweepUnattached(clock_.Now() - kUnattachedLifetime);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, 0);
  auto report = audit::Verify(db(), {});
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->problem;
  EXPECT_EQ(report->events, 4);  // three uploads and one sweep
}

TEST_P(FileServiceTest, SweepsInBatchesEachWithItsEvent) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(service_->Upload(Someone("res-1"), "image/jpeg", kJpeg));
  clock_.Advance(kUnattachedLifetime + 1);
  auto swept = service_->SweepUnattached(clock_.Now() - kUnattachedLifetime, 2);
  ASSERT_TRUE(swept) << swept.error().message;
  EXPECT_EQ(*swept, 5);
  auto n = db().Read([](storage::Executor& ex) { return store::CountUnattached(ex, "res-1"); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
  auto events = db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, "files"); });
  ASSERT_TRUE(events);
  EXPECT_EQ(events->size(), 3u);  // 2 + 2 + 1
}

INSTANTIATE_TEST_SUITE_P(Backends, FileServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::files
