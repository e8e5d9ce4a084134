// Routes of collab's notifications (通知提醒) and outbound webhooks: my
// notifications with the unread count, marking them read, my webhook or a
// unit's (?unit=, its lead or an administrator), and a webhook's
// deliveries. Thin: parse, call NotifyService, encode.
#pragma once

#include "collab/notify_service.h"
#include "http/api.h"

namespace xietong::http {

void RegisterNotifyRoutes(Api& api, collab::NotifyService& notify);

// components.schemas of the routes above, merged into the OpenAPI document.
json::Json NotifySchemas();

}  // namespace xietong::http
