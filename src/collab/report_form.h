// Report forms (报送/填报, n-1): a unit sends a form down to many units, and
// each recipient unit fills it once by a deadline. Pure: no I/O.
//
//   a form:       title, instructions, fields (key, title, type text |
//                 number | integer | date | choice with options, required,
//                 optional unit and hint), due_by, and an optional series:
//                 a later form of the same series from the same sending unit
//                 prefills a unit's answer from its previous one.
//   recipients:   units, chosen as directives choose them (to_units, with
//                 their subtrees when include_subtree, optionally only units
//                 of some kinds, e.g. every community of a district) — never
//                 the sending unit itself.
//   an answer:    one per recipient UNIT; any staff member of that unit
//                 submits it, nobody for another unit. Submitting again
//                 replaces it (the replaced version is kept, numbered). After
//                 due_by an answer is still accepted; a unit whose FIRST
//                 answer came after due_by is late (revising an on-time answer
//                 later does not make it late; the revision is recorded).
//   completion:   per unit submitted (on time) | late | missing (none yet,
//                 due_by not passed) | overdue (none, due_by passed).
// Thread-safe: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "identity/identity.h"

namespace xietong::collab {

inline constexpr std::size_t kMaxFormFields = 50;
inline constexpr std::size_t kMaxFieldOptions = 50;
inline constexpr std::size_t kMaxFieldKeyChars = 40;
inline constexpr std::size_t kMaxInstructionsChars = 4000;
inline constexpr std::size_t kMaxAnswerTextChars = 2000;
inline constexpr std::size_t kMaxFormRecipients = 5000;  // units
inline constexpr std::size_t kMaxIdempotencyKey = 200;   // bytes, as for directives

enum class FieldType { kText, kNumber, kInteger, kDate, kChoice };
std::string_view FieldTypeName(FieldType t);
Result<FieldType> ParseFieldType(std::string_view s);

struct FormField {
  std::string key = {}, title = {};
  FieldType type = FieldType::kText;
  bool required = false;
  std::vector<std::string> options = {};  // choice only
  std::string unit = {}, hint = {};       // e.g. "万元", "含临时工"
};

struct NewReportForm {
  std::string title = {}, instructions = {};
  std::vector<FormField> fields = {};
  std::string from_unit_id = {};  // "" = the sender's first unit allowed to send
  std::vector<std::string> to_units = {};
  bool include_subtree = true;
  std::vector<std::string> unit_kinds = {};  // only units of these kinds; empty = all
  Timestamp due_by = 0;
  std::string series = {};  // "" = none
  // The sender's Idempotency-Key ("" = none, at most kMaxIdempotencyKey
  // characters): a second send with the same key by the same sender answers
  // the first form unchanged, whatever the second body says.
  std::string idempotency_key = {};
};

struct ReportForm {
  std::string id;
  std::string title, instructions;
  std::vector<FormField> fields;
  std::string from_unit_id, from_unit_name, from_unit_path;
  std::string sender_id, sender_name;
  std::vector<std::string> to_units;
  bool include_subtree = true;
  std::vector<std::string> unit_kinds;
  Timestamp due_by = 0;
  std::string series;
  Timestamp created_at = 0;
  std::int64_t recipients = 0;  // units
  std::int64_t answered = 0;    // units that have answered (filled in by lists and views)
};

// Checks and normalizes a new form (text, fields, targets, due_by after now,
// the idempotency key's length). The fields come back as they will be
// stored. Errors name the field, e.g. "fields[2].options".
Result<std::vector<FormField>> ValidateForm(const NewReportForm& in, Timestamp now);

struct FormRecipient {
  std::string unit_id = {}, unit_name = {}, unit_code = {}, unit_path = {};
};

// The recipient units: the targets (and with include_subtree every unit below
// one) of the given kinds, never from_unit_id, each once, by path.
std::vector<FormRecipient> ResolveFormRecipients(std::span<const identity::OrgUnit> targets,
                                                 bool include_subtree,
                                                 std::span<const std::string> unit_kinds,
                                                 std::span<const identity::OrgUnit> all_units,
                                                 std::string_view from_unit_id);

// A person told of a form: a staff member of a recipient unit.
struct FormPerson {
  std::string account_id = {}, unit_id = {};
};

// The people of the recipient units among candidates: active staff with a
// membership in one of them, never the sender; each once, through the
// deepest of their recipient units (a community, not its street); by id.
std::vector<FormPerson> ResolveFormPeople(std::span<const FormRecipient> recipients,
                                          std::span<const identity::Account> candidates,
                                          std::string_view sender_id);

// Checks a unit's values (a JSON object: field key → value) against the
// form's fields and answers them normalized: text trimmed of nothing but
// checked (UTF-8, length), number as a JSON number, integer as a JSON
// integer, date as "YYYY-MM-DD", choice as one of its options; absent, null
// or "" for an optional field is left out. Numbers may also come as decimal
// strings ("12.5"), as a form's inputs send them. InvalidArgument naming
// "values.<key>" and the field's title for the first problem.
Result<json::Json> ValidateAnswer(std::span<const FormField> fields, const json::Json& values);

// What carries over from a unit's earlier answer (of the same series) into a
// new form: the values of fields with the same key and type that are still
// valid under the new form's rules.
json::Json PrefillFrom(std::span<const FormField> fields, const json::Json& earlier);

struct FormAnswer {
  std::string form_id = {}, unit_id = {}, unit_name = {};
  json::Json values = json::Json::object();
  std::string submitted_by = {}, submitted_by_name = {};
  Timestamp first_submitted_at = 0, submitted_at = 0;
  std::int64_t revision = 0;  // 1 for the first answer, +1 for each replacement
  bool late = false;          // the first answer came after due_by
};

// Whether a unit answering first at `at` is late.
bool IsLate(const ReportForm& f, Timestamp first_submitted_at);

enum class Completion { kSubmitted, kLate, kMissing, kOverdue };
std::string_view CompletionName(Completion c);

struct UnitCompletion {
  std::string unit_id, unit_name, unit_code;
  Completion status = Completion::kMissing;
  Timestamp submitted_at = 0;  // the latest version's time, 0 when none
  std::int64_t revision = 0;
  std::string submitted_by_name;
};
struct CompletionTable {
  std::vector<UnitCompletion> units;  // in recipient (path) order
  std::int64_t recipients = 0, submitted = 0, late = 0, missing = 0, overdue = 0;
};
// answers: any order, each unit once.
CompletionTable Tabulate(const ReportForm& f, std::span<const FormRecipient> recipients,
                         std::span<const FormAnswer> answers, Timestamp now);

// The roll-up as rows of text (header first): unit, code, status, who and
// when, then each field's value ("title (unit)" as its header).
std::vector<std::vector<std::string>> AnswerRows(const ReportForm& f, const CompletionTable& t,
                                                 std::span<const FormAnswer> answers);
// The same as UTF-8 CSV with a BOM (spreadsheets read UTF-8 only with it),
// the form's title on the first line; and as an XLSX workbook.
std::string AnswersCsv(const ReportForm& f, const CompletionTable& t,
                       std::span<const FormAnswer> answers);
Result<std::string> AnswersXlsx(const ReportForm& f, const CompletionTable& t,
                                std::span<const FormAnswer> answers);

// A field as JSON and back (how fields are stored and sent over HTTP).
json::Json FieldJson(const FormField& f);
Result<FormField> FieldFromJson(const json::Json& j, std::string_view where);

}  // namespace xietong::collab
