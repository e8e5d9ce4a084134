// Debian's Boost 1.74 with g++ 12 in C++23 needs <utility> before asio.
#include <utility>

#include "http/server.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/errors.h"

namespace xietong::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// A connection Stop() must end: an HTTP session or a WebSocket.
class Connection {
 public:
  virtual ~Connection() = default;
  // Called from Stop()'s thread; the connection ends itself on its strand.
  virtual void CloseForStop() = 0;
};

// What every connection of one server shares; outlives them all.
struct Shared {
  ServerOptions options;
  Server::Handler handler;
  Server::UpgradeHandler upgrade;
  Server::BodyGate gate;
  std::atomic<bool> draining{false};
  std::mutex mutex;
  std::list<std::weak_ptr<Connection>> connections;  // GUARDED_BY(mutex)

  // Counts per remote address, and in all, of open connections and of
  // bodies over body_limit being read.
  struct Counts {
    int connections = 0;
    int large_bodies = 0;
  };
  std::mutex counts_mutex;
  std::unordered_map<std::string, Counts> counts;  // GUARDED_BY(counts_mutex)
  int connections_total = 0;                       // GUARDED_BY(counts_mutex)
  int large_bodies_total = 0;                      // GUARDED_BY(counts_mutex)

  void Register(std::weak_ptr<Connection> connection) {
    std::lock_guard lock(mutex);
    connections.remove_if([](const auto& w) { return w.expired(); });
    connections.push_back(std::move(connection));
  }

  // Counts one more connection from address; false (counting nothing) over a limit.
  bool Trusted(const std::string& peer) const {
    return std::find(options.trusted_proxies.begin(), options.trusted_proxies.end(), peer) !=
           options.trusted_proxies.end();
  }

  bool Open(const std::string& address) {
    std::lock_guard lock(counts_mutex);
    Counts& c = counts[address];
    if ((c.connections >= options.max_connections_per_address && !Trusted(address)) ||
        connections_total >= options.max_connections) {
      if (c.connections == 0 && c.large_bodies == 0) counts.erase(address);
      return false;
    }
    ++c.connections;
    ++connections_total;
    return true;
  }
  void Closed(const std::string& address) {
    Release(address, &Counts::connections, connections_total);
  }
  bool StartLargeBody(const std::string& address) {
    std::lock_guard lock(counts_mutex);
    Counts& c = counts[address];
    if (c.large_bodies >= options.max_large_bodies_per_address ||
        large_bodies_total >= options.max_large_bodies)
      return false;
    ++c.large_bodies;
    ++large_bodies_total;
    return true;
  }
  void EndLargeBody(const std::string& address) {
    Release(address, &Counts::large_bodies, large_bodies_total);
  }

 private:
  void Release(const std::string& address, int Counts::*field, int& total) {
    std::lock_guard lock(counts_mutex);
    auto it = counts.find(address);
    if (it == counts.end()) return;
    --(it->second.*field);
    --total;
    if (it->second.connections == 0 && it->second.large_bodies == 0) counts.erase(it);
  }
};

// Holds one counted connection of an address until destroyed.
class ConnectionSlot {
 public:
  ConnectionSlot(Shared& shared, std::string address)
      : shared_(shared), address_(std::move(address)) {}
  ~ConnectionSlot() { shared_.Closed(address_); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  Shared& shared_;
  std::string address_;
};

// A WebSocket taken over from an HTTP session after the upgrade handler
// accepted it: a read loop that drops what the client sends (it ends on
// close or error) and a bounded queue of text messages to write. Every
// member is touched only on the connection's strand.
class WebSocketSession : public Connection, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(tcp::socket socket, WebSocketHooks hooks, Shared& shared,
                   std::shared_ptr<ConnectionSlot> slot)
      : slot_(std::move(slot)),
        ws_(std::move(socket)),
        executor_(ws_.get_executor()),
        hooks_(std::move(hooks)),
        shared_(shared) {}

  // Runs when the last handler holding the session has finished, or when
  // the server's io_context is destroyed with handlers still queued.
  ~WebSocketSession() override {
    if (opened_ && hooks_.close) hooks_.close();
  }

  void Accept(bhttp::request<bhttp::string_body> request) {
    request_ = std::move(request);
    auto timeout = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeout.idle_timeout = shared_.options.websocket_idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(bhttp::field::server, "xietong"); }));
    ws_.read_message_max(kClientMessageLimit);
    ws_.text(true);
    ws_.async_accept(request_,
                     [self = shared_from_this()](beast::error_code ec) { self->OnAccept(ec); });
  }

  void CloseForStop() override {
    asio::post(executor_, [self = shared_from_this()] { self->GoAway(); });
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec || closing_) return Abort();
    opened_ = true;
    if (hooks_.open) hooks_.open(MakeSend());
    Read();
  }

  // The send function holds the session weakly: a closed socket's messages
  // go nowhere, and the holder never keeps a session alive.
  WebSocketSend MakeSend() {
    return [weak = weak_from_this(), executor = executor_](std::string text) {
      asio::post(executor, [weak, text = std::move(text)]() mutable {
        if (auto self = weak.lock()) self->Enqueue(std::move(text));
      });
    };
  }

  void Read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        // closed: the close handshake is complete and Beast has closed the socket.
        if (ec == websocket::error::closed) {
          self->closing_ = true;
          return self->DropQueued();
        }
        return self->Abort();
      }
      self->in_.consume(self->in_.size());
      self->Read();
    });
  }

  void Enqueue(std::string text) {
    if (closing_) return;
    if (queue_.size() >= shared_.options.websocket_queue_limit) {
      spdlog::info("closing a WebSocket whose client is {} messages behind", queue_.size());
      return Abort();
    }
    queue_.push_back(std::move(text));
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    writing_ = true;
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->queue_.pop_front();
                      if (ec) return self->Abort();
                      if (!self->closing_ && !self->queue_.empty()) self->WriteNext();
                    });
  }

  // Stop(): a close frame saying the server is going away, and a short wait
  // for the client's answer. A write still in flight may never finish (a
  // client that does not read): then the socket is closed at once.
  void GoAway() {
    if (closing_) return;
    closing_ = true;
    DropQueued();
    if (!opened_ || writing_) return Abort();
    websocket::stream_base::timeout timeout;
    ws_.get_option(timeout);
    timeout.handshake_timeout = kCloseGrace;
    ws_.set_option(timeout);
    ws_.async_close(websocket::close_code::going_away,
                    [self = shared_from_this()](beast::error_code ec) {
                      if (ec) self->Abort();
                    });
  }

  void Abort() {
    closing_ = true;
    DropQueued();
    auto& stream = beast::get_lowest_layer(ws_);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
  }

  // The message being written stays: the write still reads its bytes.
  void DropQueued() { queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end()); }

  static constexpr std::size_t kClientMessageLimit = 64 * 1024;
  static constexpr std::chrono::seconds kCloseGrace{2};

  std::shared_ptr<ConnectionSlot> slot_;  // counted until the socket closes
  websocket::stream<beast::tcp_stream> ws_;
  const beast::tcp_stream::executor_type executor_;  // the connection's strand
  WebSocketHooks hooks_;
  Shared& shared_;
  bhttp::request<bhttp::string_body> request_;
  beast::flat_buffer in_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool opened_ = false;   // the handshake completed and hooks_.open ran
  bool closing_ = false;  // no more messages are queued
};

class Session : public Connection, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared, std::string remote,
          std::shared_ptr<ConnectionSlot> slot)
      : slot_(std::move(slot)),
        remote_(std::move(remote)),
        stream_(std::move(socket)),
        executor_(stream_.get_executor()),
        options_(shared.options),
        handler_(shared.handler),
        draining_(shared.draining),
        shared_(shared) {}

  ~Session() override { EndLargeBody(); }

  void Start() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    Read();
  }

  // Called by Stop(): a connection waiting for its next request is closed;
  // one in the middle of a request finishes it first (it sees draining_).
  // A session whose stream became a WebSocket is never idle again.
  void CloseForStop() override {
    asio::post(executor_, [self = shared_from_this()] {
      if (self->idle_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

 private:
  void Read() {
    if (draining_.load()) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
    // The header is read under the larger limit (Beast checks Content-Length
    // against it there); OnHeader sets the one for this target.
    parser_->body_limit(MaxLimit());
    idle_ = true;
    stream_.expires_after(options_.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  // The body limit depends on the target: uploads may be larger than the rest.
  void OnHeader(beast::error_code header_ec) {
    const auto target = parser_->get().target();
    body_limit_ = LimitFor(std::string_view(target.data(), target.size()));
    if (header_ec) return OnRead(header_ec);
    idle_ = false;  // a request has begun; a drain lets it finish
    const auto& msg = parser_->get();
    // A proxy in front would read these differently from us (smuggling):
    // refuse rather than guess.
    if (msg.version() >= 11 && msg.find(bhttp::field::host) == msg.end())
      return WriteProtocolError(400, "invalid_argument",
                                "an HTTP/1.1 request must carry a Host header");
    if (msg.find(bhttp::field::transfer_encoding) != msg.end() && !parser_->chunked())
      return WriteProtocolError(400, "invalid_argument",
                                "Transfer-Encoding must be chunked when it is sent");
    parser_->body_limit(body_limit_);
    const auto length = parser_->content_length();
    if (length && *length > body_limit_) return OnRead(bhttp::error::body_limit);
    if ((length && *length > options_.body_limit) ||
        (!length && parser_->chunked() && body_limit_ > options_.body_limit)) {
      // A large body (an upload): who sends it is checked before it is read,
      // and only so many are read at once.
      const std::string req_client = ClientOf(msg);
      if (shared_.gate) {
        Request req = RequestFromHeaders();
        if (!ParseTarget(req.target, req.path, req.query))
          return Refuse(
              ProtocolError(400, "invalid_argument",
                            "the request path or query is not valid percent-encoded UTF-8"));
        if (auto refusal = shared_.gate(req)) return Refuse(std::move(*refusal));
      }
      client_ = req_client;
      if (!shared_.StartLargeBody(client_)) {
        Response busy = ProtocolError(503, "unavailable",
                                      "too many uploads at once; try again in a few seconds");
        busy.SetHeader("Retry-After", "5");
        return Refuse(std::move(busy));
      }
      large_body_ = true;
    }
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    idle_ = false;
    EndLargeBody();
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return WriteProtocolError(
          413, "too_large",
          fmt::format("the body is larger than the limit of {} bytes", body_limit_));
    }
    if (ec == bhttp::error::header_limit) {
      return WriteProtocolError(431, "invalid_argument", "the request headers are too large");
    }
    if (ec) {
      return WriteProtocolError(
          400, "invalid_argument",
          fmt::format("the request is not valid HTTP/1.1 ({})", ec.message()));
    }
    auto& msg = parser_->get();
    Request req = RequestFromHeaders();
    req.body = std::move(msg.body());
    Response res;
    if (!ParseTarget(req.target, req.path, req.query)) {
      res = ProtocolError(400, "invalid_argument",
                          "the request path or query is not valid percent-encoded UTF-8");
    } else if (shared_.upgrade && websocket::is_upgrade(msg)) {
      return OnUpgrade(req);
    } else {
      res = handler_(req);
    }
    keep_alive_ = msg.keep_alive() && !draining_.load();
    Write(std::move(res), req.method == "HEAD");
  }

  // Who sent the request: the peer, or, from a trusted proxy, the last
  // address of its X-Forwarded-For (the one the proxy itself added).
  template <typename Message>
  std::string ClientOf(const Message& msg) const {
    if (!shared_.Trusted(remote_)) return remote_;
    auto it = msg.find("x-forwarded-for");
    if (it == msg.end()) return remote_;
    std::string_view list(it->value().data(), it->value().size());
    if (const auto comma = list.rfind(','); comma != std::string_view::npos)
      list.remove_prefix(comma + 1);
    while (!list.empty() && list.front() == ' ') list.remove_prefix(1);
    while (!list.empty() && list.back() == ' ') list.remove_suffix(1);
    return list.empty() ? remote_ : std::string(list);
  }

  // The request line and headers as a Request (no body yet, path unparsed).
  Request RequestFromHeaders() {
    const auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.remote = ClientOf(msg);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      auto [it, inserted] = req.headers.emplace(std::move(name), std::string(field.value()));
      // Repeated headers join with ", ", except Cookie, whose pairs use "; ".
      if (!inserted)
        it->second += (it->first == "cookie" ? "; " : ", ") + std::string(field.value());
    }
    return req;
  }

  // The largest body the target may send: uploads more than the rest.
  std::size_t LimitFor(std::string_view target) const {
    if (!options_.upload_prefix.empty() && target.starts_with(options_.upload_prefix))
      return options_.upload_limit;
    for (const auto& [prefix, limit] : options_.more_uploads)
      if (target.starts_with(prefix)) return limit;
    return options_.body_limit;
  }
  // The largest body any target may send (the parser's limit until the
  // target is known).
  std::size_t MaxLimit() const {
    std::size_t most =
        std::max(options_.body_limit, options_.upload_prefix.empty() ? 0 : options_.upload_limit);
    for (const auto& [prefix, limit] : options_.more_uploads) most = std::max(most, limit);
    return most;
  }

  void EndLargeBody() {
    if (!large_body_) return;
    large_body_ = false;
    shared_.EndLargeBody(client_);
  }

  // Answers without reading the body, then closes (lingering, so the answer
  // is not lost in a reset while the client still sends).
  void Refuse(Response res) {
    keep_alive_ = false;
    linger_ = true;
    Write(std::move(res), false);
  }

  // A refused upgrade is answered and the connection closed; an accepted one
  // moves the stream into a WebSocketSession, and this session ends.
  void OnUpgrade(Request& req) {
    keep_alive_ = false;
    if (draining_.load())
      return Write(
          ProtocolError(503, "unavailable", "the server is shutting down; connect again shortly"),
          false);
    auto answer = shared_.upgrade(req);
    if (auto* hooks = std::get_if<WebSocketHooks>(&answer)) {
      // The socket leaves the HTTP stream (and its timer) for the WebSocket,
      // which keeps time itself.
      auto ws = std::make_shared<WebSocketSession>(stream_.release_socket(), std::move(*hooks),
                                                   shared_, slot_);
      shared_.Register(ws);
      ws->Accept(parser_->release());
      // Stop() sets draining before it walks the registry: it either saw
      // this socket or this sees draining.
      if (draining_.load()) ws->CloseForStop();
      return;
    }
    Write(std::move(std::get<Response>(answer)), false);
  }

  void WriteProtocolError(int status, std::string_view code, std::string_view message) {
    keep_alive_ = false;  // the rest of the stream cannot be trusted
    linger_ = true;
    Write(ProtocolError(status, code, message), false);
  }

  void Write(Response res, bool head) {
    // One buffer, one write: Beast's serializer of a response<string_body>
    // cost more than the request itself on the read path.
    auto wire = std::make_shared<std::string>(WireBytes(res, keep_alive_, head));
    stream_.expires_after(options_.idle_timeout);
    asio::async_write(stream_, asio::buffer(*wire),
                      [self = shared_from_this(), wire](beast::error_code ec, std::size_t) {
                        if (!ec && self->linger_) return self->Linger();
                        if (ec || !self->keep_alive_) return self->Close();
                        self->Read();
                      });
  }

  // After an error answer the client may still be sending (a body over the
  // limit): closing now would reset the connection and lose the answer in
  // its buffers. Stop sending, read and drop what still comes for a while
  // (as nginx's lingering close does), then close.
  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    stream_.expires_after(std::chrono::seconds(2));
    LingerRead();
  }

  void LingerRead() {
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerLimit) return self->Close();
                              self->LingerRead();
                            });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  std::shared_ptr<ConnectionSlot> slot_;  // counted until the socket closes
  std::string remote_;                    // the peer: the client, or a trusted proxy
  std::string client_;                    // whose large body is counted (the client behind a proxy)
  beast::tcp_stream stream_;
  // A copy of stream_'s strand: Stop() posts to it from another thread, and
  // stream_'s socket may have been moved into a WebSocket meanwhile.
  beast::tcp_stream::executor_type executor_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const ServerOptions& options_;
  const Server::Handler& handler_;
  std::atomic<bool>& draining_;
  Shared& shared_;
  bool keep_alive_ = true;
  bool large_body_ = false;  // counted in shared_'s large bodies until read
  std::size_t body_limit_ = 0;
  static constexpr std::size_t kLingerLimit = 64 * 1024 * 1024;
  bool linger_ = false;
  std::size_t lingered_ = 0;
  std::array<char, 16 * 1024> discard_{};
  bool idle_ = true;  // only touched on this session's handlers (one at a time)
};

}  // namespace

struct Server::Impl {
  // Declared before ioc: the sessions that ioc's queued handlers still hold
  // when it is destroyed refer to it.
  Shared shared;
  ServerOptions& options = shared.options;
  asio::io_context ioc;
  // The acceptor lives on a strand: its accept handler re-arms it on any
  // server thread, and Stop() closes it; both must not run at once.
  asio::strand<asio::io_context::executor_type> accept_strand{asio::make_strand(ioc)};
  tcp::acceptor acceptor{accept_strand};
  std::vector<std::thread> threads;
  std::mutex stop_mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;  // GUARDED_BY(stop_mutex)
  bool started = false;

  asio::steady_timer accept_pause{accept_strand};

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
        spdlog::warn("accept failed: {}", ec.message());
        // Out of file descriptors (or buffers): accepting again at once would
        // fail again at once and spin a core; wait for connections to close.
        accept_pause.expires_after(std::chrono::milliseconds(100));
        accept_pause.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec && acceptor.is_open()) Accept();
        });
        return;
      }
      beast::error_code ep_ec;
      const auto ep = s.remote_endpoint(ep_ec);
      std::string remote = ep_ec ? std::string() : ep.address().to_string();
      if (!shared.Open(remote)) {
        // Over the per-address or total limit: closed unanswered, as a
        // reverse proxy's connection limit would.
        s.close(ep_ec);
      } else {
        auto slot = std::make_shared<ConnectionSlot>(shared, remote);
        auto session =
            std::make_shared<Session>(std::move(s), shared, std::move(remote), std::move(slot));
        shared.Register(session);
        session->Start();
      }
      Accept();
    });
  }
};

Server::Server(ServerOptions options, Handler handler, UpgradeHandler upgrade, BodyGate gate)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared.options = std::move(options);
  impl_->shared.handler = std::move(handler);
  impl_->shared.upgrade = std::move(upgrade);
  impl_->shared.gate = std::move(gate);
}

Server::~Server() { Stop(); }

Result<std::uint16_t> Server::Start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec)
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' is not an IP address to listen on", impl_->options.host)));
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Fail(Error::Unavailable(fmt::format("cannot listen on {}:{}: {}", impl_->options.host,
                                               impl_->options.port, ec.message())));
  const std::uint16_t port = acc.local_endpoint().port();
  // Every connection is a file descriptor; the soft limit is often 1,024.
  const rlim_t wanted = static_cast<rlim_t>(impl_->options.max_connections) + 1024;
  if (rlimit r{}; ::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < wanted) {
    rlimit raised = r;
    raised.rlim_cur = r.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, r.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) r = raised;
    if (r.rlim_cur < wanted)
      spdlog::warn(
          "open files are limited to {} (hard limit {}): fewer than the {} connections "
          "allowed can be held; raise the hard limit (ulimit -Hn, LimitNOFILE=)",
          r.rlim_cur, r.rlim_max, impl_->options.max_connections);
  }
  impl_->Accept();
  impl_->started = true;
  const int n = std::max(1, impl_->options.threads);
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  return port;
}

void Server::Stop() {
  {
    std::lock_guard lock(impl_->stop_mutex);
    if (impl_->stopped || !impl_->started) {
      impl_->stopped = true;
      impl_->stopped_cv.notify_all();
      return;
    }
  }
  impl_->shared.draining = true;
  asio::post(impl_->accept_strand, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_pause.cancel();
  });
  {
    std::lock_guard lock(impl_->shared.mutex);
    for (auto& w : impl_->shared.connections)
      if (auto c = w.lock()) c->CloseForStop();
  }
  // Sessions in the middle of a request finish it and then close (they see
  // draining); WebSockets finish their close handshake. When no work is
  // left, run() returns on every thread.
  const auto deadline = std::chrono::steady_clock::now() + impl_->options.drain_timeout;
  std::thread watchdog([this, deadline] {
    while (std::chrono::steady_clock::now() < deadline && !impl_->ioc.stopped())
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    impl_->ioc.stop();
  });
  for (auto& t : impl_->threads) t.join();
  impl_->ioc.stop();
  watchdog.join();
  std::lock_guard lock(impl_->stop_mutex);
  impl_->stopped = true;
  impl_->stopped_cv.notify_all();
}

void Server::Wait() {
  std::unique_lock lock(impl_->stop_mutex);
  impl_->stopped_cv.wait(lock, [&] { return impl_->stopped; });
}

}  // namespace xietong::http
