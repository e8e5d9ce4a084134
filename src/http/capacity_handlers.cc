#include "http/capacity_handlers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

constexpr std::size_t kMaxListed = 500;  // handler or limit changes in one what-if
constexpr json::StringLimits kId{1, 64};

json::Json Num(double v, int decimals = 2) {
  if (!std::isfinite(v)) return nullptr;
  const double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

Error TypeError(std::string_view field, std::string_view what) {
  return Error::InvalidArgument(fmt::format("'{}' must be {}", field, what))
      .About(std::string(field), "type");
}

// An integer member (absent or null: fallback); a JSON number with a fraction is refused.
Result<int> IntField(const json::Json& obj, std::string_view field, int fallback,
                     std::string_view label) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) return Fail(TypeError(label, "a whole number"));
  const auto v = it->get<std::int64_t>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
    return Fail(Error::InvalidArgument(fmt::format("'{}' is out of range", label))
                    .About(std::string(label), "out_of_range"));
  return static_cast<int>(v);
}

Result<std::vector<std::pair<std::string, int>>> PairList(const json::Json& body,
                                                          std::string_view field,
                                                          std::string_view id_field,
                                                          std::string_view value_field) {
  std::vector<std::pair<std::string, int>> out;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return out;
  const std::string shape = fmt::format("a list of {{\"{}\", \"{}\"}}", id_field, value_field);
  if (!it->is_array()) return Fail(TypeError(field, shape));
  if (it->size() > kMaxListed)
    return Fail(
        Error::InvalidArgument(fmt::format("'{}' lists at most {} entries", field, kMaxListed))
            .About(std::string(field), "too_long"));
  for (const auto& e : *it) {
    if (!e.is_object()) return Fail(TypeError(field, shape));
    for (const auto& [name, value] : e.items())
      if (name != id_field && name != value_field)
        return Fail(Error::InvalidArgument(
                        fmt::format("'{}' entries have no field '{}'", field, name.substr(0, 40)))
                        .About(std::string(field), "unknown_field"));
    auto id = json::RequireString(e, id_field, kId);
    if (!id) return Fail(TypeError(field, shape));
    if (!e.contains(value_field)) return Fail(TypeError(field, shape));
    XT_ASSIGN_OR_RETURN(const int v,
                        IntField(e, value_field, 0, fmt::format("{}.{}", field, value_field)));
    out.emplace_back(std::move(*id), v);
  }
  return out;
}

Result<insight::WhatIfInput> ParseWhatIf(const json::Json& body) {
  static constexpr std::string_view kFields[] = {
      "unit_id", "weeks", "volume_pct", "volume_category_id", "handlers", "limits"};
  for (const auto& [name, value] : body.items())
    if (std::find(std::begin(kFields), std::end(kFields), name) == std::end(kFields))
      return Fail(Error::InvalidArgument(fmt::format("unknown field '{}'", name.substr(0, 40)))
                      .About(name.substr(0, 40), "unknown_field"));
  insight::WhatIfInput in;
  auto text = [&](std::string_view field) -> Result<std::string> {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return std::string();
    if (!it->is_string()) return Fail(TypeError(field, "a string (an id)"));
    if (it->get_ref<const std::string&>().empty()) return std::string();
    XT_ASSIGN_OR_RETURN(auto s, json::RequireString(body, field, kId));
    return s;
  };
  XT_ASSIGN_OR_RETURN(in.unit_id, text("unit_id"));
  XT_ASSIGN_OR_RETURN(in.volume_category_id, text("volume_category_id"));
  XT_ASSIGN_OR_RETURN(in.weeks, IntField(body, "weeks", in.weeks, "weeks"));
  if (auto it = body.find("volume_pct"); it != body.end() && !it->is_null()) {
    if (!it->is_number()) return Fail(TypeError("volume_pct", "a number (percent)"));
    in.volume_pct = it->get<double>();
  }
  XT_ASSIGN_OR_RETURN(in.handlers, PairList(body, "handlers", "unit_id", "delta"));
  XT_ASSIGN_OR_RETURN(in.limits, PairList(body, "limits", "matter_id", "finish_days"));
  return in;
}

json::Json SeriesJson(const insight::UnitResult& r) {
  auto list = [](const std::vector<double>& v) {
    json::Json a = json::Json::array();
    for (double x : v) a.push_back(Num(x, 1));
    return a;
  };
  return {{"backlog", list(r.backlog)},
          {"new_overdue", list(r.new_overdue)},
          {"done", list(r.done)},
          {"arrivals", Num(r.arrivals, 1)},
          {"backlog_end", Num(r.backlog_end, 1)},
          {"new_overdue_total", Num(r.new_overdue_total, 1)},
          {"overdue_share", Num(r.overdue_share, 4)},
          {"clears_in_days", r.clears_in_days < 0 ? json::Json() : json::Json(r.clears_in_days)}};
}

json::Json UnitJson(const insight::UnitResult& r) {
  return {{"backlog_end", Num(r.backlog_end, 1)},
          {"new_overdue", Num(r.new_overdue_total, 1)},
          {"arrivals", Num(r.arrivals, 1)},
          {"overdue_share", Num(r.overdue_share, 4)},
          {"clears_in_days", r.clears_in_days < 0 ? json::Json() : json::Json(r.clears_in_days)}};
}

json::Json WhatIfJson(const insight::WhatIfAnswer& a) {
  const auto& p = a.projection;
  json::Json weeks = json::Json::array();
  for (insight::Day w : p.weeks) weeks.push_back(insight::DayText(w));
  json::Json units = json::Json::array();
  for (const auto& u : p.units)
    units.push_back({{"unit_id", u.unit_id},
                     {"unit_name", u.unit_name},
                     {"handlers", u.handlers},
                     {"scenario_handlers", u.scenario_handlers},
                     {"handlers_assumed", u.handlers_assumed},
                     {"per_handler_per_day", Num(u.per_handler_per_day, 2)},
                     {"baseline", UnitJson(u.baseline)},
                     {"scenario", UnitJson(u.scenario)}});
  return {
      {"as_of", insight::DayText(a.as_of)},
      {"unit_id", a.unit_id},
      {"forecast_run_id", a.forecast_run_id.empty() ? json::Json() : json::Json(a.forecast_run_id)},
      {"arrivals_source", a.arrivals_source},
      {"basis", a.basis},
      {"computed_ms", Num(a.computed_ms, 3)},
      {"baseline_ms", Num(a.baseline_ms, 1)},
      {"baseline_built_at", FormatRfc3339(a.baseline_built_at)},
      {"days", p.days},
      {"weeks", std::move(weeks)},
      {"total",
       {{"baseline", SeriesJson(p.total_baseline)}, {"scenario", SeriesJson(p.total_scenario)}}},
      {"units", std::move(units)}};
}

}  // namespace

void RegisterCapacityRoutes(Api& api, insight::CapacityService& capacity) {
  RouteDoc d;
  d.summary =
      "What-if of capacity: backlog and overdue per week under changed volume, handlers "
      "and finish limits";
  d.summary_zh = "产能推演（如果……会怎样）";
  d.tag = "insight";
  d.description =
      "Leaders, supervisors and administrators (kStatsRead over the scope unit, the city by "
      "default; a unit's lead gets their own unit). An earliest-due-first fluid queue per "
      "handling unit from today to the Sunday ending the weeks-th week, baseline and scenario "
      "side by side; units by the scenario's overdue share, highest first. Computes and stores "
      "nothing. 400: a wrong type, an unknown field or a slider out of range (weeks 1–8, "
      "volume_pct −50…+100, delta −100…+100, finish_days 1–60, a leaf matter, a level-1/2 "
      "category); 404: an unknown unit or matter.";
  d.body = {doc::Json(doc::Ref("InsightWhatIfInput"))};
  d.answers = {doc::Ok(doc::Ref("InsightWhatIf"))};
  d.errors = {400, 403, 404};
  api.router().Add("POST", "/api/v1/insight/whatif", Auth::kRequired, d,
                   [&capacity](Request& req) -> Result<Response> {
                     XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
                     XT_ASSIGN_OR_RETURN(auto in, ParseWhatIf(body));
                     XT_ASSIGN_OR_RETURN(auto answer, capacity.WhatIf(req.actor(), in));
                     return Response::Json(200, WhatIfJson(answer));
                   });
}

json::Json CapacitySchemas() {
  using doc::ArrayOf;
  using doc::Boolean;
  using doc::Integer;
  using doc::IntegerIn;
  using doc::Nullable;
  using doc::Number;
  using doc::Object;
  using doc::String;
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [name, schema] : props.items()) required.push_back(name);
    return Object(std::move(props), std::move(required));
  };
  const json::Json number = Nullable(Number());
  const json::Json clears = Nullable(Integer());
  json::Json volume = Number();
  volume["minimum"] = -50;
  volume["maximum"] = 100;
  const json::Json weekly = ArrayOf(number);
  return {
      {"InsightWhatIfInput",
       Object({{"unit_id", Nullable(String(0, 64))},
               {"weeks", Nullable(IntegerIn(1, insight::kMaxWhatIfWeeks))},
               {"volume_pct", Nullable(volume)},
               {"volume_category_id", Nullable(String(0, 64))},
               {"handlers", Nullable(ArrayOf(closed(
                                {{"unit_id", String(1, 64)}, {"delta", IntegerIn(-100, 100)}})))},
               {"limits", Nullable(ArrayOf(closed({{"matter_id", String(1, 64)},
                                                   {"finish_days", IntegerIn(1, 60)}})))}},
              {})},
      {"InsightWhatIf",
       closed({{"as_of", String(10, 10)},
               {"unit_id", String()},
               {"forecast_run_id", Nullable(String(1))},
               {"arrivals_source", String(1)},
               {"basis", String(1)},
               {"computed_ms", number},
               {"baseline_ms", number},
               {"baseline_built_at", doc::DateTime()},
               {"days", Integer()},
               {"weeks", ArrayOf(String(10, 10))},
               {"total", closed({{"baseline", doc::Ref("InsightWhatIfSeries")},
                                 {"scenario", doc::Ref("InsightWhatIfSeries")}})},
               {"units", ArrayOf(closed({{"unit_id", String(1)},
                                         {"unit_name", String()},
                                         {"handlers", Integer()},
                                         {"scenario_handlers", Integer()},
                                         {"handlers_assumed", Boolean()},
                                         {"per_handler_per_day", number},
                                         {"baseline", doc::Ref("InsightWhatIfUnit")},
                                         {"scenario", doc::Ref("InsightWhatIfUnit")}}))}})},
      {"InsightWhatIfSeries", closed({{"backlog", weekly},
                                      {"new_overdue", weekly},
                                      {"done", weekly},
                                      {"arrivals", number},
                                      {"backlog_end", number},
                                      {"new_overdue_total", number},
                                      {"overdue_share", number},
                                      {"clears_in_days", clears}})},
      {"InsightWhatIfUnit", closed({{"backlog_end", number},
                                    {"new_overdue", number},
                                    {"arrivals", number},
                                    {"overdue_share", number},
                                    {"clears_in_days", clears}})},
  };
}

}  // namespace xietong::http
