// Live push at scale, the client on the same machine as the server:
// N WebSockets held open to `xietong serve` (/api/v1/live, each as its own
// staff account), M of those accounts members of one group channel; one
// member posts K messages over HTTP, one after another, and every member's
// socket is timed from the moment the POST was sent to the moment its push
// {"type":"channel","channel_id":…,"seq":…} arrives. Non-members must hear
// nothing.
//
// Peer, in the same run: the same client against a bare Boost.Beast
// WebSocket server (this program started as --peer-server: two threads, a
// strand and a send queue per socket like xietong's server, no
// authentication, no database) that relays a trigger sent on one socket to
// the M member sockets. Its latency is the floor of this client, this
// library and this machine.
//
// Seeding (accounts, sessions with known tokens, the channel) goes through
// the stores and CollabService in-process before the server starts.
//
// Usage: collab_ws_bench --bin PATH/xietong [--database URL] [--connections N]
//                        [--members M] [--messages K] [--interval-ms I]
//                        [--hold-s H] [--addresses A] [--max-connections C]
//                        [--no-peer]
// The server limits connections per client address (512): the client binds
// its sockets to A loopback addresses 127.0.0.2… (default 25).
#include <utility>  // Debian's Boost 1.74 with g++ 12 in C++23 needs it before asio

#include <fmt/core.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "collab/collab_service.h"
#include "collab_seed.h"
#include "core/json.h"

extern char** environ;

namespace xietong::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

void RaiseFileLimit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
}

std::uint16_t FreePort() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

long RssKiB(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("VmRSS:")) return std::atol(line.c_str() + 6);
  return 0;
}

// --- the peer server ----------------------------------------------------------------

class PeerSession;
struct PeerHub {
  std::mutex mutex;
  std::vector<std::weak_ptr<PeerSession>> members;  // GUARDED_BY(mutex)
  void Broadcast(const std::string& text);
};

class PeerSession : public std::enable_shared_from_this<PeerSession> {
 public:
  PeerSession(tcp::socket s, PeerHub& hub) : ws_(std::move(s)), hub_(hub) {}
  void Start() {
    http::async_read(ws_.next_layer(), buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->Accept();
                     });
  }
  void Send(std::string text) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      self->queue_.push_back(std::move(text));
      if (self->queue_.size() == 1) self->WriteNext();
    });
  }

 private:
  void Accept() {
    const bool member = std::string_view(request_.target()).find("m=1") != std::string_view::npos;
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(request_, [self = shared_from_this(), member](beast::error_code ec) {
      if (ec) return;
      if (member) {
        std::lock_guard lock(self->hub_.mutex);
        self->hub_.members.push_back(self);
      }
      self->Read();
    });
  }
  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      const std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (text.starts_with("post "))
        self->hub_.Broadcast(
            fmt::format(R"({{"type":"channel","channel_id":"peer","seq":{}}})", text.substr(5)));
      self->Read();
    });
  }
  void WriteNext() {
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->queue_.pop_front();
                      if (!ec && !self->queue_.empty()) self->WriteNext();
                    });
  }
  websocket::stream<beast::tcp_stream> ws_;
  PeerHub& hub_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::deque<std::string> queue_;
};

void PeerHub::Broadcast(const std::string& text) {
  std::vector<std::shared_ptr<PeerSession>> to;
  {
    std::lock_guard lock(mutex);
    for (auto& w : members)
      if (auto s = w.lock()) to.push_back(std::move(s));
  }
  for (auto& s : to) s->Send(text);
}

int PeerServer(std::uint16_t port) {
  RaiseFileLimit();
  asio::io_context ioc;
  PeerHub hub;
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), port);
  acceptor.open(at.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(at);
  acceptor.listen(asio::socket_base::max_listen_connections);
  std::function<void()> accept = [&] {
    acceptor.async_accept(asio::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<PeerSession>(std::move(s), hub)->Start();
      accept();
    });
  };
  accept();
  std::thread other([&] { ioc.run(); });
  ioc.run();
  other.join();
  return 0;
}

// --- the client ------------------------------------------------------------------------

struct Target {
  std::uint16_t port = 0;
  std::string path;                 // "/api/v1/live" or "/peer"
  std::vector<std::string> tokens;  // per socket ("" : none)
  std::vector<bool> member;         // per socket
  std::string channel_id;           // what a push names
};

struct Received {
  std::int64_t seq = 0;
  std::int64_t at_ns = 0;
};

class Client {
 public:
  Client(const Target& t, int addresses) : t_(t), addresses_(addresses) {
    const std::size_t n = t.tokens.size();
    sockets_.resize(n);
    got_.resize(n);
    for (auto& g : got_) g.reserve(64);
  }

  // Opens every socket, at most `window` handshakes at once; returns seconds taken.
  double Open(int window) {
    const auto start = SteadyClock::now();
    next_ = 0;
    for (int i = 0; i < window; ++i) StartNext();
    thread_ = std::thread([this] { ioc_.run(); });
    while (opened_.load() + failed_.load() < static_cast<long>(sockets_.size()))
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return Seconds(start);
  }
  long opened() const { return opened_.load(); }
  long failed() const { return failed_.load(); }
  long closed() const { return closed_.load(); }
  // Pushes naming the channel received by member sockets with seq ≥ seq.
  long MembersWith(std::int64_t seq) const { return reached_[static_cast<std::size_t>(seq)]; }
  void Track(int messages) {
    reached_ = std::vector<std::atomic<long>>(static_cast<std::size_t>(messages) + 2);
  }
  long stray() const { return stray_.load(); }
  // Copies of what each socket received (call after the traffic stopped).
  std::vector<std::vector<Received>> Got() {
    std::vector<std::vector<Received>> out;
    std::promise<void> done;
    asio::post(ioc_, [&] {  // pushes land on the one client thread
      out = got_;
      done.set_value();
    });
    done.get_future().wait();
    return out;
  }
  void Stop() {
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  using Ws = websocket::stream<beast::tcp_stream>;
  void StartNext() {
    const std::size_t i = next_++;
    if (i >= sockets_.size()) return;
    sockets_[i] = std::make_unique<Ws>(ioc_);
    Ws& ws = *sockets_[i];
    auto& sock = beast::get_lowest_layer(ws).socket();
    beast::error_code ec;
    sock.open(tcp::v4(), ec);
    const auto from = asio::ip::address_v4(
        0x7f000002u + static_cast<unsigned>(i % static_cast<std::size_t>(addresses_)));
    if (!ec) sock.bind(tcp::endpoint(from, 0), ec);
    if (ec) return Fail(i, ec);
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(60));
    beast::get_lowest_layer(ws).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), t_.port),
        [this, i](beast::error_code e) {
          if (e) return Fail(i, e);
          Ws& w = *sockets_[i];
          w.set_option(websocket::stream_base::decorator([this, i](websocket::request_type& req) {
            if (!t_.tokens[i].empty())
              req.set(http::field::authorization, "Bearer " + t_.tokens[i]);
          }));
          const std::string path = t_.member[i] && t_.path == "/peer" ? "/peer?m=1" : t_.path;
          w.async_handshake("127.0.0.1", path, [this, i](beast::error_code e2) {
            if (e2) return Fail(i, e2);
            Ws& w2 = *sockets_[i];
            beast::get_lowest_layer(w2).expires_never();
            w2.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
            buffers_.emplace_back();
            ++opened_;
            Read(i, &buffers_.back());
            StartNext();
          });
        });
  }
  void Fail(std::size_t i, beast::error_code ec) {
    if (failed_.fetch_add(1) < 5) fmt::print("socket {} failed: {}\n", i, ec.message());
    StartNext();
  }
  void Read(std::size_t i, beast::flat_buffer* buf) {
    sockets_[i]->async_read(*buf, [this, i, buf](beast::error_code ec, std::size_t) {
      if (ec) {
        ++closed_;
        return;
      }
      const std::int64_t at = NowNs();
      const std::string_view text(static_cast<const char*>(buf->data().data()), buf->size());
      if (text.find(t_.channel_id) != std::string_view::npos) {
        const auto k = text.find("\"seq\":");
        const std::int64_t seq = k == std::string_view::npos ? 0 : std::atoll(text.data() + k + 6);
        if (!t_.member[i]) {
          ++stray_;
        } else {
          got_[i].push_back({seq, at});
          const std::int64_t before = got_[i].size() > 1 ? got_[i][got_[i].size() - 2].seq : 0;
          for (std::int64_t s = before + 1;
               s <= seq && s < static_cast<std::int64_t>(reached_.size()); ++s)
            ++reached_[static_cast<std::size_t>(s)];
        }
      }
      buf->consume(buf->size());
      Read(i, buf);
    });
  }

  const Target& t_;
  const int addresses_;
  asio::io_context ioc_;
  std::thread thread_;
  std::vector<std::unique_ptr<Ws>> sockets_;
  std::deque<beast::flat_buffer> buffers_;  // stable addresses; only the client thread
  std::vector<std::vector<Received>> got_;  // only the client thread
  std::vector<std::atomic<long>> reached_;
  std::size_t next_ = 0;
  std::atomic<long> opened_{0}, failed_{0}, closed_{0}, stray_{0};
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

struct Outcome {
  long opened = 0, failed = 0, held = 0, stray = 0, missing = 0;
  double open_s = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, answer_p50 = 0;
  long server_rss_kib = 0;  // the server's, with every socket still open
  std::size_t deliveries = 0;
};

// Opens the sockets, holds them hold_s, then runs `messages` rounds of
// post(k) (which sends message k and returns when it was accepted) and
// times each member socket's push.
template <typename PostFn>
Outcome Measure(const Target& t, int addresses, int messages, int interval_ms, double hold_s,
                pid_t server, PostFn post) {
  Outcome o;
  const long members = static_cast<long>(std::count(t.member.begin(), t.member.end(), true));
  Client c(t, addresses);
  c.Track(messages);
  o.open_s = c.Open(256);
  o.opened = c.opened();
  o.failed = c.failed();
  fmt::print("  {} sockets open in {:.1f} s ({} failed); holding {:.0f} s\n", o.opened, o.open_s,
             o.failed, hold_s);
  std::this_thread::sleep_for(std::chrono::duration<double>(hold_s));
  std::vector<std::int64_t> sent(static_cast<std::size_t>(messages) + 1);
  std::vector<double> answers;
  for (int k = 1; k <= messages; ++k) {
    sent[static_cast<std::size_t>(k)] = NowNs();
    post(k);
    answers.push_back(static_cast<double>(NowNs() - sent[static_cast<std::size_t>(k)]) / 1e6);
    const auto until = SteadyClock::now() + std::chrono::seconds(5);
    while (c.MembersWith(k) < members && SteadyClock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
  o.held = o.opened - c.closed();
  o.server_rss_kib = RssKiB(server);
  o.stray = c.stray();
  std::vector<double> lat;
  for (const auto& got : c.Got()) {
    std::size_t j = 0;
    for (int k = 1; k <= messages; ++k) {
      while (j < got.size() && got[j].seq < k) ++j;
      if (j == got.size()) break;
      lat.push_back(static_cast<double>(got[j].at_ns - sent[static_cast<std::size_t>(k)]) / 1e6);
    }
  }
  // Sockets that are not members have no entries; count misses over members only.
  o.missing = static_cast<long>(members) * messages - static_cast<long>(lat.size());
  c.Stop();
  o.deliveries = lat.size();
  o.p50 = Percentile(lat, 0.5);
  o.p90 = Percentile(lat, 0.9);
  o.p99 = Percentile(lat, 0.99);
  o.max = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
  o.answer_p50 = Percentile(answers, 0.5);
  return o;
}

void PrintOutcome(std::string_view who, const Outcome& o, long connections, long members,
                  int messages) {
  fmt::print(
      "{}: {} of {} sockets opened ({:.1f} s), {} still open after the run; {} messages × {} "
      "members: {} pushes timed, {} missing, {} to non-members; post → push p50 {:.1f} ms, "
      "p90 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms (the post answered in p50 {:.1f} ms)\n",
      who, o.opened, connections, o.open_s, o.held, messages, members, o.deliveries, o.missing,
      o.stray, o.p50, o.p90, o.p99, o.max, o.answer_p50);
}

// One keep-alive HTTP connection.
class HttpPoster {
 public:
  explicit HttpPoster(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  http::response<http::string_body> Send(http::verb verb, const std::string& target,
                                         const std::string& token, const std::string& body) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return res;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

bool Healthy(std::uint16_t port) {
  try {
    HttpPoster h(port);
    return h.Send(http::verb::get, "/healthz", "", "").result_int() == 200;
  } catch (const std::exception&) {
    return false;
  }
}

pid_t Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
    Die(Error::Internal(fmt::format("cannot start {}", args[0])));
  return pid;
}

void Stop(pid_t pid) {
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
}

int Run(int argc, char** argv) {
  std::string bin, database;
  int connections = 10'000, members = 1'000, messages = 30, interval_ms = 200, addresses = 25,
      max_connections = 0;
  double hold_s = 10;
  bool peer = true;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--no-peer") {
      peer = false;
      continue;
    }
    if (flag == "--peer-server" && i + 1 < argc)
      return PeerServer(static_cast<std::uint16_t>(std::atoi(argv[i + 1])));
    if (i + 1 >= argc) Die(Error::InvalidArgument(fmt::format("{} needs a value", flag)));
    const char* v = argv[++i];
    if (flag == "--bin") {
      bin = v;
    } else if (flag == "--database") {
      database = v;
    } else if (flag == "--connections") {
      connections = std::atoi(v);
    } else if (flag == "--members") {
      members = std::atoi(v);
    } else if (flag == "--messages") {
      messages = std::atoi(v);
    } else if (flag == "--interval-ms") {
      interval_ms = std::atoi(v);
    } else if (flag == "--hold-s") {
      hold_s = std::atof(v);
    } else if (flag == "--addresses") {
      addresses = std::atoi(v);
    } else if (flag == "--max-connections") {
      max_connections = std::atoi(v);
    } else {
      Die(Error::InvalidArgument(fmt::format("unknown flag {}", flag)));
    }
  }
  if (bin.empty()) Die(Error::InvalidArgument("--bin names the xietong binary"));
  if (members > connections) Die(Error::InvalidArgument("more members than connections"));
  RaiseFileLimit();
  spdlog::set_level(spdlog::level::warn);
  ::signal(SIGPIPE, SIG_IGN);

  const std::string dir = (std::filesystem::temp_directory_path() /
                           fmt::format("collab_ws_bench-{}", static_cast<long>(::getpid())))
                              .string();
  std::filesystem::create_directories(dir);
  Target t;
  t.path = "/api/v1/live";
  {
    auto platform = Must(
        app::Platform::Open({.data_dir = dir, .database = database, .calendar = "", .readers = 4}));
    app::Platform& p = *platform;
    const CollabCity city = SeedCollabCity(
        p, {.people = connections, .communities = 200, .with_sessions = true, .code = "WS"});
    std::vector<std::string> ids;
    for (int m = 1; m < members; ++m)
      ids.push_back(city.people[static_cast<std::size_t>(m)].account_id);
    const auto started = SteadyClock::now();
    t.channel_id = Must(p.collab().CreateGroup(city.people.front(), "压测千人群", ids)).id;
    fmt::print("a group of {} members in {:.1f} s ({})\n", members, Seconds(started),
               p.db().Describe());
    t.tokens = city.tokens;
  }
  t.member.assign(static_cast<std::size_t>(connections), false);
  for (int m = 0; m < members; ++m) t.member[static_cast<std::size_t>(m)] = true;

  // xietong serve, its file limit raised like ours (it inherits it).
  t.port = FreePort();
  std::vector<std::string> args = {bin,
                                   "serve",
                                   "--data-dir",
                                   dir,
                                   "--listen",
                                   fmt::format("127.0.0.1:{}", t.port),
                                   "--access-log",
                                   dir + "/access.jsonl"};
  if (!database.empty()) args.insert(args.end(), {"--database", database});
  if (max_connections > 0)
    args.insert(args.end(), {"--max-connections", std::to_string(max_connections)});
  const pid_t server = Spawn(args);
  bool up = false;
  for (int i = 0; i < 300 && !up; ++i) {
    up = Healthy(t.port);
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!up) {
    Stop(server);
    Die(Error::Unavailable("xietong serve did not start"));
  }
  const std::string poster_token = t.tokens.front();
  Outcome x;
  {
    HttpPoster poster(t.port);
    const std::string target = fmt::format("/api/v1/channels/{}/messages", t.channel_id);
    x = Measure(t, addresses, messages, interval_ms, hold_s, server, [&](int k) {
      auto res = poster.Send(
          http::verb::post, target, poster_token,
          json::Json{{"text", fmt::format("第{}条：请各位同事今天下班前更新排查进度。", k)}}
              .dump());
      if (res.result_int() != 201) Die(Error::Internal(fmt::format("post: {}", res.body())));
      const auto seq = json::Json::parse(res.body())["seq"].get<std::int64_t>();
      if (seq != k) Die(Error::Internal(fmt::format("message {} got seq {}", k, seq)));
    });
  }
  Stop(server);
  PrintOutcome("xietong", x, connections, members, messages);
  fmt::print("xietong serve RSS with the sockets open: {} MiB\n", x.server_rss_kib / 1024);

  if (peer) {
    Target pt = t;
    pt.path = "/peer";
    pt.channel_id = "\"peer\"";
    for (auto& tok : pt.tokens) tok.clear();
    pt.port = FreePort();
    const pid_t ps = Spawn({"/proc/self/exe", "--peer-server", std::to_string(pt.port)});
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Outcome o;
    {
      // The trigger travels on one extra socket, as the post does on its connection.
      asio::io_context ioc;
      websocket::stream<tcp::socket> trigger(ioc);
      trigger.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), pt.port));
      trigger.handshake("127.0.0.1", "/peer");
      o = Measure(pt, addresses, messages, interval_ms, hold_s, ps,
                  [&](int k) { trigger.write(asio::buffer(fmt::format("post {}", k))); });
    }
    Stop(ps);
    PrintOutcome("peer (bare Beast relay)", o, connections, members, messages);
    fmt::print("peer RSS with the sockets open: {} MiB\n", o.server_rss_kib / 1024);
    fmt::print("xietong / peer, p99: {:.1f}; p50: {:.1f}\n", x.p99 / std::max(1e-9, o.p99),
               x.p50 / std::max(1e-9, o.p50));
  }
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace xietong::bench

int main(int argc, char** argv) { return xietong::bench::Run(argc, argv); }
