#include "http/forecast_handlers.h"

#include <fmt/core.h>

#include <charconv>
#include <cmath>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

using insight::Day;

json::Json Num(double v, int decimals = 3) {
  if (!std::isfinite(v)) return nullptr;
  const double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

Result<int> IntParam(const Request& req, std::string_view name, int fallback, int lo, int hi) {
  auto text = req.Query(name);
  if (!text || text->empty()) return fallback;
  int v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < lo || v > hi)
    return Fail(
        Error::InvalidArgument(fmt::format("'{}' must be a whole number from {} to {}, not '{}'",
                                           name, lo, hi, text->substr(0, 32)))
            .About(std::string(name), "out_of_range"));
  return v;
}

// yyyy-mm-dd → a day number (+08:00).
Result<Day> DateParam(std::string_view name, std::string_view text) {
  auto bad = [&] {
    return Fail(Error::InvalidArgument(fmt::format("'{}' must be a date yyyy-mm-dd, not '{}'", name,
                                                   text.substr(0, 32)))
                    .About(std::string(name), "invalid"));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::from_chars(text.data(), text.data() + 4, y).ec != std::errc() ||
      std::from_chars(text.data() + 5, text.data() + 7, m).ec != std::errc() ||
      std::from_chars(text.data() + 8, text.data() + 10, d).ec != std::errc())
    return bad();
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return bad();
  return insight::DayFromDate(ymd);
}

json::Json RunJson(const insight::RunSummary& r) {
  return {{"id", r.id},
          {"data_from", insight::DayText(r.data_from)},
          {"data_to", insight::DayText(r.data_to)},
          {"generated_at", FormatRfc3339(r.finished_at)},
          {"series", r.series}};
}

json::Json ForecastJson(const insight::SeriesForecast& f) {
  json::Json actual = json::Json::array();
  for (const auto& [day, n] : f.actual)
    actual.push_back({{"date", insight::DayText(day)}, {"count", Num(n, 0)}});
  json::Json points = json::Json::array();
  for (const auto& p : f.forecast)
    points.push_back({{"date", insight::DayText(p.day)},
                      {"value", Num(p.value, 2)},
                      {"lo80", Num(p.lo80, 2)},
                      {"hi80", Num(p.hi80, 2)},
                      {"lo95", Num(p.lo95, 2)},
                      {"hi95", Num(p.hi95, 2)}});
  json::Json models = json::Json::object();
  for (int b = 0; b < insight::kChoiceBuckets; ++b)
    models[std::string(insight::ChoiceBucketName(b))] = f.models[static_cast<std::size_t>(b)];
  const auto& b = f.backtest;
  return {{"run", RunJson(f.run)},
          {"series",
           {{"key", f.key},
            {"scope_kind", f.scope_kind},
            {"scope_id", f.scope_id},
            {"scope_name", f.scope_name},
            {"category_id", f.category_id},
            {"category_name", f.category_name},
            {"channel", f.channel.empty() ? "all" : f.channel},
            {"mean_daily", Num(f.mean_daily, 2)}}},
          {"models", std::move(models)},
          {"backtest",
           {{"mase_1d", Num(b.mase_1d)},
            {"mase_7d", Num(b.mase_7d)},
            {"mase_28d", Num(b.mase_28d)},
            {"rel_mae_7d", Num(b.rel_mae_7d)},
            {"mape_7d", Num(b.mape_7d, 1)},
            {"wape_7d", Num(b.wape_7d)},
            {"coverage80", Num(b.coverage80)},
            {"origins", b.origins}}},
          {"resolution", "day"},
          {"actual", std::move(actual)},
          {"forecast", std::move(points)}};
}

json::Json StaffingJson(const insight::StaffingAnswer& a) {
  const auto& s = a.settings;
  json::Json slots = json::Json::array();
  for (const auto& x : a.slots)
    slots.push_back({{"start", insight::SlotTime(x.slot)},
                     {"calls", Num(x.calls, 2)},
                     {"lo80", Num(x.lo80, 2)},
                     {"hi80", Num(x.hi80, 2)},
                     {"erlangs", Num(x.need.erlangs, 3)},
                     {"seats", x.need.seats},
                     {"agents", x.need.agents},
                     {"service_level", Num(x.need.service_level, 4)},
                     {"asa_seconds", Num(x.need.asa_s, 1)},
                     {"occupancy", Num(x.need.occupancy, 3)}});
  json::Json rota = json::Json::array();
  for (const auto& r : a.plan.rota)
    rota.push_back({{"start", insight::SlotTime(r.start_slot)},
                    {"end", insight::SlotTime(r.start_slot + r.length_slots)},
                    {"count", r.count}});
  return {{"date", insight::DayText(a.date)},
          {"day_type", a.day_type},
          {"run_id", a.run_id},
          {"basis", a.basis},
          {"calls_series", a.calls_series},
          {"profile", a.profile},
          {"settings",
           {{"talk_seconds", s.talk_s},
            {"acw_seconds", s.acw_s},
            {"aht_seconds", a.aht_s},
            {"aht_source", a.aht_source},
            {"target_level", s.target_level},
            {"target_seconds", s.target_s},
            {"shrinkage", s.shrinkage},
            {"max_occupancy", s.max_occupancy},
            {"calls_per_request", s.calls_per_request},
            {"min_seats", s.min_seats},
            {"shift_slots", s.shift_slots}}},
          {"slots", std::move(slots)},
          {"rota", std::move(rota)},
          {"totals",
           {{"calls", Num(a.plan.calls, 1)},
            {"calls_lo80", Num(a.day_lo80, 1)},
            {"calls_hi80", Num(a.day_hi80, 1)},
            {"seat_hours", Num(a.plan.seat_hours, 1)},
            {"agent_hours", Num(a.plan.agent_hours, 1)},
            {"required_agent_hours", Num(a.plan.required_agent_hours, 1)},
            {"peak_seats", a.plan.peak_seats},
            {"peak_at", insight::SlotTime(a.plan.peak_slot)}}}};
}

}  // namespace

void RegisterForecastRoutes(Api& api, insight::ForecastService& forecasts,
                            insight::StaffingService& staffing) {
  // ?unit=&category=&horizon=1..28[&channel=all|phone][&resolution=day|week]
  api.router().Add(
      "GET", "/api/v1/insight/forecast", Auth::kRequired,
      {.summary = "Forecast of request volume for a place or unit and category, with 80/95 % "
                  "intervals, the model chosen and its backtest",
       .summary_zh = "诉求量预测",
       .tag = "insight",
       .query = {doc::QueryParam("unit", "a district, street or unit id (default: the city)"),
                 doc::QueryParam("category", "a level-1 or level-2 category id (default: all)"),
                 doc::QueryParam("horizon", "days ahead, 1–28 (default 14)", doc::IntegerIn(1, 28)),
                 doc::QueryParam("channel", "all (default) or phone (the city only)",
                                 doc::Enum({"all", "phone"})),
                 doc::QueryParam("resolution", "day (default) or week (Monday–Sunday sums)",
                                 doc::Enum({"day", "week"}))},
       .answers = {doc::Ok(doc::Ref("InsightForecast"))},
       .errors = {400, 403, 404, 503}},
      [&forecasts](Request& req) -> Result<Response> {
        insight::ForecastQuery q;
        q.unit_id = req.Query("unit").value_or("");
        q.category_id = req.Query("category").value_or("");
        q.channel = req.Query("channel").value_or("");
        XT_ASSIGN_OR_RETURN(q.horizon, IntParam(req, "horizon", 14, 1, 28));
        const std::string resolution = req.Query("resolution").value_or("day");
        if (resolution != "day" && resolution != "week" && !resolution.empty())
          return Fail(Error::InvalidArgument("'resolution' must be day or week")
                          .About("resolution", "invalid"));
        q.weekly = resolution == "week";
        XT_ASSIGN_OR_RETURN(auto f, forecasts.Forecast(req.actor(), q));
        json::Json body = ForecastJson(f);
        body["resolution"] = q.weekly ? "week" : "day";
        return Response::Json(200, body);
      });

  // ?date=yyyy-mm-dd
  api.router().Add(
      "GET", "/api/v1/insight/staffing", Auth::kRequired,
      {.summary = "Hotline seats per half-hour for a day (Erlang C, 80 % answered in 20 s) and a "
                  "rota that covers them",
       .summary_zh = "热线坐席排班建议",
       .tag = "insight",
       .query = {doc::QueryParam("date", "the day, yyyy-mm-dd (a forecast day)",
                                 {{"type", "string"}, {"format", "date"}}, true)},
       .answers = {doc::Ok(doc::Ref("InsightStaffing"))},
       .errors = {400, 403, 503}},
      [&staffing](Request& req) -> Result<Response> {
        auto date = req.Query("date");
        if (!date || date->empty())
          return Fail(
              Error::InvalidArgument("'date' (yyyy-mm-dd) is needed").About("date", "required"));
        XT_ASSIGN_OR_RETURN(const Day day, DateParam("date", *date));
        XT_ASSIGN_OR_RETURN(auto answer, staffing.Staffing(req.actor(), day));
        return Response::Json(200, StaffingJson(answer));
      });
}

json::Json ForecastSchemas() {
  using doc::ArrayOf;
  using doc::DateTime;
  using doc::Enum;
  using doc::Integer;
  using doc::Nullable;
  using doc::Number;
  using doc::Object;
  using doc::String;
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [name, schema] : props.items()) required.push_back(name);
    return Object(std::move(props), std::move(required));
  };
  const json::Json date = String(10, 10);
  const json::Json number = Nullable(Number());
  return {
      {"InsightForecast",
       closed({{"run", closed({{"id", String(1)},
                               {"data_from", date},
                               {"data_to", date},
                               {"generated_at", DateTime()},
                               {"series", Integer()}})},
               {"series", closed({{"key", String(1)},
                                  {"scope_kind", Enum({"city", "district", "street", "unit"})},
                                  {"scope_id", String()},
                                  {"scope_name", String()},
                                  {"category_id", String()},
                                  {"category_name", String()},
                                  {"channel", Enum({"all", "phone"})},
                                  {"mean_daily", number}})},
               {"models", closed({{"1-3", String()}, {"4-14", String()}, {"15-28", String()}})},
               {"backtest", closed({{"mase_1d", number},
                                    {"mase_7d", number},
                                    {"mase_28d", number},
                                    {"rel_mae_7d", number},
                                    {"mape_7d", number},
                                    {"wape_7d", number},
                                    {"coverage80", number},
                                    {"origins", Integer()}})},
               {"resolution", Enum({"day", "week"})},
               {"actual", ArrayOf(closed({{"date", date}, {"count", number}}))},
               {"forecast", ArrayOf(closed({{"date", date},
                                            {"value", number},
                                            {"lo80", number},
                                            {"hi80", number},
                                            {"lo95", number},
                                            {"hi95", number}}))}})},
      {"InsightStaffing",
       closed(
           {{"date", date},
            {"day_type", String(1)},
            {"run_id", String(1)},
            {"basis", String(1)},
            {"calls_series", String(1)},
            {"profile", Enum({"phone", "all", "uniform"})},
            {"settings", closed({{"talk_seconds", Number()},
                                 {"acw_seconds", Number()},
                                 {"aht_seconds", Number()},
                                 {"aht_source", Enum({"default", "measured"})},
                                 {"target_level", Number()},
                                 {"target_seconds", Number()},
                                 {"shrinkage", Number()},
                                 {"max_occupancy", Number()},
                                 {"calls_per_request", Number()},
                                 {"min_seats", Integer()},
                                 {"shift_slots", ArrayOf(Integer())}})},
            {"slots", ArrayOf(closed({{"start", String(5, 5)},
                                      {"calls", number},
                                      {"lo80", number},
                                      {"hi80", number},
                                      {"erlangs", number},
                                      {"seats", Integer()},
                                      {"agents", Integer()},
                                      {"service_level", number},
                                      {"asa_seconds", number},
                                      {"occupancy", number}}))},
            {"rota", ArrayOf(closed(
                         {{"start", String(5, 5)}, {"end", String(5, 5)}, {"count", Integer()}}))},
            {"totals", closed({{"calls", number},
                               {"calls_lo80", number},
                               {"calls_hi80", number},
                               {"seat_hours", number},
                               {"agent_hours", number},
                               {"required_agent_hours", number},
                               {"peak_seats", Integer()},
                               {"peak_at", String(5, 5)}})}})},
  };
}

}  // namespace xietong::http
