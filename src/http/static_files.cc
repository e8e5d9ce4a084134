#include "http/static_files.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace xietong::http {
namespace {

std::optional<std::string> ReadFile(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

bool AcceptsEncoding(std::string_view accept_encoding, std::string_view coding) {
  std::optional<bool> named, star;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? "" : accept_encoding.substr(comma + 1);
    std::string_view token = item.substr(0, item.find(';'));
    token = Trim(token);
    bool accepted = true;
    if (const auto semi = item.find(';'); semi != std::string_view::npos) {
      std::string_view param = Trim(item.substr(semi + 1));
      if (param.starts_with("q=") || param.starts_with("Q=")) {
        // q=0, q=0.0, q=0.000 refuse; anything else accepts.
        std::string_view q = param.substr(2);
        accepted = q.find_first_not_of("0.") != std::string_view::npos;
      }
    }
    if (EqualsIgnoringCase(token, coding)) named = accepted;
    if (token == "*") star = accepted;
  }
  return named.value_or(star.value_or(false));
}

std::string_view ContentTypeFor(std::string_view path) {
  auto dot = path.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "geojson") return "application/geo+json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "wasm") return "application/wasm";
  return "application/octet-stream";
}

std::optional<Response> StaticFiles::Serve(std::string_view path,
                                           std::string_view accept_encoding) const {
  // Reject anything that could climb out of the root.
  if (path.find("..") != std::string_view::npos || path.find('\\') != std::string_view::npos ||
      path.find('\0') != std::string_view::npos)
    return std::nullopt;
  std::string rel(path.substr(1));
  // "//etc/passwd" (or "/%2Fetc/passwd") leaves an absolute path, and
  // root / "/etc/passwd" would be "/etc/passwd": refuse empty segments.
  if (rel.starts_with('/') || rel.find("//") != std::string::npos) return std::nullopt;
  if (rel.empty()) rel = "index.html";
  const std::filesystem::path root(root_);
  auto body = ReadFile(root / rel);
  std::string served = rel;
  if (!body) {
    // A page path (no extension in its last segment) is the app's to route.
    auto last = rel.substr(rel.rfind('/') == std::string::npos ? 0 : rel.rfind('/') + 1);
    if (last.find('.') != std::string::npos) return std::nullopt;
    body = ReadFile(root / "index.html");
    served = "index.html";
    if (!body) return std::nullopt;
  }
  Response r;
  r.content_type = std::string(ContentTypeFor(served));
  // A precompressed copy from the build, when the client takes it. Checked
  // whether or not this client accepts it: Vary must be the same for all.
  bool has_variant = false;
  for (std::string_view coding : {"br", "gzip"}) {
    const std::string_view suffix = coding == "br" ? ".br" : ".gz";
    const auto variant = root / (served + std::string(suffix));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(variant, ec)) continue;
    has_variant = true;
    if (!AcceptsEncoding(accept_encoding, coding)) continue;
    if (auto compressed = ReadFile(variant)) {
      body = std::move(compressed);
      r.SetHeader("Content-Encoding", std::string(coding));
      break;
    }
  }
  if (has_variant) r.SetHeader("Vary", "Accept-Encoding");
  r.body = std::move(*body);
  // Vite puts content hashes in asset names: those may be cached for good.
  r.SetHeader("Cache-Control",
              served.starts_with("assets/") ? "public, max-age=31536000, immutable" : "no-cache");
  r.SetHeader("X-Content-Type-Options", "nosniff");
  // The app's pages run only the app's own scripts: a string from the server
  // that slipped into HTML anyway (an ECharts tooltip) cannot load or run
  // code, and no other site may frame the pages (clickjacking). Element Plus
  // sets inline styles; charts export as data: images; photos preview as blob:.
  r.SetHeader("Content-Security-Policy", std::string(kContentSecurityPolicy));
  r.SetHeader("X-Frame-Options", "DENY");
  r.SetHeader("Referrer-Policy", "same-origin");
  return r;
}

}  // namespace xietong::http
