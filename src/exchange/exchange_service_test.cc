// 数据共享 on every backend: a department publishes and imports, another
// asks for three fields and gets two, the gateway answers masked and puts
// every answer on the audit chain, the resident reads who looked, grants
// are revoked, remote owners that fail or stall give 502/504, and the chain
// still verifies.
#include "exchange/exchange_service.h"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "core/xlsx.h"
#include "exchange/remote.h"
#include "storage/testing.h"

namespace xietong::exchange {
namespace {

using identity::AccountKind;
using identity::Membership;
using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

constexpr Timestamp kNow = 1'795'399'200'000'000;  // 2026-11-23 10:00 +08:00

json::Json Household() {
  return {{"code", "JL-GA-001"},
          {"title", "户籍人口信息"},
          {"description", "江澜市户籍人口的基本信息"},
          {"cycle", "daily"},
          {"share", "conditional"},
          {"share_condition", "社会救助、民政业务核验"},
          {"key_field", "id_number"},
          {"fields",
           {{{"name", "id_number"}, {"title", "公民身份号码"}, {"element", "id_number"}},
            {{"name", "name"}, {"title", "姓名"}, {"element", "person_name"}},
            {{"name", "phone"}, {"title", "联系电话"}, {"element", "mobile"}},
            {{"name", "address"}, {"title", "户籍地址"}, {"element", "address"}},
            {{"name", "religion"}, {"title", "宗教信仰"}, {"grade", "core"}}}}};
}

const std::string kRows =
    "id_number,name,phone,address,religion\n"
    "330102199003071230,林晓,13812345678,江澜市临江区滨江路88号,无\n"
    "11010519491231002X,张建国,13900001111,江澜市西湖区北山街1号,无\n";

// A tiny HTTP server for remote resources: /ok/<key> answers a record,
// /slow/ never answers in time, /garbage/ answers what is not JSON.
class FakeOwner {
 public:
  FakeOwner() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeOwner() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url(std::string_view path) const {
    return fmt::format("http://127.0.0.1:{}/{}", port_, path);
  }
  int calls() const { return calls_; }

 private:
  void Serve() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++calls_;
      char buf[4096];
      const auto n = ::read(c, buf, sizeof buf);
      const std::string req(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
      std::string body, status = "200 OK";
      if (req.find("GET /slow/") == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
      } else if (req.find("GET /garbage/") == 0) {
        body = "<html>oops</html>";
      } else if (req.find("GET /ok/missing") == 0) {
        status = "404 Not Found";
      } else {
        body = R"({"plate":"浙A12345","owner_id":"330102199003071230","status":"正常"})";
      }
      const std::string res =
          fmt::format("HTTP/1.1 {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", status,
                      body.size(), body);
      (void)!::write(c, res.data(), res.size());
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> calls_{0};
  std::thread thread_;
};

class ExchangeServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(t_->db(), {&Schema()}, 0));
    identity_ = std::make_unique<identity::IdentityService>(t_->db(), clock_, ids_);
    service_ = std::make_unique<ExchangeService>(t_->db(), clock_, ids_, *identity_, FetchRemote);
    service_->set_remote_timeout(std::chrono::milliseconds(300));
    city_ = Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市");
    police_ = Unit(city_.id, UnitKind::kDepartment, "JL-D02", "市公安局");
    civil_ = Unit(city_.id, UnitKind::kDepartment, "JL-D05", "市民政局");
    police_officer_ = As("po", police_, Role::kDataOfficer);
    police_deputy_ = As("pd", police_, Role::kDataOfficer);
    civil_officer_ = As("co", civil_, Role::kDataOfficer);
    civil_handler_ = As("ch", civil_, Role::kHandler);
    admin_ = As("admin", city_, Role::kAdmin);
    identity::NewAccount who;
    who.username = "linxiao";
    who.display_name = "林晓";
    who.kind = AccountKind::kResident;
    who.password = "correct horse 12";
    auto resident = identity_->CreateAccount(Principal::System(), who);
    ASSERT_TRUE(resident) << resident.error().message;
    resident_.account_id = resident->id;
    resident_.kind = AccountKind::kResident;
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
    auto r = identity_->CreateUnit(Principal::System(),
                                   {std::move(parent), kind, std::move(code), std::move(name), {}});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }
  static Principal As(std::string name, const OrgUnit& unit, Role role) {
    Principal p;
    p.account_id = "acct-" + name;
    p.username = name;
    p.display_name = "用户" + name;
    p.memberships.push_back(
        Membership{"m-" + name, p.account_id, unit.id, unit.name, unit.path, role});
    return p;
  }

  Resource Published() {
    auto r = service_->Publish(police_officer_, Household());
    EXPECT_TRUE(r) << r.error().message;
    auto imported = service_->Import(police_officer_, r->id, kRows, false);
    EXPECT_TRUE(imported && imported->accepted) << (imported ? "" : imported.error().message);
    return *r;
  }

  Grant Granted(const Resource& r) {
    auto req =
        service_->RequestAccess(civil_officer_, {{"resource_id", r.id},
                                                 {"fields", {"name", "phone", "address"}},
                                                 {"purpose_code", "subsistence-check"},
                                                 {"purpose", "最低生活保障资格核查"},
                                                 {"legal_basis", "《社会救助暂行办法》第十一条"}});
    EXPECT_TRUE(req) << req.error().message;
    auto ok = service_->Approve(police_officer_, req->id, {"name", "phone"}, {}, "地址不在用途内");
    EXPECT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->status, RequestStatus::kApproved);
    auto grants = service_->Grants(civil_officer_, r.id);
    EXPECT_TRUE(grants && grants->size() == 1);
    return grants->front();
  }

  void ExpectChainIntact() {
    auto report = audit::Verify(t_->db(), {});
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->ok()) << report->problem;
  }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kNow};
  IdGenerator ids_{clock_};
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<ExchangeService> service_;
  OrgUnit city_, police_, civil_;
  Principal police_officer_, police_deputy_, civil_officer_, civil_handler_, admin_, resident_;
};

TEST_P(ExchangeServiceTest, TwoOfThreeFieldsGrantedAnsweredMaskedAndLoggedForTheResident) {
  const Resource r = Published();
  const Grant g = Granted(r);
  ASSERT_EQ(g.fields.size(), 2u);

  auto answer = service_->Lookup(civil_handler_, r.id, {"330102199003071230", "110105194912310021"},
                                 "subsistence-check", {});
  ASSERT_TRUE(answer) << answer.error().message;
  ASSERT_EQ(answer->records.size(), 2u);
  EXPECT_TRUE(answer->records[0].found);
  EXPECT_EQ(answer->records[0].data, json::Json({{"name", "林*"}, {"phone", "138****5678"}}));
  EXPECT_FALSE(answer->records[1].found) << "an unknown key is answered as not found";
  EXPECT_GT(answer->audit_seq, 0);

  // The answer is on the chain, with masked keys only.
  auto events = t_->db().Read([&](storage::Executor& ex) { return audit::EventsFor(ex, g.id); });
  ASSERT_TRUE(events);
  const auto& last = events->back();
  EXPECT_EQ(last.action, "exchange.gateway.answered");
  EXPECT_EQ(last.payload.find("330102199003071230"), std::string::npos);
  EXPECT_NE(last.payload.find("330***********1230"), std::string::npos);

  // The resident sees the access once their identity number is linked.
  auto empty = service_->MyAccessLog(resident_);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  ASSERT_TRUE(service_->LinkResident(admin_, resident_.account_id, "330102199003071230"));
  auto log = service_->MyAccessLog(resident_);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].unit_name, "市民政局");
  EXPECT_EQ((*log)[0].purpose, "最低生活保障资格核查");
  EXPECT_EQ((*log)[0].fields, (std::vector<std::string>{"name", "phone"}));
  EXPECT_EQ((*log)[0].audit_seq, answer->audit_seq);
  ExpectChainIntact();
}

// Two accounts linked to one identity number are one person (participation's
// one vote per person asks); an account never linked is nobody's.
TEST_P(ExchangeServiceTest, PersonOfNamesEveryAccountLinkedToTheSameNumber) {
  auto none = service_->PersonOf(resident_.account_id);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->has_value());
  identity::NewAccount who;
  who.username = "linxiao2";
  who.display_name = "林晓";
  who.kind = AccountKind::kResident;
  who.password = "correct horse 13";
  auto second = identity_->CreateAccount(Principal::System(), who);
  ASSERT_TRUE(second) << second.error().message;
  who.username = "other";
  who.password = "correct horse 14";
  auto other = identity_->CreateAccount(Principal::System(), who);
  ASSERT_TRUE(other) << other.error().message;
  ASSERT_TRUE(service_->LinkResident(admin_, resident_.account_id, "330102199003071230"));
  ASSERT_TRUE(service_->LinkResident(admin_, second->id, "330102199003071230"));
  ASSERT_TRUE(service_->LinkResident(admin_, other->id, "11010519491231002X"));
  auto a = service_->PersonOf(resident_.account_id);
  auto b = service_->PersonOf(second->id);
  auto c = service_->PersonOf(other->id);
  ASSERT_TRUE(a && b && c);
  ASSERT_TRUE(a->has_value() && b->has_value() && c->has_value());
  EXPECT_EQ((*a)->digest, (*b)->digest);
  EXPECT_NE((*a)->digest, (*c)->digest);
  EXPECT_EQ((*a)->digest.find("330102"), std::string::npos) << "a digest, not the number";
  auto both = std::vector<std::string>{resident_.account_id, second->id};
  std::sort(both.begin(), both.end());
  EXPECT_EQ((*a)->account_ids, both);
  EXPECT_EQ((*b)->account_ids, both);
  EXPECT_EQ((*c)->account_ids, std::vector<std::string>{other->id});
}

TEST_P(ExchangeServiceTest, RefusalsNameTheMissingGrantOrField) {
  const Resource r = Published();
  auto none =
      service_->Lookup(civil_handler_, r.id, {"330102199003071230"}, "subsistence-check", {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(none.error().message.find("no active grant"), std::string::npos);
  const Grant g = Granted(r);
  auto purpose = service_->Lookup(civil_handler_, r.id, {"330102199003071230"}, "marketing", {});
  ASSERT_FALSE(purpose);
  EXPECT_NE(purpose.error().message.find("subsistence-check"), std::string::npos)
      << "names the purposes the unit does hold";
  auto field = service_->Lookup(civil_handler_, r.id, {"330102199003071230"}, "subsistence-check",
                                {"name", "address"});
  ASSERT_FALSE(field);
  EXPECT_NE(field.error().message.find("address"), std::string::npos);
  // Someone of another unit cannot use the civil affairs bureau's grant.
  auto other = service_->Lookup(As("x", police_, Role::kHandler), r.id, {"330102199003071230"},
                                "subsistence-check", {});
  ASSERT_FALSE(other);
  // Revoked: refused at once.
  ASSERT_TRUE(service_->Revoke(police_officer_, g.id, "用途已结束"));
  auto revoked =
      service_->Lookup(civil_handler_, r.id, {"330102199003071230"}, "subsistence-check", {});
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, ErrorCode::kPermissionDenied);
  // Refusals are recorded.
  auto refused = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM audit_events WHERE action ="
                                              " 'exchange.gateway.refused'"));
    return row->Int(0);
  });
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, 5);
  ExpectChainIntact();
}

TEST_P(ExchangeServiceTest, CoreFieldsNeedASecondOfficerAndNotShareableIsRefused) {
  const Resource r = Published();
  auto req = service_->RequestAccess(civil_officer_, {{"resource_id", r.id},
                                                      {"fields", {"name", "religion"}},
                                                      {"purpose_code", "census"},
                                                      {"purpose", "人口普查比对"},
                                                      {"legal_basis", "《全国人口普查条例》"}});
  ASSERT_TRUE(req) << req.error().message;
  auto first = service_->Approve(police_officer_, req->id, {"name", "religion"}, {}, "");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, RequestStatus::kAwaitingSecond);
  EXPECT_TRUE(first->grant_id.empty());
  auto same = service_->Approve(police_officer_, req->id, {}, {}, "");
  ASSERT_FALSE(same);
  auto outsider = service_->Approve(civil_officer_, req->id, {}, {}, "");
  ASSERT_FALSE(outsider);
  EXPECT_EQ(outsider.error().code, ErrorCode::kPermissionDenied);
  auto second = service_->Approve(police_deputy_, req->id, {}, {}, "");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->status, RequestStatus::kApproved);
  EXPECT_FALSE(second->grant_id.empty());

  json::Json closed = Household();
  closed["code"] = "JL-GA-009";
  closed["share"] = "none";
  auto c = service_->Publish(police_officer_, closed);
  ASSERT_TRUE(c) << c.error().message;
  auto refused = service_->RequestAccess(civil_officer_, {{"resource_id", c->id},
                                                          {"fields", {"name"}},
                                                          {"purpose_code", "x1"},
                                                          {"purpose", "用途"},
                                                          {"legal_basis", "依据"}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
}

TEST_P(ExchangeServiceTest, ImportsAreWholeOrNothingAndGradesNeedTheSteward) {
  auto r = service_->Publish(police_officer_, Household());
  ASSERT_TRUE(r);
  auto bad = service_->Import(police_officer_, r->id,
                              kRows + "330102199003071231,错号,13800000000,地址,无\n", false);
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->accepted);
  ASSERT_FALSE(bad->problems.empty());
  EXPECT_EQ(bad->problems[0].line, 4);
  auto stored = service_->Get(police_officer_, r->id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->resource.rows, 0) << "nothing of a refused import is stored";
  auto other = service_->Import(civil_officer_, r->id, kRows, false);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  // A defect in an optional field is accepted when asked, scored, and
  // handed to the owner as work (an event the hub's reaction files).
  auto defects = service_->Import(police_officer_, r->id,
                                  kRows + "310101198001010018,王五,1380000,地址,无\n", true);
  ASSERT_TRUE(defects) << defects.error().message;
  EXPECT_TRUE(defects->accepted);
  EXPECT_EQ(defects->stored, 3);
  EXPECT_LT(defects->scores.validity, 1);
  auto batches = t_->db().Read([&](storage::Executor& ex) {
    return audit::EventsAfter(ex, 0, "exchange.quality.defects", 10);
  });
  ASSERT_TRUE(batches);
  ASSERT_EQ(batches->size(), 1u);

  // An office PC's GBK file imports as the same text; bytes that are
  // neither UTF-8 nor GBK are refused naming the line, nothing stored.
  const std::string gbk =
      "id_number,name,phone,address,religion\n330102199003071230,\xC1\xD6\xCF\xFE,13812345678,"
      "\xBD\xAD\xC0\xBD\xCA\xD0\xC1\xD9\xBD\xAD\xC7\xF8\xB1\xF5\xBD\xAD\xC2\xB7"
      "88\xBA\xC5,\xCE\xDE\n";
  auto converted = service_->Import(police_officer_, r->id, gbk, false);
  ASSERT_TRUE(converted) << converted.error().message;
  EXPECT_TRUE(converted->accepted);
  EXPECT_EQ(converted->encoding, "gb18030");
  auto answered = service_->Records(police_officer_, r->id, "", 10);
  ASSERT_TRUE(answered);
  ASSERT_EQ(answered->records.size(), 1u);
  EXPECT_NE(answered->records[0].data.find("林晓"), std::string::npos);
  EXPECT_NE(answered->records[0].data.find("江澜市临江区滨江路88号"), std::string::npos);
  auto garbage = service_->Import(police_officer_, r->id, kRows + "\xFF\xFE\xFF,x\n", false);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().reason, "invalid_encoding");
  EXPECT_NE(garbage.error().message.find("line 4"), std::string::npos) << garbage.error().message;
  auto still = service_->Records(police_officer_, r->id, "", 10);
  ASSERT_TRUE(still);
  EXPECT_EQ(still->records.size(), 1u) << "the refused file changed nothing";

  // A workbook from a spreadsheet reads like the CSV: the row number Excel
  // shows names the bad row; a good one replaces the records whole.
  auto sheet = [](const std::string& second_id) {
    return WorkbookBytes([&](lxw_workbook* wb) {
      lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
      const char* header[] = {"id_number", "name", "phone", "address", "religion"};
      for (int c = 0; c < 5; ++c)
        worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), header[c], nullptr);
      const char* first[] = {"330102199003071230", "林晓", "13812345678", "江澜市临江区滨江路88号",
                             "无"};
      for (int c = 0; c < 5; ++c)
        worksheet_write_string(ws, 1, static_cast<lxw_col_t>(c), first[c], nullptr);
      worksheet_write_string(ws, 2, 0, second_id.c_str(), nullptr);
      worksheet_write_string(ws, 2, 1, "周小川", nullptr);
      // A phone typed as a number, as people do.
      worksheet_write_number(ws, 2, 2, 13900002222, nullptr);
      return LXW_NO_ERROR;
    });
  };
  auto bad_sheet = sheet("330102199003071231");
  ASSERT_TRUE(bad_sheet);
  auto refused_sheet = service_->Import(police_officer_, r->id, *bad_sheet, false);
  ASSERT_TRUE(refused_sheet) << refused_sheet.error().message;
  EXPECT_FALSE(refused_sheet->accepted);
  EXPECT_EQ(refused_sheet->encoding, "xlsx");
  ASSERT_FALSE(refused_sheet->problems.empty());
  EXPECT_EQ(refused_sheet->problems[0].line, 3);
  EXPECT_EQ(refused_sheet->problems[0].column, "id_number");
  auto good_sheet = sheet("11010519491231002X");
  ASSERT_TRUE(good_sheet);
  auto from_sheet = service_->Import(police_officer_, r->id, *good_sheet, false);
  ASSERT_TRUE(from_sheet) << from_sheet.error().message;
  EXPECT_TRUE(from_sheet->accepted);
  EXPECT_EQ(from_sheet->stored, 2);
  auto sheet_records = service_->Records(police_officer_, r->id, "", 10);
  ASSERT_TRUE(sheet_records);
  ASSERT_EQ(sheet_records->records.size(), 2u);
  EXPECT_NE(sheet_records->records[0].data.find("周小川"), std::string::npos);
  EXPECT_NE(sheet_records->records[0].data.find("13900002222"), std::string::npos);
  // Excel 97–2003 and a damaged workbook: refused by name, nothing changes.
  auto xls = service_->Import(police_officer_, r->id,
                              std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + "rest", false);
  ASSERT_FALSE(xls);
  EXPECT_EQ(xls.error().reason, "xls_unsupported");
  auto broken = service_->Import(police_officer_, r->id,
                                 good_sheet->substr(0, good_sheet->size() / 2), false);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().reason, "invalid_xlsx");
  auto unchanged = service_->Records(police_officer_, r->id, "", 10);
  ASSERT_TRUE(unchanged);
  EXPECT_EQ(unchanged->records.size(), 2u) << "the refused files changed nothing";

  // Grades: the deputy proposes, only the steward decides; 就高从严 follows.
  auto proposed = service_->ProposeGrade(police_deputy_, r->id, "phone", "important", "号码属敏感");
  ASSERT_TRUE(proposed) << proposed.error().message;
  EXPECT_EQ(proposed->status, "pending");
  EXPECT_FALSE(service_->DecideGrade(police_deputy_, proposed->id, true));
  auto decided = service_->DecideGrade(police_officer_, proposed->id, true);
  ASSERT_TRUE(decided) << decided.error().message;
  auto after = service_->Get(police_officer_, r->id);
  ASSERT_TRUE(after);
  EXPECT_EQ(FindField(after->resource, "phone")->grade, Grade::kImportant);
  EXPECT_EQ(after->effective_grade, Grade::kCore) << "religion is core";
  json::Json regrade = Household();
  regrade["grade"] = "core";
  auto sneaky = service_->Publish(police_officer_, regrade);
  ASSERT_FALSE(sneaky) << "a grade changes only through the steward's approval";
  ExpectChainIntact();
}

TEST_P(ExchangeServiceTest, RemoteOwnersThatFailGive502And504WithoutRetrying) {
  FakeOwner owner;
  auto publish = [&](std::string code, std::string path) {
    json::Json doc = {
        {"code", code},
        {"title", "机动车登记信息"},
        {"description", "由车管所系统实时应答"},
        {"share", "unconditional"},
        {"kind", "remote"},
        {"endpoint", owner.url(path)},
        {"key_field", "plate"},
        {"fields",
         {{{"name", "plate"}, {"title", "号牌"}, {"element", "plate"}},
          {{"name", "owner_id"}, {"title", "所有人身份号码"}, {"element", "id_number"}},
          {{"name", "status"}, {"title", "状态"}}}}};
    auto r = service_->Publish(police_officer_, doc);
    EXPECT_TRUE(r) << r.error().message;
    auto req = service_->RequestAccess(civil_officer_, {{"resource_id", r->id},
                                                        {"fields", {"status", "owner_id"}},
                                                        {"purpose_code", "vehicle-check"},
                                                        {"purpose", "救助对象车辆核查"},
                                                        {"legal_basis", "《社会救助暂行办法》"}});
    EXPECT_TRUE(req);
    EXPECT_TRUE(service_->Approve(police_officer_, req->id, {"status", "owner_id"}, {}, ""));
    return r->id;
  };
  const auto ok = publish("JL-GA-101", "ok");
  auto answer = service_->Lookup(civil_handler_, ok, {"浙A12345"}, "vehicle-check", {});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->records[0].data["owner_id"], "330***********1230");
  EXPECT_EQ(answer->records[0].data["status"], "正常");

  const auto slow = publish("JL-GA-102", "slow");
  const int before = owner.calls();
  auto timeout = service_->Lookup(civil_handler_, slow, {"浙A12345"}, "vehicle-check", {});
  ASSERT_FALSE(timeout);
  EXPECT_EQ(timeout.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_EQ(owner.calls() - before, 1) << "no retry";

  const auto garbage = publish("JL-GA-103", "garbage");
  auto failed = service_->Lookup(civil_handler_, garbage, {"浙A12345"}, "vehicle-check", {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUpstreamFailed);
  auto audited = t_->db().Read([&](storage::Executor& ex) {
    return audit::EventsAfter(ex, 0, "exchange.gateway.failed", 10);
  });
  ASSERT_TRUE(audited);
  EXPECT_EQ(audited->size(), 2u);
  ExpectChainIntact();
}

INSTANTIATE_TEST_SUITE_P(Backends, ExchangeServiceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::exchange
