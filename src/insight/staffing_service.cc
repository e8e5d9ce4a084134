// StaffingService: the day's calls from the forecast, the intraday shape from the last four
// weeks, Erlang C and the rota from staffing.h.
#include "insight/staffing_service.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "core/json.h"
#include "insight/job_store.h"

namespace xietong::insight {
namespace {

using identity::Principal;
using Json = json::Json;

constexpr int kProfileDays = 28;

std::string_view DayTypeName(DayType t) {
  static constexpr std::array<std::string_view, kDayTypes> kNames{
      "mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday", "makeup"};
  return kNames[static_cast<std::size_t>(t)];
}

}  // namespace

Result<StaffingSettings> StaffingService::Settings() {
  XT_ASSIGN_OR_RETURN(auto row, db_.Read([](storage::Executor& ex) {
    return store::FindSetting(ex, "city", "staffing");
  }));
  StaffingSettings s;
  if (!row) return s;
  const Json j = Json::parse(row->value, nullptr, false);
  if (!j.is_object()) return s;
  s.talk_s = j.value("talk_seconds", s.talk_s);
  s.acw_s = j.value("acw_seconds", s.acw_s);
  s.target_level = j.value("target_level", s.target_level);
  s.target_s = j.value("target_seconds", s.target_s);
  s.shrinkage = j.value("shrinkage", s.shrinkage);
  s.max_occupancy = j.value("max_occupancy", s.max_occupancy);
  s.calls_per_request = j.value("calls_per_request", s.calls_per_request);
  s.talk_offset_s = j.value("talk_offset_seconds", s.talk_offset_s);
  s.min_seats = j.value("min_seats", s.min_seats);
  if (j.contains("shift_slots") && j["shift_slots"].is_array())
    s.shift_slots = j["shift_slots"].get<std::vector<int>>();
  if (!Validate(s)) return StaffingSettings{};  // a bad stored value: the defaults
  return s;
}

Result<StaffingAnswer> StaffingService::Staffing(const Principal& actor, Day date) {
  // The hotline centre's figures (the city's when there is no centre).
  std::string centre;
  XT_ASSIGN_OR_RETURN(auto units, identity_.AllUnits());
  for (const auto& u : units) {
    if (u.kind == identity::UnitKind::kCentre) {
      centre = u.id;
      break;
    }
  }
  XT_TRY_VOID(requests_.FiguresPath(actor, centre));
  StaffingAnswer out;
  out.date = date;
  XT_ASSIGN_OR_RETURN(out.settings, Settings());
  const StaffingSettings& s = out.settings;

  // The day's calls: the phone series, else every request × calls per request.
  XT_ASSIGN_OR_RETURN(auto phone, forecasts_.Find("place:city|cat:all|ch:phone", 42));
  std::optional<SeriesForecast> series = std::move(phone);
  double factor = 1;
  if (!series || series->sparse) {
    XT_ASSIGN_OR_RETURN(auto all, forecasts_.Find("place:city|cat:all|ch:all", 42));
    series = std::move(all);
    factor = s.calls_per_request;
  }
  if (!series) {
    return Fail(Error::Unavailable(
        "预测尚未生成：运行 xietong forecast 或等待夜间任务 (no forecast run yet: run `xietong "
        "forecast` or wait for the nightly job)"));
  }
  out.run_id = series->run.id;
  out.calls_series = series->key;
  const ForecastPoint* day = nullptr;
  for (const ForecastPoint& p : series->forecast) {
    if (p.day == date) day = &p;
  }
  if (!day) {
    const Day first = series->forecast.empty() ? 0 : series->forecast.front().day;
    const Day last = series->forecast.empty() ? 0 : series->forecast.back().day;
    return Fail(Error::InvalidArgument(fmt::format("'date' must be a forecast day, {} to {}",
                                                   DayText(first), DayText(last)))
                    .About("date", "out_of_range"));
  }
  out.day_calls = day->value * factor;
  out.day_lo80 = day->lo80 * factor;
  out.day_hi80 = day->hi80 * factor;

  // The intraday shape of the last four weeks.
  const Day today = DayOf(clock_.Now());
  const Timestamp from = StartOfDay(today - kProfileDays), to = StartOfDay(today);
  std::array<double, kSlotsPerDay> shape{};
  double total = 0;
  auto add = [&](requests::Channel channel) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto counts, requests_.HalfHourCounts(from, to, channel));
    for (const auto& c : counts) {
      const auto slot =
          static_cast<std::size_t>(((c.slot % kSlotsPerDay) + kSlotsPerDay) % kSlotsPerDay);
      shape[slot] += static_cast<double>(c.n);
      total += static_cast<double>(c.n);
    }
    return {};
  };
  XT_TRY_VOID(add(requests::Channel::kPhone));
  out.profile = "phone";
  if (total < kSlotsPerDay) {
    shape.fill(0);
    total = 0;
    for (auto c : {requests::Channel::kPhone, requests::Channel::kWeb, requests::Channel::kOpen311,
                   requests::Channel::kApi, requests::Channel::kImport}) {
      XT_TRY_VOID(add(c));
    }
    out.profile = "all";
  }
  if (total <= 0) {
    shape.fill(1);
    total = kSlotsPerDay;
    out.profile = "uniform";
  }

  out.day_type = std::string(DayTypeName(DayTypeOf(date, nullptr)));
  out.aht_s = s.talk_s + s.acw_s;
  out.aht_source = "default";
  out.basis = fmt::format(
      "默认值：通话 {:.0f} 秒 + 话后处理 {:.0f} 秒（通话时长尚未实测）；来电量 {}；日内分布 {} · "
      "default handling time: talk {:.0f} s + after-call work {:.0f} s (talk time is not "
      "measured yet); calls from {}{}; intraday shape from the last 28 days ({})",
      s.talk_s, s.acw_s, series->key, out.profile, s.talk_s, s.acw_s, series->key,
      factor != 1 ? fmt::format(" × {:.2f} calls per request", factor) : "", out.profile);
  std::vector<double> calls(kSlotsPerDay);
  for (int t = 0; t < kSlotsPerDay; ++t) {
    const double share = shape[static_cast<std::size_t>(t)] / total;
    calls[static_cast<std::size_t>(t)] = out.day_calls * share;
  }
  out.plan = PlanDay(calls, out.aht_s, s);
  for (int t = 0; t < kSlotsPerDay; ++t) {
    const double share = shape[static_cast<std::size_t>(t)] / total;
    out.slots.push_back({.slot = t,
                         .calls = calls[static_cast<std::size_t>(t)],
                         .lo80 = out.day_lo80 * share,
                         .hi80 = out.day_hi80 * share,
                         .need = out.plan.slots[static_cast<std::size_t>(t)]});
  }
  return out;
}

}  // namespace xietong::insight
