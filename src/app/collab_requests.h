// The requests module as the collab module sees it (collab/request_directory.h):
// whether a person may read a request, and the summaries a task force lists.
#pragma once

#include "collab/request_directory.h"
#include "requests/request_service.h"

namespace xietong::app {

class CollabRequests final : public collab::RequestDirectory {
 public:
  explicit CollabRequests(requests::RequestService& requests) : requests_(requests) {}
  Result<bool> MayRead(const identity::Principal& actor, std::string_view id) override;
  Result<std::vector<collab::LinkedRequest>> Describe(std::span<const std::string> ids) override;

 private:
  requests::RequestService& requests_;
};

}  // namespace xietong::app
