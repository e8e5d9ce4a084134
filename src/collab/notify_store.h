// The notifications' SQL (collab migration 4): notifications (one row per
// recipient and event, unique, so a reaction run twice adds nothing),
// webhooks (one per account, one per unit), their deliveries (the outbox:
// one per webhook and notification — per unit webhook, one per event), and
// the directives reminded, report forms reminded and tasks escalated, each
// once. Decides no rule; only notify_service.cc calls it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collab/notify.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::collab::store {

using storage::Executor;

std::span<const storage::Migration> NotifyMigrations();

// In multi-row INSERTs; a row already there (same account, kind, subject
// and event) is left as it is.
Result<void> InsertNotifications(Executor& ex, std::span<const Notification> list);
// The account's newest first, at most limit.
Result<std::vector<Notification>> NotificationsOf(Executor& ex, std::string_view account_id,
                                                  int limit);
Result<std::int64_t> UnreadNotifications(Executor& ex, std::string_view account_id);
// Marks the account's unread notifications with id ≤ up_to read; how many.
Result<std::int64_t> MarkNotificationsRead(Executor& ex, std::string_view account_id,
                                           std::string_view up_to, Timestamp at);

Result<std::vector<Webhook>> AllWebhooks(Executor& ex);
Result<std::optional<Webhook>> FindWebhook(Executor& ex, WebhookOwner owner,
                                           std::string_view owner_id);
Result<std::optional<Webhook>> FindWebhookById(Executor& ex, std::string_view id);
// Inserts, or replaces the owner's webhook (keeping its id).
Result<void> SaveWebhook(Executor& ex, const Webhook& w);
Result<bool> DeleteWebhook(Executor& ex, std::string_view id);

// dedup: unique per webhook; a second delivery with it is not added.
Result<void> InsertDelivery(Executor& ex, const Delivery& d, std::string_view dedup);
// Pending deliveries due at now, oldest first.
Result<std::vector<Delivery>> DueDeliveries(Executor& ex, Timestamp now, int limit);
// Moves a pending delivery's next_at from `from` to `to` (a claim before the
// attempt); false when another node claimed it first.
Result<bool> ClaimDelivery(Executor& ex, std::string_view id, Timestamp from, Timestamp to);
Result<void> UpdateDelivery(Executor& ex, const Delivery& d);
Result<std::vector<Delivery>> DeliveriesOf(Executor& ex, std::string_view webhook_id, int limit);

// Directives whose ack_by is in (0, now) not yet reminded, earliest first.
struct DueReminder {
  std::string directive_id, title;
};
Result<std::vector<DueReminder>> DueReminders(Executor& ex, Timestamp now, int limit);
// Claims a directive's reminder; false when it was claimed before.
Result<bool> ClaimReminder(Executor& ex, std::string_view directive_id, Timestamp at);

// Report forms past due_by that some recipient unit has not answered, not
// yet reminded, earliest first (the table is collab migration 7's).
struct DueFormReminder {
  std::string form_id, title;
  Timestamp due_by = 0;
};
Result<std::vector<DueFormReminder>> DueFormReminders(Executor& ex, Timestamp now, int limit);
// Claims a form's overdue reminder; false when it was claimed before.
Result<bool> ClaimFormReminder(Executor& ex, std::string_view form_id, Timestamp at);

// Tasks not done past their deadline in active forces, not yet escalated.
struct DueEscalation {
  std::string task_id, force_id, title, owner_account_id;
  Timestamp deadline = 0;
};
Result<std::vector<DueEscalation>> DueEscalations(Executor& ex, Timestamp now, int limit);
Result<bool> ClaimEscalation(Executor& ex, std::string_view task_id, Timestamp at);

}  // namespace xietong::collab::store
