#include "participation/ledger.h"

#include <fmt/core.h>

#include <array>

namespace xietong::participation {
namespace {

constexpr std::array<std::string_view, 4> kAccountKinds = {"person", "organisation", "issuer",
                                                           "pool"};
constexpr std::array<std::string_view, 5> kPostingKinds = {"award", "manual", "redemption",
                                                           "refund", "reversal"};
constexpr std::size_t kMaxMemo = 200;
constexpr std::size_t kMaxOwnerId = 64;

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

std::string_view AccountKindName(AccountKind k) { return kAccountKinds[static_cast<int>(k)]; }

std::optional<AccountKind> ParseAccountKind(std::string_view s) {
  for (std::size_t i = 0; i < kAccountKinds.size(); ++i)
    if (kAccountKinds[i] == s) return static_cast<AccountKind>(i);
  return std::nullopt;
}

std::string AccountId(AccountKind kind, std::string_view owner_id) {
  return fmt::format("{}:{}", AccountKindName(kind), owner_id);
}

Result<ParsedAccount> ParseAccountId(std::string_view id) {
  const auto colon = id.find(':');
  auto bad = [&] {
    return Fail(Error::InvalidArgument(
                    fmt::format("'{}' is not a points account: write person:<account id>, "
                                "organisation:<unit id>, issuer:<unit id> or pool:<unit id>",
                                id.substr(0, 80)))
                    .About("account_id", "invalid"));
  };
  if (colon == std::string_view::npos) return bad();
  auto kind = ParseAccountKind(id.substr(0, colon));
  const auto owner = id.substr(colon + 1);
  if (!kind || owner.empty() || owner.size() > kMaxOwnerId ||
      owner.find_first_of(": \t\n/") != std::string_view::npos)
    return bad();
  return ParsedAccount{*kind, std::string(owner)};
}

std::string_view PostingKindName(PostingKind k) { return kPostingKinds[static_cast<int>(k)]; }

std::optional<PostingKind> ParsePostingKind(std::string_view s) {
  for (std::size_t i = 0; i < kPostingKinds.size(); ++i)
    if (kPostingKinds[i] == s) return static_cast<PostingKind>(i);
  return std::nullopt;
}

Result<PostingInput> DecidePosting(PostingInput in) {
  if (in.amount <= 0)
    return Fail(Error::InvalidArgument(
                    fmt::format("a posting moves a positive number of points, not {}", in.amount))
                    .About("amount", "not_positive"));
  XT_ASSIGN_OR_RETURN(auto debit, ParseAccountId(in.debit));
  XT_ASSIGN_OR_RETURN(auto credit, ParseAccountId(in.credit));
  if (in.debit == in.credit)
    return Fail(Error::InvalidArgument(
                    fmt::format("a posting moves points between two accounts, not from '{}' to "
                                "itself",
                                in.debit))
                    .About("account_id", "same_account"));
  if (CodePoints(in.memo) > kMaxMemo)
    return Fail(Error::InvalidArgument(fmt::format("'memo' has at most {} characters", kMaxMemo))
                    .About("memo", "too_long"));
  in.debit_lifetime = 0;
  in.credit_lifetime = 0;
  switch (in.kind) {
    case PostingKind::kAward:
    case PostingKind::kManual:
      if (debit.kind != AccountKind::kIssuer)
        return Fail(Error::Internal("an award is paid by an issuer account"));
      if (credit.kind != AccountKind::kPerson && credit.kind != AccountKind::kOrganisation)
        return Fail(Error::InvalidArgument("points are awarded to a person or an organisation")
                        .About("account_id", "not_holder"));
      in.credit_lifetime = in.amount;
      break;
    case PostingKind::kRedemption:
    case PostingKind::kRefund:
      break;
    case PostingKind::kReversal:
      if (!in.reverses || in.reverses->empty())
        return Fail(Error::Internal("a reversal names the posting it reverses"));
      break;
  }
  return in;
}

Result<PostingInput> DecideReversal(const Posting& original, std::string reason) {
  if (original.kind == PostingKind::kReversal || original.kind == PostingKind::kRefund ||
      original.kind == PostingKind::kRedemption)
    return Fail(Error::Conflict(fmt::format("a {} posting is not reversed: {}",
                                            PostingKindName(original.kind),
                                            original.kind == PostingKind::kRedemption
                                                ? "cancel or reject the redemption instead"
                                                : "it is itself a correction"))
                    .About("posting_id", "not_reversible"));
  if (original.reversed_by)
    return Fail(Error::Conflict(fmt::format("posting {} was already reversed by {}", original.id,
                                            *original.reversed_by))
                    .About("posting_id", "already_reversed"));
  if (reason.empty())
    return Fail(Error::InvalidArgument("say why the posting is reversed ('reason')")
                    .About("reason", "required"));
  PostingInput in;
  in.kind = PostingKind::kReversal;
  in.debit = original.credit;
  in.credit = original.debit;
  in.amount = original.amount;
  in.unit_id = original.unit_id;
  in.rule_id = original.rule_id;
  in.trigger = original.trigger;
  in.subject_id = original.subject_id;
  in.reverses = original.id;
  in.memo = std::move(reason);
  XT_ASSIGN_OR_RETURN(auto out, DecidePosting(std::move(in)));
  // An award's or manual award's reversal takes back what it added to the
  // holder's lifetime points (the holder is the reversal's debit side).
  if (original.kind == PostingKind::kAward || original.kind == PostingKind::kManual)
    out.debit_lifetime = -original.amount;
  return out;
}

}  // namespace xietong::participation
