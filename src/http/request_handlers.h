// Routes of 接诉即办 under /api/v1: intake and its preview, the inbox, one
// request with its summonses and the commands this caller may give, its
// timeline, the commands themselves, public tracking by number and phone, and
// the supervision queues (督办). Thin: parse, call RequestService, encode.
// Registered at start-up; the handlers keep no state of their own.
#pragma once

#include <string_view>

#include "http/api.h"
#include "matters/matter_service.h"
#include "requests/request_service.h"

namespace xietong::http {

void RegisterRequestRoutes(Api& api, requests::RequestService& requests,
                           matters::MatterService& matters);

// The JSON form of a request. The contact phone is masked unless
// reveal_contact (the service decided the caller may see it and audited it).
// Times are RFC 3339 (+08:00), null when not (yet) set; empty ids are null.
json::Json RequestJson(const requests::Request& r, bool reveal_contact);
json::Json PlaceJson(const requests::Place& p);

// A time given in a query: RFC 3339 with an offset, or a day "yyyy-mm-dd"
// in Asia/Shanghai, which means the start of that day, or with end_of_day
// the start of the next one (so "to=2026-11-23" includes the whole day).
// Error::InvalidArgument names the parameter.
Result<Timestamp> ParseTimeParam(std::string_view name, std::string_view text, bool end_of_day);

}  // namespace xietong::http
