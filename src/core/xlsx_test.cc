// Reading workbooks: what libxlsxwriter (and so Excel's own layout) writes
// reads back as a person sees it; damaged and hostile files are refused by
// name, never crash or run away with memory.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/xlsx.h"

namespace xietong {
namespace {

// The cells of rows by row number, for compact expectations.
std::map<std::int64_t, std::vector<std::string>> ByNumber(const std::vector<SheetRow>& rows) {
  std::map<std::int64_t, std::vector<std::string>> out;
  for (const auto& r : rows) out[r.number] = r.cells;
  return out;
}

// A ZIP archive of the given parts, written by libzip (for files libxlsxwriter
// would never write).
std::string ZipOf(const std::map<std::string, std::string>& parts) {
  const std::string path =
      (std::filesystem::temp_directory_path() / fmt::format("xlsx-test-{}.zip", ::getpid()))
          .string();
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  EXPECT_NE(z, nullptr);
  for (const auto& [name, text] : parts) {
    zip_source_t* s = zip_source_buffer(z, text.data(), text.size(), 0);
    EXPECT_GE(zip_file_add(z, name.c_str(), s, ZIP_FL_OVERWRITE), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::filesystem::remove(path);
  return bytes.str();
}

const char* kRels =
    R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
const char* kWorkbook =
    R"(<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)";
const char* kWorkbookRels =
    R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>)";

std::string Workbook(std::string sheet_data, std::string shared = "<sst/>") {
  return ZipOf(
      {{"_rels/.rels", kRels},
       {"xl/workbook.xml", kWorkbook},
       {"xl/_rels/workbook.xml.rels", kWorkbookRels},
       {"xl/sharedStrings.xml", std::move(shared)},
       {"xl/worksheets/sheet1.xml",
        R"(<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>)" +
            sheet_data + "</x:sheetData></x:worksheet>"}});
}

TEST(XlsxReadTest, ReadsWhatLibxlsxwriterWritesAsAPersonSeesIt) {
  auto bytes = WorkbookBytes([](lxw_workbook* wb) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, "户籍");
    lxw_worksheet* second = workbook_add_worksheet(wb, "其他");
    lxw_format* date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy\"年\"m\"月\"d\"日\"");
    lxw_format* iso = workbook_add_format(wb);
    format_set_num_format_index(iso, 14);
    lxw_format* stamp = workbook_add_format(wb);
    format_set_num_format(stamp, "yyyy-mm-dd hh:mm:ss");
    lxw_format* money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00;[Red]-#,##0.00");
    worksheet_write_string(ws, 0, 0, "id_number", nullptr);
    worksheet_write_string(ws, 0, 1, "姓名", nullptr);
    worksheet_write_string(ws, 0, 2, "birth_date", nullptr);
    worksheet_write_string(ws, 0, 3, "amount", nullptr);
    worksheet_write_string(ws, 1, 0, "330102199001011234", nullptr);
    worksheet_write_string(ws, 1, 1, "王建国", nullptr);
    lxw_datetime born = {1990, 1, 1, 0, 0, 0};
    worksheet_write_datetime(ws, 1, 2, &born, date);
    worksheet_write_number(ws, 1, 3, 1234.5, money);
    // Row 3 left empty: it is no row at all. Row 4 has gaps and a formula.
    worksheet_write_string(ws, 3, 1, "李 梅", nullptr);
    lxw_datetime leap = {2024, 2, 29, 0, 0, 0};
    worksheet_write_datetime(ws, 3, 2, &leap, iso);
    worksheet_write_formula_num(ws, 3, 3, "=1+1", nullptr, 2);
    lxw_datetime at = {2026, 12, 6, 8, 30, 15};
    worksheet_write_datetime(ws, 4, 0, &at, stamp);
    worksheet_write_boolean(ws, 4, 1, 1, nullptr);
    worksheet_write_string(second, 0, 0, "never read", nullptr);
    return LXW_NO_ERROR;
  });
  ASSERT_TRUE(bytes) << bytes.error().message;
  ASSERT_TRUE(LooksLikeZip(*bytes));
  auto rows = ReadFirstSheet(*bytes);
  ASSERT_TRUE(rows) << rows.error().message;
  const auto got = ByNumber(*rows);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got.at(1), (std::vector<std::string>{"id_number", "姓名", "birth_date", "amount"}));
  EXPECT_EQ(got.at(2),
            (std::vector<std::string>{"330102199001011234", "王建国", "1990-01-01", "1234.5"}));
  EXPECT_FALSE(got.contains(3));
  EXPECT_EQ(got.at(4), (std::vector<std::string>{"", "李 梅", "2024-02-29", "2"}));
  EXPECT_EQ(got.at(5), (std::vector<std::string>{"2026-12-06 08:30:15", "TRUE"}));
}

TEST(XlsxReadTest, ReadsInlineStringsRichTextEscapesAndPrefixedNamespaces) {
  const std::string sheet =
      R"(<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>编号_x000A_二</x:t></x:is></x:c><x:c r="C1" t="s"><x:v>0</x:v></x:c></x:row>)"
      R"(<x:row><x:c t="s"><x:v>1</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c></x:row>)";
  const std::string shared =
      R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><r><t>江澜</t></r><r><t>市</t></r><rPh><t>ジャン</t></rPh></si><si><t>临江区</t></si></sst>)";
  auto rows = ReadFirstSheet(Workbook(sheet, shared));
  ASSERT_TRUE(rows) << rows.error().message;
  const auto got = ByNumber(*rows);
  EXPECT_EQ(got.at(1), (std::vector<std::string>{"编号\n二", "", "江澜市"}));
  EXPECT_EQ(got.at(2), (std::vector<std::string>{"临江区", "#N/A"}));
}

void ExpectRefused(const Result<std::vector<SheetRow>>& r, std::string_view words) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().field, "file");
}

TEST(XlsxReadTest, RefusesWhatIsNotAWorkbookByName) {
  ExpectRefused(ReadFirstSheet("id_number,name\n1,2\n"), "not a ZIP archive");
  // An old .xls (OLE2) file.
  ExpectRefused(ReadFirstSheet(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)),
                "not a ZIP archive");
  // A ZIP that is not a workbook.
  ExpectRefused(ReadFirstSheet(ZipOf({{"readme.txt", "hello"}})), "xl/workbook.xml");
  // A truncated upload.
  const std::string whole = Workbook(R"(<x:row r="1"><x:c t="s"><x:v>0</x:v></x:c></x:row>)",
                                     "<sst><si><t>a</t></si></sst>");
  ExpectRefused(ReadFirstSheet(whole.substr(0, whole.size() / 2)), "damaged");
  // Malformed XML in the sheet.
  ExpectRefused(ReadFirstSheet(Workbook("<x:row r=\"1\"><x:c>")), "not well-formed XML");
  // A shared string that does not exist.
  ExpectRefused(ReadFirstSheet(Workbook(R"(<x:row r="1"><x:c t="s"><x:v>7</x:v></x:c></x:row>)")),
                "shared string 7");
  // Rows out of order, and a cell past column XFD.
  ExpectRefused(ReadFirstSheet(Workbook(R"(<x:row r="5"/><x:row r="2"/>)")), "go back");
  ExpectRefused(
      ReadFirstSheet(Workbook(R"(<x:row r="1"><x:c r="XFE1"><x:v>1</x:v></x:c></x:row>)")),
      "past column XFD");
}

TEST(XlsxReadTest, StopsAZipBombAndTooManyCellsAtTheCap) {
  // 3.6 MB of one repeated row (numbered by position) compresses to a few
  // KB: the cap stops it, not memory.
  std::string data;
  for (int i = 1; i <= 100'000; ++i) data += "<x:row><x:c><x:v>1</x:v></x:c></x:row>";
  const std::string bomb = Workbook(data);
  ASSERT_LT(bomb.size(), 100'000u);
  ExpectRefused(ReadFirstSheet(bomb, {.max_part_bytes = 1 << 20}), "more than the 1 MB allowed");
  ExpectRefused(ReadFirstSheet(bomb, {.max_cells = 100}), "more than 100 cells");
  auto all = ReadFirstSheet(bomb);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), 100'000u);
  EXPECT_EQ(all->back().number, 100'000);
}

}  // namespace
}  // namespace xietong
