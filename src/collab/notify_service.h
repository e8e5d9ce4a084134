// Notifications and outbound webhooks (notify.h says what they are).
//
// OnEvent is the durable reaction "collab.notify" (audit::Consumer over
// "collab." events): in the consumer's transaction it writes one
// notification per recipient of each event that concerns someone —
//   collab.directive.sent       → each recipient              (directive)
//   collab.message.posted       → each member mentioned       (mention; not the author)
//   collab.task.created/reassigned → the new owner            (task_assigned; not the actor)
//   collab.task.escalated       → the force's leads, liaisons (task_overdue)
//   collab.directive.reminded   → each recipient not yet acknowledged (reminder)
//   collab.report_form.sent     → each person of each recipient unit, as the
//                                 form stored them when sent (report_form, 待填报)
//   collab.report_form.reminded → those of them whose unit had not answered
//                                 by the event (report_overdue)
// — and, for each, a delivery per webhook that wants it: the recipient's own
// webhook, and the webhook of the unit it reached them through (directive,
// reminder: the receipt's unit; tasks: the owner's or member's unit; report
// forms: the person's recipient unit, the deepest when several; one
// delivery per unit and event, however many of its people). The cursor and
// these rows commit together, so a restart neither loses nor repeats one
// (and the rows are unique per recipient, kind, subject and event besides).
//
// RemindDue is the periodic pass (the platform's consumer runner calls it):
// each directive past ack_by is reminded once (collab.directive.reminded),
// each report form past due_by that a unit has not answered once
// (collab.report_form.reminded; a form every unit answered never is), each
// task past its deadline escalated once (collab.task.escalated), each
// claimed in its own transaction with its audit event; the reaction above
// turns the events into notifications. DeliverDue posts the deliveries that
// are due (each claimed first, so two nodes never post one at once), with
// an HMAC-SHA256 signature, and retries failures with backoff.
//
// Who may do what: everyone reads and marks their own notifications and
// sets their own webhook; a unit's webhook is set by the unit's lead
// (unit_lead there) or an admin over it (kUnitManage); its deliveries are
// seen by whoever may set it. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_log.h"
#include "collab/notify.h"
#include "core/clock.h"
#include "core/id.h"
#include "identity/identity_service.h"
#include "storage/database.h"

namespace xietong::collab {

// One POST: the endpoint's HTTP status, or an error when there was no
// answer (refused, timed out, not a valid URL).
using WebhookPoster =
    std::function<Result<int>(const std::string& url, const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              std::chrono::milliseconds timeout)>;

struct NotificationPage {
  std::vector<Notification> items;  // newest first
  std::int64_t unread = 0;
};

struct WebhookInput {
  std::string url = {};
  std::vector<std::string> kinds = {};  // empty = every kind
  std::string secret = {};              // "" keeps the one set before (required the first time)
};

class NotifyService {
 public:
  static constexpr int kMaxPage = 200;

  NotifyService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                identity::IdentityService& identity, WebhookPoster post)
      : db_(db), clock_(clock), ids_(ids), identity_(identity), post_(std::move(post)) {}

  // The reaction (see above); runs inside the consumer's transaction.
  Result<void> OnEvent(storage::Executor& ex, const audit::Event& e);
  // Reminders and escalations due now; how many were started.
  Result<int> RemindDue();
  // Posts up to limit due deliveries; how many were attempted.
  Result<int> DeliverDue(int limit = 50);

  Result<NotificationPage> Mine(const identity::Principal& actor, int limit);
  // Marks the caller's notifications up to and including up_to read; the unread count after.
  Result<std::int64_t> MarkRead(const identity::Principal& actor, std::string_view up_to);

  // unit_id "" = the caller's own webhook.
  Result<std::optional<Webhook>> GetWebhook(const identity::Principal& actor,
                                            std::string_view unit_id);
  Result<Webhook> PutWebhook(const identity::Principal& actor, std::string_view unit_id,
                             const WebhookInput& in);
  Result<void> DeleteWebhook(const identity::Principal& actor, std::string_view unit_id);
  Result<std::vector<Delivery>> Deliveries(const identity::Principal& actor,
                                           std::string_view webhook_id, int limit);

 private:
  // The owner a caller names (themself, or a unit they may manage).
  Result<std::pair<WebhookOwner, std::string>> OwnerFor(const identity::Principal& actor,
                                                        std::string_view unit_id);
  bool MayManageUnit(const identity::Principal& actor, const identity::OrgUnit& unit) const;
  // Writes the notifications and their deliveries.
  Result<void> Store(storage::Executor& ex, std::vector<Notification>& list);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  identity::IdentityService& identity_;
  const WebhookPoster post_;
};

}  // namespace xietong::collab
