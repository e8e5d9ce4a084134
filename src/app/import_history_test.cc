// The history importer against real databases (every backend): rows become
// closed or open requests of the right matter, place and unit; bad rows are
// counted by reason; a second run skips what the first stored; the rates
// rollup counts the imported rows; and most of the real US 311 rows import.
#include "app/import_history.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/demo_matters.h"
#include "audit/audit_log.h"
#include "core/csv.h"
#include "requests/rates.h"
#include "storage/testing.h"

namespace xietong::app {
namespace {

using identity::OrgUnit;
using identity::Principal;
using identity::UnitKind;
using requests::Request;
using requests::Status;

// Monday 2026-11-23 10:00 +08:00.
constexpr Timestamp kMonday10 = 1'795'399'200'000'000;

std::string Rect(double lon0, double lat0, double lon1, double lat1) {
  return fmt::format(
      R"({{"type":"Polygon","coordinates":[[[{0},{1}],[{2},{1}],[{2},{3}],[{0},{3}],[{0},{1}]]]}})",
      lon0, lat0, lon1, lat1);
}

constexpr const char* kHeader =
    "city,source_repo,source_path,request_id,created_at,closed_at,due_at,status,agency,"
    "agency_name,complaint_type,descriptor,channel,district,neighborhood,zip,latitude,longitude,"
    "resolution_text\r\n";

// One us311 record from the fields that matter here.
struct Row {
  std::string city, request_id, created_at, closed_at, due_at, status, complaint_type, descriptor,
      district, neighborhood, zip, latitude, longitude, resolution_text;
};

std::string Record(const Row& r) {
  std::string out;
  csv::AppendRecord(
      out, {r.city, "test/repo", "test.csv", r.request_id, r.created_at, r.closed_at, r.due_at,
            r.status, "AG", "Agency", r.complaint_type, r.descriptor, "Phone", r.district,
            r.neighborhood, r.zip, r.latitude, r.longitude, r.resolution_text});
  return out;
}

// Six rows that import and seven that do not, one per reason.
std::string Sample() {
  std::string csv = kHeader;
  // Imported:
  csv += Record({"Los Angeles", "1-1", "2017-12-31 23:59:58", "2018-01-03 10:11:23", "", "Closed",
                 "Bulky Items", "", "1", "HISTORIC HIGHLAND PARK NC", "90042", "34.1159756752",
                 "-118.190273984", ""});
  csv += Record({"New York", "2", "2020-01-02 10:00:00", "", "", "In Progress",
                 "Noise - Commercial", "Loud Music/Party", "BROOKLYN", "", "11221", "", "", ""});
  csv +=
      Record({"New York", "3", "2014-01-02 10:00:00", "2014-01-03 10:00:00", "2014-01-02 18:00:00",
              "Closed", "Illegal Parking", "Blocked Hydrant", "QUEENS", "07 QUEENS", "11373", "",
              "", "An inspection of the property was conducted and no violations were found."});
  csv += Record({"Baltimore", "7", "2016-05-23 20:00:00", "2016-05-24 20:00:00", "", "Closed",
                 "SW-Graffiti Removal", "", "9", "", "", "39", "-77", ""});
  csv += Record({"Los Angeles", "10", "2018-03-01 09:00:00", "2018-03-02 09:00:00", "", "Closed",
                 "Feedback", "", "4", "SYLMAR NC", "91342", "", "", ""});
  csv += Record({"Baltimore", "11", "2016-06-01 08:00:00", "", "", "Open",
                 "SW-Rat Rubout Proactive", "", "1", "Canton", "21224", "39", "-77", ""});
  // Rejected:
  csv += Record({"New York", "4", "2014-01-05 10:00:00", "2014-01-04 10:00:00", "", "Closed",
                 "Noise - Residential", "Loud Music/Party", "BRONX", "", "", "", "", ""});
  csv += Record({"New York", "5", "", "", "", "Open", "Noise", "", "BRONX", "", "", "", "", ""});
  csv += Record(
      {"New York", "6", "yesterday", "", "", "Open", "Noise", "", "BRONX", "", "", "", "", ""});
  csv += Record({"Baltimore", "8", "2016-05-23 20:00:00", "", "", "Open", "SW-Graffiti Removal", "",
                 "", "", "", "39", "-77", ""});
  csv += Record({"Baltimore", "", "2016-05-23 20:00:00", "", "", "Open", "SW-Dirty Alley", "", "3",
                 "", "", "", "", ""});
  csv += "Baltimore,a,b,12,2016-05-23 20:00:00,,,Open,,,SW-Dirty Alley,,,,,,,,,one too many\r\n";
  csv += Record({"New York", "2", "2020-01-02 10:00:00", "", "", "In Progress",
                 "Noise - Commercial", "Loud Music/Party", "BROOKLYN", "", "11221", "", "", ""});
  return csv;
}

class ImportHistoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    t_ = storage::testing::TestDatabase::Create(GetParam());
    ASSERT_NE(t_, nullptr);
    ASSERT_TRUE(storage::ApplySchemas(db(), {&requests::Schema()}, 0));
    auto cal = WorkCalendar::LoadFile(DefaultCalendarPath());
    ASSERT_TRUE(cal) << cal.error().message;
    calendar_.emplace(std::move(*cal));
    identity_ = std::make_unique<identity::IdentityService>(db(), clock_, ids_);
    matters_ = std::make_unique<matters::MatterService>(db(), clock_, ids_);
    requests_ = std::make_unique<requests::RequestService>(db(), clock_, ids_, *calendar_,
                                                           *identity_, *matters_);
    BuildCity();
    auto seeded = matters_->Seed(Principal::System(), DemoMatters());
    ASSERT_TRUE(seeded) << seeded.error().message;
    dir_ = storage::testing::MakeTempDir();
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A small 江澜市: three districts with one street, one community and two
  // grids each, their two district departments, the 18 city departments and
  // the centre (the demo city itself hashes ~200 passwords).
  void BuildCity() {
    const OrgUnit city =
        Unit(std::nullopt, UnitKind::kCity, "JL", "江澜市", Rect(119.0, 30.1, 119.3, 30.2));
    centre_ = Unit(city.id, UnitKind::kCentre, "JL-12345", "12345热线中心", std::nullopt);
    for (int d = 1; d <= 18; ++d)
      Unit(city.id, UnitKind::kDepartment, fmt::format("JL-D{:02}", d), fmt::format("市部门{}", d),
           std::nullopt);
    for (int i = 0; i < 3; ++i) {
      const double w = 119.0 + 0.1 * i, e = w + 0.1;
      const std::string code = fmt::format("JL-{:02}", i + 1);
      const OrgUnit district = Unit(city.id, UnitKind::kDistrict, code,
                                    fmt::format("第{}区", i + 1), Rect(w, 30.1, e, 30.2));
      Unit(district.id, UnitKind::kDepartment, code + "-D01", fmt::format("{}区城管局", i + 1),
           std::nullopt);
      Unit(district.id, UnitKind::kDepartment, code + "-D02", fmt::format("{}区住建局", i + 1),
           std::nullopt);
      const OrgUnit street = Unit(district.id, UnitKind::kStreet, code + "-01",
                                  fmt::format("第{}街道", i + 1), Rect(w, 30.1, e, 30.2));
      const OrgUnit community = Unit(street.id, UnitKind::kCommunity, code + "-01-01",
                                     fmt::format("第{}社区", i + 1), Rect(w, 30.1, e, 30.2));
      Unit(community.id, UnitKind::kGrid, code + "-01-01-01", fmt::format("第{}社区一网格", i + 1),
           Rect(w, 30.1, w + 0.05, 30.2));
      Unit(community.id, UnitKind::kGrid, code + "-01-01-02", fmt::format("第{}社区二网格", i + 1),
           Rect(w + 0.05, 30.1, e, 30.2));
    }
  }

  OrgUnit Unit(std::optional<std::string> parent, UnitKind kind, std::string code, std::string name,
               std::optional<std::string> geometry) {
    auto r = identity_->CreateUnit(Principal::System(), {std::move(parent), kind, std::move(code),
                                                         std::move(name), std::move(geometry)});
    EXPECT_TRUE(r) << r.error().message;
    return r.value_or(OrgUnit{});
  }

  std::string Write(std::string_view name, const std::string& text) {
    const std::string path = (std::filesystem::path(dir_) / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  Result<ImportReport> Import(std::vector<std::string> files, int batch = 2000,
                              const ImportProgress& progress = {}, std::int64_t limit = 0) {
    ImportOptions o;
    o.files = std::move(files);
    o.batch = batch;
    o.limit = limit;
    o.as_of = kMonday10;
    return ImportUs311(*calendar_, *requests_, *matters_, o, progress);
  }

  std::optional<Request> ByExternalId(const std::string& external_id) {
    auto r = requests_->FindByExternalId(external_id);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::nullopt;
  }

  std::int64_t StoredRequests() {
    auto n = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM requests"));
      return row->Int(0);
    });
    EXPECT_TRUE(n) << n.error().message;
    return n.value_or(-1);
  }

  std::string MatterName(const Request& r) {
    auto m = matters_->Get(r.matter_id);
    EXPECT_TRUE(m) << m.error().message;
    return m ? m->name : "";
  }

  std::string CodeOf(const std::string& unit_id) {
    auto dir = requests_->directory();
    EXPECT_TRUE(dir);
    const OrgUnit* u = dir ? (*dir)->Find(unit_id) : nullptr;
    return u ? u->code : "";
  }

  storage::Database& db() { return t_->db(); }

  std::unique_ptr<storage::testing::TestDatabase> t_;
  ManualClock clock_{kMonday10};
  IdGenerator ids_{clock_};
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<matters::MatterService> matters_;
  std::unique_ptr<requests::RequestService> requests_;
  OrgUnit centre_;
  std::string dir_;
};

TEST_P(ImportHistoryTest, StoresClosedAndOpenRowsAndCountsEveryRejectionByReason) {
  auto report = Import({Write("sample.csv", Sample())});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->read, 13);
  EXPECT_EQ(report->imported, 6);
  EXPECT_EQ(report->skipped_existing, 0);
  EXPECT_EQ(report->rejected, 7);
  EXPECT_EQ(report->general_matter, 1);
  const std::map<std::string, std::int64_t> reasons = {
      {"closed before created", 1},
      {"missing created_at", 1},
      {"unreadable created_at", 1},
      {"no unit to route to (no place and a local handler)", 1},
      {"missing request_id", 1},
      {"more fields than the header", 1},
      {"request_id twice in the input", 1}};
  EXPECT_EQ(report->rejected_by_reason, reasons);
  EXPECT_EQ(StoredRequests(), 6);

  // A closed bulky-item pickup: the district's 城管局, resolved, on a grid of
  // one of Los Angeles' two districts, with the US address kept as text only.
  auto bulky = ByExternalId("Los Angeles:1-1");
  ASSERT_TRUE(bulky);
  EXPECT_EQ(bulky->channel, requests::Channel::kImport);
  EXPECT_EQ(bulky->status, Status::kClosed);
  EXPECT_EQ(MatterName(*bulky), "垃圾清运不及时");
  EXPECT_EQ(bulky->resolved, true);
  EXPECT_FALSE(bulky->satisfaction.has_value());
  EXPECT_TRUE(bulky->number.starts_with("20171231")) << bulky->number;
  EXPECT_EQ(FormatRfc3339(bulky->received_at), "2017-12-31T23:59:58+08:00");
  EXPECT_EQ(bulky->dispatched_at, bulky->received_at);
  EXPECT_EQ(FormatRfc3339(bulky->closed_at), "2018-01-03T10:11:23+08:00");
  EXPECT_EQ(bulky->replied_at, bulky->closed_at);
  EXPECT_GE(bulky->signed_at - bulky->dispatched_at, 30 * kMicrosPerMinute);
  EXPECT_LE(bulky->signed_at - bulky->dispatched_at, 6 * kMicrosPerHour);
  EXPECT_EQ(bulky->place.address, "Los Angeles · HISTORIC HIGHLAND PARK NC · 90042");
  EXPECT_FALSE(bulky->place.lat.has_value());
  EXPECT_FALSE(bulky->place.grid_id.empty());
  const std::string district = CodeOf(bulky->place.district_id);
  EXPECT_TRUE(district == "JL-01" || district == "JL-02") << district;
  EXPECT_EQ(CodeOf(bulky->unit_id), district + "-D01");
  EXPECT_EQ(bulky->centre_id, centre_.id);
  EXPECT_TRUE(bulky->anonymous);
  // An urgent matter: 24 hours to finish, replied after two and a half days.
  EXPECT_EQ(FormatRfc3339(bulky->finish_due), "2018-01-01T23:59:58+08:00");
  EXPECT_TRUE(bulky->finish_late);

  // Open and in progress in the source: signed, late by now.
  auto noise = ByExternalId("New York:2");
  ASSERT_TRUE(noise);
  EXPECT_EQ(noise->status, Status::kSigned);
  EXPECT_EQ(MatterName(*noise), "商业经营噪声");
  EXPECT_EQ(noise->title, "Noise - Commercial - Loud Music/Party");
  EXPECT_TRUE(noise->finish_late);
  EXPECT_FALSE(noise->resolved.has_value());

  // Closed with "no violations were found": not resolved; the source's due
  // time stands, and it was replied after it.
  auto parking = ByExternalId("New York:3");
  ASSERT_TRUE(parking);
  EXPECT_EQ(MatterName(*parking), "违章停车");
  EXPECT_EQ(CodeOf(parking->unit_id), "JL-D12");
  EXPECT_EQ(parking->resolved, false);
  EXPECT_EQ(FormatRfc3339(parking->finish_due), "2014-01-02T18:00:00+08:00");
  EXPECT_TRUE(parking->finish_late);
  EXPECT_NE(parking->text.find("no violations"), std::string::npos);

  // Placeholder coordinates and only a council district: placed on a street
  // of Baltimore's district, and handled there.
  auto graffiti = ByExternalId("Baltimore:7");
  ASSERT_TRUE(graffiti);
  EXPECT_EQ(MatterName(*graffiti), "小广告乱贴乱画");
  EXPECT_TRUE(graffiti->place.grid_id.empty());
  EXPECT_EQ(CodeOf(graffiti->place.street_id), "JL-02-01");
  EXPECT_EQ(graffiti->unit_id, graffiti->place.street_id);
  EXPECT_EQ(graffiti->place.address, "Baltimore · 9");

  // No word for "Feedback": the first leaf under 城乡建设.
  auto feedback = ByExternalId("Los Angeles:10");
  ASSERT_TRUE(feedback);
  EXPECT_EQ(MatterName(*feedback), "占道经营");

  // Open and only "Open" in the source: dispatched, never signed, late.
  auto rats = ByExternalId("Baltimore:11");
  ASSERT_TRUE(rats);
  EXPECT_EQ(rats->status, Status::kDispatched);
  EXPECT_EQ(rats->signed_at, 0);
  EXPECT_TRUE(rats->sign_late);
  EXPECT_EQ(MatterName(*rats), "病媒生物防制");
  EXPECT_EQ(CodeOf(rats->place.district_id), "JL-02");
  EXPECT_FALSE(rats->place.grid_id.empty());
}

TEST_P(ImportHistoryTest, SameNeighbourhoodSameGridAndAReRunSkipsWhatIsStored) {
  auto first = Import({Write("sample.csv", Sample())});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->imported, 6);

  // The same file again plus a second one: one new row, one old, and the
  // neighbourhood of an old row.
  std::string more = kHeader;
  more += Record({"Los Angeles", "1-1", "2017-12-31 23:59:58", "2018-01-03 10:11:23", "", "Closed",
                  "Bulky Items", "", "1", "HISTORIC HIGHLAND PARK NC", "90042", "", "", ""});
  more += Record({"Los Angeles", "1-2", "2019-06-03 11:00:00", "2019-06-04 11:00:00", "", "Closed",
                  "Graffiti Removal", "", "1", "HISTORIC HIGHLAND PARK NC", "90042", "", "", ""});
  auto second = Import({Write("sample.csv", Sample()), Write("more.csv", more)});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->read, 15);
  EXPECT_EQ(second->imported, 1);
  EXPECT_EQ(second->skipped_existing, 8);  // the six stored, the input's repeat of NY:2, LA:1-1
  EXPECT_EQ(second->rejected, 6);
  EXPECT_EQ(StoredRequests(), 7);

  auto old_row = ByExternalId("Los Angeles:1-1");
  auto new_row = ByExternalId("Los Angeles:1-2");
  ASSERT_TRUE(old_row && new_row);
  EXPECT_EQ(new_row->place.grid_id, old_row->place.grid_id);
  EXPECT_EQ(MatterName(*new_row), "小广告乱贴乱画");
}

TEST_P(ImportHistoryTest, TheRatesRollupCountsImportedRowsInTheirMonths) {
  auto report = Import({Write("sample.csv", Sample())});
  ASSERT_TRUE(report) << report.error().message;
  auto ranking = db().Read([&](storage::Executor& ex) {
    requests::rates::RankingQuery q;
    q.from_month = "2000-01";
    q.to_month = "2999-12";
    return requests::rates::Ranking(ex, q);
  });
  ASSERT_TRUE(ranking) << ranking.error().message;
  requests::rates::Counters total;
  for (const auto& u : *ranking) total += u.counters;
  EXPECT_EQ(total.dispatched, 6);
  EXPECT_EQ(total.replied, 4);  // the closed rows
  EXPECT_EQ(total.rated, 0);    // the source has no satisfaction ratings
  EXPECT_FALSE(ranking->front().satisfaction_rate.has_value());

  // The 2017-12 bulky pickup counts in December 2017, for its unit.
  auto bulky = ByExternalId("Los Angeles:1-1");
  ASSERT_TRUE(bulky);
  auto december = db().Read([&](storage::Executor& ex) {
    requests::rates::RankingQuery q;
    q.from_month = "2017-12";
    q.to_month = "2017-12";
    return requests::rates::Ranking(ex, q);
  });
  ASSERT_TRUE(december) << december.error().message;
  ASSERT_EQ(december->size(), 1u);
  EXPECT_EQ(december->front().unit_id, bulky->unit_id);
  EXPECT_EQ(december->front().counters.replied, 1);
}

TEST_P(ImportHistoryTest, BatchesReportProgressAndTheLimitStopsReading) {
  std::vector<std::int64_t> rows;
  std::int64_t last_done = -1, total = 0;
  auto report = Import({Write("sample.csv", Sample())}, 2,
                       [&](std::int64_t done, std::int64_t all, std::int64_t read) {
                         EXPECT_GE(done, last_done);
                         last_done = done;
                         total = all;
                         rows.push_back(read);
                       });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->imported, 6);
  ASSERT_EQ(rows.size(), 4u);  // three full batches and the end
  EXPECT_EQ(rows.back(), 13);
  EXPECT_GT(total, 0);
  EXPECT_EQ(last_done, total);
  // Six batches of one each would be audited six times; three of two, three.
  auto events = db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM audit_events WHERE action = ?",
                                              {"request.imported"}));
    return row->Int(0);
  });
  ASSERT_TRUE(events) << events.error().message;
  EXPECT_EQ(*events, 3);

  auto limited = Import({Write("other.csv", Sample())}, 2000, {}, 3);
  ASSERT_TRUE(limited) << limited.error().message;
  EXPECT_EQ(limited->read, 3);
  EXPECT_EQ(limited->skipped_existing, 3);
}

TEST_P(ImportHistoryTest, ABadFileStopsTheImportBeforeAnythingIsStored) {
  const std::string good = Write("good.csv", Sample());
  const std::string no_created =
      Write("bad.csv", "city,request_id,complaint_type\r\nX,1,Noise\r\n");
  auto missing_column = Import({good, no_created});
  ASSERT_FALSE(missing_column);
  EXPECT_EQ(missing_column.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing_column.error().message.find("created_at"), std::string::npos)
      << missing_column.error().message;
  auto missing_file = Import({good, dir_ + "/nowhere.csv"});
  ASSERT_FALSE(missing_file);
  EXPECT_EQ(missing_file.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(StoredRequests(), 0);
}

TEST_P(ImportHistoryTest, MostRealUs311RowsImport) {
#ifndef XIETONG_SHARED_DATA_DIR
  GTEST_SKIP() << "XIETONG_SHARED_DATA_DIR is not defined for this build";
#else
  std::vector<std::string> files;
  const std::filesystem::path us311 = std::filesystem::path(XIETONG_SHARED_DATA_DIR) / "us311";
  if (std::filesystem::is_directory(us311))
    for (const auto& e : std::filesystem::directory_iterator(us311))
      if (e.path().string().ends_with(".csv.gz")) files.push_back(e.path().string());
  if (files.empty()) {
    // scripts/test.sh sets XIETONG_REQUIRE_DATA when ../shared/data is there.
    ASSERT_EQ(std::getenv("XIETONG_REQUIRE_DATA"), nullptr) << "no us311 files in " << us311;
    GTEST_SKIP() << "no us311 files in " << us311;
  }
  std::sort(files.begin(), files.end());
  auto report = Import(files, 2000, {}, 5000);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->read, 5000);
  EXPECT_GE(report->imported, 4750) << "rejected " << report->rejected;
  EXPECT_LE(report->general_matter, report->imported / 10);
  EXPECT_EQ(StoredRequests(), report->imported);
#endif
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportHistoryTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

TEST(ParseSourceTime, ReadsTheWallTimeAsShanghaiTime) {
  auto t = [](std::string_view s) {
    auto r = ParseSourceTime(s);
    return r ? FormatRfc3339(*r) : "error: " + r.error().message;
  };
  EXPECT_EQ(t("2017-12-31 23:59:58"), "2017-12-31T23:59:58+08:00");
  EXPECT_EQ(t("2017-12-31T23:59:58.250"), "2017-12-31T23:59:58.250000+08:00");
  EXPECT_EQ(t("2017-12-31 23:59"), "2017-12-31T23:59:00+08:00");
  EXPECT_EQ(t("2017-12-31"), "2017-12-31T00:00:00+08:00");
  EXPECT_EQ(t("2017-12-31T23:59:58Z"), "2017-12-31T23:59:58+08:00");
  EXPECT_EQ(t("2017-12-31T23:59:58-05:00"), "2017-12-31T23:59:58+08:00");
  EXPECT_EQ(t("12/31/2017 11:59:58 PM"), "2017-12-31T23:59:58+08:00");
  EXPECT_EQ(t("1/2/2014 12:05:00 AM"), "2014-01-02T00:05:00+08:00");
  EXPECT_EQ(t("1/2/2014"), "2014-01-02T00:00:00+08:00");
  for (auto bad : {"", "yesterday", "2017-13-01 00:00:00", "2017-12-31 25:00:00",
                   "13/31/2017 11:59:58 PM", "2017-12-31 23:59:58 garbage"})
    EXPECT_FALSE(ParseSourceTime(bad)) << bad;
}

TEST(MatterWordFor, TheTypeDecidesAndAGeneralTypeListensToItsDescriptor) {
  EXPECT_EQ(MatterWordFor("Noise - Commercial", "Loud Music/Party"), "商业经营噪声");
  EXPECT_EQ(MatterWordFor("Noise", "Noise: Construction Before/After Hours (NM1)"), "施工扰民");
  EXPECT_EQ(MatterWordFor("Noise", "Noise: Alarms (NR3)"), "噪声");
  EXPECT_EQ(MatterWordFor("Illegal Parking", "Street Cleaning - ASP"), "违停");
  EXPECT_EQ(MatterWordFor("Illegal Parking", "Blocked Hydrant"), "违停");
  EXPECT_EQ(MatterWordFor("Dead Animal Removal", ""), "清扫");
  EXPECT_EQ(MatterWordFor("Metal/Household Appliances", ""), "垃圾清运");
  EXPECT_EQ(MatterWordFor("APPLIANCE", "ELECTRIC/GAS RANGE"), "物业");
  EXPECT_EQ(MatterWordFor("HEAT/HOT WATER", "ENTIRE BUILDING"), "物业");
  EXPECT_EQ(MatterWordFor("BGE-StLight(s) Out", ""), "路灯");
  EXPECT_EQ(MatterWordFor("Homeless Street Condition", ""), "乞讨");
  EXPECT_EQ(MatterWordFor("Separate Ratio", ""), "");  // "rat" only at a word's start
  EXPECT_EQ(MatterWordFor("Feedback", ""), "");
}

TEST(MatterTableWords, EachNamesALeafOfTheDemoCatalogue) {
  const auto matters = DemoMatters();
  for (auto word : MatterTableWords()) {
    bool found = false;
    for (const auto& m : matters) {
      if (!m.is_leaf()) continue;
      if (m.name.find(word) != std::string::npos) found = true;
      for (const auto& k : m.keywords)
        if (k.find(word) != std::string::npos) found = true;
    }
    EXPECT_TRUE(found) << word;
  }
}

}  // namespace
}  // namespace xietong::app
