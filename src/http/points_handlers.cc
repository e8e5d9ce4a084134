#include "http/points_handlers.h"

namespace xietong::http {

// The routes of plan §8 "Points" are added here by the points part (issue 18).
void RegisterPointsRoutes(Api& api, participation::PointsService& points) {
  (void)api;
  (void)points;
}

json::Json PointsSchemas() { return json::Json::object(); }

}  // namespace xietong::http
