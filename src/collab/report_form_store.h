// The SQL of report forms (报送/填报), written once for both backends: forms
// (their fields as JSON), their recipient units, one answer per recipient
// unit (its values as JSON) and every replaced version of an answer.
// Decides no rule; only the report-form commands of CollabService call it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collab/report_form.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::collab::store {

using storage::Executor;

// collab/3: the report-form tables; collab/7: the senders' idempotency keys,
// the people told of a form and the overdue forms reminded (a second list of
// the collab schema's migrations).
std::span<const storage::Migration> ReportFormMigrations();

Result<void> InsertForm(Executor& ex, const ReportForm& f);
// One row per recipient unit, in multi-row INSERTs of `batch` rows.
Result<void> InsertFormRecipients(Executor& ex, std::string_view form_id,
                                  std::span<const FormRecipient> recipients, int batch);
// With `answered` counted.
Result<std::optional<ReportForm>> FindForm(Executor& ex, std::string_view id);
// The form a sender's Idempotency-Key was first used for.
Result<std::optional<std::string>> FormByKey(Executor& ex, std::string_view sender_id,
                                             std::string_view key);
// Claims a sender's key for form_id: nullopt when claimed now; the first
// form's id when the key was used before (or by a concurrent send that
// committed first); Conflict when that one is still in flight.
Result<std::optional<std::string>> ClaimFormKey(Executor& ex, std::string_view sender_id,
                                                std::string_view key, std::string_view form_id);
// The people of the recipient units when the form was sent, in multi-row
// INSERTs of `batch` rows; and read back (by account id).
Result<void> InsertFormPeople(Executor& ex, std::string_view form_id,
                              std::span<const FormPerson> people, int batch);
Result<std::vector<FormPerson>> FormPeople(Executor& ex, std::string_view form_id);
// By unit code.
Result<std::vector<FormRecipient>> FormRecipients(Executor& ex, std::string_view form_id);
Result<std::optional<FormRecipient>> FindFormRecipient(Executor& ex, std::string_view form_id,
                                                       std::string_view unit_id);

struct FormInboxItem {
  ReportForm form;
  FormRecipient unit;                // the caller's unit it was sent to
  std::optional<FormAnswer> answer;  // that unit's answer, when there is one
};
// Forms sent to any of these units, newest first; one item per (form, unit).
Result<std::vector<FormInboxItem>> FormsTo(Executor& ex, std::span<const std::string> unit_ids,
                                           int limit);
// Forms sent from units under one of these paths, newest first.
Result<std::vector<ReportForm>> FormsFrom(Executor& ex, std::span<const std::string> paths,
                                          int limit);

Result<std::optional<FormAnswer>> FindAnswer(Executor& ex, std::string_view form_id,
                                             std::string_view unit_id);
Result<std::vector<FormAnswer>> Answers(Executor& ex, std::string_view form_id);
// The unit's first answer; false when the unit has answered meanwhile.
Result<bool> InsertAnswer(Executor& ex, const FormAnswer& a);
// Replaces the unit's answer when it is still at revision a.revision - 1;
// false when someone else of the unit answered meanwhile.
Result<bool> ReplaceAnswer(Executor& ex, const FormAnswer& a);
// Keeps a replaced version.
Result<void> InsertAnswerVersion(Executor& ex, const FormAnswer& replaced);
// The replaced versions of a unit's answer, oldest first.
Result<std::vector<FormAnswer>> AnswerVersions(Executor& ex, std::string_view form_id,
                                               std::string_view unit_id);

struct EarlierAnswer {
  std::string form_id;
  json::Json values;
  Timestamp submitted_at = 0;
};
// The unit's latest answer to another form of the same series from the same
// sending unit, sent before `before`.
Result<std::optional<EarlierAnswer>> EarlierInSeries(Executor& ex, std::string_view from_unit_id,
                                                     std::string_view series,
                                                     std::string_view unit_id,
                                                     std::string_view except_form_id,
                                                     Timestamp before);

}  // namespace xietong::collab::store
