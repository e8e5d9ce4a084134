// What the public may read of a request (Open311's GET, anyone who knows a
// number): the requests module decides, the Open311 handlers only encode.
// A request that came in through Open311 shows the words, place and reply
// its client sent and received; one from any other channel (a phone call, a
// resident's own page) shows only its category, state, handling unit, times
// and a coarse place (community, street, district) — never the caller's
// words, exact address, coordinates or contact. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "requests/directory.h"
#include "requests/request.h"

namespace xietong::requests {

struct PublicView {
  std::string number;
  Status status = Status::kReceived;
  bool closed = false;
  std::string matter_id;            // "" when not categorised yet
  std::string unit_name;            // the handling unit, "" before dispatch
  std::optional<std::string> text;  // the client's own words (Open311 only)
  std::string reply;                // the reply (Open311 only, not for merged requests)
  std::string address;              // exact (Open311) or coarse
  std::optional<double> lat, lon;   // Open311 only
  Timestamp received_at = 0;
  Timestamp updated_at = 0;  // the closing time once closed
  Timestamp finish_due = 0;
};

PublicView ForPublic(const Request& r, const Directory& dir);

}  // namespace xietong::requests
