#include "core/csv.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

namespace xietong::csv {
namespace {

using Record = std::vector<std::string>;

// Reads every record of `text`, or the first error.
Result<std::vector<Record>> ReadAll(std::string text) {
  Reader reader = Reader::FromString(std::move(text));
  std::vector<Record> records;
  for (;;) {
    XT_ASSIGN_OR_RETURN(auto record, reader.Next());
    if (!record) return records;
    records.push_back(std::move(*record));
  }
}

std::string SharedDataDir() { return XIETONG_SHARED_DATA_DIR; }

class CsvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("xietong-csv-test-{}-{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteGzip(const std::string& name, std::string_view text) {
    const std::string path = (dir_ / name).string();
    gzFile file = gzopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    EXPECT_EQ(gzwrite(file, text.data(), static_cast<unsigned>(text.size())),
              static_cast<int>(text.size()));
    gzclose(file);
    return path;
  }

  std::filesystem::path dir_;
};

TEST(Csv, QuotedFieldsKeepCommasQuotesAndNewlines) {
  auto records = ReadAll(
      "id,text\n"
      "1,\"A市, A1区\"\n"
      "2,\"他说\"\"你好\"\"\"\n"
      "3,\"第一行\n第二行\r\n第三行\"\n"
      "4,plain\n");
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 5u);
  EXPECT_EQ((*records)[1], (Record{"1", "A市, A1区"}));
  EXPECT_EQ((*records)[2], (Record{"2", "他说\"你好\""}));
  EXPECT_EQ((*records)[3], (Record{"3", "第一行\n第二行\r\n第三行"}));
  EXPECT_EQ((*records)[4], (Record{"4", "plain"}));
}

TEST(Csv, LineIsWhereTheRecordStarted) {
  Reader reader = Reader::FromString("a,b\r\n\"x\ny\",1\r\n\r\nlast,2");
  EXPECT_EQ(reader.line(), 0);
  ASSERT_TRUE(*reader.Next());
  EXPECT_EQ(reader.line(), 1);
  ASSERT_TRUE(*reader.Next());
  EXPECT_EQ(reader.line(), 2);
  auto last = reader.Next();
  ASSERT_TRUE(last && *last);
  EXPECT_EQ(**last, (Record{"last", "2"}));
  EXPECT_EQ(reader.line(), 5);  // the blank line 4 is skipped
  EXPECT_EQ(*reader.Next(), std::nullopt);
  EXPECT_EQ(*reader.Next(), std::nullopt);
  EXPECT_EQ(reader.total_bytes(), 0);
}

TEST(Csv, CrlfBomAndMissingFinalNewline) {
  auto records = ReadAll("\xEF\xBB\xBF留言编号,一级标签\r\n1,城乡建设\r\n2,教育文体");
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0], (Record{"留言编号", "一级标签"}));
  EXPECT_EQ((*records)[2], (Record{"2", "教育文体"}));
}

TEST(Csv, EmptyFieldsAndEmptyLastField) {
  auto records = ReadAll(",a,,\n\"\",\"\"\r\nx,\n\"\"");
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0], (Record{"", "a", "", ""}));
  EXPECT_EQ((*records)[1], (Record{"", ""}));
  EXPECT_EQ((*records)[2], (Record{"x", ""}));
  EXPECT_EQ((*records)[3], (Record{""}));
  auto trailing_comma = ReadAll("a,b,");
  ASSERT_TRUE(trailing_comma);
  EXPECT_EQ(trailing_comma->at(0), (Record{"a", "b", ""}));
  EXPECT_EQ(ReadAll("")->size(), 0u);
  EXPECT_EQ(ReadAll("\xEF\xBB\xBF\r\n\n")->size(), 0u);
}

TEST(Csv, UnterminatedQuoteNamesTheLineWhereItOpens) {
  Reader reader = Reader::FromString("a,b\n1,\"open\nstill open\nand more");
  ASSERT_TRUE(*reader.Next());
  auto r = reader.Next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message.rfind("line 2: a quoted field is never closed", 0), 0u)
      << r.error().message;
  EXPECT_FALSE(reader.Next());  // the error sticks
}

TEST(Csv, QuoteInsideAnUnquotedFieldIsAnError) {
  auto r = ReadAll("a,b\n1,2\n3,4 \"inch\"\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message.rfind("line 3: a quote inside the unquoted field 2", 0), 0u)
      << r.error().message;

  auto after_close = ReadAll("\"a\"b,c\n");
  ASSERT_FALSE(after_close);
  EXPECT_EQ(after_close.error().message.rfind("line 1: text after the closing quote of field 1", 0),
            0u)
      << after_close.error().message;
}

TEST_F(CsvFileTest, ReadsGzipAndPlainFiles) {
  std::string text = "\xEF\xBB\xBFid,text\r\n";
  for (int i = 0; i < 20000; ++i) {
    AppendRecord(text, {std::to_string(i), fmt::format("第{}行, \"引号\"\n换行", i)});
  }
  const std::string gz = WriteGzip("data.csv.gz", text);
  const std::string plain = (dir_ / "data.csv").string();
  std::ofstream(plain, std::ios::binary) << text;

  for (const std::string& path : {gz, plain}) {
    auto table = Table::Open(path);
    ASSERT_TRUE(table) << table.error().message;
    EXPECT_EQ(table->header(), (Record{"id", "text"}));
    EXPECT_EQ(table->reader().total_bytes(),
              static_cast<std::int64_t>(std::filesystem::file_size(path)));
    int count = 0;
    for (;;) {
      auto record = table->Next();
      ASSERT_TRUE(record) << record.error().message;
      if (!*record) break;
      ASSERT_EQ(**record,
                (Record{std::to_string(count), fmt::format("第{}行, \"引号\"\n换行", count)}));
      EXPECT_EQ(table->reader().line(), 2 + 2 * count);
      ++count;
    }
    EXPECT_EQ(count, 20000) << path;
    EXPECT_EQ(table->reader().bytes_read(), table->reader().total_bytes()) << path;
  }
  EXPECT_LT(std::filesystem::file_size(gz), std::filesystem::file_size(plain));
}

TEST_F(CsvFileTest, RecordsSplitAcrossReadChunks) {
  constexpr std::size_t kChunk = 256 * 1024;  // the reader's read size
  // A CRLF split between two reads, then a "" escape split between two reads.
  std::string text = "a\r\n" + std::string(kChunk - 4, 'x') + "\r\n";
  text += "\"" + std::string(kChunk - 3, 'y');  // the escape "" straddles reads 2 and 3
  text += "\"\"z\"\nlast";
  ASSERT_EQ(text[kChunk - 1], '\r');
  ASSERT_EQ(text[2 * kChunk - 1], '"');
  const std::string path = (dir_ / "split.csv").string();
  std::ofstream(path, std::ios::binary) << text;
  auto reader = Reader::Open(path);
  ASSERT_TRUE(reader) << reader.error().message;
  std::vector<Record> records;
  std::vector<std::int64_t> lines;
  for (;;) {
    auto record = reader->Next();
    ASSERT_TRUE(record) << record.error().message;
    if (!*record) break;
    records.push_back(std::move(**record));
    lines.push_back(reader->line());
  }
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1], (Record{std::string(kChunk - 4, 'x')}));
  EXPECT_EQ(records[2], (Record{std::string(kChunk - 3, 'y') + "\"z"}));
  EXPECT_EQ(records[3], (Record{"last"}));
  EXPECT_EQ(lines, (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST_F(CsvFileTest, MissingAndTruncatedFiles) {
  auto missing = Reader::Open((dir_ / "nope.csv").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("nope.csv"), std::string::npos);

  std::string text;
  for (int i = 0; i < 50000; ++i) AppendRecord(text, {std::to_string(i), "x"});
  const std::string gz = WriteGzip("cut.csv.gz", text);
  std::filesystem::resize_file(gz, std::filesystem::file_size(gz) / 2);
  auto reader = Reader::Open(gz);
  ASSERT_TRUE(reader) << reader.error().message;
  Result<std::optional<Record>> r;
  while ((r = reader->Next()) && *r) {
  }
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("truncated"), std::string::npos) << r.error().message;

  const std::string empty = (dir_ / "empty.csv").string();
  std::ofstream(empty).close();
  auto table = Table::Open(empty);
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().message, empty + " is empty; expected a header row");
}

TEST(Csv, TableFindsColumnsAndNamesTheOnesItHas) {
  auto table = Table::FromString("a,b,c\n1,2,3\n");
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(*table->Column("c"), 2u);
  auto missing = table->Column("x");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().message, "column 'x' not found; the file has: a, b, c");
}

TEST(Csv, TablePadsShortRowsAndRejectsLongOnes) {
  auto table = Table::FromString("a,b,c\n1\n1,2,3,4\n5,6\n");
  ASSERT_TRUE(table);
  auto short_row = table->Next();
  ASSERT_TRUE(short_row && *short_row);
  EXPECT_EQ(**short_row, (Record{"1", "", ""}));
  auto long_row = table->Next();
  ASSERT_FALSE(long_row);
  EXPECT_EQ(long_row.error().message,
            "line 3: the record has 4 fields but the header has 3 columns");
  auto after = table->Next();  // the caller may skip the bad row and go on
  ASSERT_TRUE(after && *after);
  EXPECT_EQ(**after, (Record{"5", "6", ""}));
}

TEST(Csv, AppendedRecordsReadBackUnchanged) {
  const std::vector<Record> records = {
      {"plain", "with, comma", "with \"quote\"", "line\nbreak", "crlf\r\nbreak", ""},
      {""},
      {" spaced ", "中文，全角逗号", "\"", ",", "a\r"},  // a leading CR: see CsvWrite
  };
  std::string out;
  for (const Record& r : records) AppendRecord(out, r);
  const std::string first =
      "plain,\"with, comma\",\"with \"\"quote\"\"\",\"line\nbreak\",\"crlf\r\nbreak\",\r\n";
  EXPECT_EQ(out.substr(0, first.size()), first);
  EXPECT_EQ(out.substr(first.size(), 4), "\"\"\r\n");  // the record of one empty field
  auto back = ReadAll(out);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, records);

  std::string field;
  AppendField(field, "no quoting needed");
  EXPECT_EQ(field, "no quoting needed");
}

TEST(Csv, ReadsEveryLabeledMessage) {
  const std::string path = SharedDataDir() + "/taidi2020c/labeled_messages.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no shared data at " << path;
  auto table = Table::Open(path);
  ASSERT_TRUE(table) << table.error().message;
  ASSERT_EQ(table->header().size(), 6u);
  EXPECT_EQ(table->header()[0], "留言编号");  // the BOM, if any, is not part of the name
  const std::size_t label = *table->Column("一级标签");
  const std::size_t content = *table->Column("留言详情");
  int count = 0;
  std::size_t multiline = 0;
  for (;;) {
    auto record = table->Next();
    ASSERT_TRUE(record) << record.error().message;
    if (!*record) break;
    ASSERT_EQ((*record)->size(), 6u) << "line " << table->reader().line();
    EXPECT_FALSE((**record)[label].empty()) << "line " << table->reader().line();
    if ((**record)[content].find('\n') != std::string::npos) ++multiline;
    ++count;
  }
  EXPECT_EQ(count, 904);
  EXPECT_GT(multiline, 0u);  // the file does exercise embedded newlines
}

TEST(Csv, CountsEveryUs311Request) {
  const std::filesystem::path dir = SharedDataDir() + "/us311";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no shared data at " << dir;
  std::int64_t rows = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.path().string().ends_with(".csv.gz")) continue;
    auto table = Table::Open(entry.path().string());
    ASSERT_TRUE(table) << table.error().message;
    const std::size_t city = *table->Column("city");
    for (;;) {
      auto record = table->Next();
      ASSERT_TRUE(record) << record.error().message;
      if (!*record) break;
      EXPECT_FALSE((**record)[city].empty()) << entry.path() << " line " << table->reader().line();
      ++rows;
    }
    EXPECT_EQ(table->reader().bytes_read(), table->reader().total_bytes());
  }
  EXPECT_EQ(rows, 78622);
}

TEST(CsvWrite, ACellThatLooksLikeAFormulaIsWrittenAsText) {
  std::string out;
  AppendRecord(out, {"=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "-12",
                     "+3.5", "12", "望湖街道", "a=b"});
  EXPECT_EQ(out,
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\",'+1+1,'-2+3,'@SUM(A1),'\tx,"
            "-12,+3.5,12,望湖街道,a=b\r\n");
  std::string cr;
  AppendField(cr, "\r=1");
  EXPECT_EQ(cr, "\"'\r=1\"");
}

}  // namespace
}  // namespace xietong::csv
