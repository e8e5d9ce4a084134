// Routes of 专班 and 协同办公: task forces (form, read, members, tasks,
// progress, milestones, dissolve), directives (send, inbox and sent, read,
// acknowledge 签收, the sender's receipt table and who is due a reminder),
// channels (mine with unread counts, groups, 1-1, members, messages with
// catch-up cursors, read markers). Thin: parse, call CollabService, encode.
#pragma once

#include "collab/collab_service.h"
#include "http/api.h"

namespace xietong::http {

void RegisterCollabRoutes(Api& api, collab::CollabService& collab);

// components.schemas of the routes above, merged into the OpenAPI document.
json::Json CollabSchemas();

}  // namespace xietong::http
