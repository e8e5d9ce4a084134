#include "http/request_handlers.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include "http/api_schemas.h"
#include "identity/identity.h"
#include "requests/export.h"

namespace xietong::http {

using requests::Command;
using requests::RequestService;
using requests::Status;

namespace {

json::Json TimeOrNull(Timestamp t) {
  return t == 0 ? json::Json(nullptr) : json::Json(FormatRfc3339(t));
}
json::Json IdOrNull(const std::string& id) {
  return id.empty() ? json::Json(nullptr) : json::Json(id);
}

json::Json MatterRef(const matters::Matter& m) {
  return {{"id", m.id}, {"code", m.code}, {"name", m.name}};
}

// The request with its category's code and name, when the catalog knows it.
json::Json RequestWithMatter(const requests::Request& r, bool reveal_contact,
                             const matters::Catalog* catalog) {
  json::Json j = RequestJson(r, reveal_contact);
  const matters::Matter* m = catalog && !r.matter_id.empty() ? catalog->Find(r.matter_id) : nullptr;
  j["matter"] = m ? MatterRef(*m) : json::Json(nullptr);
  return j;
}

// The current catalog, or none when it cannot be read: names are a courtesy
// in lists, never a reason to fail them.
std::shared_ptr<const matters::Catalog> CatalogOrNull(matters::MatterService& matters) {
  auto c = matters.Snapshot();
  return c ? *c : nullptr;
}

json::Json SummonsJson(const requests::Summons& s) {
  return {{"id", s.id},
          {"department_id", s.department_id},
          {"department_name", s.department_name},
          {"summoned_by", s.summoned_by},
          {"reason", s.reason},
          {"created_at", TimeOrNull(s.created_at)},
          {"report_due", TimeOrNull(s.report_due)},
          {"reported_at", TimeOrNull(s.reported_at)},
          {"report", s.report},
          {"late", s.late}};
}

json::Json SuggestionsJson(const std::vector<requests::CategorySuggestion>& list) {
  json::Json out = json::Json::array();
  for (const auto& s : list)
    out.push_back({{"matter", MatterRef(s.matter)}, {"confidence", s.confidence}});
  return out;
}

// Rewrites "field 'x'" in a helper's message to "field '<prefix>.x'", so a
// nested field is named the way the caller wrote it.
Error Nested(Error e, std::string_view prefix) {
  const std::string_view marker = "field '";
  if (auto at = e.message.find(marker); at != std::string::npos)
    e.message.insert(at + marker.size(), fmt::format("{}.", prefix));
  return e;
}

Result<std::optional<double>> OptionalNumber(const json::Json& obj, std::string_view field,
                                             std::string_view prefix) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<double>{};
  if (!it->is_number())
    return Fail(Error::InvalidArgument(
        fmt::format("field '{}.{}' must be a number (degrees)", prefix, field)));
  return std::optional<double>{it->get<double>()};
}

// An optional nested object; absent and null are both "not given".
Result<const json::Json*> OptionalObject(const json::Json& body, std::string_view field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return static_cast<const json::Json*>(nullptr);
  if (!it->is_object())
    return Fail(Error::InvalidArgument(fmt::format("field '{}' must be an object", field)));
  return &*it;
}

// The fields of POST /requests and /requests/preview. Lengths and shapes the
// domain checks (ValidateIntake) are left to it; here only types are checked.
Result<requests::Intake> IntakeFrom(const Request& req) {
  XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
  requests::Intake in;
  XT_ASSIGN_OR_RETURN(auto title,
                      json::OptionalString(body, "title", {0, requests::kMaxTitleChars}));
  in.title = title.value_or("");
  XT_ASSIGN_OR_RETURN(in.text, json::RequireString(body, "text", {1, requests::kMaxTextChars}));
  XT_ASSIGN_OR_RETURN(auto matter_id, json::OptionalString(body, "matter_id", {0, 64}));
  in.matter_id = matter_id.value_or("");

  XT_ASSIGN_OR_RETURN(const json::Json* place, OptionalObject(body, "place"));
  if (place) {
    auto address = json::OptionalString(*place, "address", {0, requests::kMaxAddressChars});
    if (!address) return Fail(Nested(address.error(), "place"));
    in.place.address = address->value_or("");
    XT_ASSIGN_OR_RETURN(in.place.lat, OptionalNumber(*place, "lat", "place"));
    XT_ASSIGN_OR_RETURN(in.place.lon, OptionalNumber(*place, "lon", "place"));
    auto unit_id = json::OptionalString(*place, "unit_id", {0, 64});
    if (!unit_id) return Fail(Nested(unit_id.error(), "place"));
    in.place_unit_id = unit_id->value_or("");
  }
  XT_ASSIGN_OR_RETURN(const json::Json* contact, OptionalObject(body, "contact"));
  if (contact) {
    auto name = json::OptionalString(*contact, "name", {0, requests::kMaxNameChars});
    if (!name) return Fail(Nested(name.error(), "contact"));
    in.contact_name = name->value_or("");
    auto phone = json::OptionalString(*contact, "phone", {0, 32});
    if (!phone) return Fail(Nested(phone.error(), "contact"));
    in.contact_phone = phone->value_or("");
  }
  XT_ASSIGN_OR_RETURN(auto anonymous, json::OptionalBool(body, "anonymous"));
  in.anonymous = anonymous.value_or(false);
  XT_ASSIGN_OR_RETURN(in.attachment_ids, json::StringArray(body, "attachment_ids"));
  XT_ASSIGN_OR_RETURN(auto channel, json::OptionalString(body, "channel", {1, 16}));
  in.channel = requests::Channel::kPhone;
  if (channel) {
    if (*channel != "phone" && *channel != "web")
      return Fail(Error::InvalidArgument(
          fmt::format("field 'channel' must be \"phone\" or \"web\", not \"{}\"", *channel)));
    XT_ASSIGN_OR_RETURN(in.channel, requests::ParseChannel(*channel));
  }
  XT_ASSIGN_OR_RETURN(auto external_id, json::OptionalString(body, "external_id", {0, 64}));
  in.external_id = external_id.value_or("");
  XT_ASSIGN_OR_RETURN(auto dispatch, json::OptionalBool(body, "dispatch"));
  in.dispatch = dispatch.value_or(false);
  XT_ASSIGN_OR_RETURN(auto merge_into, json::OptionalString(body, "merge_into", {0, 64}));
  in.merge_into = merge_into.value_or("");
  in.idempotency_key = std::string(req.Header("idempotency-key"));
  return in;
}

std::string CommandList() {
  std::string list;
  for (Command c : requests::AllCommands()) {
    if (!list.empty()) list += ", ";
    list += requests::CommandName(c);
  }
  return list;
}

constexpr std::string_view kCommandFields[] = {
    "text",     "reason",       "unit_id",        "matter_id",  "parent_id",     "days",
    "resolved", "satisfaction", "department_ids", "summons_id", "attachment_ids"};

Result<requests::CommandInput> CommandFrom(const Request& req, Command command) {
  requests::CommandInput in;
  in.command = command;
  in.idempotency_key = std::string(req.Header("idempotency-key"));
  XT_ASSIGN_OR_RETURN(in.if_match, IfMatchVersion(req));
  // Commands without arguments (sign, close) may come with no body at all.
  if (req.body.empty()) return in;
  XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
  for (const auto& [key, value] : body.items()) {
    if (std::find(std::begin(kCommandFields), std::end(kCommandFields), key) ==
        std::end(kCommandFields))
      return Fail(Error::InvalidArgument(fmt::format(
          "field '{}' is not an argument of commands; use text, reason, unit_id, matter_id, "
          "parent_id, days, resolved, satisfaction, department_ids, summons_id or "
          "attachment_ids",
          key)));
  }
  XT_ASSIGN_OR_RETURN(auto text, json::OptionalString(body, "text", {0, requests::kMaxReplyChars}));
  in.text = text.value_or("");
  XT_ASSIGN_OR_RETURN(auto reason,
                      json::OptionalString(body, "reason", {0, requests::kMaxReasonChars}));
  in.reason = reason.value_or("");
  XT_ASSIGN_OR_RETURN(auto unit_id, json::OptionalString(body, "unit_id", {0, 64}));
  in.unit_id = unit_id.value_or("");
  XT_ASSIGN_OR_RETURN(auto matter_id, json::OptionalString(body, "matter_id", {0, 64}));
  in.matter_id = matter_id.value_or("");
  XT_ASSIGN_OR_RETURN(auto parent_id, json::OptionalString(body, "parent_id", {0, 64}));
  in.parent_id = parent_id.value_or("");
  if (body.contains("days") && !body["days"].is_null()) {
    XT_ASSIGN_OR_RETURN(auto days, json::RequireInt(body, "days"));
    if (days < 0 || days > 1000)
      return Fail(Error::InvalidArgument("field 'days' must be a number of working days"));
    in.days = static_cast<int>(days);
  }
  XT_ASSIGN_OR_RETURN(in.resolved, json::OptionalBool(body, "resolved"));
  XT_ASSIGN_OR_RETURN(auto satisfaction, json::OptionalString(body, "satisfaction", {1, 32}));
  if (satisfaction) {
    auto s = requests::ParseSatisfaction(*satisfaction);
    if (!s)
      return Fail(
          Error::InvalidArgument(fmt::format("field 'satisfaction': {}", s.error().message)));
    in.satisfaction = *s;
  }
  XT_ASSIGN_OR_RETURN(in.department_ids, json::StringArray(body, "department_ids"));
  XT_ASSIGN_OR_RETURN(auto summons_id, json::OptionalString(body, "summons_id", {0, 64}));
  in.summons_id = summons_id.value_or("");
  XT_ASSIGN_OR_RETURN(in.attachment_ids, json::StringArray(body, "attachment_ids"));
  return in;
}

Result<bool> FlagParam(const Request& req, std::string_view name) {
  auto v = req.Query(name);
  if (!v || v->empty() || *v == "false") return false;
  if (*v == "true") return true;
  return Fail(
      Error::InvalidArgument(fmt::format("'{}' must be true or false, not '{}'", name, *v)));
}

Result<Timestamp> OptionalTimeParam(const Request& req, std::string_view name, bool end_of_day) {
  auto v = req.Query(name);
  if (!v || v->empty()) return Timestamp{0};
  return ParseTimeParam(name, *v, end_of_day);
}

Result<requests::ListFilter> InboxFilter(const Request& req) {
  requests::ListFilter f;
  if (auto statuses = req.Query("status"); statuses && !statuses->empty()) {
    std::string_view rest = *statuses;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string_view one = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (one.empty()) continue;
      auto s = requests::ParseStatus(one);
      if (!s) return Fail(Error::InvalidArgument(fmt::format("'status': {}", s.error().message)));
      f.statuses.push_back(*s);
    }
  }
  f.matter_id = req.Query("matter_id").value_or("");
  f.unit_id = req.Query("unit_id").value_or("");
  f.place_id = req.Query("place_id").value_or("");
  if (auto ids = req.Query("ids"); ids && !ids->empty()) {
    std::string_view rest = *ids;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      if (auto id = rest.substr(0, comma); !id.empty()) f.ids.emplace_back(id);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  XT_ASSIGN_OR_RETURN(f.received_from, OptionalTimeParam(req, "from", false));
  XT_ASSIGN_OR_RETURN(f.received_to, OptionalTimeParam(req, "to", true));
  XT_ASSIGN_OR_RETURN(f.due_before, OptionalTimeParam(req, "due_before", false));
  XT_ASSIGN_OR_RETURN(f.late_only, FlagParam(req, "late"));
  XT_ASSIGN_OR_RETURN(f.warned_only, FlagParam(req, "warned"));
  XT_ASSIGN_OR_RETURN(f.extension_pending, FlagParam(req, "extension_pending"));
  XT_ASSIGN_OR_RETURN(f.return_pending, FlagParam(req, "return_pending"));
  f.search = req.Query("q").value_or("");
  f.cursor = req.Query("cursor").value_or("");
  XT_ASSIGN_OR_RETURN(f.limit, LimitParam(req));
  return f;
}

json::Json ItemsJson(const std::vector<requests::Request>& list, const matters::Catalog* catalog,
                     const std::set<std::string>& summoned_ids = {}) {
  json::Json items = json::Json::array();
  for (const auto& r : list) {
    items.push_back(RequestWithMatter(r, false, catalog));
    items.back()["summoned"] = summoned_ids.contains(r.id);
  }
  return items;
}

json::Json PayloadJson(const std::string& text) {
  auto j = json::Json::parse(text, nullptr, false);
  return j.is_discarded() ? json::Json(text) : j;
}

// --- documentation ---------------------------------------------------------------

// A time in a query: RFC 3339 with an offset, or a day (ParseTimeParam).
ParamDoc TimeQuery(std::string name, std::string description) {
  return doc::QueryParam(
      std::move(name), std::move(description),
      {{"anyOf", json::Json::array({doc::DateTime(), {{"type", "string"}, {"format", "date"}}})}});
}

ParamDoc FlagQuery(std::string name, std::string description) {
  return doc::QueryParam(std::move(name), std::move(description), doc::Boolean());
}

// POST /requests/{id}/{command}: the body of each command, in the
// description and as "x-command-bodies" (command → JSON Schema).
RouteDoc CommandDoc() {
  json::Json bodies = json::Json::object();
  std::string list;
  for (Command c : requests::AllCommands()) {
    json::Json schema = CommandBodySchema(c);
    std::string fields;
    for (const auto& [name, field] : schema["properties"].items()) {
      const json::Json& required = schema.contains("required") ? schema["required"] : json::Json();
      const bool needed = std::find(required.begin(), required.end(), name) != required.end();
      fields +=
          fmt::format("{}{}{}", fields.empty() ? "" : ", ", name, needed ? "" : " (optional)");
    }
    list +=
        fmt::format("\n- {}: {}", requests::CommandName(c), fields.empty() ? "no body" : fields);
    bodies[std::string(requests::CommandName(c))] = std::move(schema);
  }
  return {.summary = "Give a command on a request: dispatch, sign, reply, close, …",
          .summary_zh = "办理指令（派单、签收、答复、办结……）",
          .tag = "requests",
          .description =
              "A state change is a command on the request; the request's detail lists the "
              "commands this caller may give now (\"allowed\"). Each reads these fields "
              "of the body (x-command-bodies has the schema of each):" +
              list,
          .path = {doc::PathId("id", "the request's id"),
                   {"command", "the command", doc::Ref("Command"), true}},
          .headers = {doc::IfMatch(false), doc::IdempotencyKey()},
          .body = {doc::Json(doc::Ref("CommandBody"))},
          .body_required = false,
          .answers = {doc::Ok(doc::Ref("CommandResult"), 200, {doc::ETag()})},
          .errors = {400, 404, 409},
          .extensions = {{"x-command-bodies", std::move(bodies)}}};
}

}  // namespace

json::Json PlaceJson(const requests::Place& p) {
  return {{"address", p.address},
          {"lat", p.lat ? json::Json(*p.lat) : json::Json(nullptr)},
          {"lon", p.lon ? json::Json(*p.lon) : json::Json(nullptr)},
          {"grid_id", IdOrNull(p.grid_id)},
          {"community_id", IdOrNull(p.community_id)},
          {"street_id", IdOrNull(p.street_id)},
          {"district_id", IdOrNull(p.district_id)}};
}

json::Json RequestJson(const requests::Request& r, bool reveal_contact) {
  return {
      {"id", r.id},
      {"number", r.number},
      {"channel", requests::ChannelName(r.channel)},
      {"title", r.title},
      {"text", r.text},
      {"matter_id", IdOrNull(r.matter_id)},
      {"matter_version", r.matter_version},
      {"place", PlaceJson(r.place)},
      {"contact",
       {{"name", r.contact_name},
        {"phone", reveal_contact ? r.contact_phone : identity::MaskPhone(r.contact_phone)}}},
      {"anonymous", r.anonymous},
      {"requester_id", IdOrNull(r.requester_id)},
      {"created_by", IdOrNull(r.created_by)},
      {"external_id", IdOrNull(r.external_id)},
      {"attachment_ids", r.attachment_ids},
      {"centre_id", IdOrNull(r.centre_id)},
      {"status", requests::StatusName(r.status)},
      {"unit_id", IdOrNull(r.unit_id)},
      {"unit_name", r.unit_name},
      {"received_at", TimeOrNull(r.received_at)},
      {"dispatched_at", TimeOrNull(r.dispatched_at)},
      {"signed_at", TimeOrNull(r.signed_at)},
      {"replied_at", TimeOrNull(r.replied_at)},
      {"closed_at", TimeOrNull(r.closed_at)},
      {"sign_due", TimeOrNull(r.sign_due)},
      {"finish_due", TimeOrNull(r.finish_due)},
      {"sign_warn_at", TimeOrNull(r.sign_warn_at)},
      {"finish_warn_at", TimeOrNull(r.finish_warn_at)},
      {"return_until", TimeOrNull(r.return_until)},
      {"sign_late", r.sign_late},
      {"finish_late", r.finish_late},
      {"warned", r.warned},
      {"parent_id", IdOrNull(r.parent_id)},
      {"return_requested", r.return_requested},
      {"return_reason", r.return_reason},
      {"extension_days", r.extension_days},
      {"extension_reason", r.extension_reason},
      {"reply", r.reply},
      {"reply_attachment_ids", r.reply_attachment_ids},
      {"resolved", r.resolved ? json::Json(*r.resolved) : json::Json(nullptr)},
      {"satisfaction", r.satisfaction ? json::Json(requests::SatisfactionName(*r.satisfaction))
                                      : json::Json(nullptr)},
      {"feedback", r.feedback},
      {"dispatch_count", r.dispatch_count},
      {"reopen_count", r.reopen_count},
      {"version", r.version},
      {"updated_at", TimeOrNull(r.updated_at)},
  };
}

Result<Timestamp> ParseTimeParam(std::string_view name, std::string_view text, bool end_of_day) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    int y = 0;
    unsigned m = 0, d = 0;
    const char* s = text.data();
    const bool digits = std::from_chars(s, s + 4, y).ptr == s + 4 &&
                        std::from_chars(s + 5, s + 7, m).ptr == s + 7 &&
                        std::from_chars(s + 8, s + 10, d).ptr == s + 10;
    const std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{m},
                                          std::chrono::day{d}};
    if (digits && day.ok()) {
      auto days = std::chrono::sys_days{day}.time_since_epoch().count();
      if (end_of_day) ++days;
      return days * kMicrosPerDay - kShanghaiOffset;
    }
  } else if (auto t = ParseRfc3339(text)) {
    return *t;
  }
  return Fail(Error::InvalidArgument(fmt::format(
      "'{}' must be a time like 2026-11-23T09:30:00+08:00 or a day like 2026-11-23, not '{}'", name,
      text)));
}

void RegisterRequestRoutes(Api& api, RequestService& requests, matters::MatterService& matters) {
  Router& r = api.router();

  r.Add("POST", "/api/v1/requests", Auth::kRequired,
        {.summary = "Take a request in: recorded, categorised, located and (dispatch) dispatched",
         .summary_zh = "受理诉求",
         .tag = "requests",
         .headers = {doc::IdempotencyKey()},
         .body = {doc::Json(doc::Ref("Intake"))},
         .answers = {doc::Ok(doc::Ref("IntakeResult"), 201, {doc::ETag()}),
                     {200,
                      "a retry with the same Idempotency-Key: the request the first one made",
                      {doc::Json(doc::Ref("IntakeResult"))},
                      {doc::ETag()}}},
         .errors = {400, 403, 404, 409}},
        [&requests](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto in, IntakeFrom(req));
          XT_ASSIGN_OR_RETURN(auto out, requests.Submit(req.actor(), std::move(in)));
          Response res = Response::Json(out.created ? 201 : 200,
                                        {{"request", RequestJson(out.request, false)},
                                         {"suggestions", SuggestionsJson(out.suggestions)}});
          res.SetHeader("ETag", VersionETag(out.request.version));
          return res;
        });

  r.Add("POST", "/api/v1/requests/preview", Auth::kRequired,
        {.summary = "What intake would do with these fields: category, place, route, deadlines "
                    "and likely duplicates; nothing is stored",
         .summary_zh = "受理预览",
         .tag = "requests",
         .body = {doc::Json(doc::Ref("Intake"))},
         .answers = {doc::Ok(doc::Ref("Preview"))},
         .errors = {400, 403, 404}},
        [&requests](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto in, IntakeFrom(req));
          XT_ASSIGN_OR_RETURN(auto p, requests.Preview(req.actor(), in));
          XT_ASSIGN_OR_RETURN(auto duplicates, requests.Duplicates(req.actor(), in, p.place));
          json::Json likely = json::Json::array();
          for (const auto& d : duplicates)
            likely.push_back({{"id", d.request.id},
                              {"number", d.request.number},
                              {"title", d.request.title},
                              {"status", requests::StatusName(d.request.status)},
                              {"unit_name", d.request.unit_name},
                              {"received_at", FormatRfc3339(d.request.received_at)},
                              {"score", std::round(d.score * 1000) / 1000},
                              {"mergeable", d.mergeable}});
          json::Json route = nullptr;
          if (p.route)
            route = {{"unit_id", p.route->unit_id},
                     {"unit_name", p.route->unit_name},
                     {"rule", p.route->rule}};
          return Response::Json(
              200, {{"suggestions", SuggestionsJson(p.suggestions)},
                    {"suggested_by", p.suggested_by},
                    {"model_version", p.model_version},
                    {"duplicates", std::move(likely)},
                    {"matter", p.matter ? MatterRef(*p.matter) : json::Json(nullptr)},
                    {"place", PlaceJson(p.place)},
                    {"route", std::move(route)},
                    {"problem", p.problem.empty() ? json::Json(nullptr) : json::Json(p.problem)},
                    {"sign_due", TimeOrNull(p.sign_due)},
                    {"finish_due", TimeOrNull(p.finish_due)},
                    {"return_until", TimeOrNull(p.return_until)}});
        });

  r.Add(
      "GET", "/api/v1/requests", Auth::kRequired,
      {.summary = "The inbox: requests the caller may see, newest first, filtered",
       .summary_zh = "工单列表",
       .tag = "requests",
       .query = {doc::QueryParam("status", "statuses, comma-separated, e.g. dispatched,signed"),
                 doc::QueryParam("matter_id", "a leaf, or a level-1/2 matter: its subtree"),
                 doc::QueryParam("unit_id", "handled in this unit's subtree"),
                 doc::QueryParam("place_id", "located in this grid, community, street or district"),
                 doc::QueryParam("ids", "only these requests (ids joined by commas, at most 500)"),
                 TimeQuery("from", "received from (a day: its start)"),
                 TimeQuery("to", "received before (a day: included whole)"),
                 TimeQuery("due_before", "to be finished before"),
                 FlagQuery("late", "only those past a deadline"),
                 FlagQuery("warned", "only those warned of a deadline"),
                 FlagQuery("extension_pending", "only those with an extension asked"),
                 FlagQuery("return_pending", "only those with a return asked"),
                 doc::QueryParam("q", "words of the title, text, number or address"), doc::Cursor(),
                 doc::Limit()},
       .answers = {doc::Ok(doc::Ref("RequestList"))},
       .errors = {400}},
      [&requests, &matters](Request& req) -> Result<Response> {
        XT_ASSIGN_OR_RETURN(auto filter, InboxFilter(req));
        XT_ASSIGN_OR_RETURN(auto page, requests.List(req.actor(), filter));
        const auto catalog = CatalogOrNull(matters);
        return Response::Json(
            200, {{"items", ItemsJson(page.items, catalog.get(), page.summoned_ids)},
                  {"next_cursor",
                   page.next_cursor ? json::Json(*page.next_cursor) : json::Json(nullptr)},
                  {"total", page.total},
                  {"total_capped", page.total_capped}});
      });

  r.Add(
      "GET", "/api/v1/requests/export", Auth::kRequired,
      {.summary = "The inbox's filtered list as a spreadsheet (工单导出), newest first, at most "
                  "10,000 rows",
       .summary_zh = "工单导出",
       .tag = "requests",
       .query = {doc::QueryParam("format", "xlsx (default) or csv", doc::Enum({"xlsx", "csv"})),
                 doc::QueryParam("status", "as the inbox"),
                 doc::QueryParam("matter_id", "as the inbox"),
                 doc::QueryParam("unit_id", "as the inbox"), TimeQuery("from", "as the inbox"),
                 TimeQuery("to", "as the inbox"), TimeQuery("due_before", "as the inbox"),
                 FlagQuery("late", "as the inbox"), FlagQuery("warned", "as the inbox"),
                 FlagQuery("extension_pending", "as the inbox"),
                 FlagQuery("return_pending", "as the inbox"), doc::QueryParam("q", "as the inbox")},
       .answers = {{200,
                    "",
                    {{"text/csv; charset=utf-8", doc::String()},
                     {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      {{"type", "string"},
                       {"contentMediaType",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}},
                    {{"Content-Disposition", "attachment; filename=…", doc::String(), true},
                     {"X-Export-Truncated", "true when more rows matched than were written",
                      doc::String(), false}}}},
       .errors = {400}},
      [&requests, &matters, &clock = api.clock()](Request& req) -> Result<Response> {
        const std::string format = req.Query("format").value_or("xlsx");
        if (format != "xlsx" && format != "csv")
          return Fail(
              Error::InvalidArgument(fmt::format("'format' must be xlsx or csv, not '{}'", format))
                  .About("format", "not_allowed"));
        XT_ASSIGN_OR_RETURN(auto filter, InboxFilter(req));
        XT_ASSIGN_OR_RETURN(auto list,
                            requests.ListForExport(req.actor(), filter, requests::kMaxExportRows));
        const auto catalog = CatalogOrNull(matters);
        const requests::MatterNameOf matter_name = [&catalog](const requests::Request& one) {
          const matters::Matter* m =
              catalog && !one.matter_id.empty() ? catalog->Find(one.matter_id) : nullptr;
          return m ? m->name : std::string();
        };
        const std::string now = FormatRfc3339(clock.Now());
        const std::string title =
            fmt::format("工单导出 {} {}（{} 件{}）", now.substr(0, 10), now.substr(11, 5),
                        list.items.size(), list.truncated ? "，仅前 10000 件" : "");
        Response out;
        if (format == "csv") {
          out.content_type = "text/csv; charset=utf-8";
          out.body = requests::ExportCsv(list.items, matter_name, title);
        } else {
          XT_ASSIGN_OR_RETURN(out.body, requests::ExportXlsx(list.items, matter_name, title));
          out.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        }
        out.SetHeader("Content-Disposition", fmt::format("attachment; filename=\"requests-{}.{}\"",
                                                         now.substr(0, 10), format));
        if (list.truncated) out.SetHeader("X-Export-Truncated", "true");
        return out;
      });

  r.Add("GET", "/api/v1/requests/{id}", Auth::kRequired,
        {.summary = "One request with its summonses, merged requests and the commands the caller "
                    "may give now",
         .summary_zh = "工单详情",
         .tag = "requests",
         .path = {doc::PathId("id", "the request's id or number")},
         .query = {doc::QueryParam("reveal", "contact: the contact phone unmasked (audited)",
                                   doc::Enum({"contact"}))},
         .answers = {doc::Ok(doc::Ref("RequestDetail"), 200, {doc::ETag()})},
         .errors = {400, 404}},
        [&requests, &matters](Request& req) -> Result<Response> {
          auto reveal = req.Query("reveal");
          if (reveal && *reveal != "contact")
            return Fail(Error::InvalidArgument("'reveal' may only be 'contact'"));
          XT_ASSIGN_OR_RETURN(auto d,
                              requests.Get(req.actor(), req.Param("id"), reveal.has_value()));
          const auto catalog = CatalogOrNull(matters);
          json::Json summonses = json::Json::array();
          for (const auto& s : d.summonses) summonses.push_back(SummonsJson(s));
          json::Json merged = json::Json::array();
          for (const auto& m : d.merged) merged.push_back({{"id", m.id}, {"number", m.number}});
          json::Json allowed = json::Json::array();
          for (Command c : d.allowed) allowed.push_back(requests::CommandName(c));
          json::Json body = {
              {"request", RequestWithMatter(d.request, d.contact_revealed, catalog.get())},
              {"summonses", std::move(summonses)},
              {"merged", std::move(merged)},
              {"allowed", std::move(allowed)}};
          if (const auto& q = d.reply_quality)
            body["reply_quality"] = {{"overall", q->overall},
                                     {"relevance", q->relevance},
                                     {"completeness", q->completeness},
                                     {"timeliness", q->timeliness},
                                     {"late", q->late},
                                     {"reasons", q->reasons}};
          Response res = Response::Json(200, std::move(body));
          res.SetHeader("ETag", VersionETag(d.request.version));
          if (d.contact_revealed) res.SetHeader("Cache-Control", "no-store");
          return res;
        });

  r.Add("GET", "/api/v1/requests/{id}/timeline", Auth::kRequired,
        {.summary = "What happened to a request, from the audit chain, oldest first",
         .summary_zh = "办理过程",
         .tag = "requests",
         .path = {doc::PathId("id", "the request's id")},
         .answers = {doc::Ok(doc::Ref("Timeline"))},
         .errors = {404}},
        [&requests](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto events, requests.Timeline(req.actor(), req.Param("id")));
          json::Json items = json::Json::array();
          for (const auto& e : events)
            items.push_back({{"seq", e.seq},
                             {"at", FormatRfc3339(e.at)},
                             {"actor", e.actor},
                             {"action", e.action},
                             {"payload", PayloadJson(e.payload)}});
          return Response::Json(200, {{"items", std::move(items)}});
        });

  r.Add(
      "POST", "/api/v1/requests/{id}/{command}", Auth::kRequired, CommandDoc(),
      [&requests](Request& req) -> Result<Response> {
        auto command = requests::ParseCommand(req.Param("command"));
        if (!command)
          return Fail(Error::NotFound(fmt::format("there is no command '{}'; the commands are: {}",
                                                  req.Param("command"), CommandList())));
        XT_ASSIGN_OR_RETURN(auto in, CommandFrom(req, *command));
        XT_ASSIGN_OR_RETURN(auto updated, requests.Apply(req.actor(), req.Param("id"), in));
        Response res = Response::Json(200, {{"request", RequestJson(updated, false)}});
        res.SetHeader("ETag", VersionETag(updated.version));
        return res;
      });

  r.Add("GET", "/api/v1/track", Auth::kPublic,
        {.summary = "Public tracking: a request's progress by its number and the caller's phone",
         .summary_zh = "进度查询",
         .tag = "requests",
         .query = {doc::QueryParam("number", "the request number", doc::String(1), true),
                   doc::QueryParam("phone_last4", "the last 4 digits of the contact phone",
                                   {{"type", "string"}, {"pattern", "^[0-9]{4}$"}}, true)},
         .answers = {doc::Ok(doc::Ref("Tracking"))},
         .errors = {400, 404, 429}},
        [&requests](Request& req) -> Result<Response> {
          auto number = req.Query("number");
          if (!number || number->empty())
            return Fail(Error::InvalidArgument("'number' (the request number) is required"));
          auto last4 = req.Query("phone_last4");
          if (!last4 || last4->empty())
            return Fail(Error::InvalidArgument(
                "'phone_last4' (the last 4 digits of the phone) is required"));
          XT_ASSIGN_OR_RETURN(auto t, requests.Track(*number, *last4, req.remote));
          json::Json timeline = json::Json::array();
          for (const auto& e : t.timeline)
            timeline.push_back({{"at", FormatRfc3339(e.at)},
                                {"action", e.action},
                                {"payload", PayloadJson(e.payload)}});
          Response res = Response::Json(200, {{"number", t.request.number},
                                              {"status", requests::StatusName(t.request.status)},
                                              {"unit_name", t.request.unit_name},
                                              {"received_at", TimeOrNull(t.request.received_at)},
                                              {"replied_at", TimeOrNull(t.request.replied_at)},
                                              {"reply", t.request.reply},
                                              {"timeline", std::move(timeline)}});
          res.SetHeader("Cache-Control", "no-store");
          return res;
        });

  r.Add("GET", "/api/v1/supervision", Auth::kRequired,
        {.summary = "The supervision queues (督办): overdue, warned, extensions and returns asked",
         .summary_zh = "督办队列",
         .tag = "requests",
         .answers = {doc::Ok(doc::Ref("Supervision"))}},
        [&requests, &matters](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto q, requests.Supervision(req.actor()));
          const auto catalog = CatalogOrNull(matters);
          return Response::Json(200, {{"overdue", ItemsJson(q.overdue, catalog.get())},
                                      {"warned", ItemsJson(q.warned, catalog.get())},
                                      {"extensions", ItemsJson(q.extensions, catalog.get())},
                                      {"returns", ItemsJson(q.returns, catalog.get())}});
        });
}

}  // namespace xietong::http
