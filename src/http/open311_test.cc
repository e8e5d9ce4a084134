// Open311 GeoReport v2 over a real socket, on every backend: discovery, the
// service list, posting a request with an API key, reading it back by id,
// token and list, in XML and in JSON; the spec's errors; and what the public
// may see of requests that did not come in through Open311.
#include "http/open311_handlers.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "audit/audit_log.h"
#include "http/api.h"
#include "http/server.h"
#include "http/test_client.h"
#include "requests/rates.h"
#include "storage/testing.h"

namespace xietong::http {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::UnitKind;
using testing::ClientResponse;
using testing::Send;
using Form = std::vector<std::pair<std::string, std::string>>;

std::string Rect(double lon0, double lat0, double lon1, double lat1) {
  return fmt::format(
      R"({{"type":"Polygon","coordinates":[[[{0},{1}],[{2},{1}],[{2},{3}],[{0},{3}],[{0},{1}]]]}})",
      lon0, lat0, lon1, lat1);
}

// Monday 2026-11-23 10:00 +08:00, a working day.
constexpr Timestamp kMonday10 = 1'795'399'200'000'000;
constexpr const char* kJurisdiction = "jianglan.gov.cn.example";

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string Encode(const Form& form) {
  std::string out;
  for (const auto& [k, v] : form)
    out += (out.empty() ? "" : "&") + UrlEncode(k) + "=" + UrlEncode(v);
  return out;
}

class Open311Test : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&requests::Schema()}, 0));
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    matters_ = std::make_unique<matters::MatterService>(t_->db(), clock_, ids_);
    requests_ = std::make_unique<requests::RequestService>(t_->db(), clock_, ids_, *calendar_,
                                                           *identity_, *matters_);
    const auto sys = Principal::System();
    auto unit = [&](std::optional<std::string> parent, UnitKind kind, std::string code,
                    std::string name, std::optional<std::string> geometry) {
      auto r = identity_->CreateUnit(
          sys, {std::move(parent), kind, std::move(code), std::move(name), std::move(geometry)});
      EXPECT_TRUE(r) << r.error().message;
      return r.value_or(OrgUnit{});
    };
    const std::string area = Rect(120.0, 30.0, 120.1, 30.1);
    auto city = unit(std::nullopt, UnitKind::kCity, "JL", "江澜市", area);
    unit(city.id, UnitKind::kCentre, "JL-12345", "12345热线中心", std::nullopt);
    auto district = unit(city.id, UnitKind::kDistrict, "JL-01", "临江区", area);
    auto street = unit(district.id, UnitKind::kStreet, "JL-01-01", "望湖街道", area);
    auto community = unit(street.id, UnitKind::kCommunity, "JL-01-01-01", "湖畔社区", area);
    unit(community.id, UnitKind::kGrid, "JL-01-01-01-01", "湖畔社区第一网格", area);

    auto node = [](std::string code, std::string name) {
      matters::Matter m;
      m.code = std::move(code);
      m.name = std::move(name);
      m.name_en = "x";
      return m;
    };
    auto stalls = node("01-01-01", "占道经营");
    stalls.handler = matters::HandlerLevel::kStreet;
    stalls.keywords = {"占道", "摆摊"};
    auto retired = node("01-01-02", "废止的事项");
    retired.active = false;
    auto seeded =
        matters_->Seed(sys, {node("01", "城乡建设"), node("01-01", "市容环境"), stalls, retired});
    ASSERT_TRUE(seeded) << seeded.error().message;

    auto key = identity_->CreateApiKey(sys, "city-app");
    ASSERT_TRUE(key) << key.error().message;
    api_key_ = *key;

    api_ = std::make_unique<Api>(*identity_, t_->db(), clock_, ids_, ApiOptions{});
    RegisterOpen311Routes(*api_, *identity_, *requests_, *matters_, clock_,
                          {kJurisdiction, "https://12345.jianglan.example", "江澜市"});
    api_->Seal();
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<Server>(o, [this](Request& r) { return api_->Handle(r); });
    auto port = server_->Start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
  }

  void TearDown() override { server_.reset(); }

  ClientResponse Get(const std::string& path) { return Send(port_, "GET", "/open311/v2/" + path); }
  ClientResponse Post(const std::string& path, const Form& form) {
    return Send(port_, "POST", "/open311/v2/" + path, Encode(form),
                {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}});
  }

  Form Report() const {
    return {{"api_key", api_key_},
            {"jurisdiction_id", kJurisdiction},
            {"service_code", "01-01-01"},
            {"lat", "30.05"},
            {"long", "120.05"},
            {"address_string", "湖畔社区南门, 望湖街道, 临江区"},
            {"description", "南门每天晚上有人占道摆摊，堵塞消防通道。"},
            {"first_name", "女士"},
            {"last_name", "陈"},
            {"phone", "13800001234"},
            {"email", "chen@example.org"},
            {"media_url", "https://photos.example.org/1.jpg"}};
  }

  // Moves a request to its end with the platform's own authority.
  void CloseIt(const std::string& number) {
    auto d = requests_->Get(Principal::System(), number);
    ASSERT_TRUE(d) << d.error().message;
    for (auto c :
         {requests::Command::kDispatch, requests::Command::kSign, requests::Command::kHandle,
          requests::Command::kReply, requests::Command::kClose}) {
      requests::CommandInput in;
      in.command = c;
      in.text = "已清理";
      auto r = requests_->Apply(Principal::System(), d->request.id, in);
      ASSERT_TRUE(r) << requests::CommandName(c) << ": " << r.error().message;
    }
  }

  static pugi::xml_document Xml(const ClientResponse& r) {
    pugi::xml_document doc;
    auto parsed = doc.load_string(r.body.c_str());
    EXPECT_TRUE(parsed) << parsed.description() << ": " << r.body;
    return doc;
  }
  static std::string Text(const pugi::xml_node& n, const char* child) {
    return n.child(child).text().as_string();
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kMonday10};
  IdGenerator ids_{clock_};
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<requests::RequestService> requests_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::string api_key_;
};

TEST_P(Open311Test, DiscoveryInBothFormats) {
  auto xml = Get("discovery.xml");
  ASSERT_EQ(xml.status, 200) << xml.body;
  EXPECT_EQ(xml.Header("content-type"), "text/xml; charset=utf-8");
  EXPECT_TRUE(xml.body.starts_with(R"(<?xml version="1.0" encoding="utf-8"?>)")) << xml.body;
  auto doc = Xml(xml);
  auto d = doc.child("discovery");
  EXPECT_FALSE(Text(d, "changeset").empty());
  EXPECT_FALSE(Text(d, "contact").empty());
  EXPECT_FALSE(Text(d, "key_service").empty());
  auto endpoint = d.child("endpoints").child("endpoint");
  EXPECT_EQ(Text(endpoint, "specification"), "http://wiki.open311.org/GeoReport_v2");
  EXPECT_EQ(Text(endpoint, "url"), "https://12345.jianglan.example/open311/v2");
  EXPECT_EQ(Text(endpoint, "type"), "production");
  std::vector<std::string> formats;
  for (auto f : endpoint.child("formats").children("format")) formats.push_back(f.text().get());
  EXPECT_EQ(formats, (std::vector<std::string>{"text/xml", "application/json"}));

  auto json = Get("discovery.json");
  ASSERT_EQ(json.status, 200);
  EXPECT_EQ(json.Header("content-type"), "application/json; charset=utf-8");
  auto j = json::Json::parse(json.body);
  ASSERT_TRUE(j["endpoints"].is_array());
  EXPECT_EQ(j["endpoints"][0]["formats"], json::Json::array({"text/xml", "application/json"}));
  EXPECT_EQ(j["changeset"], Text(d, "changeset"));

  // A client's Host header never becomes the advertised endpoint.
  auto forged = Send(port_, "GET", "/open311/v2/discovery.json", "",
                     {{"Host", "evil.example"}, {"X-Forwarded-Host", "evil.example"}});
  ASSERT_EQ(forged.status, 200);
  EXPECT_EQ(json::Json::parse(forged.body)["endpoints"][0]["url"],
            "https://12345.jianglan.example/open311/v2");
  EXPECT_EQ(forged.body.find("evil"), std::string::npos);
}

TEST_P(Open311Test, RoundTripInXml) {
  auto services = Get("services.xml?jurisdiction_id=" + std::string(kJurisdiction));
  ASSERT_EQ(services.status, 200) << services.body;
  auto sdoc = Xml(services);
  std::vector<std::string> codes;
  for (auto s : sdoc.child("services").children("service"))
    codes.push_back(Text(s, "service_code"));
  EXPECT_EQ(codes, std::vector<std::string>{"01-01-01"});  // leaves in effect only
  auto service = sdoc.child("services").child("service");
  EXPECT_EQ(Text(service, "service_name"), "占道经营");
  EXPECT_EQ(Text(service, "metadata"), "false");
  EXPECT_EQ(Text(service, "type"), "realtime");
  EXPECT_EQ(Text(service, "keywords"), "占道,摆摊");
  EXPECT_EQ(Text(service, "group"), "城乡建设");
  EXPECT_NE(Text(service, "description").find("7 个工作日"), std::string::npos);

  auto def = Get("services/01-01-01.xml");
  ASSERT_EQ(def.status, 200) << def.body;
  auto ddoc = Xml(def);
  EXPECT_EQ(Text(ddoc.child("service_definition"), "service_code"), "01-01-01");
  EXPECT_TRUE(ddoc.child("service_definition").child("attributes"));

  auto posted = Post("requests.xml", Report());
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(posted.Header("content-type"), "text/xml; charset=utf-8");
  auto pdoc = Xml(posted);
  auto created = pdoc.child("service_requests").child("request");
  EXPECT_EQ(Text(created, "service_request_id"), "2026112300001");
  EXPECT_FALSE(created.child("token"));  // realtime: an id, never both
  EXPECT_NE(Text(created, "service_notice").find("2026112300001"), std::string::npos);

  auto one = Get("requests/2026112300001.xml");
  ASSERT_EQ(one.status, 200) << one.body;
  auto odoc = Xml(one);
  auto r = odoc.child("service_requests").child("request");
  EXPECT_EQ(Text(r, "service_request_id"), "2026112300001");
  EXPECT_EQ(Text(r, "status"), "open");
  EXPECT_EQ(Text(r, "service_code"), "01-01-01");
  EXPECT_EQ(Text(r, "service_name"), "占道经营");
  EXPECT_EQ(Text(r, "description"),
            "南门每天晚上有人占道摆摊，堵塞消防通道。\n\nhttps://photos.example.org/1.jpg");
  EXPECT_EQ(Text(r, "requested_datetime"), "2026-11-23T10:00:00+08:00");
  EXPECT_EQ(Text(r, "address"), "湖畔社区南门, 望湖街道, 临江区");
  EXPECT_DOUBLE_EQ(r.child("lat").text().as_double(), 30.05);
  EXPECT_DOUBLE_EQ(r.child("long").text().as_double(), 120.05);
  EXPECT_TRUE(r.child("agency_responsible"));  // present, empty until dispatched
  EXPECT_EQ(one.body.find("13800001234"), std::string::npos);
  EXPECT_EQ(one.body.find("chen@example.org"), std::string::npos);

  // The request is in the platform like any other, from the Open311 channel.
  auto stored = requests_->Get(Principal::System(), "2026112300001");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->request.channel, requests::Channel::kOpen311);
  EXPECT_EQ(stored->request.contact_name, "陈女士");
  EXPECT_EQ(stored->request.contact_phone, "13800001234");
  const std::string token = stored->request.id;
  auto by_token = Get("tokens/" + token + ".xml");
  ASSERT_EQ(by_token.status, 200) << by_token.body;
  auto tdoc = Xml(by_token);
  EXPECT_EQ(Text(tdoc.child("service_requests").child("request"), "service_request_id"),
            "2026112300001");
  EXPECT_EQ(Text(tdoc.child("service_requests").child("request"), "token"), token);

  ASSERT_EQ(Post("requests.xml", Report()).status, 200);  // 2026112300002 stays open
  CloseIt("2026112300001");
  auto closed = Xml(Get("requests.xml?status=closed"));
  std::vector<std::string> ids;
  for (auto req : closed.child("service_requests").children("request"))
    ids.push_back(Text(req, "service_request_id"));
  EXPECT_EQ(ids, std::vector<std::string>{"2026112300001"});
  auto done = closed.child("service_requests").child("request");
  EXPECT_EQ(Text(done, "status"), "closed");
  EXPECT_EQ(Text(done, "agency_responsible"), "望湖街道");
  EXPECT_NE(Text(done, "status_notes").find("已清理"), std::string::npos);
  EXPECT_EQ(Text(done, "updated_datetime"), "2026-11-23T10:00:00+08:00");
  EXPECT_FALSE(Text(done, "expected_datetime").empty());
  auto open = Xml(Get("requests.xml?status=open"));
  ids.clear();
  for (auto req : open.child("service_requests").children("request"))
    ids.push_back(Text(req, "service_request_id"));
  EXPECT_EQ(ids, std::vector<std::string>{"2026112300002"});
  auto all = Xml(Get("requests.xml?status=open,closed&service_code=01-01-01"));
  auto list = all.child("service_requests").children("request");
  EXPECT_EQ(std::distance(list.begin(), list.end()), 2);
}

TEST_P(Open311Test, RoundTripInJson) {
  auto services = Get("services.json");
  ASSERT_EQ(services.status, 200) << services.body;
  EXPECT_EQ(services.Header("content-type"), "application/json; charset=utf-8");
  auto sj = json::Json::parse(services.body);
  ASSERT_TRUE(sj.is_array());
  ASSERT_EQ(sj.size(), 1u);
  EXPECT_EQ(sj[0]["service_code"], "01-01-01");
  EXPECT_EQ(sj[0]["metadata"], false);
  auto def = json::Json::parse(Get("services/01-01-01.json").body);
  EXPECT_EQ(def["service_code"], "01-01-01");
  EXPECT_TRUE(def["attributes"].is_array());

  // The key may also come as a bearer header; here there is no name or phone.
  Form form = {{"service_code", "01-01-01"},
               {"lat", "30.02"},
               {"long", "120.03"},
               {"description", ""},
               {"jurisdiction_id", ""}};
  auto posted = Send(port_, "POST", "/open311/v2/requests.json", Encode(form),
                     {{"Content-Type", "application/x-www-form-urlencoded"},
                      {"Authorization", "Bearer " + api_key_}});
  ASSERT_EQ(posted.status, 200) << posted.body;
  auto pj = json::Json::parse(posted.body);
  ASSERT_TRUE(pj.is_array());
  ASSERT_EQ(pj.size(), 1u);
  ASSERT_TRUE(pj[0]["service_request_id"].is_string());
  EXPECT_FALSE(pj[0].contains("token"));
  const std::string number = pj[0]["service_request_id"];

  auto one = json::Json::parse(Get("requests/" + number + ".json").body);
  ASSERT_TRUE(one.is_array());
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["status"], "open");
  EXPECT_EQ(one[0]["description"], "占道经营");  // no words: the service says what it is
  EXPECT_DOUBLE_EQ(one[0]["lat"].get<double>(), 30.02);
  EXPECT_DOUBLE_EQ(one[0]["long"].get<double>(), 120.03);
  EXPECT_TRUE(one[0]["expected_datetime"].is_null());  // not dispatched yet
  auto stored = requests_->Get(Principal::System(), number);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->request.anonymous);

  auto token = json::Json::parse(Get("tokens/" + stored->request.id + ".json").body);
  EXPECT_EQ(token, json::Json::parse(fmt::format(R"([{{"service_request_id":"{}","token":"{}"}}])",
                                                 number, stored->request.id)));

  CloseIt(number);
  auto closed = json::Json::parse(Get("requests.json?status=closed").body);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0]["service_request_id"], number);
  EXPECT_EQ(closed[0]["status"], "closed");
  EXPECT_TRUE(json::Json::parse(Get("requests.json?status=open").body).empty());
  auto by_id = json::Json::parse(
      Get("requests.json?service_request_id=" + number + ",2026010100001&status=open").body);
  ASSERT_EQ(by_id.size(), 1u);  // the id list overrides the other arguments
  EXPECT_EQ(by_id[0]["service_request_id"], number);
}

TEST_P(Open311Test, ErrorsFollowTheSpec) {
  auto expect = [&](const ClientResponse& r, int status, std::string_view needle) {
    EXPECT_EQ(r.status, status) << r.body;
    if (r.Header("content-type").starts_with("application/json")) {
      auto j = json::Json::parse(r.body);
      ASSERT_TRUE(j.is_array()) << r.body;
      EXPECT_EQ(j[0]["code"], status);
      EXPECT_NE(j[0]["description"].get<std::string>().find(needle), std::string::npos) << r.body;
    } else {
      EXPECT_EQ(r.Header("content-type"), "text/xml; charset=utf-8");
      auto doc = Xml(r);
      auto e = doc.child("errors").child("error");
      EXPECT_EQ(e.child("code").text().as_int(), status);
      EXPECT_NE(std::string(e.child("description").text().get()).find(needle), std::string::npos)
          << r.body;
    }
  };
  expect(Get("services.xml?jurisdiction_id=sfgov.org"), 404, "sfgov.org");
  expect(Get("requests.json?jurisdiction_id=sfgov.org"), 404, "jurisdiction_id");
  Form wrong_place = Report();
  wrong_place[1].second = "sfgov.org";
  expect(Post("requests.xml", wrong_place), 404, "jurisdiction_id");

  Form no_code = Report();
  no_code.erase(no_code.begin() + 2);
  expect(Post("requests.xml", no_code), 400, "service_code");
  Form unknown_code = Report();
  unknown_code[2].second = "09-09-09";
  expect(Post("requests.json", unknown_code), 404, "09-09-09");
  Form retired = Report();
  retired[2].second = "01-01-02";
  expect(Post("requests.json", retired), 404, "01-01-02");
  Form no_key = Report();
  no_key.erase(no_key.begin());
  expect(Post("requests.xml", no_key), 403, "api_key");
  Form bad_key = Report();
  bad_key[0].second = "xtk_" + std::string(64, '0');
  expect(Post("requests.json", bad_key), 403, "api_key");
  Form half_point = Report();
  half_point.erase(half_point.begin() + 4);  // lat without long
  expect(Post("requests.json", half_point), 400, "'long'");
  Form nowhere = {{"api_key", api_key_}, {"service_code", "01-01-01"}};
  expect(Post("requests.json", nowhere), 400, "location");
  Form outside = Report();
  outside[3].second = "31.5";
  expect(Post("requests.xml", outside), 400, "outside");
  Form bad_phone = Report();
  bad_phone[9].second = "12345";
  expect(Post("requests.json", bad_phone), 400, "phone");
  Form long_words = Report();
  long_words[6].second = std::string(4001, 'x');
  expect(Post("requests.json", long_words), 400, "4000");
  auto as_json = Send(port_, "POST", "/open311/v2/requests.json", R"({"service_code":"01-01-01"})",
                      {{"Content-Type", "application/json"}});
  expect(as_json, 400, "x-www-form-urlencoded");

  expect(Get("services.html"), 404, "services.html");
  expect(Get("services"), 404, ".xml or .json");
  expect(Get("services/09-09-09.json"), 404, "09-09-09");
  expect(Get("requests/2026010100001.xml"), 404, "2026010100001");
  expect(Get("tokens/2026010100001.json"), 404, "2026010100001");
  expect(Get("widgets.json"), 404, "widgets");
  expect(Get("requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z"), 400,
         "90 days");
  expect(Get("requests.json?start_date=someday"), 400, "start_date");
  expect(Get("requests.xml?status=pending"), 400, "status");
  EXPECT_EQ(json::Json::parse(Get("requests.json").body).size(), 0u);  // nothing was stored
}

TEST_P(Open311Test, ThePublicSeesOnlyTheOutlineOfPhoneRequests) {
  requests::Intake call;
  call.channel = requests::Channel::kPhone;
  call.text = "邻居家装修噪音，联系人王先生 13912345678";
  call.place.lat = 30.05;
  call.place.lon = 120.05;
  call.place.address = "湖畔社区 3 幢 201";
  call.contact_name = "王先生";
  call.contact_phone = "13912345678";
  auto catalog = matters_->Snapshot();
  ASSERT_TRUE(catalog);
  call.matter_id = (*catalog)->FindByCode("01-01-01")->id;
  auto submitted = requests_->Submit(Principal::System(), call);
  ASSERT_TRUE(submitted) << submitted.error().message;

  auto r = Get("requests/" + submitted->request.number + ".json");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::Json::parse(r.body)[0];
  EXPECT_EQ(j["service_code"], "01-01-01");
  EXPECT_TRUE(j["description"].is_null());
  EXPECT_TRUE(j["lat"].is_null());
  EXPECT_TRUE(j["long"].is_null());
  EXPECT_EQ(j["address"], "湖畔社区，望湖街道，临江区");
  EXPECT_EQ(r.body.find("13912345678"), std::string::npos);
  EXPECT_EQ(r.body.find("王先生"), std::string::npos);
  EXPECT_EQ(r.body.find("幢"), std::string::npos);
}

TEST_P(Open311Test, ListsDefaultToTheLast90Days) {
  ASSERT_EQ(Post("requests.json", Report()).status, 200);
  EXPECT_EQ(json::Json::parse(Get("requests.json").body).size(), 1u);
  clock_.Advance(91 * kMicrosPerDay);
  EXPECT_EQ(json::Json::parse(Get("requests.json").body).size(), 0u);
  auto window = Get("requests.json?start_date=2026-11-20T00:00:00%2B08:00&end_date=2026-11-30");
  ASSERT_EQ(window.status, 200) << window.body;
  EXPECT_EQ(json::Json::parse(window.body).size(), 1u);
  EXPECT_EQ(json::Json::parse(Get("requests.json?start_date=2026-11-24").body).size(), 0u);
  // A single request is found whatever its age.
  EXPECT_EQ(Get("requests/2026112300001.xml").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, Open311Test, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
