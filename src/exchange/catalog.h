// The data catalogue's vocabulary: data elements (数据元), resources and
// their fields, grades (GB/T 43697-2024), share and open attributes
// (GB/T 21063.3), and the two rules every field value meets on its way in
// and out: Check (is it a valid value of its element?) and Mask (what a
// consumer without an unmasked grant sees). Pure values and functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"

namespace xietong::exchange {

// 数据分级 (GB/T 43697-2024): 一般 < 重要 < 核心.
enum class Grade { kGeneral, kImportant, kCore };
std::string_view GradeName(Grade g);  // "general" | "important" | "core"
std::string_view GradeZh(Grade g);    // 一般 | 重要 | 核心
Result<Grade> ParseGrade(std::string_view s);

// 共享属性: 无条件共享 / 有条件共享 / 不予共享.
enum class Share { kUnconditional, kConditional, kNone };
std::string_view ShareName(Share s);  // "unconditional" | "conditional" | "none"
Result<Share> ParseShare(std::string_view s);

// 开放属性: 无条件开放 / 有条件开放 / 不予开放.
enum class Openness { kOpen, kConditional, kClosed };
std::string_view OpennessName(Openness o);  // "open" | "conditional" | "closed"
Result<Openness> ParseOpenness(std::string_view s);

// 更新周期.
enum class Cycle { kRealtime, kDaily, kWeekly, kMonthly, kQuarterly, kYearly };
std::string_view CycleName(Cycle c);
Result<Cycle> ParseCycle(std::string_view s);
// How long a copy may be old before it is late (realtime: one day), in µs.
Timestamp CycleLength(Cycle c);

// How a value is shown to someone without an unmasked grant.
enum class MaskRule { kNone, kKeepEnds, kName, kAll, kAddress };

// A standard field (数据元): its format rule makes quality checks possible,
// and two resources whose fields map to the same element can be joined.
struct DataElement {
  std::string code = {};  // "id_number", "uscc", …
  std::string name = {};  // 公民身份号码
  std::string type = "string";
  // "id_number" | "uscc" | "mobile" | "date" | "division" | "pattern" |
  // "code_list" | "none"
  std::string rule = "none";
  std::string pattern = {};                       // ECMAScript regex for "pattern"
  std::map<std::string, std::string> codes = {};  // code → meaning, for "code_list"
  std::string description = {};
  bool personal = false;  // a value identifies or describes a person
  MaskRule mask = MaskRule::kNone;
  bool standard = false;  // one of StandardElements (not editable)
};

// The elements every installation has: 公民身份号码, 姓名, 手机号码,
// 统一社会信用代码, 行政区划代码, 日期, 性别, 机动车号牌, 地址, 不动产单元号.
const std::vector<DataElement>& StandardElements();
// Parses a custom element (POST /exchange/elements); problems name the field.
Result<DataElement> ParseElement(const json::Json& doc);
json::Json ElementJson(const DataElement& e);

using Elements = std::map<std::string, DataElement>;  // by code

struct Field {
  std::string name;             // column name: [a-z][a-z0-9_]*
  std::string title;            // 中文名
  std::string type = "string";  // "string" | "integer" | "number" | "date" | "boolean"
  std::string description = {};
  std::string element = {};  // a data element's code, or ""
  bool personal = false;
  bool required = false;
  Grade grade = Grade::kGeneral;
};

struct Resource {
  std::string id;
  std::string code;  // stable, e.g. "JL-GA-001"
  std::string title, description;
  std::string owner_unit_id, owner_path, owner_name;
  std::string steward_id;  // the 首席数据官 who approves grade changes
  Cycle cycle = Cycle::kMonthly;
  Share share = Share::kConditional;
  std::string share_condition = {};  // what a conditional request must show
  Openness openness = Openness::kClosed;
  Grade grade = Grade::kGeneral;  // declared; the effective one is EffectiveGrade
  std::string kind = "hosted";    // "hosted" | "remote"
  std::string endpoint = {};      // remote: http://host:port/path, the key is appended
  std::string key_field;
  std::vector<std::string> keywords = {};
  std::vector<Field> fields;
  Timestamp created_at = 0, updated_at = 0, last_import_at = 0;
  std::int64_t rows = 0;
  std::int64_t version = 1;
};

// 就高从严: a resource is at least as high as its highest field.
Grade EffectiveGrade(const Resource& r);
const Field* FindField(const Resource& r, std::string_view name);

// The definition as a data officer writes it (the keys of ResourceJson
// without id, owner and counters). Problems are InvalidArgument naming the
// JSON path ("fields[2].element"); all of them in Error.details.
Result<Resource> ParseResource(const json::Json& doc, const Elements& elements);
json::Json ResourceJson(const Resource& r);
// One field as ResourceJson and the API both write it.
json::Json FieldJson(const Field& f);

// nullopt when value is a valid value of the field (type, element rule);
// otherwise the reason: "not_integer", "not_number", "not_date",
// "not_boolean", "invalid_id_number", "invalid_uscc", "invalid_mobile",
// "invalid_division", "not_in_code_list", "pattern_mismatch". "" is not
// checked here (completeness is counted apart).
std::optional<std::string> CheckValue(const Field& f, const DataElement* e, std::string_view value);
// The value a consumer sees without an unmasked grant: the element's rule,
// or for a personal field without one, everything but the first character.
std::string MaskValue(const Field& f, const DataElement* e, std::string_view value);

}  // namespace xietong::exchange

namespace xietong::exchange {
// Reads back what ResourceJson wrote (the stored document); no checks
// against the element registry (an element may have changed since).
Result<Resource> DecodeResource(const json::Json& doc);
}  // namespace xietong::exchange
