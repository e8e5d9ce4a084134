#include "http/insight_handlers.h"

#include <fmt/core.h>

#include <charconv>
#include <cmath>

#include "http/api_schemas.h"
#include "http/request_handlers.h"

namespace xietong::http {

void RegisterInsightRoutes(Api& api, insight::HotspotService& hotspots) {
  // ?from=yyyy-mm-dd&to=yyyy-mm-dd (both days included)[&unit_id=][&limit=10]
  api.router().Add(
      "GET", "/api/v1/stats/hotspots", Auth::kRequired,
      {.summary = "Hotspots: groups of requests about the same problem, best first",
       .summary_zh = "热点诉求",
       .tag = "stats",
       .query = {doc::QueryParam("from", "the first day", {{"type", "string"}, {"format", "date"}},
                                 true),
                 doc::QueryParam("to", "the last day, included",
                                 {{"type", "string"}, {"format", "date"}}, true),
                 doc::QueryParam("unit_id", "only requests in this unit's subtree"),
                 doc::Limit(100, 10)},
       .answers = {doc::Ok(doc::Ref("Hotspots"))},
       .errors = {400, 403, 404}},
      [&hotspots](Request& req) -> Result<Response> {
        auto from = req.Query("from"), to = req.Query("to");
        if (!from || !to || from->empty() || to->empty())
          return Fail(Error::InvalidArgument("'from' and 'to' (yyyy-mm-dd) are needed"));
        insight::HotspotRequest in;
        XT_ASSIGN_OR_RETURN(in.from, ParseTimeParam("from", *from, false));
        XT_ASSIGN_OR_RETURN(in.to, ParseTimeParam("to", *to, true));
        in.unit_id = req.Query("unit_id").value_or("");
        if (auto limit = req.Query("limit"); limit && !limit->empty()) {
          auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), in.limit);
          if (ec != std::errc() || end != limit->data() + limit->size())
            return Fail(Error::InvalidArgument(
                fmt::format("'limit' must be a number from 1 to 100, not '{}'", *limit)));
        }
        XT_ASSIGN_OR_RETURN(auto answer, hotspots.Hotspots(req.actor(), in));
        json::Json items = json::Json::array();
        for (const auto& h : answer.hotspots)
          items.push_back({{"title", h.title},
                           {"representative_id", h.representative_id},
                           {"place", h.place},
                           {"first_at", FormatRfc3339(h.first_us)},
                           {"last_at", FormatRfc3339(h.last_us)},
                           {"count", h.count},
                           {"support", h.support},
                           {"recent", h.recent},
                           {"previous", h.previous},
                           {"score", std::round(h.score * 1000) / 1000},
                           {"request_ids", h.member_ids}});
        return Response::Json(200, {{"items", std::move(items)},
                                    {"requests", answer.requests},
                                    {"truncated", answer.truncated}});
      });
}

}  // namespace xietong::http
