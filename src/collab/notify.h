// Notifications (通知提醒): what the platform tells a person about collab —
// a directive sent to them, a mention in a channel, a task assigned to
// them, a task past its deadline (to the force's leads and liaisons), a
// reminder of a directive not acknowledged by its deadline, a report form
// sent to their unit (待填报), and a report form past its deadline that
// their unit has not answered (report_overdue) — in the page
// (a list with an unread count) and, through an outbound webhook per
// account or per unit, in other messengers (政务微信/钉钉-style integrations
// are configured as a URL, not built in). Pure: no I/O.
//
// A webhook delivery is a POST of a JSON body with
//   X-Xietong-Event:     the notification kind
//   X-Xietong-Delivery:  the delivery id (the same on every retry)
//   X-Xietong-Timestamp: Unix seconds of this attempt
//   X-Xietong-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
// retried with backoff (NextAttempt) until a 2xx or kMaxAttempts.
// Thread-safe: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::collab {

// Names: directive, mention, task_assigned, task_overdue, reminder,
// report_form, report_overdue (the webhook's "kinds", the API's enum and the
// web's labels list the same). A form past its deadline is report_overdue,
// not reminder: reminder has always meant "acknowledge this directive" (its
// label, its link, what a webhook subscribed to it expects); an overdue form
// asks for something else, an answer, and subscribers choose it apart.
enum class NotifyKind {
  kDirective,
  kMention,
  kTaskAssigned,
  kTaskOverdue,
  kReminder,
  kReportForm,
  kReportOverdue
};
std::string_view NotifyKindName(NotifyKind k);
std::optional<NotifyKind> ParseNotifyKind(std::string_view s);
inline constexpr NotifyKind kNotifyKinds[] = {NotifyKind::kDirective,    NotifyKind::kMention,
                                              NotifyKind::kTaskAssigned, NotifyKind::kTaskOverdue,
                                              NotifyKind::kReminder,     NotifyKind::kReportForm,
                                              NotifyKind::kReportOverdue};

struct Notification {
  std::string id;
  std::string account_id;
  NotifyKind kind = NotifyKind::kDirective;
  std::string subject_id;      // the directive, channel, task or report form
  std::string title;           // the directive's, task's or form's title, the message's first words
  std::string body;            // a short excerpt
  std::string link;            // the page that shows it, e.g. /collab/directives
  std::string unit_id;         // the unit it reached the person through ("" when none)
  std::int64_t event_seq = 0;  // the audit event it reacts to; 0 for reminders and escalations
  Timestamp at = 0;
  Timestamp read_at = 0;
};

enum class WebhookOwner { kAccount, kUnit };
std::string_view WebhookOwnerName(WebhookOwner o);

struct Webhook {
  std::string id;
  WebhookOwner owner_kind = WebhookOwner::kAccount;
  std::string owner_id;  // the account or unit
  std::string url;
  std::vector<std::string> kinds;  // NotifyKindName values; empty = every kind
  std::string secret;              // never shown back
  std::string updated_by;
  Timestamp updated_at = 0;
};

enum class DeliveryStatus { kPending, kDelivered, kFailed };
std::string_view DeliveryStatusName(DeliveryStatus s);

struct Delivery {
  std::string id, webhook_id, notification_id;
  NotifyKind kind = NotifyKind::kDirective;
  std::string body;  // the JSON posted
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  Timestamp next_at = 0;  // when it is due (pending)
  int last_status = 0;    // the endpoint's last HTTP status (0: none)
  std::string last_error;
  Timestamp created_at = 0, delivered_at = 0;
};

inline constexpr int kMaxAttempts = 8;
inline constexpr std::size_t kMaxWebhookUrl = 2000;
inline constexpr std::size_t kMinSecret = 16, kMaxSecret = 200;

// A webhook's URL: https:// to any host, or http:// to this machine only
// (127.0.0.1, localhost, [::1]: a local relay or a test); no user info, no
// fragment, no control characters. InvalidArgument otherwise.
Result<void> CheckWebhookUrl(std::string_view url);
// Known kinds, each once (sorted); InvalidArgument for an unknown one.
Result<std::vector<std::string>> CheckKinds(const std::vector<std::string>& kinds);
// kMinSecret–kMaxSecret printable ASCII characters.
Result<void> CheckSecret(std::string_view secret);
bool Wants(const Webhook& w, NotifyKind k);

// When a delivery that has failed `attempts` times is tried again: 30 s,
// then doubling, at most an hour apart.
Timestamp NextAttempt(int attempts, Timestamp now);

// The X-Xietong-Signature value for a body posted at unix_seconds.
std::string SignDelivery(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

// A text's first max_chars characters (whole UTF-8 sequences), "…" when cut.
std::string Excerpt(std::string_view text, std::size_t max_chars);

}  // namespace xietong::collab
