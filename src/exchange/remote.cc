#include "exchange/remote.h"

#include <fmt/core.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace xietong::exchange {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kMaxBody = 1 << 20;

struct Target {
  std::string host, port, path;
};

Result<Target> ParseEndpoint(const std::string& endpoint) {
  constexpr std::string_view kScheme = "http://";
  if (!endpoint.starts_with(kScheme))
    return Fail(Error::UpstreamFailed(
        fmt::format("the remote resource's endpoint {} is not an http:// address", endpoint)));
  const std::string rest = endpoint.substr(kScheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  Target t;
  t.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  t.host = colon == std::string::npos ? authority : authority.substr(0, colon);
  t.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (t.host.empty()) return Fail(Error::UpstreamFailed("the remote endpoint names no host"));
  if (!t.path.ends_with('/')) t.path += '/';
  return t;
}

}  // namespace

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

Result<std::optional<json::Json>> FetchRemote(const std::string& endpoint, const std::string& key,
                                              std::chrono::milliseconds timeout) {
  XT_ASSIGN_OR_RETURN(const Target t, ParseEndpoint(endpoint));
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  http::request<http::empty_body> req{http::verb::get, t.path + PercentEncode(key), 11};
  req.set(http::field::host, t.host);
  req.set(http::field::accept, "application/json");
  req.set(http::field::user_agent, "xietong-exchange-gateway");
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  beast::error_code failure;
  bool done = false;
  // The whole exchange runs under one deadline.
  stream.expires_after(timeout);
  resolver.async_resolve(t.host, t.port, [&](beast::error_code ec, auto results) {
    if (ec) {
      failure = ec;
      return;
    }
    stream.async_connect(results, [&](beast::error_code ec2, auto) {
      if (ec2) {
        failure = ec2;
        return;
      }
      http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
        if (ec3) {
          failure = ec3;
          return;
        }
        http::async_read(stream, buffer, parser, [&](beast::error_code ec4, std::size_t) {
          failure = ec4;
          done = !ec4;
        });
      });
    });
  });
  ioc.run_for(timeout + std::chrono::milliseconds(50));
  if (!done && !failure) failure = beast::error::timeout;
  if (failure == beast::error::timeout || (!done && ioc.stopped() && !failure))
    return Fail(Error::UpstreamTimeout(fmt::format(
        "the owner's system at {} did not answer within {} ms", endpoint, timeout.count())));
  if (failure)
    return Fail(Error::UpstreamFailed(
        fmt::format("the owner's system at {} failed: {}", endpoint, failure.message())));
  const auto& res = parser.get();
  if (res.result() == http::status::not_found) return std::optional<json::Json>{};
  if (res.result() != http::status::ok)
    return Fail(Error::UpstreamFailed(
        fmt::format("the owner's system at {} answered HTTP {}", endpoint, res.result_int())));
  if (json::FindInvalidUtf8(res.body()))
    return Fail(Error::UpstreamFailed(
        fmt::format("the owner's system at {} answered bytes that are not UTF-8", endpoint)));
  auto doc = json::Json::parse(res.body(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Fail(Error::UpstreamFailed(fmt::format(
        "the owner's system at {} answered something that is not a JSON object", endpoint)));
  return std::optional<json::Json>{std::move(doc)};
}

namespace {

struct Url {
  bool tls = false;
  std::string host, port, target;
};

Result<Url> ParseUrl(const std::string& url) {
  Url u;
  std::string rest;
  if (url.starts_with("https://")) {
    u.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return Fail(Error::UpstreamFailed(fmt::format("{} is not an http(s):// address", url)));
  }
  const auto slash = rest.find_first_of("/?");
  const std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!u.target.starts_with('/')) u.target = "/" + u.target;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string::npos) return Fail(Error::UpstreamFailed("an unclosed [IPv6] host"));
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      u.port = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
  }
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  if (u.host.empty()) return Fail(Error::UpstreamFailed(fmt::format("{} names no host", url)));
  return u;
}

// One request/response on a connected stream (plain or TLS) under the deadline.
template <typename Stream>
void Exchange(Stream& stream, http::request<http::string_body>& req, beast::flat_buffer& buffer,
              http::response_parser<http::string_body>& parser, beast::error_code& failure,
              bool& done) {
  http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
    if (ec) {
      failure = ec;
      return;
    }
    http::async_read(stream, buffer, parser, [&](beast::error_code ec2, std::size_t) {
      failure = ec2;
      done = !ec2;
    });
  });
}

}  // namespace

Result<int> PostRemote(const std::string& url, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::chrono::milliseconds timeout) {
  XT_ASSIGN_OR_RETURN(const Url u, ParseUrl(url));
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> secure(ioc, tls);
  beast::tcp_stream plain(ioc);
  beast::tcp_stream& tcp = u.tls ? beast::get_lowest_layer(secure) : plain;
  http::request<http::string_body> req{http::verb::post, u.target, 11};
  req.set(http::field::host, u.port == (u.tls ? "443" : "80") ? u.host : u.host + ":" + u.port);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  beast::error_code failure;
  bool done = false;
  if (u.tls) {
    // SNI (SSL_set_tlsext_host_name, without the macro's C cast).
    if (SSL_ctrl(secure.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(u.host.c_str())) != 1)
      return Fail(Error::UpstreamFailed(fmt::format("cannot name {} for TLS", u.host)));
    secure.set_verify_callback(asio::ssl::host_name_verification(u.host));
  }
  tcp.expires_after(timeout);
  resolver.async_resolve(u.host, u.port, [&](beast::error_code ec, auto results) {
    if (ec) {
      failure = ec;
      return;
    }
    tcp.async_connect(results, [&](beast::error_code ec2, auto) {
      if (ec2) {
        failure = ec2;
        return;
      }
      if (!u.tls) {
        Exchange(plain, req, buffer, parser, failure, done);
        return;
      }
      secure.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec3) {
        if (ec3) {
          failure = ec3;
          return;
        }
        Exchange(secure, req, buffer, parser, failure, done);
      });
    });
  });
  ioc.run_for(timeout + std::chrono::milliseconds(50));
  if (!done && !failure) failure = beast::error::timeout;
  if (failure == beast::error::timeout)
    return Fail(Error::UpstreamTimeout(
        fmt::format("{} did not answer within {} ms", url, timeout.count())));
  if (failure)
    return Fail(Error::UpstreamFailed(fmt::format("{} failed: {}", url, failure.message())));
  return static_cast<int>(parser.get().result_int());
}

}  // namespace xietong::exchange
