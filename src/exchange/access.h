// Access to another unit's data: the request a consuming unit makes, the
// owner's decisions field by field (and the second approval 核心 fields
// need), and the grant that results. Pure values and the rules of how a
// request moves; the service stores them and checks who may act.
//
//   pending ──approve (no 核心 field granted)──▶ approved (grant issued)
//      │     approve (a 核心 field granted) ──▶ awaiting_second ──confirm──▶ approved
//      │                                              │ (another person of the owner unit)
//      └──reject──▶ rejected ◀──────reject────────────┘
//   approved: the grant lives until it expires or is revoked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "exchange/catalog.h"

namespace xietong::exchange {

enum class RequestStatus { kPending, kAwaitingSecond, kApproved, kRejected };
std::string_view RequestStatusName(RequestStatus s);
Result<RequestStatus> ParseRequestStatus(std::string_view s);

struct FieldAsk {
  std::string name;
  bool unmasked = false;  // the consumer asks to see the whole value
};

struct FieldDecision {
  std::string name;
  bool approved = false;
  bool unmasked = false;  // only when asked and approved so
};

struct AccessRequest {
  std::string id;
  std::string resource_id, resource_code, resource_title;
  std::string owner_unit_id, owner_path;
  std::string consumer_unit_id, consumer_path, consumer_name;
  std::string requester_id, requester_name;
  std::vector<FieldAsk> fields;
  std::string purpose_code;  // what X-Purpose names at the gateway: [a-z0-9._-]
  std::string purpose;       // 用途, for a person
  std::string legal_basis;   // 依据
  int period_days = 365;
  int rate_per_minute = 600;  // lookups a minute the grant allows (the gateway's rate limit)
  RequestStatus status = RequestStatus::kPending;
  std::vector<FieldDecision> decisions;
  std::string first_approver_id = {}, first_approver_name = {};
  std::string second_approver_id = {}, second_approver_name = {};
  std::string reason = {};  // why rejected, or the approver's note
  std::string grant_id = {};
  Timestamp created_at = 0, decided_at = 0;
  std::int64_t version = 1;
};

struct GrantField {
  std::string name;
  bool unmasked = false;
};

struct Grant {
  std::string id, request_id;
  std::string resource_id;
  std::string owner_unit_id;
  std::string consumer_unit_id, consumer_path, consumer_name;
  std::string purpose_code, purpose, legal_basis;
  std::vector<GrantField> fields;
  Timestamp starts_at = 0, expires_at = 0;
  Timestamp revoked_at = 0;  // 0: not revoked
  std::string revoked_reason = {};
  int rate_per_minute = 600;
  Timestamp created_at = 0;
  bool active(Timestamp now) const {
    return revoked_at == 0 && now >= starts_at && now < expires_at;
  }
  const GrantField* field(std::string_view name) const;
};

inline constexpr int kMaxPeriodDays = 3 * 366;
inline constexpr int kMaxRatePerMinute = 6'000'000;

// A request as the consumer writes it (POST /exchange/access-requests):
// {resource_id, fields: ["name" | {name, unmasked}], purpose_code, purpose,
// legal_basis, period_days, rate_per_minute}. Checks the fields against the resource and
// refuses a 不予共享 resource. Leaves ids, units and status to the service.
Result<AccessRequest> ParseAccessRequest(const json::Json& doc, const Resource& r);

// The owner's decision: approved names the fields granted (a subset of the
// asked ones; an unmasked ask not in `unmasked` is granted masked). Answers
// whether a second approval is needed (a 核心 field — of grade core or in a
// resource whose effective grade is core — is among the granted).
Result<bool> Decide(AccessRequest& req, const Resource& r, const std::vector<std::string>& approved,
                    const std::vector<std::string>& unmasked, std::string_view approver_id,
                    std::string_view approver_name, std::string note, Timestamp now);
// The second approval of an awaiting_second request, by another person.
Result<void> Confirm(AccessRequest& req, std::string_view approver_id,
                     std::string_view approver_name, Timestamp now);
Result<void> Reject(AccessRequest& req, std::string_view approver_id,
                    std::string_view approver_name, std::string reason, Timestamp now);

// The grant an approved request issues (starting now, for its period).
Grant GrantFor(const AccessRequest& req, std::string grant_id, Timestamp now);

// The stored documents (all fields, read back by the store).
json::Json EncodeRequest(const AccessRequest& r);
Result<AccessRequest> DecodeRequest(const json::Json& doc);
json::Json EncodeGrantFields(const std::vector<GrantField>& fields);
std::vector<GrantField> DecodeGrantFields(const json::Json& doc);

}  // namespace xietong::exchange
