// The review queue and households (participation migration 4).
//
// A held award waiting for a person (复核): awards.cc holds an award whose
// facts look like self-dealing, a household, or too many too fast; someone
// with points.manage over the rule's unit — not the decider, not the earner,
// in neither's household — approves it (the award is posted then) or rejects
// it (nothing is posted and the caps it reserved are given back).
// docs/plans/participation.md §2.4 and §5.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace xietong::participation {

struct PointsReview {
  std::string id = {};
  std::string unit_id = {};
  std::string unit_path = {};
  std::string trigger = {};
  std::string subject_id = {};
  std::string earner_account = {};
  std::string decider = {};
  std::string rule_id = {};
  std::int64_t amount = 0;
  std::int64_t source_seq = 0;
  std::vector<std::string> reasons = {};
  std::string status = "pending";  // pending | approved | rejected
  Timestamp created_at = 0;
  std::string decided_by = {};
  Timestamp decided_at = 0;
  std::string note = {};
  std::string posting_id = {};
  std::int64_t version = 1;
};

// A household (家庭户), recorded by community staff from the community's own
// register, so that awards and decisions between its members are caught as
// self-dealing (§5). The label is an address: personal data, shown to staff
// only and never put on the audit chain. An account is in at most one
// household, staff accounts included.
struct HouseholdMember {
  std::string account_id = {};    // identity account id
  std::string relation = {};      // 户主 本人 配偶 子女 父母 其他
  std::string display_name = {};  // filled by reads
};

struct Household {
  std::string id = {};
  std::string community_id = {};
  std::string label = {};
  std::vector<HouseholdMember> members = {};
  std::string created_by = {};
  Timestamp created_at = 0;
  std::int64_t version = 1;
};

struct NewHousehold {
  std::string community_id = {};
  std::string label = {};
  std::vector<HouseholdMember> members = {};
};

// Whether `relation` is one of the six words above.
bool IsHouseholdRelation(std::string_view relation);

}  // namespace xietong::participation
