#include "collab/notify.h"

#include <fmt/core.h>
#include <sodium.h>

#include <algorithm>
#include <array>

namespace xietong::collab {

std::string_view NotifyKindName(NotifyKind k) {
  switch (k) {
    case NotifyKind::kDirective:
      return "directive";
    case NotifyKind::kMention:
      return "mention";
    case NotifyKind::kTaskAssigned:
      return "task_assigned";
    case NotifyKind::kTaskOverdue:
      return "task_overdue";
    case NotifyKind::kReminder:
      return "reminder";
    case NotifyKind::kReportForm:
      return "report_form";
    case NotifyKind::kReportOverdue:
      return "report_overdue";
  }
  return "directive";
}

std::optional<NotifyKind> ParseNotifyKind(std::string_view s) {
  for (auto k : kNotifyKinds)
    if (NotifyKindName(k) == s) return k;
  return std::nullopt;
}

std::string_view WebhookOwnerName(WebhookOwner o) {
  return o == WebhookOwner::kUnit ? "unit" : "account";
}

std::string_view DeliveryStatusName(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::kPending:
      return "pending";
    case DeliveryStatus::kDelivered:
      return "delivered";
    case DeliveryStatus::kFailed:
      return "failed";
  }
  return "pending";
}

Result<void> CheckWebhookUrl(std::string_view url) {
  auto bad = [](std::string why) {
    return Fail(
        Error::InvalidArgument(fmt::format("field 'url': {}", why)).About("url", "invalid"));
  };
  if (url.empty()) return bad("required");
  if (url.size() > kMaxWebhookUrl) return bad(fmt::format("at most {} characters", kMaxWebhookUrl));
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) return bad("no spaces, control or non-ASCII characters");
  std::string_view rest;
  bool tls = false;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
    tls = true;
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return bad("an https:// address (http:// only to this machine)");
  }
  const auto end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return bad("no user name or password in it");
  if (url.find('#') != std::string_view::npos) return bad("no #fragment");
  std::string_view host = authority;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return bad("an unclosed [IPv6] host");
    host = host.substr(0, close + 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    const std::string_view port = host.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad("a port is a number");
    host = host.substr(0, colon);
  }
  if (host.empty()) return bad("names no host");
  if (!tls && host != "127.0.0.1" && host != "localhost" && host != "[::1]")
    return bad("http:// only to this machine (127.0.0.1, localhost); elsewhere https://");
  return {};
}

Result<std::vector<std::string>> CheckKinds(const std::vector<std::string>& kinds) {
  std::vector<std::string> out;
  for (const auto& k : kinds) {
    if (!ParseNotifyKind(k))
      return Fail(Error::InvalidArgument(
                      fmt::format("field 'kinds': unknown kind '{}' (directive, mention, "
                                  "task_assigned, task_overdue, reminder)",
                                  k.substr(0, 40)))
                      .About("kinds", "unknown"));
    out.push_back(k);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<void> CheckSecret(std::string_view secret) {
  if (secret.size() < kMinSecret || secret.size() > kMaxSecret)
    return Fail(Error::InvalidArgument(
                    fmt::format("field 'secret': {}–{} characters", kMinSecret, kMaxSecret))
                    .About("secret", "length"));
  for (unsigned char c : secret)
    if (c < 0x21 || c > 0x7e)
      return Fail(Error::InvalidArgument("field 'secret': printable ASCII characters, no spaces")
                      .About("secret", "invalid"));
  return {};
}

bool Wants(const Webhook& w, NotifyKind k) {
  return w.kinds.empty() ||
         std::find(w.kinds.begin(), w.kinds.end(), NotifyKindName(k)) != w.kinds.end();
}

Timestamp NextAttempt(int attempts, Timestamp now) {
  Timestamp wait = 30 * kMicrosPerSecond;
  for (int i = 1; i < attempts && wait < kMicrosPerHour; ++i) wait *= 2;
  return now + std::min(wait, kMicrosPerHour);
}

std::string SignDelivery(std::string_view secret, std::int64_t unix_seconds,
                         std::string_view body) {
  const std::string signed_text = fmt::format("{}.{}", unix_seconds, body);
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_text.data()),
                                signed_text.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  std::string hex(mac.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  hex.pop_back();
  return "sha256=" + hex;
}

std::string Excerpt(std::string_view text, std::size_t max_chars) {
  std::size_t i = 0, chars = 0;
  while (i < text.size() && chars < max_chars) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
    i += len;
    ++chars;
  }
  if (i >= text.size()) return std::string(text);
  return std::string(text.substr(0, i)) + "…";
}

}  // namespace xietong::collab
