// The HTTP/1.1 server: Boost.Beast on a pool of threads sharing one
// io_context. Reads each request with limits on header size, body size and
// idle time, hands it to one Handler function, writes the answer, and keeps
// the connection alive. A WebSocket upgrade goes to the UpgradeHandler,
// which may refuse it with an answer or take the socket over. Stop() drains:
// it stops accepting, lets in-flight requests finish and closes idle
// connections and WebSockets. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "http/message.h"

namespace xietong::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  int threads = 2;
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1024 * 1024;
  // Targets starting with upload_prefix (when set) may send up to upload_limit.
  std::string upload_prefix;
  std::size_t upload_limit = 9 * 1024 * 1024;
  // More such prefixes, each with its own limit (data imports are larger
  // than photos); the first that matches a target applies.
  std::vector<std::pair<std::string, std::size_t>> more_uploads = {};
  std::chrono::seconds idle_timeout{30};
  std::chrono::seconds drain_timeout{10};
  // A WebSocket is pinged after half of this without a frame from the
  // client, and closed after all of it (below the 60 s proxies often allow).
  std::chrono::seconds websocket_idle_timeout{50};
  // Text messages waiting to be written to one WebSocket; a client that
  // falls further behind is disconnected (it reconnects and reloads).
  std::size_t websocket_queue_limit = 256;
  // Open connections (HTTP and WebSocket) from one address, and in all; a
  // connection over either is closed at once (a trusted proxy's connections
  // count in all only). One client address is also allowed only so many
  // bodies over body_limit (uploads) being read at once, and the server so
  // many in all: each may hold up to upload_limit bytes while it is read.
  // Peers (exact IP addresses) that are this server's own reverse proxies:
  // a request from one is attributed to the last address its
  // X-Forwarded-For names (the client the proxy saw), and its connections
  // are not limited per address. Never list an address clients can reach
  // the server from directly.
  std::vector<std::string> trusted_proxies;
  // Start raises the process's open-file limit (to at most its hard limit)
  // to max_connections plus 1,024 for everything else, and warns when the
  // hard limit is lower. 20,000: 10,000 WebSockets held with room for HTTP.
  int max_connections_per_address = 512;
  int max_connections = 20000;
  int max_large_bodies_per_address = 2;
  int max_large_bodies = 16;
};

// Sends one text message on a WebSocket. Callable from any thread, at any
// time: it only queues; after the socket has closed it does nothing.
using WebSocketSend = std::function<void(std::string text)>;

// What an UpgradeHandler gives back to take a WebSocket over.
struct WebSocketHooks {
  // After the handshake, on a server thread; keep `send` to push messages.
  std::function<void(WebSocketSend send)> open;
  // Once, when a socket that was opened has ended (by either side or by
  // Stop, or when the server is destroyed). Messages from the client are
  // read and dropped.
  std::function<void()> close;
};

class Server {
 public:
  // Called on a server thread for every well-formed request. Must not throw.
  using Handler = std::function<Response(Request&)>;
  // Called instead of Handler for a WebSocket upgrade request (when set);
  // a Response refuses it (written, then the connection is closed). Must
  // not throw.
  using UpgradeHandler = std::function<std::variant<Response, WebSocketHooks>(Request&)>;
  // Called with the headers only (empty body) when a request announces a
  // body over body_limit, before a byte of it is read: a Response refuses it
  // (an unauthenticated upload holds no memory). Must not throw.
  using BodyGate = std::function<std::optional<Response>(Request&)>;

  Server(ServerOptions options, Handler handler, UpgradeHandler upgrade = {}, BodyGate gate = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving; returns the port actually bound.
  Result<std::uint16_t> Start();
  // Graceful stop; returns when every thread has ended. Safe to call twice.
  // Open WebSockets get a close frame ("going away") and a short grace.
  void Stop();
  // Blocks until Stop() has finished (from another thread or a signal).
  void Wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xietong::http
