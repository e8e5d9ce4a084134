#include "exchange/quality.h"

#include <fmt/core.h>
#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <unordered_set>

#include "core/csv.h"
#include "core/xlsx.h"

namespace xietong::exchange {
namespace {

std::int64_t LineOfOffset(std::string_view text, std::size_t offset) {
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

// Appends s as a JSON string (s is valid UTF-8).
void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

}  // namespace

Result<std::string> ToUtf8(std::string bytes, std::string* encoding) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.erase(0, 3);
  const auto bad = json::FindInvalidUtf8(bytes);
  if (!bad) {
    if (encoding) *encoding = "utf-8";
    return bytes;
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> conv(ucnv_open("GB18030", &status),
                                                          &ucnv_close);
  if (U_FAILURE(status))
    return Fail(Error::Internal("the GB18030 converter is missing from ICU's data"));
  // Stop at the first byte sequence GB18030 does not define instead of
  // writing a replacement character.
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::vector<UChar> wide(bytes.size() + 1);
  const std::int32_t wide_len =
      ucnv_toUChars(conv.get(), wide.data(), static_cast<std::int32_t>(wide.size()), bytes.data(),
                    static_cast<std::int32_t>(bytes.size()), &status);
  std::string out(static_cast<std::size_t>(std::max(wide_len, 0)) * 3 + 1, '\0');
  std::int32_t n = 0;
  if (U_SUCCESS(status))
    u_strToUTF8(out.data(), static_cast<std::int32_t>(out.size()), &n, wide.data(), wide_len,
                &status);
  if (U_FAILURE(status)) {
    return Fail(Error::InvalidArgument(
                    fmt::format("line {}: the file is neither UTF-8 nor GBK/GB18030 text (byte {} "
                                "is not a character); save it as UTF-8 CSV and try again",
                                LineOfOffset(bytes, *bad), *bad + 1))
                    .About("file", "invalid_encoding"));
  }
  out.resize(static_cast<std::size_t>(n));
  if (encoding) *encoding = "gb18030";
  return out;
}

json::Json ScoresJson(const Scores& s) {
  auto round = [](double v) { return std::round(v * 10000) / 10000; };
  return {{"completeness", round(s.completeness)}, {"validity", round(s.validity)},
          {"uniqueness", round(s.uniqueness)},     {"timeliness", round(s.timeliness)},
          {"consistency", round(s.consistency)},   {"overall", round(s.overall())}};
}

std::string RecordJson(const Resource& r, const ImportRecord& rec) {
  std::string out = "{";
  for (std::size_t i = 0; i < r.fields.size() && i < rec.values.size(); ++i) {
    if (rec.values[i].empty()) continue;
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(out, r.fields[i].name);
    out.push_back(':');
    AppendJsonString(out, rec.values[i]);
  }
  out.push_back('}');
  return out;
}

namespace {

// One step through the file's data rows, whatever the file is.
struct NextRow {
  enum Kind { kRow, kEnd, kMalformed } kind = kEnd;
  std::int64_t line = 0;
  std::vector<std::string> cells = {};
  std::string message = {};
};

// The file as a header and its data rows: a CSV table (UTF-8 or GBK) or the
// first sheet of an XLSX workbook, where a row's line is its number in Excel.
struct RowSource {
  std::vector<std::string> header;
  std::function<NextRow()> next;
};

Result<RowSource> CsvRows(std::string text, std::string* encoding) {
  XT_ASSIGN_OR_RETURN(text, ToUtf8(std::move(text), encoding));
  auto table = csv::Table::FromString(std::move(text));
  if (!table) return Fail(std::move(table.error()).About("file", "no_header"));
  auto shared = std::make_shared<csv::Table>(std::move(*table));
  RowSource out{shared->header(), [shared]() -> NextRow {
                  auto row = shared->Next();
                  if (!row)
                    return {NextRow::kMalformed, shared->reader().line(), {}, row.error().message};
                  if (!*row) return {};
                  return {NextRow::kRow, shared->reader().line(), std::move(**row)};
                }};
  return out;
}

Result<RowSource> SheetRows(std::string_view bytes) {
  XT_ASSIGN_OR_RETURN(auto rows, ReadFirstSheet(bytes));
  if (rows.empty())
    return Fail(Error::InvalidArgument("the workbook's first sheet is empty: it needs a header row")
                    .About("file", "no_header"));
  auto shared = std::make_shared<std::vector<SheetRow>>(std::move(rows));
  RowSource out{std::move(shared->front().cells),
                [shared, i = std::size_t{1}]() mutable -> NextRow {
                  if (i >= shared->size()) return {};
                  SheetRow& row = (*shared)[i++];
                  return {NextRow::kRow, row.number, std::move(row.cells)};
                }};
  return out;
}

}  // namespace

Result<ImportCheck> CheckImport(const Resource& r, const Elements& elements, std::string bytes) {
  ImportCheck out;
  // An Excel 97–2003 file (OLE2) is neither text nor a workbook we read.
  if (bytes.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
    return Fail(Error::InvalidArgument(
                    "the file is an Excel 97–2003 workbook (.xls); save it as .xlsx or as CSV "
                    "(UTF-8) and try again")
                    .About("file", "xls_unsupported"));
  RowSource source;
  if (LooksLikeZip(bytes)) {
    out.encoding = "xlsx";
    XT_ASSIGN_OR_RETURN(source, SheetRows(bytes));
  } else {
    XT_ASSIGN_OR_RETURN(source, CsvRows(std::move(bytes), &out.encoding));
  }
  auto add = [&](RowProblem p) {
    (p.defect ? out.defects : out.blocking) += 1;
    if (out.problems.size() < kMaxProblems) out.problems.push_back(std::move(p));
  };
  // Column → field index (by name or Chinese title).
  const auto& header = source.header;
  std::vector<int> field_of(header.size(), -1);
  std::vector<bool> seen(r.fields.size(), false);
  for (std::size_t c = 0; c < header.size(); ++c) {
    for (std::size_t f = 0; f < r.fields.size(); ++f) {
      if (header[c] == r.fields[f].name || header[c] == r.fields[f].title) {
        if (seen[f]) {
          add({1, r.fields[f].name, "duplicate_column",
               fmt::format("column {} repeats field '{}'", c + 1, r.fields[f].name)});
        }
        field_of[c] = static_cast<int>(f);
        seen[f] = true;
        break;
      }
    }
    if (field_of[c] < 0)
      add({1, header[c], "unknown_column",
           fmt::format("column {} '{}' is not a field of {} (fields: {})", c + 1, header[c], r.code,
                       [&] {
                         std::string names;
                         for (const auto& f : r.fields)
                           names += (names.empty() ? "" : ", ") + f.name;
                         return names;
                       }())});
  }
  std::size_t key_index = 0;
  for (std::size_t f = 0; f < r.fields.size(); ++f) {
    if (r.fields[f].name == r.key_field) key_index = f;
    if (!seen[f] && r.fields[f].required)
      add({1, r.fields[f].name, "missing_column",
           fmt::format("the required field '{}' ({}) has no column", r.fields[f].name,
                       r.fields[f].title)});
  }
  if (out.blocking > 0) return out;  // the shape is wrong: no row can be read reliably

  std::vector<const DataElement*> element_of(r.fields.size(), nullptr);
  for (std::size_t f = 0; f < r.fields.size(); ++f) {
    if (auto it = elements.find(r.fields[f].element); it != elements.end())
      element_of[f] = &it->second;
  }
  std::unordered_set<std::string> keys;
  std::int64_t cells = 0, filled = 0, checked = 0, valid = 0, duplicates = 0;
  for (;;) {
    NextRow row = source.next();
    if (row.kind == NextRow::kEnd) break;
    if (row.kind == NextRow::kMalformed) {
      add({row.line, "", "malformed_row", std::move(row.message)});
      continue;
    }
    const std::int64_t line = row.line;
    if (row.cells.size() > header.size()) {
      // A CSV reader refuses such rows itself; a sheet can have a value
      // anywhere to the right.
      add({line, "", "malformed_row",
           fmt::format("line {}: a value in column {}, right of the header's {} columns", line,
                       row.cells.size(), header.size())});
      continue;
    }
    ++out.rows;
    ImportRecord rec;
    rec.values.assign(r.fields.size(), std::string());
    for (std::size_t c = 0; c < row.cells.size(); ++c)
      if (field_of[c] >= 0)
        rec.values[static_cast<std::size_t>(field_of[c])] = std::move(row.cells[c]);
    bool row_blocked = false;
    for (std::size_t f = 0; f < r.fields.size(); ++f) {
      const Field& field = r.fields[f];
      std::string& v = rec.values[f];
      // Cells from spreadsheets carry stray spaces around values.
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
      ++cells;
      if (v.empty()) {
        if (field.required) {
          add({line, field.name, "required",
               fmt::format("line {}: '{}' ({}) is required", line, field.name, field.title),
               f != key_index});
          row_blocked |= f == key_index;
        }
        continue;
      }
      ++filled;
      if (auto bad = json::FindMisleadingChar(v)) {
        add({line, field.name, "control_character",
             fmt::format("line {}: '{}' contains a control character", line, field.name)});
        row_blocked = true;
        continue;
      }
      if (field.type == "string" && element_of[f] == nullptr) continue;
      ++checked;
      if (auto reason = CheckValue(field, element_of[f], v)) {
        add({line, field.name, *reason,
             fmt::format("line {}: '{}' ({}) is not valid: {} ({})", line, field.name, field.title,
                         v.size() > 40 ? v.substr(0, 40) + "…" : v, *reason),
             f != key_index});
        row_blocked |= f == key_index;
      } else {
        ++valid;
      }
    }
    const std::string& key = rec.values[key_index];
    if (!key.empty() && !keys.insert(key).second) {
      ++duplicates;
      add({line, r.key_field, "duplicate_key",
           fmt::format("line {}: the key {} '{}' appears on an earlier line", line, r.key_field,
                       key)});
      row_blocked = true;
    }
    if (!row_blocked) {
      rec.key = key;
      out.records.push_back(std::move(rec));
    }
  }
  out.scores.completeness = cells ? static_cast<double>(filled) / static_cast<double>(cells) : 1;
  out.scores.validity = checked ? static_cast<double>(valid) / static_cast<double>(checked) : 1;
  out.scores.uniqueness =
      out.rows ? 1 - static_cast<double>(duplicates) / static_cast<double>(out.rows) : 1;
  return out;
}

double Timeliness(const Resource& r, Timestamp now) {
  if (r.kind == "remote") return 1;  // answered live by the owner's system
  if (r.last_import_at == 0) return 0;
  const double cycle = static_cast<double>(CycleLength(r.cycle));
  const double age = static_cast<double>(now - r.last_import_at);
  if (age <= cycle) return 1;
  return std::max(0.0, 1 - (age - cycle) / (2 * cycle));
}

RecordTally::RecordTally(const Resource& r, const Elements& elements) : resource_(r) {
  for (const auto& f : r.fields) {
    const auto it = elements.find(f.element);
    element_of_.push_back(it == elements.end() ? nullptr : &it->second);
  }
}

void RecordTally::Add(const json::Json& record) {
  for (std::size_t i = 0; i < resource_.fields.size(); ++i) {
    const Field& f = resource_.fields[i];
    ++cells_;
    const auto it = record.find(f.name);
    if (it == record.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
      continue;
    ++filled_;
    if (f.type == "string" && element_of_[i] == nullptr) continue;
    ++checked_;
    if (!CheckValue(f, element_of_[i], it->get_ref<const std::string&>())) ++valid_;
  }
}

Scores RecordTally::scores() const {
  Scores s;
  s.completeness = cells_ ? static_cast<double>(filled_) / static_cast<double>(cells_) : 1;
  s.validity = checked_ ? static_cast<double>(valid_) / static_cast<double>(checked_) : 1;
  return s;
}

}  // namespace xietong::exchange
