#include "http/live.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

#include "audit/audit_log.h"
#include "core/json.h"
#include "http/api_schemas.h"
#include "http/errors.h"

namespace xietong::http {
namespace {

constexpr std::string_view kActionPrefix = "request.";
constexpr int kBatch = 500;

// Events that record a read rather than a change: nothing to reload.
bool IsChange(std::string_view action) { return action != "request.contact_revealed"; }

}  // namespace

// --- LiveHub ------------------------------------------------------------------

std::uint64_t LiveHub::Subscribe(identity::Principal who, std::string credential,
                                 WebSocketSend send) {
  auto subscriber = std::make_shared<const Subscriber>(
      Subscriber{std::move(who), std::move(credential), std::move(send)});
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void LiveHub::Unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(id);
}

std::size_t LiveHub::Publish(const std::string& message, const Predicate& may_see) {
  std::vector<std::shared_ptr<const Subscriber>> all;
  {
    std::lock_guard lock(mutex_);
    all.reserve(subscribers_.size());
    for (const auto& [id, s] : subscribers_) all.push_back(s);
  }
  std::size_t sent = 0;
  for (const auto& s : all) {
    if (!may_see(s->who)) continue;
    s->send(message);
    ++sent;
  }
  return sent;
}

std::size_t LiveHub::Renew(const Renewer& renew) {
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const Subscriber>>> all;
  {
    std::lock_guard lock(mutex_);
    all.assign(subscribers_.begin(), subscribers_.end());
  }
  std::size_t dropped = 0;
  for (const auto& [id, s] : all) {
    if (s->credential.empty()) continue;
    auto now = renew(s->credential);
    if (!now) continue;  // cannot tell now: next time
    std::lock_guard lock(mutex_);
    auto it = subscribers_.find(id);
    if (it == subscribers_.end() || it->second != s) continue;  // gone meanwhile
    if (!*now) {
      subscribers_.erase(it);
      ++dropped;
    } else {
      it->second =
          std::make_shared<const Subscriber>(Subscriber{std::move(**now), s->credential, s->send});
    }
  }
  return dropped;
}

std::size_t LiveHub::size() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

// --- LiveFeed -----------------------------------------------------------------

LiveFeed::LiveFeed(storage::Database& db, requests::RequestService& requests,
                   identity::IdentityService& identity, LiveHub& hub,
                   std::chrono::milliseconds interval, std::chrono::milliseconds renew_every)
    : db_(db),
      requests_(requests),
      identity_(identity),
      hub_(hub),
      interval_(interval),
      renew_every_(renew_every) {}

LiveFeed::~LiveFeed() { Stop(); }

Result<void> LiveFeed::Start() {
  XT_ASSIGN_OR_RETURN(after_seq_,
                      db_.Read([](storage::Executor& ex) { return audit::LastSeq(ex); }));
  collab_after_ = after_seq_;
  thread_ = std::thread([this] { Run(); });
  renew_thread_ = std::thread([this] { RenewLoop(); });
  return {};
}

void LiveFeed::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  renew_stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (renew_thread_.joinable()) renew_thread_.join();
}

void LiveFeed::Nudge() {
  {
    std::lock_guard lock(mutex_);
    nudged_ = true;
  }
  cv_.notify_all();
}

void LiveFeed::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait_for(lock, interval_, [&] { return stopping_ || nudged_; });
    if (stopping_) break;
    nudged_ = false;
    lock.unlock();
    if (auto r = Poll(); !r)
      spdlog::warn("live updates: reading the audit chain failed: {}", r.error().message);
    lock.lock();
  }
}

void LiveFeed::RenewLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait_for(lock, renew_every_, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    hub_.Renew([this](std::string_view credential) -> Result<std::optional<identity::Principal>> {
      // Stopping: the rest are "cannot tell now", so Stop returns promptly.
      if (renew_stop_.load()) return Fail(Error::Unavailable("the live feed is stopping"));
      auto who = identity_.Authenticate(credential);
      if (who) return std::optional<identity::Principal>(std::move(*who));
      if (who.error().code == ErrorCode::kUnauthenticated)
        return std::optional<identity::Principal>();
      return Fail(std::move(who.error()));
    });
    lock.lock();
  }
}

Result<void> LiveFeed::Poll() {
  // The head first: every event up to it has committed (the head moves in
  // the same transaction), so once a read returns less than a batch the
  // feed may skip to it without missing one.
  XT_ASSIGN_OR_RETURN(const std::int64_t head,
                      db_.Read([](storage::Executor& ex) { return audit::LastSeq(ex); }));
  // Nobody is listening: only move on.
  if (hub_.size() == 0) {
    after_seq_ = std::max(after_seq_, head);
    collab_after_ = std::max(collab_after_, head);
    return {};
  }
  if (collab_) {
    if (auto r = PollCollab(head); !r)
      spdlog::warn("live updates: reading collab events failed: {}", r.error().message);
  }
  for (;;) {
    XT_ASSIGN_OR_RETURN(auto events, db_.Read([&](storage::Executor& ex) {
      return audit::EventsAfter(ex, after_seq_, kActionPrefix, kBatch);
    }));
    // One message per request and batch, naming its latest action: intake
    // records "received" and "dispatched" together, and one reload is enough.
    std::vector<std::string> order;
    std::unordered_map<std::string, std::string> latest;
    for (const auto& e : events) {
      if (!IsChange(e.action)) continue;
      auto [it, inserted] = latest.insert_or_assign(e.subject, e.action);
      if (inserted) order.push_back(e.subject);
    }
    for (const auto& id : order) {
      auto test = requests_.ReaderTest(id);
      if (!test) {
        spdlog::warn("live updates: cannot tell who may see request {}: {}", id,
                     test.error().message);
        continue;
      }
      if (!*test) continue;  // not a request's id (e.g. a batch import)
      json::Json message = {{"type", "request"}, {"request_id", id}, {"action", latest[id]}};
      hub_.Publish(message.dump(), **test);
    }
    if (static_cast<int>(events.size()) < kBatch) {
      after_seq_ = std::max(head, events.empty() ? after_seq_ : events.back().seq);
      return {};
    }
    after_seq_ = events.back().seq;
  }
}

Result<void> LiveFeed::PollCollab(std::int64_t head) {
  for (;;) {
    XT_ASSIGN_OR_RETURN(auto events, db_.Read([&](storage::Executor& ex) {
      return audit::EventsAfter(ex, collab_after_, "collab.", kBatch);
    }));
    // One push per topic and batch: a burst of messages to one channel is
    // one "channel" push naming its newest number, and its audience is
    // read once.
    std::vector<collab::LiveTopic> order;
    std::map<collab::LiveTopic, std::size_t> index;
    for (const auto& e : events) {
      auto topic = collab::CollabService::LiveTopicOf(e);
      if (!topic) continue;
      auto [it, inserted] = index.try_emplace(*topic, order.size());
      if (inserted)
        order.push_back(std::move(*topic));
      else
        for (auto& a : topic->also) order[it->second].also.push_back(std::move(a));
    }
    for (const auto& topic : order) {
      auto audience = collab_->AudienceOf(topic);
      if (!audience) {
        spdlog::warn("live updates: cannot tell who hears of {} {}: {}", topic.type, topic.id,
                     audience.error().message);
        continue;
      }
      if (!*audience) continue;  // gone meanwhile
      const auto& a = **audience;
      json::Json message = {{"type", a.type}};
      if (a.type == "channel") {
        message["channel_id"] = a.id;
        message["seq"] = a.seq;
      } else if (a.type == "taskforce") {
        message["force_id"] = a.id;
      } else {
        message["directive_id"] = a.id;
      }
      if (a.receipts_of) {
        hub_.Publish(message.dump(), [&](const identity::Principal& who) {
          return a.accounts.contains(who.account_id) ||
                 collab_->MayReadReceipts(who, *a.receipts_of);
        });
      } else {
        hub_.Publish(message.dump(), [&](const identity::Principal& who) {
          return a.accounts.contains(who.account_id);
        });
      }
    }
    if (static_cast<int>(events.size()) < kBatch) {
      collab_after_ = std::max(head, events.empty() ? collab_after_ : events.back().seq);
      return {};
    }
    collab_after_ = events.back().seq;
  }
}

// --- the upgrade handler --------------------------------------------------------

void RegisterLiveRoutes(Api& api) {
  api.router().Add(
      "GET", std::string(kLivePath), Auth::kRequired,
      {.summary = "Live updates: a WebSocket that names each request the caller may see as it "
                  "changes",
       .summary_zh = "实时更新 (WebSocket)",
       .tag = "live",
       .description = "Open with a WebSocket upgrade, by the session cookie or a bearer token; a "
                      "browser's Origin must name the Host. The server sends one LiveMessage "
                      "(x-websocket-messages) per changed request, within about a second; and "
                      "per collab change the caller hears of (a channel's new messages to its "
                      "members — catch up with its resume_cursor —, a directive to its "
                      "recipients, a receipt to who reads the receipt table, a task force's "
                      "change to its members), and ignores what the client sends.",
       .answers = {{101, "Switching Protocols: the WebSocket is open", {}, {}}},
       .errors = {426},
       .extensions = {{"x-websocket-messages", doc::Ref("LiveMessage")}}},
      [](Request&) -> Result<Response> {
        Response r = ProtocolError(426, "invalid_argument",
                                   "open /api/v1/live as a WebSocket (an HTTP/1.1 upgrade)");
        r.SetHeader("Upgrade", "websocket");
        return r;
      });
}

Server::UpgradeHandler LiveUpgradeHandler(Api& api, LiveHub& hub) {
  return [&api, &hub](Request& req) -> std::variant<Response, WebSocketHooks> {
    if (req.path != kLivePath) return api.Handle(req);
    auto principal = api.AcceptUpgrade(req);
    if (!principal) return std::move(principal.error());
    // What it authenticated with, so the feed can tell later whether the
    // session still stands (AcceptUpgrade took the bearer token first).
    std::string credential;
    if (std::string_view auth = req.Header("authorization"); auth.starts_with("Bearer "))
      credential = std::string(auth.substr(7));
    else if (auto cookie = req.Cookie(kSessionCookie))
      credential = std::move(*cookie);
    // open runs before close (which only follows an open), and the socket's
    // last reference is released after open: the slot needs no lock.
    auto id = std::make_shared<std::uint64_t>(0);
    WebSocketHooks hooks;
    hooks.open = [&hub, id, who = std::move(*principal),
                  credential = std::move(credential)](WebSocketSend send) mutable {
      *id = hub.Subscribe(std::move(who), std::move(credential), std::move(send));
    };
    hooks.close = [&hub, id] { hub.Unsubscribe(*id); };
    return hooks;
  };
}

}  // namespace xietong::http
