#include "http/stats_handlers.h"

#include <fmt/format.h>

#include <charconv>

#include "http/api_schemas.h"
#include "http/request_handlers.h"

namespace xietong::http {
namespace {

namespace rates = requests::rates;

json::Json Rate(const std::optional<double>& r) { return r ? json::Json(*r) : json::Json(); }

Result<std::optional<double>> Weight(const Request& req, std::string_view name) {
  auto text = req.Query(name);
  if (!text) return std::optional<double>();
  double v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size())
    return Fail(
        Error::InvalidArgument(fmt::format("'{}' must be a number, not '{}'", name, *text)));
  return std::optional<double>(v);
}

Result<requests::RankingRequest> Parse(const Request& req, const rates::Weights& defaults) {
  requests::RankingRequest in;
  auto from = req.Query("from"), to = req.Query("to");
  if (!from) return Fail(Error::InvalidArgument("'from' (yyyy-mm) is needed"));
  in.from_month = *from;
  in.to_month = to ? *to : *from;
  in.kind = req.Query("kind").value_or("");
  in.unit_id = req.Query("unit_id").value_or("");
  rates::Weights w = defaults;
  bool any = false;
  for (auto [name, field] : {std::pair{"w_response", &rates::Weights::response},
                             std::pair{"w_resolution", &rates::Weights::resolution},
                             std::pair{"w_satisfaction", &rates::Weights::satisfaction},
                             std::pair{"w_basically", &rates::Weights::basically}}) {
    XT_ASSIGN_OR_RETURN(auto v, Weight(req, name));
    if (v) {
      w.*field = *v;
      any = true;
    }
  }
  if (any) in.weights = w;
  return in;
}

ParamDoc Month(std::string name, std::string description, bool required = false) {
  return doc::QueryParam(std::move(name), std::move(description),
                         {{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}$"}}, required);
}

ParamDoc Day(std::string name, std::string description) {
  return doc::QueryParam(std::move(name), std::move(description),
                         {{"type", "string"}, {"format", "date"}}, true);
}

ParamDoc Weight(std::string name) {
  return doc::QueryParam(std::move(name), "a weight of the score instead of the configured one",
                         doc::Number());
}

// The counts behind the map: ?from=&to= (days, both included)[&unit_id=].
Result<std::vector<std::pair<std::string, std::int64_t>>> PlaceCounts(
    requests::RequestService& requests, const Request& req, requests::PlaceLevel level) {
  auto from = req.Query("from"), to = req.Query("to");
  if (!from || !to || from->empty() || to->empty())
    return Fail(Error::InvalidArgument("'from' and 'to' (yyyy-mm-dd) are needed"));
  XT_ASSIGN_OR_RETURN(auto begin, ParseTimeParam("from", *from, false));
  XT_ASSIGN_OR_RETURN(auto end, ParseTimeParam("to", *to, true));
  return requests.PlaceCounts(req.actor(), level, begin, end, req.Query("unit_id").value_or(""));
}

}  // namespace

void RegisterStatsRoutes(Api& api, requests::RequestService& requests) {
  api.router().Add(
      "GET", "/api/v1/stats/ranking", Auth::kRequired,
      {.summary = "The monthly ranking of streets or departments by the three rates",
       .summary_zh = "三率排名",
       .tag = "stats",
       .query = {Month("from", "the first month", true), Month("to", "the last month; from's"),
                 doc::QueryParam("kind",
                                 "street (streets and townships) or department; both when absent",
                                 doc::Enum({"street", "department"})),
                 doc::QueryParam("unit_id", "only units in this unit's subtree"),
                 Weight("w_response"), Weight("w_resolution"), Weight("w_satisfaction"),
                 Weight("w_basically"),
                 doc::QueryParam("format", "json (default), csv or xlsx (a download)",
                                 doc::Enum({"json", "csv", "xlsx"}))},
       .answers = {{200,
                    "",
                    {doc::Json(doc::Ref("Ranking")),
                     {"text/csv; charset=utf-8", doc::String()},
                     {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      {{"type", "string"},
                       {"contentMediaType",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}},
                    {{"Content-Disposition", "csv and xlsx: attachment; filename=…", doc::String(),
                      false}}}},
       .errors = {400, 403, 404}},
      [&requests](Request& req) -> Result<Response> {
        XT_ASSIGN_OR_RETURN(auto in, Parse(req, requests.options().weights));
        const std::string format = req.Query("format").value_or("json");
        if (format != "json" && format != "csv" && format != "xlsx")
          return Fail(Error::InvalidArgument(
              fmt::format("'format' must be json, csv or xlsx, not '{}'", format)));
        XT_ASSIGN_OR_RETURN(auto ranked, requests.Ranking(req.actor(), in));
        const std::string period = in.from_month == in.to_month
                                       ? in.from_month
                                       : fmt::format("{} – {}", in.from_month, in.to_month);
        if (format != "json") {
          std::vector<rates::NamedRates> rows;
          for (const auto& r : ranked)
            rows.push_back({r.unit_name, std::string(requests::UnitKindZh(r.kind)), r.rates});
          Response out;
          out.status = 200;
          const std::string file = fmt::format("ranking-{}-{}", in.from_month, in.to_month);
          if (format == "csv") {
            out.content_type = "text/csv; charset=utf-8";
            out.body = rates::RankingCsv(rows, period);
          } else {
            out.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            XT_ASSIGN_OR_RETURN(out.body, rates::RankingXlsx(rows, period));
          }
          out.SetHeader("Content-Disposition",
                        fmt::format("attachment; filename=\"{}.{}\"", file, format));
          return out;
        }
        json::Json items = json::Json::array();
        for (const auto& r : ranked) {
          const auto& c = r.rates.counters;
          items.push_back({{"rank", r.rates.rank},
                           {"unit_id", r.rates.unit_id},
                           {"unit_name", r.unit_name},
                           {"unit_kind", identity::UnitKindName(r.kind)},
                           {"dispatched", c.dispatched},
                           {"responded_on_time", c.responded_on_time},
                           {"replied", c.replied},
                           {"rated", c.rated},
                           {"resolved", c.resolved},
                           {"satisfied", c.satisfied},
                           {"basically_satisfied", c.basically_satisfied},
                           {"dissatisfied", c.dissatisfied},
                           {"summoned", c.summoned},
                           {"summons_late", c.summons_late},
                           {"response_rate", Rate(r.rates.response_rate)},
                           {"resolution_rate", Rate(r.rates.resolution_rate)},
                           {"satisfaction_rate", Rate(r.rates.satisfaction_rate)},
                           {"score", r.rates.score}});
        }
        const rates::Weights w = in.weights.value_or(requests.options().weights);
        return Response::Json(200, {{"period", period},
                                    {"weights",
                                     {{"response", w.response},
                                      {"resolution", w.resolution},
                                      {"satisfaction", w.satisfaction},
                                      {"basically", w.basically}}},
                                    {"items", items}});
      });

  // The three rates of a unit's subtree (the city by default), month by month.
  api.router().Add(
      "GET", "/api/v1/stats/trend", Auth::kRequired,
      {.summary = "The three rates of a unit's subtree (the city's by default), month "
                  "by month",
       .summary_zh = "三率趋势",
       .tag = "stats",
       .query = {Month("from", "the first month", true), Month("to", "the last month; from's"),
                 doc::QueryParam("unit_id", "the unit; the city by default")},
       .answers = {doc::Ok(doc::Ref("Trend"))},
       .errors = {400, 403, 404}},
      [&requests](Request& req) -> Result<Response> {
        requests::TrendRequest in;
        auto from = req.Query("from"), to = req.Query("to");
        if (!from || from->empty())
          return Fail(Error::InvalidArgument("'from' (yyyy-mm) is needed"));
        in.from_month = *from;
        in.to_month = to && !to->empty() ? *to : *from;
        in.unit_id = req.Query("unit_id").value_or("");
        XT_ASSIGN_OR_RETURN(auto months, requests.Trend(req.actor(), in));
        json::Json items = json::Json::array();
        for (const auto& [month, r] : months) {
          const auto& c = r.counters;
          items.push_back({{"month", month},
                           {"dispatched", c.dispatched},
                           {"replied", c.replied},
                           {"rated", c.rated},
                           {"response_rate", Rate(r.response_rate)},
                           {"resolution_rate", Rate(r.resolution_rate)},
                           {"satisfaction_rate", Rate(r.satisfaction_rate)},
                           {"score", r.score}});
        }
        return Response::Json(200, {{"items", std::move(items)}});
      });

  // Requests received per grid, for the map: ?from=yyyy-mm-dd&to=yyyy-mm-dd.
  api.router().Add(
      "GET", "/api/v1/stats/grids", Auth::kRequired,
      {.summary = "Requests received per grid, for the map",
       .summary_zh = "网格诉求量",
       .tag = "stats",
       .query = {Day("from", "the first day"), Day("to", "the last day, included"),
                 doc::QueryParam("unit_id", "only requests handled in this unit's subtree")},
       .answers = {doc::Ok(doc::Ref("GridCounts"))},
       .errors = {400, 403, 404}},
      [&requests](Request& req) -> Result<Response> {
        XT_ASSIGN_OR_RETURN(auto counts, PlaceCounts(requests, req, requests::PlaceLevel::kGrid));
        json::Json items = json::Json::array();
        for (const auto& [grid, n] : counts) items.push_back({{"grid_id", grid}, {"count", n}});
        return Response::Json(200, {{"items", std::move(items)}});
      });

  // Requests received per place of a level, for the map drawn by street or
  // district (requests without a grid still have a street when their
  // address named one).
  api.router().Add(
      "GET", "/api/v1/stats/places", Auth::kRequired,
      {.summary = "Requests received per grid, community, street or district, for the map",
       .summary_zh = "各地诉求量",
       .tag = "stats",
       .query = {Day("from", "the first day"), Day("to", "the last day, included"),
                 doc::QueryParam(
                     "level", "grid, community, street (default) or district",
                     {{"type", "string"}, {"enum", {"grid", "community", "street", "district"}}}),
                 doc::QueryParam("unit_id", "only requests handled in this unit's subtree")},
       .answers = {doc::Ok(doc::Ref("PlaceCounts"))},
       .errors = {400, 403, 404}},
      [&requests](Request& req) -> Result<Response> {
        auto level_name = req.Query("level");
        XT_ASSIGN_OR_RETURN(auto level,
                            requests::ParsePlaceLevel(level_name && !level_name->empty()
                                                          ? *level_name
                                                          : std::string_view("street")));
        XT_ASSIGN_OR_RETURN(auto counts, PlaceCounts(requests, req, level));
        json::Json items = json::Json::array();
        for (const auto& [unit, n] : counts) items.push_back({{"unit_id", unit}, {"count", n}});
        return Response::Json(
            200, {{"level", requests::PlaceLevelName(level)}, {"items", std::move(items)}});
      });
}

}  // namespace xietong::http
