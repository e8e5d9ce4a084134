#include "http/points_handlers.h"

#include <fmt/core.h>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

using participation::PointsService;

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }
json::Json OptStr(const std::optional<std::string>& s) {
  return s ? json::Json(*s) : json::Json(nullptr);
}

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "points";
  return d;
}

// --- encoders (each mirrored by a schema in PointsSchemas) ----------------------------

json::Json TriggerJson(const participation::TriggerInfo& t) {
  return {{"trigger", t.code},
          {"name_zh", t.name_zh},
          {"name_en", t.name_en},
          {"per", t.per},
          {"source_event", t.source_event}};
}

json::Json RuleJson(const participation::Rule& r) {
  return {{"id", r.id},
          {"unit_id", r.unit_id},
          {"unit_name", r.unit_name},
          {"trigger", participation::TriggerCode(r.trigger)},
          {"trigger_name", participation::InfoOf(r.trigger).name_zh},
          {"per", participation::InfoOf(r.trigger).per},
          {"title", r.title},
          {"points", r.points},
          {"daily_cap", r.daily_cap},
          {"monthly_cap", r.monthly_cap},
          {"valid_from", Time(r.valid_from)},
          {"valid_until", Time(r.valid_until)},
          {"status", r.status},
          {"created_by", r.created_by},
          {"created_at", Time(r.created_at)},
          {"retire_reason", r.retire_reason},
          {"version", r.version}};
}

json::Json PostingJson(const participation::Posting& p) {
  return {{"id", p.id},
          {"kind", participation::PostingKindName(p.kind)},
          {"debit", p.debit},
          {"credit", p.credit},
          {"amount", p.amount},
          {"debit_balance_after", p.debit_balance_after},
          {"credit_balance_after", p.credit_balance_after},
          {"unit_id", p.unit_id},
          {"rule_id", p.rule_id},
          {"trigger", p.trigger},
          {"subject_id", p.subject_id},
          {"source_seq", p.source_seq},
          {"memo", p.memo},
          {"actor", p.actor},
          {"posted_at", Time(p.posted_at)},
          {"reverses", OptStr(p.reverses)},
          {"reversed_by", OptStr(p.reversed_by)},
          {"audit_seq", p.audit_seq}};
}

json::Json LineJson(const participation::PostingLine& l) {
  return {{"id", l.id},
          {"posted_at", Time(l.posted_at)},
          {"kind", participation::PostingKindName(l.kind)},
          {"amount", l.amount},
          {"balance_after", l.balance_after},
          {"counterparty", l.counterparty},
          {"trigger", l.trigger},
          {"rule_id", l.rule_id},
          {"memo", l.memo},
          {"subject_id", l.subject_id},
          {"reverses", OptStr(l.reverses)},
          {"reversed_by", OptStr(l.reversed_by)},
          {"audit_seq", l.audit_seq}};
}

json::Json PageJson(const participation::PostingPage& p) {
  json::Json items = json::Json::array();
  for (const auto& l : p.items) items.push_back(LineJson(l));
  return {{"items", std::move(items)},
          {"next_cursor", p.next_cursor.empty() ? json::Json(nullptr) : json::Json(p.next_cursor)}};
}

json::Json AccountJson(const participation::AccountView& v) {
  json::Json badges = json::Json::array();
  for (const auto& b : v.badges)
    badges.push_back({{"code", b.code}, {"name_zh", b.name_zh}, {"name_en", b.name_en}});
  return {{"id", v.account.id},
          {"kind", participation::AccountKindName(v.account.kind)},
          {"owner_id", v.account.owner_id},
          {"owner_name", v.owner_name},
          {"balance", v.account.balance},
          {"lifetime_earned", v.account.lifetime_earned},
          {"level",
           {{"code", v.level.code},
            {"name_zh", v.level.name_zh},
            {"name_en", v.level.name_en},
            {"next_at", v.level.next_at ? json::Json(v.level.next_at) : json::Json(nullptr)}}},
          {"badges", std::move(badges)},
          {"postings", PageJson(v.postings)}};
}

json::Json SettingsJson(const participation::ParticipationSettings& s) {
  return {{"unit_id", s.unit_id},
          {"support_threshold", s.support_threshold},
          {"support_days", s.support_days},
          {"velocity_per_hour", s.velocity_per_hour},
          {"velocity_per_day", s.velocity_per_day},
          {"same_decider_per_month", s.same_decider_per_month},
          {"manual_award_max", s.manual_award_max},
          {"version", s.version}};
}

json::Json RewardJson(const participation::RewardView& v) {
  const auto& r = v.reward;
  return {{"id", r.id},
          {"community_id", r.community_id},
          {"kind", participation::RewardKindName(r.kind)},
          {"title", r.title},
          {"description", r.description},
          {"cost", r.cost},
          {"stock", r.stock ? json::Json(*r.stock) : json::Json(nullptr)},
          {"per_person_limit", r.per_person_limit},
          {"needs_approval", r.needs_approval},
          {"status", r.status},
          {"created_at", Time(r.created_at)},
          {"my_redeemed", v.my_redeemed}};
}

json::Json RedemptionJson(const participation::Redemption& d) {
  return {{"id", d.id},
          {"reward_id", d.reward_id},
          {"reward_title", d.reward_title},
          {"community_id", d.community_id},
          {"account_id", d.account_id},
          {"requested_by", d.requested_by},
          {"quantity", d.quantity},
          {"points", d.points},
          {"status", participation::RedemptionStatusName(d.status)},
          {"posting_id", d.posting_id},
          {"refund_posting_id",
           d.refund_posting_id.empty() ? json::Json(nullptr) : json::Json(d.refund_posting_id)},
          {"requested_at", Time(d.requested_at)},
          {"decided_by", d.decided_by},
          {"decided_at", Time(d.decided_at)},
          {"note", d.note},
          {"fulfilled_at", Time(d.fulfilled_at)},
          {"version", d.version}};
}

json::Json ReviewJson(const participation::PointsReview& v) {
  return {{"id", v.id},
          {"unit_id", v.unit_id},
          {"trigger", v.trigger},
          {"subject_id", v.subject_id},
          {"earner_account", v.earner_account},
          {"decider", v.decider},
          {"rule_id", v.rule_id},
          {"amount", v.amount},
          {"source_seq", v.source_seq},
          {"reasons", v.reasons},
          {"status", v.status},
          {"created_at", Time(v.created_at)},
          {"decided_by", v.decided_by},
          {"decided_at", Time(v.decided_at)},
          {"note", v.note},
          {"posting_id", v.posting_id.empty() ? json::Json(nullptr) : json::Json(v.posting_id)},
          {"version", v.version}};
}

json::Json HouseholdJson(const participation::Household& h) {
  json::Json members = json::Json::array();
  for (const auto& m : h.members)
    members.push_back(
        {{"account_id", m.account_id}, {"relation", m.relation}, {"display_name", m.display_name}});
  return {{"id", h.id},
          {"community_id", h.community_id},
          {"label", h.label},
          {"members", std::move(members)},
          {"created_by", h.created_by},
          {"created_at", Time(h.created_at)},
          {"version", h.version}};
}

Result<participation::HouseholdMember> MemberIn(const json::Json& m) {
  if (!m.is_object())
    return Fail(Error::InvalidArgument("each member is an object {account_id, relation}")
                    .About("members", "invalid"));
  participation::HouseholdMember out;
  XT_ASSIGN_OR_RETURN(out.account_id, json::RequireString(m, "account_id", {1, 64}));
  XT_ASSIGN_OR_RETURN(out.relation, json::RequireString(m, "relation", {1, 8}));
  return out;
}

json::Json HonourRollJson(const participation::HonourRoll& r) {
  json::Json entries = json::Json::array();
  for (const auto& e : r.entries)
    entries.push_back(
        {{"rank", e.rank},
         {"account_id", e.account_id},
         {"display_name", e.display_name},
         {"points", e.points},
         {"level",
          {{"code", e.level.code}, {"name_zh", e.level.name_zh}, {"name_en", e.level.name_en}}}});
  return {{"unit_id", r.unit_id},
          {"unit_name", r.unit_name},
          {"month", r.month},
          {"published", r.published},
          {"published_at", Time(r.published_at)},
          {"entries", std::move(entries)}};
}

Result<std::optional<Timestamp>> TimeQuery(const Request& req, std::string_view name) {
  auto v = req.Query(name);
  if (!v || v->empty()) return std::optional<Timestamp>();
  auto t = ParseRfc3339(*v);
  if (!t)
    return Fail(Error::InvalidArgument(fmt::format("'{}' is a time in RFC 3339, e.g. "
                                                   "2026-01-01T00:00:00+08:00",
                                                   name))
                    .About(std::string(name), "invalid"));
  return std::optional<Timestamp>(*t);
}

// --- request parsing ------------------------------------------------------------------

Result<std::int64_t> IntIn(const json::Json& body, std::string_view field, std::int64_t min,
                           std::int64_t max) {
  XT_ASSIGN_OR_RETURN(auto v, json::RequireInt(body, field));
  if (v < min || v > max)
    return Fail(Error::InvalidArgument(fmt::format("field '{}': {}–{}", field, min, max))
                    .About(std::string(field), "out_of_range"));
  return v;
}

Result<std::optional<Timestamp>> OptionalTime(const json::Json& body, std::string_view field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<Timestamp>();
  std::optional<Timestamp> t;
  if (it->is_string()) {
    if (auto parsed = ParseRfc3339(it->get<std::string>())) t = *parsed;
  }
  if (!t)
    return Fail(
        Error::InvalidArgument(
            fmt::format("field '{}': a time in RFC 3339, e.g. 2026-12-01T00:00:00+08:00", field))
            .About(std::string(field), "invalid"));
  return std::optional<Timestamp>(*t);
}

ParamDoc Id(std::string what) { return doc::PathId("id", std::move(what)); }

}  // namespace

void RegisterPointsRoutes(Api& api, PointsService& points) {
  Router& r = api.router();
  const std::string base = "/api/v1/points";

  {
    RouteDoc d = Doc("What points may be awarded for", "积分事由");
    d.description =
        "The triggers a rule may award on, with the event each is read from. A satisfied "
        "callback is not among them: the rating never decides whether points are paid.";
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("PointsTrigger")))};
    r.Add("GET", base + "/triggers", Auth::kRequired, d, [](Request&) -> Result<Response> {
      json::Json items = json::Json::array();
      for (const auto& t : participation::Triggers()) items.push_back(TriggerJson(t));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("Points rules", "积分规则");
    d.description =
        "Staff read the rules of their units (and of the units above, which apply there); "
        "residents read the active rules over their community (how to earn).";
    d.query = {doc::QueryParam("unit_id", "one unit's rules and those that apply to it"),
               doc::QueryParam("status", "active or retired", doc::Enum({"active", "retired"}))};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("PointsRule")))};
    d.errors = {400, 403, 404};
    r.Add("GET", base + "/rules", Auth::kRequired, d, [&points](Request& req) -> Result<Response> {
      participation::RuleFilter f;
      f.unit_id = req.Query("unit_id").value_or("");
      f.status = req.Query("status").value_or("");
      XT_ASSIGN_OR_RETURN(auto list, points.Rules(req.actor(), f));
      json::Json items = json::Json::array();
      for (const auto& x : list) items.push_back(RuleJson(x));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("Create a points rule", "新建积分规则");
    d.description =
        "points.manage over unit_id. One active rule per unit and trigger (409 rule_exists); "
        "an unknown trigger is 400 unknown_trigger with the list of triggers. points per "
        "event (per hour for volunteer_hour), points ≤ daily_cap ≤ monthly_cap; valid_from "
        "defaults to now and may not be in the past.";
    d.body = {doc::Json(doc::Ref("NewPointsRule"))};
    d.answers = {doc::Ok(doc::Ref("PointsRule"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/rules", Auth::kRequired, d, [&points](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      participation::NewRule in;
      XT_ASSIGN_OR_RETURN(in.unit_id, TextField(body, "unit_id", true, 64));
      XT_ASSIGN_OR_RETURN(in.trigger, TextField(body, "trigger", true, 64));
      XT_ASSIGN_OR_RETURN(in.title, TextField(body, "title", true, 200));
      XT_ASSIGN_OR_RETURN(in.points, IntIn(body, "points", 1, 1000));
      XT_ASSIGN_OR_RETURN(in.daily_cap, IntIn(body, "daily_cap", 1, 1'000'000));
      XT_ASSIGN_OR_RETURN(in.monthly_cap, IntIn(body, "monthly_cap", 1, 100'000'000));
      XT_ASSIGN_OR_RETURN(in.valid_from, OptionalTime(body, "valid_from"));
      XT_ASSIGN_OR_RETURN(auto rule, points.CreateRule(req.actor(), in));
      return Response::Json(201, RuleJson(rule));
    });
  }
  {
    RouteDoc d = Doc("Retire a points rule", "停用积分规则");
    d.description = "points.manage over the rule's unit. It pays for nothing after now.";
    d.path = {Id("the rule")};
    d.body = {doc::Json(doc::Ref("PointsReason"))};
    d.answers = {doc::Ok(doc::Ref("PointsRule"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/rules/{id}/retire", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto reason, TextField(body, "reason", true, 200));
            XT_ASSIGN_OR_RETURN(auto rule, points.RetireRule(req.actor(), req.Param("id"), reason));
            return Response::Json(200, RuleJson(rule));
          });
  }
  {
    RouteDoc d = Doc("Award points by hand (社区表彰)", "手工奖励积分");
    d.description =
        "points.manage over unit_id, whose ledger pays it. Never to oneself or a member of "
        "one's household (403 self_dealing); at most the unit's manual_award_max (400 "
        "over_manual_max). account_id: a person's account id, person:<id> or "
        "organisation:<unit id>. A retry with the same Idempotency-Key answers the first "
        "posting.";
    d.headers = {doc::IdempotencyKey()};
    d.body = {doc::Json(doc::Ref("NewPointsAward"))};
    d.answers = {doc::Ok(doc::Ref("PointsPosting"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/awards", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            participation::ManualAward in;
            XT_ASSIGN_OR_RETURN(in.unit_id, TextField(body, "unit_id", true, 64));
            XT_ASSIGN_OR_RETURN(in.account_id, TextField(body, "account_id", true, 100));
            XT_ASSIGN_OR_RETURN(in.amount, IntIn(body, "amount", 1, 1'000'000));
            XT_ASSIGN_OR_RETURN(in.memo, TextField(body, "memo", true, 1000));
            in.idempotency_key = std::string(req.Header("idempotency-key"));
            XT_ASSIGN_OR_RETURN(auto p, points.Award(req.actor(), in));
            return Response::Json(201, PostingJson(p));
          });
  }
  {
    RouteDoc d = Doc("Reverse a posting (冲正)", "冲正");
    d.description =
        "points.manage over the posting's unit: a new posting with the accounts swapped, "
        "naming the one it reverses. 409 already_reversed, not_reversible (a reversal, refund "
        "or redemption), insufficient_points (spent: cancel or reject the redemption first).";
    d.path = {Id("the posting")};
    d.body = {doc::Json(doc::Ref("PointsReason"))};
    d.answers = {doc::Ok(doc::Ref("PointsPosting"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/postings/{id}/reverse", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto reason, TextField(body, "reason", true, 200));
            XT_ASSIGN_OR_RETURN(auto p, points.Reverse(req.actor(), req.Param("id"), reason));
            return Response::Json(201, PostingJson(p));
          });
  }
  {
    RouteDoc d = Doc("A posting with both sides", "积分流水详情");
    d.description = "For the readers of either account, and points.manage over its unit.";
    d.path = {Id("the posting")};
    d.answers = {doc::Ok(doc::Ref("PointsPosting"))};
    d.errors = {404};
    r.Add("GET", base + "/postings/{id}", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto p, points.GetPosting(req.actor(), req.Param("id")));
            return Response::Json(200, PostingJson(p));
          });
  }
  {
    RouteDoc d = Doc("A points account: balance, level, badges, latest postings", "积分账户");
    d.description =
        "id: me, a person's account id, person:<id> or organisation:<unit id>. For the "
        "holder, an organisation's members and staff over the holder's community; others "
        "404. Postings newest first, each from this account's side (± amount and running "
        "balance).";
    d.path = {Id("the account, or me")};
    d.query = {doc::Limit(200, 20)};
    d.answers = {doc::Ok(doc::Ref("PointsAccount"))};
    d.errors = {400, 404};
    r.Add("GET", base + "/accounts/{id}", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            int limit = 20;
            if (req.Query("limit")) {
              XT_ASSIGN_OR_RETURN(limit, LimitParam(req));
            }
            XT_ASSIGN_OR_RETURN(auto v, points.GetAccount(req.actor(), req.Param("id"), limit));
            return Response::Json(200, AccountJson(v));
          });
  }
  {
    RouteDoc d = Doc("An account's postings, a page at a time", "积分明细");
    d.path = {Id("the account, or me")};
    d.query = {doc::Cursor(), doc::Limit(200, 50),
               doc::QueryParam("trigger", "only postings of this trigger (or manual)")};
    d.answers = {doc::Ok(doc::Ref("PointsPostingPage"))};
    d.errors = {400, 404};
    r.Add("GET", base + "/accounts/{id}/postings", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            participation::PostingQuery q;
            q.cursor = req.Query("cursor").value_or("");
            q.trigger = req.Query("trigger").value_or("");
            if (req.Query("limit")) {
              XT_ASSIGN_OR_RETURN(q.limit, LimitParam(req));
            }
            XT_ASSIGN_OR_RETURN(auto page, points.Postings(req.actor(), req.Param("id"), q));
            return Response::Json(200, PageJson(page));
          });
  }
  {
    RouteDoc d = Doc("A community's rewards (积分兑换)", "兑换商品");
    d.description =
        "For the community's residents (the active rewards) and its staff (retired ones "
        "too). my_redeemed: the items the caller holds in open or fulfilled redemptions.";
    d.query = {doc::QueryParam("community_id", "the community", doc::String(1), true)};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("PointsReward")))};
    d.errors = {400, 403, 404};
    r.Add("GET", base + "/rewards", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(
                auto list, points.Rewards(req.actor(), req.Query("community_id").value_or("")));
            json::Json items = json::Json::array();
            for (const auto& x : list) items.push_back(RewardJson(x));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Offer a reward", "上架兑换商品");
    d.description =
        "participation.staff over the community. stock null: unlimited (honours, policies); "
        "per_person_limit 0: none; needs_approval: a redemption waits for staff before it "
        "is fulfilled.";
    d.body = {doc::Json(doc::Ref("NewPointsReward"))};
    d.answers = {doc::Ok(doc::Ref("PointsReward"), 201)};
    d.errors = {400, 403, 404};
    r.Add("POST", base + "/rewards", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            participation::NewReward in;
            XT_ASSIGN_OR_RETURN(in.community_id, TextField(body, "community_id", true, 64));
            XT_ASSIGN_OR_RETURN(in.kind, TextField(body, "kind", true, 20));
            XT_ASSIGN_OR_RETURN(in.title, TextField(body, "title", true, 200));
            XT_ASSIGN_OR_RETURN(in.description, TextField(body, "description", false, 2000));
            XT_ASSIGN_OR_RETURN(in.cost, IntIn(body, "cost", 1, 100'000));
            if (auto it = body.find("stock"); it != body.end() && !it->is_null()) {
              XT_ASSIGN_OR_RETURN(auto stock, IntIn(body, "stock", 0, 1'000'000));
              in.stock = stock;
            }
            if (body.contains("per_person_limit")) {
              XT_ASSIGN_OR_RETURN(in.per_person_limit, IntIn(body, "per_person_limit", 0, 1000));
            }
            XT_ASSIGN_OR_RETURN(auto approval, json::OptionalBool(body, "needs_approval"));
            in.needs_approval = approval.value_or(false);
            XT_ASSIGN_OR_RETURN(auto reward, points.CreateReward(req.actor(), in));
            return Response::Json(201, RewardJson({.reward = std::move(reward)}));
          });
  }
  {
    RouteDoc d = Doc("Redeem points for a reward", "积分兑换");
    d.description =
        "Only a registered resident of the reward's community (403 not_resident). The "
        "points go from the caller's account to the community's reward pool and the stock "
        "goes down, in one transaction: 409 insufficient_points, per_person_limit, sold_out "
        "(concurrent redemptions of the last item: exactly one wins), reward_retired; "
        "nothing is left behind by a refusal. A retry with the same Idempotency-Key answers "
        "the first redemption.";
    d.headers = {doc::IdempotencyKey()};
    d.body = {doc::Json(doc::Ref("NewPointsRedemption"))};
    d.answers = {doc::Ok(doc::Ref("PointsRedemption"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/redemptions", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            participation::NewRedemption in;
            XT_ASSIGN_OR_RETURN(in.reward_id, TextField(body, "reward_id", true, 64));
            if (body.contains("quantity")) {
              XT_ASSIGN_OR_RETURN(in.quantity, IntIn(body, "quantity", 1, 100));
            }
            in.idempotency_key = std::string(req.Header("idempotency-key"));
            XT_ASSIGN_OR_RETURN(auto out, points.Redeem(req.actor(), in));
            return Response::Json(201, RedemptionJson(out));
          });
  }
  {
    RouteDoc d = Doc("Redemptions: mine, or a community's queue", "兑换记录");
    d.description =
        "scope mine (default): the caller's; scope community: staff over community_id. "
        "Newest first.";
    d.query = {
        doc::QueryParam("scope", "mine or community", doc::Enum({"mine", "community"})),
        doc::QueryParam("community_id", "the community"),
        doc::QueryParam("status", "only this status",
                        doc::Enum({"requested", "approved", "fulfilled", "rejected", "cancelled"})),
        doc::Limit(200, 100)};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("PointsRedemption")))};
    d.errors = {400, 403, 404};
    r.Add("GET", base + "/redemptions", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            participation::RedemptionQuery q;
            q.scope = req.Query("scope").value_or("mine");
            q.community_id = req.Query("community_id").value_or("");
            q.status = req.Query("status").value_or("");
            if (req.Query("limit")) {
              XT_ASSIGN_OR_RETURN(q.limit, LimitParam(req));
            }
            XT_ASSIGN_OR_RETURN(auto list, points.Redemptions(req.actor(), q));
            json::Json items = json::Json::array();
            for (const auto& x : list) items.push_back(RedemptionJson(x));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  for (auto move :
       {participation::RedemptionMove::kApprove, participation::RedemptionMove::kReject,
        participation::RedemptionMove::kFulfil, participation::RedemptionMove::kCancel}) {
    const std::string name(participation::RedemptionMoveName(move));
    RouteDoc d;
    switch (move) {
      case participation::RedemptionMove::kApprove:
        d = Doc("Approve a redemption", "批准兑换");
        d.description =
            "participation.staff over the community, never one's own or one's household's "
            "(403 self_dealing). requested → approved.";
        break;
      case participation::RedemptionMove::kReject:
        d = Doc("Reject a redemption (points refunded)", "驳回兑换");
        d.description =
            "participation.staff over the community; reason required. requested or approved "
            "→ rejected: a refund posting gives the points back and the stock returns.";
        break;
      case participation::RedemptionMove::kFulfil:
        d = Doc("Hand over a redeemed reward", "兑换发放");
        d.description = "participation.staff over the community. approved → fulfilled.";
        break;
      case participation::RedemptionMove::kCancel:
        d = Doc("Cancel a redemption (points refunded)", "取消兑换");
        d.description =
            "The holder (or the community's staff). requested or approved → cancelled: a "
            "refund posting gives the points back and the stock returns.";
        break;
    }
    d.description += " 409 invalid_transition from any other status.";
    d.path = {Id("the redemption")};
    d.body = {doc::Json(doc::Ref(
        move == participation::RedemptionMove::kReject ? "PointsReason" : "PointsRedemptionNote"))};
    d.body_required = move == participation::RedemptionMove::kReject;
    d.answers = {doc::Ok(doc::Ref("PointsRedemption"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/redemptions/{id}/" + name, Auth::kRequired, d,
          [&points, move](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, OptionalJsonBody(req));
            std::string note;
            if (move == participation::RedemptionMove::kReject) {
              XT_ASSIGN_OR_RETURN(note, TextField(body, "reason", true, 200));
            } else {
              XT_ASSIGN_OR_RETURN(note, TextField(body, "note", false, 200));
            }
            XT_ASSIGN_OR_RETURN(auto out,
                                points.DecideRedemption(req.actor(), req.Param("id"), move, note));
            return Response::Json(200, RedemptionJson(out));
          });
  }
  {
    RouteDoc d = Doc("Held awards waiting for review (复核)", "待复核积分");
    d.description =
        "points.manage or participation.oversee over unit_id: the held awards of the unit and "
        "the units below it, newest first, with why each was held (self, household, "
        "velocity_hour, velocity_day, same_decider).";
    d.query = {doc::QueryParam("unit_id", "the unit", doc::String(1), true),
               doc::QueryParam("status", "only this status",
                               doc::Enum({"pending", "approved", "rejected"})),
               doc::Limit(200, 100)};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("PointsReview")))};
    d.errors = {400, 403, 404};
    r.Add("GET", base + "/reviews", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            int limit = 100;
            if (req.Query("limit")) {
              XT_ASSIGN_OR_RETURN(limit, LimitParam(req));
            }
            XT_ASSIGN_OR_RETURN(auto list,
                                points.Reviews(req.actor(), req.Query("unit_id").value_or(""),
                                               req.Query("status").value_or(""), limit));
            json::Json items = json::Json::array();
            for (const auto& x : list) items.push_back(ReviewJson(x));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  for (const bool approve : {true, false}) {
    RouteDoc d = approve ? Doc("Approve a held award: it is posted", "复核通过")
                         : Doc("Reject a held award: nothing is posted", "复核驳回");
    d.description =
        "points.manage over the review's unit; never the decider, the earner or a member of "
        "either's household (403 self_dealing). 409 already_decided. A rejection needs a "
        "note and gives back the caps the award held.";
    d.path = {Id("the review")};
    d.body = {doc::Json(doc::Ref("PointsRedemptionNote"))};
    d.body_required = !approve;
    d.answers = {doc::Ok(doc::Ref("PointsReview"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + (approve ? "/reviews/{id}/approve" : "/reviews/{id}/reject"),
          Auth::kRequired, d, [&points, approve](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, OptionalJsonBody(req));
            XT_ASSIGN_OR_RETURN(auto note, TextField(body, "note", !approve, 200));
            XT_ASSIGN_OR_RETURN(auto out,
                                points.DecideReview(req.actor(), req.Param("id"), approve, note));
            return Response::Json(200, ReviewJson(out));
          });
  }
  {
    RouteDoc d = Doc("A unit's participation settings", "参与参数");
    d.description =
        "Staff over the unit. A unit without its own row shows what applies there (its "
        "street's, else the defaults) with version 0.";
    d.path = {doc::PathId("unit_id", "the unit")};
    d.answers = {doc::Ok(doc::Ref("ParticipationSettings"), 200, {doc::ETag()})};
    d.errors = {403, 404};
    r.Add("GET", base + "/settings/{unit_id}", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto s, points.Settings(req.actor(), req.Param("unit_id")));
            auto resp = Response::Json(200, SettingsJson(s));
            resp.SetHeader("ETag", VersionETag(s.version));
            return resp;
          });
  }
  {
    RouteDoc d = Doc("Change a unit's participation settings", "修改参与参数");
    d.description =
        "points.manage over the unit. If-Match: the version read (0 when the unit had no row "
        "of its own); 409 when someone changed them meanwhile.";
    d.path = {doc::PathId("unit_id", "the unit")};
    d.headers = {doc::IfMatch(true)};
    d.body = {doc::Json(doc::Ref("ParticipationSettingsInput"))};
    d.answers = {doc::Ok(doc::Ref("ParticipationSettings"), 200, {doc::ETag()})};
    d.errors = {400, 403, 404, 409, 428};
    r.Add("PUT", base + "/settings/{unit_id}", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto version, RequireIfMatch(req, "the settings"));
            participation::ParticipationSettings s;
            s.unit_id = std::string(req.Param("unit_id"));
            XT_ASSIGN_OR_RETURN(s.support_threshold, IntIn(body, "support_threshold", 1, 1000));
            XT_ASSIGN_OR_RETURN(s.support_days, IntIn(body, "support_days", 1, 365));
            XT_ASSIGN_OR_RETURN(s.velocity_per_hour, IntIn(body, "velocity_per_hour", 1, 10000));
            XT_ASSIGN_OR_RETURN(s.velocity_per_day, IntIn(body, "velocity_per_day", 1, 10000));
            XT_ASSIGN_OR_RETURN(s.same_decider_per_month,
                                IntIn(body, "same_decider_per_month", 1, 1000));
            XT_ASSIGN_OR_RETURN(s.manual_award_max, IntIn(body, "manual_award_max", 1, 100000));
            XT_ASSIGN_OR_RETURN(auto saved, points.UpdateSettings(req.actor(), s, version));
            auto resp = Response::Json(200, SettingsJson(saved));
            resp.SetHeader("ETag", VersionETag(saved.version));
            return resp;
          });
  }
  {
    RouteDoc d = Doc("A community's households (家庭户)", "家庭户");
    d.description =
        "Staff (participation.staff, points.manage, overseers) over the community. A "
        "household's members are caught as self-dealing when one awards, confirms or "
        "approves for another. The label is personal data: never on the audit chain.";
    d.query = {doc::QueryParam("community_id", "the community", doc::String(1), true)};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("PointsHousehold")))};
    d.errors = {400, 403, 404};
    r.Add("GET", base + "/households", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(
                auto list, points.Households(req.actor(), req.Query("community_id").value_or("")));
            json::Json items = json::Json::array();
            for (const auto& h : list) items.push_back(HouseholdJson(h));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Record a household", "登记家庭户");
    d.description =
        "participation.staff or points.manage over the community, from its own register. "
        "1–12 distinct members, each with a relation (户主 本人 配偶 子女 父母 其他); 409 "
        "in_household when one is in a household already.";
    d.body = {doc::Json(doc::Ref("NewPointsHousehold"))};
    d.answers = {doc::Ok(doc::Ref("PointsHousehold"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add(
        "POST", base + "/households", Auth::kRequired, d,
        [&points](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
          participation::NewHousehold in;
          XT_ASSIGN_OR_RETURN(in.community_id, json::RequireString(body, "community_id", {1, 64}));
          XT_ASSIGN_OR_RETURN(in.label, json::RequireString(body, "label", {1, 80}));
          auto it = body.find("members");
          if (it == body.end() || !it->is_array())
            return Fail(Error::InvalidArgument("'members' is a list of {account_id, relation}")
                            .About("members", "required"));
          for (const auto& m : *it) {
            XT_ASSIGN_OR_RETURN(auto member, MemberIn(m));
            in.members.push_back(std::move(member));
          }
          XT_ASSIGN_OR_RETURN(auto h, points.CreateHousehold(req.actor(), in));
          return Response::Json(201, HouseholdJson(h));
        });
  }
  {
    RouteDoc d = Doc("Add a member to a household", "添加家庭成员");
    d.description =
        "participation.staff or points.manage over the household's community. 409 "
        "in_household when the account is in a household already.";
    d.path = {Id("the household")};
    d.body = {doc::Json(doc::Ref("PointsHouseholdMemberInput"))};
    d.answers = {doc::Ok(doc::Ref("PointsHousehold"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/households/{id}/members", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto m, MemberIn(body));
            XT_ASSIGN_OR_RETURN(auto h, points.AddHouseholdMember(req.actor(), req.Param("id"), m));
            return Response::Json(200, HouseholdJson(h));
          });
  }
  {
    RouteDoc d = Doc("Take a member out of a household", "移除家庭成员");
    d.description = "participation.staff or points.manage over the household's community.";
    d.path = {Id("the household"), doc::PathId("account_id", "the member's account")};
    d.answers = {doc::Ok(doc::Ref("PointsHousehold"))};
    d.errors = {403, 404};
    r.Add("DELETE", base + "/households/{id}/members/{account_id}", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto h, points.RemoveHouseholdMember(req.actor(), req.Param("id"),
                                                                     req.Param("account_id")));
            return Response::Json(200, HouseholdJson(h));
          });
  }
  {
    RouteDoc d = Doc("A signed statement of an account's points (信用积分证明)", "信用积分证明");
    d.description =
        "The holder ('me'), an organisation's members, staff over the holder's community. "
        "The envelope {format, public_key, signature, statement}: signature = Ed25519(the "
        "instance key, \"xietong points statement\\n\" + statement), so a bank verifies it "
        "offline with the public key (GET /api/v1/points/public-key, or `xietong points "
        "verify-statement`). Each issue is recorded with its digest and audited.";
    d.path = {
        doc::PathId("account_id", "me, person:<id>, organisation:<unit id> or an account id")};
    d.query = {
        doc::QueryParam("from", "period start (RFC 3339; default: the beginning)", doc::DateTime()),
        doc::QueryParam("to", "period end (RFC 3339; default and at most: now)", doc::DateTime()),
        doc::QueryParam("audience", "who it is for, e.g. 江澜农商银行·信用积分贷",
                        doc::String(0, 80))};
    d.answers = {
        doc::Ok(doc::Ref("PointsStatementEnvelope"), 200,
                {{"Content-Disposition", "attachment; filename=points-statement-<date>.json",
                  doc::String(), false}})};
    d.errors = {400, 404};
    r.Add("GET", base + "/statements/{account_id}", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            participation::StatementRequest in;
            in.account_id = std::string(req.Param("account_id"));
            XT_ASSIGN_OR_RETURN(in.from, TimeQuery(req, "from"));
            XT_ASSIGN_OR_RETURN(in.to, TimeQuery(req, "to"));
            in.audience = req.Query("audience").value_or("");
            if (json::FindMisleadingChar(in.audience) || json::FindInvalidUtf8(in.audience))
              return Fail(Error::InvalidArgument("'audience' has a character that hides text")
                              .About("audience", "invalid"));
            XT_ASSIGN_OR_RETURN(auto out, points.IssueStatement(req.actor(), in));
            Response resp;
            resp.status = 200;
            resp.body = out.envelope;
            resp.SetHeader("Content-Disposition",
                           fmt::format("attachment; filename=\"points-statement-{}.json\"",
                                       FormatRfc3339(out.issued_at).substr(0, 10)));
            return resp;
          });
  }
  {
    RouteDoc d = Doc("Verify a points statement", "核验信用积分证明");
    d.description =
        "Public. The envelope as issued, checked against this instance's key: valid, or the "
        "problem (not a points statement, signed by another key, the signature does not "
        "verify, expired on …); issued_here when this instance recorded that statement, and "
        "reversed_since: how many of its postings were reversed after it was issued.";
    d.body = {doc::Json(doc::Ref("PointsStatementEnvelope"))};
    d.answers = {doc::Ok(doc::Ref("PointsStatementVerdict"))};
    d.errors = {400};
    r.Add("POST", base + "/statements/verify", Auth::kPublic, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            (void)body;
            XT_ASSIGN_OR_RETURN(auto v, points.CheckStatement(req.body));
            const auto& c = v.check;
            return Response::Json(
                200, {{"valid", c.valid},
                      {"problem", c.problem.empty() ? json::Json(nullptr) : json::Json(c.problem)},
                      {"statement_id", c.statement_id},
                      {"issued_here", v.issued_here},
                      {"reversed_since", v.reversed_since},
                      {"holder", c.holder},
                      {"holder_name", c.holder_name},
                      {"balance", c.balance},
                      {"valid_until", Time(c.valid_until)}});
          });
  }
  {
    RouteDoc d = Doc("The instance's public key for points statements", "积分证明公钥");
    d.description =
        "Public. The hex Ed25519 key that signs points statements and audit checkpoints "
        "(`xietong audit public-key` writes the same). Get it once, out of band, to trust it.";
    d.answers = {doc::Ok(doc::Ref("PointsPublicKey"))};
    r.Add("GET", base + "/public-key", Auth::kPublic, d, [&points](Request&) -> Result<Response> {
      return Response::Json(200, {{"public_key", points.PublicKeyHex()}, {"algorithm", "Ed25519"}});
    });
  }
  {
    RouteDoc d = Doc("A unit's monthly honour roll (光荣榜)", "光荣榜");
    d.description =
        "Signed in. The published roll of the month when there is one, else the live one: the "
        "unit's residents by points earned in that month (awards and manual awards less their "
        "reversals), at most 10. Names are masked (林*) except for staff over the unit.";
    d.query = {
        doc::QueryParam("unit_id", "a community or a street", doc::String(1), true),
        doc::QueryParam("month", "yyyy-mm (Asia/Shanghai); default this month", doc::String(7, 7))};
    d.answers = {doc::Ok(doc::Ref("PointsHonourRoll"))};
    d.errors = {400, 404};
    r.Add("GET", base + "/honour-roll", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto roll,
                                points.GetHonourRoll(req.actor(), req.Query("unit_id").value_or(""),
                                                     req.Query("month").value_or("")));
            return Response::Json(200, HonourRollJson(roll));
          });
  }
  {
    RouteDoc d = Doc("Publish a month's honour roll", "发布光荣榜");
    d.description =
        "participation.staff over the unit, once the month is over (400 month_not_over; 400 "
        "empty when nobody earned points). Once: 409 already_published.";
    d.body = {doc::Json(doc::Ref("PointsHonourRollPublish"))};
    d.answers = {doc::Ok(doc::Ref("PointsHonourRoll"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", base + "/honour-roll/publish", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto unit_id, json::RequireString(body, "unit_id", {1, 64}));
            XT_ASSIGN_OR_RETURN(auto month, json::RequireString(body, "month", {7, 7}));
            XT_ASSIGN_OR_RETURN(auto roll, points.PublishHonourRoll(req.actor(), unit_id, month));
            return Response::Json(201, HonourRollJson(roll));
          });
  }
  {
    RouteDoc d = Doc("Trial balance of the ledger (总账核对)", "总账核对");
    d.description =
        "points.manage over unit_id (administrators: without unit_id, the whole ledger, "
        "whose balances sum to 0). mismatched: accounts whose balance is not the sum of "
        "their entries or their last running balance.";
    d.query = {doc::QueryParam("unit_id", "the accounts with postings on this unit's ledger")};
    d.answers = {doc::Ok(doc::Ref("PointsLedgerCheck"))};
    d.errors = {403, 404};
    r.Add("GET", base + "/ledger/check", Auth::kRequired, d,
          [&points](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto c,
                                points.CheckLedger(req.actor(), req.Query("unit_id").value_or("")));
            return Response::Json(200, {{"accounts", c.accounts},
                                        {"postings", c.postings},
                                        {"sum_of_balances", c.sum_of_balances},
                                        {"mismatched", c.mismatched}});
          });
  }
}

json::Json PointsSchemas() {
  using namespace doc;
  const json::Json time = Nullable(DateTime());
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [k, v] : props.items()) required.push_back(k);
    return Object(std::move(props), std::move(required));
  };
  const json::Json triggers =
      Enum({"request_fixed", "report_verified", "volunteer_hour", "proposal_supported",
            "ballot_cast", "meeting_attended", "proposal_accepted"});
  const json::Json kinds = Enum({"award", "manual", "redemption", "refund", "reversal"});
  json::Json line = {{"id", String(1)},
                     {"posted_at", time},
                     {"kind", kinds},
                     {"amount", Integer()},
                     {"balance_after", Integer()},
                     {"counterparty", String(1)},
                     {"trigger", String()},
                     {"rule_id", String()},
                     {"memo", String()},
                     {"subject_id", String()},
                     {"reverses", Nullable(String(1))},
                     {"reversed_by", Nullable(String(1))},
                     {"audit_seq", Integer()}};
  json::Json page =
      closed({{"items", ArrayOf(Ref("PointsPostingLine"))}, {"next_cursor", Nullable(String(1))}});
  json::Json settings = {
      {"support_threshold", IntegerIn(1, 1000)},      {"support_days", IntegerIn(1, 365)},
      {"velocity_per_hour", IntegerIn(1, 10000)},     {"velocity_per_day", IntegerIn(1, 10000)},
      {"same_decider_per_month", IntegerIn(1, 1000)}, {"manual_award_max", IntegerIn(1, 100000)}};
  const json::Json levels = Enum({"sprout", "active", "core", "exemplar"});
  const json::Json relations = Enum({"户主", "本人", "配偶", "子女", "父母", "其他"});
  const json::Json member_in =
      Object({{"account_id", String(1)}, {"relation", relations}}, {"account_id", "relation"});
  json::Json settings_out = settings;
  settings_out["unit_id"] = String(1);
  settings_out["version"] = Integer();
  return {
      {"PointsTrigger", closed({{"trigger", triggers},
                                {"name_zh", String(1)},
                                {"name_en", String(1)},
                                {"per", Enum({"event", "hour"})},
                                {"source_event", String(1)}})},
      {"PointsRule", closed({{"id", String(1)},
                             {"unit_id", String(1)},
                             {"unit_name", String()},
                             {"trigger", triggers},
                             {"trigger_name", String(1)},
                             {"per", Enum({"event", "hour"})},
                             {"title", String(1)},
                             {"points", IntegerIn(1, 1000)},
                             {"daily_cap", Integer()},
                             {"monthly_cap", Integer()},
                             {"valid_from", time},
                             {"valid_until", time},
                             {"status", Enum({"active", "retired"})},
                             {"created_by", String()},
                             {"created_at", time},
                             {"retire_reason", String()},
                             {"version", Integer()}})},
      {"NewPointsRule",
       Object({{"unit_id", String(1)},
               {"trigger", String(1)},
               {"title", String(1, 40)},
               {"points", IntegerIn(1, 1000)},
               {"daily_cap", Integer()},
               {"monthly_cap", Integer()},
               {"valid_from", DateTime()}},
              {"unit_id", "trigger", "title", "points", "daily_cap", "monthly_cap"})},
      {"PointsReason", Object({{"reason", String(1, 200)}}, {"reason"})},
      {"NewPointsAward", Object({{"unit_id", String(1)},
                                 {"account_id", String(1)},
                                 {"amount", IntegerIn(1, 1'000'000)},
                                 {"memo", String(1, 200)}},
                                {"unit_id", "account_id", "amount", "memo"})},
      {"PointsPosting", closed({{"id", String(1)},
                                {"kind", kinds},
                                {"debit", String(1)},
                                {"credit", String(1)},
                                {"amount", Integer()},
                                {"debit_balance_after", Integer()},
                                {"credit_balance_after", Integer()},
                                {"unit_id", String()},
                                {"rule_id", String()},
                                {"trigger", String()},
                                {"subject_id", String()},
                                {"source_seq", Integer()},
                                {"memo", String()},
                                {"actor", String()},
                                {"posted_at", time},
                                {"reverses", Nullable(String(1))},
                                {"reversed_by", Nullable(String(1))},
                                {"audit_seq", Integer()}})},
      {"PointsPostingLine", closed(line)},
      {"PointsPostingPage", page},
      {"PointsAccount",
       closed(
           {{"id", String(1)},
            {"kind", Enum({"person", "organisation", "issuer", "pool"})},
            {"owner_id", String(1)},
            {"owner_name", String()},
            {"balance", Integer()},
            {"lifetime_earned", Integer()},
            {"level", closed({{"code", Enum({"sprout", "active", "core", "exemplar"})},
                              {"name_zh", String(1)},
                              {"name_en", String(1)},
                              {"next_at", Nullable(Integer())}})},
            {"badges", ArrayOf(closed(
                           {{"code", String(1)}, {"name_zh", String(1)}, {"name_en", String(1)}}))},
            {"postings", Ref("PointsPostingPage")}})},
      {"ParticipationSettings", closed(settings_out)},
      {"ParticipationSettingsInput", closed(settings)},
      {"PointsReward", closed({{"id", String(1)},
                               {"community_id", String(1)},
                               {"kind", Enum({"goods", "service", "honour", "policy"})},
                               {"title", String(1)},
                               {"description", String()},
                               {"cost", IntegerIn(1, 100'000)},
                               {"stock", Nullable(Integer())},
                               {"per_person_limit", Integer()},
                               {"needs_approval", Boolean()},
                               {"status", Enum({"active", "retired"})},
                               {"created_at", time},
                               {"my_redeemed", Integer()}})},
      {"NewPointsReward", Object({{"community_id", String(1)},
                                  {"kind", Enum({"goods", "service", "honour", "policy"})},
                                  {"title", String(1, 40)},
                                  {"description", String(0, 500)},
                                  {"cost", IntegerIn(1, 100'000)},
                                  {"stock", Nullable(IntegerIn(0, 1'000'000))},
                                  {"per_person_limit", IntegerIn(0, 1000)},
                                  {"needs_approval", Boolean()}},
                                 {"community_id", "kind", "title", "cost"})},
      {"NewPointsRedemption",
       Object({{"reward_id", String(1)}, {"quantity", IntegerIn(1, 100)}}, {"reward_id"})},
      {"PointsRedemptionNote", Object({{"note", String(0, 200)}}, {})},
      {"PointsRedemption",
       closed({{"id", String(1)},
               {"reward_id", String(1)},
               {"reward_title", String()},
               {"community_id", String(1)},
               {"account_id", String(1)},
               {"requested_by", String(1)},
               {"quantity", Integer()},
               {"points", Integer()},
               {"status", Enum({"requested", "approved", "fulfilled", "rejected", "cancelled"})},
               {"posting_id", String(1)},
               {"refund_posting_id", Nullable(String(1))},
               {"requested_at", time},
               {"decided_by", String()},
               {"decided_at", time},
               {"note", String()},
               {"fulfilled_at", time},
               {"version", Integer()}})},
      {"PointsReview", closed({{"id", String(1)},
                               {"unit_id", String(1)},
                               {"trigger", String(1)},
                               {"subject_id", String()},
                               {"earner_account", String(1)},
                               {"decider", String()},
                               {"rule_id", String()},
                               {"amount", Integer()},
                               {"source_seq", Integer()},
                               {"reasons", ArrayOf(String(1))},
                               {"status", Enum({"pending", "approved", "rejected"})},
                               {"created_at", time},
                               {"decided_by", String()},
                               {"decided_at", time},
                               {"note", String()},
                               {"posting_id", Nullable(String(1))},
                               {"version", Integer()}})},
      {"PointsHousehold", closed({{"id", String(1)},
                                  {"community_id", String(1)},
                                  {"label", String(1)},
                                  {"members", ArrayOf(closed({{"account_id", String(1)},
                                                              {"relation", relations},
                                                              {"display_name", String()}}))},
                                  {"created_by", String()},
                                  {"created_at", time},
                                  {"version", Integer()}})},
      {"PointsHouseholdMemberInput", member_in},
      {"NewPointsHousehold",
       Object(
           {{"community_id", String(1)}, {"label", String(1, 80)}, {"members", ArrayOf(member_in)}},
           {"community_id", "label", "members"})},
      {"PointsStatementEnvelope", Object({{"format", Enum({"xietong-points-statement/1"})},
                                          {"public_key", String(64, 64)},
                                          {"signature", String(128, 128)},
                                          {"statement", String(1)}},
                                         {"format", "public_key", "signature", "statement"})},
      {"PointsStatementVerdict", closed({{"valid", Boolean()},
                                         {"problem", Nullable(String(1))},
                                         {"statement_id", String()},
                                         {"issued_here", Boolean()},
                                         {"reversed_since", Integer()},
                                         {"holder", String()},
                                         {"holder_name", String()},
                                         {"balance", Integer()},
                                         {"valid_until", time}})},
      {"PointsPublicKey",
       closed({{"public_key", String(64, 64)}, {"algorithm", Enum({"Ed25519"})}})},
      {"PointsHonourRoll",
       closed({{"unit_id", String(1)},
               {"unit_name", String()},
               {"month", String(7, 7)},
               {"published", Boolean()},
               {"published_at", time},
               {"entries", ArrayOf(closed({{"rank", Integer()},
                                           {"account_id", String(1)},
                                           {"display_name", String()},
                                           {"points", Integer()},
                                           {"level", closed({{"code", levels},
                                                             {"name_zh", String(1)},
                                                             {"name_en", String(1)}})}}))}})},
      {"PointsHonourRollPublish",
       Object({{"unit_id", String(1)}, {"month", String(7, 7)}}, {"unit_id", "month"})},
      {"PointsLedgerCheck", closed({{"accounts", Integer()},
                                    {"postings", Integer()},
                                    {"sum_of_balances", Integer()},
                                    {"mismatched", ArrayOf(String(1))}})},
  };
}

}  // namespace xietong::http
