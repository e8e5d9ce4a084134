// A one-thing service (一件事): the bundle of matters residents apply for
// once — its departments' parts, the BPMN process that runs them, the one
// notice (一次告知: conditions, materials, fees), the one form (一表申请) and
// the one set of materials (一套材料). Pure: parsing and validating a
// definition and checking a filled form against it; no I/O.
//
// A part's key is the id of the user task in the bundle's process that its
// department works (the service checks this at definition time); a field or
// material names the parts that use it, so the form asks each thing once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/identifiers.h"
#include "core/json.h"
#include "core/result.h"

namespace xietong::services {

// A text in both languages the pages speak.
struct Text {
  std::string zh;
  std::string en;
};

enum class FieldType {
  kText,
  kTextarea,
  kNumber,
  kDate,
  kIdNumber,
  kUscc,
  kPhone,
  kChoice,
  kBoolean
};
std::string_view FieldTypeName(FieldType t);
// Personal data (DESIGN §4): shown masked to viewers whose role does not need it.
bool IsPersonal(FieldType t);

struct Option {
  std::string value;
  Text label;
};

struct FieldDef {
  std::string key;
  Text label;
  FieldType type = FieldType::kText;
  bool required = false;
  std::vector<std::string> parts;  // the parts that use it
  Text hint;
  std::vector<Option> options;  // kChoice only
  int max_length = 200;         // text types, in characters
  // What the platform fills in for the applicant: "account.display_name",
  // "account.phone", or "" (only earlier applications' answers).
  std::string prefill;
};

struct MaterialDef {
  std::string key;
  Text name;
  bool required = false;
  Text note;
  std::vector<std::string> parts;
};

struct PartDef {
  std::string key;  // = the user task's id in the process
  Text title;
  std::string unit_code;           // the department that decides it
  int promised_days = 1;           // working days from reaching the part to the decision
  Text certificate;                // the licence issued on approval ("" zh: none)
  std::string certificate_prefix;  // its number's prefix, e.g. "JY"
};

struct Fee {
  Text name;
  std::int64_t amount_fen = 0;
};

struct Bundle {
  std::string id;  // of this version
  std::string code;
  std::int64_t version = 0;
  Text title;
  Text summary;
  std::string audience = "person";  // person or company
  std::string process_id;
  int promised_days = 1;  // the whole bundle, working days
  // The field naming whom the certificates are issued to (the company, the
  // baby); "" or unanswered: the applicant.
  std::string holder_field;
  std::vector<Text> conditions;
  std::vector<Fee> fees;
  std::vector<MaterialDef> materials;
  std::vector<FieldDef> fields;
  std::vector<PartDef> parts;
  std::string created_by;
  Timestamp created_at = 0;

  const PartDef* Part(std::string_view key) const;
  const FieldDef* Field(std::string_view key) const;
  const MaterialDef* Material(std::string_view key) const;
};

inline constexpr int kMaxParts = 20;
inline constexpr int kMaxFields = 100;
inline constexpr int kMaxMaterials = 50;
inline constexpr int kMaxFilesPerMaterial = 10;

// A definition as the API and the demo write it (the keys of BundleJson);
// every problem is InvalidArgument naming the field ("parts[2].unit_code").
// Leaves id, version and created_* empty.
Result<Bundle> ParseBundle(const json::Json& definition);
// The definition document (stored, and the notice's data).
json::Json BundleJson(const Bundle& b);

// The identifier checks (ValidIdNumber, ValidUscc, ValidMobile, ValidDate) are
// core's (core/identifiers.h): exchange's data elements use the same ones.

// Materials as the applicant lists them: material key → uploaded file ids.
using MaterialIds = std::map<std::string, std::vector<std::string>>;
Result<MaterialIds> ParseMaterialIds(const json::Json& materials, std::string_view field);

// Checks a form and its materials against the bundle. only: when not empty,
// the keys that may be given (a correction round); otherwise the whole form,
// required fields and materials included. Answers the form normalised (only
// the bundle's fields, numbers as numbers) or InvalidArgument whose details
// name every bad field ("form.<key>", "materials.<key>").
Result<json::Json> CheckForm(const Bundle& b, const json::Json& form, const MaterialIds& materials,
                             const std::vector<std::string>& only = {});

// The value shown to a viewer who may not see personal data: "110***********1234".
std::string Masked(std::string_view value);

}  // namespace xietong::services
