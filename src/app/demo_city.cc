#include "app/demo_city.h"

#include <fmt/core.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "identity/password.h"

namespace xietong::app {
namespace {

using identity::AccountKind;
using identity::Role;
using identity::UnitKind;

// ---------------------------------------------------------------------------
// Geometry. Coordinates are whole micro-degrees: every bound is computed by
// one integer formula, so two neighbours share an edge exactly and the text
// of a shared vertex is the same in both polygons. The city is the rectangle
// 119.0–119.4°E, 30.1–30.4°N (a fictional placement).

constexpr std::int64_t kWestLon = 119'000'000;
constexpr std::int64_t kSouthLat = 30'100'000;

// Offsets in micro-degrees east of kWestLon and north of kSouthLat.
struct Rect {
  std::int64_t west, south, east, north;
};

constexpr Rect kCityArea = {0, 0, 400'000, 300'000};

// The bound between part i-1 and part i when [lo, hi) is cut into n parts.
std::int64_t Cut(std::int64_t lo, std::int64_t hi, int n, int i) { return lo + (hi - lo) * i / n; }

// The i-th of n bands from south to north.
Rect Band(const Rect& r, int n, int i) {
  return {r.west, Cut(r.south, r.north, n, i), r.east, Cut(r.south, r.north, n, i + 1)};
}

// The i-th of n strips from west to east.
Rect Strip(const Rect& r, int n, int i) {
  return {Cut(r.west, r.east, n, i), r.south, Cut(r.west, r.east, n, i + 1), r.north};
}

std::string Degrees(std::int64_t micro) {
  return fmt::format("{}.{:06}", micro / 1'000'000, micro % 1'000'000);
}

// A GeoJSON Polygon with a counter-clockwise exterior ring (RFC 7946).
std::string Polygon(const Rect& r) {
  const std::string w = Degrees(kWestLon + r.west), e = Degrees(kWestLon + r.east);
  const std::string s = Degrees(kSouthLat + r.south), n = Degrees(kSouthLat + r.north);
  return fmt::format(
      R"({{"type":"Polygon","coordinates":[[[{0},{2}],[{1},{2}],[{1},{3}],[{0},{3}],[{0},{2}]]]}})",
      w, e, s, n);
}

// ---------------------------------------------------------------------------
// The city. Names are invented; a township's communities are mostly villages.

struct StreetSpec {
  std::string_view name;
  UnitKind kind;  // kStreet (街道) or kTownship (镇)
  std::vector<std::string_view> communities;
};

struct DistrictSpec {
  std::string_view name;
  Rect area;
  std::vector<StreetSpec> streets;  // bands from south to north
};

const std::vector<DistrictSpec>& Districts() {
  constexpr auto kS = UnitKind::kStreet;
  constexpr auto kT = UnitKind::kTownship;
  static const std::vector<DistrictSpec> districts = {
      {"临江区",
       {0, 150'000, 130'000, 300'000},
       {{"望湖街道", kS, {"湖畔社区", "望湖社区", "西堤社区", "柳岸社区"}},
        {"柳巷街道", kS, {"柳巷社区", "南门社区", "文庙社区", "织锦社区"}},
        {"澜湾街道", kS, {"澜湾社区", "渡口社区", "船坞社区", "江月社区"}},
        {"江滨街道", kS, {"江滨社区", "灯塔社区", "芦花社区", "观澜社区"}}}},
      {"澄湖区",
       {130'000, 150'000, 260'000, 300'000},
       {{"明珠街道", kS, {"明珠社区", "金桥社区", "星光社区", "新华社区"}},
        {"青石街道", kS, {"青石社区", "石桥社区", "书院社区", "竹园社区"}},
        {"凤栖街道", kS, {"凤栖社区", "梧桐社区", "凤鸣社区", "丹桂社区"}},
        {"花港街道", kS, {"花港社区", "荷风社区", "海棠社区", "芳草社区", "锦绣社区"}}}},
      {"云溪区",
       {260'000, 150'000, 400'000, 300'000},
       {{"云溪街道", kS, {"云溪社区", "溪口社区", "云栖社区", "茶园社区"}},
        {"翠屏街道", kS, {"翠屏社区", "屏山社区", "松涛社区", "枕石社区"}},
        {"白鹭镇", kT, {"白鹭社区", "上林村", "下林村", "荷塘村"}},
        {"桃源镇", kT, {"桃源社区", "桃花村", "杏坞村", "溪头村"}}}},
      {"枫岭区",
       {0, 0, 200'000, 150'000},
       {{"枫林街道", kS, {"枫林社区", "红枫社区", "枫桥社区", "霜叶社区"}},
        {"石门镇", kT, {"石门社区", "山下村", "岭脚村", "古樟村", "双溪村"}},
        {"竹溪镇", kT, {"竹溪社区", "竹坞村", "新篁村", "望山村"}}}},
      {"鹤山区",
       {200'000, 0, 400'000, 150'000},
       {{"鹤鸣街道", kS, {"鹤鸣社区", "松鹤社区", "翔云社区", "栖霞社区"}},
        {"龙泉镇", kT, {"龙泉社区", "龙井村", "泉源村", "青龙村"}},
        {"梅渚镇", kT, {"梅渚社区", "梅园村", "渚头村", "东坞村", "西坞村"}},
        {"清源镇", kT, {"清源社区", "源口村", "清溪村", "沙滩村"}}}},
  };
  return districts;
}

struct DepartmentSpec {
  std::string_view name;
  int handlers;       // 1, or 2 for the departments that get the most requests
  int data_officers;  // 0; 1, its chief data officer (首席数据官); or 2, a second one
                      // who confirms approvals of 核心 fields (复核确认)
};

// City departments get the codes JL-D01, JL-D02, … in this order.
const std::vector<DepartmentSpec>& CityDepartments() {
  static const std::vector<DepartmentSpec> departments = {
      {"市城市管理委员会", 2, 0},   {"市住房和城乡建设局", 2, 0},
      {"市生态环境局", 2, 0},       {"市交通运输局", 1, 0},
      {"市教育局", 1, 0},           {"市人力资源和社会保障局", 1, 2},
      {"市商务局", 1, 0},           {"市卫生健康委员会", 1, 1},
      {"市市场监督管理局", 2, 1},   {"市水务局", 1, 0},
      {"市民政局", 1, 0},           {"市公安局", 1, 1},
      {"市自然资源和规划局", 1, 1}, {"市应急管理局", 1, 0},
      {"市文化广电旅游局", 1, 0},   {"市政务服务和数据管理局", 1, 1},
      {"市医疗保障局", 1, 0},       {"市农业农村局", 1, 0},
  };
  return departments;
}

// Every district has these, coded <district>-D01, <district>-D02.
constexpr std::string_view kDistrictDepartments[] = {"城管局", "住建局"};

constexpr std::string_view kGridNumbers[] = {"一", "二", "三", "四"};

constexpr int kResidents = 20;

// ---------------------------------------------------------------------------
// Names: drawn from fixed lists with a fixed seed (splitmix64), so every run
// on every machine gives the same people. Each character is 3 bytes of UTF-8.

constexpr std::string_view kSurnames =
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔"
    "汤";
// Given-name characters, one list for men and one for women, so that the two
// characters of a name sound as if they belong together.
constexpr std::string_view kGivenMale =
    "伟强磊军洋勇杰涛明超刚建文辉俊鹏飞宇浩凯健志海国博昊泽斌鑫亮帆航宏振逸卓旭晨远峰立成永";
constexpr std::string_view kGivenFemale =
    "芳娜敏静丽艳娟秀霞玲红欣雪琳婷慧颖思佳梓雨嘉诗晓春云丹宁涵彤悦蕾萍楠倩露燕月洁";
static_assert(kSurnames.size() % 3 == 0 && kGivenMale.size() % 3 == 0 &&
              kGivenFemale.size() % 3 == 0);

class NameMaker {
 public:
  // A new full name, different from every one made before.
  std::string Next() {
    for (;;) {
      std::string name = Char(kSurnames);
      const std::string_view given = Draw(2) == 0 ? kGivenMale : kGivenFemale;
      const std::string first = Char(given);
      name += first;
      if (Draw(4) != 0) {  // three in four given names have two characters
        const std::string second = Char(given);
        if (second == first) continue;
        name += second;
      }
      if (used_.insert(name).second) return name;
    }
  }

 private:
  std::string Char(std::string_view chars) {
    return std::string(chars.substr(3 * Draw(chars.size() / 3), 3));
  }
  std::uint64_t Draw(std::uint64_t n) {
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (z ^ (z >> 31)) % n;
  }

  std::uint64_t state_ = 12345;
  std::set<std::string> used_;
};

// ---------------------------------------------------------------------------
// The plan: every unit and account, parents before children. Built the same
// way on every run; creation then only fills in what is missing.

struct PlannedUnit {
  std::string code, name;
  UnitKind kind;
  int parent;  // index into Plan::units, -1 for the city
  std::optional<std::string> geometry;
};

struct PlannedMembership {
  int unit;  // index into Plan::units
  Role role;
};

struct PlannedAccount {
  std::string username, display_name;
  AccountKind kind = AccountKind::kStaff;
  std::optional<std::string> phone;
  bool uses_admin_password = false;
  std::vector<PlannedMembership> memberships;  // the first is given at creation
  std::string_view shown_role;                 // set for the well-known logins
};

struct Plan {
  std::vector<PlannedUnit> units;
  std::vector<PlannedAccount> accounts;
};

constexpr std::string_view kAdminUsername = "admin";

// "JL-01-D02" → "jl01d02": a username stem that names the unit.
std::string Stem(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

Plan BuildPlan() {
  Plan plan;
  NameMaker names;
  auto unit = [&](std::string code, std::string name, UnitKind kind, int parent,
                  std::optional<Rect> area) {
    plan.units.push_back({std::move(code), std::move(name), kind, parent,
                          area ? std::optional(Polygon(*area)) : std::nullopt});
    return static_cast<int>(plan.units.size()) - 1;
  };
  auto staff = [&](std::string username, std::vector<PlannedMembership> memberships,
                   std::string_view shown_role = {}) {
    PlannedAccount a;
    a.username = std::move(username);
    a.display_name = names.Next();
    a.memberships = std::move(memberships);
    a.shown_role = shown_role;
    plan.accounts.push_back(std::move(a));
  };

  const int city = unit("JL", "江澜市", UnitKind::kCity, -1, kCityArea);
  const int centre = unit("JL-12345", "江澜市12345市民服务热线中心", UnitKind::kCentre, city, {});
  std::vector<int> departments;
  for (std::size_t i = 0; i < CityDepartments().size(); ++i)
    departments.push_back(unit(fmt::format("JL-D{:02}", i + 1),
                               std::string(CityDepartments()[i].name), UnitKind::kDepartment, city,
                               {}));

  struct StreetUnits {
    int street;
    std::vector<int> communities;
  };
  struct DistrictUnits {
    int district;
    std::vector<int> departments;
    std::vector<StreetUnits> streets;
  };
  std::vector<DistrictUnits> districts;
  std::vector<int> communities;
  for (std::size_t d = 0; d < Districts().size(); ++d) {
    const DistrictSpec& ds = Districts()[d];
    const std::string d_code = fmt::format("JL-{:02}", d + 1);
    DistrictUnits du{
        unit(d_code, std::string(ds.name), UnitKind::kDistrict, city, ds.area), {}, {}};
    for (std::size_t k = 0; k < std::size(kDistrictDepartments); ++k)
      du.departments.push_back(unit(fmt::format("{}-D{:02}", d_code, k + 1),
                                    fmt::format("{}{}", ds.name, kDistrictDepartments[k]),
                                    UnitKind::kDepartment, du.district, {}));
    const int n_streets = static_cast<int>(ds.streets.size());
    for (int s = 0; s < n_streets; ++s) {
      const StreetSpec& ss = ds.streets[s];
      const Rect street_area = Band(ds.area, n_streets, s);
      const std::string s_code = fmt::format("{}-{:02}", d_code, s + 1);
      StreetUnits su{unit(s_code, std::string(ss.name), ss.kind, du.district, street_area), {}};
      const int n_communities = static_cast<int>(ss.communities.size());
      for (int c = 0; c < n_communities; ++c) {
        const Rect community_area = Strip(street_area, n_communities, c);
        const std::string c_code = fmt::format("{}-{:02}", s_code, c + 1);
        const int community = unit(c_code, std::string(ss.communities[c]), UnitKind::kCommunity,
                                   su.street, community_area);
        // Two to four grids per community, varying along the list.
        const int n_grids = 2 + static_cast<int>(communities.size() % 3);
        for (int g = 0; g < n_grids; ++g)
          unit(fmt::format("{}-{:02}", c_code, g + 1),
               fmt::format("{}第{}网格", ss.communities[c], kGridNumbers[g]), UnitKind::kGrid,
               community, Band(community_area, n_grids, g));
        su.communities.push_back(community);
        communities.push_back(community);
      }
      du.streets.push_back(std::move(su));
    }
    districts.push_back(std::move(du));
  }

  // Accounts. The well-known logins take the place of one bulk account each.
  PlannedAccount admin;
  admin.username = std::string(kAdminUsername);
  admin.display_name = "系统管理员";
  admin.uses_admin_password = true;
  admin.memberships = {{city, Role::kAdmin}};
  admin.shown_role = "系统管理员";
  plan.accounts.push_back(std::move(admin));

  staff("leader", {{city, Role::kLeader}}, "市领导");
  staff("jl.leader2", {{city, Role::kLeader}});
  staff("supervisor", {{city, Role::kSupervisor}}, "督办");
  staff("jl.sup2", {{city, Role::kSupervisor}});
  staff("operator", {{centre, Role::kOperator}}, "接线员");
  for (int i = 2; i <= 15; ++i)
    staff(fmt::format("jl12345.op{:02}", i), {{centre, Role::kOperator}});
  for (int i = 1; i <= 3; ++i)
    staff(fmt::format("jl12345.sup{}", i), {{centre, Role::kSupervisor}});

  for (std::size_t i = 0; i < departments.size(); ++i) {
    const DepartmentSpec& spec = CityDepartments()[i];
    const int dept = departments[i];
    const std::string stem = Stem(plan.units[dept].code);
    staff(stem + ".lead", {{dept, Role::kUnitLead}});
    for (int h = 1; h <= spec.handlers; ++h) {
      if (i == 0 && h == 1) {
        staff("dept.handler", {{dept, Role::kHandler}}, "部门承办人");
      } else {
        staff(h == 1 ? stem + ".handler" : fmt::format("{}.handler{}", stem, h),
              {{dept, Role::kHandler}});
      }
    }
    if (spec.data_officers == 0) continue;
    if (spec.name == "市政务服务和数据管理局") {
      // The platform's own data officer also handles the bureau's requests.
      staff("data.officer", {{dept, Role::kDataOfficer}, {dept, Role::kHandler}}, "首席数据官");
    } else {
      staff(stem + ".data", {{dept, Role::kDataOfficer}});
    }
  }

  for (const DistrictUnits& du : districts) {
    const std::string d_stem = Stem(plan.units[du.district].code);
    staff(d_stem + ".leader", {{du.district, Role::kLeader}});
    for (int dept : du.departments) {
      const std::string stem = Stem(plan.units[dept].code);
      staff(stem + ".lead", {{dept, Role::kUnitLead}});
      staff(stem + ".handler", {{dept, Role::kHandler}});
    }
    for (const StreetUnits& su : du.streets) {
      const bool well_known = su.street == districts.front().streets.front().street;
      const std::string stem = Stem(plan.units[su.street].code);
      staff(well_known ? "street.lead" : stem + ".lead", {{su.street, Role::kUnitLead}},
            well_known ? "街道负责人" : "");
      // Parallel roles: the street's handler also looks after its first community.
      staff(well_known ? "street.handler" : stem + ".handler",
            {{su.street, Role::kHandler}, {su.communities.front(), Role::kHandler}},
            well_known ? "街道承办人" : "");
      for (std::size_t c = 1; c < su.communities.size(); ++c)
        staff(Stem(plan.units[su.communities[c]].code) + ".handler",
              {{su.communities[c], Role::kHandler}});
    }
  }

  for (int i = 0; i < kResidents; ++i) {
    PlannedAccount r;
    r.username = i == 0 ? "resident" : fmt::format("resident{:02}", i + 1);
    r.display_name = names.Next();
    r.kind = AccountKind::kResident;
    r.phone =
        fmt::format("13{}{:08}", (3 * i + 8) % 10, (37'911'873LL * i + 5'203'117) % 100'000'000);
    const int community = communities[communities.size() * i / kResidents];
    r.memberships = {{community, Role::kResident}};
    r.shown_role = i == 0 ? "居民" : "";
    plan.accounts.push_back(std::move(r));
  }

  // Second data officers come last, so that everyone above keeps the name drawn for them.
  for (std::size_t i = 0; i < departments.size(); ++i)
    if (CityDepartments()[i].data_officers == 2)
      staff(Stem(plan.units[departments[i]].code) + ".data2",
            {{departments[i], Role::kDataOfficer}});
  return plan;
}

// The same error with what the demo was doing in front of its message.
Error While(std::string_view doing, Error e) {
  e.message = fmt::format("{}: {}", doing, e.message);
  return e;
}

}  // namespace

Result<DemoReport> CreateDemoCity(identity::IdentityService& identity, const DemoOptions& options) {
  const Plan plan = BuildPlan();
  const identity::Principal system = identity::Principal::System();
  auto progress = [&](std::string_view step, std::size_t done, std::size_t total) {
    if (options.progress) options.progress(step, static_cast<int>(done), static_cast<int>(total));
  };

  // Check the passwords before creating anything, so a bad one leaves no half-built city.
  XT_ASSIGN_OR_RETURN(auto admin, identity.FindAccountByUsername(kAdminUsername));
  if (!admin) {
    if (auto ok = identity::CheckPasswordPolicy(options.admin_password); !ok)
      return Fail(While("the password for the demo account 'admin'", ok.error()));
  }
  if (auto ok = identity::CheckPasswordPolicy(options.staff_password); !ok)
    return Fail(While("the password for the demo staff and residents", ok.error()));

  DemoReport report;
  std::vector<std::string> unit_ids(plan.units.size());
  for (std::size_t i = 0; i < plan.units.size(); ++i) {
    const PlannedUnit& u = plan.units[i];
    XT_ASSIGN_OR_RETURN(auto found, identity.FindUnitByCode(u.code));
    if (found) {
      if (found->kind != u.kind)
        return Fail(Error::Conflict(fmt::format(
            "unit code '{}' is already used by {}, a {}, where the demo city needs the {} {}; run "
            "the demo on an empty database",
            u.code, found->name, identity::UnitKindName(found->kind),
            identity::UnitKindName(u.kind), u.name)));
      unit_ids[i] = found->id;
      ++report.units_existing;
    } else {
      identity::NewUnit in{u.parent < 0 ? std::nullopt : std::optional(unit_ids[u.parent]), u.kind,
                           u.code, u.name, u.geometry};
      auto made = identity.CreateUnit(system, in);
      if (!made)
        return Fail(
            While(fmt::format("creating the demo unit {} {}", u.code, u.name), made.error()));
      unit_ids[i] = made->id;
      ++report.units_created;
    }
    progress("units", i + 1, plan.units.size());
  }

  for (std::size_t i = 0; i < plan.accounts.size(); ++i) {
    const PlannedAccount& a = plan.accounts[i];
    XT_ASSIGN_OR_RETURN(auto found, identity.FindAccountByUsername(a.username));
    std::string display_name = a.display_name;
    if (found) {
      display_name = found->display_name;
      ++report.accounts_existing;
    } else {
      const PlannedMembership& first = a.memberships.front();
      identity::NewAccount in{
          a.username,
          a.display_name,
          a.kind,
          a.phone,
          a.uses_admin_password ? options.admin_password : options.staff_password,
          unit_ids[first.unit],
          first.role};
      auto made = identity.CreateAccount(system, in);
      if (!made)
        return Fail(While(fmt::format("creating the demo account '{}'", a.username), made.error()));
      for (std::size_t m = 1; m < a.memberships.size(); ++m) {
        const PlannedMembership& more = a.memberships[m];
        auto added = identity.AddMembership(system, made->id, unit_ids[more.unit], more.role);
        if (!added)
          return Fail(While(fmt::format("giving '{}' the role {} in {}", a.username,
                                        identity::RoleName(more.role), plan.units[more.unit].name),
                            added.error()));
      }
      ++report.accounts_created;
    }
    if (!a.shown_role.empty())
      report.login_accounts.push_back({a.username, std::move(display_name),
                                       std::string(a.shown_role),
                                       plan.units[a.memberships.front().unit].name});
    progress("accounts", i + 1, plan.accounts.size());
  }
  return report;
}

}  // namespace xietong::app
