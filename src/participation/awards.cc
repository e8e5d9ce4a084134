// PointsService::OnEvent: the awards reaction. Runs inside the consumer's
// batch transaction with `ex` only (no identity reads, no Database calls):
// for each claim an event makes (rules.h TriggerOf), the rule of the most
// specific unit valid at the event's time; the claim (trigger, subject,
// earner) is taken once; the rule's day and month caps are reserved with
// conditional upserts (month first, undone if the day refuses); velocity,
// same-decider and household facts are counted; DecideAward then posts the
// award, holds it for review (points.award.held) or records it as capped.
// A refused award is a recorded decision, never an error.
#include <fmt/core.h>

#include "participation/points_service.h"
#include "participation/points_store.h"
#include "participation/rule_store.h"

namespace xietong::participation {

Result<void> PointsService::OnEvent(storage::Executor& ex, const audit::Event& e) {
  const auto hits = TriggerOf(e);
  if (hits.empty()) return {};
  const Timestamp now = clock_.Now();
  for (const auto& hit : hits) {
    XT_ASSIGN_OR_RETURN(auto rules, store::RulesAt(ex, hit.trigger, hit.units, e.at));
    const Rule* rule = PickRule(rules, hit.units, e.at);
    if (!rule) continue;  // no rule paid for this deed when it happened
    const std::int64_t amount = AwardAmount(*rule, hit);
    if (amount <= 0) continue;
    const auto code = TriggerCode(hit.trigger);
    const auto earner = PersonAccount(hit.earner);
    XT_ASSIGN_OR_RETURN(bool fresh,
                        store::Claim(ex, code, hit.subject_id, earner, e.seq, rule->id, now));
    if (!fresh) continue;  // decided before (another consumer, a replay, a reopened request)

    // Caps: month, then day; a day refusal gives the month back.
    const auto month = MonthPeriod(e.at), day = DayPeriod(e.at);
    XT_ASSIGN_OR_RETURN(
        bool in_month, store::UseWithinCap(ex, earner, rule->id, month, amount, rule->monthly_cap));
    bool in_day = false;
    if (in_month) {
      XT_ASSIGN_OR_RETURN(in_day,
                          store::UseWithinCap(ex, earner, rule->id, day, amount, rule->daily_cap));
      if (!in_day) XT_TRY_VOID(store::Unuse(ex, earner, rule->id, month, amount));
    }
    AwardFacts facts;
    facts.within_caps = in_month && in_day;
    if (!facts.within_caps) {
      XT_TRY_VOID(store::SetClaimOutcome(ex, code, hit.subject_id, earner, "capped", "", ""));
      continue;
    }
    XT_ASSIGN_OR_RETURN(auto settings, store::SettingsFor(ex, hit.units));
    facts.self_action = InfoOf(hit.trigger).self_action;
    facts.velocity_per_hour = settings.velocity_per_hour;
    facts.velocity_per_day = settings.velocity_per_day;
    facts.same_decider_per_month = settings.same_decider_per_month;
    XT_ASSIGN_OR_RETURN(facts.awards_this_hour,
                        store::Bump(ex, earner, "*", HourPeriod(e.at), amount));
    XT_ASSIGN_OR_RETURN(facts.awards_today, store::Bump(ex, earner, "*", day, amount));
    if (!facts.self_action && !hit.decider.empty()) {
      facts.self = hit.decider == hit.earner;
      XT_ASSIGN_OR_RETURN(facts.from_decider_this_month,
                          store::Bump(ex, earner, "decider:" + hit.decider, month, amount));
      XT_ASSIGN_OR_RETURN(facts.household, store::SameHousehold(ex, hit.decider, hit.earner));
    }
    const auto decision = DecideAward(facts);
    if (decision.outcome == AwardOutcome::kPost) {
      XT_ASSIGN_OR_RETURN(auto in, DecidePosting({.id = ids_.Next(),
                                                  .kind = PostingKind::kAward,
                                                  .debit = IssuerAccount(rule->unit_id),
                                                  .credit = earner,
                                                  .amount = amount,
                                                  .unit_id = rule->unit_id,
                                                  .rule_id = rule->id,
                                                  .trigger = std::string(code),
                                                  .subject_id = hit.subject_id,
                                                  .source_seq = e.seq,
                                                  .decider = hit.decider,
                                                  .memo = rule->title,
                                                  .actor = "system"}));
      XT_ASSIGN_OR_RETURN(auto posting, store::Post(ex, in, now));
      XT_TRY_VOID(
          store::SetClaimOutcome(ex, code, hit.subject_id, earner, "posted", posting.id, ""));
      continue;
    }
    store::Review review{.id = ids_.Next(),
                         .unit_id = rule->unit_id,
                         .unit_path = rule->unit_path,
                         .trigger = std::string(code),
                         .subject_id = hit.subject_id,
                         .earner_account = earner,
                         .decider = hit.decider,
                         .rule_id = rule->id,
                         .amount = amount,
                         .source_seq = e.seq,
                         .reasons = decision.reasons,
                         .status = "pending",
                         .created_at = now};
    XT_TRY_VOID(store::InsertReview(ex, review));
    XT_TRY_VOID(audit::Append(ex, now,
                              {"system",
                               "points.award.held",
                               review.id,
                               {{"trigger", code},
                                {"subject_id", hit.subject_id},
                                {"earner", earner},
                                {"decider", hit.decider},
                                {"amount", amount},
                                {"rule_id", rule->id},
                                {"source_seq", e.seq},
                                {"unit_id", rule->unit_id},
                                {"reasons", decision.reasons}}}));
    XT_TRY_VOID(store::SetClaimOutcome(ex, code, hit.subject_id, earner, "held", "", review.id));
  }
  return {};
}

}  // namespace xietong::participation
