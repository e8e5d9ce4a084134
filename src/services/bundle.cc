#include "services/bundle.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace xietong::services {
namespace {

constexpr std::pair<FieldType, std::string_view> kTypes[] = {
    {FieldType::kText, "text"},          {FieldType::kTextarea, "textarea"},
    {FieldType::kNumber, "number"},      {FieldType::kDate, "date"},
    {FieldType::kIdNumber, "id_number"}, {FieldType::kUscc, "uscc"},
    {FieldType::kPhone, "phone"},        {FieldType::kChoice, "choice"},
    {FieldType::kBoolean, "boolean"}};

Error Bad(std::string field, std::string message, std::string reason = "invalid") {
  return Error::InvalidArgument(fmt::format("field '{}': {}", field, message))
      .About(std::move(field), std::move(reason));
}

// A key: lowercase letters, digits and '_', starting with a letter (it is a
// BPMN element id for parts and a FEEL variable name for fields).
bool ValidKey(std::string_view k) {
  if (k.empty() || k.size() > 64 || k[0] < 'a' || k[0] > 'z') return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

const json::Json& Member(const json::Json& obj, std::string_view field) {
  static const json::Json kNull;
  auto it = obj.find(field);
  return it == obj.end() ? kNull : *it;
}

// obj[zh_field] required, obj[zh_field + "_en"] optional (defaults to zh).
Result<Text> TextOf(const json::Json& obj, std::string_view path, std::string_view zh_field,
                    bool required, std::size_t max = 200) {
  Text t;
  const std::string where = fmt::format("{}{}", path, zh_field);
  if (required) {
    auto zh = json::RequireString(obj, zh_field, {1, max});
    if (!zh) return Fail(Bad(where, zh.error().message, "required"));
    t.zh = std::move(*zh);
  } else {
    auto zh = json::OptionalString(obj, zh_field, {0, max});
    if (!zh) return Fail(Bad(where, zh.error().message));
    t.zh = zh->value_or("");
  }
  auto en = json::OptionalString(obj, fmt::format("{}_en", zh_field), {0, max});
  if (!en) return Fail(Bad(where + "_en", en.error().message));
  t.en = en->value_or(t.zh);
  return t;
}

Result<std::vector<std::string>> Keys(const json::Json& obj, std::string_view path,
                                      std::string_view field) {
  const json::Json& v = Member(obj, field);
  if (v.is_null()) return std::vector<std::string>{};
  auto keys = json::StringArray(obj, field);
  if (!keys) return Fail(Bad(fmt::format("{}{}", path, field), keys.error().message));
  return keys;
}

Result<const json::Json*> Array(const json::Json& obj, std::string_view field, std::size_t max) {
  const json::Json& v = Member(obj, field);
  if (v.is_null()) {
    static const json::Json kEmpty = json::Json::array();
    return &kEmpty;
  }
  if (!v.is_array()) return Fail(Bad(std::string(field), "must be an array", "wrong_type"));
  if (v.size() > max)
    return Fail(Bad(std::string(field), fmt::format("at most {} entries", max), "too_many"));
  for (const auto& e : v)
    if (!e.is_object())
      return Fail(Bad(std::string(field), "every entry must be an object", "wrong_type"));
  return &v;
}

Result<int> IntIn(const json::Json& obj, std::string_view path, std::string_view field, int lo,
                  int hi) {
  auto n = json::RequireInt(obj, field);
  const std::string where = fmt::format("{}{}", path, field);
  if (!n) return Fail(Bad(where, n.error().message, "required"));
  if (*n < lo || *n > hi)
    return Fail(Bad(where, fmt::format("must be {} to {}", lo, hi), "out_of_range"));
  return static_cast<int>(*n);
}

Result<std::string> Key(const json::Json& obj, std::string_view path, std::set<std::string>& seen) {
  auto key = json::RequireString(obj, "key", {1, 64});
  const std::string where = fmt::format("{}key", path);
  if (!key) return Fail(Bad(where, key.error().message, "required"));
  if (!ValidKey(*key))
    return Fail(
        Bad(where, fmt::format("'{}' is not a key: lowercase letters, digits and '_', starting "
                               "with a letter",
                               *key)));
  if (!seen.insert(*key).second)
    return Fail(Bad(where, fmt::format("'{}' is used twice", *key), "duplicate"));
  return key;
}

Result<void> PartsKnown(const Bundle& b, const std::vector<std::string>& parts,
                        std::string_view path) {
  for (const auto& p : parts)
    if (!b.Part(p))
      return Fail(
          Bad(fmt::format("{}parts", path), fmt::format("no part '{}' in parts", p), "unknown"));
  return {};
}

std::string Trim(std::string s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return {};
  const auto b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

}  // namespace

std::string_view FieldTypeName(FieldType t) {
  for (auto [type, name] : kTypes)
    if (type == t) return name;
  return "text";
}

bool IsPersonal(FieldType t) { return t == FieldType::kIdNumber || t == FieldType::kPhone; }

const PartDef* Bundle::Part(std::string_view key) const {
  for (const auto& p : parts)
    if (p.key == key) return &p;
  return nullptr;
}
const FieldDef* Bundle::Field(std::string_view key) const {
  for (const auto& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}
const MaterialDef* Bundle::Material(std::string_view key) const {
  for (const auto& m : materials)
    if (m.key == key) return &m;
  return nullptr;
}

Result<Bundle> ParseBundle(const json::Json& d) {
  if (!d.is_object()) return Fail(Error::InvalidArgument("a service definition is a JSON object"));
  Bundle b;
  auto code = json::RequireString(d, "code", {1, 64});
  if (!code) return Fail(Bad("code", code.error().message, "required"));
  std::string code_key = *code;
  std::replace(code_key.begin(), code_key.end(), '-', '_');
  if (!ValidKey(code_key))
    return Fail(Bad("code", "lowercase letters, digits, '-' and '_', starting with a letter"));
  b.code = *code;
  XT_ASSIGN_OR_RETURN(b.title, TextOf(d, "", "title", true));
  XT_ASSIGN_OR_RETURN(b.summary, TextOf(d, "", "summary", false, 1000));
  auto audience = json::OptionalString(d, "audience", {1, 20});
  if (!audience) return Fail(Bad("audience", audience.error().message));
  b.audience = audience->value_or("person");
  if (b.audience != "person" && b.audience != "company")
    return Fail(Bad("audience", "is person or company"));
  auto process = json::RequireString(d, "process_id", {1, 200});
  if (!process) return Fail(Bad("process_id", process.error().message, "required"));
  b.process_id = *process;
  XT_ASSIGN_OR_RETURN(b.promised_days, IntIn(d, "", "promised_days", 1, 365));

  XT_ASSIGN_OR_RETURN(const json::Json* parts, Array(d, "parts", kMaxParts));
  if (parts->empty()) return Fail(Bad("parts", "a service has at least one part", "required"));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    const json::Json& p = (*parts)[i];
    const std::string path = fmt::format("parts[{}].", i);
    PartDef def;
    XT_ASSIGN_OR_RETURN(def.key, Key(p, path, seen));
    XT_ASSIGN_OR_RETURN(def.title, TextOf(p, path, "title", true));
    auto unit = json::RequireString(p, "unit_code", {1, 64});
    if (!unit) return Fail(Bad(path + "unit_code", unit.error().message, "required"));
    def.unit_code = *unit;
    XT_ASSIGN_OR_RETURN(def.promised_days, IntIn(p, path, "promised_days", 1, 365));
    if (def.promised_days > b.promised_days)
      return Fail(Bad(path + "promised_days",
                      fmt::format("{} working days is longer than the whole service's {}",
                                  def.promised_days, b.promised_days)));
    XT_ASSIGN_OR_RETURN(def.certificate, TextOf(p, path, "certificate", false));
    auto prefix = json::OptionalString(p, "certificate_prefix", {0, 16});
    if (!prefix) return Fail(Bad(path + "certificate_prefix", prefix.error().message));
    def.certificate_prefix = prefix->value_or("");
    if (!def.certificate.zh.empty() && def.certificate_prefix.empty())
      return Fail(Bad(path + "certificate_prefix",
                      "a part that issues a certificate names its number's prefix", "required"));
    b.parts.push_back(std::move(def));
  }

  XT_ASSIGN_OR_RETURN(const json::Json* conditions, Array(d, "conditions", 50));
  for (std::size_t i = 0; i < conditions->size(); ++i) {
    XT_ASSIGN_OR_RETURN(
        auto t, TextOf((*conditions)[i], fmt::format("conditions[{}].", i), "text", true, 1000));
    b.conditions.push_back(std::move(t));
  }
  XT_ASSIGN_OR_RETURN(const json::Json* fees, Array(d, "fees", 50));
  for (std::size_t i = 0; i < fees->size(); ++i) {
    const std::string path = fmt::format("fees[{}].", i);
    Fee fee;
    XT_ASSIGN_OR_RETURN(fee.name, TextOf((*fees)[i], path, "name", true));
    auto amount = json::RequireInt((*fees)[i], "amount_fen");
    if (!amount || *amount < 0)
      return Fail(Bad(path + "amount_fen", "is a whole number of fen, 0 or more", "required"));
    fee.amount_fen = *amount;
    b.fees.push_back(std::move(fee));
  }

  XT_ASSIGN_OR_RETURN(const json::Json* materials, Array(d, "materials", kMaxMaterials));
  seen.clear();
  for (std::size_t i = 0; i < materials->size(); ++i) {
    const json::Json& m = (*materials)[i];
    const std::string path = fmt::format("materials[{}].", i);
    MaterialDef def;
    XT_ASSIGN_OR_RETURN(def.key, Key(m, path, seen));
    XT_ASSIGN_OR_RETURN(def.name, TextOf(m, path, "name", true));
    XT_ASSIGN_OR_RETURN(def.note, TextOf(m, path, "note", false, 500));
    auto required = json::OptionalBool(m, "required");
    if (!required) return Fail(Bad(path + "required", required.error().message));
    def.required = required->value_or(false);
    XT_ASSIGN_OR_RETURN(def.parts, Keys(m, path, "parts"));
    XT_TRY_VOID(PartsKnown(b, def.parts, path));
    b.materials.push_back(std::move(def));
  }

  XT_ASSIGN_OR_RETURN(const json::Json* fields, Array(d, "fields", kMaxFields));
  seen.clear();
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const json::Json& f = (*fields)[i];
    const std::string path = fmt::format("fields[{}].", i);
    FieldDef def;
    XT_ASSIGN_OR_RETURN(def.key, Key(f, path, seen));
    XT_ASSIGN_OR_RETURN(def.label, TextOf(f, path, "label", true));
    XT_ASSIGN_OR_RETURN(def.hint, TextOf(f, path, "hint", false, 500));
    auto type = json::RequireString(f, "type", {1, 20});
    if (!type) return Fail(Bad(path + "type", type.error().message, "required"));
    auto known = std::find_if(std::begin(kTypes), std::end(kTypes),
                              [&](const auto& t) { return t.second == *type; });
    if (known == std::end(kTypes))
      return Fail(Bad(path + "type",
                      fmt::format("'{}' is not a field type: text, textarea, number, date, "
                                  "id_number, uscc, phone, choice or boolean",
                                  *type),
                      "unknown"));
    def.type = known->first;
    auto required = json::OptionalBool(f, "required");
    if (!required) return Fail(Bad(path + "required", required.error().message));
    def.required = required->value_or(false);
    XT_ASSIGN_OR_RETURN(def.parts, Keys(f, path, "parts"));
    XT_TRY_VOID(PartsKnown(b, def.parts, path));
    if (!Member(f, "max_length").is_null()) {
      XT_ASSIGN_OR_RETURN(def.max_length, IntIn(f, path, "max_length", 1, 5000));
    } else {
      def.max_length = def.type == FieldType::kTextarea ? 2000 : 200;
    }
    auto prefill = json::OptionalString(f, "prefill", {0, 64});
    if (!prefill) return Fail(Bad(path + "prefill", prefill.error().message));
    def.prefill = prefill->value_or("");
    if (!def.prefill.empty() && def.prefill != "account.display_name" &&
        def.prefill != "account.phone")
      return Fail(Bad(path + "prefill", "is account.display_name, account.phone or empty"));
    XT_ASSIGN_OR_RETURN(const json::Json* options, Array(f, "options", 100));
    for (std::size_t k = 0; k < options->size(); ++k) {
      const std::string opath = fmt::format("{}options[{}].", path, k);
      auto value = json::RequireString((*options)[k], "value", {1, 64});
      if (!value) return Fail(Bad(opath + "value", value.error().message, "required"));
      XT_ASSIGN_OR_RETURN(auto label, TextOf((*options)[k], opath, "label", true));
      def.options.push_back({std::move(*value), std::move(label)});
    }
    if ((def.type == FieldType::kChoice) != !def.options.empty())
      return Fail(Bad(path + "options", "a choice field has options; other types have none"));
    b.fields.push_back(std::move(def));
  }
  auto holder = json::OptionalString(d, "holder_field", {0, 64});
  if (!holder) return Fail(Bad("holder_field", holder.error().message));
  b.holder_field = holder->value_or("");
  if (!b.holder_field.empty() && !b.Field(b.holder_field))
    return Fail(
        Bad("holder_field", fmt::format("no field '{}' in fields", b.holder_field), "unknown"));
  return b;
}

json::Json BundleJson(const Bundle& b) {
  auto text = [](json::Json& j, std::string_view key, const Text& t) {
    j[std::string(key)] = t.zh;
    j[fmt::format("{}_en", key)] = t.en;
  };
  json::Json j = {{"code", b.code},
                  {"audience", b.audience},
                  {"process_id", b.process_id},
                  {"promised_days", b.promised_days},
                  {"holder_field", b.holder_field}};
  text(j, "title", b.title);
  text(j, "summary", b.summary);
  json::Json conditions = json::Json::array();
  for (const auto& c : b.conditions) {
    json::Json e = json::Json::object();
    text(e, "text", c);
    conditions.push_back(std::move(e));
  }
  j["conditions"] = std::move(conditions);
  json::Json fees = json::Json::array();
  for (const auto& f : b.fees) {
    json::Json e = {{"amount_fen", f.amount_fen}};
    text(e, "name", f.name);
    fees.push_back(std::move(e));
  }
  j["fees"] = std::move(fees);
  json::Json parts = json::Json::array();
  for (const auto& p : b.parts) {
    json::Json e = {{"key", p.key},
                    {"unit_code", p.unit_code},
                    {"promised_days", p.promised_days},
                    {"certificate_prefix", p.certificate_prefix}};
    text(e, "title", p.title);
    text(e, "certificate", p.certificate);
    parts.push_back(std::move(e));
  }
  j["parts"] = std::move(parts);
  json::Json materials = json::Json::array();
  for (const auto& m : b.materials) {
    json::Json e = {{"key", m.key}, {"required", m.required}, {"parts", m.parts}};
    text(e, "name", m.name);
    text(e, "note", m.note);
    materials.push_back(std::move(e));
  }
  j["materials"] = std::move(materials);
  json::Json fields = json::Json::array();
  for (const auto& f : b.fields) {
    json::Json e = {{"key", f.key},     {"type", FieldTypeName(f.type)}, {"required", f.required},
                    {"parts", f.parts}, {"max_length", f.max_length},    {"prefill", f.prefill}};
    text(e, "label", f.label);
    text(e, "hint", f.hint);
    json::Json options = json::Json::array();
    for (const auto& o : f.options) {
      json::Json oj = {{"value", o.value}};
      text(oj, "label", o.label);
      options.push_back(std::move(oj));
    }
    e["options"] = std::move(options);
    fields.push_back(std::move(e));
  }
  j["fields"] = std::move(fields);
  return j;
}

Result<MaterialIds> ParseMaterialIds(const json::Json& materials, std::string_view field) {
  MaterialIds out;
  if (materials.is_null()) return out;
  if (!materials.is_object())
    return Fail(Bad(std::string(field), "is an object of material key → file ids", "wrong_type"));
  for (const auto& [key, ids] : materials.items()) {
    const std::string where = fmt::format("{}.{}", field, key);
    if (!ids.is_array()) return Fail(Bad(where, "is an array of uploaded file ids", "wrong_type"));
    auto& list = out[key];
    for (const auto& id : ids) {
      if (!id.is_string() || id.get<std::string>().empty() || id.get<std::string>().size() > 64)
        return Fail(Bad(where, "is an array of uploaded file ids", "wrong_type"));
      list.push_back(id.get<std::string>());
    }
  }
  return out;
}

Result<json::Json> CheckForm(const Bundle& b, const json::Json& form, const MaterialIds& materials,
                             const std::vector<std::string>& only) {
  if (!form.is_object())
    return Fail(Bad("form", "is an object of field key → value", "wrong_type"));
  auto allowed = [&](const std::string& key) {
    return only.empty() || std::find(only.begin(), only.end(), key) != only.end();
  };
  std::vector<ErrorDetail> problems;
  auto problem = [&](std::string field, std::string reason, std::string message) {
    problems.push_back({std::move(field), std::move(reason), std::move(message)});
  };
  json::Json out = json::Json::object();
  for (const auto& [key, value] : form.items()) {
    const std::string where = "form." + key;
    const FieldDef* f = b.Field(key);
    if (!f) {
      problem(where, "unknown", fmt::format("the service has no field '{}'", key));
      continue;
    }
    if (!allowed(key)) {
      problem(where, "not_asked", fmt::format("field '{}' was not asked to be corrected", key));
      continue;
    }
    if (value.is_null()) continue;
    switch (f->type) {
      case FieldType::kNumber:
        if (!value.is_number()) {
          problem(where, "wrong_type", fmt::format("{} is a number", f->label.en));
        } else {
          out[key] = value;
        }
        continue;
      case FieldType::kBoolean:
        if (!value.is_boolean()) {
          problem(where, "wrong_type", fmt::format("{} is true or false", f->label.en));
        } else {
          out[key] = value;
        }
        continue;
      default:
        break;
    }
    if (!value.is_string()) {
      problem(where, "wrong_type", fmt::format("{} is text", f->label.en));
      continue;
    }
    std::string v = Trim(value.get<std::string>());
    if (v.empty()) continue;  // the same as not answered
    if (json::FindInvalidUtf8(v) || json::FindMisleadingChar(v)) {
      problem(where, "invalid_text",
              fmt::format("{} has characters that are not text", f->label.en));
      continue;
    }
    if (json::CountCodePoints(v) > static_cast<std::size_t>(f->max_length)) {
      problem(where, "too_long",
              fmt::format("{} has at most {} characters", f->label.en, f->max_length));
      continue;
    }
    bool ok = true;
    std::string rule;
    switch (f->type) {
      case FieldType::kDate:
        ok = ValidDate(v), rule = "a date YYYY-MM-DD";
        break;
      case FieldType::kIdNumber:
        if (!v.empty() && v.back() == 'x') v.back() = 'X';
        ok = ValidIdNumber(v), rule = "an 18-character ID number whose check digit fits";
        break;
      case FieldType::kUscc:
        std::transform(v.begin(), v.end(), v.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        ok = ValidUscc(v), rule = "an 18-character unified social credit code whose check fits";
        break;
      case FieldType::kPhone:
        ok = ValidMobile(v), rule = "an 11-digit mobile number";
        break;
      case FieldType::kChoice:
        ok = std::any_of(f->options.begin(), f->options.end(),
                         [&](const Option& o) { return o.value == v; });
        rule = "one of its options";
        break;
      default:
        break;
    }
    if (!ok) {
      problem(where, "invalid", fmt::format("{} must be {}", f->label.en, rule));
      continue;
    }
    out[key] = v;
  }
  for (const auto& [key, ids] : materials) {
    const MaterialDef* m = b.Material(key);
    const std::string where = "materials." + key;
    if (!m) {
      problem(where, "unknown", fmt::format("the service has no material '{}'", key));
    } else if (!allowed(key)) {
      problem(where, "not_asked", fmt::format("material '{}' was not asked to be corrected", key));
    } else if (ids.size() > static_cast<std::size_t>(kMaxFilesPerMaterial)) {
      problem(where, "too_many",
              fmt::format("{} has at most {} files", m->name.en, kMaxFilesPerMaterial));
    }
  }
  auto named = [&](const std::string& field) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const ErrorDetail& d) { return d.field == field; });
  };
  if (only.empty()) {
    for (const auto& f : b.fields)
      if (f.required && !out.contains(f.key) && !named("form." + f.key))
        problem("form." + f.key, "required", fmt::format("{} is required", f.label.en));
    for (const auto& m : b.materials) {
      auto it = materials.find(m.key);
      if (m.required && (it == materials.end() || it->second.empty()) &&
          !named("materials." + m.key))
        problem("materials." + m.key, "required", fmt::format("{} is required", m.name.en));
    }
  } else {
    for (const auto& key : only) {
      const FieldDef* f = b.Field(key);
      if (f && f->required && form.contains(key) && !out.contains(key) && !named("form." + key))
        problem("form." + key, "required", fmt::format("{} is required", f->label.en));
    }
  }
  if (problems.empty()) return out;
  Error e = Error::InvalidArgument(
      problems.size() == 1 ? problems.front().message
                           : fmt::format("{} and {} more problem(s); see details",
                                         problems.front().message, problems.size() - 1));
  e.field = problems.front().field;
  e.reason = problems.front().reason;
  e.details = std::move(problems);
  return Fail(std::move(e));
}

std::string Masked(std::string_view value) { return MaskKeepEnds(value); }

}  // namespace xietong::services
