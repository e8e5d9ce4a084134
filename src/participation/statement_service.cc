// PointsService's signed credit statement (信用积分证明),
// docs/plans/participation.md §6: the statement of an account's points over
// a period — balance, level, what was earned, spent and reversed, per
// trigger, and each posting with its audit seq — recorded with its digest
// and points.statement.issued in one transaction, then signed with the
// instance key (statement.h says what is signed). CheckStatement is the
// online verification.
#include <fmt/core.h>

#include <map>

#include "participation/points_service.h"
#include "participation/points_store.h"

namespace xietong::participation {
namespace {

using identity::Principal;
using storage::Executor;

constexpr std::size_t kMaxAudience = 80;

}  // namespace

Result<IssuedStatement> PointsService::IssueStatement(const Principal& actor,
                                                      const StatementRequest& in) {
  const Timestamp now = clock_.Now();
  if (json::CountCodePoints(in.audience) > kMaxAudience)
    return Fail(
        Error::InvalidArgument(fmt::format("'audience' has at most {} characters", kMaxAudience))
            .About("audience", "too_long"));
  const Timestamp from = in.from.value_or(0);
  const Timestamp to = std::min(in.to.value_or(now), now);
  if (from > to)
    return Fail(
        Error::InvalidArgument("'from' is after 'to' (or in the future)").About("from", "invalid"));
  XT_ASSIGN_OR_RETURN(auto id, ResolveAccount(actor, in.account_id));
  XT_ASSIGN_OR_RETURN(auto parsed, ParseAccountId(id));
  if (parsed.kind != AccountKind::kPerson && parsed.kind != AccountKind::kOrganisation)
    return Fail(Error::InvalidArgument("statements are of a person's or an organisation's points")
                    .About("account_id", "not_holder"));
  XT_TRY_VOID(AuthorizeRead(actor, parsed));

  // The holder as identity knows them (outside the write: no identity call in it).
  json::Json holder = {{"account_id", id}, {"kind", AccountKindName(parsed.kind)}};
  json::Json communities = json::Json::array();
  if (parsed.kind == AccountKind::kPerson) {
    XT_ASSIGN_OR_RETURN(auto who, identity_.GetAccount(Principal::System(), parsed.owner_id));
    holder["display_name"] = who.display_name;
    for (const auto& m : who.memberships)
      communities.push_back({{"id", m.unit_id}, {"name", m.unit_name}});
  } else {
    XT_ASSIGN_OR_RETURN(auto org, identity_.GetUnit(Principal::System(), parsed.owner_id));
    holder["display_name"] = org->name;
  }
  holder["communities"] = std::move(communities);
  std::map<std::string, std::string, std::less<>> unit_names;
  auto unit_name = [&](const std::string& unit_id) -> std::string {
    auto it = unit_names.find(unit_id);
    if (it != unit_names.end()) return it->second;
    auto unit = identity_.GetUnit(Principal::System(), unit_id);
    return unit_names[unit_id] = unit ? (*unit)->name : std::string();
  };
  // Read what the statement says first (names need identity), then write it.
  struct Facts {
    Account account;
    std::vector<store::EntryLine> lines;
    std::vector<store::PeriodTotal> totals;
    std::int64_t through_seq = 0;
  };
  const int max = options_.max_statement_postings;
  XT_ASSIGN_OR_RETURN(auto facts, db_.Read([&](Executor& ex) -> Result<Facts> {
    Facts f;
    XT_ASSIGN_OR_RETURN(auto acc, store::FindAccount(ex, id));
    f.account = acc ? *acc : Account{.id = id, .kind = parsed.kind, .owner_id = parsed.owner_id};
    XT_ASSIGN_OR_RETURN(f.lines, store::EntriesBetween(ex, id, from, to, max + 1));
    XT_ASSIGN_OR_RETURN(f.totals, store::PeriodTotals(ex, id, from, to));
    XT_ASSIGN_OR_RETURN(f.through_seq, audit::LastSeq(ex));
    return f;
  }));
  const bool truncated = static_cast<int>(facts.lines.size()) > max;
  if (truncated) facts.lines.resize(static_cast<std::size_t>(max));

  std::int64_t earned = 0, spent = 0, reversed = 0, count = 0;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> by_trigger;  // count, points
  for (const auto& t : facts.totals) {
    count += t.count;
    if (t.kind == "award" || t.kind == "manual") {
      if (t.amount > 0) earned += t.amount;
      auto& b = by_trigger[t.trigger];
      b.first += t.count;
      b.second += t.amount;
    } else if (t.kind == "redemption") {
      spent -= t.amount;
    } else if (t.kind == "refund") {
      spent -= t.amount;
    } else if (t.kind == "reversal") {
      reversed -= t.amount;
    }
  }
  json::Json triggers = json::Json::array();
  for (const auto& [code, b] : by_trigger) {
    const auto trigger = ParseTrigger(code);
    triggers.push_back({{"trigger", code},
                        {"name", trigger ? std::string(InfoOf(*trigger).name_zh) : "人工奖励"},
                        {"count", b.first},
                        {"points", b.second}});
  }
  json::Json postings = json::Json::array();
  for (const auto& l : facts.lines)
    postings.push_back({{"id", l.posting_id},
                        {"posted_at", FormatRfc3339(l.posted_at)},
                        {"kind", PostingKindName(l.kind)},
                        {"amount", l.amount},
                        {"balance_after", l.balance_after},
                        {"trigger", l.trigger},
                        {"memo", l.memo},
                        {"unit_name", unit_name(l.unit_id)},
                        {"reverses", l.reverses ? json::Json(*l.reverses) : json::Json(nullptr)},
                        {"audit_seq", l.audit_seq}});
  const Level level = LevelOf(facts.account.lifetime_earned);
  const std::string statement_id = ids_.Next();
  const Timestamp valid_until = now + options_.statement_valid;
  const json::Json st = {{"format", kStatementFormat},
                         {"statement_id", statement_id},
                         {"issued_at", FormatRfc3339(now)},
                         {"valid_until", FormatRfc3339(valid_until)},
                         {"instance", {{"public_key", key_.PublicKeyHex()}}},
                         {"holder", holder},
                         {"audience", in.audience},
                         {"period", {{"from", FormatRfc3339(from)}, {"to", FormatRfc3339(to)}}},
                         {"balance", facts.account.balance},
                         {"lifetime_earned", facts.account.lifetime_earned},
                         {"level", {{"code", level.code}, {"name", level.name_zh}}},
                         {"earned_in_period", earned},
                         {"spent_in_period", spent},
                         {"reversed_in_period", reversed},
                         {"postings_in_period", count},
                         {"by_trigger", std::move(triggers)},
                         {"postings", std::move(postings)},
                         {"postings_truncated", truncated},
                         {"chain", {{"through_seq", facts.through_seq}}}};
  const std::string text = st.dump();
  const std::string digest = StatementDigest(text);
  const store::StatementRecord rec{.id = statement_id,
                                   .account_id = id,
                                   .issued_by = actor.account_id,
                                   .issued_at = now,
                                   .from_at = from,
                                   .to_at = to,
                                   .audience = in.audience,
                                   .balance = facts.account.balance,
                                   .postings = count,
                                   .digest = digest,
                                   .valid_until = valid_until};
  XT_TRY_VOID(db_.Write([&](Executor& ex) -> Result<void> {
    XT_TRY_VOID(store::InsertStatement(ex, rec));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.is_system() ? "system" : actor.account_id,
                               "points.statement.issued",
                               statement_id,
                               {{"account", id},
                                {"from", from},
                                {"to", to},
                                {"balance", rec.balance},
                                {"postings", count},
                                {"digest", digest},
                                {"audience", in.audience},
                                {"valid_until", valid_until}}}));
    return {};
  }));
  Committed();
  const std::string sig = key_.Sign(StatementMessage(text));
  return IssuedStatement{.id = statement_id,
                         .envelope = StatementEnvelope(text, key_.PublicKeyHex(), sig),
                         .issued_at = now};
}

Result<StatementVerdict> PointsService::CheckStatement(std::string_view envelope_text) {
  StatementVerdict v;
  v.check = VerifyStatement(envelope_text, key_.PublicKeyHex(), clock_.Now());
  if (v.check.statement_id.empty() || v.check.problem == "not a points statement") return v;
  XT_TRY_VOID(db_.Read([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto rec, store::FindStatement(ex, v.check.statement_id));
    if (!rec || rec->digest != v.check.digest) return {};
    v.issued_here = true;
    XT_ASSIGN_OR_RETURN(v.reversed_since, store::ReversedSince(ex, rec->account_id, rec->from_at,
                                                               rec->to_at, rec->issued_at));
    return {};
  }));
  return v;
}

}  // namespace xietong::participation
