// A minimal blocking HTTP/1.1 client for tests: one connection per request,
// to 127.0.0.1 only. Not for production use.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace xietong::http::testing {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

ClientResponse Send(std::uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});
// Sends raw bytes and returns what came back (for malformed requests).
std::string SendRaw(std::uint16_t port, const std::string& bytes);

}  // namespace xietong::http::testing
