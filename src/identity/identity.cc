#include "identity/identity.h"

#include <fmt/core.h>

#include <array>
#include <utility>

namespace xietong::identity {
namespace {

constexpr std::array<std::pair<UnitKind, std::string_view>, 9> kUnitKinds = {{
    {UnitKind::kCity, "city"},
    {UnitKind::kDistrict, "district"},
    {UnitKind::kStreet, "street"},
    {UnitKind::kTownship, "township"},
    {UnitKind::kCommunity, "community"},
    {UnitKind::kGrid, "grid"},
    {UnitKind::kDepartment, "department"},
    {UnitKind::kCentre, "centre"},
    {UnitKind::kOrganisation, "organisation"},
}};

constexpr std::array<std::pair<Role, std::string_view>, 8> kRoles = {{
    {Role::kResident, "resident"},
    {Role::kOperator, "operator"},
    {Role::kHandler, "handler"},
    {Role::kUnitLead, "unit_lead"},
    {Role::kSupervisor, "supervisor"},
    {Role::kLeader, "leader"},
    {Role::kDataOfficer, "data_officer"},
    {Role::kAdmin, "admin"},
}};

template <typename E, std::size_t N>
std::string Choices(const std::array<std::pair<E, std::string_view>, N>& table) {
  std::string out;
  for (const auto& [e, name] : table) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

}  // namespace

std::string_view UnitKindName(UnitKind k) {
  for (const auto& [e, name] : kUnitKinds)
    if (e == k) return name;
  return "unknown";
}

Result<UnitKind> ParseUnitKind(std::string_view s) {
  for (const auto& [e, name] : kUnitKinds)
    if (name == s) return e;
  return Fail(Error::InvalidArgument(
      fmt::format("unknown unit kind '{}'; use one of {}", s, Choices(kUnitKinds))));
}

bool MayContain(UnitKind parent, UnitKind child) {
  switch (child) {
    case UnitKind::kCity:
      return false;
    case UnitKind::kDistrict:
      return parent == UnitKind::kCity;
    case UnitKind::kStreet:
    case UnitKind::kTownship:
      return parent == UnitKind::kDistrict;
    case UnitKind::kCommunity:
      return parent == UnitKind::kStreet || parent == UnitKind::kTownship;
    case UnitKind::kGrid:
      return parent == UnitKind::kCommunity;
    case UnitKind::kDepartment:
    case UnitKind::kCentre:
      return parent == UnitKind::kCity || parent == UnitKind::kDistrict;
    case UnitKind::kOrganisation:
      return parent == UnitKind::kStreet || parent == UnitKind::kTownship ||
             parent == UnitKind::kCommunity;
  }
  return false;
}

bool IsTerritorial(UnitKind k) {
  return k != UnitKind::kDepartment && k != UnitKind::kCentre && k != UnitKind::kOrganisation;
}

std::string_view RoleName(Role r) {
  for (const auto& [e, name] : kRoles)
    if (e == r) return name;
  return "unknown";
}

Result<Role> ParseRole(std::string_view s) {
  for (const auto& [e, name] : kRoles)
    if (name == s) return e;
  return Fail(
      Error::InvalidArgument(fmt::format("unknown role '{}'; use one of {}", s, Choices(kRoles))));
}

std::vector<Role> AllRoles() {
  std::vector<Role> out;
  for (const auto& [e, name] : kRoles) out.push_back(e);
  return out;
}

std::string_view AccountKindName(AccountKind k) {
  return k == AccountKind::kStaff ? "staff" : "resident";
}

Result<AccountKind> ParseAccountKind(std::string_view s) {
  if (s == "staff") return AccountKind::kStaff;
  if (s == "resident") return AccountKind::kResident;
  return Fail(
      Error::InvalidArgument(fmt::format("unknown account kind '{}'; use staff or resident", s)));
}

std::string MaskPhone(std::string_view phone) {
  if (phone.size() < 7) return std::string(phone.size(), '*');
  return std::string(phone.substr(0, 3)) + std::string(phone.size() - 7, '*') +
         std::string(phone.substr(phone.size() - 4));
}

bool IsValidPhone(std::string_view p) {
  auto digits = [](std::string_view s) {
    for (char c : s)
      if (c < '0' || c > '9') return false;
    return !s.empty();
  };
  if (p.size() == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9' && digits(p)) return true;
  // Landline: 0 + 2–3 digit area code, '-', 7–8 digits.
  auto dash = p.find('-');
  if (dash == std::string_view::npos || p[0] != '0') return false;
  auto area = p.substr(0, dash), local = p.substr(dash + 1);
  return area.size() >= 3 && area.size() <= 4 && digits(area) && local.size() >= 7 &&
         local.size() <= 8 && digits(local);
}

bool IsValidUsername(std::string_view u) {
  if (u.size() < 3 || u.size() > 32 || u[0] < 'a' || u[0] > 'z') return false;
  for (char c : u) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Principal Principal::System() {
  Principal p;
  p.account_id = "system";
  p.username = "system";
  p.display_name = "系统";
  p.via = Via::kSystem;
  return p;
}

}  // namespace xietong::identity
