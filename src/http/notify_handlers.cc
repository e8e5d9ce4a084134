#include "http/notify_handlers.h"

#include <fmt/core.h>

#include "http/api_schemas.h"

namespace xietong::http {
namespace {

using collab::NotifyService;

// Every notification kind's name (collab/notify.h lists them): the
// webhook's "kinds" and the notifications' "kind" in the API.
std::vector<std::string> KindNames() {
  std::vector<std::string> out;
  for (auto k : collab::kNotifyKinds) out.emplace_back(collab::NotifyKindName(k));
  return out;
}

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }
json::Json OrNull(const std::string& s) { return s.empty() ? json::Json(nullptr) : json::Json(s); }

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "collab";
  return d;
}

// --- encoders (each mirrored by a schema in NotifySchemas) -------------------------------

json::Json NotificationJson(const collab::Notification& n) {
  return {{"id", n.id},
          {"kind", collab::NotifyKindName(n.kind)},
          {"subject_id", n.subject_id},
          {"title", n.title},
          {"body", n.body},
          {"link", n.link},
          {"unit_id", OrNull(n.unit_id)},
          {"at", Time(n.at)},
          {"read_at", Time(n.read_at)}};
}

// The secret is never answered, only whether one is set.
json::Json WebhookJson(const collab::Webhook& w) {
  return {{"id", w.id},
          {"owner_kind", collab::WebhookOwnerName(w.owner_kind)},
          {"owner_id", w.owner_id},
          {"url", w.url},
          {"kinds", w.kinds},
          {"secret_set", !w.secret.empty()},
          {"updated_by", w.updated_by},
          {"updated_at", Time(w.updated_at)}};
}

json::Json DeliveryJson(const collab::Delivery& d) {
  return {{"id", d.id},
          {"webhook_id", d.webhook_id},
          {"notification_id", d.notification_id},
          {"kind", collab::NotifyKindName(d.kind)},
          {"status", collab::DeliveryStatusName(d.status)},
          {"attempts", d.attempts},
          {"next_at",
           d.status == collab::DeliveryStatus::kPending ? Time(d.next_at) : json::Json(nullptr)},
          {"last_status", d.last_status ? json::Json(d.last_status) : json::Json(nullptr)},
          {"last_error", OrNull(d.last_error)},
          {"created_at", Time(d.created_at)},
          {"delivered_at", Time(d.delivered_at)}};
}

Result<std::string> Str(const json::Json& body, std::string_view field, bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (!required) return std::string();
    return Fail(Error::InvalidArgument(fmt::format("field '{}': is required", field))
                    .About(std::string(field), "required"));
  }
  if (!it->is_string())
    return Fail(Error::InvalidArgument(fmt::format("field '{}': must be a string", field))
                    .About(std::string(field), "wrong_type"));
  return it->get<std::string>();
}

ParamDoc UnitParam() {
  return doc::QueryParam("unit",
                         "a unit's webhook instead of my own (its unit lead or an administrator "
                         "over it)");
}

}  // namespace

void RegisterNotifyRoutes(Api& api, NotifyService& notify) {
  Router& r = api.router();
  const std::string hooks = "/api/v1/notify/webhooks";
  {
    RouteDoc d = Doc("My notifications, newest first, with the unread count", "我的通知");
    d.query = {doc::Limit(NotifyService::kMaxPage)};
    d.answers = {doc::Ok(doc::Ref("NotificationPage"))};
    d.errors = {400};
    r.Add("GET", "/api/v1/notifications", Auth::kRequired, d,
          [&notify](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
            XT_ASSIGN_OR_RETURN(auto page, notify.Mine(req.actor(), limit));
            json::Json items = json::Json::array();
            for (const auto& n : page.items) items.push_back(NotificationJson(n));
            return Response::Json(200, {{"items", std::move(items)}, {"unread", page.unread}});
          });
  }
  {
    RouteDoc d = Doc("Mark my notifications read, up to and including one", "标记通知已读");
    d.description =
        "up_to: the newest notification the page showed; every one of mine up to it "
        "is read, and the unread count after is answered.";
    d.body = {doc::Json(doc::Object({{"up_to", doc::String(1)}}, {"up_to"}))};
    d.answers = {doc::Ok(doc::Object({{"unread", doc::IntegerIn(0, 1LL << 62)}}, {"unread"}))};
    d.errors = {400};
    r.Add("POST", "/api/v1/notifications/read", Auth::kRequired, d,
          [&notify](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto up_to, Str(body, "up_to", true));
            XT_ASSIGN_OR_RETURN(const auto unread, notify.MarkRead(req.actor(), up_to));
            return Response::Json(200, {{"unread", unread}});
          });
  }
  {
    RouteDoc d = Doc("My webhook, or a unit's (null when none is set)", "通知推送地址");
    d.query = {UnitParam()};
    d.answers = {
        doc::Ok(doc::Object({{"webhook", doc::Nullable(doc::Ref("Webhook"))}}, {"webhook"}))};
    d.errors = {403, 404};
    r.Add("GET", hooks, Auth::kRequired, d, [&notify](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto w, notify.GetWebhook(req.actor(), req.Query("unit").value_or("")));
      return Response::Json(200, {{"webhook", w ? WebhookJson(*w) : json::Json(nullptr)}});
    });
  }
  {
    RouteDoc d = Doc("Set my webhook, or a unit's", "设置通知推送");
    d.description =
        "Notifications of the chosen kinds (none: every kind) are POSTed as JSON to url — "
        "https://, or http:// to this machine only — signed: X-Xietong-Signature is sha256= and "
        "the hex HMAC-SHA256, keyed with secret, of X-Xietong-Timestamp, a '.', and the body. A "
        "failed delivery is retried with backoff (30 s doubling, up to 8 attempts). secret is "
        "required the first time and kept when omitted later; it is never answered.";
    d.query = {UnitParam()};
    d.body = {
        doc::Json(doc::Object({{"url", doc::String(1, collab::kMaxWebhookUrl)},
                               {"kinds", doc::ArrayOf(doc::Enum(KindNames()))},
                               {"secret", doc::String(collab::kMinSecret, collab::kMaxSecret)}},
                              {"url"}))};
    d.answers = {doc::Ok(doc::Object({{"webhook", doc::Ref("Webhook")}}, {"webhook"}))};
    d.errors = {400, 403, 404};
    r.Add("PUT", hooks, Auth::kRequired, d, [&notify](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      collab::WebhookInput in;
      XT_ASSIGN_OR_RETURN(in.url, Str(body, "url", true));
      if (body.contains("kinds") && !body["kinds"].is_null()) {
        XT_ASSIGN_OR_RETURN(in.kinds, json::StringArray(body, "kinds"));
      }
      XT_ASSIGN_OR_RETURN(in.secret, Str(body, "secret", false));
      XT_ASSIGN_OR_RETURN(auto w,
                          notify.PutWebhook(req.actor(), req.Query("unit").value_or(""), in));
      return Response::Json(200, {{"webhook", WebhookJson(w)}});
    });
  }
  {
    RouteDoc d = Doc("Remove my webhook, or a unit's", "删除通知推送");
    d.query = {UnitParam()};
    d.answers = {doc::NoContent("removed; its pending deliveries are dropped")};
    d.errors = {403, 404};
    r.Add("DELETE", hooks, Auth::kRequired, d, [&notify](Request& req) -> Result<Response> {
      XT_TRY_VOID(notify.DeleteWebhook(req.actor(), req.Query("unit").value_or("")));
      return Response::NoContent();
    });
  }
  {
    RouteDoc d =
        Doc("A webhook's deliveries, newest first: status, attempts, last answer", "推送记录");
    d.path = {doc::PathId("id", "the webhook")};
    d.query = {doc::Limit(NotifyService::kMaxPage)};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("WebhookDelivery")))};
    d.errors = {400, 404};
    r.Add("GET", hooks + "/{id}/deliveries", Auth::kRequired, d,
          [&notify](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
            XT_ASSIGN_OR_RETURN(auto list, notify.Deliveries(req.actor(), req.Param("id"), limit));
            json::Json items = json::Json::array();
            for (const auto& x : list) items.push_back(DeliveryJson(x));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
}

json::Json NotifySchemas() {
  using namespace doc;
  const json::Json time = Nullable(DateTime());
  const json::Json kinds = Enum(KindNames());
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [k, v] : props.items()) required.push_back(k);
    return Object(std::move(props), std::move(required));
  };
  json::Json notification = closed({{"id", String(1)},
                                    {"kind", kinds},
                                    {"subject_id", String(1)},
                                    {"title", String()},
                                    {"body", String()},
                                    {"link", String()},
                                    {"unit_id", Nullable(String(1))},
                                    {"at", time},
                                    {"read_at", time}});
  return {{"Notification", notification},
          {"NotificationPage",
           closed({{"items", ArrayOf(Ref("Notification"))}, {"unread", IntegerIn(0, 1LL << 62)}})},
          {"Webhook", closed({{"id", String(1)},
                              {"owner_kind", Enum({"account", "unit"})},
                              {"owner_id", String(1)},
                              {"url", String(1)},
                              {"kinds", ArrayOf(kinds)},
                              {"secret_set", Boolean()},
                              {"updated_by", String()},
                              {"updated_at", time}})},
          {"WebhookDelivery", closed({{"id", String(1)},
                                      {"webhook_id", String(1)},
                                      {"notification_id", String(1)},
                                      {"kind", kinds},
                                      {"status", Enum({"pending", "delivered", "failed"})},
                                      {"attempts", IntegerIn(0, 1000)},
                                      {"next_at", time},
                                      {"last_status", Nullable(Integer())},
                                      {"last_error", Nullable(String())},
                                      {"created_at", time},
                                      {"delivered_at", time}})}};
}

}  // namespace xietong::http
