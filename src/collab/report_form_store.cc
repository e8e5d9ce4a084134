#include "collab/report_form_store.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/json.h"

namespace xietong::collab::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    // n-1 report forms: a form to many units, one answer per unit, the
    // replaced versions kept so that what a unit reported first stays provable.
    {"collab", 3, "report forms, their recipient units and answers",
     "CREATE TABLE collab_report_forms ("
     " id TEXT PRIMARY KEY, title TEXT NOT NULL, instructions TEXT NOT NULL,"
     " fields TEXT NOT NULL, from_unit_id TEXT NOT NULL, from_unit_name TEXT NOT NULL,"
     " from_unit_path TEXT NOT NULL, sender_id TEXT NOT NULL, sender_name TEXT NOT NULL,"
     " to_units TEXT NOT NULL, include_subtree BIGINT NOT NULL, unit_kinds TEXT NOT NULL,"
     " due_by BIGINT NOT NULL, series TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " recipients BIGINT NOT NULL);"
     "CREATE INDEX collab_report_forms_from ON collab_report_forms (from_unit_path, created_at);"
     "CREATE INDEX collab_report_forms_series ON collab_report_forms"
     " (from_unit_id, series, created_at);"
     "CREATE TABLE collab_report_recipients ("
     " form_id TEXT NOT NULL, unit_id TEXT NOT NULL, unit_name TEXT NOT NULL,"
     " unit_code TEXT NOT NULL, unit_path TEXT NOT NULL, PRIMARY KEY (form_id, unit_id));"
     "CREATE INDEX collab_report_recipients_unit ON collab_report_recipients (unit_id);"
     "CREATE TABLE collab_report_answers ("
     " form_id TEXT NOT NULL, unit_id TEXT NOT NULL, unit_name TEXT NOT NULL,"
     " answer TEXT NOT NULL, submitted_by TEXT NOT NULL, submitted_by_name TEXT NOT NULL,"
     " first_submitted_at BIGINT NOT NULL, submitted_at BIGINT NOT NULL,"
     " revision BIGINT NOT NULL, PRIMARY KEY (form_id, unit_id));"
     "CREATE INDEX collab_report_answers_unit ON collab_report_answers (unit_id);"
     "CREATE TABLE collab_report_answer_versions ("
     " form_id TEXT NOT NULL, unit_id TEXT NOT NULL, revision BIGINT NOT NULL,"
     " answer TEXT NOT NULL, submitted_by TEXT NOT NULL, submitted_by_name TEXT NOT NULL,"
     " submitted_at BIGINT NOT NULL, PRIMARY KEY (form_id, unit_id, revision))"},
    // A sender who got no answer retries with the same Idempotency-Key and
    // gets the first form, not a second one; the people of each recipient
    // unit when it was sent (who is told of it); a form past due_by with
    // units that have not answered reminds them once (notify_service.cc).
    {"collab", 7, "report forms' idempotency keys, the people told, overdue reminders sent",
     "CREATE TABLE collab_report_form_keys ("
     " sender_id TEXT NOT NULL, idem_key TEXT NOT NULL, form_id TEXT NOT NULL,"
     " PRIMARY KEY (sender_id, idem_key));"
     "CREATE TABLE collab_report_people ("
     " form_id TEXT NOT NULL, account_id TEXT NOT NULL, unit_id TEXT NOT NULL,"
     " PRIMARY KEY (form_id, account_id));"
     "CREATE TABLE collab_report_reminded ("
     " form_id TEXT PRIMARY KEY, at BIGINT NOT NULL);"
     "CREATE INDEX collab_report_forms_due ON collab_report_forms (due_by)"},
};

std::string Strings(const std::vector<std::string>& v) { return json::Json(v).dump(); }
std::vector<std::string> Strings(std::string_view text) {
  std::vector<std::string> out;
  auto j = json::Json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& s : j)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::string FieldsText(const std::vector<FormField>& fields) {
  json::Json out = json::Json::array();
  for (const auto& f : fields) out.push_back(FieldJson(f));
  return out.dump();
}
std::vector<FormField> FieldsFrom(std::string_view text) {
  std::vector<FormField> out;
  auto j = json::Json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& f : j)
    if (auto field = FieldFromJson(f, "fields")) out.push_back(std::move(*field));
  return out;
}
json::Json ValuesFrom(std::string_view text) {
  auto j = json::Json::parse(text, nullptr, false);
  return j.is_object() ? j : json::Json::object();
}

constexpr std::string_view kFormColumns =
    "f.id, f.title, f.instructions, f.fields, f.from_unit_id, f.from_unit_name,"
    " f.from_unit_path, f.sender_id, f.sender_name, f.to_units, f.include_subtree,"
    " f.unit_kinds, f.due_by, f.series, f.created_at, f.recipients,"
    " (SELECT COUNT(*) FROM collab_report_answers x WHERE x.form_id = f.id)";
constexpr std::size_t kFormWidth = 17;

ReportForm FormFrom(const storage::Row& r) {
  ReportForm f;
  f.id = r.Text(0);
  f.title = r.Text(1);
  f.instructions = r.Text(2);
  f.fields = FieldsFrom(r.TextView(3));
  f.from_unit_id = r.Text(4);
  f.from_unit_name = r.Text(5);
  f.from_unit_path = r.Text(6);
  f.sender_id = r.Text(7);
  f.sender_name = r.Text(8);
  f.to_units = Strings(r.TextView(9));
  f.include_subtree = r.Int(10) != 0;
  f.unit_kinds = Strings(r.TextView(11));
  f.due_by = r.Int(12);
  f.series = r.Text(13);
  f.created_at = r.Int(14);
  f.recipients = r.Int(15);
  f.answered = r.Int(16);
  return f;
}

constexpr std::string_view kRecipientColumns = "r.unit_id, r.unit_name, r.unit_code, r.unit_path";
constexpr std::size_t kRecipientWidth = 4;

FormRecipient RecipientFrom(const storage::Row& r, std::size_t at = 0) {
  return {r.Text(at), r.Text(at + 1), r.Text(at + 2), r.Text(at + 3)};
}

constexpr std::string_view kAnswerColumns =
    "a.form_id, a.unit_id, a.unit_name, a.answer, a.submitted_by, a.submitted_by_name,"
    " a.first_submitted_at, a.submitted_at, a.revision";

FormAnswer AnswerFrom(const storage::Row& r, std::size_t at = 0) {
  FormAnswer a;
  a.form_id = r.Text(at);
  a.unit_id = r.Text(at + 1);
  a.unit_name = r.Text(at + 2);
  a.values = ValuesFrom(r.TextView(at + 3));
  a.submitted_by = r.Text(at + 4);
  a.submitted_by_name = r.Text(at + 5);
  a.first_submitted_at = r.Int(at + 6);
  a.submitted_at = r.Int(at + 7);
  a.revision = r.Int(at + 8);
  return a;
}

// "(column LIKE ? OR …)" for a set of subtree prefixes.
std::string UnderAny(std::string_view column, std::span<const std::string> paths,
                     std::vector<storage::Value>& params) {
  std::string sql = "(";
  for (std::size_t i = 0; i < paths.size(); ++i) {
    sql += fmt::format("{}{} LIKE ?", i ? " OR " : "", column);
    params.emplace_back(paths[i] + "%");
  }
  return sql + ")";
}

}  // namespace

std::span<const storage::Migration> ReportFormMigrations() { return kMigrations; }

Result<void> InsertForm(Executor& ex, const ReportForm& f) {
  return ex.Defer(
      "INSERT INTO collab_report_forms (id, title, instructions, fields, from_unit_id,"
      " from_unit_name, from_unit_path, sender_id, sender_name, to_units, include_subtree,"
      " unit_kinds, due_by, series, created_at, recipients)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {f.id, f.title, f.instructions, FieldsText(f.fields), f.from_unit_id, f.from_unit_name,
       f.from_unit_path, f.sender_id, f.sender_name, Strings(f.to_units), f.include_subtree,
       Strings(f.unit_kinds), f.due_by, f.series, f.created_at, f.recipients});
}

Result<void> InsertFormRecipients(Executor& ex, std::string_view form_id,
                                  std::span<const FormRecipient> recipients, int batch) {
  const std::size_t size = static_cast<std::size_t>(std::max(1, batch));
  std::vector<storage::Value> params;
  for (std::size_t from = 0; from < recipients.size(); from += size) {
    const std::size_t n = std::min(size, recipients.size() - from);
    std::string sql =
        "INSERT INTO collab_report_recipients (form_id, unit_id, unit_name, unit_code, unit_path)"
        " VALUES ";
    params.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const FormRecipient& r = recipients[from + i];
      sql += i == 0 ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)";
      params.insert(params.end(),
                    {storage::Value(form_id), r.unit_id, r.unit_name, r.unit_code, r.unit_path});
    }
    XT_TRY_VOID(ex.Defer(sql, storage::Params(params)));
  }
  return {};
}

Result<std::optional<ReportForm>> FindForm(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM collab_report_forms f"
                                                        " WHERE f.id = ?",
                                                        kFormColumns),
                                            {id}));
  if (!row) return std::optional<ReportForm>();
  return std::optional<ReportForm>(FormFrom(*row));
}

Result<std::vector<FormRecipient>> FormRecipients(Executor& ex, std::string_view form_id) {
  std::vector<FormRecipient> out;
  const storage::Value params[] = {form_id};
  XT_TRY_VOID(ex.QueryEach(fmt::format("SELECT {} FROM collab_report_recipients r"
                                       " WHERE r.form_id = ? ORDER BY r.unit_code, r.unit_id",
                                       kRecipientColumns),
                           params, [&](const storage::Row& row) {
                             out.push_back(RecipientFrom(row));
                             return true;
                           }));
  return out;
}

Result<std::optional<std::string>> FormByKey(Executor& ex, std::string_view sender_id,
                                             std::string_view key) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT form_id FROM collab_report_form_keys"
                                            " WHERE sender_id = ? AND idem_key = ?",
                                            {sender_id, key}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

Result<std::optional<std::string>> ClaimFormKey(Executor& ex, std::string_view sender_id,
                                                std::string_view key, std::string_view form_id) {
  XT_ASSIGN_OR_RETURN(const auto n, ex.Exec("INSERT INTO collab_report_form_keys (sender_id,"
                                            " idem_key, form_id) VALUES (?, ?, ?)"
                                            " ON CONFLICT (sender_id, idem_key) DO NOTHING",
                                            {sender_id, key, form_id}));
  if (n > 0) return std::optional<std::string>();
  // Claimed before (or by a concurrent send that committed first).
  XT_ASSIGN_OR_RETURN(auto first, FormByKey(ex, sender_id, key));
  if (!first) return Fail(Error::Conflict("this Idempotency-Key is being used right now; retry"));
  return first;
}

Result<void> InsertFormPeople(Executor& ex, std::string_view form_id,
                              std::span<const FormPerson> people, int batch) {
  const std::size_t size = static_cast<std::size_t>(std::max(1, batch));
  std::vector<storage::Value> params;
  for (std::size_t from = 0; from < people.size(); from += size) {
    const std::size_t n = std::min(size, people.size() - from);
    std::string sql = "INSERT INTO collab_report_people (form_id, account_id, unit_id) VALUES ";
    params.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const FormPerson& p = people[from + i];
      sql += i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)";
      params.insert(params.end(), {storage::Value(form_id), p.account_id, p.unit_id});
    }
    XT_TRY_VOID(ex.Defer(sql, storage::Params(params)));
  }
  return {};
}

Result<std::vector<FormPerson>> FormPeople(Executor& ex, std::string_view form_id) {
  std::vector<FormPerson> out;
  const storage::Value params[] = {form_id};
  XT_TRY_VOID(
      ex.QueryEach("SELECT account_id, unit_id FROM collab_report_people"
                   " WHERE form_id = ? ORDER BY account_id",
                   params, [&](const storage::Row& row) {
                     out.push_back({row.Text(0), row.Text(1)});
                     return true;
                   }));
  return out;
}

Result<std::optional<FormRecipient>> FindFormRecipient(Executor& ex, std::string_view form_id,
                                                       std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM collab_report_recipients r"
                                                        " WHERE r.form_id = ? AND r.unit_id = ?",
                                                        kRecipientColumns),
                                            {form_id, unit_id}));
  if (!row) return std::optional<FormRecipient>();
  return std::optional<FormRecipient>(RecipientFrom(*row));
}

Result<std::vector<FormInboxItem>> FormsTo(Executor& ex, std::span<const std::string> unit_ids,
                                           int limit) {
  if (unit_ids.empty()) return std::vector<FormInboxItem>();
  std::vector<storage::Value> params;
  std::string in;
  for (const auto& u : unit_ids) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(u);
  }
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {}, {}, {} FROM collab_report_recipients r"
                           " JOIN collab_report_forms f ON f.id = r.form_id"
                           " LEFT JOIN collab_report_answers a"
                           " ON a.form_id = r.form_id AND a.unit_id = r.unit_id"
                           " WHERE r.unit_id IN ({})"
                           " ORDER BY f.created_at DESC, f.id DESC, r.unit_code LIMIT {}",
                           kFormColumns, kRecipientColumns, kAnswerColumns, in, limit),
               storage::Params(params)));
  std::vector<FormInboxItem> out;
  for (const auto& r : rows) {
    FormInboxItem item{FormFrom(r), RecipientFrom(r, kFormWidth), std::nullopt};
    if (!r.IsNull(kFormWidth + kRecipientWidth))
      item.answer = AnswerFrom(r, kFormWidth + kRecipientWidth);
    out.push_back(std::move(item));
  }
  return out;
}

Result<std::vector<ReportForm>> FormsFrom(Executor& ex, std::span<const std::string> paths,
                                          int limit) {
  if (paths.empty()) return std::vector<ReportForm>();
  std::vector<storage::Value> params;
  const std::string where = UnderAny("f.from_unit_path", paths, params);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM collab_report_forms f"
                                                      " WHERE {} ORDER BY f.created_at DESC,"
                                                      " f.id DESC LIMIT {}",
                                                      kFormColumns, where, limit),
                                          storage::Params(params)));
  std::vector<ReportForm> out;
  for (const auto& r : rows) out.push_back(FormFrom(r));
  return out;
}

Result<std::optional<FormAnswer>> FindAnswer(Executor& ex, std::string_view form_id,
                                             std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM collab_report_answers a"
                                                        " WHERE a.form_id = ? AND a.unit_id = ?",
                                                        kAnswerColumns),
                                            {form_id, unit_id}));
  if (!row) return std::optional<FormAnswer>();
  return std::optional<FormAnswer>(AnswerFrom(*row));
}

Result<std::vector<FormAnswer>> Answers(Executor& ex, std::string_view form_id) {
  std::vector<FormAnswer> out;
  const storage::Value params[] = {form_id};
  XT_TRY_VOID(ex.QueryEach(fmt::format("SELECT {} FROM collab_report_answers a"
                                       " WHERE a.form_id = ? ORDER BY a.unit_id",
                                       kAnswerColumns),
                           params, [&](const storage::Row& row) {
                             out.push_back(AnswerFrom(row));
                             return true;
                           }));
  return out;
}

Result<bool> InsertAnswer(Executor& ex, const FormAnswer& a) {
  XT_ASSIGN_OR_RETURN(
      const auto n,
      ex.Exec("INSERT INTO collab_report_answers (form_id, unit_id, unit_name, answer,"
              " submitted_by, submitted_by_name, first_submitted_at, submitted_at, revision)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (form_id, unit_id) DO NOTHING",
              {a.form_id, a.unit_id, a.unit_name, a.values.dump(), a.submitted_by,
               a.submitted_by_name, a.first_submitted_at, a.submitted_at, a.revision}));
  return n > 0;
}

Result<bool> ReplaceAnswer(Executor& ex, const FormAnswer& a) {
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("UPDATE collab_report_answers SET answer = ?, submitted_by = ?,"
                              " submitted_by_name = ?, submitted_at = ?, revision = ?"
                              " WHERE form_id = ? AND unit_id = ? AND revision = ?",
                              {a.values.dump(), a.submitted_by, a.submitted_by_name, a.submitted_at,
                               a.revision, a.form_id, a.unit_id, a.revision - 1}));
  return n > 0;
}

Result<void> InsertAnswerVersion(Executor& ex, const FormAnswer& replaced) {
  return ex.Defer(
      "INSERT INTO collab_report_answer_versions (form_id, unit_id, revision, answer,"
      " submitted_by, submitted_by_name, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {replaced.form_id, replaced.unit_id, replaced.revision, replaced.values.dump(),
       replaced.submitted_by, replaced.submitted_by_name, replaced.submitted_at});
}

Result<std::vector<FormAnswer>> AnswerVersions(Executor& ex, std::string_view form_id,
                                               std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT revision, answer, submitted_by, submitted_by_name,"
                               " submitted_at FROM collab_report_answer_versions"
                               " WHERE form_id = ? AND unit_id = ? ORDER BY revision",
                               {form_id, unit_id}));
  std::vector<FormAnswer> out;
  for (const auto& r : rows) {
    FormAnswer a;
    a.form_id = std::string(form_id);
    a.unit_id = std::string(unit_id);
    a.revision = r.Int(0);
    a.values = ValuesFrom(r.TextView(1));
    a.submitted_by = r.Text(2);
    a.submitted_by_name = r.Text(3);
    a.submitted_at = r.Int(4);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::optional<EarlierAnswer>> EarlierInSeries(Executor& ex, std::string_view from_unit_id,
                                                     std::string_view series,
                                                     std::string_view unit_id,
                                                     std::string_view except_form_id,
                                                     Timestamp before) {
  if (series.empty()) return std::optional<EarlierAnswer>();
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne("SELECT a.form_id, a.answer, a.submitted_at"
                                  " FROM collab_report_answers a"
                                  " JOIN collab_report_forms f ON f.id = a.form_id"
                                  " WHERE f.from_unit_id = ? AND f.series = ? AND a.unit_id = ?"
                                  " AND f.id <> ? AND f.created_at <= ?"
                                  " ORDER BY f.created_at DESC, f.id DESC LIMIT 1",
                                  {from_unit_id, series, unit_id, except_form_id, before}));
  if (!row) return std::optional<EarlierAnswer>();
  return std::optional<EarlierAnswer>(
      EarlierAnswer{row->Text(0), ValuesFrom(row->TextView(1)), row->Int(2)});
}

}  // namespace xietong::collab::store
