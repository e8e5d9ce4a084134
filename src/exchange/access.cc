#include "exchange/access.h"

#include <fmt/core.h>

#include <algorithm>
#include <set>

namespace xietong::exchange {
namespace {

Error Bad(std::string field, std::string message, std::string reason = "invalid") {
  return Error::InvalidArgument(fmt::format("field '{}': {}", field, message))
      .About(std::move(field), std::move(reason));
}

bool IsPurposeCode(std::string_view s) {
  if (s.size() < 2 || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

constexpr Timestamp kDay = kMicrosPerDay;

}  // namespace

std::string_view RequestStatusName(RequestStatus s) {
  switch (s) {
    case RequestStatus::kPending:
      return "pending";
    case RequestStatus::kAwaitingSecond:
      return "awaiting_second";
    case RequestStatus::kApproved:
      return "approved";
    case RequestStatus::kRejected:
      return "rejected";
  }
  return "pending";
}

Result<RequestStatus> ParseRequestStatus(std::string_view s) {
  for (auto v : {RequestStatus::kPending, RequestStatus::kAwaitingSecond, RequestStatus::kApproved,
                 RequestStatus::kRejected})
    if (RequestStatusName(v) == s) return v;
  return Fail(Error::InvalidArgument(fmt::format(
      "'{}' is not a request status; use pending, awaiting_second, approved or rejected", s)));
}

const GrantField* Grant::field(std::string_view name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

Result<AccessRequest> ParseAccessRequest(const json::Json& doc, const Resource& r) {
  if (!doc.is_object()) return Fail(Error::InvalidArgument("an access request is a JSON object"));
  if (r.share == Share::kNone)
    return Fail(Error::Conflict(fmt::format(
        "{} ({}) is marked 不予共享 (not shared): it cannot be requested", r.title, r.code)));
  AccessRequest req;
  req.resource_id = r.id;
  req.resource_code = r.code;
  req.resource_title = r.title;
  const auto fields = doc.find("fields");
  if (fields == doc.end() || !fields->is_array() || fields->empty())
    return Fail(Bad("fields", "lists the fields wanted (at least one)",
                    fields == doc.end() ? "required" : "wrong_type"));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const auto& f = (*fields)[i];
    FieldAsk ask;
    if (f.is_string()) {
      ask.name = f.get<std::string>();
    } else if (f.is_object() && f.contains("name") && f["name"].is_string()) {
      ask.name = f["name"].get<std::string>();
      if (f.contains("unmasked")) {
        if (!f["unmasked"].is_boolean())
          return Fail(
              Bad(fmt::format("fields[{}].unmasked", i), "must be true or false", "wrong_type"));
        ask.unmasked = f["unmasked"].get<bool>();
      }
    } else {
      return Fail(
          Bad(fmt::format("fields[{}]", i), "is a field name or {name, unmasked}", "wrong_type"));
    }
    if (!FindField(r, ask.name))
      return Fail(Bad(fmt::format("fields[{}]", i),
                      fmt::format("'{}' is not a field of {}", ask.name.substr(0, 48), r.code),
                      "unknown"));
    if (!seen.insert(ask.name).second)
      return Fail(Bad(fmt::format("fields[{}]", i), fmt::format("'{}' is listed twice", ask.name),
                      "duplicate"));
    req.fields.push_back(std::move(ask));
  }
  XT_ASSIGN_OR_RETURN(req.purpose_code, json::RequireString(doc, "purpose_code", {2, 64}));
  if (!IsPurposeCode(req.purpose_code))
    return Fail(
        Bad("purpose_code",
            "is 2–64 of a-z 0-9 . _ - (it is sent as the X-Purpose header at the gateway)"));
  XT_ASSIGN_OR_RETURN(req.purpose, json::RequireString(doc, "purpose", {2, 200}));
  XT_ASSIGN_OR_RETURN(req.legal_basis, json::RequireString(doc, "legal_basis", {2, 300}));
  if (r.share == Share::kConditional && req.legal_basis.empty())
    return Fail(Bad("legal_basis", "is required for a conditional share", "required"));
  if (doc.contains("period_days")) {
    XT_ASSIGN_OR_RETURN(const auto days, json::RequireInt(doc, "period_days"));
    if (days < 1 || days > kMaxPeriodDays)
      return Fail(Bad("period_days", fmt::format("is 1–{} days", kMaxPeriodDays), "out_of_range"));
    req.period_days = static_cast<int>(days);
  }
  if (doc.contains("rate_per_minute")) {
    XT_ASSIGN_OR_RETURN(const auto rate, json::RequireInt(doc, "rate_per_minute"));
    if (rate < 1 || rate > kMaxRatePerMinute)
      return Fail(Bad("rate_per_minute", fmt::format("is 1–{} lookups a minute", kMaxRatePerMinute),
                      "out_of_range"));
    req.rate_per_minute = static_cast<int>(rate);
  }
  return req;
}

Result<bool> Decide(AccessRequest& req, const Resource& r, const std::vector<std::string>& approved,
                    const std::vector<std::string>& unmasked, std::string_view approver_id,
                    std::string_view approver_name, std::string note, Timestamp now) {
  if (req.status != RequestStatus::kPending)
    return Fail(Error::Conflict(fmt::format("access request {} is {}, not pending", req.id,
                                            RequestStatusName(req.status))));
  if (approved.empty())
    return Fail(
        Bad("fields", "names at least one field to approve (or reject the request)", "required"));
  std::set<std::string> yes(approved.begin(), approved.end());
  const std::set<std::string> whole(unmasked.begin(), unmasked.end());
  for (const auto& name : yes) {
    const bool asked = std::any_of(req.fields.begin(), req.fields.end(),
                                   [&](const FieldAsk& a) { return a.name == name; });
    if (!asked)
      return Fail(
          Bad("fields", fmt::format("'{}' was not asked for", name.substr(0, 48)), "unknown"));
  }
  for (const auto& name : whole) {
    if (!yes.contains(name))
      return Fail(Bad("unmasked",
                      fmt::format("'{}' is not among the approved fields", name.substr(0, 48))));
    const auto ask = std::find_if(req.fields.begin(), req.fields.end(),
                                  [&](const FieldAsk& a) { return a.name == name; });
    if (!ask->unmasked)
      return Fail(Bad("unmasked", fmt::format("'{}' was asked for masked; it is granted masked",
                                              name.substr(0, 48))));
  }
  bool core = false;
  req.decisions.clear();
  for (const auto& ask : req.fields) {
    FieldDecision d{ask.name, yes.contains(ask.name), whole.contains(ask.name)};
    if (d.approved) {
      const Field* f = FindField(r, ask.name);
      core |= f && f->grade == Grade::kCore;
    }
    req.decisions.push_back(std::move(d));
  }
  req.first_approver_id = std::string(approver_id);
  req.first_approver_name = std::string(approver_name);
  req.reason = std::move(note);
  req.decided_at = now;
  req.status = core ? RequestStatus::kAwaitingSecond : RequestStatus::kApproved;
  return core;
}

Result<void> Confirm(AccessRequest& req, std::string_view approver_id,
                     std::string_view approver_name, Timestamp now) {
  if (req.status != RequestStatus::kAwaitingSecond)
    return Fail(
        Error::Conflict(fmt::format("access request {} is {}, not awaiting a second "
                                    "approval",
                                    req.id, RequestStatusName(req.status))));
  if (approver_id == req.first_approver_id)
    return Fail(Error::PermissionDenied(
        "the second approval of 核心 (core) fields must come from another person than the first"));
  req.second_approver_id = std::string(approver_id);
  req.second_approver_name = std::string(approver_name);
  req.decided_at = now;
  req.status = RequestStatus::kApproved;
  return {};
}

Result<void> Reject(AccessRequest& req, std::string_view approver_id,
                    std::string_view approver_name, std::string reason, Timestamp now) {
  if (req.status != RequestStatus::kPending && req.status != RequestStatus::kAwaitingSecond)
    return Fail(Error::Conflict(
        fmt::format("access request {} is already {}", req.id, RequestStatusName(req.status))));
  if (reason.empty()) return Fail(Bad("reason", "says why the request is refused", "required"));
  if (req.status == RequestStatus::kAwaitingSecond) {
    req.second_approver_id = std::string(approver_id);
    req.second_approver_name = std::string(approver_name);
  } else {
    req.first_approver_id = std::string(approver_id);
    req.first_approver_name = std::string(approver_name);
  }
  req.reason = std::move(reason);
  req.decided_at = now;
  req.status = RequestStatus::kRejected;
  return {};
}

Grant GrantFor(const AccessRequest& req, std::string grant_id, Timestamp now) {
  Grant g;
  g.id = std::move(grant_id);
  g.request_id = req.id;
  g.resource_id = req.resource_id;
  g.owner_unit_id = req.owner_unit_id;
  g.consumer_unit_id = req.consumer_unit_id;
  g.consumer_path = req.consumer_path;
  g.consumer_name = req.consumer_name;
  g.purpose_code = req.purpose_code;
  g.purpose = req.purpose;
  g.legal_basis = req.legal_basis;
  for (const auto& d : req.decisions)
    if (d.approved) g.fields.push_back({d.name, d.unmasked});
  g.starts_at = now;
  g.expires_at = now + static_cast<std::int64_t>(req.period_days) * kDay;
  g.rate_per_minute = req.rate_per_minute;
  g.created_at = now;
  return g;
}

json::Json EncodeRequest(const AccessRequest& r) {
  json::Json asks = json::Json::array();
  for (const auto& a : r.fields) asks.push_back({{"name", a.name}, {"unmasked", a.unmasked}});
  json::Json decisions = json::Json::array();
  for (const auto& d : r.decisions)
    decisions.push_back({{"name", d.name}, {"approved", d.approved}, {"unmasked", d.unmasked}});
  return {{"id", r.id},
          {"resource_id", r.resource_id},
          {"resource_code", r.resource_code},
          {"resource_title", r.resource_title},
          {"owner_unit_id", r.owner_unit_id},
          {"owner_path", r.owner_path},
          {"consumer_unit_id", r.consumer_unit_id},
          {"consumer_path", r.consumer_path},
          {"consumer_name", r.consumer_name},
          {"requester_id", r.requester_id},
          {"requester_name", r.requester_name},
          {"fields", std::move(asks)},
          {"purpose_code", r.purpose_code},
          {"purpose", r.purpose},
          {"legal_basis", r.legal_basis},
          {"period_days", r.period_days},
          {"rate_per_minute", r.rate_per_minute},
          {"status", RequestStatusName(r.status)},
          {"decisions", std::move(decisions)},
          {"first_approver_id", r.first_approver_id},
          {"first_approver_name", r.first_approver_name},
          {"second_approver_id", r.second_approver_id},
          {"second_approver_name", r.second_approver_name},
          {"reason", r.reason},
          {"grant_id", r.grant_id},
          {"created_at", r.created_at},
          {"decided_at", r.decided_at},
          {"version", r.version}};
}

Result<AccessRequest> DecodeRequest(const json::Json& d) {
  try {
    AccessRequest r;
    r.id = d.at("id");
    r.resource_id = d.at("resource_id");
    r.resource_code = d.at("resource_code");
    r.resource_title = d.at("resource_title");
    r.owner_unit_id = d.at("owner_unit_id");
    r.owner_path = d.at("owner_path");
    r.consumer_unit_id = d.at("consumer_unit_id");
    r.consumer_path = d.at("consumer_path");
    r.consumer_name = d.at("consumer_name");
    r.requester_id = d.at("requester_id");
    r.requester_name = d.at("requester_name");
    for (const auto& a : d.at("fields")) r.fields.push_back({a.at("name"), a.at("unmasked")});
    r.purpose_code = d.at("purpose_code");
    r.purpose = d.at("purpose");
    r.legal_basis = d.at("legal_basis");
    r.period_days = d.at("period_days");
    r.rate_per_minute = d.value("rate_per_minute", 600);
    XT_ASSIGN_OR_RETURN(r.status, ParseRequestStatus(d.at("status").get<std::string>()));
    for (const auto& x : d.at("decisions"))
      r.decisions.push_back({x.at("name"), x.at("approved"), x.at("unmasked")});
    r.first_approver_id = d.at("first_approver_id");
    r.first_approver_name = d.at("first_approver_name");
    r.second_approver_id = d.at("second_approver_id");
    r.second_approver_name = d.at("second_approver_name");
    r.reason = d.at("reason");
    r.grant_id = d.at("grant_id");
    r.created_at = d.at("created_at");
    r.decided_at = d.at("decided_at");
    r.version = d.at("version");
    return r;
  } catch (const json::Json::exception& e) {
    return Fail(
        Error::Internal(fmt::format("a stored access request does not read: {}", e.what())));
  }
}

json::Json EncodeGrantFields(const std::vector<GrantField>& fields) {
  json::Json out = json::Json::array();
  for (const auto& f : fields) out.push_back({{"name", f.name}, {"unmasked", f.unmasked}});
  return out;
}

std::vector<GrantField> DecodeGrantFields(const json::Json& doc) {
  std::vector<GrantField> out;
  if (!doc.is_array()) return out;
  for (const auto& f : doc)
    if (f.is_object() && f.contains("name") && f["name"].is_string())
      out.push_back({f["name"].get<std::string>(), f.value("unmasked", false)});
  return out;
}

}  // namespace xietong::exchange
