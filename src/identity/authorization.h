// The one authorization check: may this principal do this action on this unit?
//
// A membership grants its role's actions on its unit's whole subtree (a
// street's lead reaches every community and grid below it); the answer is yes
// when any membership does. Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "identity/identity.h"

namespace xietong::identity {

enum class Action {
  kOrgRead,           // see the org tree (public within the platform)
  kUnitManage,        // create or change org units
  kAccountRead,       // list and read accounts of the unit's members
  kAccountManage,     // create, change, disable accounts and their memberships
  kRevealPersonal,    // read personal data unmasked (audited)
  kMatterManage,      // change the list of matters (权责清单) and its limits
  kRequestCreate,     // record a request on someone's behalf (接线)
  kRequestRead,       // see requests handled or received in the unit's subtree
  kRequestHandle,     // sign, handle, reply, ask to return or extend, summon, report
  kRequestDispatch,   // dispatch, transfer, decide returns, merge, call back, close, reopen
  kRequestSupervise,  // approve extensions, urge, see the supervision queue (督办)
  kStatsRead,         // the three rates and rankings of units in the subtree
  kWorkflowManage,    // deploy processes, start and cancel instances, work jobs, resolve incidents
  kServiceManage,     // define one-thing services (bundles of matters, forms, materials)
  kServiceHandle,     // decide a department's part of an application: approve, reject, 补正
  kServiceOversee,    // read every application of the subtree and the services' figures
  kDataPublish,  // 首席数据官: the unit's data catalogue, imports, grades, decide access to it
  kDataRequest,  // ask another unit for access to its data, for one's own unit
  kDataQuery,    // call the data gateway under a grant held by one's unit
  kTaskForceOpen,  // form a task force (专班) led from the unit; its members need no role
  kDirectiveSend,  // send a directive (通知/指令) from the unit to units in one's scope
  kCollabOversee,  // read the task forces and directives of units in the subtree (督办, 领导)
  kIncidentCommand,  // open an incident (突发事件) commanded from the unit, change its level, close
                     // it
  kIncidentRespond,       // record an incident's needs and resources, commit and deliver them
  kPointsManage,          // 积分: rules, manual awards, reversals, review decisions, households,
                          // settings of the unit's communities
  kParticipationStaff,    // 多元参与 staff: rewards and stock, redemption decisions, agenda,
                          // meetings, participatory budgets, moderation
  kParticipationOversee,  // read the points, proposals and budgets of the subtree
  kInsightManage,  // decision support: set units' targets, the 考核 weights, publish evaluations
};
std::string_view ActionName(Action a);

// Whether role grants action (anywhere in its scope).
bool RoleAllows(Role role, Action action);

// unit_path: the target unit's path ("/a/b/c/"); the empty string means "the
// whole platform" and needs a membership at a root unit.
bool Can(const Principal& principal, Action action, std::string_view unit_path);

}  // namespace xietong::identity
