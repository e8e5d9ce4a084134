#include "requests/export.h"

#include <gtest/gtest.h>

#include "core/csv.h"

namespace xietong::requests {
namespace {

Request Sample() {
  Request r;
  r.number = "2026120200011";
  r.title = "=HYPERLINK(\"http://x\")";  // a formula a resident typed
  r.text = "路灯不亮，\n晚上很黑";
  r.place.address = "望湖街道湖畔社区3幢";
  r.unit_name = "市城市管理委员会";
  r.status = Status::kSigned;
  r.received_at = 1'796'000'000'000'000;  // 2026-11-30
  r.finish_late = true;
  r.satisfaction = Satisfaction::kBasicallySatisfied;
  return r;
}

TEST(Export, CsvHasTheTitleHeaderAndOneSafeRecordPerRequest) {
  const std::string csv = ExportCsv(
      {Sample()}, [](const Request&) { return std::string("路灯故障"); }, "工单导出");
  ASSERT_TRUE(csv.starts_with("\xEF\xBB\xBF"));
  auto reader = csv::Reader::FromString(csv.substr(3));
  std::vector<std::vector<std::string>> rows;
  while (true) {
    auto row = reader.Next();
    ASSERT_TRUE(row) << row.error().message;
    if (!*row) break;
    rows.push_back(**row);
  }
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "工单导出");
  EXPECT_EQ(rows[1], ExportHeader());
  const auto& cells = rows[2];
  ASSERT_EQ(cells.size(), ExportHeader().size());
  EXPECT_EQ(cells[0], "2026120200011");
  EXPECT_EQ(cells[1].size(), std::string("2026-11-30 10:13").size());
  EXPECT_EQ(cells[2].front(), '\'');  // never a live formula
  EXPECT_EQ(cells[3], "路灯不亮，\n晚上很黑");
  EXPECT_EQ(cells[4], "路灯故障");
  EXPECT_EQ(cells[7], "已签收");
  EXPECT_EQ(cells[10], "超期");
  EXPECT_EQ(cells[12], "基本满意");
}

TEST(Export, XlsxIsAZipWorkbook) {
  auto xlsx = ExportXlsx({Sample(), Sample()}, nullptr, "工单导出");
  ASSERT_TRUE(xlsx) << xlsx.error().message;
  ASSERT_GT(xlsx->size(), 1000u);
  EXPECT_EQ(xlsx->substr(0, 2), "PK");  // OOXML is a ZIP archive
  EXPECT_NE(xlsx->find("xl/worksheets/sheet1.xml"), std::string::npos);
}

}  // namespace
}  // namespace xietong::requests
