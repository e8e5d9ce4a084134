// Incidents as Open311 services (issue 17), over a real socket on every
// backend: an active incident is a service (group 应急, metadata true) with
// the crowd-report attributes in its definition, and leaves the list when
// closed; a POST with an API key makes one unverified report on the open311
// channel that the verifiers see in their queue; bad input (no description,
// wrong attribute values, media_url, an unknown or closed incident, no key)
// is the spec's error body with nothing stored; too many posts from one
// address are 429 with Retry-After, in the spec's error body.
#include <pugixml.hpp>

#include "emergency/incident_service.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

using Form = std::vector<std::pair<std::string, std::string>>;

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

class Open311IncidentTest : public RequestRoutesTest {
 protected:
  void SetUp() override {
    open311_limits_ = {.rate_per_second = 0.5, .burst = 16, .max_keys = 1000};
    RequestRoutesTest::SetUp();
    opener_ =
        std::make_unique<emergency::IncidentService>(t_->db(), clock_, ids_, *identity_, *collab_);
    incident_ = Open("文化路积水");
    code_ = "incident-" + incident_;
    auto key = identity_->CreateApiKey(identity::Principal::System(), "city-app");
    ASSERT_TRUE(key) << key.error().message;
    api_key_ = *key;
  }

  std::string Open(std::string title) {
    emergency::IncidentInput in;
    in.type = "waterlogging";
    in.level = 4;
    in.title = std::move(title);
    in.area.grid_ids = {"g1"};
    in.unit_id = street_a_.id;
    auto lead = identity_->Authenticate(tokens_.at("sl"));
    EXPECT_TRUE(lead);
    auto i = opener_->Open(*lead, in);
    EXPECT_TRUE(i) << i.error().message;
    return i ? i->id : std::string();
  }
  void CloseIncident(const std::string& id) {
    auto lead = identity_->Authenticate(tokens_.at("sl"));
    ASSERT_TRUE(lead);
    ASSERT_TRUE(opener_->Close(*lead, id, "已处置完毕"));
  }

  Form Report() const {
    return {{"api_key", api_key_},
            {"service_code", code_},
            {"lat", "30.05"},
            {"long", "120.05"},
            {"address_string", "湖畔社区3号楼, 望湖街道"},
            {"description", "3号楼困住老人两名，水已到一楼窗台"},
            {"first_name", "芳"},
            {"last_name", "王"},
            {"phone", "13812345678"},
            {"attribute[kind]", "need"},
            {"attribute[need_type]", "rescue"},
            {"attribute[count]", "2"},
            {"attribute[priority]", "critical"}};
  }
  ClientResponse Open311Post(const std::string& file, const Form& form) {
    std::string body;
    for (const auto& [k, v] : form)
      body += (body.empty() ? "" : "&") + UrlEncode(k) + "=" + UrlEncode(v);
    return Send(port_, "POST", "/open311/v2/" + file, body,
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  ClientResponse Open311Get(const std::string& path) {
    return Send(port_, "GET", "/open311/v2/" + path);
  }
  std::int64_t Stored() {
    auto n = t_->db().Read([](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM emergency_crowd_reports"));
      return row ? row->Int(0) : 0;
    });
    EXPECT_TRUE(n);
    return n.value_or(-1);
  }
  // The service of code_ in services.json, or null.
  json::Json IncidentServiceListed() {
    auto r = Open311Get("services.json");
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& s : Body(r))
      if (s["service_code"] == code_) return s;
    return nullptr;
  }

  std::unique_ptr<emergency::IncidentService> opener_;
  std::string incident_, code_, api_key_;
};

TEST_P(Open311IncidentTest, AnActiveIncidentIsAServiceUntilClosed) {
  const json::Json s = IncidentServiceListed();
  ASSERT_FALSE(s.is_null());
  EXPECT_EQ(s["service_name"], "应急求助：文化路积水");
  EXPECT_EQ(s["group"], "应急");
  EXPECT_EQ(s["type"], "realtime");
  EXPECT_EQ(s["metadata"], true);
  EXPECT_NE(s["description"].get<std::string>().find("not listed"), std::string::npos);
  // The matters stay services beside it.
  auto all = Body(Open311Get("services.json"));
  EXPECT_TRUE(std::any_of(all.begin(), all.end(),
                          [](const auto& x) { return x["service_code"] == "01-01-01"; }));

  // In XML too, each service an element with every field the spec names.
  auto xml = Open311Get("services.xml");
  ASSERT_EQ(xml.status, 200);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.body.c_str()));
  bool found = false;
  for (auto n : doc.child("services").children("service")) {
    if (std::string(n.child("service_code").text().as_string()) != code_) continue;
    found = true;
    EXPECT_STREQ(n.child("metadata").text().as_string(), "true");
    EXPECT_STREQ(n.child("group").text().as_string(), "应急");
  }
  EXPECT_TRUE(found) << xml.body;

  // The definition: the crowd-report attributes, lists with their values.
  auto def = Open311Get("services/" + code_ + ".json");
  ASSERT_EQ(def.status, 200) << def.body;
  const json::Json d = Body(def);
  EXPECT_EQ(d["service_code"], code_);
  ASSERT_EQ(d["attributes"].size(), 4u);
  std::vector<std::string> codes;
  for (const auto& a : d["attributes"]) {
    codes.push_back(a["code"]);
    for (const char* f : {"variable", "code", "datatype", "required", "datatype_description",
                          "order", "description"})
      EXPECT_TRUE(a.contains(f)) << f << " in " << a.dump();
    if (a["datatype"] == "singlevaluelist") {
      EXPECT_FALSE(a["values"].empty());
      for (const auto& v : a["values"]) EXPECT_TRUE(v.contains("key") && v.contains("name"));
    } else {
      EXPECT_FALSE(a.contains("values"));
    }
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"kind", "need_type", "count", "priority"}));
  const json::Json& need_type = d["attributes"][1];
  std::vector<std::string> keys;
  for (const auto& v : need_type["values"]) keys.push_back(v["key"]);
  EXPECT_EQ(keys, (std::vector<std::string>{"rescue", "supplies", "medical", "evacuation"}));
  auto def_xml = Open311Get("services/" + code_ + ".xml");
  ASSERT_EQ(def_xml.status, 200);
  pugi::xml_document ddoc;
  ASSERT_TRUE(ddoc.load_string(def_xml.body.c_str()));
  auto attrs = ddoc.child("service_definition").child("attributes");
  EXPECT_EQ(std::distance(attrs.children("attribute").begin(), attrs.children("attribute").end()),
            4);
  EXPECT_EQ(
      std::string(
          attrs.child("attribute").child("values").child("value").child("key").text().as_string()),
      "situation");

  CloseIncident(incident_);
  EXPECT_TRUE(IncidentServiceListed().is_null());
  auto gone = Open311Get("services/" + code_ + ".json");
  EXPECT_EQ(gone.status, 400) << gone.body;
  EXPECT_EQ(Body(gone)[0]["code"], 400);
  EXPECT_EQ(Open311Get("services/incident-no-such.json").status, 404);
}

TEST_P(Open311IncidentTest, APostIsOneUnverifiedOpen311ReportInTheQueue) {
  auto posted = Open311Post("requests.json", Report());
  ASSERT_EQ(posted.status, 200) << posted.body;
  const json::Json answer = Body(posted);
  ASSERT_EQ(answer.size(), 1u);
  const std::string id = answer[0]["service_request_id"];
  EXPECT_FALSE(id.empty());
  EXPECT_NE(answer[0]["service_notice"].get<std::string>().find("待核实"), std::string::npos);
  EXPECT_EQ(Stored(), 1);

  auto queue = Get("ha", "/api/v1/incidents/" + incident_ + "/reports?state=unverified");
  ASSERT_EQ(queue.status, 200) << queue.body;
  const json::Json items = Body(queue)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["id"], id);
  EXPECT_EQ(items[0]["channel"], "open311");
  EXPECT_EQ(items[0]["state"], "unverified");
  EXPECT_EQ(items[0]["kind"], "need");
  EXPECT_EQ(items[0]["need_type"], "rescue");
  EXPECT_EQ(items[0]["count"], 2);
  EXPECT_EQ(items[0]["priority"], "critical");
  EXPECT_EQ(items[0]["text"], "3号楼困住老人两名，水已到一楼窗台");
  EXPECT_EQ(items[0]["contact"]["name"], "王芳");
  EXPECT_EQ(items[0]["contact"]["phone"], "13812345678");

  // In XML: the spec's created form.
  Form situation = {{"api_key", api_key_},
                    {"service_code", code_},
                    {"address_string", "文化路与江滨路口"},
                    {"description", "路口积水没过膝盖，车辆无法通行"}};
  auto xml = Open311Post("requests.xml", situation);
  ASSERT_EQ(xml.status, 200) << xml.body;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.body.c_str()));
  EXPECT_FALSE(std::string(doc.child("service_requests")
                               .child("request")
                               .child("service_request_id")
                               .text()
                               .as_string())
                   .empty())
      << xml.body;
  EXPECT_EQ(Stored(), 2);

  // GET requests lists 接诉即办 requests only: an incident's code lists nothing.
  auto list = Open311Get("requests.json?service_code=" + code_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_TRUE(Body(list).empty()) << list.body;
}

TEST_P(Open311IncidentTest, BadInputIsTheSpecsErrorAndStoresNothing) {
  const std::string closed = Open("已结束的事件");
  CloseIncident(closed);
  auto expect = [&](Form form, int status, std::string_view says) {
    auto r = Open311Post("requests.json", form);
    EXPECT_EQ(r.status, status) << r.body;
    const json::Json b = json::Json::parse(r.body, nullptr, false);
    ASSERT_TRUE(b.is_array() && b.size() == 1u) << r.body;
    EXPECT_EQ(b[0]["code"], status) << r.body;
    EXPECT_NE(b[0]["description"].get<std::string>().find(says), std::string::npos) << r.body;
  };
  auto with = [&](std::string key, std::string value) {
    Form f = Report();
    bool set = false;
    for (auto& [k, v] : f)
      if (k == key) v = value, set = true;
    if (!set) f.emplace_back(key, value);
    return f;
  };
  auto without = [&](std::string key) {
    Form f = Report();
    std::erase_if(f, [&](const auto& kv) { return kv.first == key; });
    return f;
  };
  expect(without("description"), 400, "description");
  expect(with("description", "   "), 400, "description");
  expect(with("attribute[kind]", "gossip"), 400, "attribute[kind]");
  expect(with("attribute[need_type]", "pizza"), 400, "attribute[need_type]");
  expect(without("attribute[need_type]"), 400, "attribute[need_type]");
  expect(with("attribute[count]", "two"), 400, "attribute[count]");
  expect(with("attribute[priority]", "asap"), 400, "attribute[priority]");
  expect(with("attribute[colour]", "red"), 400, "attribute[colour]");
  expect(with("attribute[kind][]", "need"), 400, "attribute[kind][]");
  expect(with("media_url", "https://photos.example.org/1.jpg"), 400, "media_url");
  expect(with("lat", "north"), 400, "lat");
  expect(with("service_code", "incident-no-such"), 404, "not a service");
  expect(with("service_code", "incident-" + closed), 400, "closed");
  expect(without("api_key"), 403, "api_key");
  EXPECT_EQ(Stored(), 0);
  // A matter's service still takes requests as before.
  auto matter = Open311Post("requests.json", {{"api_key", api_key_},
                                              {"service_code", "01-01-01"},
                                              {"address_string", "湖畔社区南门"},
                                              {"description", "南门占道摆摊"}});
  EXPECT_EQ(matter.status, 200) << matter.body;
  EXPECT_EQ(Stored(), 0);
}

TEST_P(Open311IncidentTest, TooManyFromOneAddressIs429WithRetryAfter) {
  int created = 0;
  ClientResponse last;
  for (int i = 0; i < 20; ++i) {
    last = Open311Post("requests.json",
                       {{"api_key", api_key_},
                        {"service_code", code_},
                        {"address_string", fmt::format("文化路{}号", i)},
                        {"description", fmt::format("第{}处积水，深约{}厘米", i, 20 + i)}});
    if (last.status == 200) ++created;
  }
  EXPECT_EQ(created, 16);
  EXPECT_EQ(last.status, 429) << last.body;
  EXPECT_FALSE(last.Header("retry-after").empty());
  const json::Json b = Body(last);
  ASSERT_TRUE(b.is_array());
  EXPECT_EQ(b[0]["code"], 429);
  EXPECT_EQ(Stored(), 16);
}

INSTANTIATE_TEST_SUITE_P(Backends, Open311IncidentTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
