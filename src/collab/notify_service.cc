#include "collab/notify_service.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "collab/collab_store.h"
#include "collab/notify_store.h"
#include "collab/report_form_store.h"
#include "core/json.h"
#include "identity/authorization.h"

namespace xietong::collab {

using identity::Principal;
using storage::Executor;

namespace {

constexpr std::size_t kTitleChars = 80, kBodyChars = 140;
constexpr int kPassLimit = 100;  // directives, forms or tasks per RemindDue
constexpr Timestamp kDeliveryLease = 60 * kMicrosPerSecond;
constexpr std::chrono::milliseconds kPostTimeout{5000};

json::Json Parse(const audit::Event& e) {
  auto j = json::Json::parse(e.payload, nullptr, false);
  return j.is_object() ? j : json::Json::object();
}

std::string Str(const json::Json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string ForceLink(std::string_view force_id) {
  return fmt::format("/collab/forces/{}", force_id);
}

json::Json DeliveryBody(const Notification& n, const Webhook& w, std::string_view delivery_id) {
  json::Json j = {{"delivery_id", delivery_id},
                  {"kind", NotifyKindName(n.kind)},
                  {"subject_id", n.subject_id},
                  {"title", n.title},
                  {"body", n.body},
                  {"link", n.link},
                  {"at", FormatRfc3339(n.at)}};
  if (w.owner_kind == WebhookOwner::kUnit)
    j["unit_id"] = w.owner_id;
  else
    j["account_id"] = n.account_id;
  return j;
}

}  // namespace

// --- the reaction ------------------------------------------------------------------------

Result<void> NotifyService::OnEvent(Executor& ex, const audit::Event& e) {
  std::vector<Notification> list;
  auto add = [&](std::string account_id, NotifyKind kind, std::string subject, std::string title,
                 std::string body, std::string link, std::string unit_id) {
    Notification n;
    n.id = ids_.Next();
    n.account_id = std::move(account_id);
    n.kind = kind;
    n.subject_id = std::move(subject);
    n.title = Excerpt(title, kTitleChars);
    n.body = Excerpt(body, kBodyChars);
    n.link = std::move(link);
    n.unit_id = std::move(unit_id);
    n.event_seq = e.seq;
    n.at = e.at;
    list.push_back(std::move(n));
  };
  const std::string_view a = e.action;
  if (a == "collab.directive.sent" || a == "collab.directive.reminded") {
    XT_ASSIGN_OR_RETURN(auto d, store::FindDirective(ex, e.subject));
    if (!d) return {};
    const bool reminder = a == "collab.directive.reminded";
    std::vector<Receipt> receipts;
    if (reminder) {
      XT_ASSIGN_OR_RETURN(auto pending, store::Unacknowledged(ex, d->id, e.at + 1, 100'000));
      for (auto& i : pending) receipts.push_back(std::move(i.receipt));
    } else {
      XT_ASSIGN_OR_RETURN(receipts, store::Receipts(ex, d->id));
    }
    list.reserve(receipts.size());
    for (const auto& r : receipts)
      add(r.account_id, reminder ? NotifyKind::kReminder : NotifyKind::kDirective, d->id, d->title,
          reminder ? fmt::format("{} · {}", d->from_unit_name, FormatRfc3339(d->ack_by)) : d->body,
          "/collab/directives", r.unit_id);
  } else if (a == "collab.message.posted") {
    const json::Json p = Parse(e);
    auto mentions = p.find("mentions");
    if (mentions == p.end() || !mentions->is_array() || mentions->empty()) return {};
    XT_ASSIGN_OR_RETURN(auto c, store::FindChannel(ex, e.subject));
    if (!c) return {};
    std::set<std::string> seen;
    for (const auto& m : *mentions) {
      if (!m.is_string()) continue;
      std::string who = m.get<std::string>();
      if (who == e.actor || !seen.insert(who).second) continue;
      add(std::move(who), NotifyKind::kMention, c->id, c->title, Str(p, "text"),
          fmt::format("/collab/messages?channel={}", c->id), "");
    }
  } else if (a == "collab.task.created" || a == "collab.task.reassigned") {
    const json::Json p = Parse(e);
    const std::string owner = Str(p, a == "collab.task.created" ? "owner_account_id" : "to");
    if (owner.empty() || owner == e.actor) return {};
    XT_ASSIGN_OR_RETURN(auto t, store::FindTask(ex, e.subject));
    if (!t) return {};
    add(owner, NotifyKind::kTaskAssigned, t->id, t->title, t->description, ForceLink(t->force_id),
        Str(p, "owner_unit_id"));
  } else if (a == "collab.report_form.sent" || a == "collab.report_form.reminded") {
    XT_ASSIGN_OR_RETURN(auto f, store::FindForm(ex, e.subject));
    if (!f) return {};
    const bool reminder = a == "collab.report_form.reminded";
    XT_ASSIGN_OR_RETURN(auto recipients, store::FormRecipients(ex, f->id));
    std::set<std::string> units;
    for (const auto& r : recipients) units.insert(r.unit_id);
    if (reminder) {  // only the units with no answer when the reminder went out
      XT_ASSIGN_OR_RETURN(auto answers, store::Answers(ex, f->id));
      for (const auto& x : answers)
        if (x.first_submitted_at <= e.at) units.erase(x.unit_id);
    }
    if (units.empty()) return {};
    XT_ASSIGN_OR_RETURN(auto people, store::FormPeople(ex, f->id));
    list.reserve(people.size());
    for (auto& p : people)
      if (units.contains(p.unit_id))
        add(std::move(p.account_id),
            reminder ? NotifyKind::kReportOverdue : NotifyKind::kReportForm, f->id, f->title,
            fmt::format("{} · {}", f->from_unit_name, FormatRfc3339(f->due_by)), "/collab/reports",
            std::move(p.unit_id));
  } else if (a == "collab.task.escalated") {
    XT_ASSIGN_OR_RETURN(auto t, store::FindTask(ex, e.subject));
    if (!t) return {};
    XT_ASSIGN_OR_RETURN(auto members, store::Members(ex, t->force_id));
    for (const auto& m : members)
      if (m.role == ForceRole::kLead || m.role == ForceRole::kLiaison)
        add(m.account_id, NotifyKind::kTaskOverdue, t->id, t->title,
            fmt::format("{} · {}", t->owner_unit_name, FormatRfc3339(t->deadline)),
            ForceLink(t->force_id), m.unit_id);
  }
  if (list.empty()) return {};
  return Store(ex, list);
}

Result<void> NotifyService::Store(Executor& ex, std::vector<Notification>& list) {
  XT_TRY_VOID(store::InsertNotifications(ex, list));
  XT_ASSIGN_OR_RETURN(auto hooks, store::AllWebhooks(ex));
  if (hooks.empty()) return {};
  std::map<std::string, const Webhook*> by_account, by_unit;
  for (const auto& w : hooks)
    (w.owner_kind == WebhookOwner::kUnit ? by_unit : by_account)[w.owner_id] = &w;
  const Timestamp now = clock_.Now();
  auto deliver = [&](const Notification& n, const Webhook& w, std::string dedup) -> Result<void> {
    Delivery d;
    d.id = ids_.Next();
    d.webhook_id = w.id;
    d.notification_id = n.id;
    d.kind = n.kind;
    d.body = DeliveryBody(n, w, d.id).dump();
    d.next_at = now;
    d.created_at = now;
    return store::InsertDelivery(ex, d, dedup);
  };
  for (const auto& n : list) {
    if (auto it = by_account.find(n.account_id);
        it != by_account.end() && Wants(*it->second, n.kind)) {
      XT_TRY_VOID(deliver(n, *it->second,
                          fmt::format("{}:{}:{}:{}", NotifyKindName(n.kind), n.subject_id,
                                      n.event_seq, n.account_id)));
    }
    if (n.unit_id.empty()) continue;
    // A unit's webhook hears of an event once, however many of its people it reached.
    if (auto it = by_unit.find(n.unit_id); it != by_unit.end() && Wants(*it->second, n.kind)) {
      XT_TRY_VOID(
          deliver(n, *it->second,
                  fmt::format("{}:{}:{}", NotifyKindName(n.kind), n.subject_id, n.event_seq)));
    }
  }
  return {};
}

// --- periodic passes -----------------------------------------------------------------------

Result<int> NotifyService::RemindDue() {
  const Timestamp now = clock_.Now();
  int started = 0;
  XT_ASSIGN_OR_RETURN(
      auto due, db_.Read([&](Executor& ex) { return store::DueReminders(ex, now, kPassLimit); }));
  for (const auto& d : due) {
    XT_ASSIGN_OR_RETURN(const bool claimed, db_.Write([&](Executor& ex) -> Result<bool> {
      XT_ASSIGN_OR_RETURN(const bool mine, store::ClaimReminder(ex, d.directive_id, now));
      if (!mine) return false;
      XT_TRY_VOID(audit::Append(
          ex, now, {"system", "collab.directive.reminded", d.directive_id, {{"title", d.title}}}));
      return true;
    }));
    started += claimed ? 1 : 0;
  }
  XT_ASSIGN_OR_RETURN(auto forms, db_.Read([&](Executor& ex) {
    return store::DueFormReminders(ex, now, kPassLimit);
  }));
  for (const auto& f : forms) {
    XT_ASSIGN_OR_RETURN(const bool claimed, db_.Write([&](Executor& ex) -> Result<bool> {
      XT_ASSIGN_OR_RETURN(const bool mine, store::ClaimFormReminder(ex, f.form_id, now));
      if (!mine) return false;
      XT_ASSIGN_OR_RETURN(auto form, store::FindForm(ex, f.form_id));
      const std::int64_t missing = form ? form->recipients - form->answered : 0;
      XT_TRY_VOID(
          audit::Append(ex, now,
                        {"system",
                         "collab.report_form.reminded",
                         f.form_id,
                         {{"title", f.title}, {"due_by", f.due_by}, {"missing", missing}}}));
      return true;
    }));
    started += claimed ? 1 : 0;
  }
  XT_ASSIGN_OR_RETURN(auto overdue, db_.Read([&](Executor& ex) {
    return store::DueEscalations(ex, now, kPassLimit);
  }));
  for (const auto& t : overdue) {
    XT_ASSIGN_OR_RETURN(const bool claimed, db_.Write([&](Executor& ex) -> Result<bool> {
      XT_ASSIGN_OR_RETURN(const bool mine, store::ClaimEscalation(ex, t.task_id, now));
      if (!mine) return false;
      XT_TRY_VOID(audit::Append(ex, now,
                                {"system",
                                 "collab.task.escalated",
                                 t.task_id,
                                 {{"force_id", t.force_id},
                                  {"title", t.title},
                                  {"owner_account_id", t.owner_account_id},
                                  {"deadline", t.deadline}}}));
      return true;
    }));
    started += claimed ? 1 : 0;
  }
  return started;
}

Result<int> NotifyService::DeliverDue(int limit) {
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto due,
                      db_.Read([&](Executor& ex) { return store::DueDeliveries(ex, now, limit); }));
  int attempted = 0;
  for (auto& d : due) {
    XT_ASSIGN_OR_RETURN(auto hook, db_.Write([&](Executor& ex) -> Result<std::optional<Webhook>> {
      XT_ASSIGN_OR_RETURN(const bool mine,
                          store::ClaimDelivery(ex, d.id, d.next_at, now + kDeliveryLease));
      if (!mine) return std::optional<Webhook>();
      return store::FindWebhookById(ex, d.webhook_id);
    }));
    if (!hook) continue;  // another node has it, or the webhook is gone (its deliveries failed)
    ++attempted;
    const std::int64_t unix_seconds = now / kMicrosPerSecond;
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/json"},
        {"User-Agent", "xietong-notify"},
        {"X-Xietong-Event", std::string(NotifyKindName(d.kind))},
        {"X-Xietong-Delivery", d.id},
        {"X-Xietong-Timestamp", std::to_string(unix_seconds)},
        {"X-Xietong-Signature", SignDelivery(hook->secret, unix_seconds, d.body)}};
    auto status = post_ ? post_(hook->url, d.body, headers, kPostTimeout)
                        : Result<int>(Fail(Error::Unavailable("no webhook client configured")));
    d.attempts += 1;
    if (status && *status >= 200 && *status < 300) {
      d.status = DeliveryStatus::kDelivered;
      d.last_status = *status;
      d.last_error.clear();
      d.delivered_at = clock_.Now();
    } else {
      d.last_status = status ? *status : 0;
      d.last_error = status ? fmt::format("the endpoint answered {}", *status)
                            : Excerpt(status.error().message, 300);
      if (d.attempts >= kMaxAttempts) {
        d.status = DeliveryStatus::kFailed;
      } else {
        d.next_at = NextAttempt(d.attempts, now);
      }
    }
    if (auto saved = db_.Write([&](Executor& ex) { return store::UpdateDelivery(ex, d); }); !saved)
      spdlog::warn("webhook delivery {}: recording the attempt failed: {}", d.id,
                   saved.error().message);
  }
  return attempted;
}

// --- the caller's notifications -------------------------------------------------------------

Result<NotificationPage> NotifyService::Mine(const Principal& actor, int limit) {
  if (limit < 1 || limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  return db_.Read([&](Executor& ex) -> Result<NotificationPage> {
    NotificationPage page;
    XT_ASSIGN_OR_RETURN(page.items, store::NotificationsOf(ex, actor.account_id, limit));
    XT_ASSIGN_OR_RETURN(page.unread, store::UnreadNotifications(ex, actor.account_id));
    return page;
  });
}

Result<std::int64_t> NotifyService::MarkRead(const Principal& actor, std::string_view up_to) {
  if (!IsValidId(up_to))
    return Fail(
        Error::InvalidArgument("field 'up_to': a notification id").About("up_to", "invalid"));
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<std::int64_t> {
    XT_ASSIGN_OR_RETURN(const auto marked,
                        store::MarkNotificationsRead(ex, actor.account_id, up_to, now));
    (void)marked;
    return store::UnreadNotifications(ex, actor.account_id);
  });
}

// --- webhooks --------------------------------------------------------------------------------

bool NotifyService::MayManageUnit(const Principal& actor, const identity::OrgUnit& unit) const {
  if (actor.is_system()) return true;
  for (const auto& m : actor.memberships)
    if (m.unit_id == unit.id && m.role == identity::Role::kUnitLead) return true;
  return identity::Can(actor, identity::Action::kUnitManage, unit.path);
}

Result<std::pair<WebhookOwner, std::string>> NotifyService::OwnerFor(const Principal& actor,
                                                                     std::string_view unit_id) {
  if (unit_id.empty()) {
    if (actor.is_system() || actor.account_id.empty())
      return Fail(Error::PermissionDenied("a webhook belongs to an account or a unit"));
    return std::pair{WebhookOwner::kAccount, actor.account_id};
  }
  auto unit = identity_.GetUnit(Principal::System(), unit_id);
  if (!unit) return Fail(std::move(unit.error()).About("unit", "unknown"));
  if (!MayManageUnit(actor, **unit))
    return Fail(
        Error::PermissionDenied(
            fmt::format("only the lead of {} (or an administrator over it) sets its webhook",
                        (*unit)->name))
            .About("unit", "not_lead"));
  return std::pair{WebhookOwner::kUnit, (*unit)->id};
}

Result<std::optional<Webhook>> NotifyService::GetWebhook(const Principal& actor,
                                                         std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(auto owner, OwnerFor(actor, unit_id));
  return db_.Read([&](Executor& ex) { return store::FindWebhook(ex, owner.first, owner.second); });
}

Result<Webhook> NotifyService::PutWebhook(const Principal& actor, std::string_view unit_id,
                                          const WebhookInput& in) {
  XT_TRY_VOID(CheckWebhookUrl(in.url));
  XT_ASSIGN_OR_RETURN(auto kinds, CheckKinds(in.kinds));
  if (!in.secret.empty()) {
    XT_TRY_VOID(CheckSecret(in.secret));
  }
  XT_ASSIGN_OR_RETURN(auto owner, OwnerFor(actor, unit_id));
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<Webhook> {
    XT_ASSIGN_OR_RETURN(auto before, store::FindWebhook(ex, owner.first, owner.second));
    if (!before && in.secret.empty())
      return Fail(Error::InvalidArgument("field 'secret': required when the webhook is first set")
                      .About("secret", "required"));
    Webhook w;
    w.id = before ? before->id : ids_.Next();
    w.owner_kind = owner.first;
    w.owner_id = owner.second;
    w.url = in.url;
    w.kinds = std::move(kinds);
    w.secret = in.secret.empty() ? before->secret : in.secret;
    w.updated_by = actor.account_id;
    w.updated_at = now;
    XT_TRY_VOID(store::SaveWebhook(ex, w));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "collab.webhook.saved",
                               w.id,
                               {{"owner_kind", WebhookOwnerName(w.owner_kind)},
                                {"owner_id", w.owner_id},
                                {"url", w.url},
                                {"kinds", w.kinds},
                                {"secret_changed", !in.secret.empty()}}}));
    return w;
  });
}

Result<void> NotifyService::DeleteWebhook(const Principal& actor, std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(auto owner, OwnerFor(actor, unit_id));
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<void> {
    XT_ASSIGN_OR_RETURN(auto w, store::FindWebhook(ex, owner.first, owner.second));
    if (!w) return Fail(Error::NotFound("no webhook is set"));
    XT_ASSIGN_OR_RETURN(const bool deleted, store::DeleteWebhook(ex, w->id));
    (void)deleted;
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id,
         "collab.webhook.deleted",
         w->id,
         {{"owner_kind", WebhookOwnerName(w->owner_kind)}, {"owner_id", w->owner_id}}}));
    return {};
  });
}

Result<std::vector<Delivery>> NotifyService::Deliveries(const Principal& actor,
                                                        std::string_view webhook_id, int limit) {
  if (limit < 1 || limit > kMaxPage)
    return Fail(Error::InvalidArgument(fmt::format("'limit' must be between 1 and {}", kMaxPage))
                    .About("limit", "out_of_range"));
  XT_ASSIGN_OR_RETURN(
      auto w, db_.Read([&](Executor& ex) { return store::FindWebhookById(ex, webhook_id); }));
  const auto none = [&] {
    return Error::NotFound(fmt::format("no webhook '{}'", webhook_id.substr(0, 64)));
  };
  if (!w) return Fail(none());
  if (w->owner_kind == WebhookOwner::kAccount) {
    if (w->owner_id != actor.account_id) return Fail(none());
  } else {
    auto unit = identity_.GetUnit(Principal::System(), w->owner_id);
    if (!unit || !MayManageUnit(actor, **unit)) return Fail(none());
  }
  return db_.Read([&](Executor& ex) { return store::DeliveriesOf(ex, w->id, limit); });
}

}  // namespace xietong::collab
