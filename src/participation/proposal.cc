#include "participation/proposal.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "core/json.h"

namespace xietong::participation {
namespace {

constexpr std::pair<ProposalStatus, std::string_view> kStatuses[] = {
    {ProposalStatus::kCollecting, "collecting"},     {ProposalStatus::kQualified, "qualified"},
    {ProposalStatus::kScheduled, "scheduled"},       {ProposalStatus::kAccepted, "accepted"},
    {ProposalStatus::kImplementing, "implementing"}, {ProposalStatus::kDone, "done"},
    {ProposalStatus::kRejected, "rejected"},         {ProposalStatus::kWithdrawn, "withdrawn"},
    {ProposalStatus::kExpired, "expired"},           {ProposalStatus::kHidden, "hidden"},
};
constexpr std::pair<Decision, std::string_view> kDecisions[] = {
    {Decision::kAccepted, "accepted"},
    {Decision::kRejected, "rejected"},
    {Decision::kDeferred, "deferred"},
};

Error Conflict(std::string message, std::string reason) {
  return Error::Conflict(std::move(message)).About("status", std::move(reason));
}

std::string Trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

Result<std::string> CheckText(std::string_view field, std::string_view text, std::size_t max_chars,
                              bool required) {
  const std::string f(field);
  if (json::FindInvalidUtf8(text))
    return Fail(Error::InvalidArgument(fmt::format("field '{}': is not valid UTF-8", f))
                    .About(f, "invalid_utf8"));
  if (json::FindMisleadingChar(text))
    return Fail(Error::InvalidArgument(
                    fmt::format("field '{}': contains a control or bidirectional character", f))
                    .About(f, "invalid"));
  std::string t = Trim(text);
  if (required && t.empty())
    return Fail(
        Error::InvalidArgument(fmt::format("field '{}': is required", f)).About(f, "empty"));
  if (json::CountCodePoints(t) > max_chars)
    return Fail(
        Error::InvalidArgument(
            fmt::format("field '{}': at most {} characters, please shorten it", f, max_chars))
            .About(f, "too_long"));
  return t;
}

std::string_view ProposalStatusName(ProposalStatus s) {
  for (const auto& [v, name] : kStatuses)
    if (v == s) return name;
  return "unknown";
}

Result<ProposalStatus> ParseProposalStatus(std::string_view s) {
  for (const auto& [v, name] : kStatuses)
    if (name == s) return v;
  return Fail(Error::InvalidArgument(
                  fmt::format("field 'status': '{}' is not a proposal status", s.substr(0, 32)))
                  .About("status", "unknown"));
}

std::string_view DecisionName(Decision d) {
  for (const auto& [v, name] : kDecisions)
    if (v == d) return name;
  return "unknown";
}

Result<Decision> ParseDecision(std::string_view s) {
  for (const auto& [v, name] : kDecisions)
    if (name == s) return v;
  return Fail(Error::InvalidArgument(
                  fmt::format("field 'decision': '{}' is not one of accepted, rejected, deferred",
                              s.substr(0, 32)))
                  .About("decision", "unknown"));
}

ProposalStatus StatusAfter(Decision d) {
  switch (d) {
    case Decision::kAccepted:
      return ProposalStatus::kAccepted;
    case Decision::kRejected:
      return ProposalStatus::kRejected;
    case Decision::kDeferred:
      return ProposalStatus::kQualified;
  }
  return ProposalStatus::kQualified;
}

Result<NewProposal> ValidateNewProposal(NewProposal in) {
  XT_ASSIGN_OR_RETURN(in.title, CheckText("title", in.title, kMaxTitleChars, true));
  XT_ASSIGN_OR_RETURN(in.text, CheckText("text", in.text, kMaxTextChars, true));
  XT_ASSIGN_OR_RETURN(in.address, CheckText("place.address", in.address, kMaxAddressChars, true));
  if (in.lat.has_value() != in.lng.has_value())
    return Fail(Error::InvalidArgument("field 'place': give both lat and lng, or neither")
                    .About("place", "incomplete"));
  if (in.lat && (!std::isfinite(*in.lat) || !std::isfinite(*in.lng) || *in.lat < -90 ||
                 *in.lat > 90 || *in.lng < -180 || *in.lng > 180))
    return Fail(Error::InvalidArgument("field 'place': lat/lng out of range")
                    .About("place", "out_of_range"));
  if (in.photo_ids.size() > kMaxPhotos)
    return Fail(
        Error::InvalidArgument(fmt::format("field 'photo_ids': at most {} photos", kMaxPhotos))
            .About("photo_ids", "too_many"));
  std::set<std::string> seen(in.photo_ids.begin(), in.photo_ids.end());
  if (seen.size() != in.photo_ids.size())
    return Fail(Error::InvalidArgument("field 'photo_ids': a photo is listed twice")
                    .About("photo_ids", "duplicate"));
  if (in.cost_fen < 0 || in.cost_fen > kMaxCostFen)
    return Fail(
        Error::InvalidArgument(fmt::format("field 'cost_fen': between 0 and {} fen", kMaxCostFen))
            .About("cost_fen", "out_of_range"));
  if (in.idempotency_key.size() > 128)
    return Fail(Error::InvalidArgument("Idempotency-Key: at most 128 characters")
                    .About("Idempotency-Key", "too_long"));
  return in;
}

Result<std::string> ValidateReason(std::string_view reason, std::string_view field) {
  return CheckText(field, reason, kMaxReasonChars, true);
}

Result<std::string> ValidateComment(std::string_view text) {
  return CheckText("text", text, kMaxCommentChars, true);
}

bool IsOpen(ProposalStatus s) {
  return s == ProposalStatus::kCollecting || s == ProposalStatus::kQualified ||
         s == ProposalStatus::kScheduled;
}

bool TakesSupports(ProposalStatus status) { return IsOpen(status); }

Result<void> DecideSupport(const Proposal& p, std::string_view supporter, Timestamp now) {
  if (supporter == p.author_id)
    return Fail(Conflict("one does not support one's own proposal", "own_proposal"));
  if (!TakesSupports(p.status) || now >= p.support_until)
    return Fail(Conflict(
        fmt::format("the proposal is {} and takes no more supports", ProposalStatusName(p.status)),
        "not_collecting"));
  return {};
}

bool CrossedThreshold(std::int64_t supports_after, std::int64_t threshold) {
  return supports_after == threshold;
}

Result<void> DecideWithdraw(const Proposal& p, std::string_view actor_id) {
  if (actor_id != p.author_id)
    return Fail(Error::PermissionDenied("only its author withdraws a proposal")
                    .About("proposal", "not_author"));
  if (p.status != ProposalStatus::kCollecting)
    return Fail(Conflict(fmt::format("the proposal is {}; it can be withdrawn only while it "
                                     "collects supports",
                                     ProposalStatusName(p.status)),
                         "not_collecting"));
  return {};
}

Result<void> DecideHide(const Proposal& p) {
  if (p.status == ProposalStatus::kHidden)
    return Fail(Conflict("the proposal is already hidden", "already_hidden"));
  if (!IsOpen(p.status))
    return Fail(Conflict(fmt::format("the proposal is {}; only a proposal without a decision "
                                     "can be hidden",
                                     ProposalStatusName(p.status)),
                         "already_decided"));
  return {};
}

bool ShouldExpire(const Proposal& p, Timestamp now) {
  return p.status == ProposalStatus::kCollecting && now >= p.support_until;
}

Result<void> DecideSchedule(const Proposal& p, std::string_view community_id) {
  if (p.community_id != community_id)
    return Fail(Error::InvalidArgument(
                    fmt::format("field 'agenda': proposal '{}' is of another community", p.id))
                    .About("agenda", "other_community"));
  if (p.status != ProposalStatus::kQualified)
    return Fail(Error::Conflict(fmt::format("proposal '{}' is {}; only qualified proposals go "
                                            "on an agenda",
                                            p.id, ProposalStatusName(p.status)))
                    .About("agenda", "not_qualified"));
  return {};
}

}  // namespace xietong::participation
