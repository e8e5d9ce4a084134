// What an operator bench files: a dozen callers' words with the leaf of the
// demo catalogue each goes under, callers' surnames, and a point inside a
// demo grid. Shared by intake_bench, warning_bench and
// participation_intake_bench, so their figures come from the same load.
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <string_view>

#include "core/json.h"
#include "core/result.h"
#include "identity/identity.h"

namespace xietong::bench {

struct Sample {
  std::string_view matter_code, title, text;
};

inline constexpr Sample kSamples[] = {
    {"01-01-01", "小区门口占道摆摊",
     "小区南门每天晚上有小贩占道摆摊，堵塞消防通道，希望尽快处理。"},
    {"01-01-03", "垃圾两天没人清运", "楼下垃圾桶已经满了两天没人清运，气味很大，蚊蝇很多。"},
    {"01-02-01", "路灯不亮", "我家门口这条路的路灯已经坏了一周，晚上一片漆黑，老人出行很不安全。"},
    {"01-02-02", "井盖破损", "人行道上的井盖碎了一半，已经有电动车摔倒，请尽快更换。"},
    {"01-03-03", "电梯经常停运",
     "我们楼的电梯这个月已经坏了三次，物业说在等配件，八楼老人下不了楼。"},
    {"01-04-02", "夜间施工扰民", "旁边工地每天晚上十一点以后还在打桩，噪音很大，孩子没法睡觉。"},
    {"01-05-05", "下水道堵塞返水", "单元楼下水道堵塞，污水从一楼地漏返出来，请派人疏通。"},
    {"02-01-01", "广场舞音响太吵", "小区广场每天晚上广场舞音响开得很大，一直到十点，影响休息。"},
    {"02-02-01", "饭店油烟直排", "楼下饭店的油烟没有经过净化直接排到居民窗口，夏天没法开窗。"},
    {"03-03-01", "车辆堵住消防通道", "小区消防通道长期被私家车占用，多次劝说无效，存在安全隐患。"},
    {"05-01-01", "工地拖欠工资",
     "我在工地干了三个月，包工头一直拖欠工资，总共两万多元，要求帮助追讨。"},
    {"08-04-03", "楼道里给电动车充电", "有住户把电动车推进楼道，从家里拉电线充电，存在火灾隐患。"},
};

inline constexpr std::string_view kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄"};

// The inside of a grid's box; the demo's grids are rectangles tiling the city.
struct Box {
  double min_lon, min_lat, max_lon, max_lat;
};

inline Result<Box> BoxOf(const identity::OrgUnit& grid) {
  if (!grid.geometry)
    return Fail(Error::Internal(fmt::format("grid {} has no geometry", grid.code)));
  auto g = json::Json::parse(*grid.geometry, nullptr, false);
  if (g.is_discarded() || !g.contains("coordinates"))
    return Fail(Error::Internal(fmt::format("grid {} has unreadable geometry", grid.code)));
  Box b{1e9, 1e9, -1e9, -1e9};
  for (const auto& p : g["coordinates"][0]) {
    b.min_lon = std::min(b.min_lon, p[0].get<double>());
    b.max_lon = std::max(b.max_lon, p[0].get<double>());
    b.min_lat = std::min(b.min_lat, p[1].get<double>());
    b.max_lat = std::max(b.max_lat, p[1].get<double>());
  }
  return b;
}

}  // namespace xietong::bench
