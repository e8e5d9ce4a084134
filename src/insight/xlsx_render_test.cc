#include "insight/xlsx_render.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <pugixml.hpp>

#include <unistd.h>

#include "core/xlsx.h"
#include "insight/report_sample.h"

namespace xietong::insight {
namespace {

// The workbook's parts by name, read back with libzip.
class Parts {
 public:
  explicit Parts(const std::string& bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    zip_ = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (!zip_) zip_source_free(source);
    zip_error_fini(&error);
  }
  ~Parts() {
    if (zip_) zip_discard(zip_);
  }
  Parts(const Parts&) = delete;
  Parts& operator=(const Parts&) = delete;

  bool ok() const { return zip_ != nullptr; }
  bool Has(const std::string& name) const { return zip_name_locate(zip_, name.c_str(), 0) >= 0; }
  std::string Read(const std::string& name) const {
    std::string out;
    zip_file_t* f = zip_fopen(zip_, name.c_str(), 0);
    if (!f) return out;
    char buf[8192];
    for (zip_int64_t n; (n = zip_fread(f, buf, sizeof buf)) > 0;) {
      out.append(buf, static_cast<std::size_t>(n));
    }
    zip_fclose(f);
    return out;
  }

 private:
  zip_t* zip_ = nullptr;
};

class XlsxRender : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto xlsx = RenderXlsx(SampleReport());
    ASSERT_TRUE(xlsx) << xlsx.error().message;
    bytes_ = new std::string(std::move(*xlsx));
    // To open by hand; written aside and renamed, as tests run side by side.
    const std::string aside = "sample-report.xlsx." + std::to_string(getpid());
    std::ofstream(aside, std::ios::binary) << *bytes_;
    std::error_code ignored;
    std::filesystem::rename(aside, "sample-report.xlsx", ignored);
  }
  static void TearDownTestSuite() { delete bytes_; }
  static std::string* bytes_;
};
std::string* XlsxRender::bytes_ = nullptr;

TEST_F(XlsxRender, SheetsInTheDocumentsOrder) {
  ASSERT_NE(bytes_, nullptr);
  Parts parts(*bytes_);
  ASSERT_TRUE(parts.ok());
  pugi::xml_document wb;
  ASSERT_TRUE(wb.load_string(parts.Read("xl/workbook.xml").c_str()));
  std::vector<std::string> names;
  for (auto s : wb.select_nodes("//*[local-name()='sheet']")) {
    names.push_back(s.node().attribute("name").value());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"概况", "趋势与预测", "分类", "排名-街道", "得分",
                                             "表2  热点问题（前5位）", "表3  超期未办结单位",
                                             "预测", "摘要", "说明"}));
}

TEST_F(XlsxRender, TheOverviewReadsLikeTheReportWithFiguresAsNumbers) {
  ASSERT_NE(bytes_, nullptr);
  auto rows = ReadFirstSheet(*bytes_);
  ASSERT_TRUE(rows) << rows.error().message;
  const auto find = [&](const std::string& first) -> const SheetRow* {
    for (const auto& r : *rows) {
      if (!r.cells.empty() && r.cells[0] == first) return &r;
    }
    return nullptr;
  };
  ASSERT_NE(find("江澜市12345市民服务热线 接诉即办工作月报"), nullptr);
  ASSERT_NE(find("一、总体情况"), nullptr);
  const SheetRow* received = find("受理量");
  ASSERT_NE(received, nullptr);
  ASSERT_GE(received->cells.size(), 3u);
  EXPECT_EQ(received->cells[1], "7214");  // a number, not the text 7,214件
  EXPECT_EQ(received->cells[2], "环比↑3.2%");
  const SheetRow* response = find("响应率");
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(response->cells[1], "0.952");
  EXPECT_NE(find("见工作表「排名-街道」"), nullptr);
  EXPECT_NE(find("考核得分计算公式（见工作表「说明」）"), nullptr);
  bool paragraph = false;
  for (const auto& r : *rows) {
    paragraph |=
        !r.cells.empty() && r.cells[0].starts_with("2026年11月，全市共受理群众诉求7,214件");
  }
  EXPECT_TRUE(paragraph);
}

TEST_F(XlsxRender, TablesKeepNumbersFormatsFrozenHeadersAndRagFills) {
  ASSERT_NE(bytes_, nullptr);
  Parts parts(*bytes_);
  // Sheet 4 is 排名-街道 (概况, the trend, 分类 come first).
  const std::string sheet = parts.Read("xl/worksheets/sheet4.xml");
  ASSERT_FALSE(sheet.empty());
  pugi::xml_document ws;
  ASSERT_TRUE(ws.load_string(sheet.c_str()));
  auto pane = ws.select_node("//*[local-name()='pane']").node();
  EXPECT_STREQ(pane.attribute("state").value(), "frozen");
  EXPECT_STREQ(pane.attribute("ySplit").value(), "2");  // the title and the header stay
  // Row 3 is the first street: C3 its dispatched count, D3 its response rate.
  auto c3 = ws.select_node("//*[local-name()='c'][@r='C3']/*[local-name()='v']").node();
  EXPECT_STREQ(c3.text().get(), "60");
  auto d3 = ws.select_node("//*[local-name()='c'][@r='D3']/*[local-name()='v']").node();
  EXPECT_NEAR(d3.text().as_double(), 0.99, 1e-12);
  // The styles hold the formats and the RAG fills.
  const std::string styles = parts.Read("xl/styles.xml");
  EXPECT_NE(styles.find("formatCode=\"0.0%\""), std::string::npos);
  EXPECT_NE(styles.find("C8E6C9"), std::string::npos);  // green
  EXPECT_NE(styles.find("FFCDD2"), std::string::npos);  // red
  const std::string strings = parts.Read("xl/sharedStrings.xml");
  EXPECT_NE(strings.find("江澜经济开发区管委会"), std::string::npos);
  EXPECT_NE(strings.find("菜场门口占道摆摊"), std::string::npos);
}

TEST_F(XlsxRender, ChartsAreNativeOverTheirSheetsData) {
  ASSERT_NE(bytes_, nullptr);
  Parts parts(*bytes_);
  // Trend (line), categories (bar), scores (bar), next month (column).
  for (int i = 1; i <= 4; ++i) {
    EXPECT_TRUE(parts.Has("xl/charts/chart" + std::to_string(i) + ".xml")) << i;
  }
  EXPECT_FALSE(parts.Has("xl/charts/chart5.xml"));
  const std::string trend = parts.Read("xl/charts/chart1.xml");
  EXPECT_NE(trend.find("<c:lineChart>"), std::string::npos);
  EXPECT_NE(trend.find("prstDash val=\"dash\""), std::string::npos);  // the forecast part
  EXPECT_NE(trend.find("预测上限"), std::string::npos);
  const std::string scores = parts.Read("xl/charts/chart3.xml");
  EXPECT_NE(scores.find("<c:barDir val=\"bar\"/>"), std::string::npos);
  EXPECT_NE(scores.find("C62828"), std::string::npos);  // a red bar
  EXPECT_NE(scores.find("<c:orientation val=\"maxMin\"/>"), std::string::npos);
  const std::string next = parts.Read("xl/charts/chart4.xml");
  EXPECT_NE(next.find("<c:barDir val=\"col\"/>"), std::string::npos);
}

TEST(XlsxRenderInput, ABadDocumentIsRefused) {
  ReportDocument doc = SampleReport();
  doc.blocks.push_back(
      Chart{.title = "坏图", .categories = {"x", "y"}, .series = {{.name = "s", .values = {1}}}});
  auto xlsx = RenderXlsx(doc);
  ASSERT_FALSE(xlsx);
  EXPECT_EQ(xlsx.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(xlsx.error().message.find("坏图"), std::string::npos);
}

}  // namespace
}  // namespace xietong::insight
