// 议事厅 proposals: the value types and the pure rules of their life. No I/O.
//
//              support ×threshold                 meeting scheduled        recorded: accepted
// collecting ─────────────────────▶ qualified ───────────────────▶ scheduled ──────────────▶
// accepted
//    │  │ withdraw (author)            ▲  │                          │  recorded: deferred      │
//    Implement │  └─────────▶ withdrawn           │  └── meeting cancelled ◀────┤ ▼ │ support_until
//    passed             └───────────────────────────── ┘               implementing └──────────▶
//    expired                          recorded: rejected ─────▶ rejected          │ task done /
// hide (staff, any state before a decision) ─▶ hidden                                         ▼
// request closed
//                                                                                           done
//
// Supports are counted while collecting, qualified or scheduled and before
// support_until; the support that makes the count equal the threshold (fixed
// on the proposal when it was created) is the one that qualifies it, so with
// a count that only grows by one the crossing happens exactly once.
// A proposal accepted with implement "none" stays accepted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::participation {

enum class ProposalStatus {
  kCollecting,
  kQualified,
  kScheduled,
  kAccepted,
  kImplementing,
  kDone,
  kRejected,
  kWithdrawn,
  kExpired,
  kHidden,
};
std::string_view ProposalStatusName(ProposalStatus s);
Result<ProposalStatus> ParseProposalStatus(std::string_view s);

inline constexpr std::size_t kMaxTitleChars = 60;
inline constexpr std::size_t kMaxTextChars = 2000;
inline constexpr std::size_t kMaxAddressChars = 200;
inline constexpr std::size_t kMaxPhotos = 6;
inline constexpr std::int64_t kMaxCostFen = 10'000'000'000;  // 10¹⁰ fen
inline constexpr std::size_t kMaxReasonChars = 500;
inline constexpr std::size_t kMaxCommentChars = 1000;

// participation_settings' defaults (settings.h); a proposal takes its
// community's (or street's) values through store::SettingsFor.
inline constexpr std::int64_t kDefaultSupportThreshold = 10;
inline constexpr std::int64_t kDefaultSupportDays = 60;

struct Proposal {
  std::string id;
  std::string community_id;
  std::string community_path;
  std::string author_id;
  std::string organisation_id;  // "" unless proposed on behalf of an organisation
  std::string title;
  std::string text;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lng;
  std::vector<std::string> photo_ids;
  std::int64_t cost_fen = 0;
  ProposalStatus status = ProposalStatus::kCollecting;
  std::int64_t supports = 0;
  std::int64_t threshold = kDefaultSupportThreshold;
  Timestamp created_at = 0;
  Timestamp support_until = 0;
  Timestamp qualified_at = 0;
  std::string meeting_id;
  std::string decision;  // accepted | rejected | deferred | ""
  std::string decision_reason;
  std::string decided_by;
  Timestamp decided_at = 0;
  std::string implement_kind;         // task | request | none | ""
  std::string implement_spec = "{}";  // JSON text
  std::string force_id;
  std::string task_id;
  std::string request_id;
  std::string request_number;
  std::int64_t percent = 0;
  Timestamp completed_at = 0;
  std::string hidden_reason;
  std::int64_t version = 1;
};

struct NewProposal {
  std::string community_id;  // "" → the caller's one community
  std::string title;
  std::string text;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lng;
  std::vector<std::string> photo_ids;
  std::int64_t cost_fen = 0;
  std::string on_behalf_of;     // an organisation unit under the community, or ""
  std::string idempotency_key;  // per author; "" for none
};

// A text field: valid UTF-8 without control or bidirectional characters,
// trimmed, non-empty when required, at most max_chars code points; errors
// name the field (invalid_utf8, invalid, empty, too_long).
Result<std::string> CheckText(std::string_view field, std::string_view text, std::size_t max_chars,
                              bool required);

// Title, text, place, photos and cost; errors name the field. Returns the
// input with title, text and address trimmed.
Result<NewProposal> ValidateNewProposal(NewProposal in);

// A free-text reason (withdraw, hide, reject, cancel): required, ≤ 500 characters.
Result<std::string> ValidateReason(std::string_view reason, std::string_view field = "reason");
// A comment's text: required, ≤ 1,000 characters.
Result<std::string> ValidateComment(std::string_view text);

// Whether `status` still takes supports (before support_until).
bool TakesSupports(ProposalStatus status);

// May `supporter` support `p` at `now`? 409 own_proposal / not_collecting.
// (Residency is the service's check; the second support is the store's PK.)
Result<void> DecideSupport(const Proposal& p, std::string_view supporter, Timestamp now);

// After a support, the count read back from the row: did this one qualify it?
// True exactly once per proposal (the count passes the threshold only once).
bool CrossedThreshold(std::int64_t supports_after, std::int64_t threshold);

// The author withdraws while collecting (403 not_author, 409 not_collecting).
Result<void> DecideWithdraw(const Proposal& p, std::string_view actor_id);
// Staff hide it before a decision (409 already_decided / already_hidden).
Result<void> DecideHide(const Proposal& p);
// Collecting and its support time is over.
bool ShouldExpire(const Proposal& p, Timestamp now);
// May it go on a meeting's agenda? (qualified only; 409 not_qualified)
Result<void> DecideSchedule(const Proposal& p, std::string_view community_id);

// A meeting's decision on one of its agenda items.
enum class Decision { kAccepted, kRejected, kDeferred };
std::string_view DecisionName(Decision d);
Result<Decision> ParseDecision(std::string_view s);
// The status a scheduled proposal moves to.
ProposalStatus StatusAfter(Decision d);

// Before a decision: collecting, qualified or scheduled.
bool IsOpen(ProposalStatus s);  // collecting | qualified | scheduled

}  // namespace xietong::participation
