#include "app/demo_history.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>
#include <string_view>

#include "app/demo_people.h"
#include "matters/matter.h"
#include "requests/routing.h"

namespace xietong::app {
namespace {

using identity::OrgUnit;
using identity::UnitKind;
using requests::Channel;
using requests::Request;
using requests::Satisfaction;
using requests::Status;
using std::chrono::sys_days;
using std::chrono::year_month_day;

enum class Season { kNone, kHeating, kSummerNuisance, kFlooding };

// A leaf's share of the city's calls, its season, and how residents put it:
// titles and words with slots {c} community, {r} road, {s} shop, {t} when,
// {n} a number.
struct Template {
  std::string_view leaf;
  double share;  // relative; normalised over the leaves the catalogue has
  Season season;
  std::array<std::string_view, 3> titles;
  std::array<std::string_view, 3> bodies;
};

// Shares follow plan §10.2's level-1 split (城乡建设 0.35, 环境保护 0.15,
// 交通运输 0.12, 商贸旅游 0.08, 公安政法 0.08, 劳动和社会保障 0.07, 民政 0.06,
// 卫生计生 0.05, 教育文体 0.04) over the leaves below.
constexpr Template kTemplates[] = {
    // 城乡建设 0.35
    {"占道经营",
     3.0,
     Season::kNone,
     {"{r}占道摆摊", "{c}门口流动摊贩", "菜场外摊位占道"},
     {"{t}{r}上有十几个摊贩占道经营，行人只能走到机动车道上。",
      "{c}大门口每天傍晚都有卖水果和烧烤的摊位，把人行道全占了，电动车都过不去。",
      "菜场外面的摊贩越摆越多，垃圾扔一地，希望城管来管一管。"}},
    {"环境卫生脏乱",
     2.5,
     Season::kNone,
     {"{c}后门垃圾没人扫", "{r}路边脏乱", "绿化带里全是垃圾"},
     {"{c}后门小路上的落叶和垃圾堆了{n}天没人清扫，味道很大。",
      "{r}两边的人行道{t}一直很脏，烟头纸屑到处都是，环卫工好几天没来。",
      "{c}旁边的绿化带里被人扔满了塑料袋和外卖盒，夏天招苍蝇。"}},
    {"垃圾清运不及时",
     2.5,
     Season::kNone,
     {"垃圾站{n}天没清运", "{c}垃圾桶满了没人收", "垃圾车不按时来"},
     {"{c}旁边的垃圾站已经{n}天没有清运了，垃圾桶满了堆在地上，发臭。",
      "我们小区的垃圾桶{t}都是满的，垃圾车说好每天早上来，现在三四天才来一次。",
      "{r}上的垃圾收集点没人清运，野猫野狗把袋子扒开，弄得满地都是。"}},
    {"小广告乱贴乱画",
     1.2,
     Season::kNone,
     {"楼道里贴满小广告", "电线杆上小广告", "墙上喷涂办证电话"},
     {"{c}{n}号楼单元楼道和电梯口贴满开锁、办证小广告，清掉第二天又贴上。",
      "{r}沿街的电线杆和配电箱上全是小广告，影响市容。",
      "小区外墙被人用喷漆写了很多办证电话，希望尽快清除并查处。"}},
    {"路灯故障",
     2.0,
     Season::kNone,
     {"{r}路灯不亮", "路口路灯坏了", "小区外路灯一直闪"},
     {"{r}靠近{c}的{n}盏路灯坏了快半个月，晚上一片漆黑，老人走路不安全。",
      "{t}路口的路灯一直不亮，已经有人骑车摔倒了，请尽快维修。",
      "{c}外面那条路的路灯一闪一闪的，晚上特别晃眼，希望派人检查线路。"}},
    {"井盖缺失破损",
     1.2,
     Season::kNone,
     {"人行道井盖破了", "{r}井盖缺失", "井盖松动有响声"},
     {"{r}人行道上一个下水井盖碎了一半，晚上很容易踩空。",
      "{c}门口的井盖不见了，只放了一个锥桶，孩子放学经过很危险。",
      "{r}上的井盖松了，车一压就哐当响，{t}吵得睡不着。"}},
    {"道路破损",
     2.0,
     Season::kNone,
     {"{r}路面坑洼", "道路塌陷积水", "人行道地砖松动"},
     {"{r}中间有好几个大坑，下雨就积水，车开过溅人一身。",
      "{c}门口的路面{t}裂开了一大块，电动车经过颠得厉害。",
      "{r}人行道的地砖松动翘起，踩上去溅一脚泥水，老人容易绊倒。"}},
    {"树木倒伏",
     0.8,
     Season::kNone,
     {"大风把行道树刮倒了", "树枝快断了", "树木倒在路上"},
     {"{t}大风，{r}边一棵大树倒在人行道上，压住了两辆自行车。",
      "{c}门口有棵树的大树枝已经裂开，挂在电线上，随时会掉下来。",
      "{r}上倒了一棵树挡住了半条路，车辆只能绕行。"}},
    {"物业服务",
     3.0,
     Season::kHeating,
     {"物业不作为", "{c}物业服务差", "物业不管暖气不热"},
     {"{c}的物业{t}基本不管事，楼道灯坏了一个月没人修，打电话也没人接。",
      "我们小区暖气一直不热，室内只有十几度，找物业说是管道问题，一直拖着不处理。",
      "{c}物业保安形同虚设，外卖电动车随便进出，小区里乱停乱放。"}},
    {"物业收费",
     1.2,
     Season::kHeating,
     {"物业乱收费", "物业费涨价没公示", "停车费被强制收取"},
     {"{c}物业突然把物业费从每平方{n}毛涨到两块多，没有开业主大会也没有公示。",
      "物业要求先交齐全年物业费才给办门禁卡，这合理吗？",
      "我们小区的取暖费今年涨了，物业说是燃气涨价，但没有给出任何依据。"}},
    {"电梯故障",
     1.5,
     Season::kNone,
     {"电梯经常停运", "{c}电梯坏了", "电梯异响"},
     {"我们单元的电梯一个月坏了{n}次，楼上住着好几位八十多岁的老人。",
      "{c}{n}号楼电梯{t}又坏了，物业说在等配件，老人只能爬楼。",
      "电梯运行的时候有很大的异响，还会突然顿一下，大家都不敢坐。"}},
    {"房屋漏水",
     1.5,
     Season::kHeating,
     {"楼上漏水到我家", "外墙渗水", "屋顶漏雨"},
     {"楼上卫生间漏水，我家天花板发霉掉皮，找楼上多次不理。",
      "{c}{n}号楼外墙渗水，{t}屋里墙面都湿了，物业说要用维修资金一直没动静。",
      "顶楼屋面防水层老化，一下雨就漏，家里摆满了盆接水。"}},
    {"老旧小区改造",
     0.8,
     Season::kNone,
     {"老旧小区改造进度慢", "改造施工不规范", "改造后问题多"},
     {"{c}的老旧小区改造从{t}开工到现在还没完工，路面挖开了一直不填。",
      "改造施工队在楼下乱堆材料，晚上还在施工，居民意见很大。",
      "小区改造后的雨水管接错了，一下雨单元门口就积水。"}},
    {"违法建设",
     1.0,
     Season::kNone,
     {"楼顶违建", "{c}有人私搭乱建", "一楼扩建院子"},
     {"{c}{n}号楼顶楼住户在楼顶搭了一间彩钢房，担心压坏屋面。",
      "一楼住户把公共绿地围起来扩建成自家院子，还盖了一个棚子。",
      "{r}边有人{t}开始私自加盖二层，没有看到任何审批公示。"}},
    {"施工扰民",
     1.5,
     Season::kSummerNuisance,
     {"工地夜间施工", "{r}工地太吵", "凌晨还在打桩"},
     {"{r}的工地每天晚上十一点以后还在施工，打桩声音特别大，孩子没法睡觉。",
      "{c}旁边的工地{t}凌晨两三点还在运渣土，噪音和灰尘都很大。",
      "工地周末也不停工，电钻声从早响到晚，请问有没有夜间施工许可。"}},
    {"下水道堵塞",
     1.2,
     Season::kFlooding,
     {"下水道堵了", "{c}污水外溢", "化粪池满溢"},
     {"{c}{n}号楼的下水道堵了，污水从一楼地漏冒出来，臭气熏天。",
      "{r}边的雨水井堵塞，{t}一下雨污水就漫到人行道上。",
      "小区化粪池满了没人清掏，污水流到绿化带里。"}},
    {"道路积水",
     1.0,
     Season::kFlooding,
     {"{r}积水严重", "暴雨后路口积水", "下穿通道积水"},
     {"{t}下大雨，{r}积水有半米深，好几辆车熄火在水里。",
      "{c}门口的路一下雨就积水，排水口被堵住了，行人没法走。",
      "下穿通道积水没有人管，也没有设置警示牌，很危险。"}},
    {"停水",
     0.8,
     Season::kNone,
     {"{c}突然停水", "停水没有通知", "水压太低"},
     {"{c}{t}突然停水，事先没有任何通知，家里老人孩子都没法用水。",
      "我们小区经常停水，一停就是大半天，也不说什么时候来水。",
      "高层住户水压太低，{n}楼以上白天基本没水。"}},
    // 环境保护 0.15
    {"广场舞噪音",
     1.8,
     Season::kSummerNuisance,
     {"广场舞音响太吵", "{c}广场舞扰民", "公园晚上噪音大"},
     {"{c}广场每天晚上八点到十点跳广场舞，音响开得很大，孩子没法写作业。",
      "{r}边的小公园{t}一大早六点就有人放音乐跳舞，吵得睡不着。",
      "广场舞队换了更大的音箱，我们住在对面{n}楼关着窗都能听得清清楚楚。"}},
    {"商业经营噪声",
     1.5,
     Season::kSummerNuisance,
     {"{s}噪音扰民", "KTV深夜噪音", "商铺喇叭太吵"},
     {"楼下的{s}每天晚上营业到凌晨，客人喝酒划拳声音很大。",
      "{r}上的商铺门口用大喇叭循环播放促销广告，{t}一直不停。",
      "{c}底商新开的健身房放音乐很吵，楼上住户意见很大。"}},
    {"餐饮油烟",
     1.8,
     Season::kSummerNuisance,
     {"烧烤店油烟直排", "{s}油烟扰民", "餐馆排烟口对着窗户"},
     {"楼下新开的{s}没有装油烟净化器，油烟直接冲进楼上住户家里。",
      "{r}上的烧烤摊{t}每天晚上烟雾缭绕，窗户都不敢开。",
      "{c}门口的饭店把排烟管道直接对着居民楼窗户，衣服都晾不了。"}},
    {"露天焚烧",
     0.6,
     Season::kNone,
     {"有人露天焚烧垃圾", "焚烧秸秆", "工地焚烧废料"},
     {"{c}旁边的空地上{t}有人焚烧垃圾，浓烟很大，味道刺鼻。",
      "城郊有人焚烧秸秆，整个{r}一带都是烟。", "工地上的工人在烧废木料和塑料，黑烟直冒。"}},
    {"河道污染",
     0.8,
     Season::kNone,
     {"河道发黑发臭", "河里有死鱼", "河面漂浮垃圾"},
     {"{r}旁边那条河{t}发黑发臭，还有泡沫，怀疑有人偷排污水。",
      "河里漂着很多死鱼，岸边的居民都闻到很重的腥臭味。",
      "{c}旁的河道上漂满了塑料瓶和生活垃圾，很久没人打捞了。"}},
    {"流浪动物",
     0.8,
     Season::kNone,
     {"小区流浪狗伤人", "流浪猫太多", "流浪狗成群"},
     {"{c}里有几只流浪狗，{t}追着咬伤了一个放学的孩子。",
      "小区里流浪猫越来越多，晚上叫个不停，还在车上留下爪印。",
      "{r}附近有一群流浪狗，晚上追着骑电动车的人跑。"}},
    {"文明养犬",
     0.6,
     Season::kNone,
     {"遛狗不拴绳", "犬只随地便溺", "大型犬吓人"},
     {"{c}有住户遛狗从来不拴绳，{t}狗扑向小孩，家长很害怕。",
      "小区草坪和电梯里经常有狗的粪便，主人也不清理。",
      "邻居养了一条大型犬，在电梯里不戴嘴套，大家都不敢一起坐。"}},
    // 交通运输 0.12
    {"违章停车",
     2.5,
     Season::kNone,
     {"消防通道被占", "{r}乱停车", "车辆堵住小区出口"},
     {"{c}门口的消防通道天天停满私家车，救护车都进不来。",
      "{r}两边{t}停满了车，还有双排停车，公交车都过不去。",
      "有辆车在小区出入口停了{n}天，堵得其他车只能倒着出去。"}},
    {"公交服务",
     1.2,
     Season::kNone,
     {"{n}路公交车间隔太长", "公交司机态度差", "公交站台撤了"},
     {"{n}路公交早高峰要等半个小时，车上挤得上不去，希望加密班次。",
      "{t}坐公交，司机没等老人坐稳就急刹车，还出口骂人。",
      "{c}门口的公交站台被撤了，附近老人出行很不方便。"}},
    {"出租车服务",
     0.8,
     Season::kNone,
     {"出租车拒载", "出租车绕路", "出租车不打表"},
     {"{t}在{r}打车，司机问了目的地后说太近不去，拒载。",
      "坐出租车从火车站到{c}，司机故意绕路多收了{n}块钱。",
      "出租车司机不打表，一口价要五十，明显宰客。"}},
    {"小区停车难",
     1.0,
     Season::kNone,
     {"{c}停车难", "小区车位被外来车占", "停车位不够"},
     {"{c}只有几十个车位，住户有几百辆车，晚上回来根本找不到地方停。",
      "外来车辆随意进入小区停车，业主自己的车反而没处停。",
      "小区门口的空地能不能改成停车位，{t}大家都在路边违停。"}},
    {"共享单车",
     0.6,
     Season::kNone,
     {"共享单车乱停", "地铁口单车堆成山", "单车堵住盲道"},
     {"{r}地铁口的共享单车堆成山，行人根本过不去。",
      "{c}门口的盲道上停满了共享单车，{t}都没人清理。",
      "共享单车被扔进了河里和绿化带，企业也不管。"}},
    // 商贸旅游 0.08
    {"预付卡退费",
     1.2,
     Season::kNone,
     {"健身房跑路", "预付卡无法退费", "{s}关门不退钱"},
     {"在{r}的健身房办了年卡，{t}突然关门，老板联系不上，还剩{n}个月。",
      "{s}办的储值卡还有两千多块，店说要转让了，不给退。",
      "孩子的培训机构突然停课，预交的学费一直不退。"}},
    {"商品质量",
     1.0,
     Season::kNone,
     {"买到假冒商品", "家电质量问题", "商家拒绝退换"},
     {"在{s}买的电饭煲用了{n}天就坏了，商家不给换也不给修。",
      "{t}在超市买的奶粉，回家发现是临期产品，标签被改过。",
      "买的电动车电池没几个月就鼓包了，商家说是人为损坏。"}},
    {"食品质量",
     1.0,
     Season::kNone,
     {"饭店食品变质", "超市卖过期食品", "外卖吃出异物"},
     {"{t}在{s}吃饭，菜里吃出了虫子，店家态度很差。",
      "{r}上的超市在卖过期的面包和牛奶，已经拍照留存。",
      "点的外卖里吃出了钢丝球碎片，商家只说退款。"}},
    {"缺斤短两",
     0.6,
     Season::kNone,
     {"菜场缺斤短两", "秤有问题", "水果摊短秤"},
     {"在{c}旁边菜场买了两斤肉，回家一称只有一斤六两。",
      "{r}上的水果摊秤有问题，买五斤少了快一斤。", "菜场的公平秤坏了很久，{t}没人修，没法核对。"}},
    // 公安政法 0.08
    {"电信网络诈骗",
     1.2,
     Season::kNone,
     {"接到诈骗电话", "家里老人被骗", "网上刷单被骗"},
     {"{t}接到自称公检法的电话，说我涉嫌洗钱，要求把钱转到安全账户。",
      "我母亲在{c}被人以卖保健品名义骗了{n}千块钱。",
      "网上兼职刷单被骗了，对方拉黑了我，钱追不回来。"}},
    {"治安问题",
     1.0,
     Season::kNone,
     {"小区电动车被偷", "深夜有人闹事", "{r}有人打架"},
     {"{c}{t}连续丢了{n}辆电动车，监控坏了没人修。", "楼下烧烤摊深夜经常有人喝醉闹事，砸酒瓶子。",
      "{r}上{t}有人打架，很多人围观，希望加强巡逻。"}},
    {"消防安全隐患",
     1.0,
     Season::kNone,
     {"楼道堵塞消防通道", "消防栓没水", "电动车楼道充电"},
     {"{c}{n}号楼有人把电动车推进楼道充电，电线从窗户拉下来，很危险。",
      "小区的消防栓打开没有水，灭火器也过期了。",
      "{r}上的群租房里住了十几个人，用的是大功率电器，存在火灾隐患。"}},
    // 劳动和社会保障 0.07
    {"拖欠工资",
     2.0,
     Season::kNone,
     {"装修公司拖欠工资", "工地拖欠农民工工资", "老板不发工资"},
     {"我在一家装修公司干了{n}个月，老板拖欠工资一万二，一直找借口不给。",
      "{r}工地的包工头拖欠我们{n}个人的工资，{t}快过年了还不给。",
      "{s}老板{t}开始就不发工资，说资金周转困难，员工都走了。"}},
    {"社保缴纳",
     1.0,
     Season::kNone,
     {"公司不交社保", "社保断缴", "社保基数不对"},
     {"公司一直不给我们交社保，说工资里已经包含了。",
      "我{t}换了工作，原单位没有办社保减员，新单位交不上。",
      "单位按最低基数给我们交社保，和实际工资差得很多。"}},
    {"养老金",
     0.8,
     Season::kNone,
     {"养老金没到账", "退休待遇计算有误", "养老金认证"},
     {"我是{t}退休的，养老金到现在还没到账，社保局说在审核。",
      "退休后算出来的养老金比同事少很多，想核对一下视同缴费年限。",
      "老人行动不便，养老金资格认证能不能上门办理。"}},
    // 民政 0.06
    {"邻里纠纷",
     1.2,
     Season::kNone,
     {"邻居噪音扰民", "邻居占用公共空间", "邻居家漏水不处理"},
     {"楼上邻居每天晚上十二点以后还在拖椅子、跳绳，沟通多次没用。",
      "隔壁邻居把鞋柜和杂物堆在公共走廊，{t}越堆越多。",
      "邻居在{c}公共绿地上种菜，还用粪水浇地，臭味很大。"}},
    {"楼道杂物",
     0.8,
     Season::kNone,
     {"楼道堆满杂物", "安全出口被堵", "楼道里放了旧家具"},
     {"{c}{n}号楼楼道里堆满纸箱和旧家具，堵住了安全出口。",
      "楼道里有人堆了很多废品，{t}已经发臭，还招老鼠。",
      "楼梯间被邻居放了一个旧沙发，晚上经过很容易撞到。"}},
    {"电动车违规充电",
     0.8,
     Season::kNone,
     {"飞线充电", "电动车进电梯", "楼道充电有隐患"},
     {"{c}有住户从{n}楼窗户拉电线下来给电动车充电，电线挂在半空。",
      "经常有人把电动车推进电梯带回家充电，很危险。",
      "小区充电桩太少，{t}大家只能在楼道里飞线充电。"}},
    {"居家养老",
     0.6,
     Season::kNone,
     {"社区养老服务", "老人助餐点", "独居老人照护"},
     {"{c}的老人助餐点{t}关门了，附近独居老人吃饭成了问题。",
      "想给家里八十多岁的父亲申请居家养老服务，不知道怎么办理。",
      "社区日间照料中心只开半天，希望延长服务时间。"}},
    // 卫生计生 0.05
    {"医疗服务质量",
     1.2,
     Season::kNone,
     {"医院排队时间长", "医生态度差", "挂号难"},
     {"{t}带孩子去医院看急诊，排了{n}个小时才看上，护士态度很差。",
      "市医院专家号根本挂不上，一放号就没了，怀疑有号贩子。",
      "社区卫生服务中心常用药经常缺货，只能去大医院开。"}},
    {"医保报销",
     1.0,
     Season::kNone,
     {"医保报销比例", "异地就医报销", "医保卡无法使用"},
     {"在外地住院的费用回来报销，要求的材料太多，跑了{n}趟还没办好。",
      "{s}药店的医保卡刷不了，说系统升级，{t}一直这样。",
      "门诊慢性病的报销比例和政策宣传的不一样，想咨询一下。"}},
    // 教育文体 0.04
    {"入学与学位",
     0.8,
     Season::kNone,
     {"孩子入学难", "学区划分不合理", "随迁子女入学"},
     {"我们住在{c}，孩子今年上小学却被分到{n}公里外的学校。",
      "{c}新建小区的孩子划片到很远的学校，家长希望重新调整学区。",
      "外地户口孩子在这里上学需要哪些材料，居住证不满一年能不能报名。"}},
    {"健身器材损坏",
     0.6,
     Season::kNone,
     {"小区健身器材坏了", "公园健身器材损坏", "健身器材螺丝松动"},
     {"{c}广场上的健身器材有{n}件螺丝松了，晃得厉害，怕老人孩子受伤。",
      "{r}边公园的单杠断了一根，{t}就一直用胶带缠着。",
      "小区的健身器材生锈严重，有尖角露出来，孩子玩的时候划伤了手。"}},
};

constexpr std::string_view kRoads[] = {
    "江滨路", "湖畔大道", "云溪路", "枫林街", "鹤鸣路",   "临江大道", "澄湖东路", "望江路",
    "新华街", "建设路",   "解放路", "文化路", "人民大道", "滨河路",   "青年路",   "工业路"};
constexpr std::string_view kShops[] = {"张记烧烤",    "好再来饭店",  "鑫源超市",   "悦康药房",
                                       "金色年华KTV", "老王面馆",    "大润发超市", "小李烧烤",
                                       "乐动健身",    "阳光培训中心"};
constexpr std::string_view kWhen[] = {"昨晚",   "今天早上", "最近一周", "这几天",
                                      "上个月", "前天",     "这段时间", "从上周开始"};
constexpr std::string_view kSurnames[] = {"陈", "王", "李", "张", "刘", "赵", "孙", "周",
                                          "吴", "郑", "杨", "黄", "徐", "朱", "马", "胡"};
constexpr std::string_view kTitlesOfAddress[] = {"女士", "先生", "阿姨", "师傅", "大爷", "老师"};

// The district weights of plan §10.2, by district code order (临江, 澄湖, 云溪, 枫岭, 鹤山).
constexpr double kDistrictWeights[] = {0.30, 0.28, 0.18, 0.12, 0.12};

// Mon … Sun.
constexpr double kWeekdayFactor[] = {1.15, 1.05, 1.0, 1.0, 0.95, 0.72, 0.68};

// The hour profiles per channel (relative weights of 00:00 … 23:00): phone
// after the LA hotline's shape, peaks 09–11 and 14–16; web flatter with an
// evening peak.
constexpr double kPhoneHours[24] = {0.10, 0.06, 0.04, 0.03, 0.04, 0.08, 0.15, 0.24,
                                    0.60, 0.92, 1.00, 0.96, 0.70, 0.75, 0.90, 0.92,
                                    0.85, 0.70, 0.52, 0.45, 0.40, 0.32, 0.22, 0.10};
constexpr double kWebHours[24] = {0.20, 0.10, 0.06, 0.04, 0.04, 0.06, 0.15, 0.30,
                                  0.50, 0.60, 0.62, 0.60, 0.55, 0.52, 0.55, 0.58,
                                  0.58, 0.55, 0.60, 0.75, 0.90, 1.00, 0.80, 0.45};

std::int64_t DayNumber(sys_days d) { return d.time_since_epoch().count(); }

bool IsOff(const WorkCalendar& cal, sys_days d) { return !cal.IsWorkingDay(year_month_day{d}); }

bool InSeason(Season s, unsigned month) {
  switch (s) {
    case Season::kHeating:
      return month >= 11 || month <= 2;
    case Season::kSummerNuisance:
      return month >= 6 && month <= 9;
    case Season::kFlooding:
      return month >= 6 && month <= 8;
    case Season::kNone:
      return false;
  }
  return false;
}

double SeasonFactor(Season s, sys_days d) {
  const unsigned month = static_cast<unsigned>(year_month_day{d}.month());
  if (!InSeason(s, month)) return 1.0;
  if (s == Season::kFlooding) {
    // Two storm days each summer, fixed by the day's place in its year.
    const auto doy = DayNumber(d) - DayNumber(sys_days{year_month_day{d}.year() / 1 / 1});
    if (doy == 180 || doy == 205) return 4.0 * 1.8;
    return 1.8;
  }
  return s == Season::kHeating ? 1.6 : 1.3;
}

std::string Fill(std::string_view pattern, std::mt19937_64& rng, std::string_view community,
                 std::string_view road) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}') {
      switch (pattern[i + 1]) {
        case 'c':
          out += community;
          break;
        case 'r':
          out += road;
          break;
        case 's':
          out += kShops[rng() % std::size(kShops)];
          break;
        case 't':
          out += kWhen[rng() % std::size(kWhen)];
          break;
        case 'n':
          out += std::to_string(2 + rng() % 17);
          break;
        default:
          out.append(pattern.substr(i, 3));
      }
      i += 2;
      continue;
    }
    out += pattern[i];
  }
  return out;
}

int Quality(const OrgUnit& unit) {
  unsigned h = 0;
  for (unsigned char c : unit.code) h = h * 31 + c;
  return static_cast<int>(h % 4);
}

struct Leaf {
  const Template* tpl;
  const matters::Matter* matter;
  double share;  // normalised
};

struct District {
  const OrgUnit* unit;
  double weight;
  std::vector<const OrgUnit*> grids;
};

class Generator {
 public:
  Generator(const DemoHistoryInput& in, const DemoHistoryOptions& o, std::vector<Leaf> leaves,
            std::vector<District> districts)
      : in_(in),
        o_(o),
        leaves_(std::move(leaves)),
        districts_(std::move(districts)),
        rng_(o.seed),
        phone_hours_(std::begin(kPhoneHours), std::end(kPhoneHours)),
        web_hours_(std::begin(kWebHours), std::end(kWebHours)) {
    std::vector<double> w;
    for (const auto& d : districts_) w.push_back(d.weight);
    district_pick_ = std::discrete_distribution<int>(w.begin(), w.end());
  }

  // The requests of one day, in time order.
  std::vector<Request> Day(sys_days day, sys_days first) {
    const double day_factor = DemoDayFactor(in_.calendar, day, first);
    std::vector<Request> out;
    for (const Leaf& leaf : leaves_) {
      const double mean =
          o_.daily_mean * leaf.share * day_factor * SeasonFactor(leaf.tpl->season, day);
      if (mean <= 0) continue;
      // Negative binomial: a gamma-distributed rate (shape k = 30), then Poisson.
      std::gamma_distribution<double> rate(30.0, mean / 30.0);
      std::poisson_distribution<int> count(std::max(rate(rng_), 1e-9));
      for (int n = count(rng_); n > 0; --n)
        if (auto r = One(day, leaf)) out.push_back(std::move(*r));
    }
    std::sort(out.begin(), out.end(),
              [](const Request& a, const Request& b) { return a.received_at < b.received_at; });
    return out;
  }

 private:
  std::optional<Request> One(sys_days day, const Leaf& leaf) {
    const District& district = districts_[district_pick_(rng_)];
    const OrgUnit* grid = district.grids[rng_() % district.grids.size()];
    const OrgUnit* community = grid->parent_id ? in_.dir.Find(*grid->parent_id) : nullptr;
    const std::string_view community_name = community ? community->name : grid->name;
    const std::string_view road = kRoads[rng_() % std::size(kRoads)];

    Request r;
    const int channel = static_cast<int>(rng_() % 100);
    r.channel = channel < 65   ? Channel::kPhone
                : channel < 85 ? Channel::kWeb
                : channel < 95 ? Channel::kApi
                               : Channel::kOpen311;
    auto& hours = r.channel == Channel::kPhone ? phone_hours_ : web_hours_;
    const Timestamp midnight = DayNumber(day) * kMicrosPerDay - kShanghaiOffset;
    const Timestamp at =
        midnight + hours(rng_) * kMicrosPerHour +
        static_cast<Timestamp>(rng_() % (kMicrosPerHour / kMicrosPerSecond)) * kMicrosPerSecond;
    if (at >= in_.now) return std::nullopt;

    const Template& t = *leaf.tpl;
    r.title = Fill(t.titles[rng_() % 3], rng_, community_name, road);
    r.text = Fill(t.bodies[rng_() % 3], rng_, community_name, road);
    if (rng_() % 100 < 5) {  // a caller who mentions a second matter in passing
      const Template& other = *leaves_[rng_() % leaves_.size()].tpl;
      r.text += "另外，" + Fill(other.bodies[rng_() % 3], rng_, community_name, road);
    }
    requests::Place asked;
    asked.address = fmt::format("{}{}号", road, 1 + rng_() % 300);
    auto place = requests::Locate(in_.dir, std::move(asked), grid->id);
    if (!place) return std::nullopt;
    auto route = requests::RouteFor(in_.dir, *leaf.matter, *place);
    if (!route) return std::nullopt;
    const OrgUnit* unit = in_.dir.Find(route->unit_id);
    const int quality = unit ? Quality(*unit) : 2;

    r.external_id = fmt::format("demo:history:{:06}", ++serial_);
    r.matter_id = leaf.matter->id;
    r.matter_version = leaf.matter->version;
    r.place = std::move(*place);
    r.contact_name = fmt::format("{}{}", kSurnames[rng_() % std::size(kSurnames)],
                                 kTitlesOfAddress[rng_() % std::size(kTitlesOfAddress)]);
    r.contact_phone = fmt::format("13{}{:08}", 5 + rng_() % 5, rng_() % 100000000);
    r.unit_id = route->unit_id;
    r.unit_path = route->unit_path;
    r.unit_name = route->unit_name;
    if (const OrgUnit* centre = in_.dir.Centre()) {
      r.centre_id = centre->id;
      r.centre_path = centre->path;
    }
    r.dispatch_count = 1;
    r.received_at = r.dispatched_at = at;
    r.sign_due = matters::Deadline(in_.calendar, at, leaf.matter->sign_limit);
    r.finish_due = matters::Deadline(in_.calendar, at, leaf.matter->finish_limit);
    r.return_until = matters::Deadline(in_.calendar, at, leaf.matter->return_window);
    // Better units sign and finish sooner; a weak one is late now and then.
    const Timestamp signed_at =
        at + static_cast<Timestamp>(1 + rng_() % (4 - quality + 2)) * kMicrosPerHour / 2;
    const Timestamp limit = std::max<Timestamp>(r.finish_due - at, kMicrosPerHour);
    const Timestamp replied_at =
        at + limit * static_cast<Timestamp>(30 + rng_() % (60 + 25 * (3 - quality))) / 100;
    const Timestamp closed_at = replied_at + kMicrosPerDay;
    const bool resolved = static_cast<int>(rng_() % 10) < 7 + std::min(quality, 2);
    const int mood = static_cast<int>(rng_() % 10) + quality;  // 0..12
    Satisfaction satisfaction = mood >= 6   ? Satisfaction::kSatisfied
                                : mood >= 3 ? Satisfaction::kBasicallySatisfied
                                            : Satisfaction::kDissatisfied;
    if (!resolved && satisfaction == Satisfaction::kSatisfied)
      satisfaction = Satisfaction::kBasicallySatisfied;

    const Timestamp now = in_.now;
    if (signed_at <= now) r.signed_at = signed_at;
    r.sign_late = r.signed_at != 0 ? r.signed_at > r.sign_due : now > r.sign_due;
    if (closed_at <= now) {
      r.status = Status::kClosed;
      r.replied_at = replied_at;
      r.closed_at = closed_at;
      r.reply = "已到现场核实处理，并向来电人反馈。";
      r.resolved = resolved;
      r.satisfaction = satisfaction;
      r.finish_late = replied_at > r.finish_due;
    } else if (replied_at <= now) {
      r.status = Status::kReplied;  // awaiting the centre's callback
      r.replied_at = replied_at;
      r.reply = "已到现场核实处理，正在等待回访。";
      r.finish_late = replied_at > r.finish_due;
    } else {
      r.status = r.signed_at != 0 ? Status::kSigned : Status::kDispatched;
      r.finish_late = now > r.finish_due;
    }
    return r;
  }

  const DemoHistoryInput& in_;
  const DemoHistoryOptions& o_;
  std::vector<Leaf> leaves_;
  std::vector<District> districts_;
  std::mt19937_64 rng_;
  std::discrete_distribution<int> district_pick_;
  std::discrete_distribution<int> phone_hours_;
  std::discrete_distribution<int> web_hours_;
  int serial_ = 0;
};

}  // namespace

double DemoDayFactor(const WorkCalendar& cal, sys_days day, sys_days first) {
  const unsigned weekday = std::chrono::weekday{day}.iso_encoding();  // Mon 1 … Sun 7
  double f = kWeekdayFactor[weekday - 1];
  const year_month_day ymd{day};
  if (auto holiday = cal.HolidayName(ymd)) {
    f = *holiday == "春节" ? 0.40 : (IsOff(cal, day - std::chrono::days{1}) ? 0.55 : 0.45);
  } else if (cal.MakeupWorkdayName(ymd)) {
    f = 0.95;
  } else if (cal.IsWorkingDay(ymd)) {
    int off_before = 0;
    for (auto d = day - std::chrono::days{1}; IsOff(cal, d) && off_before < 10;
         d -= std::chrono::days{1})
      ++off_before;
    if (off_before >= 3) f = 1.35;
  }
  const double years = static_cast<double>(DayNumber(day) - DayNumber(first)) / 365.0;
  return f * std::pow(1.06, years);
}

Result<int> GenerateDemoHistory(
    const DemoHistoryInput& in, const DemoHistoryOptions& options,
    const std::function<Result<void>(std::vector<requests::Request>)>& sink) {
  std::vector<Leaf> leaves;
  double total = 0;
  for (const Template& t : kTemplates)
    if (const matters::Matter* m = LeafNamed(in.catalog, t.leaf)) {
      leaves.push_back(Leaf{&t, m, t.share});
      total += t.share;
    }
  if (leaves.empty())
    return Fail(Error::NotFound("the catalogue has none of the demo history's matters"));
  for (Leaf& l : leaves) l.share /= total;

  std::vector<const OrgUnit*> district_units = in.dir.OfKind(UnitKind::kDistrict);
  std::sort(district_units.begin(), district_units.end(),
            [](const OrgUnit* a, const OrgUnit* b) { return a->code < b->code; });
  std::vector<District> districts;
  const auto grids = in.dir.OfKind(UnitKind::kGrid);
  for (std::size_t i = 0; i < district_units.size(); ++i) {
    District d{district_units[i], i < std::size(kDistrictWeights) ? kDistrictWeights[i] : 0.1, {}};
    for (const OrgUnit* g : grids)
      if (g->path.starts_with(d.unit->path)) d.grids.push_back(g);
    std::sort(d.grids.begin(), d.grids.end(),
              [](const OrgUnit* a, const OrgUnit* b) { return a->code < b->code; });
    if (!d.grids.empty()) districts.push_back(std::move(d));
  }
  if (districts.empty()) return Fail(Error::NotFound("the city has no districts with grids"));

  Generator gen(in, options, std::move(leaves), std::move(districts));
  const sys_days today{std::chrono::days{(in.now + kShanghaiOffset) / kMicrosPerDay}};
  const sys_days first = today - std::chrono::days{options.days};
  int made = 0;
  std::vector<Request> batch;
  for (sys_days day = first; day <= today; day += std::chrono::days{1}) {
    for (Request& r : gen.Day(day, first)) {
      batch.push_back(std::move(r));
      ++made;
    }
    if (static_cast<int>(batch.size()) >= options.batch) {
      XT_TRY_VOID(sink(std::move(batch)));
      batch.clear();
    }
  }
  if (!batch.empty()) XT_TRY_VOID(sink(std::move(batch)));
  return made;
}

}  // namespace xietong::app
