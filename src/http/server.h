// The HTTP/1.1 server: Boost.Beast on a pool of threads sharing one
// io_context. Reads each request with limits on header size, body size and
// idle time, hands it to one Handler function, writes the answer, and keeps
// the connection alive. Stop() drains: it stops accepting, lets in-flight
// requests finish and closes idle connections. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

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
  std::chrono::seconds idle_timeout{30};
  std::chrono::seconds drain_timeout{10};
};

class Server {
 public:
  // Called on a server thread for every well-formed request. Must not throw.
  using Handler = std::function<Response(Request&)>;

  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving; returns the port actually bound.
  Result<std::uint16_t> Start();
  // Graceful stop; returns when every thread has ended. Safe to call twice.
  void Stop();
  // Blocks until Stop() has finished (from another thread or a signal).
  void Wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xietong::http
