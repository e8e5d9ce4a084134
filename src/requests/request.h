// The request (诉求/工单): its domain types and their validation. Pure: no I/O,
// no clock; the service passes times in.
//
// One record whichever channel it came in by (一号响应). The receiving centre
// owns it to the end (首接负责); the handling unit is whoever it is dispatched
// to (一竿到底). Statuses follow lifecycle.h.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::audit {
struct Event;
}  // namespace xietong::audit

namespace xietong::requests {

enum class Channel { kWeb, kPhone, kOpen311, kApi, kImport };
std::string_view ChannelName(Channel c);
Result<Channel> ParseChannel(std::string_view s);

// received → dispatched → signed → handling → replied → callback → closed;
// merged requests follow their parent.
enum class Status {
  kReceived,
  kDispatched,
  kSigned,
  kHandling,
  kReplied,
  kCallback,
  kClosed,
  kMerged
};
std::string_view StatusName(Status s);
Result<Status> ParseStatus(std::string_view s);
// Not closed and not merged.
bool IsOpen(Status s);
// Every status that is open (IsOpen), in lifecycle order: the one list the
// inbox, supervision and Open311's status=open use.
std::span<const Status> OpenStatuses();

enum class Satisfaction { kSatisfied, kBasicallySatisfied, kDissatisfied };
std::string_view SatisfactionName(Satisfaction s);
Result<Satisfaction> ParseSatisfaction(std::string_view s);

// Where the problem is. Any of the located units may be empty.
struct Place {
  std::string address;
  std::optional<double> lat;  // WGS 84 degrees
  std::optional<double> lon;
  std::string grid_id;
  std::string community_id;
  std::string street_id;
  std::string district_id;
};

// The levels a request's place is recorded at (Place's four ids).
enum class PlaceLevel { kGrid, kCommunity, kStreet, kDistrict };
std::string_view PlaceLevelName(PlaceLevel level);  // "grid", "community", …
Result<PlaceLevel> ParsePlaceLevel(std::string_view s);

struct Request {
  std::string id;
  std::string number;  // human number: yyyymmdd + 5 digits, e.g. 2026112300042
  Channel channel = Channel::kWeb;
  std::string title;
  std::string text;
  std::string matter_id;  // "" until categorised
  std::int64_t matter_version = 0;
  Place place;
  std::string contact_name;
  std::string contact_phone;  // stored once; shown masked
  bool anonymous = false;
  std::string requester_id;  // the resident's account, "" when recorded for a caller
  std::string created_by;    // the account that recorded it
  std::string external_id;   // the client's or the source system's id (Open311 token, import id)
  std::vector<std::string> attachment_ids;

  std::string centre_id;  // the receiving centre (首接负责)
  std::string centre_path;
  Status status = Status::kReceived;
  std::string unit_id;  // the handling unit; "" before dispatch
  std::string unit_path;
  std::string unit_name;

  Timestamp received_at = 0;
  Timestamp dispatched_at = 0;  // 0: not (yet) dispatched
  Timestamp signed_at = 0;
  Timestamp replied_at = 0;
  Timestamp closed_at = 0;
  // Limits of the current dispatch, computed from the matter version it was
  // dispatched under; 0 when there is none.
  Timestamp sign_due = 0;
  Timestamp finish_due = 0;
  Timestamp sign_warn_at = 0;  // 75 % of the time to sign has passed
  Timestamp finish_warn_at = 0;
  Timestamp return_until = 0;  // 退单 may be asked for until then
  bool sign_late = false;      // signed (or still unsigned) after sign_due
  bool finish_late = false;    // replied (or still open) after finish_due
  bool warned = false;         // a 75 % warning has fired for the current dispatch

  std::string parent_id;  // merged into this request
  bool return_requested = false;
  std::string return_reason;
  int extension_days = 0;  // > 0: an extension of this many working days awaits a supervisor
  std::string extension_reason;

  std::string reply;
  std::vector<std::string> reply_attachment_ids;  // photos after handling (处置后照片)
  std::optional<bool> resolved;
  std::optional<Satisfaction> satisfaction;
  std::string feedback;
  int dispatch_count = 0;
  int reopen_count = 0;

  std::int64_t version = 1;
  Timestamp updated_at = 0;
};

// A department summoned by a street (吹哨) and its report (报到).
struct Summons {
  std::string id;
  std::string request_id;
  std::string department_id;
  std::string department_path;
  std::string department_name;
  std::string summoned_by;  // account
  std::string reason;
  Timestamp created_at = 0;
  Timestamp report_due = 0;
  Timestamp reported_at = 0;  // 0: not yet
  std::string report;
  bool late = false;  // reported after report_due, or still unreported past it
};

// Input limits, shared by validation and the API documentation.
inline constexpr int kMaxTitleChars = 100;
inline constexpr int kMaxTextChars = 5000;
inline constexpr int kMaxAddressChars = 200;
inline constexpr int kMaxNameChars = 40;
inline constexpr int kMaxReasonChars = 1000;
inline constexpr int kMaxReplyChars = 5000;
inline constexpr int kMaxAttachments = 9;

// What a channel hands in; validated by ValidateIntake.
struct Intake {
  Channel channel = Channel::kWeb;
  std::string title;
  std::string text;
  std::string matter_id;  // optional: suggested from the text when empty
  Place place;            // address and/or coordinates and/or a unit id
  std::string place_unit_id;
  std::string contact_name;
  std::string contact_phone;
  bool anonymous = false;
  std::vector<std::string> attachment_ids;
  std::string external_id;
  std::string idempotency_key;
  bool dispatch = false;  // dispatch at once along the computed route
  // The id of an open request this call repeats: the new request is recorded
  // and merged into it at once (the operator's 并入 at intake); excludes
  // dispatch.
  std::string merge_into;
};

// Text present and within limits (code points, valid UTF-8 assumed checked
// by the JSON layer), coordinates on Earth, phone well-formed when given, a
// non-anonymous request has a way to reach the person. Error::InvalidArgument
// names the field.
Result<void> ValidateIntake(const Intake& in);

// The human number for the n-th request received on a day (Asia/Shanghai).
std::string FormatNumber(Timestamp received_at, std::int64_t n);
// yyyymmdd (Asia/Shanghai) of an instant: the key of the day's counter.
std::string DayKey(Timestamp t);
// yyyy-mm (Asia/Shanghai): the period rates are counted in.
std::string MonthKey(Timestamp t);
// The instants [first, end) of a month yyyy-mm (Asia/Shanghai), the inverse
// of MonthKey; InvalidArgument naming `field` for anything else.
Result<std::pair<Timestamp, Timestamp>> MonthSpan(std::string_view month,
                                                  std::string_view field = "month");

// What the resident who filed a request may read of it: what they asked,
// where it stands, who handles it, when it is due and the reply. Cleared:
// staff notes (the reasons of a 退单 or 延期 request and whether one is
// pending), who recorded it, and the internal clock (sign-by time, warnings,
// lateness flags, the return window, dispatch count). Every answer that goes
// to a resident account passes through here (RequestService decides, not
// the handlers).
void ShowToResident(Request& r);
// The same for one event of the request's timeline: what happened and who
// handles it (from, to, unit_name, reply, satisfaction); not notes, staff
// accounts or numbers.
void ShowToResident(audit::Event& e);

// A request as the hotspot finder reads it (RequestService::ReceivedTexts).
struct ReceivedText {
  std::string id;
  std::string title;
  std::string text;
  std::string street_id;  // "" when it could not be located
  Timestamp received_at = 0;
  std::int64_t merged = 0;  // requests merged into this one (residents who said the same)
};

// Counts for decision support (insight: forecasts, staffing, capacity, 考核),
// see RequestService::DailyCounts and the reads beside it. Days, half-hours
// and weeks are counted in Asia/Shanghai (+08:00) from 1970-01-01.

// Requests received on one day with one combination of category, place,
// handling unit, channel and whether merged into another.
struct DailyCount {
  std::int32_t day = 0;  // days since 1970-01-01 (+08:00)
  std::string matter_id = {};
  std::string district_id = {};
  std::string street_id = {};
  std::string unit_id = {};  // "" before dispatch
  Channel channel = Channel::kWeb;
  bool merged = false;  // merged into another request (a repeated call)
  std::int64_t n = 0;
};

// Requests received in one half-hour slot.
struct SlotCount {
  std::int64_t slot = 0;  // half-hours since 1970-01-01 00:00 +08:00
  std::int64_t n = 0;
};

// An open request in a unit's hands (capacity: its deadline).
struct OpenItem {
  std::string unit_id = {};
  std::string matter_id = {};
  Timestamp dispatched_at = 0;
  Timestamp finish_due = 0;  // 0: no limit
  bool late = false;         // already past finish_due
};

// Requests replied by a unit in one week.
struct UnitWeekCount {
  std::string unit_id = {};
  std::int32_t week = 0;  // weeks since Monday 1970-01-05 (+08:00); week 0 starts then
  std::int64_t n = 0;
};

struct UnitCount {
  std::string unit_id = {};
  std::int64_t n = 0;
};

}  // namespace xietong::requests
