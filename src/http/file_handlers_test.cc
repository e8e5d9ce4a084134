// Photos on requests over a real socket, on every backend: upload, attach at
// intake, read back by whoever may read the request, and what bad uploads and
// bad attachment lists answer (nothing stored).
#include "http/file_handlers.h"

#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

using namespace std::string_literals;

const std::string kJpeg = "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00 a photo of a stall"s;

class AttachmentRoutesTest : public RequestRoutesTest {
 protected:
  ClientResponse Upload(const std::string& who, const std::string& bytes,
                        const std::string& type = "image/jpeg") {
    return Send(port_, "POST", "/api/v1/attachments", bytes,
                {{"Content-Type", type}, {"Authorization", "Bearer " + tokens_.at(who)}});
  }
  std::string UploadId(const std::string& who, const std::string& bytes = kJpeg) {
    auto r = Upload(who, bytes);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Body(r)["id"].get<std::string>() : "";
  }
  ClientResponse SubmitWith(const std::string& who, std::vector<std::string> ids) {
    auto body = Stalls();
    body["attachment_ids"] = ids;
    return Post(who, "/api/v1/requests", body);
  }
  std::size_t RequestCount() {
    auto r = Get("op", "/api/v1/requests?limit=500");
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r)["items"].size();
  }
};

TEST_P(AttachmentRoutesTest, AResidentsPhotoTravelsWithTheRequest) {
  auto up = Upload("res", kJpeg);
  ASSERT_EQ(up.status, 201) << up.body;
  const auto info = Body(up);
  EXPECT_EQ(info["content_type"], "image/jpeg");
  EXPECT_EQ(info["size"], kJpeg.size());
  EXPECT_EQ(info["sha256"].get<std::string>().size(), 64u);
  const std::string photo = info["id"];
  // Location names the uploader's preview of it, until it is attached.
  EXPECT_EQ(up.Header("location"), "/api/v1/attachments/" + photo);
  auto preview = Get("res", up.Header("location"));
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(preview.body, kJpeg);
  EXPECT_EQ(Get("op", up.Header("location")).status, 404);  // nobody else's to preview

  auto created = SubmitWith("res", {photo});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto request = Body(created)["request"];
  EXPECT_EQ(request["attachment_ids"], json::Json::array({photo}));
  const std::string url =
      "/api/v1/requests/" + request["id"].get<std::string>() + "/attachments/" + photo;

  for (const char* reader : {"res", "op"}) {
    auto got = Get(reader, url);
    ASSERT_EQ(got.status, 200) << reader << ": " << got.body;
    EXPECT_EQ(got.body, kJpeg);
    EXPECT_EQ(got.Header("content-type"), "image/jpeg");
    EXPECT_EQ(got.Header("x-content-type-options"), "nosniff");
  }
  EXPECT_EQ(Get("res", up.Header("location")).status, 404);  // attached: read via the request
  // Another street's handler may not read the request, so not its photo either.
  EXPECT_EQ(Get("hb", url).status, 403);
  // A photo is served only through the request it is attached to.
  auto other = Submit(Stalls());
  EXPECT_EQ(
      Get("op", "/api/v1/requests/" + other["id"].get<std::string>() + "/attachments/" + photo)
          .status,
      404);
}

// 处置后照片: the street's handler replies with its photos; the centre and
// the city's leaders see them through the request.
TEST_P(AttachmentRoutesTest, TheReplyCarriesPhotosAfterHandling) {
  const std::string id = Submit(Stalls())["id"];
  ASSERT_EQ(Command("ha", id, "sign").status, 200);
  const std::string photo = UploadId("ha");
  // Photos go with a reply only; the refusal names the field.
  auto on_handle = Command("ha", id, "handle",
                           {{"text", "已到现场"}, {"attachment_ids", json::Json::array({photo})}});
  ASSERT_EQ(on_handle.status, 400) << on_handle.body;
  EXPECT_EQ(Body(on_handle)["error"]["field"], "attachment_ids");
  auto wrong_type = Command("ha", id, "reply", {{"text", "已清理"}, {"attachment_ids", photo}});
  EXPECT_EQ(wrong_type.status, 400) << wrong_type.body;

  auto replied =
      Command("ha", id, "reply",
              {{"text", "摊点已清理，见照片"}, {"attachment_ids", json::Json::array({photo})}});
  ASSERT_EQ(replied.status, 200) << replied.body;
  EXPECT_EQ(Body(replied)["request"]["reply_attachment_ids"], json::Json::array({photo}));
  const std::string url = "/api/v1/requests/" + id + "/attachments/" + photo;
  for (const char* reader : {"op", "ha", "lead"}) {
    auto got = Get(reader, url);
    ASSERT_EQ(got.status, 200) << reader << ": " << got.body;
    EXPECT_EQ(got.body, kJpeg);
  }
  EXPECT_EQ(Get("hb", url).status, 403);
  EXPECT_EQ(Body(Get("op", "/api/v1/requests/" + id))["request"]["reply_attachment_ids"],
            json::Json::array({photo}));
}

TEST_P(AttachmentRoutesTest, BadUploadsAnswer4xxAndStoreNothing) {
  auto gif = Upload("res", "GIF89a not accepted");
  EXPECT_EQ(gif.status, 400);
  EXPECT_NE(Message(gif).find("JPEG, PNG, WebP or HEIC"), std::string::npos) << gif.body;

  auto lying = Upload("res", kJpeg, "image/png");
  EXPECT_EQ(lying.status, 400);
  EXPECT_NE(Message(lying).find("image/jpeg"), std::string::npos) << lying.body;

  EXPECT_EQ(Upload("res", "").status, 400);

  // Over the photo limit but within what the server reads for uploads: the service says so.
  auto big = Upload("res", kJpeg + std::string(files::kMaxFileBytes, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(Message(big).find("8 MiB"), std::string::npos) << big.body;
  // Far over: the server stops reading.
  auto huge = Upload("res", kJpeg + std::string(files::kMaxFileBytes + 128 * 1024, 'x'));
  EXPECT_EQ(huge.status, 413);
  // Other routes keep the general 1 MiB limit.
  auto json_huge =
      Send(port_, "POST", "/api/v1/requests", std::string(2 * 1024 * 1024, ' '),
           {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + tokens_.at("op")}});
  EXPECT_EQ(json_huge.status, 413);

  EXPECT_EQ(
      Send(port_, "POST", "/api/v1/attachments", kJpeg, {{"Content-Type", "image/jpeg"}}).status,
      401);

  auto stored = t_->db().Read(
      [](storage::Executor& ex) { return ex.QueryOne("SELECT COUNT(*) FROM files"); });
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->Int(0), 0);
}

TEST_P(AttachmentRoutesTest, AnIntakeWithABadAttachmentStoresNoRequest) {
  const std::size_t before = RequestCount();

  auto unknown = SubmitWith("op", {"no-such-photo"});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(Message(unknown).find("no-such-photo"), std::string::npos) << unknown.body;

  const std::string residents = UploadId("res");
  auto not_mine = SubmitWith("op", {residents});
  EXPECT_EQ(not_mine.status, 400);
  EXPECT_NE(Message(not_mine).find("not a file you uploaded"), std::string::npos);

  const std::string mine = UploadId("op");
  auto twice = SubmitWith("op", {mine, mine});
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(RequestCount(), before);

  ASSERT_EQ(SubmitWith("op", {mine}).status, 201);
  auto reused = SubmitWith("op", {mine});
  EXPECT_EQ(reused.status, 409);
  EXPECT_NE(Message(reused).find("another request"), std::string::npos);

  auto too_many = SubmitWith("op", std::vector<std::string>(10, mine));
  EXPECT_EQ(too_many.status, 400);
  EXPECT_EQ(RequestCount(), before + 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, AttachmentRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
