// CollabService's volunteer hours (志愿服务时长, issue 18): a lead of a task's
// active force confirms the minutes a resident served on a day. Authorize →
// load → decide (volunteer.h) → store (volunteer_store.h) + one audit event
// `collab.volunteer.confirmed`, in one transaction.
#include <fmt/core.h>

#include "audit/audit_log.h"
#include "collab/collab_service.h"
#include "collab/collab_store.h"
#include "collab/volunteer_store.h"

namespace xietong::collab {
namespace {

using identity::Principal;
using storage::Executor;

Error NoTaskHere(std::string_view id) {
  return Error::NotFound(fmt::format("no task '{}'", id.substr(0, 64)));
}

}  // namespace

Result<VolunteerHours> CollabService::ConfirmVolunteerHours(const Principal& actor,
                                                            std::string_view task_id,
                                                            const VolunteerHoursInput& in) {
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(ValidateVolunteerHours(in, now));
  auto volunteer = identity_.GetAccount(Principal::System(), in.volunteer_account_id);
  if (!volunteer)
    return Fail(std::move(volunteer.error()).About("volunteer_account_id", "not_resident"));
  if (volunteer->disabled || volunteer->kind != identity::AccountKind::kResident)
    return Fail(Error::InvalidArgument(fmt::format("field 'volunteer_account_id': {} is not an "
                                                   "active resident account",
                                                   volunteer->username))
                    .About("volunteer_account_id", "not_resident"));
  return Committed(db_.Write([&](Executor& ex) -> Result<VolunteerHours> {
    XT_ASSIGN_OR_RETURN(auto task, store::FindTask(ex, task_id));
    if (!task) return Fail(NoTaskHere(task_id));
    auto access = ChangeForce(ex, actor, task->force_id, ForceAction::kConfirmHours);
    if (!access) {
      if (access.error().code == ErrorCode::kNotFound) return Fail(NoTaskHere(task_id));
      return Fail(std::move(access.error()));
    }
    VolunteerHours h;
    h.id = ids_.Next();
    h.force_id = task->force_id;
    h.task_id = task->id;
    h.volunteer_id = volunteer->id;
    h.volunteer_name = volunteer->display_name;
    h.day = in.day;
    h.minutes = in.minutes;
    h.note = in.note;
    h.confirmed_by = actor.account_id;
    h.confirmed_at = now;
    XT_ASSIGN_OR_RETURN(const bool inserted, store::InsertVolunteerHours(ex, h));
    if (!inserted)
      return Fail(
          Error::Conflict(fmt::format("{}'s hours on {} for this task are confirmed already",
                                      volunteer->display_name, in.day))
              .About("day", "already_confirmed"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.volunteer.confirmed",
                               h.id,
                               {{"force_id", h.force_id},
                                {"task_id", h.task_id},
                                {"volunteer_id", h.volunteer_id},
                                {"day", h.day},
                                {"minutes", h.minutes},
                                {"unit_path", access->force.unit_path}}}));
    return h;
  }));
}

Result<std::vector<VolunteerHours>> CollabService::VolunteerHoursOf(const Principal& actor,
                                                                    std::string_view task_id) {
  return db_.Read([&](Executor& ex) -> Result<std::vector<VolunteerHours>> {
    XT_ASSIGN_OR_RETURN(auto task, store::FindTask(ex, task_id));
    if (!task) return Fail(NoTaskHere(task_id));
    auto access = SeeForce(ex, actor, task->force_id);
    if (!access) return Fail(NoTaskHere(task_id));
    return store::VolunteerHoursOfTask(ex, task->id);
  });
}

}  // namespace xietong::collab
