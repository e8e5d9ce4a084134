// The requests module as the collab module sees it (collab/request_directory.h):
// whether a person may read a request, the summaries a task force lists, and
// the reply a force's lead makes in its name.
#pragma once

#include "collab/request_directory.h"
#include "requests/request_service.h"

namespace xietong::app {

class CollabRequests final : public collab::RequestDirectory {
 public:
  explicit CollabRequests(requests::RequestService& requests) : requests_(requests) {}
  Result<bool> MayRead(const identity::Principal& actor, std::string_view id) override;
  Result<std::vector<collab::LinkedRequest>> Describe(std::span<const std::string> ids) override;
  Result<collab::LinkedRequest> ReplyAsForce(const identity::Principal& actor,
                                             std::string_view request_id,
                                             const collab::ForceReply& reply) override;

 private:
  requests::RequestService& requests_;
};

}  // namespace xietong::app
