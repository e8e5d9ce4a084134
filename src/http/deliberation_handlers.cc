#include "http/deliberation_handlers.h"

namespace xietong::http {

// The routes of plan §8 "Deliberation" are added here by the deliberation part (issue 18).
void RegisterDeliberationRoutes(Api& api, participation::DeliberationService& deliberation) {
  (void)api;
  (void)deliberation;
}

json::Json DeliberationSchemas() { return json::Json::object(); }

}  // namespace xietong::http
