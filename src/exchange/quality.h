// Data quality: what an import is checked against, row by row, and the
// scorecard of a resource (完整性 completeness, 有效性 validity, 唯一性
// uniqueness, 及时性 timeliness, 一致性 consistency), each a share in [0, 1].
//
// An import is all or nothing: CheckImport reads the whole file first and
// names every problem with its line and column; the service stores the rows
// only when nothing blocks. Problems that are the data's quality rather than
// its shape (an invalid value of an optional field, an empty optional cell)
// block too unless the import says accept_defects, in which case they are
// stored, scored and handed to the owner as work. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "exchange/catalog.h"

namespace xietong::exchange {

// Text as UTF-8: valid UTF-8 (a BOM dropped) as it is; otherwise GB18030
// (which covers GBK and GB2312, what office PCs save) when the whole text
// converts without a replacement. encoding is set to "utf-8" or "gb18030".
// InvalidArgument naming the line of the first byte that is neither.
Result<std::string> ToUtf8(std::string bytes, std::string* encoding);

struct RowProblem {
  std::int64_t line = 0;    // 1-based line of the file (the header is line 1)
  std::string column = {};  // field name, or "" for the whole row
  std::string reason;       // "required", "duplicate_key", "invalid_id_number", …
  std::string message;      // for a person
  bool defect = false;      // a quality defect (may be accepted), not a shape error
};

struct Scores {
  double completeness = 1, validity = 1, uniqueness = 1, timeliness = 1, consistency = 1;
  // The mean of the five, what the catalogue shows as one figure.
  double overall() const {
    return (completeness + validity + uniqueness + timeliness + consistency) / 5;
  }
};
json::Json ScoresJson(const Scores& s);

struct ImportRecord {
  std::string key;
  std::vector<std::string> values;  // one per resource field, in order; "" = empty
};
// The stored form of a record: a JSON object of its non-empty values.
std::string RecordJson(const Resource& r, const ImportRecord& rec);

struct ImportCheck {
  std::string encoding = "utf-8";  // "utf-8", "gb18030" or "xlsx"
  std::int64_t rows = 0;           // data rows read
  std::vector<ImportRecord> records;
  std::vector<RowProblem> problems;  // at most kMaxProblems; counts below are exact
  std::int64_t blocking = 0;         // problems that are not defects
  std::int64_t defects = 0;
  Scores scores;
};
inline constexpr std::size_t kMaxProblems = 1000;

// Checks a file against the resource: CSV text (UTF-8 or GBK, see ToUtf8;
// encoding "utf-8"/"gb18030") or an XLSX workbook's first sheet (encoding
// "xlsx"; a row's line is its row number in Excel; date cells read as
// YYYY-MM-DD). The header names each column by field name or by its Chinese
// title; a column that is no field and a missing required field are problems
// of line 1. An .xls (Excel 97–2003) file is refused with what to do instead.
Result<ImportCheck> CheckImport(const Resource& r, const Elements& elements, std::string bytes);

// Completeness and validity of stored records, counted page by page (the
// nightly run never holds a whole resource in memory).
class RecordTally {
 public:
  RecordTally(const Resource& r, const Elements& elements);
  void Add(const json::Json& record);
  // Completeness and validity so far; the other three stay 1.
  Scores scores() const;

 private:
  const Resource& resource_;
  std::vector<const DataElement*> element_of_;
  std::int64_t cells_ = 0, filled_ = 0, checked_ = 0, valid_ = 0;
};

// Timeliness from the last import against the update cycle: 1 when within
// one cycle, falling linearly to 0 at three cycles late.
double Timeliness(const Resource& r, Timestamp now);

}  // namespace xietong::exchange
