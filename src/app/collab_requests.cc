#include "app/collab_requests.h"

#include <map>

namespace xietong::app {

Result<bool> CollabRequests::MayRead(const identity::Principal& actor, std::string_view id) {
  auto detail = requests_.Get(actor, id);
  if (detail) return true;
  if (detail.error().code == ErrorCode::kNotFound ||
      detail.error().code == ErrorCode::kPermissionDenied)
    return false;
  return Fail(std::move(detail.error()));
}

Result<std::vector<collab::LinkedRequest>> CollabRequests::Describe(
    std::span<const std::string> ids) {
  std::map<std::string, collab::LinkedRequest> found;
  // The list takes at most kMaxListIds ids at a time, as a force links.
  for (std::size_t at = 0; at < ids.size(); at += requests::kMaxListIds) {
    requests::ListFilter filter;
    filter.ids.assign(ids.begin() + static_cast<std::ptrdiff_t>(at),
                      ids.begin() + static_cast<std::ptrdiff_t>(
                                        std::min(ids.size(), at + requests::kMaxListIds)));
    filter.limit = static_cast<int>(filter.ids.size());
    XT_ASSIGN_OR_RETURN(auto page, requests_.List(identity::Principal::System(), filter));
    for (const auto& r : page.items)
      found[r.id] = {.id = r.id,
                     .number = r.number,
                     .title = r.title,
                     .status = std::string(requests::StatusName(r.status)),
                     .unit_name = r.unit_name,
                     .received_at = r.received_at};
  }
  std::vector<collab::LinkedRequest> out;
  for (const auto& id : ids)
    if (auto it = found.find(id); it != found.end()) out.push_back(it->second);
  return out;
}

Result<collab::LinkedRequest> CollabRequests::ReplyAsForce(const identity::Principal& actor,
                                                           std::string_view request_id,
                                                           const collab::ForceReply& reply) {
  requests::CommandInput in;
  in.command = requests::Command::kReply;
  in.text = reply.text;
  in.attachment_ids = reply.attachment_ids;
  XT_ASSIGN_OR_RETURN(auto r,
                      requests_.ReplyOnBehalf(
                          actor, request_id, in,
                          {.kind = "taskforce", .id = reply.force_id, .name = reply.force_title}));
  return collab::LinkedRequest{.id = r.id,
                               .number = r.number,
                               .title = r.title,
                               .status = std::string(requests::StatusName(r.status)),
                               .unit_name = r.unit_name,
                               .received_at = r.received_at};
}

}  // namespace xietong::app
