// What collab knows of the city's requests a task force works on, without
// depending on the requests module: the app wires RequestService in
// (app/platform.cc). A force member reads these summaries whatever their
// usual scope — membership is the authorization — but never a request's
// text or the resident's contact, which stay behind the requests module's
// own rules.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"

namespace xietong::collab {

struct LinkedRequest {
  std::string id = {}, number = {}, title = {};
  std::string status = {};     // the requests module's status name
  std::string unit_name = {};  // the handling unit; "" before dispatch
  Timestamp received_at = 0;
};

struct ForceReply {
  std::string force_id = {}, force_title = {};
  std::string text = {};
  std::vector<std::string> attachment_ids = {};  // photos after handling: the actor's uploads
};

class RequestDirectory {
 public:
  virtual ~RequestDirectory() = default;
  // Whether actor may read the request now; false for an unknown id.
  virtual Result<bool> MayRead(const identity::Principal& actor, std::string_view id) = 0;
  // The requests with these ids, in the order given; unknown ids are left out.
  virtual Result<std::vector<LinkedRequest>> Describe(std::span<const std::string> ids) = 0;
  // The reply to the resident, made by actor in the force's name (collab has
  // checked that actor leads the active force and the request is linked to
  // it). The requests module's own rules still apply: the request must be in
  // hand at a unit (Conflict otherwise), the text and photos as any reply.
  virtual Result<LinkedRequest> ReplyAsForce(const identity::Principal& actor,
                                             std::string_view request_id,
                                             const ForceReply& reply) = 0;
};

}  // namespace xietong::collab
