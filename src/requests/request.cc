#include "requests/request.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <vector>

#include "audit/audit_log.h"
#include "core/json.h"
#include "identity/identity.h"

namespace xietong::requests {
namespace {

template <typename E, std::size_t N>
Result<E> ParseName(std::string_view s, const E (&all)[N], std::string_view (*name)(E),
                    std::string_view what) {
  std::string known;
  for (E e : all) {
    if (name(e) == s) return e;
    if (!known.empty()) known += ", ";
    known += name(e);
  }
  return Fail(
      Error::InvalidArgument(fmt::format("unknown {} '{}'; use one of: {}", what, s, known)));
}

constexpr Channel kChannels[] = {Channel::kWeb, Channel::kPhone, Channel::kOpen311, Channel::kApi,
                                 Channel::kImport};
constexpr Status kStatuses[] = {Status::kReceived, Status::kDispatched, Status::kSigned,
                                Status::kHandling, Status::kReplied,    Status::kCallback,
                                Status::kClosed,   Status::kMerged};
constexpr Satisfaction kSatisfactions[] = {
    Satisfaction::kSatisfied, Satisfaction::kBasicallySatisfied, Satisfaction::kDissatisfied};

Result<void> CheckChars(std::string_view field, std::string_view value, std::size_t min,
                        std::size_t max) {
  const std::size_t n = json::CountCodePoints(value);
  if (n < min)
    return Fail(Error::InvalidArgument(
        min == 1 ? fmt::format("'{}' must not be empty", field)
                 : fmt::format("'{}' must have at least {} characters", field, min)));
  if (n > max)
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' has {} characters; at most {} are allowed", field, n, max)));
  return {};
}

bool Blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

std::chrono::year_month_day LocalDay(Timestamp t) {
  const auto local = std::chrono::sys_days{} + std::chrono::floor<std::chrono::days>(
                                                   std::chrono::microseconds(t + kShanghaiOffset));
  return std::chrono::year_month_day{local};
}

}  // namespace

std::string_view ChannelName(Channel c) {
  switch (c) {
    case Channel::kWeb:
      return "web";
    case Channel::kPhone:
      return "phone";
    case Channel::kOpen311:
      return "open311";
    case Channel::kApi:
      return "api";
    case Channel::kImport:
      return "import";
  }
  return "unknown";
}
Result<Channel> ParseChannel(std::string_view s) {
  return ParseName(s, kChannels, ChannelName, "channel");
}

std::string_view StatusName(Status s) {
  switch (s) {
    case Status::kReceived:
      return "received";
    case Status::kDispatched:
      return "dispatched";
    case Status::kSigned:
      return "signed";
    case Status::kHandling:
      return "handling";
    case Status::kReplied:
      return "replied";
    case Status::kCallback:
      return "callback";
    case Status::kClosed:
      return "closed";
    case Status::kMerged:
      return "merged";
  }
  return "unknown";
}
Result<Status> ParseStatus(std::string_view s) {
  return ParseName(s, kStatuses, StatusName, "status");
}
bool IsOpen(Status s) { return s != Status::kClosed && s != Status::kMerged; }

std::span<const Status> OpenStatuses() {
  static const std::vector<Status> open = [] {
    std::vector<Status> out;
    for (Status s : kStatuses)
      if (IsOpen(s)) out.push_back(s);
    return out;
  }();
  return open;
}

std::string_view SatisfactionName(Satisfaction s) {
  switch (s) {
    case Satisfaction::kSatisfied:
      return "satisfied";
    case Satisfaction::kBasicallySatisfied:
      return "basically_satisfied";
    case Satisfaction::kDissatisfied:
      return "dissatisfied";
  }
  return "unknown";
}
Result<Satisfaction> ParseSatisfaction(std::string_view s) {
  return ParseName(s, kSatisfactions, SatisfactionName, "satisfaction");
}

Result<void> ValidateIntake(const Intake& in) {
  if (Blank(in.text)) return Fail(Error::InvalidArgument("'text' must not be empty"));
  XT_TRY_VOID(CheckChars("text", in.text, 1, kMaxTextChars));
  XT_TRY_VOID(CheckChars("title", in.title, 0, kMaxTitleChars));
  XT_TRY_VOID(CheckChars("place.address", in.place.address, 0, kMaxAddressChars));
  XT_TRY_VOID(CheckChars("contact.name", in.contact_name, 0, kMaxNameChars));
  if (in.place.lat.has_value() != in.place.lon.has_value())
    return Fail(Error::InvalidArgument("'place.lat' and 'place.lon' come together"));
  if (in.place.lat) {
    const double lat = *in.place.lat, lon = *in.place.lon;
    if (!std::isfinite(lat) || lat < -90 || lat > 90)
      return Fail(Error::InvalidArgument(
          fmt::format("'place.lat' must be between -90 and 90 degrees, not {}", lat)));
    if (!std::isfinite(lon) || lon < -180 || lon > 180)
      return Fail(Error::InvalidArgument(
          fmt::format("'place.lon' must be between -180 and 180 degrees, not {}", lon)));
  }
  if (!in.contact_phone.empty() && !identity::IsValidPhone(in.contact_phone))
    return Fail(Error::InvalidArgument(
        "'contact.phone' is not a phone number: use 11 digits starting with 1, or an area "
        "code and number such as 0571-88886666"));
  if (!in.anonymous && in.contact_phone.empty() && in.channel != Channel::kImport &&
      in.channel != Channel::kOpen311)
    return Fail(
        Error::InvalidArgument("'contact.phone' is needed unless the request is anonymous"));
  if (in.attachment_ids.size() > static_cast<std::size_t>(kMaxAttachments))
    return Fail(Error::InvalidArgument(fmt::format("at most {} attachments are allowed, not {}",
                                                   kMaxAttachments, in.attachment_ids.size())));
  XT_TRY_VOID(CheckChars("external_id", in.external_id, 0, 64));
  XT_TRY_VOID(CheckChars("Idempotency-Key", in.idempotency_key, 0, 100));
  XT_TRY_VOID(CheckChars("merge_into", in.merge_into, 0, 64));
  if (in.dispatch && !in.merge_into.empty())
    return Fail(Error::InvalidArgument(
        "'dispatch' and 'merge_into' exclude each other: a repeated call follows the request "
        "it is merged into"));
  return {};
}

std::string DayKey(Timestamp t) {
  const auto d = LocalDay(t);
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

std::string MonthKey(Timestamp t) {
  const auto d = LocalDay(t);
  return fmt::format("{:04}-{:02}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()));
}

Result<std::pair<Timestamp, Timestamp>> MonthSpan(std::string_view month, std::string_view field) {
  auto digit = [&](std::size_t i) { return month[i] >= '0' && month[i] <= '9'; };
  const bool shape = month.size() == 7 && month[4] == '-' && digit(0) && digit(1) && digit(2) &&
                     digit(3) && digit(5) && digit(6);
  const int year = shape ? (month[0] - '0') * 1000 + (month[1] - '0') * 100 +
                               (month[2] - '0') * 10 + (month[3] - '0')
                         : 0;
  const unsigned m = shape ? static_cast<unsigned>((month[5] - '0') * 10 + (month[6] - '0')) : 0;
  if (!shape || m < 1 || m > 12 || year < 1970)
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' must be a month like 2026-03; got '{}'", field, month)));
  const auto start = [](int y, unsigned mo) {
    const std::chrono::sys_days d{std::chrono::year{y} / std::chrono::month{mo} / 1};
    return d.time_since_epoch().count() * kMicrosPerDay - kShanghaiOffset;
  };
  return std::pair{start(year, m), m == 12 ? start(year + 1, 1) : start(year, m + 1)};
}

std::string FormatNumber(Timestamp received_at, std::int64_t n) {
  return fmt::format("{}{:05}", DayKey(received_at), n);
}

void ShowToResident(Request& r) {
  r.return_requested = false;
  r.return_reason.clear();
  r.extension_days = 0;
  r.extension_reason.clear();
  r.created_by.clear();
  r.sign_due = 0;
  r.sign_warn_at = 0;
  r.finish_warn_at = 0;
  r.return_until = 0;
  r.sign_late = false;
  r.finish_late = false;
  r.warned = false;
  r.dispatch_count = 0;
}

void ShowToResident(audit::Event& e) {
  auto payload = json::Json::parse(e.payload, nullptr, false);
  json::Json shown = json::Json::object();
  for (const char* key : {"from", "to", "unit_name", "reply", "satisfaction"})
    if (payload.is_object() && payload.contains(key)) shown[key] = payload[key];
  e.payload = shown.dump();
  e.actor.clear();
}

std::string_view PlaceLevelName(PlaceLevel level) {
  switch (level) {
    case PlaceLevel::kGrid:
      return "grid";
    case PlaceLevel::kCommunity:
      return "community";
    case PlaceLevel::kStreet:
      return "street";
    case PlaceLevel::kDistrict:
      return "district";
  }
  return "grid";
}

Result<PlaceLevel> ParsePlaceLevel(std::string_view s) {
  for (auto level :
       {PlaceLevel::kGrid, PlaceLevel::kCommunity, PlaceLevel::kStreet, PlaceLevel::kDistrict})
    if (PlaceLevelName(level) == s) return level;
  return Fail(Error::InvalidArgument(
                  fmt::format("'level' is grid, community, street or district, not '{}'", s))
                  .About("level", "unknown"));
}

}  // namespace xietong::requests
