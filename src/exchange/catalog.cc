#include "exchange/catalog.h"

#include <fmt/core.h>

#include <algorithm>
#include <regex>
#include <set>

#include "core/identifiers.h"

namespace xietong::exchange {
namespace {

// Every problem of one document, each naming its JSON path.
class Problems {
 public:
  void Add(std::string field, std::string message, std::string reason = "invalid") {
    details_.push_back({std::move(field), std::move(reason), std::move(message)});
  }
  bool empty() const { return details_.empty(); }
  Error ToError() && {
    const ErrorDetail& first = details_.front();
    Error e =
        Error::InvalidArgument(details_.size() == 1
                                   ? fmt::format("field '{}': {}", first.field, first.message)
                                   : fmt::format("field '{}': {} (and {} more problems)",
                                                 first.field, first.message, details_.size() - 1))
            .About(first.field, first.reason);
    e.details = std::move(details_);
    return e;
  }

 private:
  std::vector<ErrorDetail> details_;
};

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 48 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsCode(std::string_view s) {
  if (s.empty() || s.size() > 48) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

// A string member: "" when absent; a problem when present but not a string
// within limits.
std::string Text(const json::Json& doc, std::string_view key, std::string_view path, Problems& p,
                 bool required, std::size_t max_chars = 200) {
  const auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) {
    if (required) p.Add(std::string(path), "is required", "required");
    return {};
  }
  if (!it->is_string()) {
    p.Add(std::string(path), "must be a string", "wrong_type");
    return {};
  }
  auto s = it->get<std::string>();
  if (json::FindInvalidUtf8(s)) {
    p.Add(std::string(path), "is not valid UTF-8", "invalid_utf8");
    return {};
  }
  if (json::FindMisleadingChar(s)) {
    p.Add(std::string(path), "contains a control or bidirectional character", "invalid");
    return {};
  }
  if (required && s.empty()) p.Add(std::string(path), "may not be empty", "empty");
  if (json::CountCodePoints(s) > max_chars)
    p.Add(std::string(path), fmt::format("is longer than {} characters", max_chars), "too_long");
  return s;
}

bool Flag(const json::Json& doc, std::string_view key, std::string_view path, Problems& p) {
  const auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return false;
  if (!it->is_boolean()) {
    p.Add(std::string(path), "must be true or false", "wrong_type");
    return false;
  }
  return it->get<bool>();
}

template <typename T, typename Parse>
T Enum(const json::Json& doc, std::string_view key, std::string_view path, Problems& p, T dflt,
       Parse parse) {
  const std::string s = Text(doc, key, path, p, false, 32);
  if (s.empty()) return dflt;
  auto v = parse(s);
  if (!v) {
    p.Add(std::string(path), v.error().message, "invalid");
    return dflt;
  }
  return *v;
}

constexpr std::string_view kTypes[] = {"string", "integer", "number", "date", "boolean"};

std::string_view MaskName(MaskRule m) {
  switch (m) {
    case MaskRule::kNone:
      return "none";
    case MaskRule::kKeepEnds:
      return "keep_ends";
    case MaskRule::kName:
      return "name";
    case MaskRule::kAll:
      return "all";
    case MaskRule::kAddress:
      return "address";
  }
  return "none";
}

Result<MaskRule> ParseMask(std::string_view s) {
  for (auto m :
       {MaskRule::kNone, MaskRule::kKeepEnds, MaskRule::kName, MaskRule::kAll, MaskRule::kAddress})
    if (MaskName(m) == s) return m;
  return Fail(Error::InvalidArgument(
      fmt::format("'{}' is not a mask; use none, keep_ends, name, all or address", s)));
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string_view GradeName(Grade g) {
  switch (g) {
    case Grade::kGeneral:
      return "general";
    case Grade::kImportant:
      return "important";
    case Grade::kCore:
      return "core";
  }
  return "general";
}

std::string_view GradeZh(Grade g) {
  switch (g) {
    case Grade::kGeneral:
      return "一般";
    case Grade::kImportant:
      return "重要";
    case Grade::kCore:
      return "核心";
  }
  return "一般";
}

Result<Grade> ParseGrade(std::string_view s) {
  for (auto g : {Grade::kGeneral, Grade::kImportant, Grade::kCore})
    if (GradeName(g) == s || GradeZh(g) == s) return g;
  return Fail(Error::InvalidArgument(
      fmt::format("'{}' is not a grade; use general (一般), important (重要) or core (核心)", s)));
}

std::string_view ShareName(Share s) {
  switch (s) {
    case Share::kUnconditional:
      return "unconditional";
    case Share::kConditional:
      return "conditional";
    case Share::kNone:
      return "none";
  }
  return "none";
}

Result<Share> ParseShare(std::string_view s) {
  for (auto v : {Share::kUnconditional, Share::kConditional, Share::kNone})
    if (ShareName(v) == s) return v;
  return Fail(Error::InvalidArgument(fmt::format(
      "'{}' is not a share attribute; use unconditional (无条件共享), conditional (有条件共享) "
      "or none (不予共享)",
      s)));
}

std::string_view OpennessName(Openness o) {
  switch (o) {
    case Openness::kOpen:
      return "open";
    case Openness::kConditional:
      return "conditional";
    case Openness::kClosed:
      return "closed";
  }
  return "closed";
}

Result<Openness> ParseOpenness(std::string_view s) {
  for (auto v : {Openness::kOpen, Openness::kConditional, Openness::kClosed})
    if (OpennessName(v) == s) return v;
  return Fail(Error::InvalidArgument(fmt::format(
      "'{}' is not an open attribute; use open (无条件开放), conditional (有条件开放) or closed "
      "(不予开放)",
      s)));
}

std::string_view CycleName(Cycle c) {
  switch (c) {
    case Cycle::kRealtime:
      return "realtime";
    case Cycle::kDaily:
      return "daily";
    case Cycle::kWeekly:
      return "weekly";
    case Cycle::kMonthly:
      return "monthly";
    case Cycle::kQuarterly:
      return "quarterly";
    case Cycle::kYearly:
      return "yearly";
  }
  return "monthly";
}

Result<Cycle> ParseCycle(std::string_view s) {
  for (auto c : {Cycle::kRealtime, Cycle::kDaily, Cycle::kWeekly, Cycle::kMonthly,
                 Cycle::kQuarterly, Cycle::kYearly})
    if (CycleName(c) == s) return c;
  return Fail(Error::InvalidArgument(fmt::format(
      "'{}' is not an update cycle; use realtime, daily, weekly, monthly, quarterly or yearly",
      s)));
}

Timestamp CycleLength(Cycle c) {
  constexpr Timestamp kDay = kMicrosPerDay;
  switch (c) {
    case Cycle::kRealtime:
    case Cycle::kDaily:
      return kDay;
    case Cycle::kWeekly:
      return 7 * kDay;
    case Cycle::kMonthly:
      return 31 * kDay;
    case Cycle::kQuarterly:
      return 92 * kDay;
    case Cycle::kYearly:
      return 366 * kDay;
  }
  return 31 * kDay;
}

const std::vector<DataElement>& StandardElements() {
  static const std::vector<DataElement> elements = [] {
    std::vector<DataElement> v;
    auto add = [&](DataElement e) {
      e.standard = true;
      v.push_back(std::move(e));
    };
    add({.code = "id_number",
         .name = "公民身份号码",
         .rule = "id_number",
         .description = "GB 11643-1999: 18 characters with a check digit (0-9 or X)",
         .personal = true,
         .mask = MaskRule::kKeepEnds});
    add({.code = "person_name",
         .name = "姓名",
         .description = "a person's name as registered",
         .personal = true,
         .mask = MaskRule::kName});
    add({.code = "mobile",
         .name = "手机号码",
         .rule = "mobile",
         .description = "an 11-digit mainland mobile number",
         .personal = true,
         .mask = MaskRule::kKeepEnds});
    add({.code = "uscc",
         .name = "统一社会信用代码",
         .rule = "uscc",
         .description = "GB 32100-2015: 18 characters with a check character"});
    add({.code = "division",
         .name = "行政区划代码",
         .rule = "division",
         .description = "GB/T 2260: six digits"});
    add({.code = "date",
         .name = "日期",
         .type = "date",
         .rule = "date",
         .description = "YYYY-MM-DD"});
    add({.code = "sex",
         .name = "性别代码",
         .rule = "code_list",
         .codes = {{"0", "未知的性别"}, {"1", "男性"}, {"2", "女性"}, {"9", "未说明的性别"}},
         .description = "GB/T 2261.1-2003"});
    add({.code = "plate",
         .name = "机动车号牌号码",
         .rule = "pattern",
         .pattern = "^[\\x{4e00}-\\x{9fa5}][A-Z][A-Z0-9]{5,6}$",
         .description = "GA 36: province character, letter, five or six letters and digits",
         .personal = true,
         .mask = MaskRule::kKeepEnds});
    add({.code = "address",
         .name = "地址",
         .description = "a postal address",
         .personal = true,
         .mask = MaskRule::kAddress});
    add({.code = "property_unit",
         .name = "不动产单元号",
         .rule = "pattern",
         .pattern = "^[0-9]{12}[A-Z]{2}[0-9]{5}[A-Z][0-9]{8}$",
         .description = "GB/T 37346-2019: 28 characters"});
    return v;
  }();
  return elements;
}

Result<DataElement> ParseElement(const json::Json& doc) {
  if (!doc.is_object()) return Fail(Error::InvalidArgument("a data element is a JSON object"));
  Problems p;
  DataElement e;
  e.code = Text(doc, "code", "code", p, true, 48);
  if (!e.code.empty() && !IsName(e.code))
    p.Add("code", "is lowercase letters, digits and '_', starting with a letter");
  e.name = Text(doc, "name", "name", p, true, 64);
  e.type = Text(doc, "type", "type", p, false, 16);
  if (e.type.empty()) e.type = "string";
  if (std::find(std::begin(kTypes), std::end(kTypes), e.type) == std::end(kTypes))
    p.Add("type", "is one of string, integer, number, date, boolean");
  e.rule = Text(doc, "rule", "rule", p, false, 16);
  if (e.rule.empty()) e.rule = "none";
  static const std::set<std::string> kRules = {"none", "id_number", "uscc",    "mobile",
                                               "date", "division",  "pattern", "code_list"};
  if (!kRules.contains(e.rule))
    p.Add("rule", "is one of none, id_number, uscc, mobile, date, division, pattern, code_list");
  e.pattern = Text(doc, "pattern", "pattern", p, e.rule == "pattern", 200);
  if (e.rule == "pattern" && !e.pattern.empty()) {
    try {
      std::regex re(e.pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      p.Add("pattern", "is not a valid regular expression");
    }
  }
  if (auto it = doc.find("codes"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) {
      p.Add("codes", "is an object of code → meaning", "wrong_type");
    } else {
      for (const auto& [code, meaning] : it->items()) {
        if (!meaning.is_string() || code.empty() || code.size() > 32)
          p.Add("codes." + code, "is a code (up to 32 characters) with its meaning as a string");
        else
          e.codes[code] = meaning.get<std::string>();
      }
    }
  }
  if (e.rule == "code_list" && e.codes.empty())
    p.Add("codes", "lists at least one code for a code_list rule", "required");
  e.description = Text(doc, "description", "description", p, false, 500);
  e.personal = Flag(doc, "personal", "personal", p);
  e.mask = Enum(doc, "mask", "mask", p, e.personal ? MaskRule::kAll : MaskRule::kNone, ParseMask);
  if (!p.empty()) return Fail(std::move(p).ToError());
  return e;
}

json::Json ElementJson(const DataElement& e) {
  json::Json codes = json::Json::object();
  for (const auto& [c, m] : e.codes) codes[c] = m;
  return {{"code", e.code},
          {"name", e.name},
          {"type", e.type},
          {"rule", e.rule},
          {"pattern", e.pattern},
          {"codes", std::move(codes)},
          {"description", e.description},
          {"personal", e.personal},
          {"mask", MaskName(e.mask)},
          {"standard", e.standard}};
}

Grade EffectiveGrade(const Resource& r) {
  Grade g = r.grade;
  for (const auto& f : r.fields) g = std::max(g, f.grade);
  return g;
}

const Field* FindField(const Resource& r, std::string_view name) {
  for (const auto& f : r.fields)
    if (f.name == name) return &f;
  return nullptr;
}

Result<Resource> ParseResource(const json::Json& doc, const Elements& elements) {
  if (!doc.is_object()) return Fail(Error::InvalidArgument("a data resource is a JSON object"));
  Problems p;
  Resource r;
  r.code = Text(doc, "code", "code", p, true, 48);
  if (!r.code.empty() && !IsCode(r.code))
    p.Add("code", "is letters, digits, '-', '_' and '.' (up to 48)");
  r.title = Text(doc, "title", "title", p, true, 100);
  r.description = Text(doc, "description", "description", p, true, 2000);
  r.cycle = Enum(doc, "cycle", "cycle", p, Cycle::kMonthly, ParseCycle);
  r.share = Enum(doc, "share", "share", p, Share::kConditional, ParseShare);
  r.share_condition = Text(doc, "share_condition", "share_condition", p, false, 500);
  if (r.share == Share::kConditional && r.share_condition.empty())
    p.Add("share_condition", "says what a consumer must show for a conditional (有条件) share",
          "required");
  r.openness = Enum(doc, "open", "open", p, Openness::kClosed, ParseOpenness);
  r.grade = Enum(doc, "grade", "grade", p, Grade::kGeneral, ParseGrade);
  r.kind = Text(doc, "kind", "kind", p, false, 16);
  if (r.kind.empty()) r.kind = "hosted";
  if (r.kind != "hosted" && r.kind != "remote") p.Add("kind", "is hosted or remote");
  r.endpoint = Text(doc, "endpoint", "endpoint", p, r.kind == "remote", 300);
  if (r.kind == "remote" && !r.endpoint.empty() && !r.endpoint.starts_with("http://") &&
      !r.endpoint.starts_with("https://"))
    p.Add("endpoint", "is an http:// or https:// address of the owning department's system");
  if (r.kind == "hosted" && !r.endpoint.empty())
    p.Add("endpoint", "is only for remote resources (the data is hosted here)");
  if (auto it = doc.find("keywords"); it != doc.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > 20) {
      p.Add("keywords", "is an array of up to 20 words", "wrong_type");
    } else {
      for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& k = (*it)[i];
        if (!k.is_string() || k.get<std::string>().empty() ||
            json::CountCodePoints(k.get<std::string>()) > 20 ||
            json::FindInvalidUtf8(k.get<std::string>()))
          p.Add(fmt::format("keywords[{}]", i), "is a word of 1–20 characters");
        else
          r.keywords.push_back(k.get<std::string>());
      }
    }
  }
  std::set<std::string> names;
  const auto fields = doc.find("fields");
  if (fields == doc.end() || !fields->is_array() || fields->empty() || fields->size() > 200) {
    p.Add("fields", "is an array of 1–200 fields", fields == doc.end() ? "required" : "wrong_type");
  } else {
    for (std::size_t i = 0; i < fields->size(); ++i) {
      const std::string at = fmt::format("fields[{}]", i);
      const auto& fd = (*fields)[i];
      if (!fd.is_object()) {
        p.Add(at, "is an object", "wrong_type");
        continue;
      }
      Field f;
      f.name = Text(fd, "name", at + ".name", p, true, 48);
      if (!f.name.empty() && !IsName(f.name))
        p.Add(at + ".name", "is lowercase letters, digits and '_', starting with a letter");
      if (!f.name.empty() && !names.insert(f.name).second)
        p.Add(at + ".name", fmt::format("'{}' is used by another field", f.name), "duplicate");
      f.title = Text(fd, "title", at + ".title", p, true, 64);
      f.type = Text(fd, "type", at + ".type", p, false, 16);
      if (f.type.empty()) f.type = "string";
      if (std::find(std::begin(kTypes), std::end(kTypes), f.type) == std::end(kTypes))
        p.Add(at + ".type", "is one of string, integer, number, date, boolean");
      f.description = Text(fd, "description", at + ".description", p, false, 500);
      f.element = Text(fd, "element", at + ".element", p, false, 48);
      const DataElement* e = nullptr;
      if (!f.element.empty()) {
        if (auto it = elements.find(f.element); it != elements.end())
          e = &it->second;
        else
          p.Add(at + ".element", fmt::format("'{}' is not a registered data element", f.element),
                "unknown");
      }
      f.personal = Flag(fd, "personal", at + ".personal", p) || (e && e->personal);
      f.required = Flag(fd, "required", at + ".required", p);
      f.grade = Enum(fd, "grade", at + ".grade", p, Grade::kGeneral, ParseGrade);
      r.fields.push_back(std::move(f));
    }
  }
  r.key_field = Text(doc, "key_field", "key_field", p, true, 48);
  if (!r.key_field.empty() && !names.empty() && !names.contains(r.key_field))
    p.Add("key_field", fmt::format("'{}' is not one of the fields", r.key_field), "unknown");
  if (!p.empty()) return Fail(std::move(p).ToError());
  // The key identifies a record: it is always required.
  for (auto& f : r.fields)
    if (f.name == r.key_field) f.required = true;
  return r;
}

json::Json FieldJson(const Field& f) {
  return {{"name", f.name},         {"title", f.title},
          {"type", f.type},         {"description", f.description},
          {"element", f.element},   {"personal", f.personal},
          {"required", f.required}, {"grade", GradeName(f.grade)}};
}

json::Json ResourceJson(const Resource& r) {
  json::Json fields = json::Json::array();
  for (const auto& f : r.fields) fields.push_back(FieldJson(f));
  return {{"id", r.id},
          {"code", r.code},
          {"title", r.title},
          {"description", r.description},
          {"owner_unit_id", r.owner_unit_id},
          {"owner_name", r.owner_name},
          {"steward_id", r.steward_id},
          {"cycle", CycleName(r.cycle)},
          {"share", ShareName(r.share)},
          {"share_condition", r.share_condition},
          {"open", OpennessName(r.openness)},
          {"grade", GradeName(r.grade)},
          {"effective_grade", GradeName(EffectiveGrade(r))},
          {"kind", r.kind},
          {"endpoint", r.endpoint},
          {"key_field", r.key_field},
          {"keywords", r.keywords},
          {"fields", std::move(fields)},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at},
          {"last_import_at", r.last_import_at},
          {"rows", r.rows},
          {"version", r.version}};
}

std::optional<std::string> CheckValue(const Field& f, const DataElement* e,
                                      std::string_view value) {
  if (value.empty()) return std::nullopt;
  if (f.type == "integer") {
    const std::string_view digits = value[0] == '-' ? value.substr(1) : value;
    if (!AllDigits(digits) || digits.size() > 18) return "not_integer";
  } else if (f.type == "number") {
    char* end = nullptr;
    const std::string s(value);
    std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return "not_number";
  } else if (f.type == "date") {
    if (!ValidDate(value)) return "not_date";
  } else if (f.type == "boolean") {
    if (value != "true" && value != "false" && value != "是" && value != "否") return "not_boolean";
  }
  if (!e) return std::nullopt;
  if (e->rule == "id_number" && !ValidIdNumber(value)) return "invalid_id_number";
  if (e->rule == "uscc" && !ValidUscc(value)) return "invalid_uscc";
  if (e->rule == "mobile" && !ValidMobile(value)) return "invalid_mobile";
  if (e->rule == "date" && !ValidDate(value)) return "not_date";
  if (e->rule == "division" && !ValidDivisionCode(value)) return "invalid_division";
  if (e->rule == "code_list" && !e->codes.contains(std::string(value))) return "not_in_code_list";
  if (e->rule == "pattern") {
    // The standard patterns use \x{…} for CJK ranges, which std::regex does
    // not know; they are matched on code points by a small translation.
    static thread_local std::map<std::string, std::regex> cache;
    auto it = cache.find(e->pattern);
    if (it == cache.end()) {
      std::string p = e->pattern;
      // Treat one CJK character as one "." over its UTF-8 bytes (3 bytes).
      for (std::size_t at; (at = p.find("[\\x{4e00}-\\x{9fa5}]")) != std::string::npos;)
        p.replace(at, 19, "(?:[\\xe4-\\xe9][\\x80-\\xbf][\\x80-\\xbf])");
      it = cache.emplace(e->pattern, std::regex(p, std::regex::ECMAScript)).first;
    }
    if (!std::regex_match(value.begin(), value.end(), it->second)) return "pattern_mismatch";
  }
  return std::nullopt;
}

std::string MaskValue(const Field& f, const DataElement* e, std::string_view value) {
  if (value.empty()) return {};
  MaskRule rule = e ? e->mask : MaskRule::kNone;
  if (rule == MaskRule::kNone && f.personal) rule = MaskRule::kName;
  switch (rule) {
    case MaskRule::kNone:
      return std::string(value);
    case MaskRule::kKeepEnds:
      return MaskKeepEnds(value);
    case MaskRule::kName:
      return xietong::MaskName(value);
    case MaskRule::kAll:
      return std::string(std::min<std::size_t>(json::CountCodePoints(value), 8), '*');
    case MaskRule::kAddress: {
      // The first six characters (city and district) stay; the rest is hidden.
      std::size_t bytes = 0;
      for (int n = 0; n < 6 && bytes < value.size(); ++n) {
        ++bytes;
        while (bytes < value.size() && (static_cast<unsigned char>(value[bytes]) & 0xC0) == 0x80)
          ++bytes;
      }
      return std::string(value.substr(0, bytes)) + "****";
    }
  }
  return std::string(value);
}

}  // namespace xietong::exchange

namespace xietong::exchange {

Result<Resource> DecodeResource(const json::Json& d) {
  try {
    Resource r;
    r.id = d.at("id");
    r.code = d.at("code");
    r.title = d.at("title");
    r.description = d.at("description");
    r.owner_unit_id = d.at("owner_unit_id");
    r.owner_name = d.value("owner_name", "");
    r.owner_path = d.value("owner_path", "");
    r.steward_id = d.at("steward_id");
    XT_ASSIGN_OR_RETURN(r.cycle, ParseCycle(d.at("cycle").get<std::string>()));
    XT_ASSIGN_OR_RETURN(r.share, ParseShare(d.at("share").get<std::string>()));
    r.share_condition = d.at("share_condition");
    XT_ASSIGN_OR_RETURN(r.openness, ParseOpenness(d.at("open").get<std::string>()));
    XT_ASSIGN_OR_RETURN(r.grade, ParseGrade(d.at("grade").get<std::string>()));
    r.kind = d.at("kind");
    r.endpoint = d.at("endpoint");
    r.key_field = d.at("key_field");
    r.keywords = d.at("keywords").get<std::vector<std::string>>();
    for (const auto& f : d.at("fields")) {
      Field x;
      x.name = f.at("name");
      x.title = f.at("title");
      x.type = f.at("type");
      x.description = f.at("description");
      x.element = f.at("element");
      x.personal = f.at("personal");
      x.required = f.at("required");
      XT_ASSIGN_OR_RETURN(x.grade, ParseGrade(f.at("grade").get<std::string>()));
      r.fields.push_back(std::move(x));
    }
    r.created_at = d.at("created_at");
    r.updated_at = d.at("updated_at");
    r.last_import_at = d.at("last_import_at");
    r.rows = d.at("rows");
    r.version = d.at("version");
    return r;
  } catch (const json::Json::exception& e) {
    return Fail(Error::Internal(fmt::format("a stored data resource does not read: {}", e.what())));
  }
}

}  // namespace xietong::exchange
