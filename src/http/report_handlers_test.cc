// The monthly report over the real routes, on every backend: the city's PDF
// for a leader (attachment headers with the Chinese file name, the sha256
// that was audited, the same bytes the second time), a street's XLSX for its
// lead, the list of generated reports, and the refusals — a bad or missing
// month, format or refresh 400, an unknown unit 404, a resident or a handler
// 403 — none of which stores a report.
#include "http/openapi.h"
#include "http/request_routes_fixture.h"

namespace xietong::http {
namespace {

class ReportRoutesTest : public RequestRoutesTest {
 protected:
  std::string Month() { return requests::MonthKey(clock_.Now()); }
  std::int64_t Stored() {
    auto n = t_->db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
      XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM insight_reports"));
      return row ? row->Int(0) : 0;
    });
    return n.value_or(-1);
  }
};

TEST_P(ReportRoutesTest, ALeaderGetsTheCityPdfAndALeadTheStreetsXlsx) {
  const std::string month = Month();
  auto pdf = Get("lead", "/api/v1/insight/reports/monthly?month=" + month + "&format=pdf");
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.Header("content-type"), "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  const std::string disposition = pdf.Header("content-disposition");
  EXPECT_NE(disposition.find("attachment; filename=\"report-" + month + ".pdf\""),
            std::string::npos)
      << disposition;
  // 接诉即办工作月报-…-全市.pdf, percent-encoded UTF-8.
  EXPECT_NE(disposition.find("filename*=UTF-8''%E6%8E%A5%E8%AF%89"), std::string::npos)
      << disposition;
  const std::string sha = pdf.Header("x-report-sha256");
  EXPECT_EQ(sha.size(), 64u);
  auto again = Get("lead", "/api/v1/insight/reports/monthly?month=" + month);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.Header("x-report-sha256"), sha);  // the current month, served as stored
  EXPECT_EQ(again.body, pdf.body);

  auto xlsx = Get("sl", "/api/v1/insight/reports/monthly?month=" + month + "&unit=" + street_a_.id +
                            "&format=xlsx");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(xlsx.Header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(xlsx.body.rfind("PK", 0), 0u);
  EXPECT_NE(xlsx.Header("content-disposition").find("report-" + month + "-JL-01-01.xlsx"),
            std::string::npos);

  auto list = Get("lead", "/api/v1/insight/reports?month=" + month);
  ASSERT_EQ(list.status, 200) << list.body;
  auto items = json::Json::parse(list.body)["items"];
  ASSERT_EQ(items.size(), 2u);
  auto own = Get("sl", "/api/v1/insight/reports?month=" + month);  // the street's only
  ASSERT_EQ(own.status, 200);
  ASSERT_EQ(json::Json::parse(own.body)["items"].size(), 1u);
  EXPECT_EQ(json::Json::parse(own.body)["items"][0]["format"], "xlsx");
}

TEST_P(ReportRoutesTest, BadInputAndStrangersAreRefusedAndNothingIsStored) {
  const std::string month = Month();
  const std::string base = "/api/v1/insight/reports/monthly";
  for (const std::string& q : std::vector<std::string>{
           "", "?month=", "?month=2026-13", "?month=11-2026", "?month=2099-01",
           "?month=" + month + "&format=doc", "?month=" + month + "&refresh=2"}) {
    auto r = Get("lead", base + q);
    EXPECT_EQ(r.status, 400) << q << " " << r.body;
  }
  EXPECT_EQ(Get("lead", base + "?month=" + month + "&unit=no-such-unit").status, 404);
  EXPECT_EQ(Get("res", base + "?month=" + month).status, 403);
  EXPECT_EQ(Get("ha", base + "?month=" + month).status, 403);
  EXPECT_EQ(Get("sl", base + "?month=" + month + "&unit=" + street_b_.id).status, 403);
  EXPECT_EQ(Get("lead", "/api/v1/insight/reports?month=13").status, 400);
  EXPECT_EQ(Stored(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportRoutesTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace xietong::http
