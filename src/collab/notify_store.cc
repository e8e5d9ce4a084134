#include "collab/notify_store.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/json.h"

namespace xietong::collab::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"collab", 4, "notifications, webhooks and their deliveries, reminders and escalations sent",
     "CREATE TABLE collab_notifications ("
     " id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT NOT NULL,"
     " subject_id TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, link TEXT NOT NULL,"
     " unit_id TEXT NOT NULL, event_seq BIGINT NOT NULL, at BIGINT NOT NULL,"
     " read_at BIGINT NOT NULL, UNIQUE (account_id, kind, subject_id, event_seq));"
     "CREATE INDEX collab_notifications_account ON collab_notifications (account_id, read_at);"
     "CREATE TABLE collab_webhooks ("
     " id TEXT PRIMARY KEY, owner_kind TEXT NOT NULL, owner_id TEXT NOT NULL, url TEXT NOT NULL,"
     " kinds TEXT NOT NULL, secret TEXT NOT NULL, updated_by TEXT NOT NULL,"
     " updated_at BIGINT NOT NULL, UNIQUE (owner_kind, owner_id));"
     "CREATE TABLE collab_deliveries ("
     " id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL, notification_id TEXT NOT NULL,"
     " kind TEXT NOT NULL, dedup TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,"
     " attempts BIGINT NOT NULL, next_at BIGINT NOT NULL, last_status BIGINT NOT NULL,"
     " last_error TEXT NOT NULL, created_at BIGINT NOT NULL, delivered_at BIGINT NOT NULL,"
     " UNIQUE (webhook_id, dedup));"
     "CREATE INDEX collab_deliveries_due ON collab_deliveries (status, next_at);"
     "CREATE INDEX collab_deliveries_webhook ON collab_deliveries (webhook_id, created_at);"
     "CREATE TABLE collab_reminded ("
     " directive_id TEXT PRIMARY KEY, at BIGINT NOT NULL);"
     "CREATE TABLE collab_escalated ("
     " task_id TEXT PRIMARY KEY, at BIGINT NOT NULL)"},
};

constexpr int kRowsPerInsert = 200;  // 11 parameters each

std::string Strings(const std::vector<std::string>& v) { return json::Json(v).dump(); }
std::vector<std::string> Strings(std::string_view text) {
  std::vector<std::string> out;
  auto j = json::Json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& s : j)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

constexpr std::string_view kNotificationColumns =
    "id, account_id, kind, subject_id, title, body, link, unit_id, event_seq, at, read_at";

Notification NotificationFrom(const storage::Row& r) {
  Notification n;
  n.id = r.Text(0);
  n.account_id = r.Text(1);
  n.kind = ParseNotifyKind(r.TextView(2)).value_or(NotifyKind::kDirective);
  n.subject_id = r.Text(3);
  n.title = r.Text(4);
  n.body = r.Text(5);
  n.link = r.Text(6);
  n.unit_id = r.Text(7);
  n.event_seq = r.Int(8);
  n.at = r.Int(9);
  n.read_at = r.Int(10);
  return n;
}

constexpr std::string_view kWebhookColumns =
    "id, owner_kind, owner_id, url, kinds, secret, updated_by, updated_at";

Webhook WebhookFrom(const storage::Row& r) {
  Webhook w;
  w.id = r.Text(0);
  w.owner_kind = r.TextView(1) == "unit" ? WebhookOwner::kUnit : WebhookOwner::kAccount;
  w.owner_id = r.Text(2);
  w.url = r.Text(3);
  w.kinds = Strings(r.TextView(4));
  w.secret = r.Text(5);
  w.updated_by = r.Text(6);
  w.updated_at = r.Int(7);
  return w;
}

constexpr std::string_view kDeliveryColumns =
    "id, webhook_id, notification_id, kind, body, status, attempts, next_at, last_status,"
    " last_error, created_at, delivered_at";

Delivery DeliveryFrom(const storage::Row& r) {
  Delivery d;
  d.id = r.Text(0);
  d.webhook_id = r.Text(1);
  d.notification_id = r.Text(2);
  d.kind = ParseNotifyKind(r.TextView(3)).value_or(NotifyKind::kDirective);
  d.body = r.Text(4);
  const auto status = r.TextView(5);
  d.status = status == "delivered" ? DeliveryStatus::kDelivered
             : status == "failed"  ? DeliveryStatus::kFailed
                                   : DeliveryStatus::kPending;
  d.attempts = static_cast<int>(r.Int(6));
  d.next_at = r.Int(7);
  d.last_status = static_cast<int>(r.Int(8));
  d.last_error = r.Text(9);
  d.created_at = r.Int(10);
  d.delivered_at = r.Int(11);
  return d;
}

}  // namespace

std::span<const storage::Migration> NotifyMigrations() { return kMigrations; }

Result<void> InsertNotifications(Executor& ex, std::span<const Notification> list) {
  std::vector<storage::Value> params;
  std::string sql;
  for (std::size_t from = 0; from < list.size(); from += kRowsPerInsert) {
    const std::size_t n = std::min<std::size_t>(kRowsPerInsert, list.size() - from);
    sql = fmt::format("INSERT INTO collab_notifications ({}) VALUES ", kNotificationColumns);
    params.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const Notification& x = list[from + i];
      sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      params.insert(params.end(), {storage::Value(x.id), x.account_id,
                                   std::string(NotifyKindName(x.kind)), x.subject_id, x.title,
                                   x.body, x.link, x.unit_id, x.event_seq, x.at, x.read_at});
    }
    sql += " ON CONFLICT (account_id, kind, subject_id, event_seq) DO NOTHING";
    XT_TRY_VOID(ex.Defer(sql, storage::Params(params)));
  }
  return {};
}

Result<std::vector<Notification>> NotificationsOf(Executor& ex, std::string_view account_id,
                                                  int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows, ex.Query(fmt::format("SELECT {} FROM collab_notifications WHERE account_id = ?"
                                      " ORDER BY id DESC LIMIT {}",
                                      kNotificationColumns, limit),
                          {account_id}));
  std::vector<Notification> out;
  for (const auto& r : rows) out.push_back(NotificationFrom(r));
  return out;
}

Result<std::int64_t> UnreadNotifications(Executor& ex, std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM collab_notifications"
                                            " WHERE account_id = ? AND read_at = 0",
                                            {account_id}));
  return row ? row->Int(0) : 0;
}

Result<std::int64_t> MarkNotificationsRead(Executor& ex, std::string_view account_id,
                                           std::string_view up_to, Timestamp at) {
  return ex.Exec(
      "UPDATE collab_notifications SET read_at = ?"
      " WHERE account_id = ? AND read_at = 0 AND id <= ?",
      {at, account_id, up_to});
}

Result<std::vector<Webhook>> AllWebhooks(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM collab_webhooks ORDER BY id",
                                                      kWebhookColumns)));
  std::vector<Webhook> out;
  for (const auto& r : rows) out.push_back(WebhookFrom(r));
  return out;
}

Result<std::optional<Webhook>> FindWebhook(Executor& ex, WebhookOwner owner,
                                           std::string_view owner_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM collab_webhooks"
                                                        " WHERE owner_kind = ? AND owner_id = ?",
                                                        kWebhookColumns),
                                            {std::string(WebhookOwnerName(owner)), owner_id}));
  if (!row) return std::optional<Webhook>();
  return std::optional<Webhook>(WebhookFrom(*row));
}

Result<std::optional<Webhook>> FindWebhookById(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM collab_webhooks WHERE id = ?", kWebhookColumns),
                  {id}));
  if (!row) return std::optional<Webhook>();
  return std::optional<Webhook>(WebhookFrom(*row));
}

Result<void> SaveWebhook(Executor& ex, const Webhook& w) {
  return ex.Defer(
      fmt::format("INSERT INTO collab_webhooks ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                  " ON CONFLICT (owner_kind, owner_id) DO UPDATE SET url = excluded.url,"
                  " kinds = excluded.kinds, secret = excluded.secret,"
                  " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                  kWebhookColumns),
      {w.id, std::string(WebhookOwnerName(w.owner_kind)), w.owner_id, w.url, Strings(w.kinds),
       w.secret, w.updated_by, w.updated_at});
}

Result<bool> DeleteWebhook(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(const auto n, ex.Exec("DELETE FROM collab_webhooks WHERE id = ?", {id}));
  // Nothing more to send for it.
  XT_TRY_VOID(ex.Defer(
      "UPDATE collab_deliveries SET status = 'failed', last_error = 'the webhook was removed'"
      " WHERE webhook_id = ? AND status = 'pending'",
      {id}));
  return n > 0;
}

Result<void> InsertDelivery(Executor& ex, const Delivery& d, std::string_view dedup) {
  return ex.Defer(fmt::format("INSERT INTO collab_deliveries ({}, dedup) VALUES"
                              " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                              " ON CONFLICT (webhook_id, dedup) DO NOTHING",
                              kDeliveryColumns),
                  {d.id, d.webhook_id, d.notification_id, std::string(NotifyKindName(d.kind)),
                   d.body, std::string(DeliveryStatusName(d.status)), d.attempts, d.next_at,
                   d.last_status, d.last_error, d.created_at, d.delivered_at, dedup});
}

Result<std::vector<Delivery>> DueDeliveries(Executor& ex, Timestamp now, int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows, ex.Query(fmt::format("SELECT {} FROM collab_deliveries WHERE status = 'pending'"
                                      " AND next_at <= ? ORDER BY next_at, id LIMIT {}",
                                      kDeliveryColumns, limit),
                          {now}));
  std::vector<Delivery> out;
  for (const auto& r : rows) out.push_back(DeliveryFrom(r));
  return out;
}

Result<bool> ClaimDelivery(Executor& ex, std::string_view id, Timestamp from, Timestamp to) {
  XT_ASSIGN_OR_RETURN(const auto n, ex.Exec("UPDATE collab_deliveries SET next_at = ?"
                                            " WHERE id = ? AND status = 'pending' AND next_at = ?",
                                            {to, id, from}));
  return n > 0;
}

Result<void> UpdateDelivery(Executor& ex, const Delivery& d) {
  return ex.Defer(
      "UPDATE collab_deliveries SET status = ?, attempts = ?, next_at = ?, last_status = ?,"
      " last_error = ?, delivered_at = ? WHERE id = ?",
      {std::string(DeliveryStatusName(d.status)), d.attempts, d.next_at, d.last_status,
       d.last_error, d.delivered_at, d.id});
}

Result<std::vector<Delivery>> DeliveriesOf(Executor& ex, std::string_view webhook_id, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM collab_deliveries WHERE webhook_id = ?"
                                           " ORDER BY created_at DESC, id DESC LIMIT {}",
                                           kDeliveryColumns, limit),
                               {webhook_id}));
  std::vector<Delivery> out;
  for (const auto& r : rows) out.push_back(DeliveryFrom(r));
  return out;
}

Result<std::vector<DueReminder>> DueReminders(Executor& ex, Timestamp now, int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT d.id, d.title FROM collab_directives d"
                           " WHERE d.ack_by > 0 AND d.ack_by < ? AND NOT EXISTS"
                           " (SELECT 1 FROM collab_reminded r WHERE r.directive_id = d.id)"
                           " ORDER BY d.ack_by, d.id LIMIT {}",
                           limit),
               {now}));
  std::vector<DueReminder> out;
  for (const auto& r : rows) out.push_back({r.Text(0), r.Text(1)});
  return out;
}

Result<bool> ClaimReminder(Executor& ex, std::string_view directive_id, Timestamp at) {
  XT_ASSIGN_OR_RETURN(const auto n, ex.Exec("INSERT INTO collab_reminded (directive_id, at)"
                                            " VALUES (?, ?) ON CONFLICT (directive_id) DO NOTHING",
                                            {directive_id, at}));
  return n > 0;
}

Result<std::vector<DueFormReminder>> DueFormReminders(Executor& ex, Timestamp now, int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT f.id, f.title, f.due_by FROM collab_report_forms f"
                           " WHERE f.due_by < ? AND (SELECT COUNT(*) FROM collab_report_answers a"
                           " WHERE a.form_id = f.id) < f.recipients AND NOT EXISTS"
                           " (SELECT 1 FROM collab_report_reminded r WHERE r.form_id = f.id)"
                           " ORDER BY f.due_by, f.id LIMIT {}",
                           limit),
               {now}));
  std::vector<DueFormReminder> out;
  for (const auto& r : rows) out.push_back({r.Text(0), r.Text(1), r.Int(2)});
  return out;
}

Result<bool> ClaimFormReminder(Executor& ex, std::string_view form_id, Timestamp at) {
  XT_ASSIGN_OR_RETURN(const auto n, ex.Exec("INSERT INTO collab_report_reminded (form_id, at)"
                                            " VALUES (?, ?) ON CONFLICT (form_id) DO NOTHING",
                                            {form_id, at}));
  return n > 0;
}

Result<std::vector<DueEscalation>> DueEscalations(Executor& ex, Timestamp now, int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT t.id, t.force_id, t.title, t.owner_account_id, t.deadline"
                           " FROM collab_tasks t JOIN collab_forces f ON f.id = t.force_id"
                           " WHERE t.status <> 'done' AND t.deadline < ? AND f.status = 'active'"
                           " AND NOT EXISTS (SELECT 1 FROM collab_escalated e"
                           " WHERE e.task_id = t.id) ORDER BY t.deadline, t.id LIMIT {}",
                           limit),
               {now}));
  std::vector<DueEscalation> out;
  for (const auto& r : rows) out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)});
  return out;
}

Result<bool> ClaimEscalation(Executor& ex, std::string_view task_id, Timestamp at) {
  XT_ASSIGN_OR_RETURN(const auto n, ex.Exec("INSERT INTO collab_escalated (task_id, at)"
                                            " VALUES (?, ?) ON CONFLICT (task_id) DO NOTHING",
                                            {task_id, at}));
  return n > 0;
}

}  // namespace xietong::collab::store
