// Routes of insight/: hotspots for the dashboard under /api/v1/stats. Thin:
// parse, call HotspotService (which authorizes), encode.
#pragma once

#include "http/api.h"
#include "insight/hotspot_service.h"

namespace xietong::http {

void RegisterInsightRoutes(Api& api, insight::HotspotService& hotspots);

}  // namespace xietong::http
