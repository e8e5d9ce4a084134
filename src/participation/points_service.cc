// PointsService's commands and queries: rules, manual awards, reversals,
// accounts and postings, settings, the trial balance. The awards reaction
// (OnEvent) is in awards.cc.
#include "participation/points_service.h"

#include <fmt/core.h>

#include <algorithm>

#include "identity/authorization.h"
#include "participation/points_store.h"
#include "participation/rule_store.h"

namespace xietong::participation {
namespace {

using identity::Action;
using identity::Principal;
using storage::Executor;

constexpr std::size_t kMaxReason = 200;

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool MayManage(const Principal& a, std::string_view path) {
  return identity::Can(a, Action::kPointsManage, path);
}
bool StaffOver(const Principal& a, std::string_view path) {
  return identity::Can(a, Action::kParticipationStaff, path) ||
         identity::Can(a, Action::kParticipationOversee, path) || MayManage(a, path);
}

Result<void> CheckReason(std::string_view reason) {
  if (reason.empty())
    return Fail(Error::InvalidArgument("'reason' is required").About("reason", "required"));
  if (CodePoints(reason) > kMaxReason)
    return Fail(
        Error::InvalidArgument(fmt::format("'reason' has at most {} characters", kMaxReason))
            .About("reason", "too_long"));
  return {};
}

Error NoAccount(std::string_view id) {
  return Error::NotFound(fmt::format("no points account '{}'", id.substr(0, 80)));
}

}  // namespace

PointsService::PointsService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                             identity::IdentityService& identity, const audit::SigningKey& key,
                             PointsOptions options)
    : db_(db), clock_(clock), ids_(ids), identity_(identity), key_(key), options_(options) {}

void PointsService::Committed() {
  for (const auto& f : on_commit_) f();
}

Result<void> PointsService::AuthorizeManage(const Principal& actor, std::string_view unit_id,
                                            std::shared_ptr<const identity::OrgUnit>* unit_out) {
  if (unit_id.empty())
    return Fail(Error::InvalidArgument("'unit_id' is required").About("unit_id", "required"));
  XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), unit_id));
  if (!MayManage(actor, unit->path))
    return Fail(Error::PermissionDenied(
        fmt::format("managing points in {} needs points.manage over it", unit->name)));
  if (unit_out) *unit_out = std::move(unit);
  return {};
}

// "me", "person:<id>", "organisation:<unit>" or a bare account id → an account id.
Result<std::string> PointsService::ResolveAccount(const Principal& actor, std::string_view id) {
  if (id == "me") {
    if (actor.is_system() || actor.account_id.starts_with("apikey:"))
      return Fail(
          Error::InvalidArgument("'me' needs a signed-in person").About("account_id", "invalid"));
    return PersonAccount(actor.account_id);
  }
  if (id.find(':') == std::string_view::npos) {
    if (id.empty())
      return Fail(
          Error::InvalidArgument("'account_id' is required").About("account_id", "required"));
    return PersonAccount(id);
  }
  XT_ASSIGN_OR_RETURN(auto parsed, ParseAccountId(id));
  return AccountId(parsed.kind, parsed.owner_id);
}

Result<void> PointsService::AuthorizeRead(const Principal& actor, const ParsedAccount& acc) {
  if (actor.is_system()) return {};
  const auto id = AccountId(acc.kind, acc.owner_id);
  switch (acc.kind) {
    case AccountKind::kPerson: {
      if (acc.owner_id == actor.account_id) return {};
      auto who = identity_.GetAccount(Principal::System(), acc.owner_id);
      if (!who) return Fail(NoAccount(id));
      for (const auto& m : who->memberships)
        if (StaffOver(actor, m.unit_path)) return {};
      return Fail(NoAccount(id));
    }
    case AccountKind::kOrganisation:
      for (const auto& m : actor.memberships)
        if (m.unit_id == acc.owner_id) return {};
      [[fallthrough]];
    case AccountKind::kIssuer:
    case AccountKind::kPool: {
      auto unit = identity_.GetUnit(Principal::System(), acc.owner_id);
      if (unit && StaffOver(actor, (*unit)->path)) return {};
      return Fail(NoAccount(id));
    }
  }
  return Fail(NoAccount(id));
}

// --- rules

Result<Rule> PointsService::CreateRule(const Principal& actor, const NewRule& in) {
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(ValidateNewRule(in, now, actor.is_system(), {}));
  std::shared_ptr<const identity::OrgUnit> unit;
  XT_TRY_VOID(AuthorizeManage(actor, in.unit_id, &unit));
  auto out = db_.Write([&](Executor& ex) -> Result<Rule> {
    const auto trigger = *ParseTrigger(in.trigger);
    XT_ASSIGN_OR_RETURN(auto retired, store::RetiredRules(ex, unit->id, trigger));
    XT_TRY_VOID(ValidateNewRule(in, now, actor.is_system(), retired));
    XT_ASSIGN_OR_RETURN(auto active, store::ActiveRule(ex, unit->id, trigger));
    if (active)
      return Fail(Error::Conflict(fmt::format("{} already has an active rule for {} ({}); retire "
                                              "it first",
                                              unit->name, in.trigger, active->id))
                      .About("trigger", "rule_exists"));
    Rule r;
    r.id = ids_.Next();
    r.unit_id = unit->id;
    r.unit_path = unit->path;
    r.unit_name = unit->name;
    r.trigger = trigger;
    r.title = in.title;
    r.points = in.points;
    r.daily_cap = in.daily_cap;
    r.monthly_cap = in.monthly_cap;
    r.valid_from = in.valid_from.value_or(now);
    r.created_by = actor.account_id;
    r.created_at = now;
    XT_TRY_VOID(store::InsertRule(ex, r));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "points.rule.created",
                               r.id,
                               {{"unit_id", r.unit_id},
                                {"trigger", in.trigger},
                                {"title", r.title},
                                {"points", r.points},
                                {"per", InfoOf(trigger).per},
                                {"daily_cap", r.daily_cap},
                                {"monthly_cap", r.monthly_cap},
                                {"valid_from", r.valid_from}}}));
    return r;
  });
  if (out) Committed();
  return out;
}

Result<Rule> PointsService::RetireRule(const Principal& actor, std::string_view rule_id,
                                       std::string_view reason) {
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(CheckReason(reason));
  XT_ASSIGN_OR_RETURN(auto found,
                      db_.Read([&](Executor& ex) { return store::FindRule(ex, rule_id); }));
  if (!found)
    return Fail(Error::NotFound(fmt::format("no points rule '{}'", rule_id.substr(0, 64))));
  XT_TRY_VOID(AuthorizeManage(actor, found->unit_id, nullptr));
  auto out = db_.Write([&](Executor& ex) -> Result<Rule> {
    XT_ASSIGN_OR_RETURN(auto r, store::FindRule(ex, rule_id));
    if (!r || r->status != "active")
      return Fail(Error::Conflict("the rule is already retired").About("rule_id", "retired"));
    r->status = "retired";
    r->valid_until = std::max(now, r->valid_from);
    r->retired_by = actor.account_id;
    r->retire_reason = std::string(reason);
    r->version += 1;
    XT_ASSIGN_OR_RETURN(bool done, store::RetireRule(ex, *r));
    if (!done) return Fail(Error::Conflict("the rule changed meanwhile; read it again"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "points.rule.retired",
                               r->id,
                               {{"reason", r->retire_reason}, {"valid_until", r->valid_until}}}));
    return *r;
  });
  if (out) Committed();
  return out;
}

Result<std::vector<Rule>> PointsService::Rules(const Principal& actor, const RuleFilter& filter) {
  if (!filter.status.empty() && filter.status != "active" && filter.status != "retired")
    return Fail(Error::InvalidArgument("'status' is active or retired").About("status", "invalid"));
  std::vector<std::string> paths, ids;
  std::string status = filter.status;
  auto add_ancestors = [&](std::string_view path) {
    for (auto& u : UnitsOfPath(path))
      if (std::find(ids.begin(), ids.end(), u) == ids.end()) ids.push_back(std::move(u));
  };
  if (!filter.unit_id.empty()) {
    XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), filter.unit_id));
    if (StaffOver(actor, unit->path)) {
      paths.push_back(unit->path);
    } else {
      // Residents read how to earn where they live: the active rules over their community.
      const bool lives_there =
          std::any_of(actor.memberships.begin(), actor.memberships.end(),
                      [&](const auto& m) { return unit->path.starts_with(m.unit_path); });
      if (!lives_there)
        return Fail(Error::PermissionDenied(
            fmt::format("the points rules of {} are for its residents and staff", unit->name)));
      status = "active";
    }
    add_ancestors(unit->path);
  } else if (actor.is_system()) {
    paths.push_back("/");
  } else {
    bool staff = false;
    for (const auto& m : actor.memberships) {
      if (StaffOver(actor, m.unit_path)) {
        paths.push_back(m.unit_path);
        staff = true;
      }
      add_ancestors(m.unit_path);
    }
    if (!staff) status = "active";
  }
  return db_.Read([&](Executor& ex) { return store::ListRules(ex, paths, ids, status); });
}

// --- manual awards and reversals

Result<Posting> PointsService::Award(const Principal& actor, const ManualAward& in) {
  const Timestamp now = clock_.Now();
  if (in.amount <= 0)
    return Fail(Error::InvalidArgument("'amount' must be a positive number of points")
                    .About("amount", "not_positive"));
  if (in.memo.empty())
    return Fail(
        Error::InvalidArgument("'memo' says what the award is for").About("memo", "required"));
  if (CodePoints(in.memo) > kMaxReason)
    return Fail(Error::InvalidArgument(fmt::format("'memo' has at most {} characters", kMaxReason))
                    .About("memo", "too_long"));
  if (in.idempotency_key.size() > 200)
    return Fail(Error::InvalidArgument("the Idempotency-Key has at most 200 characters")
                    .About("Idempotency-Key", "too_long"));
  XT_ASSIGN_OR_RETURN(auto account, ResolveAccount(actor, in.account_id));
  XT_ASSIGN_OR_RETURN(auto parsed, ParseAccountId(account));
  if (parsed.kind != AccountKind::kPerson && parsed.kind != AccountKind::kOrganisation)
    return Fail(Error::InvalidArgument("points are awarded to a person or an organisation")
                    .About("account_id", "not_holder"));
  std::shared_ptr<const identity::OrgUnit> unit;
  XT_TRY_VOID(AuthorizeManage(actor, in.unit_id, &unit));
  if (parsed.kind == AccountKind::kPerson) {
    if (parsed.owner_id == actor.account_id)
      return Fail(Error::PermissionDenied("nobody awards points to themself")
                      .About("account_id", "self_dealing"));
    auto who = identity_.GetAccount(Principal::System(), parsed.owner_id);
    if (!who)
      return Fail(Error::InvalidArgument(fmt::format("no account '{}'", parsed.owner_id))
                      .About("account_id", "unknown"));
  } else {
    auto org = identity_.GetUnit(Principal::System(), parsed.owner_id);
    if (!org || (*org)->kind != identity::UnitKind::kOrganisation)
      return Fail(Error::InvalidArgument(fmt::format("no organisation '{}'", parsed.owner_id))
                      .About("account_id", "unknown"));
  }
  std::optional<std::string> idem;
  if (!in.idempotency_key.empty()) idem = actor.account_id + "\x1f" + in.idempotency_key;
  bool replayed = false;
  auto out = db_.Write([&](Executor& ex) -> Result<Posting> {
    if (idem) {
      XT_ASSIGN_OR_RETURN(auto first, store::FindPostingByIdemKey(ex, *idem));
      if (first) {
        if (first->credit != account || first->amount != in.amount || first->memo != in.memo ||
            first->unit_id != unit->id)
          return Fail(Error::Conflict("this Idempotency-Key was used for a different award")
                          .About("Idempotency-Key", "already_used"));
        replayed = true;
        return *first;
      }
    }
    XT_ASSIGN_OR_RETURN(auto settings, store::SettingsFor(ex, UnitsOfPath(unit->path)));
    if (in.amount > settings.manual_award_max)
      return Fail(Error::InvalidArgument(fmt::format("a manual award in {} is at most {} points",
                                                     unit->name, settings.manual_award_max))
                      .About("amount", "over_manual_max"));
    if (parsed.kind == AccountKind::kPerson) {
      XT_ASSIGN_OR_RETURN(bool household,
                          store::SameHousehold(ex, actor.account_id, parsed.owner_id));
      if (household)
        return Fail(
            Error::PermissionDenied("nobody awards points to a member of their own household")
                .About("account_id", "self_dealing"));
    }
    XT_ASSIGN_OR_RETURN(auto posting, DecidePosting({.id = ids_.Next(),
                                                     .kind = PostingKind::kManual,
                                                     .debit = IssuerAccount(unit->id),
                                                     .credit = account,
                                                     .amount = in.amount,
                                                     .unit_id = unit->id,
                                                     .trigger = std::string(kManualTrigger),
                                                     .decider = actor.account_id,
                                                     .idem_key = idem,
                                                     .memo = in.memo,
                                                     .actor = actor.account_id}));
    return store::Post(ex, posting, now);
  });
  if (out && !replayed) Committed();
  return out;
}

Result<Posting> PointsService::Reverse(const Principal& actor, std::string_view posting_id,
                                       std::string_view reason) {
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(CheckReason(reason));
  XT_ASSIGN_OR_RETURN(auto found,
                      db_.Read([&](Executor& ex) { return store::FindPosting(ex, posting_id); }));
  if (!found)
    return Fail(Error::NotFound(fmt::format("no posting '{}'", posting_id.substr(0, 64))));
  XT_TRY_VOID(AuthorizeManage(actor, found->unit_id, nullptr));
  auto out = db_.Write([&](Executor& ex) -> Result<Posting> {
    XT_ASSIGN_OR_RETURN(auto original, store::FindPosting(ex, posting_id));
    if (!original) return Fail(Error::NotFound("the posting is gone"));
    XT_ASSIGN_OR_RETURN(auto in, DecideReversal(*original, std::string(reason)));
    in.id = ids_.Next();
    in.actor = actor.account_id;
    in.decider = actor.account_id;
    auto posted = store::Post(ex, in, now);
    if (!posted && posted.error().reason == "insufficient_points")
      return Fail(Error::Conflict(fmt::format("{}: the points were spent; cancel or reject their "
                                              "redemption first",
                                              posted.error().message))
                      .About("posting_id", "insufficient_points"));
    if (!posted && posted.error().code == ErrorCode::kConflict)
      return Fail(Error::Conflict(fmt::format("posting {} was already reversed", posting_id))
                      .About("posting_id", "already_reversed"));
    return posted;
  });
  if (out) Committed();
  return out;
}

// --- accounts and postings

Result<AccountView> PointsService::GetAccount(const Principal& actor, std::string_view account_id,
                                              int limit) {
  if (limit < 1 || limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  XT_ASSIGN_OR_RETURN(auto id, ResolveAccount(actor, account_id));
  XT_ASSIGN_OR_RETURN(auto parsed, ParseAccountId(id));
  XT_TRY_VOID(AuthorizeRead(actor, parsed));
  AccountView v;
  if (parsed.kind == AccountKind::kPerson) {
    if (auto who = identity_.GetAccount(Principal::System(), parsed.owner_id))
      v.owner_name = who->display_name;
  } else if (auto unit = identity_.GetUnit(Principal::System(), parsed.owner_id)) {
    v.owner_name = (*unit)->name;
  }
  XT_TRY_VOID(db_.Read([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto acc, store::FindAccount(ex, id));
    v.account = acc ? *acc : Account{.id = id, .kind = parsed.kind, .owner_id = parsed.owner_id};
    XT_ASSIGN_OR_RETURN(auto counts, store::AwardCounts(ex, id, BadgeThresholds()));
    v.badges = BadgesOf(counts);
    XT_ASSIGN_OR_RETURN(auto lines, store::Entries(ex, id, "", "", limit));
    for (auto& l : lines)
      v.postings.items.push_back({.id = std::move(l.posting_id),
                                  .posted_at = l.posted_at,
                                  .kind = l.kind,
                                  .amount = l.amount,
                                  .balance_after = l.balance_after,
                                  .counterparty = std::move(l.counterparty),
                                  .trigger = std::move(l.trigger),
                                  .rule_id = std::move(l.rule_id),
                                  .memo = std::move(l.memo),
                                  .subject_id = std::move(l.subject_id),
                                  .reverses = std::move(l.reverses),
                                  .reversed_by = std::move(l.reversed_by),
                                  .audit_seq = l.audit_seq});
    if (static_cast<int>(v.postings.items.size()) == limit)
      v.postings.next_cursor = v.postings.items.back().id;
    return {};
  }));
  v.level = LevelOf(v.account.lifetime_earned);
  return v;
}

Result<PostingPage> PointsService::Postings(const Principal& actor, std::string_view account_id,
                                            const PostingQuery& q) {
  if (q.limit < 1 || q.limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  if (!q.trigger.empty() && q.trigger != kManualTrigger && !ParseTrigger(q.trigger))
    return Fail(
        Error::InvalidArgument(fmt::format("'{}' is not a points trigger", q.trigger.substr(0, 40)))
            .About("trigger", "unknown_trigger"));
  XT_ASSIGN_OR_RETURN(auto id, ResolveAccount(actor, account_id));
  XT_ASSIGN_OR_RETURN(auto parsed, ParseAccountId(id));
  XT_TRY_VOID(AuthorizeRead(actor, parsed));
  return db_.Read([&](Executor& ex) -> Result<PostingPage> {
    XT_ASSIGN_OR_RETURN(auto lines, store::Entries(ex, id, q.cursor, q.trigger, q.limit));
    PostingPage page;
    for (auto& l : lines)
      page.items.push_back({.id = std::move(l.posting_id),
                            .posted_at = l.posted_at,
                            .kind = l.kind,
                            .amount = l.amount,
                            .balance_after = l.balance_after,
                            .counterparty = std::move(l.counterparty),
                            .trigger = std::move(l.trigger),
                            .rule_id = std::move(l.rule_id),
                            .memo = std::move(l.memo),
                            .subject_id = std::move(l.subject_id),
                            .reverses = std::move(l.reverses),
                            .reversed_by = std::move(l.reversed_by),
                            .audit_seq = l.audit_seq});
    if (static_cast<int>(page.items.size()) == q.limit) page.next_cursor = page.items.back().id;
    return page;
  });
}

Result<Account> PointsService::Balance(const Principal& actor, std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto id, ResolveAccount(actor, account_id));
  XT_ASSIGN_OR_RETURN(auto parsed, ParseAccountId(id));
  XT_TRY_VOID(AuthorizeRead(actor, parsed));
  XT_ASSIGN_OR_RETURN(auto acc, db_.Read([&](Executor& ex) { return store::FindAccount(ex, id); }));
  if (acc) return std::move(*acc);
  return Account{.id = id, .kind = parsed.kind, .owner_id = parsed.owner_id};
}

Result<std::vector<Posting>> PointsService::PostBatch(std::vector<PostingInput> postings) {
  if (postings.empty() || postings.size() > kMaxBatch)
    return Fail(
        Error::InvalidArgument(fmt::format("a batch holds between 1 and {} postings", kMaxBatch))
            .About("postings", "out_of_range"));
  for (auto& p : postings) {
    if (p.id.empty()) p.id = ids_.Next();
    if (p.actor.empty()) p.actor = "system";
    XT_ASSIGN_OR_RETURN(p, DecidePosting(std::move(p)));
  }
  const Timestamp now = clock_.Now();
  auto out = db_.Write([&](Executor& ex) { return store::PostMany(ex, postings, now); });
  if (out) Committed();
  return out;
}

Result<Posting> PointsService::GetPosting(const Principal& actor, std::string_view posting_id) {
  XT_ASSIGN_OR_RETURN(auto p,
                      db_.Read([&](Executor& ex) { return store::FindPosting(ex, posting_id); }));
  auto none = Error::NotFound(fmt::format("no posting '{}'", posting_id.substr(0, 64)));
  if (!p) return Fail(std::move(none));
  for (const auto& side : {p->debit, p->credit}) {
    auto parsed = ParseAccountId(side);
    if (parsed && AuthorizeRead(actor, *parsed)) return *p;
  }
  if (auto unit = identity_.GetUnit(Principal::System(), p->unit_id);
      unit && MayManage(actor, (*unit)->path))
    return *p;
  return Fail(std::move(none));
}

// --- settings

Result<ParticipationSettings> PointsService::Settings(const Principal& actor,
                                                      std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), unit_id));
  if (!StaffOver(actor, unit->path))
    return Fail(Error::PermissionDenied(
        fmt::format("the participation settings of {} are for its staff", unit->name)));
  return db_.Read([&](Executor& ex) { return store::SettingsFor(ex, UnitsOfPath(unit->path)); });
}

Result<ParticipationSettings> PointsService::UpdateSettings(const Principal& actor,
                                                            const ParticipationSettings& in,
                                                            std::int64_t if_match) {
  const Timestamp now = clock_.Now();
  XT_TRY_VOID(ValidateSettings(in));
  std::shared_ptr<const identity::OrgUnit> unit;
  XT_TRY_VOID(AuthorizeManage(actor, in.unit_id, &unit));
  auto out = db_.Write([&](Executor& ex) -> Result<ParticipationSettings> {
    auto s = in;
    s.unit_id = unit->id;
    s.updated_by = actor.account_id;
    s.updated_at = now;
    XT_ASSIGN_OR_RETURN(bool saved, store::SaveSettings(ex, s, if_match));
    if (!saved)
      return Fail(Error::Conflict(fmt::format("the settings of {} changed meanwhile (If-Match {}); "
                                              "read them again",
                                              unit->name, if_match))
                      .About("version", "stale"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "points.settings.changed",
                               unit->id,
                               {{"support_threshold", s.support_threshold},
                                {"support_days", s.support_days},
                                {"velocity_per_hour", s.velocity_per_hour},
                                {"velocity_per_day", s.velocity_per_day},
                                {"same_decider_per_month", s.same_decider_per_month},
                                {"manual_award_max", s.manual_award_max}}}));
    return store::SettingsFor(ex, unit->id);
  });
  if (out) Committed();
  return out;
}

Result<LedgerCheck> PointsService::CheckLedger(const Principal& actor, std::string_view unit_id) {
  if (unit_id.empty()) {
    if (!identity::Can(actor, Action::kPointsManage, ""))
      return Fail(Error::PermissionDenied("the whole ledger's check is for administrators"));
  } else {
    XT_TRY_VOID(AuthorizeManage(actor, unit_id, nullptr));
  }
  XT_ASSIGN_OR_RETURN(auto t,
                      db_.Read([&](Executor& ex) { return store::CheckLedger(ex, unit_id); }));
  return LedgerCheck{.accounts = t.accounts,
                     .postings = t.postings,
                     .sum_of_balances = t.sum_of_balances,
                     .mismatched = std::move(t.mismatched)};
}

}  // namespace xietong::participation
