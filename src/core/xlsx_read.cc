// Reading the first worksheet of an uploaded XLSX workbook (see xlsx.h).
//
// The parts are found the way Office finds them: _rels/.rels names the
// workbook, the workbook's relationships name its sheets, shared strings and
// styles; a prefixed namespace (<x:row>) reads the same as the default one.
#include <fmt/core.h>
#include <zip.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <pugixml.hpp>

#include "core/xlsx.h"

namespace xietong {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;

Error Bad(std::string what) {
  return Error::InvalidArgument(fmt::format("the file is not a readable XLSX workbook: {}", what))
      .About("file", "invalid_xlsx");
}

// One part, whole, or nullopt when the archive has no such part.
Result<std::optional<std::string>> ReadPart(zip_t* zip, const std::string& name, std::size_t cap) {
  const zip_int64_t index = zip_name_locate(zip, name.c_str(), ZIP_FL_NOCASE);
  if (index < 0) return std::optional<std::string>();
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(zip, static_cast<zip_uint64_t>(index), 0, &st) == 0 &&
      (st.valid & ZIP_STAT_SIZE) && st.size > cap)
    return Fail(Bad(fmt::format("{} unpacks to {} MB, more than the {} MB allowed", name,
                                st.size >> 20, cap >> 20)));
  std::unique_ptr<zip_file_t, ZipFileCloser> file(
      zip_fopen_index(zip, static_cast<zip_uint64_t>(index), 0));
  if (!file) return Fail(Bad(fmt::format("{} cannot be opened ({})", name, zip_strerror(zip))));
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    const zip_int64_t n = zip_fread(file.get(), buffer, sizeof buffer);
    if (n < 0) return Fail(Bad(fmt::format("{} is damaged", name)));
    if (n == 0) break;
    // The stored size can lie; the cap holds on what actually unpacks.
    if (out.size() + static_cast<std::size_t>(n) > cap)
      return Fail(Bad(fmt::format("{} unpacks to more than the {} MB allowed", name, cap >> 20)));
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>(std::move(out));
}

// The part's XML, parsed in place (the document keeps the text alive).
struct Xml {
  std::string text;
  pugi::xml_document doc;
};
Result<std::unique_ptr<Xml>> ParsePart(zip_t* zip, const std::string& name, std::size_t cap,
                                       bool required) {
  XT_ASSIGN_OR_RETURN(auto text, ReadPart(zip, name, cap));
  if (!text) {
    if (required) return Fail(Bad(fmt::format("it has no {}", name)));
    return std::unique_ptr<Xml>();
  }
  auto xml = std::make_unique<Xml>();
  xml->text = std::move(*text);
  // parse_default expands no DOCTYPE and no external entity.
  const auto parsed =
      xml->doc.load_buffer_inplace(xml->text.data(), xml->text.size(), pugi::parse_default);
  if (!parsed)
    return Fail(Bad(fmt::format("{} is not well-formed XML ({} at byte {})", name,
                                parsed.description(), parsed.offset)));
  return xml;
}

// "x:row" and "row" are the same element.
std::string_view Local(const char* name) {
  const std::string_view s(name);
  const auto colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}
pugi::xml_node Child(pugi::xml_node n, std::string_view local) {
  for (auto c : n.children())
    if (Local(c.name()) == local) return c;
  return {};
}
// The relationship id attribute (r:id, whatever the prefix).
std::string_view RelId(pugi::xml_node n) {
  for (auto a : n.attributes()) {
    const std::string_view name(a.name());
    if (name.find(':') != std::string_view::npos && Local(a.name()) == "id") return a.value();
  }
  return {};
}

// Part name of a relationship target, relative to the part that names it.
std::string Resolve(const std::string& from, std::string_view target) {
  std::string path;
  if (!target.empty() && target.front() == '/') {
    path = std::string(target.substr(1));
  } else {
    const auto slash = from.rfind('/');
    path = (slash == std::string::npos ? "" : from.substr(0, slash + 1)) + std::string(target);
  }
  // Collapse "dir/../".
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}
std::string RelsOf(const std::string& part) {
  const auto slash = part.rfind('/');
  if (slash == std::string::npos) return "_rels/" + part + ".rels";
  return part.substr(0, slash + 1) + "_rels/" + part.substr(slash + 1) + ".rels";
}

struct Relationship {
  std::string id, type, target;
};
Result<std::vector<Relationship>> Relationships(zip_t* zip, const std::string& part,
                                                std::size_t cap) {
  XT_ASSIGN_OR_RETURN(auto xml, ParsePart(zip, RelsOf(part), cap, false));
  std::vector<Relationship> out;
  if (!xml) return out;
  for (auto r : Child(xml->doc, "Relationships").children()) {
    if (Local(r.name()) != "Relationship") continue;
    out.push_back({r.attribute("Id").value(), r.attribute("Type").value(),
                   Resolve(part, r.attribute("Target").value())});
  }
  return out;
}
const Relationship* OfType(const std::vector<Relationship>& rels, std::string_view suffix) {
  for (const auto& r : rels)
    if (std::string_view(r.type).ends_with(suffix)) return &r;
  return nullptr;
}

// OOXML escapes characters XML cannot hold as _xHHHH_.
std::string Unescape(std::string_view s) {
  if (s.find("_x") == std::string_view::npos) return std::string(s);
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
      unsigned code = 0;
      bool hex = true;
      for (std::size_t k = i + 2; k < i + 6; ++k) {
        const char c = s[k];
        code <<= 4;
        if (c >= '0' && c <= '9')
          code |= static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
          code |= static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
          code |= static_cast<unsigned>(c - 'A' + 10);
        else
          hex = false;
      }
      if (hex && (code < 0xD800 || code > 0xDFFF)) {
        if (code < 0x80) {
          out += static_cast<char>(code);
        } else if (code < 0x800) {
          out += static_cast<char>(0xC0 | (code >> 6));
          out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
          out += static_cast<char>(0xE0 | (code >> 12));
          out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (code & 0x3F));
        }
        i += 6;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// The text of a string item: <t> directly, or the <t> of each rich-text run;
// phonetic runs (<rPh>) are a reading aid, not the value.
std::string ItemText(pugi::xml_node si) {
  std::string out;
  for (auto c : si.children()) {
    const auto name = Local(c.name());
    if (name == "t") {
      out += c.child_value();
    } else if (name == "r") {
      if (auto t = Child(c, "t")) out += t.child_value();
    }
  }
  return Unescape(out);
}

enum class Shown { kNumber, kDate, kTime, kDateTime };

// What a number format shows: a date, a time, both, or a number.
Shown FormatKind(int id, std::string_view code) {
  if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 54) ||
      id == 57 || id == 58)
    return Shown::kDate;
  if (id == 22) return Shown::kDateTime;
  if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) || id == 55 ||
      id == 56)
    return Shown::kTime;
  if (id < 164) return Shown::kNumber;
  // A custom format: look at its letters outside quotes, brackets and escapes.
  bool date = false, time = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      const auto end = code.find('"', i + 1);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (c == '[') {
      const auto end = code.find(']', i + 1);
      if (end == std::string_view::npos) break;
      const auto inside = code.substr(i + 1, end - i - 1);
      // [h]:mm elapsed time; [Red], [$-804] and the like are not letters of the value.
      if (inside.find_first_not_of("hHmMsS") == std::string_view::npos) time = true;
      i = end;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == ';') {
      break;  // the first section decides
    } else {
      const char l = static_cast<char>(c | 0x20);
      if (l == 'y' || l == 'd') date = true;
      if (l == 'h' || l == 's') time = true;
    }
  }
  if (date && time) return Shown::kDateTime;
  if (date) return Shown::kDate;
  if (time) return Shown::kTime;
  return Shown::kNumber;
}

// A serial day number as the format shows it; nullopt when out of range.
std::optional<std::string> SerialText(double serial, Shown kind, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial > 2958465.99999) return std::nullopt;
  double whole = std::floor(serial);
  auto seconds = static_cast<long>(std::llround((serial - whole) * 86400));
  if (seconds >= 86400) {
    seconds -= 86400;
    whole += 1;
  }
  using namespace std::chrono;
  sys_days base = date1904 ? sys_days(year{1904} / January / 1)
                           // 1900 system: serial 1 is 1900-01-01, and Lotus's
                           // 1900-02-29 (serial 60) shifts everything after it.
                           : (whole >= 61 ? sys_days(year{1899} / December / 30)
                                          : sys_days(year{1899} / December / 31));
  const year_month_day day{base + days(static_cast<long>(whole))};
  const std::string date_text =
      fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()),
                  static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  const std::string time_text =
      fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  switch (kind) {
    case Shown::kDate:
      return date_text;
    case Shown::kTime:
      return time_text;
    case Shown::kDateTime:
      return seconds == 0 ? date_text : date_text + " " + time_text;
    case Shown::kNumber:
      break;
  }
  return std::nullopt;
}

// Column index of a cell reference ("AB12" → 27); -1 when it has no letters.
int ColumnOf(std::string_view ref) {
  int col = 0;
  std::size_t i = 0;
  for (; i < ref.size() && i < 3; ++i) {
    const char c = ref[i];
    if (c >= 'A' && c <= 'Z')
      col = col * 26 + (c - 'A' + 1);
    else if (c >= 'a' && c <= 'z')
      col = col * 26 + (c - 'a' + 1);
    else
      break;
  }
  return i == 0 ? -1 : col - 1;
}

constexpr int kMaxColumns = 16384;  // Excel's XFD

}  // namespace

bool LooksLikeZip(std::string_view bytes) { return bytes.starts_with("PK\x03\x04"); }

Result<std::vector<SheetRow>> ReadFirstSheet(std::string_view bytes, const SheetLimits& limits) {
  if (!LooksLikeZip(bytes)) return Fail(Bad("it is not a ZIP archive"));
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) {
    zip_error_fini(&error);
    return Fail(Error::Internal("libzip could not take the upload"));
  }
  Zip zip(zip_open_from_source(source, ZIP_RDONLY, &error));
  if (!zip) {
    zip_source_free(source);
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    return Fail(Bad(fmt::format("the archive is damaged ({})", why)));
  }
  zip_error_fini(&error);
  const std::size_t cap = limits.max_part_bytes;

  // _rels/.rels → the workbook → its sheets, shared strings and styles.
  XT_ASSIGN_OR_RETURN(const auto root, Relationships(zip.get(), "", cap));
  const Relationship* office = OfType(root, "/officeDocument");
  const std::string workbook_part = office ? office->target : "xl/workbook.xml";
  XT_ASSIGN_OR_RETURN(auto workbook, ParsePart(zip.get(), workbook_part, cap, true));
  XT_ASSIGN_OR_RETURN(const auto rels, Relationships(zip.get(), workbook_part, cap));
  const auto book = Child(workbook->doc, "workbook");
  const std::string_view d1904 = Child(book, "workbookPr").attribute("date1904").value();
  const bool date1904 = d1904 == "1" || d1904 == "true";
  std::string sheet_part;
  for (auto s : Child(book, "sheets").children()) {
    if (Local(s.name()) != "sheet") continue;
    for (const auto& r : rels)
      if (r.id == RelId(s)) sheet_part = r.target;
    break;
  }
  if (sheet_part.empty()) return Fail(Bad("its workbook names no worksheet"));

  std::vector<std::string> shared;
  if (const auto* r = OfType(rels, "/sharedStrings")) {
    XT_ASSIGN_OR_RETURN(auto sst, ParsePart(zip.get(), r->target, cap, false));
    if (sst)
      for (auto si : Child(sst->doc, "sst").children())
        if (Local(si.name()) == "si") shared.push_back(ItemText(si));
  }
  std::vector<Shown> style_kind;
  if (const auto* r = OfType(rels, "/styles")) {
    XT_ASSIGN_OR_RETURN(auto styles, ParsePart(zip.get(), r->target, cap, false));
    if (styles) {
      const auto sheet = Child(styles->doc, "styleSheet");
      std::vector<std::pair<int, std::string>> custom;
      for (auto f : Child(sheet, "numFmts").children())
        custom.emplace_back(f.attribute("numFmtId").as_int(), f.attribute("formatCode").value());
      for (auto xf : Child(sheet, "cellXfs").children()) {
        if (Local(xf.name()) != "xf") continue;
        const int id = xf.attribute("numFmtId").as_int();
        std::string_view code;
        for (const auto& [cid, c] : custom)
          if (cid == id) code = c;
        style_kind.push_back(FormatKind(id, code));
      }
    }
  }

  XT_ASSIGN_OR_RETURN(auto sheet, ParsePart(zip.get(), sheet_part, cap, true));
  std::vector<SheetRow> out;
  std::size_t cells = 0;
  std::int64_t last_row = 0;
  for (auto row : Child(Child(sheet->doc, "worksheet"), "sheetData").children()) {
    if (Local(row.name()) != "row") continue;
    SheetRow r;
    r.number = row.attribute("r").as_llong(last_row + 1);
    if (r.number <= last_row || r.number > 1'048'576)
      return Fail(Bad(fmt::format("{}: row numbers go back or past Excel's last row after row {}",
                                  sheet_part, last_row)));
    last_row = r.number;
    int column = -1;
    for (auto c : row.children()) {
      if (Local(c.name()) != "c") continue;
      if (++cells > limits.max_cells)
        return Fail(Bad(fmt::format("it has more than {} cells", limits.max_cells)));
      const int at = ColumnOf(c.attribute("r").value());
      column = at >= 0 ? at : column + 1;
      if (column >= kMaxColumns)
        return Fail(Bad(fmt::format("{} row {} has a cell past column XFD", sheet_part, r.number)));
      const std::string_view type = c.attribute("t").value();
      std::string text;
      if (type == "inlineStr") {
        text = ItemText(Child(c, "is"));
      } else {
        const std::string_view v = Child(c, "v").child_value();
        if (type == "s") {
          const auto i =
              static_cast<std::size_t>(std::strtoull(std::string(v).c_str(), nullptr, 10));
          if (v.empty() || i >= shared.size())
            return Fail(Bad(fmt::format("{} row {} names shared string {} of {}", sheet_part,
                                        r.number, v, shared.size())));
          text = shared[i];
        } else if (type == "b") {
          text = v == "1" ? "TRUE" : "FALSE";
        } else if (type == "str" || type == "e" || type == "d") {
          text = Unescape(v);
        } else {
          text = std::string(v);
          const std::size_t s = c.attribute("s").as_uint(0);
          if (!v.empty() && s < style_kind.size() && style_kind[s] != Shown::kNumber) {
            char* end = nullptr;
            const std::string copy(v);
            const double serial = std::strtod(copy.c_str(), &end);
            if (end && *end == '\0')
              if (auto shown = SerialText(serial, style_kind[s], date1904)) text = *shown;
          }
        }
      }
      if (text.empty()) continue;
      if (r.cells.size() <= static_cast<std::size_t>(column))
        r.cells.resize(static_cast<std::size_t>(column) + 1);
      r.cells[static_cast<std::size_t>(column)] = std::move(text);
    }
    if (!r.cells.empty()) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace xietong
