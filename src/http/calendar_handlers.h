// The working-day calendar (法定节假日与调休) that every deadline is counted
// on, read-only, for the administration page: GET /api/v1/calendar?year=2026.
// The calendar is the file data/calendar/cn.json, loaded at start.
#pragma once

#include "core/calendar.h"
#include "http/api.h"

namespace xietong::http {

void RegisterCalendarRoutes(Api& api, const WorkCalendar& calendar);

}  // namespace xietong::http
