#include "insight/pdf_render.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>

#include <unistd.h>

#include "insight/report_sample.h"

namespace xietong::insight {
namespace {

// poppler-utils (pdftotext, pdfinfo, pdffonts) reads the PDF back as a
// reader's software would. scripts/test.sh installs them and sets
// XIETONG_REQUIRE_POPPLER=1, so CI cannot skip these checks.
bool HavePoppler() {
  if (std::filesystem::exists("/usr/bin/pdftotext") &&
      std::filesystem::exists("/usr/bin/pdfinfo") && std::filesystem::exists("/usr/bin/pdffonts")) {
    return true;
  }
  if (const char* required = std::getenv("XIETONG_REQUIRE_POPPLER");
      required && std::string(required) == "1") {
    ADD_FAILURE() << "XIETONG_REQUIRE_POPPLER=1 but poppler-utils is not installed";
  }
  return false;
}

std::string Output(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return out;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe.get()))
    out.append(buf.data(), n);
  return out;
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
  return n;
}

class PdfRender : public testing::Test {
 protected:
  // One render shared by the tests (a render under ASan takes about a second).
  static void SetUpTestSuite() {
    auto pdf = RenderPdf(SampleReport());
    ASSERT_TRUE(pdf) << pdf.error().message;
    pdf_ = new PdfDocument(std::move(*pdf));
    // ctest runs each test in its own process, side by side: each reads its
    // own file, then leaves it as sample-report.pdf in the build folder to be
    // looked at (pdftoppm -r 60 -png; not committed), replaced atomically.
    path_ = new std::string(
        std::filesystem::absolute("sample-report.pdf." + std::to_string(getpid())).string());
    std::ofstream(*path_, std::ios::binary) << pdf_->bytes;
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    if (path_) std::filesystem::rename(*path_, "sample-report.pdf", ignored);
    delete pdf_;
    delete path_;
  }
  static PdfDocument* pdf_;
  static std::string* path_;
};
PdfDocument* PdfRender::pdf_ = nullptr;
std::string* PdfRender::path_ = nullptr;

TEST_F(PdfRender, IsAnA4PdfInNotoCjkWithTheReportsMetadata) {
  ASSERT_NE(pdf_, nullptr);
  EXPECT_EQ(pdf_->bytes.substr(0, 8), "%PDF-1.5");
  EXPECT_EQ(pdf_->fonts.sans, "Noto Sans CJK SC");
  EXPECT_EQ(pdf_->fonts.serif, "Noto Serif CJK SC");
  EXPECT_GE(pdf_->pages, 5);
  EXPECT_LE(pdf_->pages, 10);
  if (!HavePoppler()) GTEST_SKIP() << "no poppler-utils";
  const std::string info = Output("pdfinfo -isodates '" + *path_ + "'");
  const auto field = [&](const std::string& name) {
    std::smatch m;
    return std::regex_search(info, m, std::regex(name + ":\\s+([^\\n]*)")) ? m[1].str() : "";
  };
  EXPECT_EQ(field("Pages"), std::to_string(pdf_->pages)) << info;
  EXPECT_EQ(field("Title"), "江澜市12345市民服务热线 接诉即办工作月报 2026年11月（全市）");
  EXPECT_EQ(field("Author"), "江澜市12345市民服务热线中心");
  EXPECT_EQ(field("Page size"), "595.276 x 841.89 pts (A4)");
  EXPECT_EQ(field("CreationDate"), "2026-12-01T04:00:00+08");
  // Both families embedded as subsets (the name's 6-letter tag, then the font).
  const std::string fonts = Output("pdffonts '" + *path_ + "'");
  EXPECT_TRUE(std::regex_search(fonts, std::regex("[A-Z]{6}\\+NotoSansCJK"))) << fonts;
  EXPECT_TRUE(std::regex_search(fonts, std::regex("[A-Z]{6}\\+NotoSerifCJK"))) << fonts;
  EXPECT_EQ(fonts.find(" no  "), std::string::npos) << "a font not embedded:\n" << fonts;
}

TEST_F(PdfRender, TheChineseAndTheFiguresComeBackOutAsText) {
  ASSERT_NE(pdf_, nullptr);
  if (!HavePoppler()) GTEST_SKIP() << "no poppler-utils";
  const std::string text = Output("pdftotext -enc UTF-8 '" + *path_ + "' -");
  for (const char* want : {"江澜市12345市民服务热线",
                           "接诉即办工作月报",
                           "2026年11月",
                           "范围：全市",
                           "生成时间：2026-12-01 04:00",
                           "一、总体情况",
                           "二、诉求分布",
                           "三、考核排名",
                           "七、典型诉求摘要",
                           "附：指标口径",
                           "受理量",
                           "7,214件",
                           "环比↑3.2%",
                           "95.2%",
                           "考核得分87.6分，较上月+0.8分",
                           "望湖街道",
                           "江澜经济开发区管委会",
                           "菜场门口占道摆摊",
                           "每天早上菜场门口有十几个摊贩占道经营",
                           "考核得分计算公式",
                           "12月预测",
                           "80%预测区间"}) {
    EXPECT_NE(text.find(want), std::string::npos) << "missing: " << want;
  }
  // pdftotext drops the spaces between glyphs that are set apart.
  // Table cells come out one per line: joined has no line breaks either.
  std::string squeezed, joined;
  for (char c : text) {
    if (c != ' ') squeezed += c;
    if (c != ' ' && c != '\n') joined += c;
  }
  // Every page has its number in the footer.
  for (int p = 1; p <= pdf_->pages; ++p) {
    EXPECT_NE(squeezed.find("—" + std::to_string(p) + "—"), std::string::npos) << "page " << p;
  }
  // The 36-street ranking breaks across a page and repeats its header there;
  // a table of five rows is kept whole.
  EXPECT_GE(Count(squeezed, "表1街道（乡镇）考核排名（续）"), 1u) << text;
  EXPECT_EQ(Count(squeezed, "表1街道（乡镇）考核排名"),
            Count(joined, "名次单位派单响应率解决率满意率超期率得分状态较上月"));
  EXPECT_EQ(Count(squeezed, "表2热点问题（前5位）（续）"), 0u);
  EXPECT_GE(Count(text, "最久超期天数"), 1u);
}

TEST_F(PdfRender, EachSectionIsABookmark) {
  ASSERT_NE(pdf_, nullptr);
  // cairo writes the outline as /Title strings in UTF-16BE hex with a BOM.
  const auto hex = [](std::u16string_view s) {
    std::string out = "<FEFF";
    for (char16_t c : s) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(c));
      out += buf;
    }
    return out;
  };
  EXPECT_NE(pdf_->bytes.find("/Outlines"), std::string::npos);
  EXPECT_NE(pdf_->bytes.find(hex(u"一、总体情况")), std::string::npos);
  EXPECT_NE(pdf_->bytes.find(hex(u"七、典型诉求摘要")), std::string::npos);
}

TEST_F(PdfRender, TheSameDocumentGivesTheSameBytes) {
  ASSERT_NE(pdf_, nullptr);
  auto again = RenderPdf(SampleReport());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->pages, pdf_->pages);
  EXPECT_TRUE(again->bytes == pdf_->bytes)
      << "sizes " << again->bytes.size() << " and " << pdf_->bytes.size();
}

TEST(PdfRenderInput, ABadDocumentIsRefusedBeforeAnythingIsDrawn) {
  ReportDocument doc = SampleReport();
  doc.blocks.push_back(Table{.title = "坏表", .header = {"a", "b"}, .rows = {{TextCell("1")}}});
  auto pdf = RenderPdf(doc);
  ASSERT_FALSE(pdf);
  EXPECT_EQ(pdf.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(pdf.error().message.find("坏表"), std::string::npos);
}

TEST(PdfRenderInput, AnEmptyDocumentIsOnePageWithItsTitle) {
  ReportDocument doc{.title = "空报告", .period = "2026年11月", .scope_name = "临江区"};
  auto pdf = RenderPdf(doc);
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(pdf->pages, 1);
}

TEST(PdfFonts, AMissingFamilyFallsBackToAnInstalledCjkFont) {
  const ReportFonts got = CheckFonts({.sans = "No Such Font XYZ", .serif = "Noto Serif CJK SC"});
  EXPECT_EQ(got.sans, "WenQuanYi Micro Hei");
  EXPECT_EQ(got.serif, "Noto Serif CJK SC");
}

}  // namespace
}  // namespace xietong::insight
