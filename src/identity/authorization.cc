#include "identity/authorization.h"

namespace xietong::identity {

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kOrgRead:
      return "org.read";
    case Action::kUnitManage:
      return "unit.manage";
    case Action::kAccountRead:
      return "account.read";
    case Action::kAccountManage:
      return "account.manage";
    case Action::kRevealPersonal:
      return "personal.reveal";
    case Action::kMatterManage:
      return "matter.manage";
    case Action::kRequestCreate:
      return "request.create";
    case Action::kRequestRead:
      return "request.read";
    case Action::kRequestHandle:
      return "request.handle";
    case Action::kRequestDispatch:
      return "request.dispatch";
    case Action::kRequestSupervise:
      return "request.supervise";
    case Action::kStatsRead:
      return "stats.read";
    case Action::kWorkflowManage:
      return "workflow.manage";
    case Action::kServiceManage:
      return "service.manage";
    case Action::kServiceHandle:
      return "service.handle";
    case Action::kServiceOversee:
      return "service.oversee";
    case Action::kDataPublish:
      return "data.publish";
    case Action::kDataRequest:
      return "data.request";
    case Action::kDataQuery:
      return "data.query";
    case Action::kTaskForceOpen:
      return "taskforce.open";
    case Action::kDirectiveSend:
      return "directive.send";
    case Action::kCollabOversee:
      return "collab.oversee";
    case Action::kIncidentCommand:
      return "incident.command";
    case Action::kIncidentRespond:
      return "incident.respond";
    case Action::kPointsManage:
      return "points.manage";
    case Action::kParticipationStaff:
      return "participation.staff";
    case Action::kParticipationOversee:
      return "participation.oversee";
    case Action::kInsightManage:
      return "insight.manage";
  }
  return "unknown";
}

bool RoleAllows(Role role, Action action) {
  switch (action) {
    case Action::kOrgRead:
      return true;
    case Action::kAccountRead:
      return role == Role::kAdmin || role == Role::kUnitLead || role == Role::kSupervisor ||
             role == Role::kLeader;
    case Action::kUnitManage:
    case Action::kAccountManage:
    case Action::kRevealPersonal:
    case Action::kMatterManage:
    case Action::kWorkflowManage:
    case Action::kServiceManage:
      return role == Role::kAdmin;
    case Action::kServiceHandle:
      return role == Role::kHandler || role == Role::kUnitLead;
    case Action::kServiceOversee:
      return role == Role::kLeader || role == Role::kSupervisor || role == Role::kAdmin;
    case Action::kDataPublish:
      return role == Role::kDataOfficer || role == Role::kAdmin;
    case Action::kDataRequest:
      return role == Role::kDataOfficer || role == Role::kUnitLead;
    case Action::kDataQuery:
      return role == Role::kHandler || role == Role::kUnitLead || role == Role::kOperator ||
             role == Role::kDataOfficer;
    case Action::kTaskForceOpen:
    case Action::kDirectiveSend:
      return role == Role::kLeader || role == Role::kUnitLead || role == Role::kSupervisor ||
             role == Role::kAdmin;
    case Action::kCollabOversee:
      return role == Role::kLeader || role == Role::kSupervisor || role == Role::kAdmin;
    case Action::kIncidentCommand:
      return role == Role::kLeader || role == Role::kUnitLead || role == Role::kSupervisor ||
             role == Role::kAdmin;
    case Action::kIncidentRespond:
      return role == Role::kOperator || role == Role::kHandler || role == Role::kUnitLead ||
             role == Role::kSupervisor || role == Role::kLeader || role == Role::kAdmin;
    case Action::kPointsManage:  // the community or street administrator
      return role == Role::kUnitLead || role == Role::kAdmin;
    case Action::kParticipationStaff:  // community staff (社区工作者) and their leads
      return role == Role::kHandler || role == Role::kUnitLead || role == Role::kAdmin;
    case Action::kParticipationOversee:
    case Action::kInsightManage:  // the city's leaders and the centre's supervisors (issue 19)
      return role == Role::kLeader || role == Role::kSupervisor || role == Role::kAdmin;
    case Action::kRequestCreate:
    case Action::kRequestDispatch:
      return role == Role::kOperator || role == Role::kSupervisor;
    case Action::kRequestRead:
      return role == Role::kOperator || role == Role::kHandler || role == Role::kUnitLead ||
             role == Role::kSupervisor || role == Role::kLeader || role == Role::kAdmin;
    case Action::kRequestHandle:
      return role == Role::kHandler || role == Role::kUnitLead;
    case Action::kRequestSupervise:
      return role == Role::kSupervisor;
    case Action::kStatsRead:  // a data officer (首席数据官) reads the figures of their unit
      return role == Role::kLeader || role == Role::kSupervisor || role == Role::kUnitLead ||
             role == Role::kAdmin || role == Role::kDataOfficer;
  }
  return false;
}

bool Can(const Principal& principal, Action action, std::string_view unit_path) {
  if (principal.is_system()) return true;
  if (action == Action::kOrgRead) return true;
  for (const auto& m : principal.memberships) {
    if (!RoleAllows(m.role, action)) continue;
    const bool at_root = m.unit_path.find('/', 1) == m.unit_path.size() - 1;
    if (unit_path.empty() ? at_root : unit_path.starts_with(m.unit_path)) return true;
  }
  return false;
}

}  // namespace xietong::identity
