#include "insight/hotspot_service.h"

#include <fmt/core.h>

namespace xietong::insight {

Result<std::shared_ptr<const text::Normalizer>> HotspotService::normalizer() {
  std::lock_guard lock(mutex_);
  if (!normalizer_) {
    XT_ASSIGN_OR_RETURN(normalizer_, text::Normalizer::Open());
  }
  return normalizer_;
}

Result<HotspotAnswer> HotspotService::Hotspots(const identity::Principal& actor,
                                               const HotspotRequest& in) {
  if (in.to <= in.from) return Fail(Error::InvalidArgument("'to' must be after 'from'"));
  if (in.limit < 1 || in.limit > 100)
    return Fail(Error::InvalidArgument("'limit' must be between 1 and 100"));
  XT_ASSIGN_OR_RETURN(const std::string path, requests_.FiguresPath(actor, in.unit_id));
  XT_ASSIGN_OR_RETURN(auto rows, requests_.ReceivedTexts(in.from, in.to, path, kMaxRequests + 1));
  HotspotAnswer out;
  out.truncated = rows.size() > static_cast<std::size_t>(kMaxRequests);
  if (out.truncated) rows.resize(kMaxRequests);
  out.requests = rows.size();

  XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
  std::vector<text::HotspotMessage> messages;
  messages.reserve(rows.size());
  for (auto& r : rows) {
    const identity::OrgUnit* street = r.street_id.empty() ? nullptr : dir->Find(r.street_id);
    messages.push_back({std::move(r.id), std::move(r.title), std::move(r.text), r.received_at,
                        street ? street->name : std::string(), r.merged});
  }
  text::HotspotOptions options;
  options.now_us = in.to;  // growth: the last 30 days of the period against the 30 before
  options.limit = in.limit;
  XT_ASSIGN_OR_RETURN(auto normalizer, normalizer());
  XT_ASSIGN_OR_RETURN(auto found, text::FindHotspots(*normalizer, messages, options));
  out.hotspots = std::move(found.hotspots);
  return out;
}

}  // namespace xietong::insight
