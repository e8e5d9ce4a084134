#include "app/demo_exchange.h"

#include <fmt/core.h>

#include <map>

#include "app/demo_random.h"
#include "app/exchange_work.h"
#include "core/csv.h"
#include "exchange/exchange_service.h"

namespace xietong::app {
namespace {

using identity::Principal;

constexpr int kDays = 60;
constexpr int kResidents = 20;  // resident, resident02 … resident20 (demo_city.cc)

std::string ResidentName(int i) {
  return i == 0 ? "resident" : fmt::format("resident{:02}", i + 1);
}

constexpr std::string_view kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄",
                                          "周", "吴", "徐", "孙", "胡", "朱", "高", "林"};
constexpr std::string_view kGiven[] = {"建国", "秀英", "志强", "丽华", "海燕", "国平", "晓东",
                                       "文静", "子涵", "浩然", "春梅", "立新", "佳怡", "明轩"};
constexpr std::string_view kRoads[] = {"春江路",   "望湖路", "柳巷街", "新桥路",
                                       "观澜大道", "滨江路", "北山街", "临江路"};
constexpr std::string_view kDistricts[] = {"临江区", "西湖区", "滨江区", "江北区"};
constexpr std::string_view kCompanies[] = {"老街坊面馆", "江畔小厨", "春江鱼庄", "湖畔茶饮",
                                           "澜城科技",   "望湖文创", "新桥建材", "观澜物业"};
constexpr std::string_view kKinds[] = {"有限责任公司", "个体工商户", "股份有限公司"};

std::string Address(Draw& d) {
  return fmt::format("江澜市{}{}{}号{}幢{}室", d.Pick(kDistricts), d.Pick(kRoads), 1 + d.Below(300),
                     1 + d.Below(20), 101 + d.Below(20) * 100 + d.Below(4));
}

std::string Mobile(Draw& d) {
  return fmt::format("1{}{:09}", 3 + d.Below(7), d.Next() % 1'000'000'000ULL);
}

std::string Date(int y, int m, int day) { return fmt::format("{:04}-{:02}-{:02}", y, m, day); }

struct Person {
  std::string id, name, phone, address, birth;
  int sex = 1;
};

// A field of a definition: name, Chinese title, and extras.
json::Json F(std::string name, std::string title, json::Json extra = json::Json::object()) {
  json::Json f = {{"name", std::move(name)}, {"title", std::move(title)}};
  for (auto& [k, v] : extra.items()) f[k] = v;
  return f;
}

struct Planned {
  std::string officer;  // username of the publishing data officer
  json::Json definition;
  std::vector<std::vector<std::string>> rows;  // header first
  bool accept_defects = false;
  std::string id = {};  // once published
};

std::string Csv(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& r : rows) csv::AppendRecord(out, r);
  return out;
}

}  // namespace

std::string DemoIdNumber(std::string_view username) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: the same number on every machine
  for (char c : username) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  Draw d(h);
  return IdNumberOf(fmt::format("3301{:02}", 2 + d.Below(8)), 1950 + d.Below(50), 1 + d.Below(12),
                    1 + d.Below(28), d.Below(1000));
}

Result<DemoExchangeReport> CreateDemoExchange(Platform& p, const std::string& staff_password) {
  DemoExchangeReport report;
  const Timestamp real_now = p.clock().Now();
  ManualClock clock(real_now - (kDays + 1) * kMicrosPerDay);
  IdGenerator ids(clock);
  exchange::ExchangeService svc(p.db(), clock, ids, p.identity());
  {
    auto existing = svc.Catalog(Principal::System(), {.q = "JL-GA-001"});
    if (!existing) return Fail(existing.error());
    if (!existing->empty()) {
      report.existed = true;
      return report;
    }
  }
  std::map<std::string, Principal> people;
  auto as = [&](const std::string& username) -> Result<Principal> {
    if (auto it = people.find(username); it != people.end()) return it->second;
    XT_ASSIGN_OR_RETURN(auto login, p.identity().Login(username, staff_password));
    XT_ASSIGN_OR_RETURN(auto principal, p.identity().Authenticate(login.token));
    people[username] = principal;
    return principal;
  };

  // The people of the household register: the demo residents first.
  Draw d(20261205);
  std::vector<Person> persons;
  for (int i = 0; i < kResidents; ++i) {
    XT_ASSIGN_OR_RETURN(auto account, p.identity().FindAccountByUsername(ResidentName(i)));
    if (!account) continue;
    Person x;
    x.id = DemoIdNumber(ResidentName(i));
    x.name = account->display_name;
    x.phone = account->phone.value_or(Mobile(d));
    x.address = Address(d);
    x.birth = Date(std::stoi(x.id.substr(6, 4)), std::stoi(x.id.substr(10, 2)),
                   std::stoi(x.id.substr(12, 2)));
    x.sex = (x.id[16] - '0') % 2 == 1 ? 1 : 2;
    persons.push_back(std::move(x));
  }
  while (persons.size() < 240) {
    Person x;
    const int y = 1940 + d.Below(65), m = 1 + d.Below(12), day = 1 + d.Below(28);
    x.id = IdNumberOf(fmt::format("3301{:02}", 2 + d.Below(8)), y, m, day, d.Below(1000));
    x.name = std::string(d.Pick(kSurnames)) + std::string(d.Pick(kGiven));
    x.phone = Mobile(d);
    x.address = Address(d);
    x.birth = Date(y, m, day);
    x.sex = (x.id[16] - '0') % 2 == 1 ? 1 : 2;
    persons.push_back(std::move(x));
  }
  auto person = [&](int i) -> const Person& {
    return persons[static_cast<std::size_t>(i) % persons.size()];
  };

  std::vector<Planned> plan;
  const json::Json id_el = {{"element", "id_number"}};
  const json::Json name_el = {{"element", "person_name"}};
  // 公安局 (JL-D12)
  {
    Planned h{
        "jld12.data",
        {{"code", "JL-GA-001"},
         {"title", "户籍人口基本信息"},
         {"description", "江澜市户籍人口的姓名、身份号码、出生日期、性别、户籍地址与联系电话。"},
         {"cycle", "daily"},
         {"share", "conditional"},
         {"share_condition", "用于社会救助、民政、社保等法定职责的身份核验"},
         {"open", "closed"},
         {"keywords", {"户籍", "人口", "身份核验"}},
         {"key_field", "id_number"},
         {"fields",
          {F("id_number", "公民身份号码", {{"element", "id_number"}, {"grade", "important"}}),
           F("name", "姓名", name_el), F("sex", "性别", {{"element", "sex"}}),
           F("birth_date", "出生日期", {{"type", "date"}}),
           F("address", "户籍地址", {{"element", "address"}}),
           F("phone", "联系电话", {{"element", "mobile"}}),
           F("religion", "宗教信仰", {{"grade", "core"}})}}},
        {{"id_number", "name", "sex", "birth_date", "address", "phone", "religion"}}};
    for (const auto& x : persons)
      h.rows.push_back({x.id, x.name, std::to_string(x.sex), x.birth, x.address, x.phone, "无"});
    plan.push_back(std::move(h));

    Planned v{"jld12.data",
              {{"code", "JL-GA-002"},
               {"title", "机动车登记信息"},
               {"description", "本市登记机动车的号牌、车辆类型、所有人与状态。"},
               {"cycle", "daily"},
               {"share", "conditional"},
               {"share_condition", "用于救助对象家庭财产核查、交通执法"},
               {"keywords", {"机动车", "车辆"}},
               {"key_field", "plate"},
               {"fields",
                {F("plate", "号牌号码", {{"element", "plate"}}), F("vehicle_type", "车辆类型"),
                 F("owner_id", "所有人身份号码", id_el), F("owner_name", "所有人姓名", name_el),
                 F("registered_on", "登记日期", {{"type", "date"}}), F("status", "状态")}}},
              {{"plate", "vehicle_type", "owner_id", "owner_name", "registered_on", "status"}},
              true};
    for (int i = 0; i < 120; ++i) {
      const Person& o = person(3 * i + 1);
      std::string plate = fmt::format("浙A{}{:04}", "BCDEFGHJK"[d.Below(9)], d.Below(10000));
      // Planted below: an impossible registration date now and then.
      std::string owner = o.id;
      if (i % 30 == 11)
        owner = IdNumberOf("330199", 1980, 5, 5, i);  // planted: not in the register
      v.rows.push_back({plate, d.Chance(80) ? "小型汽车" : "新能源小型汽车", owner, o.name,
                        i % 40 == 7 ? std::string("2019-02-30")
                                    : Date(2010 + d.Below(16), 1 + d.Below(12), 1 + d.Below(28)),
                        d.Chance(95) ? "正常" : "违法未处理"});
    }
    plan.push_back(std::move(v));

    Planned r{"jld12.data",
              {{"code", "JL-GA-003"},
               {"title", "居住证信息"},
               {"description", "在本市办理居住证人员的居住证号、居住地址与有效期。"},
               {"cycle", "weekly"},
               {"share", "conditional"},
               {"share_condition", "用于入学、就业、社保等公共服务的居住年限核验"},
               {"keywords", {"居住证", "流动人口"}},
               {"key_field", "id_number"},
               {"fields",
                {F("id_number", "公民身份号码", id_el), F("name", "姓名", name_el),
                 F("permit_no", "居住证号"), F("address", "居住地址", {{"element", "address"}}),
                 F("valid_until", "有效期至", {{"type", "date"}})}}},
              {{"id_number", "name", "permit_no", "address", "valid_until"}}};
    for (int i = 0; i < 60; ++i) {
      const int y = 1975 + d.Below(30);
      const std::string id =
          IdNumberOf(fmt::format("51{:02}{:02}", 10 + d.Below(8), 1 + d.Below(9)), y,
                     1 + d.Below(12), 1 + d.Below(28), d.Below(1000));
      r.rows.push_back({id, std::string(d.Pick(kSurnames)) + std::string(d.Pick(kGiven)),
                        fmt::format("JL{:010}", d.Next() % 10'000'000'000ULL), Address(d),
                        Date(2027 + d.Below(3), 1 + d.Below(12), 1 + d.Below(28))});
    }
    plan.push_back(std::move(r));

    plan.push_back({"jld12.data",
                    {{"code", "JL-GA-004"},
                     {"title", "出入境证件信息"},
                     {"description", "护照、往来港澳台通行证的签发记录。依法不予共享。"},
                     {"cycle", "daily"},
                     {"share", "none"},
                     {"keywords", {"出入境"}},
                     {"key_field", "id_number"},
                     {"fields",
                      {F("id_number", "公民身份号码", id_el), F("passport_no", "证件号码"),
                       F("issued_on", "签发日期", {{"type", "date"}})}}},
                    {}});
  }
  // 市场监管局 (JL-D09)
  {
    Planned b{
        "jld09.data",
        {{"code", "JL-SC-001"},
         {"title", "市场主体登记信息（营业执照）"},
         {"description",
          "企业和个体工商户的统一社会信用代码、名称、类型、法定代表人、住所与成立日期。"},
         {"cycle", "daily"},
         {"share", "unconditional"},
         {"open", "open"},
         {"keywords", {"营业执照", "市场主体", "企业"}},
         {"key_field", "uscc"},
         {"fields",
          {F("uscc", "统一社会信用代码", {{"element", "uscc"}}),
           F("name", "名称", {{"required", true}}), F("kind", "类型"),
           F("legal_id", "法定代表人身份号码", id_el), F("legal_name", "法定代表人", name_el),
           F("address", "住所"), F("founded_on", "成立日期", {{"type", "date"}}),
           F("capital", "注册资本（万元）", {{"type", "number"}})}}},
        {{"uscc", "name", "kind", "legal_id", "legal_name", "address", "founded_on", "capital"}}};
    for (int i = 0; i < 90; ++i) {
      const Person& o = person(5 * i + 2);
      b.rows.push_back(
          {Uscc(d), fmt::format("江澜市{}{}", d.Pick(kCompanies), i + 1),
           std::string(d.Pick(kKinds)), o.id, o.name,
           fmt::format("江澜市{}{}{}号", d.Pick(kDistricts), d.Pick(kRoads), 1 + d.Below(300)),
           Date(2005 + d.Below(21), 1 + d.Below(12), 1 + d.Below(28)),
           std::to_string(10 + d.Below(990))});
    }
    plan.push_back(std::move(b));
    Planned f{"jld09.data",
              {{"code", "JL-SC-002"},
               {"title", "食品经营许可信息"},
               {"description", "食品经营许可证编号、经营者、经营项目与有效期。"},
               {"cycle", "weekly"},
               {"share", "unconditional"},
               {"open", "open"},
               {"keywords", {"食品经营许可"}},
               {"key_field", "licence_no"},
               {"fields",
                {F("licence_no", "许可证编号"),
                 F("uscc", "统一社会信用代码", {{"element", "uscc"}}), F("operator", "经营者名称"),
                 F("items", "经营项目"), F("valid_until", "有效期至", {{"type", "date"}})}}},
              {{"licence_no", "uscc", "operator", "items", "valid_until"}}};
    for (int i = 0; i < 40; ++i)
      f.rows.push_back({fmt::format("JY13301{:08}", 20'000'000 + i * 37), Uscc(d),
                        fmt::format("江澜市{}{}", d.Pick(kCompanies), i + 1),
                        d.Chance(60) ? "热食类食品制售" : "预包装食品销售",
                        Date(2027 + d.Below(4), 1 + d.Below(12), 1 + d.Below(28))});
    plan.push_back(std::move(f));
    Planned pen{"jld09.data",
                {{"code", "JL-SC-003"},
                 {"title", "行政处罚信息"},
                 {"description", "市场监管领域行政处罚决定书编号、当事人、违法行为与处罚内容。"},
                 {"cycle", "monthly"},
                 {"share", "unconditional"},
                 {"open", "open"},
                 {"keywords", {"行政处罚", "信用"}},
                 {"key_field", "decision_no"},
                 {"fields",
                  {F("decision_no", "决定书文号"), F("party", "当事人"),
                   F("uscc", "统一社会信用代码", {{"element", "uscc"}}), F("violation", "违法行为"),
                   F("penalty", "处罚内容"), F("decided_on", "处罚日期", {{"type", "date"}})}}},
                {{"decision_no", "party", "uscc", "violation", "penalty", "decided_on"}}};
    for (int i = 0; i < 25; ++i)
      pen.rows.push_back({fmt::format("江市监罚〔2026〕{}号", 100 + i),
                          fmt::format("江澜市{}{}", d.Pick(kCompanies), i + 1), Uscc(d),
                          d.Chance(50) ? "超范围经营" : "未按规定公示许可信息",
                          fmt::format("罚款{}元", (1 + d.Below(20)) * 1000),
                          Date(2026, 1 + d.Below(11), 1 + d.Below(28))});
    plan.push_back(std::move(pen));
  }
  // 人社局 (JL-D06)
  {
    Planned s{"jld06.data",
              {{"code", "JL-RS-001"},
               {"title", "社会保险参保信息"},
               {"description", "参保人员的险种、参保状态、缴费单位与缴费基数。"},
               {"cycle", "monthly"},
               {"share", "conditional"},
               {"share_condition", "用于社会救助资格核查、人才引进、落户审核"},
               {"keywords", {"社保", "参保"}},
               {"key_field", "id_number"},
               {"fields",
                {F("id_number", "公民身份号码", id_el), F("name", "姓名", name_el),
                 F("insurance", "参保险种"), F("status", "参保状态"), F("employer", "缴费单位"),
                 F("base", "缴费基数（元）", {{"type", "number"}, {"grade", "core"}})}}},
              {{"id_number", "name", "insurance", "status", "employer", "base"}},
              true};
    for (int i = 0; i < 200; ++i) {
      const Person& x = person(i);
      // Planted: some cells left empty (completeness).
      s.rows.push_back(
          {x.id, x.name, "企业职工基本养老保险", d.Chance(85) ? "正常参保" : "暂停缴费",
           i % 17 == 3 ? "" : fmt::format("江澜市{}{}", d.Pick(kCompanies), 1 + d.Below(90)),
           i % 23 == 5 ? std::string("五千") : std::to_string(4000 + d.Below(26000))});
    }
    plan.push_back(std::move(s));
    Planned e{"jld06.data",
              {{"code", "JL-RS-002"},
               {"title", "就业失业登记信息"},
               {"description", "就业失业登记证号、登记类型与登记日期。"},
               {"cycle", "monthly"},
               {"share", "conditional"},
               {"share_condition", "用于就业援助、失业保险待遇核验"},
               {"keywords", {"就业", "失业"}},
               {"key_field", "id_number"},
               {"fields",
                {F("id_number", "公民身份号码", id_el), F("name", "姓名", name_el),
                 F("kind", "登记类型"), F("registered_on", "登记日期", {{"type", "date"}})}}},
              {{"id_number", "name", "kind", "registered_on"}}};
    for (int i = 0; i < 50; ++i) {
      const Person& x = person(4 * i + 7);
      e.rows.push_back({x.id, x.name, d.Chance(50) ? "失业登记" : "就业登记",
                        Date(2025 + d.Below(2), 1 + d.Below(11), 1 + d.Below(28))});
    }
    plan.push_back(std::move(e));
    Planned t{"jld06.data",
              {{"code", "JL-RS-003"},
               {"title", "退休人员基本养老金发放信息"},
               {"description", "退休人员的退休日期与月养老金。"},
               {"cycle", "monthly"},
               {"share", "conditional"},
               {"share_condition", "用于高龄津贴、救助资格核查"},
               {"keywords", {"退休", "养老金"}},
               {"key_field", "id_number"},
               {"fields",
                {F("id_number", "公民身份号码", id_el), F("name", "姓名", name_el),
                 F("retired_on", "退休日期", {{"type", "date"}}),
                 F("pension", "月养老金（元）", {{"type", "number"}, {"grade", "important"}})}}},
              {{"id_number", "name", "retired_on", "pension"}}};
    for (int i = 0; i < 40; ++i) {
      const Person& x = person(6 * i + 5);
      t.rows.push_back({x.id, x.name, Date(2010 + d.Below(16), 1 + d.Below(12), 1),
                        std::to_string(2800 + d.Below(5000))});
    }
    plan.push_back(std::move(t));
  }
  // 自然资源和规划局 (JL-D13)
  {
    Planned pr{"jld13.data",
               {{"code", "JL-ZR-001"},
                {"title", "不动产登记信息"},
                {"description", "不动产单元号、坐落、权利人、面积与用途。"},
                {"cycle", "daily"},
                {"share", "conditional"},
                {"share_condition", "用于救助对象家庭财产核查、司法协助"},
                {"keywords", {"不动产", "房产"}},
                {"key_field", "unit_no"},
                {"fields",
                 {F("unit_no", "不动产单元号", {{"element", "property_unit"}}),
                  F("location", "坐落", {{"element", "address"}}),
                  F("owner_id", "权利人身份号码", id_el), F("owner_name", "权利人", name_el),
                  F("area", "建筑面积（㎡）", {{"type", "number"}}), F("use", "用途")}}},
               {{"unit_no", "location", "owner_id", "owner_name", "area", "use"}}};
    for (int i = 0; i < 150; ++i) {
      const Person& o = person(i * 7 + 3);
      pr.rows.push_back({fmt::format("3301{:02}{:06}GB{:05}F{:08}", 2 + d.Below(8),
                                     1 + d.Below(999999), d.Below(100000), 10000000 + i),
                         Address(d), o.id, o.name,
                         fmt::format("{}.{}", 45 + d.Below(120), d.Below(100)),
                         d.Chance(90) ? "住宅" : "商业"});
    }
    plan.push_back(std::move(pr));
    Planned land{"jld13.data",
                 {{"code", "JL-ZR-002"},
                  {"title", "国有建设用地使用权出让信息"},
                  {"description", "地块编号、位置、面积、用途与出让价款。"},
                  {"cycle", "quarterly"},
                  {"share", "unconditional"},
                  {"open", "open"},
                  {"keywords", {"土地", "出让"}},
                  {"key_field", "parcel_no"},
                  {"fields",
                   {F("parcel_no", "地块编号"), F("location", "位置"),
                    F("area", "面积（㎡）", {{"type", "number"}}), F("use", "用途"),
                    F("price", "出让价款（万元）", {{"type", "number"}})}}},
                 {{"parcel_no", "location", "area", "use", "price"}}};
    for (int i = 0; i < 20; ++i)
      land.rows.push_back({fmt::format("JL2026-{:03}", i + 1),
                           fmt::format("江澜市{}{}以东", d.Pick(kDistricts), d.Pick(kRoads)),
                           std::to_string(5000 + d.Below(80000)),
                           d.Chance(50) ? "住宅用地" : "工业用地",
                           std::to_string(800 + d.Below(50000))});
    plan.push_back(std::move(land));
  }
  // 卫健委 (JL-D08)
  {
    Planned birth{
        "jld08.data",
        {{"code", "JL-WJ-001"},
         {"title", "出生医学证明信息"},
         {"description", "新生儿出生医学证明编号、姓名、出生日期、母亲身份号码与助产机构。"},
         {"cycle", "daily"},
         {"share", "conditional"},
         {"share_condition", "用于新生儿出生一件事：落户、医保参保、预防接种"},
         {"keywords", {"出生", "新生儿"}},
         {"key_field", "certificate_no"},
         {"fields",
          {F("certificate_no", "出生医学证明编号"), F("child_name", "新生儿姓名", name_el),
           F("birth_date", "出生日期", {{"type", "date"}}), F("mother_id", "母亲身份号码", id_el),
           F("hospital", "助产机构")}}},
        {{"certificate_no", "child_name", "birth_date", "mother_id", "hospital"}}};
    for (int i = 0; i < 45; ++i) {
      const Person& m = person(2 * i + 9);
      birth.rows.push_back({fmt::format("R33{:08}", 60'000'000 + i),
                            m.name.substr(0, 3) + std::string(d.Pick(kGiven)),
                            Date(2026, 1 + d.Below(11), 1 + d.Below(28)), m.id,
                            d.Chance(50) ? "江澜市妇幼保健院" : "江澜市第一人民医院"});
    }
    plan.push_back(std::move(birth));
    Planned org{"jld08.data",
                {{"code", "JL-WJ-002"},
                 {"title", "医疗机构执业登记信息"},
                 {"description", "医疗机构名称、登记号、类别、地址与诊疗科目。"},
                 {"cycle", "monthly"},
                 {"share", "unconditional"},
                 {"open", "open"},
                 {"keywords", {"医疗机构"}},
                 {"key_field", "reg_no"},
                 {"fields",
                  {F("reg_no", "登记号"), F("name", "机构名称"), F("kind", "类别"),
                   F("address", "地址"), F("subjects", "诊疗科目")}}},
                {{"reg_no", "name", "kind", "address", "subjects"}}};
    constexpr std::string_view kClinics[] = {"江澜市第一人民医院",     "江澜市中医院",
                                             "临江区社区卫生服务中心", "西湖区社区卫生服务中心",
                                             "江澜市妇幼保健院",       "滨江口腔门诊部"};
    for (std::size_t i = 0; i < std::size(kClinics); ++i)
      org.rows.push_back(
          {fmt::format("PDY{:06}33010{}", 100000 + i * 7, i % 10), std::string(kClinics[i]),
           i < 2 || i == 4 ? "医院" : (i < 4 ? "社区卫生服务中心" : "门诊部"),
           fmt::format("江澜市{}{}{}号", d.Pick(kDistricts), d.Pick(kRoads), 1 + d.Below(300)),
           "内科；外科；妇产科"});
    plan.push_back(std::move(org));
  }

  // Publish and import, two months ago (the household register is updated again below).
  for (auto& pl : plan) {
    XT_ASSIGN_OR_RETURN(auto officer, as(pl.officer));
    XT_ASSIGN_OR_RETURN(auto r, svc.Publish(officer, pl.definition));
    pl.id = r.id;
    ++report.resources;
    if (pl.rows.size() > 1) {
      XT_ASSIGN_OR_RETURN(auto imported,
                          svc.Import(officer, r.id, Csv(pl.rows), pl.accept_defects));
      if (!imported.accepted)
        return Fail(Error::Internal(fmt::format(
            "the demo's {} does not import: {}", pl.definition["code"].get<std::string>(),
            imported.problems.empty() ? "no rows" : imported.problems.front().message)));
      report.rows += static_cast<int>(imported.stored);
    }
  }
  auto id_of = [&](std::string_view code) {
    for (const auto& pl : plan)
      if (pl.definition["code"] == code) return pl.id;
    return std::string();
  };

  // Grants: who asks whom, for what; one refused, one for a 核心 field.
  struct Ask {
    std::string requester, resource;
    std::vector<std::string> fields, approved;
    std::string purpose_code, purpose, basis;
    std::string refusal = {};
  };
  const std::vector<Ask> asks = {
      {"jld11.lead",
       "JL-GA-001",
       {"name", "phone", "address"},
       {"name", "phone"},
       "subsistence-check",
       "最低生活保障资格核查",
       "《社会救助暂行办法》第十一条"},
      {"jld11.lead",
       "JL-RS-001",
       {"name", "status", "base"},
       {"status", "base"},
       "subsistence-income",
       "低保家庭收入核对",
       "《社会救助暂行办法》第十一条"},
      {"jld11.lead",
       "JL-ZR-001",
       {"location", "owner_name", "area"},
       {"owner_name", "area"},
       "subsistence-property",
       "低保家庭财产核对",
       "《社会救助暂行办法》第十一条"},
      {"jld11.lead",
       "JL-GA-002",
       {"vehicle_type", "owner_name", "status"},
       {"vehicle_type", "status"},
       "subsistence-vehicle",
       "低保家庭车辆核对",
       "《社会救助暂行办法》第十一条"},
      {"street.lead",
       "JL-GA-001",
       {"name", "address", "phone"},
       {"name", "address"},
       "grid-visit",
       "网格走访、独居老人关爱（数据回流）",
       "《江澜市基层治理数据回流管理办法》"},
      {"jld09.data",
       "JL-RS-001",
       {"name", "employer", "status"},
       {"employer", "status"},
       "credit-check",
       "企业用工与参保信用核查",
       "《社会保险法》第八十四条"},
      {"jld06.data",
       "JL-SC-001",
       {"name", "legal_name", "founded_on"},
       {"name", "legal_name", "founded_on"},
       "employer-check",
       "参保单位登记信息核验",
       "《社会保险费征缴暂行条例》"},
      {"jld06.data",
       "JL-GA-001",
       {"name", "religion"},
       {},
       "census-compare",
       "参保人员信息比对",
       "无明确依据",
       "宗教信仰不属于社保业务所需数据，依据不足"},
  };
  struct Held {
    std::string user, resource_id, purpose, querier;
  };
  std::vector<Held> held;
  for (const auto& a : asks) {
    clock.Advance(2 * kMicrosPerHour);
    XT_ASSIGN_OR_RETURN(auto requester, as(a.requester));
    std::vector<json::Json> fields(a.fields.begin(), a.fields.end());
    XT_ASSIGN_OR_RETURN(auto req, svc.RequestAccess(requester, {{"resource_id", id_of(a.resource)},
                                                                {"fields", fields},
                                                                {"purpose_code", a.purpose_code},
                                                                {"purpose", a.purpose},
                                                                {"legal_basis", a.basis},
                                                                {"period_days", 365}}));
    std::string owner_officer;
    for (const auto& pl : plan)
      if (pl.id == req.resource_id) owner_officer = pl.officer;
    XT_ASSIGN_OR_RETURN(auto officer, as(owner_officer));
    clock.Advance(5 * kMicrosPerHour);
    if (!a.refusal.empty()) {
      XT_TRY_VOID(svc.Reject(officer, req.id, a.refusal));
      continue;
    }
    XT_ASSIGN_OR_RETURN(auto decided, svc.Approve(officer, req.id, a.approved, {}, ""));
    if (decided.status == exchange::RequestStatus::kAwaitingSecond) {
      // The second approval of a 核心 field: the owner's second data officer
      // (demo_city.cc gives one to the departments that keep 核心 data).
      XT_ASSIGN_OR_RETURN(auto second, as(owner_officer + "2"));
      clock.Advance(kMicrosPerHour);
      XT_TRY_VOID(svc.Approve(second, req.id, {}, {}, ""));
    }
    ++report.grants;
    const std::string querier = a.requester == "jld11.lead"    ? "jld11.handler"
                                : a.requester == "street.lead" ? "street.handler"
                                : a.requester == "jld09.data"  ? "jld09.handler"
                                                               : "jld06.handler";
    held.push_back({a.requester, req.resource_id, a.purpose_code, querier});
  }
  // One request still waiting for the 公安局 data officer (the journey's inbox has one).
  {
    XT_ASSIGN_OR_RETURN(auto requester, as("jld11.lead"));
    XT_TRY_VOID(svc.RequestAccess(requester, {{"resource_id", id_of("JL-GA-003")},
                                              {"fields", {"name", "address", "valid_until"}},
                                              {"purpose_code", "school-residence"},
                                              {"purpose", "随迁子女入学居住年限核验"},
                                              {"legal_basis", "《江澜市义务教育招生入学办法》"}}));
  }

  // Two months of gateway traffic: each grant's holders look up a few
  // records on working hours of most days; the demo residents are among them.
  const Timestamp today =
      (real_now + kShanghaiOffset) / kMicrosPerDay * kMicrosPerDay - kShanghaiOffset;
  for (int day = 4; day < kDays; ++day) {  // the grants were given in the first days
    clock.Set(today - (kDays - day) * kMicrosPerDay + 9 * kMicrosPerHour);
    for (const auto& h : held) {
      if (!d.Chance(55)) continue;
      XT_ASSIGN_OR_RETURN(auto querier, as(h.querier));
      XT_ASSIGN_OR_RETURN(auto res, svc.Get(Principal::System(), h.resource_id));
      std::vector<std::string> keys;
      const int n = 1 + d.Below(4);
      for (int k = 0; k < n; ++k) {
        if (res.resource.key_field == "id_number") {
          keys.push_back(person(d.Below(d.Chance(40) ? kResidents : 240)).id);
        } else {
          // Keys of other resources: taken from the rows the demo imported.
          for (const auto& pl : plan)
            if (pl.id == h.resource_id && pl.rows.size() > 1)
              keys.push_back(pl.rows[1 + static_cast<std::size_t>(
                                             d.Below(static_cast<int>(pl.rows.size()) - 1))][0]);
        }
      }
      clock.Advance((1 + d.Below(90)) * kMicrosPerMinute);
      auto answered = svc.Lookup(querier, h.resource_id, keys, h.purpose, {});
      if (!answered) return Fail(answered.error());
      report.lookups += static_cast<int>(keys.size());
    }
    // Quality is scored (here weekly, in `serve` nightly): the trend.
    if (day % 7 == 0) XT_TRY_VOID(svc.ScoreAll(clock.Now()));
  }
  // The departments that keep their data current refreshed it yesterday;
  // the others are late (timeliness falls).
  clock.Set(today - 6 * kMicrosPerHour);
  for (const auto& pl : plan) {
    const std::string code = pl.definition["code"];
    if (code != "JL-GA-001" && code != "JL-SC-001" && code != "JL-RS-001" && code != "JL-ZR-001" &&
        code != "JL-WJ-001")
      continue;
    XT_ASSIGN_OR_RETURN(auto officer, as(pl.officer));
    XT_TRY_VOID(svc.Import(officer, pl.id, Csv(pl.rows), pl.accept_defects));
  }
  XT_TRY_VOID(svc.ScoreAll(clock.Now()));

  // The defect batches are the owners' work in the hub.
  XT_TRY_VOID(FileDataQualityWork(p));

  // The residents are linked to their verified identity numbers (实名核验).
  for (int i = 0; i < kResidents; ++i) {
    XT_ASSIGN_OR_RETURN(auto account, p.identity().FindAccountByUsername(ResidentName(i)));
    if (!account) continue;
    XT_TRY_VOID(svc.LinkResident(Principal::System(), account->id, DemoIdNumber(ResidentName(i))));
  }
  return report;
}

}  // namespace xietong::app
