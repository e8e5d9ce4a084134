#include "collab/report_form.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <map>
#include <set>

#include "collab/directive.h"
#include "collab/taskforce.h"
#include "core/csv.h"
#include "core/xlsx.h"

namespace xietong::collab {
namespace {

constexpr double kMaxMagnitude = 1e15;  // beyond this a figure is a typo, not a count

Error Bad(const std::string& field, std::string message, std::string reason) {
  return Error::InvalidArgument(fmt::format("field '{}': {}", field, message))
      .About(field, std::move(reason));
}

bool ValidKey(std::string_view k) {
  if (k.empty() || k.size() > kMaxFieldKeyChars || k[0] < 'a' || k[0] > 'z') return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool ValidDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const int m = std::stoi(std::string(s.substr(5, 2)));
  const int d = std::stoi(std::string(s.substr(8, 2)));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// A decimal as a form's input sends it: optional '-', digits, optional
// fraction; no exponent, no "inf", no spaces.
std::optional<double> Decimal(std::string_view s) {
  if (s.empty() || s.size() > 40) return std::nullopt;
  std::size_t i = s[0] == '-' ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string Label(const FormField& f) {
  return f.unit.empty() ? f.title : fmt::format("{}（{}）", f.title, f.unit);
}

// One value checked against its field; nullopt when it is empty.
Result<std::optional<json::Json>> CheckValue(const FormField& f, const json::Json& v) {
  const std::string where = "values." + f.key;
  const bool empty = v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty());
  if (empty) {
    if (f.required)
      return Fail(
          Error::InvalidArgument(fmt::format("field '{}' ({}): is required", where, f.title))
              .About(where, "required"));
    return std::optional<json::Json>();
  }
  auto wrong = [&](std::string what) {
    return Error::InvalidArgument(fmt::format("field '{}' ({}): {}", where, f.title, what))
        .About(where, "wrong_type");
  };
  switch (f.type) {
    case FieldType::kText: {
      if (!v.is_string()) return Fail(wrong("must be text"));
      auto text = CheckText(where, v.get_ref<const std::string&>(), kMaxAnswerTextChars, false);
      if (!text) {
        auto e = std::move(text.error());
        e.message = fmt::format("{} ({})", e.message, f.title);
        return Fail(std::move(e));
      }
      return std::optional<json::Json>(json::Json(*text));
    }
    case FieldType::kNumber: {
      std::optional<double> d;
      if (v.is_number()) {
        d = v.get<double>();
      } else if (v.is_string()) {
        d = Decimal(v.get_ref<const std::string&>());
      }
      if (!d || !std::isfinite(*d)) return Fail(wrong("must be a number, e.g. 12.5"));
      if (std::fabs(*d) > kMaxMagnitude)
        return Fail(Error::InvalidArgument(fmt::format("field '{}' ({}): at most {} in size", where,
                                                       f.title, kMaxMagnitude))
                        .About(where, "out_of_range"));
      if (v.is_number_integer() || v.is_number_unsigned()) return std::optional<json::Json>(v);
      return std::optional<json::Json>(json::Json(*d));
    }
    case FieldType::kInteger: {
      std::optional<double> d;
      if (v.is_number()) {
        d = v.get<double>();
      } else if (v.is_string()) {
        d = Decimal(v.get_ref<const std::string&>());
      }
      if (!d || !std::isfinite(*d) || std::floor(*d) != *d)
        return Fail(wrong("must be a whole number, e.g. 12"));
      if (std::fabs(*d) > kMaxMagnitude)
        return Fail(Error::InvalidArgument(fmt::format("field '{}' ({}): at most {} in size", where,
                                                       f.title, kMaxMagnitude))
                        .About(where, "out_of_range"));
      return std::optional<json::Json>(json::Json(static_cast<std::int64_t>(*d)));
    }
    case FieldType::kDate:
      if (!v.is_string() || !ValidDate(v.get_ref<const std::string&>()))
        return Fail(wrong("must be a date as YYYY-MM-DD, e.g. 2026-12-01"));
      return std::optional<json::Json>(v);
    case FieldType::kChoice: {
      if (!v.is_string()) return Fail(wrong("must be one of its options"));
      const auto& s = v.get_ref<const std::string&>();
      if (std::find(f.options.begin(), f.options.end(), s) == f.options.end())
        return Fail(
            Error::InvalidArgument(fmt::format("field '{}' ({}): '{}' is not one of its options",
                                               where, f.title, s.substr(0, 40)))
                .About(where, "not_an_option"));
      return std::optional<json::Json>(v);
    }
  }
  return Fail(wrong("has an unknown type"));
}

std::string_view StatusZh(Completion c) {
  switch (c) {
    case Completion::kSubmitted:
      return "已报送";
    case Completion::kLate:
      return "逾期报送";
    case Completion::kMissing:
      return "未报送";
    case Completion::kOverdue:
      return "逾期未报";
  }
  return "";
}

// "2026-12-02 17:30" in the city's zone; "" for no time.
std::string Minute(Timestamp t) {
  if (t <= 0) return "";
  std::string s = FormatRfc3339(t);
  s.resize(16);
  s[10] = ' ';
  return s;
}

std::string Cell(const json::Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

constexpr std::size_t kFixedColumns = 6;

}  // namespace

std::string_view FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kText:
      return "text";
    case FieldType::kNumber:
      return "number";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kDate:
      return "date";
    case FieldType::kChoice:
      return "choice";
  }
  return "text";
}

Result<FieldType> ParseFieldType(std::string_view s) {
  for (auto t : {FieldType::kText, FieldType::kNumber, FieldType::kInteger, FieldType::kDate,
                 FieldType::kChoice})
    if (FieldTypeName(t) == s) return t;
  return Fail(Error::InvalidArgument(
                  fmt::format("'{}' is not a field type (text, number, integer, date, choice)",
                              s.substr(0, 20)))
                  .About("type", "unknown"));
}

std::string_view CompletionName(Completion c) {
  switch (c) {
    case Completion::kSubmitted:
      return "submitted";
    case Completion::kLate:
      return "late";
    case Completion::kMissing:
      return "missing";
    case Completion::kOverdue:
      return "overdue";
  }
  return "missing";
}

Result<std::vector<FormField>> ValidateForm(const NewReportForm& in, Timestamp now) {
  XT_TRY_VOID(CheckText("title", in.title, kMaxTitleChars, true));
  XT_TRY_VOID(CheckText("instructions", in.instructions, kMaxInstructionsChars, false));
  XT_TRY_VOID(CheckText("series", in.series, 64, false));
  if (in.idempotency_key.size() > kMaxIdempotencyKey)
    return Fail(Bad("idempotency_key",
                    fmt::format("the Idempotency-Key is at most {} characters", kMaxIdempotencyKey),
                    "too_long"));
  if (in.fields.empty()) return Fail(Bad("fields", "a form asks at least one thing", "required"));
  if (in.fields.size() > kMaxFormFields)
    return Fail(Bad("fields", fmt::format("at most {} fields; split the form", kMaxFormFields),
                    "too_many"));
  std::vector<FormField> out;
  std::set<std::string> keys;
  for (std::size_t i = 0; i < in.fields.size(); ++i) {
    const FormField& f = in.fields[i];
    const std::string at = fmt::format("fields[{}]", i);
    if (!ValidKey(f.key))
      return Fail(Bad(at + ".key",
                      fmt::format("'{}' is not a key: lower-case letters, digits and _, starting "
                                  "with a letter, at most {} characters",
                                  f.key.substr(0, 40), kMaxFieldKeyChars),
                      "invalid"));
    if (!keys.insert(f.key).second)
      return Fail(
          Bad(at + ".key", fmt::format("'{}' is used by another field", f.key), "duplicate"));
    FormField g = f;
    XT_ASSIGN_OR_RETURN(g.title, CheckText(at + ".title", f.title, kMaxTitleChars, true));
    XT_ASSIGN_OR_RETURN(g.unit, CheckText(at + ".unit", f.unit, 20, false));
    XT_ASSIGN_OR_RETURN(g.hint, CheckText(at + ".hint", f.hint, 200, false));
    if (f.type == FieldType::kChoice) {
      if (f.options.empty())
        return Fail(Bad(at + ".options", "a choice needs at least one option", "required"));
      if (f.options.size() > kMaxFieldOptions)
        return Fail(
            Bad(at + ".options", fmt::format("at most {} options", kMaxFieldOptions), "too_many"));
      std::set<std::string_view> seen;
      for (const auto& o : f.options) {
        XT_TRY_VOID(CheckText(at + ".options", o, kMaxTitleChars, true));
        if (!seen.insert(o).second)
          return Fail(Bad(at + ".options", fmt::format("'{}' is listed twice", o.substr(0, 40)),
                          "duplicate"));
      }
    } else if (!f.options.empty()) {
      return Fail(Bad(at + ".options", "only a choice field has options", "invalid"));
    }
    out.push_back(std::move(g));
  }
  if (in.to_units.empty()) return Fail(Bad("to_units", "name at least one unit", "required"));
  if (in.to_units.size() > kMaxTargetUnits)
    return Fail(Bad("to_units",
                    fmt::format("at most {} units; choose a parent unit with include_subtree "
                                "instead",
                                kMaxTargetUnits),
                    "too_many"));
  std::set<std::string_view> seen;
  for (const auto& u : in.to_units)
    if (!seen.insert(u).second)
      return Fail(Bad("to_units", fmt::format("{} is listed twice", u.substr(0, 32)), "duplicate"));
  std::set<std::string_view> kinds;
  for (const auto& k : in.unit_kinds) {
    if (!identity::ParseUnitKind(k))
      return Fail(
          Bad("unit_kinds", fmt::format("'{}' is not a kind of unit", k.substr(0, 20)), "unknown"));
    if (!kinds.insert(k).second)
      return Fail(Bad("unit_kinds", fmt::format("'{}' is listed twice", k), "duplicate"));
  }
  if (in.due_by == 0) return Fail(Bad("due_by", "a form has a deadline", "required"));
  if (in.due_by <= now) return Fail(Bad("due_by", "must be in the future", "past"));
  return out;
}

std::vector<FormRecipient> ResolveFormRecipients(std::span<const identity::OrgUnit> targets,
                                                 bool include_subtree,
                                                 std::span<const std::string> unit_kinds,
                                                 std::span<const identity::OrgUnit> all_units,
                                                 std::string_view from_unit_id) {
  std::map<std::string, const identity::OrgUnit*> picked;
  for (const auto& u : all_units) {
    if (u.id == from_unit_id) continue;
    const bool hit = std::any_of(targets.begin(), targets.end(), [&](const auto& t) {
      return include_subtree ? u.path.starts_with(t.path) : u.id == t.id;
    });
    if (!hit) continue;
    if (!unit_kinds.empty() && std::find(unit_kinds.begin(), unit_kinds.end(),
                                         identity::UnitKindName(u.kind)) == unit_kinds.end())
      continue;
    picked.emplace(u.id, &u);
  }
  std::vector<FormRecipient> out;
  for (const auto& [id, u] : picked) out.push_back({u->id, u->name, u->code, u->path});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.unit_code != b.unit_code ? a.unit_code < b.unit_code : a.unit_id < b.unit_id;
  });
  return out;
}

Result<json::Json> ValidateAnswer(std::span<const FormField> fields, const json::Json& values) {
  if (!values.is_object())
    return Fail(Bad("values", "must be an object of field key → value", "wrong_type"));
  for (const auto& [key, v] : values.items()) {
    const bool known =
        std::any_of(fields.begin(), fields.end(), [&](const FormField& f) { return f.key == key; });
    if (!known)
      return Fail(Bad("values." + key.substr(0, 40), "is not a field of this form", "unknown"));
  }
  json::Json out = json::Json::object();
  static const json::Json kNull;
  for (const auto& f : fields) {
    auto it = values.find(f.key);
    XT_ASSIGN_OR_RETURN(auto v, CheckValue(f, it == values.end() ? kNull : *it));
    if (v) out[f.key] = std::move(*v);
  }
  return out;
}

json::Json PrefillFrom(std::span<const FormField> fields, const json::Json& earlier) {
  json::Json out = json::Json::object();
  if (!earlier.is_object()) return out;
  for (const auto& f : fields) {
    auto it = earlier.find(f.key);
    if (it == earlier.end()) continue;
    FormField optional = f;
    optional.required = false;
    auto v = CheckValue(optional, *it);
    if (v && *v) out[f.key] = std::move(**v);
  }
  return out;
}

std::vector<FormPerson> ResolveFormPeople(std::span<const FormRecipient> recipients,
                                          std::span<const identity::Account> candidates,
                                          std::string_view sender_id) {
  std::map<std::string, const FormRecipient*> units;
  for (const auto& r : recipients) units.emplace(r.unit_id, &r);
  std::map<std::string, FormPerson> by_account;
  for (const auto& a : candidates) {
    if (a.disabled || a.kind != identity::AccountKind::kStaff || a.id == sender_id) continue;
    const FormRecipient* best = nullptr;
    for (const auto& m : a.memberships) {
      auto it = units.find(m.unit_id);
      if (it == units.end()) continue;
      const FormRecipient* r = it->second;
      if (!best || r->unit_path.size() > best->unit_path.size() ||
          (r->unit_path.size() == best->unit_path.size() && r->unit_id < best->unit_id))
        best = r;
    }
    if (best) by_account.emplace(a.id, FormPerson{a.id, best->unit_id});
  }
  std::vector<FormPerson> out;
  out.reserve(by_account.size());
  for (auto& [id, p] : by_account) out.push_back(std::move(p));
  return out;
}

bool IsLate(const ReportForm& f, Timestamp first_submitted_at) {
  return first_submitted_at > f.due_by;
}

CompletionTable Tabulate(const ReportForm& f, std::span<const FormRecipient> recipients,
                         std::span<const FormAnswer> answers, Timestamp now) {
  std::map<std::string_view, const FormAnswer*> by_unit;
  for (const auto& a : answers) by_unit.emplace(a.unit_id, &a);
  CompletionTable t;
  for (const auto& r : recipients) {
    UnitCompletion u;
    u.unit_id = r.unit_id;
    u.unit_name = r.unit_name;
    u.unit_code = r.unit_code;
    if (auto it = by_unit.find(r.unit_id); it != by_unit.end()) {
      const FormAnswer& a = *it->second;
      u.status = IsLate(f, a.first_submitted_at) ? Completion::kLate : Completion::kSubmitted;
      u.submitted_at = a.submitted_at;
      u.revision = a.revision;
      u.submitted_by_name = a.submitted_by_name;
    } else {
      u.status = now > f.due_by ? Completion::kOverdue : Completion::kMissing;
    }
    ++t.recipients;
    switch (u.status) {
      case Completion::kSubmitted:
        ++t.submitted;
        break;
      case Completion::kLate:
        ++t.late;
        break;
      case Completion::kMissing:
        ++t.missing;
        break;
      case Completion::kOverdue:
        ++t.overdue;
        break;
    }
    t.units.push_back(std::move(u));
  }
  return t;
}

std::vector<std::vector<std::string>> AnswerRows(const ReportForm& f, const CompletionTable& t,
                                                 std::span<const FormAnswer> answers) {
  std::map<std::string_view, const FormAnswer*> by_unit;
  for (const auto& a : answers) by_unit.emplace(a.unit_id, &a);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"单位", "单位编码", "状态", "填报人", "提交时间", "修改次数"};
  for (const auto& field : f.fields) head.push_back(Label(field));
  rows.push_back(std::move(head));
  for (const auto& u : t.units) {
    std::vector<std::string> row = {u.unit_name,
                                    u.unit_code,
                                    std::string(StatusZh(u.status)),
                                    u.submitted_by_name,
                                    Minute(u.submitted_at),
                                    u.revision > 1 ? std::to_string(u.revision - 1) : ""};
    const FormAnswer* a = nullptr;
    if (auto it = by_unit.find(u.unit_id); it != by_unit.end()) a = it->second;
    for (const auto& field : f.fields) {
      if (!a) {
        row.emplace_back();
        continue;
      }
      auto v = a->values.find(field.key);
      row.push_back(v == a->values.end() ? "" : Cell(*v));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string AnswersCsv(const ReportForm& f, const CompletionTable& t,
                       std::span<const FormAnswer> answers) {
  std::string out = "\xEF\xBB\xBF";  // a BOM: spreadsheets then read it as UTF-8
  csv::AppendRecord(out, {f.title});
  for (const auto& row : AnswerRows(f, t, answers)) csv::AppendRecord(out, row);
  return out;
}

Result<std::string> AnswersXlsx(const ReportForm& f, const CompletionTable& t,
                                std::span<const FormAnswer> answers) {
  const auto rows = AnswerRows(f, t, answers);
  return WorkbookBytes([&](lxw_workbook* wb) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, "填报汇总");
    lxw_format* bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_font_size(bold, 14);
    lxw_format* header = workbook_add_format(wb);
    format_set_bold(header);
    format_set_bg_color(header, 0xD9E1F2);
    format_set_border(header, LXW_BORDER_THIN);
    lxw_format* late = workbook_add_format(wb);
    format_set_font_color(late, 0xC00000);
    lxw_error first_error = LXW_NO_ERROR;
    auto check = [&](lxw_error e) {
      if (first_error == LXW_NO_ERROR) first_error = e;
    };
    check(worksheet_write_string(ws, 0, 0, f.title.c_str(), bold));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto line = static_cast<lxw_row_t>(r + 1);
      for (std::size_t c = 0; c < rows[r].size(); ++c) {
        const std::string& cell = rows[r][c];
        if (cell.empty()) continue;
        const auto col = static_cast<lxw_col_t>(c);
        if (r == 0) {
          check(worksheet_write_string(ws, line, col, cell.c_str(), header));
          continue;
        }
        if (c >= kFixedColumns) {
          const FieldType type = f.fields[c - kFixedColumns].type;
          if (type == FieldType::kNumber || type == FieldType::kInteger) {
            if (auto d = Decimal(cell)) {
              check(worksheet_write_number(ws, line, col, *d, nullptr));
              continue;
            }
          }
        }
        // Text cells: no formula can start here.
        const bool flagged = c == 2 && (t.units[r - 1].status == Completion::kLate ||
                                        t.units[r - 1].status == Completion::kOverdue);
        check(worksheet_write_string(ws, line, col, cell.c_str(), flagged ? late : nullptr));
      }
    }
    const double widths[] = {20, 14, 10, 10, 17, 8};
    for (lxw_col_t col = 0; col < std::size(widths); ++col)
      check(worksheet_set_column(ws, col, col, widths[col], nullptr));
    if (!f.fields.empty())
      check(worksheet_set_column(ws, kFixedColumns,
                                 static_cast<lxw_col_t>(kFixedColumns + f.fields.size() - 1), 16,
                                 nullptr));
    worksheet_freeze_panes(ws, 2, 1);
    return first_error;
  });
}

json::Json FieldJson(const FormField& f) {
  return {{"key", f.key},           {"title", f.title},     {"type", FieldTypeName(f.type)},
          {"required", f.required}, {"options", f.options}, {"unit", f.unit},
          {"hint", f.hint}};
}

Result<FormField> FieldFromJson(const json::Json& j, std::string_view where) {
  const std::string at(where);
  if (!j.is_object()) return Fail(Bad(at, "each field is an object", "wrong_type"));
  FormField f;
  auto str = [&](std::string_view name, bool required, std::string& out) -> Result<void> {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) {
      if (required) return Fail(Bad(fmt::format("{}.{}", at, name), "is required", "required"));
      return {};
    }
    if (!it->is_string())
      return Fail(Bad(fmt::format("{}.{}", at, name), "must be a string", "wrong_type"));
    out = it->get<std::string>();
    return {};
  };
  XT_TRY_VOID(str("key", true, f.key));
  XT_TRY_VOID(str("title", true, f.title));
  std::string type = "text";
  XT_TRY_VOID(str("type", false, type));
  auto t = ParseFieldType(type);
  if (!t) return Fail(Bad(at + ".type", t.error().message, "unknown"));
  f.type = *t;
  if (auto it = j.find("required"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean())
      return Fail(Bad(at + ".required", "must be true or false", "wrong_type"));
    f.required = it->get<bool>();
  }
  if (auto it = j.find("options"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Fail(Bad(at + ".options", "must be an array", "wrong_type"));
    if (it->size() > kMaxFieldOptions)
      return Fail(
          Bad(at + ".options", fmt::format("at most {} options", kMaxFieldOptions), "too_many"));
    for (const auto& o : *it) {
      if (!o.is_string())
        return Fail(Bad(at + ".options", "each option is a string", "wrong_type"));
      f.options.push_back(o.get<std::string>());
    }
  }
  XT_TRY_VOID(str("unit", false, f.unit));
  XT_TRY_VOID(str("hint", false, f.hint));
  return f;
}

}  // namespace xietong::collab
