// The points ledger's pure rules: account ids, posting kinds, what a posting
// may be (DecidePosting) and how a posting is reversed (DecideReversal).
// Double-entry: every movement is one posting of a positive amount from a
// debit account to a different credit account; only issuers go below 0.
// Account ids are deterministic ("person:<account id>",
// "organisation:<unit id>", "issuer:<unit id>", "pool:<unit id>"), so an
// account is created on first use without a lookup or a race.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::participation {

enum class AccountKind { kPerson, kOrganisation, kIssuer, kPool };
std::string_view AccountKindName(AccountKind k);  // person | organisation | issuer | pool
std::optional<AccountKind> ParseAccountKind(std::string_view s);

std::string AccountId(AccountKind kind, std::string_view owner_id);
inline std::string PersonAccount(std::string_view account_id) {
  return AccountId(AccountKind::kPerson, account_id);
}
inline std::string IssuerAccount(std::string_view unit_id) {
  return AccountId(AccountKind::kIssuer, unit_id);
}
inline std::string PoolAccount(std::string_view unit_id) {
  return AccountId(AccountKind::kPool, unit_id);
}
struct ParsedAccount {
  AccountKind kind;
  std::string owner_id;
};
// "person:01J…" → {kPerson, "01J…"}; InvalidArgument (field account_id) otherwise.
Result<ParsedAccount> ParseAccountId(std::string_view id);

enum class PostingKind { kAward, kManual, kRedemption, kRefund, kReversal };
std::string_view PostingKindName(PostingKind k);  // award | manual | redemption | refund | reversal
std::optional<PostingKind> ParsePostingKind(std::string_view s);

struct Account {
  std::string id = {};
  AccountKind kind = AccountKind::kPerson;
  std::string owner_id = {};
  std::int64_t balance = 0;
  std::int64_t lifetime_earned = 0;
  std::int64_t postings = 0;
  Timestamp created_at = 0;
};

// What a command or the reaction asks to post.
struct PostingInput {
  std::string id = {};
  PostingKind kind = PostingKind::kAward;
  std::string debit = {};
  std::string credit = {};
  std::int64_t amount = 0;
  std::string unit_id = {};  // the ledger it is on: the issuer's or pool's unit
  std::string rule_id = {};
  std::string trigger = {};
  std::string subject_id = {};
  std::int64_t source_seq = 0;
  std::string decider = {};
  std::optional<std::string> reverses = {};
  std::optional<std::string> idem_key = {};
  std::string memo = {};
  std::string actor = {};  // account id or "system"
  // How lifetime_earned moves on each side (awards and manual awards count;
  // their reversals take it back; redemptions and refunds do not).
  std::int64_t debit_lifetime = 0;
  std::int64_t credit_lifetime = 0;
};

// A stored posting.
struct Posting {
  std::string id = {};
  PostingKind kind = PostingKind::kAward;
  std::string debit = {};
  std::string credit = {};
  std::int64_t amount = 0;
  std::string unit_id = {};
  std::string rule_id = {};
  std::string trigger = {};
  std::string subject_id = {};
  std::int64_t source_seq = 0;
  std::optional<std::string> reverses = {};
  std::optional<std::string> reversed_by = {};  // filled by reads
  std::string memo = {};
  std::string actor = {};
  Timestamp posted_at = 0;
  std::int64_t audit_seq = 0;
  std::int64_t debit_balance_after = 0;
  std::int64_t credit_balance_after = 0;
};

// Checks a posting before it is stored: amount > 0, two distinct well-formed
// accounts, a memo of at most 200 characters, a debit that is an issuer for
// awards and manual awards. Fills the lifetime deltas. (Whether the debit
// account has enough is the store's conditional UPDATE.)
Result<PostingInput> DecidePosting(PostingInput in);

// The posting that reverses `original`: the mirrored accounts and amount,
// kind reversal, reverses = original.id, lifetime taken back for awards and
// manual awards. Conflict not_reversible for a reversal, a refund or a
// redemption (a redemption is refunded by cancelling or rejecting it);
// Conflict already_reversed when it already was (`reversed_by` set).
Result<PostingInput> DecideReversal(const Posting& original, std::string reason);

}  // namespace xietong::participation
