#include "app/demo_matters.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace xietong::app {
namespace {

using matters::HandlerLevel;
using matters::Limit;
using matters::LimitUnit;
using matters::Matter;
using matters::Tier;

// Who handles a leaf: a level and, for departments, the department's code.
struct Handler {
  HandlerLevel level;
  std::string_view department;
};

constexpr Handler kCommunity{HandlerLevel::kCommunity, ""};
constexpr Handler kStreet{HandlerLevel::kStreet, ""};
// The district departments every demo district has.
constexpr Handler kDistrictUrban{HandlerLevel::kDistrictDepartment, "D01"};    // 区城管局
constexpr Handler kDistrictHousing{HandlerLevel::kDistrictDepartment, "D02"};  // 区住建局
// The city departments, in the order the demo city codes them.
constexpr Handler kUrbanManagement{HandlerLevel::kCityDepartment, "JL-D01"};  // 市城市管理委员会
constexpr Handler kHousing{HandlerLevel::kCityDepartment, "JL-D02"};  // 市住房和城乡建设局
constexpr Handler kEcology{HandlerLevel::kCityDepartment, "JL-D03"};  // 市生态环境局
constexpr Handler kTransport{HandlerLevel::kCityDepartment, "JL-D04"};       // 市交通运输局
constexpr Handler kEducation{HandlerLevel::kCityDepartment, "JL-D05"};       // 市教育局
constexpr Handler kHumanResources{HandlerLevel::kCityDepartment, "JL-D06"};  // 市人社局
constexpr Handler kCommerce{HandlerLevel::kCityDepartment, "JL-D07"};        // 市商务局
constexpr Handler kHealth{HandlerLevel::kCityDepartment, "JL-D08"};  // 市卫生健康委员会
constexpr Handler kMarket{HandlerLevel::kCityDepartment, "JL-D09"};  // 市市场监督管理局
constexpr Handler kWater{HandlerLevel::kCityDepartment, "JL-D10"};   // 市水务局
constexpr Handler kCivilAffairs{HandlerLevel::kCityDepartment, "JL-D11"};  // 市民政局
constexpr Handler kPolice{HandlerLevel::kCityDepartment, "JL-D12"};        // 市公安局
constexpr Handler kPlanning{HandlerLevel::kCityDepartment, "JL-D13"};  // 市自然资源和规划局
constexpr Handler kEmergencyManagement{HandlerLevel::kCityDepartment, "JL-D14"};  // 市应急管理局
constexpr Handler kCultureTourism{HandlerLevel::kCityDepartment, "JL-D15"};  // 市文化广电旅游局
// 市政务服务和数据管理局
constexpr Handler kGovernmentService{HandlerLevel::kCityDepartment, "JL-D16"};
constexpr Handler kMedicalSecurity{HandlerLevel::kCityDepartment, "JL-D17"};  // 市医疗保障局
constexpr Handler kAgriculture{HandlerLevel::kCityDepartment, "JL-D18"};      // 市农业农村局

// Legal bases: national laws, State Council regulations and ministry rules.
constexpr std::string_view kCityAppearance = "《城市市容和环境卫生管理条例》";
constexpr std::string_view kDomesticWaste = "《城市生活垃圾管理办法》";
constexpr std::string_view kSolidWaste = "《中华人民共和国固体废物污染环境防治法》";
constexpr std::string_view kLighting = "《城市照明管理规定》";
constexpr std::string_view kUrbanRoads = "《城市道路管理条例》";
constexpr std::string_view kGreening = "《城市绿化条例》";
constexpr std::string_view kPropertyManagement = "《物业管理条例》";
constexpr std::string_view kSpecialEquipment = "《中华人民共和国特种设备安全法》";
constexpr std::string_view kCivilCode = "《中华人民共和国民法典》";
constexpr std::string_view kMaintenanceFund = "《住宅专项维修资金管理办法》";
constexpr std::string_view kOldEstates =
    "《国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见》";
constexpr std::string_view kRental = "《商品房屋租赁管理办法》";
constexpr std::string_view kPlanningLaw = "《中华人民共和国城乡规划法》";
constexpr std::string_view kNoise = "《中华人民共和国噪声污染防治法》";
constexpr std::string_view kAir = "《中华人民共和国大气污染防治法》";
constexpr std::string_view kExpropriation = "《国有土地上房屋征收与补偿条例》";
constexpr std::string_view kGas = "《城镇燃气管理条例》";
constexpr std::string_view kWaterSupply = "《城市供水条例》";
constexpr std::string_view kDrainage = "《城镇排水与污水处理条例》";
constexpr std::string_view kWaterPollution = "《中华人民共和国水污染防治法》";
constexpr std::string_view kWildlife = "《中华人民共和国野生动物保护法》";
constexpr std::string_view kAnimalEpidemic = "《中华人民共和国动物防疫法》";
constexpr std::string_view kPublicTransport = "《城市公共交通条例》";
constexpr std::string_view kTaxi = "《巡游出租汽车经营服务管理规定》";
constexpr std::string_view kRideHailing = "《网络预约出租汽车经营服务管理暂行办法》";
constexpr std::string_view kRoadTransport = "《中华人民共和国道路运输条例》";
constexpr std::string_view kRoadTraffic = "《中华人民共和国道路交通安全法》";
constexpr std::string_view kPrice = "《中华人民共和国价格法》";
constexpr std::string_view kBikeSharing = "《关于鼓励和规范互联网租赁自行车发展的指导意见》";
constexpr std::string_view kVehicleRepair = "《机动车维修管理规定》";
constexpr std::string_view kCompulsoryEducation = "《中华人民共和国义务教育法》";
constexpr std::string_view kPreschool = "《中华人民共和国学前教育法》";
constexpr std::string_view kEducationLaw = "《中华人民共和国教育法》";
constexpr std::string_view kMinors = "《中华人民共和国未成年人保护法》";
constexpr std::string_view kTutoring = "《校外培训行政处罚暂行办法》";
constexpr std::string_view kSportsFacilities = "《公共文化体育设施条例》";
constexpr std::string_view kEntertainment = "《娱乐场所管理条例》";
constexpr std::string_view kRelics = "《中华人民共和国文物保护法》";
constexpr std::string_view kWagePayment = "《保障农民工工资支付条例》";
constexpr std::string_view kLabourContract = "《中华人民共和国劳动合同法》";
constexpr std::string_view kLabour = "《中华人民共和国劳动法》";
constexpr std::string_view kArbitration = "《中华人民共和国劳动争议调解仲裁法》";
constexpr std::string_view kSocialInsurance = "《中华人民共和国社会保险法》";
constexpr std::string_view kWorkInjury = "《工伤保险条例》";
constexpr std::string_view kUnemployment = "《失业保险条例》";
constexpr std::string_view kEmployment = "《中华人民共和国就业促进法》";
constexpr std::string_view kProductQuality = "《中华人民共和国产品质量法》";
constexpr std::string_view kPrepaidCards = "《单用途商业预付卡管理办法（试行）》";
constexpr std::string_view kECommerce = "《中华人民共和国电子商务法》";
constexpr std::string_view kFoodSafety = "《中华人民共和国食品安全法》";
constexpr std::string_view kAgriculturalProducts = "《中华人民共和国农产品质量安全法》";
constexpr std::string_view kMetrology = "《中华人民共和国计量法》";
constexpr std::string_view kBusinessEnvironment = "《优化营商环境条例》";
constexpr std::string_view kTourism = "《中华人民共和国旅游法》";
constexpr std::string_view kHealthLaw = "《中华人民共和国基本医疗卫生与健康促进法》";
constexpr std::string_view kMedicalDisputes = "《医疗纠纷预防和处理条例》";
constexpr std::string_view kPhysicians = "《中华人民共和国医师法》";
constexpr std::string_view kVaccines = "《中华人民共和国疫苗管理法》";
constexpr std::string_view kInfectiousDiseases = "《中华人民共和国传染病防治法》";
constexpr std::string_view kDiseaseVectors = "《病媒生物预防控制管理规定》";
constexpr std::string_view kMedicalFund = "《医疗保障基金使用监督管理条例》";
constexpr std::string_view kPopulation = "《中华人民共和国人口与计划生育法》";
constexpr std::string_view kMaternalHealth = "《中华人民共和国母婴保健法》";
constexpr std::string_view kSocialAssistance = "《社会救助暂行办法》";
constexpr std::string_view kVagrants = "《城市生活无着的流浪乞讨人员救助管理办法》";
constexpr std::string_view kCareHomes = "《养老机构管理办法》";
constexpr std::string_view kElderly = "《中华人民共和国老年人权益保障法》";
constexpr std::string_view kMarriage = "《婚姻登记条例》";
constexpr std::string_view kFunerals = "《殡葬管理条例》";
constexpr std::string_view kDisability = "《中华人民共和国残疾人保障法》";
constexpr std::string_view kMediation = "《中华人民共和国人民调解法》";
constexpr std::string_view kFire = "《中华人民共和国消防法》";
constexpr std::string_view kHighRiseFire = "《高层民用建筑消防安全管理规定》";
constexpr std::string_view kPublicSecurity = "《中华人民共和国治安管理处罚法》";
constexpr std::string_view kFraud = "《中华人民共和国反电信网络诈骗法》";
constexpr std::string_view kWorkSafety = "《中华人民共和国安全生产法》";
constexpr std::string_view kHukou = "《中华人民共和国户口登记条例》";
constexpr std::string_view kResidencePermits = "《居住证暂行条例》";

using Words = std::initializer_list<std::string_view>;

// Builds the tree in reading order: Category opens a level-1 node, Group a
// level-2 node under it, Leaf a level-3 node under the last group. Codes are
// given as the node's own two digits.
class Builder {
 public:
  void Category(std::string_view digits, std::string_view name, std::string_view name_en,
                Words keywords) {
    category_ = std::string(digits);
    Add(category_, 1, name, name_en, keywords);
  }

  void Group(std::string_view digits, std::string_view name, std::string_view name_en,
             Words keywords) {
    group_ = category_ + "-" + std::string(digits);
    Add(group_, 2, name, name_en, keywords);
  }

  void Leaf(std::string_view digits, std::string_view name, std::string_view name_en,
            Handler handler, Tier tier, std::string_view legal_basis, Words keywords) {
    Matter& m = Add(group_ + "-" + std::string(digits), 3, name, name_en, keywords);
    m.handler = handler.level;
    m.department_code = std::string(handler.department);
    m.tier = tier;
    m.legal_basis = std::string(legal_basis);
    // Limits follow the tier: the faster the finish, the faster the sign-off
    // and the shorter the time to send a wrongly dispatched request back.
    switch (tier) {
      case Tier::kEmergency:
        m.sign_limit = {1, LimitUnit::kNaturalHours};
        m.return_window = {1, LimitUnit::kNaturalHours};
        break;
      case Tier::kUrgent:
        m.sign_limit = {2, LimitUnit::kNaturalHours};
        m.return_window = {2, LimitUnit::kNaturalHours};
        break;
      case Tier::kGeneral:
        m.sign_limit = {2, LimitUnit::kWorkingHours};
        m.return_window = {8, LimitUnit::kWorkingHours};
        break;
      case Tier::kComplex:
        m.sign_limit = {4, LimitUnit::kWorkingHours};
        m.return_window = {16, LimitUnit::kWorkingHours};
        break;
    }
    m.finish_limit = matters::DefaultFinishLimit(tier);
  }

  std::vector<Matter> Take() { return std::move(out_); }

 private:
  Matter& Add(std::string code, int level, std::string_view name, std::string_view name_en,
              Words keywords) {
    Matter m;
    m.code = std::move(code);
    m.level = level;
    m.name = std::string(name);
    m.name_en = std::string(name_en);
    for (auto k : keywords) m.keywords.emplace_back(k);
    out_.push_back(std::move(m));
    return out_.back();
  }

  std::string category_;
  std::string group_;
  std::vector<Matter> out_;
};

constexpr Tier kEmergency = Tier::kEmergency;
constexpr Tier kUrgent = Tier::kUrgent;
constexpr Tier kGeneral = Tier::kGeneral;
constexpr Tier kComplex = Tier::kComplex;

void UrbanAndRural(Builder& b) {
  b.Category("01", "城乡建设", "Urban and rural development", {});
  b.Group("01", "市容环卫", "City appearance and sanitation", {"市容", "环境卫生", "脏乱"});
  b.Leaf("01", "占道经营", "Street vending on roads", kStreet, kGeneral, kCityAppearance,
         {"占道经营", "摆摊", "流动摊贩", "小贩", "地摊", "占道"});
  b.Leaf("02", "环境卫生脏乱", "Dirty public spaces", kStreet, kGeneral, kCityAppearance,
         {"脏乱差", "卫生差", "没人打扫", "清扫", "乱扔垃圾"});
  b.Leaf("03", "垃圾清运不及时", "Rubbish not collected", kDistrictUrban, kUrgent, kDomesticWaste,
         {"垃圾清运", "垃圾桶满", "垃圾堆积", "没人清运", "垃圾站", "发臭"});
  b.Leaf("04", "垃圾分类", "Waste sorting", kCommunity, kGeneral, kSolidWaste,
         {"垃圾分类", "分类投放", "厨余垃圾", "可回收物", "撤桶"});
  b.Leaf("05", "户外广告招牌", "Outdoor advertising and shop signs", kDistrictUrban, kGeneral,
         kCityAppearance, {"广告牌", "招牌", "横幅", "户外广告", "灯箱", "店招"});
  b.Leaf("06", "小广告乱贴乱画", "Fly-posting and graffiti", kStreet, kGeneral, kCityAppearance,
         {"小广告", "牛皮癣", "乱贴", "乱涂乱画", "涂鸦"});
  b.Leaf("07", "渣土车遗撒", "Spillage from muck trucks", kDistrictUrban, kUrgent, kCityAppearance,
         {"渣土车", "遗撒", "抛洒", "渣土", "泥浆"});

  b.Group("02", "市政设施", "Municipal facilities", {"市政", "设施"});
  b.Leaf("01", "路灯故障", "Street lights out", kUrbanManagement, kGeneral, kLighting,
         {"路灯", "不亮", "灯坏了", "照明", "黑灯"});
  b.Leaf("02", "井盖缺失破损", "Missing or broken manhole covers", kUrbanManagement, kUrgent,
         kUrbanRoads, {"井盖", "窨井", "下水井盖", "井盖丢失", "井口"});
  b.Leaf("03", "道路破损", "Damaged road surface", kUrbanManagement, kGeneral, kUrbanRoads,
         {"路面破损", "坑洼", "路面坑", "修路", "道路破损"});
  b.Leaf("04", "道路塌陷", "Road collapse", kUrbanManagement, kEmergency, kUrbanRoads,
         {"塌陷", "地陷", "路面下沉", "天坑", "塌方"});
  b.Leaf("05", "园林绿化", "Parks and greenery", kUrbanManagement, kGeneral, kGreening,
         {"绿化", "修剪", "草坪", "绿地", "毁绿", "树木"});
  b.Leaf("06", "树木倒伏", "Fallen trees and branches", kStreet, kUrgent, kGreening,
         {"倒伏", "树倒了", "断枝", "树枝", "大树"});

  b.Group("03", "房屋与物业", "Housing and property management", {"物业", "房子", "小区"});
  b.Leaf("01", "物业服务", "Property management services", kDistrictHousing, kGeneral,
         kPropertyManagement, {"物业公司", "物业服务", "保安", "不作为", "物业管理"});
  b.Leaf("02", "物业收费", "Property management fees", kDistrictHousing, kGeneral,
         kPropertyManagement, {"物业费", "收费标准", "涨价", "公摊费", "物业乱收费"});
  b.Leaf("03", "电梯故障", "Lift out of order", kMarket, kUrgent, kSpecialEquipment,
         {"电梯", "电梯故障", "电梯停运", "维保", "电梯坏"});
  b.Leaf("04", "电梯困人", "Trapped in a lift", kMarket, kEmergency, kSpecialEquipment,
         {"困人", "被困", "困在电梯", "电梯困人", "关在电梯"});
  b.Leaf("05", "房屋漏水", "Leaking homes", kCommunity, kGeneral, kCivilCode,
         {"漏水", "渗水", "楼上漏水", "天花板", "防水", "外墙渗水"});
  b.Leaf("06", "专项维修资金", "Housing maintenance fund", kDistrictHousing, kComplex,
         kMaintenanceFund, {"维修资金", "维修基金", "动用维修基金", "大修"});
  b.Leaf("07", "老旧小区改造", "Old-estate renovation", kDistrictHousing, kComplex, kOldEstates,
         {"老旧小区", "改造", "加装电梯", "外立面", "管网改造"});
  b.Leaf("08", "业主委员会", "Owners' committees", kStreet, kComplex, kPropertyManagement,
         {"业委会", "业主大会", "业主委员会", "换届", "选举"});
  b.Leaf("09", "房屋租赁", "Rental housing", kHousing, kGeneral, kRental,
         {"租房", "房东", "押金", "中介", "群租", "退租"});

  b.Group("04", "规划建设", "Planning and construction", {"规划", "建设"});
  b.Leaf("01", "违法建设", "Unauthorised construction", kDistrictUrban, kComplex, kPlanningLaw,
         {"违建", "违章建筑", "私搭乱建", "加盖", "搭建", "违法建设"});
  b.Leaf("02", "施工扰民", "Construction noise", kDistrictHousing, kGeneral, kNoise,
         {"施工", "夜间施工", "工地", "施工噪音", "打桩"});
  b.Leaf("03", "工地扬尘", "Dust from building sites", kDistrictHousing, kGeneral, kAir,
         {"扬尘", "工地", "灰尘", "未覆盖", "尘土"});
  b.Leaf("04", "规划审批", "Planning permission", kPlanning, kComplex, kPlanningLaw,
         {"规划许可", "容积率", "规划公示", "采光", "日照", "楼间距"});
  b.Leaf("05", "房屋征收补偿", "Expropriation and compensation", kHousing, kComplex, kExpropriation,
         {"拆迁", "征收", "补偿", "安置", "拆迁款", "回迁"});
  b.Leaf("06", "违规装修", "Renovation nuisance", kCommunity, kGeneral, kPropertyManagement,
         {"装修", "砸墙", "电钻", "装修噪音", "承重墙", "装修垃圾"});

  b.Group("05", "燃气与供排水", "Gas, water and drainage", {"燃气", "自来水", "排水"});
  b.Leaf("01", "燃气泄漏", "Gas leak", kHousing, kEmergency, kGas,
         {"燃气泄漏", "煤气", "天然气", "漏气", "燃气味", "煤气味"});
  b.Leaf("02", "供水管道爆裂", "Burst water main", kWater, kEmergency, kWaterSupply,
         {"爆管", "水管爆裂", "水管破裂", "跑水", "冒水", "爆裂"});
  b.Leaf("03", "停水", "Water outage", kWater, kUrgent, kWaterSupply,
         {"停水", "没水", "断水", "水压低", "没有水"});
  b.Leaf("04", "自来水水质", "Tap water quality", kWater, kUrgent, kWaterSupply,
         {"水质", "水发黄", "浑浊", "自来水有异味", "黄水"});
  b.Leaf("05", "下水道堵塞", "Blocked sewers", kWater, kUrgent, kDrainage,
         {"下水道", "堵塞", "污水外溢", "反水", "化粪池", "管道堵"});
  b.Leaf("06", "道路积水", "Waterlogged roads", kWater, kUrgent, kDrainage,
         {"积水", "内涝", "淹水", "排水不畅", "雨水"});
}

void Environment(Builder& b) {
  b.Category("02", "环境保护", "Environmental protection", {"污染", "环保"});
  b.Group("01", "噪声污染", "Noise", {"噪音", "噪声", "吵", "扰民"});
  b.Leaf("01", "广场舞噪音", "Square-dance noise", kStreet, kGeneral, kNoise,
         {"广场舞", "音响", "跳舞", "大妈", "音乐声"});
  b.Leaf("02", "商业经营噪声", "Noise from shops and bars", kDistrictUrban, kGeneral, kNoise,
         {"商铺", "喇叭", "叫卖", "酒吧", "KTV", "音乐太大"});
  b.Leaf("03", "工业噪声", "Factory noise", kEcology, kGeneral, kNoise,
         {"工厂", "机器", "轰鸣", "厂房", "设备噪音"});

  b.Group("02", "大气污染", "Air pollution", {"空气", "烟", "气味"});
  b.Leaf("01", "餐饮油烟", "Restaurant fumes", kDistrictUrban, kGeneral, kAir,
         {"油烟", "烧烤", "饭店", "排烟", "油烟机", "餐馆"});
  b.Leaf("02", "露天焚烧", "Open burning", kStreet, kUrgent, kAir,
         {"焚烧", "烧垃圾", "烧秸秆", "浓烟", "冒黑烟"});
  b.Leaf("03", "工业废气", "Industrial emissions", kEcology, kUrgent, kAir,
         {"废气", "刺鼻", "烟囱", "排放", "化工厂", "臭味"});

  b.Group("03", "水与固废污染", "Water and waste pollution", {"污水", "排污"});
  b.Leaf("01", "河道污染", "Polluted rivers", kEcology, kGeneral, kWaterPollution,
         {"河道", "河水发黑", "河水发臭", "死鱼", "河流"});
  b.Leaf("02", "偷排污水", "Illegal discharge of sewage", kEcology, kUrgent, kWaterPollution,
         {"偷排", "直排", "暗管", "排污口", "污水直排"});
  b.Leaf("03", "固体废物倾倒", "Dumping of waste", kEcology, kUrgent, kSolidWaste,
         {"倾倒", "建筑垃圾", "危险废物", "乱倒", "工业垃圾"});

  b.Group("04", "生态与动物", "Ecology and animals", {"动物"});
  b.Leaf("01", "野生动物保护", "Wildlife protection", kAgriculture, kUrgent, kWildlife,
         {"野生动物", "捕鸟", "捕猎", "非法捕捞", "电鱼", "贩卖"});
  b.Leaf("02", "流浪动物", "Stray animals", kStreet, kGeneral, kAnimalEpidemic,
         {"流浪狗", "流浪猫", "野狗", "被狗咬", "流浪动物"});
  b.Leaf("03", "文明养犬", "Dog ownership", kPolice, kGeneral, kAnimalEpidemic,
         {"养狗", "狗叫", "遛狗", "不拴绳", "狗粪", "大型犬"});
}

void Transport(Builder& b) {
  b.Category("03", "交通运输", "Transport", {"交通"});
  b.Group("01", "公共交通", "Public transport", {"公交", "地铁"});
  b.Leaf("01", "公交服务", "Bus service", kTransport, kGeneral, kPublicTransport,
         {"公交车", "公交司机", "甩站", "班次", "等车", "不停站"});
  b.Leaf("02", "地铁服务", "Metro service", kTransport, kGeneral, kPublicTransport,
         {"地铁", "轨道交通", "地铁站", "换乘", "安检", "末班车"});

  b.Group("02", "出租汽车", "Taxis and ride-hailing", {"打车", "司机"});
  b.Leaf("01", "出租车服务", "Taxi service", kTransport, kGeneral, kTaxi,
         {"出租车", "的士", "拒载", "绕路", "不打表", "议价"});
  b.Leaf("02", "网约车服务", "Ride-hailing service", kTransport, kGeneral, kRideHailing,
         {"网约车", "滴滴", "快车", "多收费", "顺风车"});

  b.Group("03", "道路交通与停车", "Road traffic and parking", {"停车", "车辆"});
  b.Leaf("01", "违章停车", "Illegal parking", kPolice, kGeneral, kRoadTraffic,
         {"违停", "乱停车", "堵门", "挡路", "乱停", "占用车道"});
  b.Leaf("02", "停车收费", "Parking charges", kMarket, kGeneral, kPrice,
         {"停车费", "停车场", "停车收费", "乱收停车费", "临停"});
  b.Leaf("03", "小区停车难", "Parking shortage in estates", kCommunity, kComplex,
         kPropertyManagement, {"停车难", "车位", "停车位", "小区停车", "地下车库"});
  b.Leaf("04", "交通信号与标志", "Traffic signals and road markings", kPolice, kGeneral,
         kRoadTraffic, {"红绿灯", "信号灯", "标线", "交通标志", "斑马线"});
  b.Leaf("05", "共享单车", "Shared bicycles", kDistrictUrban, kGeneral, kBikeSharing,
         {"共享单车", "单车", "乱停放", "共享电单车", "单车堆放"});
  b.Leaf("06", "电动自行车", "Electric bicycles", kPolice, kGeneral, kRoadTraffic,
         {"电动车上牌", "电动自行车", "头盔", "号牌", "电动车"});

  b.Group("04", "道路运输服务", "Road transport services", {"运输"});
  b.Leaf("01", "驾校培训", "Driving schools", kTransport, kGeneral, kRoadTransport,
         {"驾校", "学车", "教练", "驾校退费", "练车"});
  b.Leaf("02", "机动车维修", "Vehicle repair", kTransport, kGeneral, kVehicleRepair,
         {"修车", "汽修", "4S店", "维修费", "汽车维修"});
}

void EducationCultureSports(Builder& b) {
  b.Category("04", "教育文体", "Education, culture and sports", {});
  b.Group("01", "学前与义务教育", "Pre-school and compulsory education", {"学校", "老师", "学生"});
  b.Leaf("01", "入学与学位", "School places", kEducation, kComplex, kCompulsoryEducation,
         {"学位", "入学", "划片", "学区", "小升初", "报名"});
  b.Leaf("02", "幼儿园", "Kindergartens", kEducation, kGeneral, kPreschool,
         {"幼儿园", "入园", "保育费", "幼师", "托班"});
  b.Leaf("03", "学校收费", "School charges", kEducation, kGeneral, kEducationLaw,
         {"学校收费", "资料费", "校服费", "补课费", "收费"});
  b.Leaf("04", "校园安全", "School safety and bullying", kEducation, kUrgent, kMinors,
         {"校园欺凌", "霸凌", "体罚", "打学生", "校园安全"});
  b.Leaf("05", "校外培训", "Off-campus tutoring", kEducation, kGeneral, kTutoring,
         {"培训机构", "补习班", "辅导班", "培训退费", "卷款"});

  b.Group("02", "文化体育", "Culture and sports", {"文化", "体育"});
  b.Leaf("01", "公共文体设施", "Public culture and sports venues", kCultureTourism, kGeneral,
         kSportsFacilities, {"体育场", "图书馆", "球场", "文化馆", "体育馆", "开放时间"});
  b.Leaf("02", "健身器材损坏", "Damaged outdoor fitness equipment", kCommunity, kGeneral,
         kSportsFacilities, {"健身器材", "器材损坏", "单杠", "健身路径", "锻炼"});
  b.Leaf("03", "娱乐场所", "Entertainment venues", kCultureTourism, kGeneral, kEntertainment,
         {"歌厅", "娱乐场所", "网吧", "未成年人进入", "营业到凌晨"});
  b.Leaf("04", "文物保护", "Cultural heritage", kCultureTourism, kComplex, kRelics,
         {"文物", "古建筑", "历史建筑", "遗址", "老房子"});
}

void LabourAndSocialSecurity(Builder& b) {
  b.Category("05", "劳动和社会保障", "Labour and social security", {"单位", "公司"});
  b.Group("01", "劳动关系", "Labour relations", {"劳动", "老板"});
  b.Leaf("01", "拖欠工资", "Unpaid wages", kHumanResources, kUrgent, kWagePayment,
         {"拖欠工资", "欠薪", "不发工资", "讨薪", "农民工", "工资"});
  b.Leaf("02", "劳动合同", "Labour contracts and dismissal", kHumanResources, kGeneral,
         kLabourContract, {"劳动合同", "辞退", "解除合同", "试用期", "经济补偿", "开除"});
  b.Leaf("03", "加班与休假", "Overtime and leave", kHumanResources, kGeneral, kLabour,
         {"加班", "加班费", "年假", "休假", "不让休息"});
  b.Leaf("04", "劳动争议仲裁", "Labour dispute arbitration", kHumanResources, kComplex,
         kArbitration, {"劳动仲裁", "劳动争议", "仲裁", "调解书"});

  b.Group("02", "社会保险", "Social insurance", {"社保", "保险"});
  b.Leaf("01", "社保缴纳", "Social insurance contributions", kHumanResources, kGeneral,
         kSocialInsurance, {"社保", "缴纳", "断缴", "补缴", "五险一金", "未交社保"});
  b.Leaf("02", "养老金", "Pensions", kHumanResources, kGeneral, kSocialInsurance,
         {"养老金", "退休金", "退休", "养老保险", "退休手续"});
  b.Leaf("03", "工伤认定", "Work injury", kHumanResources, kComplex, kWorkInjury,
         {"工伤", "工伤认定", "伤残鉴定", "工伤赔偿", "受伤"});
  b.Leaf("04", "失业保险", "Unemployment insurance", kHumanResources, kGeneral, kUnemployment,
         {"失业金", "失业保险", "失业", "领失业金"});

  b.Group("03", "就业创业", "Employment", {"就业", "找工作"});
  b.Leaf("01", "就业服务", "Job services and subsidies", kHumanResources, kGeneral, kEmployment,
         {"招聘", "就业补贴", "职业培训", "就业服务", "求职"});
}

void CommerceAndTourism(Builder& b) {
  b.Category("06", "商贸旅游", "Commerce and tourism", {"商家", "消费"});
  b.Group("01", "消费维权", "Consumer rights", {"投诉", "退款"});
  b.Leaf("01", "商品质量", "Defective products", kMarket, kGeneral, kProductQuality,
         {"质量问题", "假货", "退货", "三无产品", "残次品"});
  b.Leaf("02", "预付卡退费", "Prepaid cards", kCommerce, kGeneral, kPrepaidCards,
         {"预付卡", "办卡", "会员卡", "跑路", "退卡", "健身卡"});
  b.Leaf("03", "价格违法", "Pricing violations", kMarket, kGeneral, kPrice,
         {"价格", "明码标价", "宰客", "标价", "哄抬物价"});
  b.Leaf("04", "网购纠纷", "Online shopping disputes", kMarket, kGeneral, kECommerce,
         {"网购", "网店", "直播带货", "电商", "网上买"});

  b.Group("02", "食品安全", "Food safety", {"吃", "食品"});
  b.Leaf("01", "食品质量", "Unsafe food", kMarket, kUrgent, kFoodSafety,
         {"食品安全", "过期", "变质", "异物", "不卫生", "吃出"});
  b.Leaf("02", "食物中毒", "Food poisoning", kMarket, kEmergency, kFoodSafety,
         {"食物中毒", "集体腹泻", "上吐下泻", "中毒", "呕吐"});
  b.Leaf("03", "无证餐饮", "Unlicensed food businesses", kMarket, kGeneral, kFoodSafety,
         {"无证经营", "黑作坊", "小作坊", "无照经营", "无证"});

  b.Group("03", "商业与市场", "Commerce and markets", {"市场", "商场"});
  b.Leaf("01", "农贸市场", "Wet markets", kCommerce, kGeneral, kAgriculturalProducts,
         {"菜市场", "农贸市场", "摊位", "市场卫生", "菜价"});
  b.Leaf("02", "缺斤短两", "Short weight", kMarket, kGeneral, kMetrology,
         {"缺斤短两", "短斤少两", "鬼秤", "秤", "计量"});
  b.Leaf("03", "营商环境", "Business environment", kGovernmentService, kComplex,
         kBusinessEnvironment, {"营商环境", "办事难", "审批", "证照", "企业开办", "办事效率"});
  // Defects found in departments' shared data (数据共享) come in as requests
  // to the owning department (app/exchange_work.h files them here).
  b.Leaf("04", "政务数据质量", "Government data quality", kGovernmentService, kGeneral,
         "《政务信息资源共享管理暂行办法》", {"数据质量", "共享数据错误", "数据不一致"});

  b.Group("04", "旅游", "Tourism", {"旅游", "游客"});
  b.Leaf("01", "旅行社与导游", "Travel agencies and guides", kCultureTourism, kGeneral, kTourism,
         {"旅行社", "导游", "强制购物", "低价团", "跟团"});
  b.Leaf("02", "景区管理", "Scenic areas", kCultureTourism, kGeneral, kTourism,
         {"景区", "门票价格", "景点", "排队", "游客太多"});
}

void HealthAndFamilyPlanning(Builder& b) {
  b.Category("07", "卫生计生", "Health and family planning", {"健康"});
  b.Group("01", "医疗服务", "Medical services", {"医院", "医生"});
  b.Leaf("01", "医疗服务质量", "Service in hospitals", kHealth, kGeneral, kHealthLaw,
         {"医生态度", "服务态度", "护士", "看病", "挂号"});
  b.Leaf("02", "医疗纠纷", "Medical disputes", kHealth, kComplex, kMedicalDisputes,
         {"医疗事故", "医疗纠纷", "误诊", "手术失败", "医患"});
  b.Leaf("03", "非法行医", "Illegal medical practice", kHealth, kUrgent, kPhysicians,
         {"非法行医", "黑诊所", "无证行医", "游医", "假医生"});

  b.Group("02", "公共卫生", "Public health", {"卫生", "防疫"});
  b.Leaf("01", "疫苗接种", "Vaccination", kHealth, kGeneral, kVaccines,
         {"疫苗", "接种", "打疫苗", "预防针", "狂犬疫苗"});
  b.Leaf("02", "传染病防控", "Infectious diseases", kHealth, kUrgent, kInfectiousDiseases,
         {"传染病", "发热", "疫情", "隔离", "流感"});
  b.Leaf("03", "病媒生物防制", "Rats, mosquitoes and cockroaches", kStreet, kGeneral,
         kDiseaseVectors, {"老鼠", "蚊子", "蟑螂", "灭鼠", "消杀"});

  b.Group("03", "医疗保障", "Medical insurance", {"医保"});
  b.Leaf("01", "医保报销", "Medical insurance reimbursement", kMedicalSecurity, kGeneral,
         kSocialInsurance, {"医保报销", "报销", "异地就医", "门诊报销", "报销比例", "医保卡"});
  b.Leaf("02", "医保基金监管", "Misuse of medical insurance funds", kMedicalSecurity, kComplex,
         kMedicalFund, {"骗保", "套保", "虚假住院", "医保基金", "冒用医保卡"});

  b.Group("04", "生育服务", "Birth services", {"生育", "孩子"});
  b.Leaf("01", "生育登记与补贴", "Birth registration and allowances", kHealth, kGeneral,
         kPopulation, {"生育登记", "二孩", "三孩", "生育补贴", "育儿补贴"});
  b.Leaf("02", "母婴保健", "Maternal and infant health", kHealth, kGeneral, kMaternalHealth,
         {"产检", "孕妇", "出生证明", "新生儿", "母婴"});
}

void CivilAffairs(Builder& b) {
  b.Category("08", "民政", "Civil affairs", {});
  b.Group("01", "社会救助", "Social assistance", {"救助", "困难"});
  b.Leaf("01", "最低生活保障", "Minimum living allowance", kStreet, kGeneral, kSocialAssistance,
         {"低保", "特困", "低保申请", "生活困难", "低收入"});
  b.Leaf("02", "流浪乞讨救助", "Help for the homeless", kCivilAffairs, kUrgent, kVagrants,
         {"流浪汉", "乞讨", "露宿", "流浪人员", "救助站"});
  b.Leaf("03", "临时救助", "Emergency assistance", kStreet, kUrgent, kSocialAssistance,
         {"临时救助", "急难", "突发困难", "救急"});

  b.Group("02", "养老服务", "Elderly care", {"老人", "养老"});
  b.Leaf("01", "养老机构", "Care homes", kCivilAffairs, kGeneral, kCareHomes,
         {"养老院", "敬老院", "护理院", "老人院", "养老机构"});
  b.Leaf("02", "居家养老", "Home-based elderly care", kCommunity, kGeneral, kElderly,
         {"居家养老", "助餐", "老年食堂", "上门服务", "空巢老人"});

  b.Group("03", "婚姻殡葬与残疾人", "Marriage, funerals and disability", {});
  b.Leaf("01", "婚姻登记", "Marriage registration", kCivilAffairs, kGeneral, kMarriage,
         {"结婚登记", "离婚", "婚姻登记", "领证", "离婚冷静期"});
  b.Leaf("02", "殡葬服务", "Funeral services", kCivilAffairs, kGeneral, kFunerals,
         {"殡葬", "墓地", "火化", "殡仪馆", "骨灰", "公墓"});
  b.Leaf("03", "残疾人服务", "Services for the disabled", kCivilAffairs, kGeneral, kDisability,
         {"残疾人", "残疾证", "轮椅", "残疾补贴", "残疾"});

  b.Group("04", "社区事务", "Community affairs", {"社区", "邻居", "楼道"});
  b.Leaf("01", "邻里纠纷", "Neighbour disputes", kCommunity, kGeneral, kMediation,
         {"邻里纠纷", "邻居", "吵架", "矛盾", "调解"});
  b.Leaf("02", "楼道杂物", "Clutter in stairwells", kCommunity, kGeneral, kFire,
         {"楼道杂物", "杂物", "堆放", "堆物", "占用楼道"});
  b.Leaf("03", "电动车违规充电", "Charging e-bikes indoors", kCommunity, kUrgent, kHighRiseFire,
         {"飞线充电", "楼道充电", "私拉电线", "电动车充电", "充电"});
}

void PublicSecurity(Builder& b) {
  b.Category("09", "公安政法", "Public security and justice", {});
  b.Group("01", "治安与安全", "Public order and safety", {"安全", "报警"});
  b.Leaf("01", "治安问题", "Public order problems", kPolice, kUrgent, kPublicSecurity,
         {"打架", "斗殴", "赌博", "聚众", "治安"});
  b.Leaf("02", "电信网络诈骗", "Telecom and online fraud", kPolice, kUrgent, kFraud,
         {"诈骗", "骗子", "被骗", "电信诈骗", "刷单", "冒充"});
  b.Leaf("03", "消防安全隐患", "Fire hazards", kEmergencyManagement, kUrgent, kFire,
         {"消防通道", "消防栓", "灭火器", "火灾隐患", "消防"});
  b.Leaf("04", "安全生产隐患", "Workplace safety hazards", kEmergencyManagement, kUrgent,
         kWorkSafety, {"安全隐患", "安全生产", "危险品", "违规作业", "隐患"});

  b.Group("02", "户籍证件", "Household registration and residence", {"户口", "证件"});
  b.Leaf("01", "户口迁移", "Household registration", kPolice, kGeneral, kHukou,
         {"户口", "落户", "迁户口", "户籍", "入户"});
  b.Leaf("02", "居住证", "Residence permits", kPolice, kGeneral, kResidencePermits,
         {"居住证", "暂住证", "办居住证", "居住登记"});
}

}  // namespace

std::vector<Matter> DemoMatters() {
  Builder b;
  UrbanAndRural(b);
  Environment(b);
  Transport(b);
  EducationCultureSports(b);
  LabourAndSocialSecurity(b);
  CommerceAndTourism(b);
  HealthAndFamilyPlanning(b);
  CivilAffairs(b);
  PublicSecurity(b);
  return b.Take();
}

}  // namespace xietong::app
