// PointsService's review queue (复核) and households (家庭户),
// docs/plans/participation.md §2.4 and §5: a held award is approved — posted
// then, as the reaction would have — or rejected — nothing posted and the
// caps it reserved given back — once, by points.manage over the rule's unit,
// never by the decider, the earner or a member of either's household.
// Households are recorded by the community's staff; each change is one
// points.household.changed event naming the members, never the label.
#include <fmt/core.h>

#include <algorithm>

#include "core/json.h"
#include "identity/authorization.h"
#include "participation/points_service.h"
#include "participation/points_store.h"
#include "participation/review_store.h"
#include "participation/rule_store.h"

namespace xietong::participation {
namespace {

using identity::Action;
using identity::Principal;
using storage::Executor;

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool MayReview(const Principal& a, std::string_view path) {
  return identity::Can(a, Action::kPointsManage, path);
}
bool MayRead(const Principal& a, std::string_view path) {
  return MayReview(a, path) || identity::Can(a, Action::kParticipationOversee, path);
}

Error NoReview(std::string_view id) {
  return Error::NotFound(fmt::format("no review '{}'", id.substr(0, 64)));
}

constexpr std::string_view kRelations[] = {"户主", "本人", "配偶", "子女", "父母", "其他"};
constexpr std::size_t kMaxLabel = 80;
constexpr std::size_t kMaxMembers = 12;

Result<void> CheckMember(const HouseholdMember& m) {
  if (m.account_id.empty())
    return Fail(Error::InvalidArgument("each member names an 'account_id'")
                    .About("account_id", "required"));
  if (!IsHouseholdRelation(m.relation))
    return Fail(Error::InvalidArgument("'relation' is 户主, 本人, 配偶, 子女, 父母 or 其他")
                    .About("relation", "invalid"));
  return {};
}

json::Json MembersJson(const Household& h) {
  json::Json out = json::Json::array();
  for (const auto& m : h.members)
    out.push_back({{"account_id", m.account_id}, {"relation", m.relation}});
  return out;
}

}  // namespace

bool IsHouseholdRelation(std::string_view relation) {
  return std::find(std::begin(kRelations), std::end(kRelations), relation) != std::end(kRelations);
}

Result<std::vector<PointsReview>> PointsService::Reviews(const Principal& actor,
                                                         std::string_view unit_id,
                                                         std::string_view status, int limit) {
  if (limit < 1 || limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  if (!status.empty() && status != "pending" && status != "approved" && status != "rejected")
    return Fail(Error::InvalidArgument("'status' is pending, approved or rejected")
                    .About("status", "invalid"));
  if (unit_id.empty())
    return Fail(Error::InvalidArgument("'unit_id' is required").About("unit_id", "required"));
  XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), unit_id));
  if (!actor.is_system() && !MayRead(actor, unit->path))
    return Fail(Error::PermissionDenied(
        fmt::format("the review queue of {} is for points.manage and overseers", unit->name)));
  return db_.Read([&](Executor& ex) { return store::ListReviews(ex, unit->path, status, limit); });
}

Result<PointsReview> PointsService::DecideReview(const Principal& actor, std::string_view review_id,
                                                 bool approve, std::string_view note) {
  const Timestamp now = clock_.Now();
  if (CodePoints(note) > 200)
    return Fail(
        Error::InvalidArgument("'note' has at most 200 characters").About("note", "too_long"));
  if (!approve && note.empty())
    return Fail(Error::InvalidArgument("a rejection says why ('note')").About("note", "required"));
  XT_ASSIGN_OR_RETURN(auto found,
                      db_.Read([&](Executor& ex) { return store::FindReview(ex, review_id); }));
  if (!found) return Fail(NoReview(review_id));
  if (!actor.is_system() && !MayReview(actor, found->unit_path)) {
    if (MayRead(actor, found->unit_path))
      return Fail(Error::PermissionDenied("a held award is decided with points.manage"));
    return Fail(NoReview(review_id));
  }
  const auto earner = ParseAccountId(found->earner_account);
  const std::string earner_id = earner ? earner->owner_id : "";
  if (!actor.is_system() && (actor.account_id == found->decider || actor.account_id == earner_id))
    return Fail(Error::PermissionDenied("nobody reviews an award they decided or earn")
                    .About("review_id", "self_dealing"));
  auto out = db_.Write([&](Executor& ex) -> Result<PointsReview> {
    XT_ASSIGN_OR_RETURN(auto r, store::FindReview(ex, review_id));
    if (!r) return Fail(NoReview(review_id));
    if (r->status != "pending")
      return Fail(Error::Conflict(fmt::format("the review was already {}", r->status))
                      .About("review_id", "already_decided"));
    if (!actor.is_system()) {
      for (const auto& other : {r->decider, earner_id}) {
        if (other.empty()) continue;
        XT_ASSIGN_OR_RETURN(bool household, store::SameHousehold(ex, actor.account_id, other));
        if (household)
          return Fail(Error::PermissionDenied(
                          "nobody reviews an award of their own household's deciding or earning")
                          .About("review_id", "self_dealing"));
      }
    }
    r->decided_by = actor.account_id;
    r->decided_at = now;
    r->note = std::string(note);
    if (approve) {
      XT_ASSIGN_OR_RETURN(auto rule, store::FindRule(ex, r->rule_id));
      const std::string title = rule ? rule->title : r->trigger;
      XT_ASSIGN_OR_RETURN(auto in, DecidePosting({.id = ids_.Next(),
                                                  .kind = PostingKind::kAward,
                                                  .debit = IssuerAccount(r->unit_id),
                                                  .credit = r->earner_account,
                                                  .amount = r->amount,
                                                  .unit_id = r->unit_id,
                                                  .rule_id = r->rule_id,
                                                  .trigger = r->trigger,
                                                  .subject_id = r->subject_id,
                                                  .source_seq = r->source_seq,
                                                  .decider = r->decider,
                                                  .memo = "复核通过: " + title,
                                                  .actor = actor.account_id}));
      XT_ASSIGN_OR_RETURN(auto posting, store::Post(ex, in, now));
      r->status = "approved";
      r->posting_id = posting.id;
      XT_TRY_VOID(store::SetClaimOutcome(ex, r->trigger, r->subject_id, r->earner_account, "posted",
                                         posting.id, r->id));
    } else {
      r->status = "rejected";
      // Give back the caps it reserved, for the periods of the event that earned it.
      XT_ASSIGN_OR_RETURN(auto events, audit::EventsAfter(ex, r->source_seq - 1, "", 1));
      if (!events.empty() && events.front().seq == r->source_seq) {
        const Timestamp at = events.front().at;
        XT_TRY_VOID(store::Unuse(ex, r->earner_account, r->rule_id, MonthPeriod(at), r->amount));
        XT_TRY_VOID(store::Unuse(ex, r->earner_account, r->rule_id, DayPeriod(at), r->amount));
      }
      XT_TRY_VOID(store::SetClaimOutcome(ex, r->trigger, r->subject_id, r->earner_account,
                                         "rejected", "", r->id));
    }
    XT_ASSIGN_OR_RETURN(bool decided, store::DecideReview(ex, *r));
    if (!decided)
      return Fail(Error::Conflict("the review was decided meanwhile")
                      .About("review_id", "already_decided"));
    r->version += 1;
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id,
         "points.review.decided",
         r->id,
         {{"decision", r->status}, {"note", r->note}, {"posting_id", r->posting_id}}}));
    return *r;
  });
  if (out) Committed();
  return out;
}

// --- households

Result<std::shared_ptr<const identity::OrgUnit>> PointsService::HouseholdCommunity(
    const Principal& actor, std::string_view community_id, bool write) {
  if (community_id.empty())
    return Fail(
        Error::InvalidArgument("'community_id' is required").About("community_id", "required"));
  XT_ASSIGN_OR_RETURN(auto unit, identity_.GetUnit(Principal::System(), community_id));
  if (unit->kind != identity::UnitKind::kCommunity)
    return Fail(Error::InvalidArgument(fmt::format("{} is not a community", unit->name))
                    .About("community_id", "not_community"));
  const bool may_write = identity::Can(actor, Action::kParticipationStaff, unit->path) ||
                         identity::Can(actor, Action::kPointsManage, unit->path);
  const bool may_read =
      may_write || identity::Can(actor, Action::kParticipationOversee, unit->path);
  if (!actor.is_system() && !(write ? may_write : may_read))
    return Fail(Error::PermissionDenied(
        fmt::format("the households of {} are kept by its staff", unit->name)));
  return unit;
}

void PointsService::FillNames(Household& h) {
  for (auto& m : h.members)
    if (auto a = identity_.GetAccount(Principal::System(), m.account_id))
      m.display_name = a->display_name;
}

Result<std::vector<Household>> PointsService::Households(const Principal& actor,
                                                         std::string_view community_id) {
  XT_ASSIGN_OR_RETURN(auto unit, HouseholdCommunity(actor, community_id, false));
  XT_ASSIGN_OR_RETURN(auto list,
                      db_.Read([&](Executor& ex) { return store::ListHouseholds(ex, unit->id); }));
  for (auto& h : list) FillNames(h);
  return list;
}

Result<Household> PointsService::CreateHousehold(const Principal& actor, const NewHousehold& in) {
  const Timestamp now = clock_.Now();
  if (in.label.empty())
    return Fail(Error::InvalidArgument("'label' (the address in the community's register) is "
                                       "required")
                    .About("label", "required"));
  if (CodePoints(in.label) > kMaxLabel)
    return Fail(Error::InvalidArgument(fmt::format("'label' has at most {} characters", kMaxLabel))
                    .About("label", "too_long"));
  if (in.members.empty() || in.members.size() > kMaxMembers)
    return Fail(Error::InvalidArgument(fmt::format("a household has 1 to {} members", kMaxMembers))
                    .About("members", "out_of_range"));
  for (std::size_t i = 0; i < in.members.size(); ++i) {
    XT_TRY_VOID(CheckMember(in.members[i]));
    for (std::size_t j = 0; j < i; ++j)
      if (in.members[j].account_id == in.members[i].account_id)
        return Fail(
            Error::InvalidArgument("each member is named once").About("members", "duplicate"));
  }
  XT_ASSIGN_OR_RETURN(auto unit, HouseholdCommunity(actor, in.community_id, true));
  for (const auto& m : in.members)
    if (!identity_.GetAccount(Principal::System(), m.account_id))
      return Fail(Error::InvalidArgument(fmt::format("no account '{}'", m.account_id.substr(0, 64)))
                      .About("account_id", "unknown"));
  auto out = db_.Write([&](Executor& ex) -> Result<Household> {
    Household h{.id = ids_.Next(),
                .community_id = unit->id,
                .label = in.label,
                .members = {},
                .created_by = actor.account_id,
                .created_at = now,
                .version = 1};
    XT_TRY_VOID(store::InsertHousehold(ex, h));
    for (const auto& m : in.members) {
      XT_ASSIGN_OR_RETURN(bool added,
                          store::AddHouseholdMember(ex, h.id, m, actor.account_id, now));
      if (!added)
        return Fail(Error::Conflict(fmt::format("account {} is in another household already; "
                                                "take them out of it first",
                                                m.account_id))
                        .About("account_id", "in_household"));
      h.members.push_back({.account_id = m.account_id, .relation = m.relation});
    }
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "points.household.changed",
                               h.id,
                               {{"community_id", h.community_id}, {"members", MembersJson(h)}}}));
    return h;
  });
  if (!out) return out;
  Committed();
  FillNames(*out);
  return out;
}

Result<Household> PointsService::ChangeHousehold(const Principal& actor,
                                                 std::string_view household_id,
                                                 const HouseholdMember* add,
                                                 std::string_view remove) {
  const Timestamp now = clock_.Now();
  if (add) {
    XT_TRY_VOID(CheckMember(*add));
  }
  XT_ASSIGN_OR_RETURN(
      auto found, db_.Read([&](Executor& ex) { return store::FindHousehold(ex, household_id); }));
  auto none = Error::NotFound(fmt::format("no household '{}'", household_id.substr(0, 64)));
  if (!found) return Fail(std::move(none));
  auto unit = HouseholdCommunity(actor, found->community_id, true);
  if (!unit) {
    if (unit.error().code == ErrorCode::kPermissionDenied &&
        !HouseholdCommunity(actor, found->community_id, false))
      return Fail(std::move(none));
    return Fail(unit.error());
  }
  if (add && !identity_.GetAccount(Principal::System(), add->account_id))
    return Fail(
        Error::InvalidArgument(fmt::format("no account '{}'", add->account_id.substr(0, 64)))
            .About("account_id", "unknown"));
  auto out = db_.Write([&](Executor& ex) -> Result<Household> {
    XT_ASSIGN_OR_RETURN(auto h, store::FindHousehold(ex, household_id));
    if (!h) return Fail(Error::NotFound("the household is gone"));
    if (add) {
      if (h->members.size() >= kMaxMembers)
        return Fail(
            Error::InvalidArgument(fmt::format("a household has at most {} members", kMaxMembers))
                .About("members", "out_of_range"));
      XT_ASSIGN_OR_RETURN(bool added,
                          store::AddHouseholdMember(ex, h->id, *add, actor.account_id, now));
      if (!added)
        return Fail(
            Error::Conflict(fmt::format("account {} is in a household already", add->account_id))
                .About("account_id", "in_household"));
    } else {
      XT_ASSIGN_OR_RETURN(bool removed, store::RemoveHouseholdMember(ex, h->id, remove));
      if (!removed)
        return Fail(Error::NotFound(
            fmt::format("account {} is not in this household", remove.substr(0, 64))));
    }
    XT_TRY_VOID(store::TouchHousehold(ex, h->id));
    XT_ASSIGN_OR_RETURN(h, store::FindHousehold(ex, household_id));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "points.household.changed",
                               h->id,
                               {{"community_id", h->community_id}, {"members", MembersJson(*h)}}}));
    return *h;
  });
  if (!out) return out;
  Committed();
  FillNames(*out);
  return out;
}

Result<Household> PointsService::AddHouseholdMember(const Principal& actor,
                                                    std::string_view household_id,
                                                    const HouseholdMember& m) {
  return ChangeHousehold(actor, household_id, &m, "");
}

Result<Household> PointsService::RemoveHouseholdMember(const Principal& actor,
                                                       std::string_view household_id,
                                                       std::string_view account_id) {
  return ChangeHousehold(actor, household_id, nullptr, account_id);
}

}  // namespace xietong::participation
