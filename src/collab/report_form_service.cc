// CollabService's report forms (报送/填报, n-1): a form sent down to units,
// one answer per recipient unit. Each command: authorize → load → decide
// (report_form.h) → store (report_form_store.h) + one audit event, in one
// transaction. Sending also stores the people of the recipient units (whom
// collab.notify tells, notify_service.h); a send with a used Idempotency-Key
// answers the first form, an answer resent unchanged the stored one.
#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "audit/audit_log.h"
#include "collab/collab_service.h"
#include "identity/authorization.h"

namespace xietong::collab {
namespace {

using identity::Action;
using identity::Principal;
using storage::Executor;

constexpr int kRecipientBatch = 500;  // recipient rows per INSERT (5 parameters each)
constexpr int kPeopleBatch = 500;     // people rows per INSERT (3 parameters each)

Error NoForm(std::string_view id) {
  return Error::NotFound(fmt::format("no report form '{}'", id.substr(0, 64)));
}

Result<void> CheckLimit(int limit) {
  if (limit < 1 || limit > CollabService::kMaxPage)
    return Fail(Error::InvalidArgument(
                    fmt::format("'limit' must be between 1 and {}", CollabService::kMaxPage))
                    .About("limit", "out_of_range"));
  return {};
}

bool Staff(const Principal& actor) {
  return !actor.is_system() && actor.kind == identity::AccountKind::kStaff;
}

// The sender's side: who reads the completion table and the answers.
bool MaySeeAnswers(const Principal& actor, const ReportForm& f) {
  return actor.account_id == f.sender_id ||
         identity::Can(actor, Action::kDirectiveSend, f.from_unit_path) ||
         identity::Can(actor, Action::kCollabOversee, f.from_unit_path);
}

// The units the caller belongs to (staff only), each once.
std::vector<std::string> MyUnits(const Principal& actor) {
  std::vector<std::string> out;
  if (!Staff(actor)) return out;
  for (const auto& m : actor.memberships)
    if (std::find(out.begin(), out.end(), m.unit_id) == out.end()) out.push_back(m.unit_id);
  return out;
}

bool BelongsTo(const Principal& actor, std::string_view unit_id) {
  if (!Staff(actor)) return false;
  return std::any_of(actor.memberships.begin(), actor.memberships.end(),
                     [&](const auto& m) { return m.unit_id == unit_id; });
}

// The caller's units that the form was sent to.
Result<std::vector<FormRecipient>> MyRecipientUnits(Executor& ex, const Principal& actor,
                                                    std::string_view form_id) {
  std::vector<FormRecipient> out;
  for (const auto& u : MyUnits(actor)) {
    XT_ASSIGN_OR_RETURN(auto r, store::FindFormRecipient(ex, form_id, u));
    if (r) out.push_back(std::move(*r));
  }
  return out;
}

Result<FormPrefill> PrefillOf(Executor& ex, const ReportForm& f, std::string_view unit_id) {
  FormPrefill p;
  XT_ASSIGN_OR_RETURN(auto earlier, store::EarlierInSeries(ex, f.from_unit_id, f.series, unit_id,
                                                           f.id, f.created_at));
  if (earlier) {
    p.values = PrefillFrom(f.fields, earlier->values);
    p.from_form_id = earlier->form_id;
  }
  return p;
}

}  // namespace

Result<ReportForm> CollabService::CreateReportForm(const Principal& actor,
                                                   const NewReportForm& in) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto fields, ValidateForm(in, now));
  XT_ASSIGN_OR_RETURN(auto sending,
                      SendingUnits(actor, in.from_unit_id, in.to_units, "report forms"));
  auto& from = sending.from;
  auto& targets = sending.targets;
  if (!in.idempotency_key.empty()) {  // a retry: the first form, nobody gets it twice
    XT_ASSIGN_OR_RETURN(
        auto first, db_.Read([&](Executor& ex) -> Result<std::optional<ReportForm>> {
          XT_ASSIGN_OR_RETURN(auto id, store::FormByKey(ex, actor.account_id, in.idempotency_key));
          if (!id) return std::optional<ReportForm>();
          return store::FindForm(ex, *id);
        }));
    if (first) return std::move(*first);
  }
  XT_ASSIGN_OR_RETURN(auto all, identity_.AllUnits());
  const auto recipients =
      ResolveFormRecipients(targets, in.include_subtree, in.unit_kinds, all, from->id);
  if (recipients.empty())
    return Fail(Error::InvalidArgument("field 'to_units': no unit (other than the sending unit) "
                                       "matches these units and kinds")
                    .About("to_units", "no_recipients"));
  if (recipients.size() > kMaxFormRecipients)
    return Fail(Error::InvalidArgument(
                    fmt::format("field 'to_units': {} units match; a form goes to at most {}",
                                recipients.size(), kMaxFormRecipients))
                    .About("to_units", "too_many"));

  // The people of the recipient units, told of the form (collab.notify):
  // everyone with a membership below a target, filtered by ResolveFormPeople.
  XT_ASSIGN_OR_RETURN(const auto candidates, AccountsBelow(targets));
  const auto people = ResolveFormPeople(recipients, candidates, actor.account_id);

  ReportForm f;
  f.id = ids_.Next();
  f.title = in.title;
  f.instructions = in.instructions;
  f.fields = std::move(fields);
  f.from_unit_id = from->id;
  f.from_unit_name = from->name;
  f.from_unit_path = from->path;
  f.sender_id = actor.account_id;
  f.sender_name = actor.display_name;
  f.to_units = in.to_units;
  f.include_subtree = in.include_subtree;
  f.unit_kinds = in.unit_kinds;
  f.due_by = in.due_by;
  f.series = in.series;
  f.created_at = now;
  f.recipients = static_cast<std::int64_t>(recipients.size());
  return Committed(db_.Write([&](Executor& ex) -> Result<ReportForm> {
    if (!in.idempotency_key.empty()) {
      XT_ASSIGN_OR_RETURN(auto first,
                          store::ClaimFormKey(ex, actor.account_id, in.idempotency_key, f.id));
      if (first) {  // a concurrent retry committed first
        XT_ASSIGN_OR_RETURN(auto earlier, store::FindForm(ex, *first));
        if (earlier) return std::move(*earlier);
      }
    }
    XT_TRY_VOID(store::InsertForm(ex, f));
    XT_TRY_VOID(store::InsertFormRecipients(ex, f.id, recipients, kRecipientBatch));
    XT_TRY_VOID(store::InsertFormPeople(ex, f.id, people, kPeopleBatch));
    json::Json fields_json = json::Json::array();
    for (const auto& field : f.fields) fields_json.push_back(FieldJson(field));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.report_form.sent",
                               f.id,
                               {{"title", f.title},
                                {"from_unit_id", f.from_unit_id},
                                {"to_units", f.to_units},
                                {"include_subtree", f.include_subtree},
                                {"unit_kinds", f.unit_kinds},
                                {"due_by", f.due_by},
                                {"series", f.series},
                                {"fields", std::move(fields_json)},
                                {"recipients", f.recipients}}}));
    return f;
  }));
}

Result<ReportFormView> CollabService::GetReportForm(const Principal& actor, std::string_view id) {
  const Timestamp now = clock_.Now();
  return db_.Read([&](Executor& ex) -> Result<ReportFormView> {
    XT_ASSIGN_OR_RETURN(auto f, store::FindForm(ex, id));
    if (!f) return Fail(NoForm(id));
    ReportFormView v;
    XT_ASSIGN_OR_RETURN(auto mine, MyRecipientUnits(ex, actor, f->id));
    const bool sender = MaySeeAnswers(actor, *f);
    if (!sender && mine.empty()) return Fail(NoForm(id));
    for (auto& unit : mine) {
      MyFormUnit m;
      XT_ASSIGN_OR_RETURN(m.answer, store::FindAnswer(ex, f->id, unit.unit_id));
      if (m.answer) {
        m.answer->late = IsLate(*f, m.answer->first_submitted_at);
        XT_ASSIGN_OR_RETURN(m.versions, store::AnswerVersions(ex, f->id, unit.unit_id));
      } else {
        XT_ASSIGN_OR_RETURN(m.prefill, PrefillOf(ex, *f, unit.unit_id));
      }
      m.unit = std::move(unit);
      v.mine.push_back(std::move(m));
    }
    if (sender) {
      XT_ASSIGN_OR_RETURN(auto recipients, store::FormRecipients(ex, f->id));
      XT_ASSIGN_OR_RETURN(auto answers, store::Answers(ex, f->id));
      v.completion = Tabulate(*f, recipients, answers, now);
    }
    v.form = std::move(*f);
    return v;
  });
}

Result<std::vector<store::FormInboxItem>> CollabService::ReportFormInbox(const Principal& actor,
                                                                         int limit) {
  XT_TRY_VOID(CheckLimit(limit));
  const auto units = MyUnits(actor);
  return db_.Read([&](Executor& ex) -> Result<std::vector<store::FormInboxItem>> {
    XT_ASSIGN_OR_RETURN(auto items, store::FormsTo(ex, units, limit));
    for (auto& i : items)
      if (i.answer) i.answer->late = IsLate(i.form, i.answer->first_submitted_at);
    return items;
  });
}

Result<std::vector<ReportForm>> CollabService::ReportFormsSent(const Principal& actor, int limit) {
  XT_TRY_VOID(CheckLimit(limit));
  std::vector<std::string> scopes;
  for (const auto& m : actor.memberships)
    if (identity::RoleAllows(m.role, Action::kDirectiveSend) ||
        identity::RoleAllows(m.role, Action::kCollabOversee))
      scopes.push_back(m.unit_path);
  return db_.Read([&](Executor& ex) { return store::FormsFrom(ex, scopes, limit); });
}

Result<FormAnswer> CollabService::SubmitAnswer(const Principal& actor, std::string_view form_id,
                                               std::string_view unit_id, const json::Json& values) {
  const Timestamp now = clock_.Now();
  FormAnswer a;
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto f, store::FindForm(ex, form_id));
    if (!f) return Fail(NoForm(form_id));
    XT_ASSIGN_OR_RETURN(auto mine, MyRecipientUnits(ex, actor, f->id));
    if (mine.empty() && !MaySeeAnswers(actor, *f)) return Fail(NoForm(form_id));
    // Which unit answers: the one named, which must be the caller's own.
    const FormRecipient* unit = nullptr;
    if (unit_id.empty()) {
      if (mine.empty())
        return Fail(Error::PermissionDenied(
                        "this form was not sent to any of your units; a unit answers through "
                        "its own staff")
                        .About("unit_id", "not_a_recipient"));
      if (mine.size() > 1)
        return Fail(Error::InvalidArgument(
                        "field 'unit_id': the form was sent to several of your units; name the "
                        "one you answer for")
                        .About("unit_id", "required"));
      unit = &mine.front();
    } else {
      if (!BelongsTo(actor, unit_id))
        return Fail(
            Error::PermissionDenied(
                "you answer only for a unit you belong to; another unit answers through its "
                "own staff")
                .About("unit_id", "other_unit"));
      for (const auto& r : mine)
        if (r.unit_id == unit_id) unit = &r;
      if (!unit)
        return Fail(Error::PermissionDenied("this form was not sent to that unit")
                        .About("unit_id", "not_a_recipient"));
    }
    XT_ASSIGN_OR_RETURN(auto checked, ValidateAnswer(f->fields, values));
    XT_ASSIGN_OR_RETURN(auto existing, store::FindAnswer(ex, f->id, unit->unit_id));
    // A resend (no answer came back, the page retried) is the same person's
    // same values: it answers what is stored, with no second version or event.
    const auto same = [&](const std::optional<FormAnswer>& x) {
      return x && x->submitted_by == actor.account_id && x->values == checked;
    };
    if (same(existing)) {
      a = std::move(*existing);
      a.late = IsLate(*f, a.first_submitted_at);
      return {};
    }
    a.form_id = f->id;
    a.unit_id = unit->unit_id;
    a.unit_name = unit->unit_name;
    a.values = std::move(checked);
    a.submitted_by = actor.account_id;
    a.submitted_by_name = actor.display_name;
    a.submitted_at = now;
    // Lost a race: when the answer that won is this very resend's (a
    // concurrent retry), it is the answer; otherwise the caller reloads.
    const auto raced = [&]() -> Result<void> {
      XT_ASSIGN_OR_RETURN(auto now_stored, store::FindAnswer(ex, f->id, unit->unit_id));
      if (!same(now_stored))
        return Fail(
            Error::Conflict("someone else of your unit answered meanwhile; reload and try again"));
      a = std::move(*now_stored);
      a.late = IsLate(*f, a.first_submitted_at);
      return {};
    };
    if (existing) {
      a.first_submitted_at = existing->first_submitted_at;
      a.revision = existing->revision + 1;
      XT_ASSIGN_OR_RETURN(const bool ok, store::ReplaceAnswer(ex, a));
      if (!ok) {
        XT_TRY_VOID(raced());
        return {};
      }
      XT_TRY_VOID(store::InsertAnswerVersion(ex, *existing));
    } else {
      a.first_submitted_at = now;
      a.revision = 1;
      XT_ASSIGN_OR_RETURN(const bool ok, store::InsertAnswer(ex, a));
      if (!ok) {
        XT_TRY_VOID(raced());
        return {};
      }
    }
    a.late = IsLate(*f, a.first_submitted_at);
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.report_form.answered",
                               f->id,
                               {{"unit_id", a.unit_id},
                                {"revision", a.revision},
                                {"late", a.late},
                                {"after_due", now > f->due_by},
                                {"values", a.values}}}));
    return {};
  }));
  return a;
}

Result<FormAnswersView> CollabService::FormAnswers(const Principal& actor,
                                                   std::string_view form_id) {
  const Timestamp now = clock_.Now();
  return db_.Read([&](Executor& ex) -> Result<FormAnswersView> {
    XT_ASSIGN_OR_RETURN(auto f, store::FindForm(ex, form_id));
    if (!f) return Fail(NoForm(form_id));
    if (!MaySeeAnswers(actor, *f)) {
      XT_ASSIGN_OR_RETURN(auto mine, MyRecipientUnits(ex, actor, f->id));
      if (mine.empty()) return Fail(NoForm(form_id));
      return Fail(Error::PermissionDenied("the answers of all units are the sending unit's"));
    }
    FormAnswersView v;
    XT_ASSIGN_OR_RETURN(auto recipients, store::FormRecipients(ex, f->id));
    XT_ASSIGN_OR_RETURN(v.answers, store::Answers(ex, f->id));
    for (auto& a : v.answers) a.late = IsLate(*f, a.first_submitted_at);
    v.completion = Tabulate(*f, recipients, v.answers, now);
    v.form = std::move(*f);
    return v;
  });
}

Result<FormPrefill> CollabService::Prefill(const Principal& actor, std::string_view form_id,
                                           std::string_view unit_id) {
  return db_.Read([&](Executor& ex) -> Result<FormPrefill> {
    XT_ASSIGN_OR_RETURN(auto f, store::FindForm(ex, form_id));
    if (!f) return Fail(NoForm(form_id));
    XT_ASSIGN_OR_RETURN(auto mine, MyRecipientUnits(ex, actor, f->id));
    if (mine.empty() && !MaySeeAnswers(actor, *f)) return Fail(NoForm(form_id));
    const auto it = std::find_if(mine.begin(), mine.end(),
                                 [&](const FormRecipient& r) { return r.unit_id == unit_id; });
    if (it == mine.end())
      return Fail(Error::PermissionDenied("a unit's earlier answers are its own staff's")
                      .About("unit_id", "other_unit"));
    return PrefillOf(ex, *f, unit_id);
  });
}

}  // namespace xietong::collab
