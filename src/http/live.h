// Live updates for the web application (WebSocket /api/v1/live): a signed-in
// page is told, within about half a second, when a request it may see has
// changed, and reloads what it shows.
//
// LiveHub is the set of open sockets, each with the principal that opened
// it, renewed every 30 s from its session (a logout drops the socket from
// the hub, a changed role applies). A logout on another node takes up to
// 35 s to reach a socket: the renewal's 30 s plus the 5 s an identity
// service may reuse a principal it cached (two_nodes measures 28–31 s);
// thread-safe. LiveFeed is one thread per
// process that tails the audit chain (every change to a request is an audit
// event committed with it) and publishes
// {"type":"request","request_id":…,"action":…} to the sockets whose
// principal may read that request now. With collab (AlsoCollab) it also
// tails "collab." events and tells the accounts CollabService::AudienceOf
// names (one store query per topic and batch, then one hash-set lookup per
// socket):
//   {"type":"channel","channel_id":…,"seq":…}   a channel's members (seq: its newest message)
//   {"type":"directive","directive_id":…}      a directive's recipients
//   {"type":"receipt","directive_id":…}        its sender and who may read the receipt table
//   {"type":"taskforce","force_id":…}          a task force's members
// A push is a hint to reload: a page that was disconnected catches up
// through the module's cursors (a channel's resume_cursor), not from pushes.
// Commands nudge the feed in-process (Nudge), so a push leaves within a few
// milliseconds of the commit; the poll interval bounds what other nodes
// committed. Because it reads the shared database
// rather than an in-process bus, changes made by other server nodes on the
// same PostgreSQL reach this node's sockets too.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "collab/collab_service.h"
#include "core/result.h"
#include "http/api.h"
#include "http/server.h"
#include "identity/identity.h"
#include "identity/identity_service.h"
#include "requests/request_service.h"
#include "storage/database.h"

namespace xietong::http {

inline constexpr std::string_view kLivePath = "/api/v1/live";

class LiveHub {
 public:
  using Predicate = std::function<bool(const identity::Principal&)>;

  // What a subscriber's credential (its session token) stands for now: a
  // principal, nullopt when the session has ended, or an error when that
  // cannot be told at the moment.
  using Renewer =
      std::function<Result<std::optional<identity::Principal>>(std::string_view credential)>;

  // Returns the id to unsubscribe with. credential is what the socket
  // authenticated with, for Renew ("" : never renewed).
  std::uint64_t Subscribe(identity::Principal who, std::string credential, WebSocketSend send);
  void Unsubscribe(std::uint64_t id);
  // Asks renew about every subscriber: a principal replaces the one the
  // socket connected with (roles changed meanwhile); a session that ended
  // drops the subscriber, which hears nothing more; an error keeps it as it
  // is. renew runs outside the hub's lock. Returns how many were dropped.
  std::size_t Renew(const Renewer& renew);
  // Sends message to every subscriber for whom may_see is true; returns how
  // many. may_see runs outside the hub's lock, once per subscriber.
  std::size_t Publish(const std::string& message, const Predicate& may_see);
  std::size_t size() const;

 private:
  struct Subscriber {
    identity::Principal who;
    std::string credential;
    WebSocketSend send;
  };
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;                                               // GUARDED_BY(mutex_)
  std::map<std::uint64_t, std::shared_ptr<const Subscriber>> subscribers_;  // GUARDED_BY(mutex_)
};

class LiveFeed {
 public:
  // Reads audit events whose action starts with "request."; every
  // renew_every a second thread renews the subscribers' principals through
  // identity (LiveHub::Renew), so a logout or a changed role reaches open
  // sockets — on its own thread because it reads once per socket (10,000
  // round trips take seconds on PostgreSQL) and delivery must not wait.
  LiveFeed(storage::Database& db, requests::RequestService& requests,
           identity::IdentityService& identity, LiveHub& hub,
           std::chrono::milliseconds interval = std::chrono::milliseconds(500),
           std::chrono::milliseconds renew_every = std::chrono::seconds(30));
  ~LiveFeed();  // Stop()
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // Also pushes collab events (see above). Call before Start.
  void AlsoCollab(collab::CollabService& collab) { collab_ = &collab; }

  // Starts at the chain's current head (history is not replayed) and polls
  // every interval. Fails when the head cannot be read.
  Result<void> Start();
  // Returns promptly (after the poll in progress, if any). Safe to call twice.
  void Stop();
  // Polls now rather than at the next interval (a command just committed
  // an event). Cheap; any thread.
  void Nudge();

 private:
  void Run();
  void RenewLoop();
  // One poll: publishes what happened after after_seq_ and advances it.
  Result<void> Poll();
  // The collab events after collab_after_ up to head.
  Result<void> PollCollab(std::int64_t head);

  storage::Database& db_;
  requests::RequestService& requests_;
  identity::IdentityService& identity_;
  LiveHub& hub_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds renew_every_;
  collab::CollabService* collab_ = nullptr;
  std::int64_t after_seq_ = 0;     // only touched by the feed's thread (after Start)
  std::int64_t collab_after_ = 0;  // likewise
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;                // GUARDED_BY(mutex_)
  bool nudged_ = false;                  // GUARDED_BY(mutex_)
  std::atomic<bool> renew_stop_{false};  // stopping_, read without the lock mid-renewal
  std::thread thread_;
  std::thread renew_thread_;
};

// GET /api/v1/live on the router: its documentation (the 101 of the
// upgrade, the messages) and the answer to a request that is no upgrade
// (426: open it as a WebSocket). Upgrades never reach it: the server hands
// them to LiveUpgradeHandler first.
void RegisterLiveRoutes(Api& api);

// The server's upgrade handler for live updates: /api/v1/live is checked by
// api.AcceptUpgrade and subscribed to hub; an upgrade to any other path is
// answered as an ordinary request by api (an unknown path: 404). The hub
// must outlive the server, and a LiveFeed publishing to it must be stopped
// before the server is destroyed.
Server::UpgradeHandler LiveUpgradeHandler(Api& api, LiveHub& hub);

}  // namespace xietong::http
