#include "exchange/remote.h"

#include <fmt/core.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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

}  // namespace xietong::exchange
