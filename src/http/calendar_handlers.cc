#include "http/calendar_handlers.h"

#include <fmt/core.h>

#include <charconv>
#include <chrono>

#include "http/api_schemas.h"

namespace xietong::http {

void RegisterCalendarRoutes(Api& api, const WorkCalendar& calendar) {
  api.router().Add(
      "GET", "/api/v1/calendar", Auth::kRequired,
      {.summary = "A year's holidays and make-up working days, and the working hours",
       .summary_zh = "工作日历",
       .tag = "calendar",
       .query = {doc::QueryParam("year", "the year, e.g. 2026", doc::IntegerIn(1970, 2200), true)},
       .answers = {doc::Ok(doc::Ref("Calendar"))},
       .errors = {400}},
      [&calendar](Request& req) -> Result<Response> {
        const std::string text = req.Query("year").value_or("");
        int year = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || year < 1970 ||
            year > 2200)
          return Fail(Error::InvalidArgument(
              fmt::format("'year' must be a year such as 2026, not '{}'", text)));
        using namespace std::chrono;
        json::Json days = json::Json::array();
        int working = 0;
        for (sys_days d{std::chrono::year{year} / January / 1};
             d < sys_days{std::chrono::year{year + 1} / January / 1}; d += std::chrono::days{1}) {
          const year_month_day ymd{d};
          if (calendar.IsWorkingDay(ymd)) ++working;
          auto holiday = calendar.HolidayName(ymd);
          auto makeup = calendar.MakeupWorkdayName(ymd);
          if (!holiday && !makeup) continue;
          days.push_back({{"date", fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                                               static_cast<unsigned>(ymd.month()),
                                               static_cast<unsigned>(ymd.day()))},
                          {"kind", holiday ? "holiday" : "workday"},
                          {"name", holiday ? *holiday : *makeup}});
        }
        const auto [first, last] = calendar.covered_years();
        json::Json hours = json::Json::array();
        for (const auto& p : calendar.working_hours())
          hours.push_back({{"start", fmt::format("{:02}:{:02}", p.start / kMicrosPerHour,
                                                 p.start % kMicrosPerHour / kMicrosPerMinute)},
                           {"end", fmt::format("{:02}:{:02}", p.end / kMicrosPerHour,
                                               p.end % kMicrosPerHour / kMicrosPerMinute)}});
        return Response::Json(200, {{"year", year},
                                    {"covered", year >= first && year <= last},
                                    {"provisional", calendar.IsProvisional(year)},
                                    {"working_days", working},
                                    {"working_hours", std::move(hours)},
                                    {"days", std::move(days)}});
      });
}

}  // namespace xietong::http
