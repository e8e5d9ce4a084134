// Who is who: org units, accounts, memberships, roles and the authenticated
// principal. Plain value types and their validation; no I/O.
//
// The org tree is city → district → street/township → community → grid, with
// departments hanging under the city or a district. An account may hold
// several memberships (unit + role), the "parallel roles" of a person who is,
// say, a street handler and a member of a task force at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::identity {

enum class UnitKind {
  kCity,
  kDistrict,
  kStreet,
  kTownship,
  kCommunity,
  kGrid,
  kDepartment,
  kCentre,
  kOrganisation  // 社会组织/志愿团队 under a street, township or community (issue 18); its
                 // members are residents with the `resident` role there. Not territorial.
};
std::string_view UnitKindName(UnitKind k);
Result<UnitKind> ParseUnitKind(std::string_view s);
// Whether a unit of kind `child` may sit under a unit of kind `parent`.
bool MayContain(UnitKind parent, UnitKind child);
// Territorial units carry a polygon; departments, centres and organisations do not.
bool IsTerritorial(UnitKind k);

struct OrgUnit {
  std::string id;
  std::optional<std::string> parent_id;
  UnitKind kind;
  std::string code;  // stable human code, e.g. "JL-02-03"
  std::string name;
  std::string path;  // "/<root id>/…/<own id>/": the subtree is every path with this prefix
  std::optional<std::string> geometry;  // GeoJSON Polygon or MultiPolygon, as text
  Timestamp created_at = 0;
  std::int64_t version = 1;
};

enum class Role {
  kResident,
  kOperator,
  kHandler,
  kUnitLead,
  kSupervisor,
  kLeader,
  kDataOfficer,
  kAdmin
};
std::string_view RoleName(Role r);
Result<Role> ParseRole(std::string_view s);
std::vector<Role> AllRoles();

enum class AccountKind { kStaff, kResident };
std::string_view AccountKindName(AccountKind k);
Result<AccountKind> ParseAccountKind(std::string_view s);

struct Membership {
  std::string id;
  std::string account_id;
  std::string unit_id;
  std::string unit_name;
  std::string unit_path;
  Role role;
};

struct Account {
  std::string id;
  std::string username;
  std::string display_name;
  AccountKind kind;
  std::optional<std::string> phone;  // personal data: masked unless revealed
  bool disabled = false;
  Timestamp created_at = 0;
  std::int64_t version = 1;
  std::vector<Membership> memberships;
};

// "13812345678" → "138****5678"; short or odd values are masked whole.
std::string MaskPhone(std::string_view phone);
// Mainland mobile numbers (11 digits, 1[3-9]…) or landlines like 0571-88886666.
bool IsValidPhone(std::string_view phone);
// Usernames: 3–32 of a-z 0-9 . _ -, starting with a letter.
bool IsValidUsername(std::string_view username);

// The authenticated caller of one request.
struct Principal {
  enum class Via { kSession, kApiKey, kSystem };
  std::string account_id;  // for an API key: "apikey:<id>"; for the CLI: "system"
  std::string username;
  std::string display_name;
  std::optional<std::string> phone;  // the caller's own, whole (GET /me prefills forms with it)
  AccountKind kind = AccountKind::kStaff;
  Via via = Via::kSession;
  std::string csrf_token;  // sessions only: must accompany unsafe cookie-authenticated requests
  std::vector<Membership> memberships;

  // The platform itself (command line, migrations, demo): allowed everything.
  static Principal System();
  bool is_system() const { return via == Via::kSystem; }
};

}  // namespace xietong::identity
