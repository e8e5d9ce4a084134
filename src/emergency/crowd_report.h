// Crowd reports (救命文档, done properly): anyone, signed in or not, reports a
// situation or a need for an incident; a verifier marks each one verified,
// duplicate or false (Ushahidi's approval step). Pure: no I/O.
//
//   a report:     text, kind situation | need (need_type 救援 rescue / 物资
//                 supplies / 医疗 medical / 转移 evacuation, count, priority),
//                 place (lat/lng and/or address text; at least one), photos
//                 (file ids, signed-in reporters only), contact (name, phone:
//                 personal data, never public), channel web | phone | open311.
//   states:       unverified ──verify──▶ verified | duplicate (of an earlier
//                 report of the same incident) | false. A verdict is final:
//                 the same verdict again answers the report unchanged, a
//                 different one is Conflict.
//   the queue:    unverified reports in queue_rank order (fresh before
//                 duplicate candidates, then by priority), oldest first, so a
//                 flood of the same text sinks below the first of it.
//   public view:  verified reports only: text with phone numbers masked,
//                 kind, need type and count, place rounded to ~100 m, time —
//                 never the address, contact, reporter or photos.
// Thread-safe: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"

namespace xietong::emergency {

inline constexpr std::size_t kMaxReportBodyBytes = 16 * 1024;  // the JSON body as sent
inline constexpr std::size_t kMaxReportTextChars = 2000;
inline constexpr std::size_t kMaxReportAddressChars = 200;
inline constexpr std::size_t kMaxContactNameChars = 50;
inline constexpr std::size_t kMaxContactPhoneChars = 32;
inline constexpr std::size_t kMaxReportPhotos = 6;
inline constexpr std::size_t kMaxVerdictNoteChars = 500;
inline constexpr std::size_t kMaxIdempotencyKeyChars = 100;
inline constexpr std::int64_t kMaxNeedCount = 1'000'000;  // people or items

enum class ReportKind { kSituation, kNeed };
enum class NeedType { kNone, kRescue, kSupplies, kMedical, kEvacuation };
enum class ReportPriority { kLow, kNormal, kHigh, kCritical };
enum class ReportChannel { kWeb, kPhone, kOpen311 };
enum class ReportState { kUnverified, kVerified, kDuplicate, kFalse };

std::string_view ReportKindName(ReportKind k);
Result<ReportKind> ParseReportKind(std::string_view s);
// "rescue" | "supplies" | "medical" | "evacuation", or the Chinese 救援 物资 医疗 转移.
std::string_view NeedTypeName(NeedType t);
std::string_view NeedTypeNameZh(NeedType t);
Result<NeedType> ParseNeedType(std::string_view s);
std::string_view ReportPriorityName(ReportPriority p);
Result<ReportPriority> ParseReportPriority(std::string_view s);
std::string_view ReportChannelName(ReportChannel c);
Result<ReportChannel> ParseReportChannel(std::string_view s);
std::string_view ReportStateName(ReportState s);
Result<ReportState> ParseReportState(std::string_view s);

struct ReportPlace {
  std::optional<double> lat = {}, lng = {};  // WGS-84, both or neither
  std::string address = {};
};

struct NewCrowdReport {
  std::string text = {};
  ReportKind kind = ReportKind::kSituation;
  NeedType need_type = NeedType::kNone;  // needs only
  std::int64_t count = 0;                // needs only: people or items, 0 = unknown
  ReportPriority priority = ReportPriority::kNormal;
  ReportPlace place = {};
  std::vector<std::string> photo_ids = {};
  std::string contact_name = {}, contact_phone = {};
  ReportChannel channel = ReportChannel::kWeb;
};

// The body of POST /incidents/{id}/reports (all fields typed; unknown fields
// ignored), validated: InvalidArgument naming the first wrong field.
//   {"text", "kind": "situation"|"need", "need_type", "count", "priority",
//    "place": {"lat","lng","address"}, "photo_ids": [..],
//    "contact": {"name","phone"}, "channel": "web"|"phone"|"open311"}
Result<NewCrowdReport> ReportFromJson(const json::Json& body);
// The rules ReportFromJson applies, for reports built in code.
Result<void> ValidateReport(const NewCrowdReport& r);

// Open311 (GeoReport v2): each active incident is a service with this code.
std::string Open311ServiceCode(std::string_view incident_id);
// The incident a service_code names ("incident-<id>"); nullopt for any other code.
std::optional<std::string> IncidentOfServiceCode(std::string_view service_code);

// A POST /open311/v2/requests for an incident's service, its fields as sent
// (empty = not sent; lat/long already parsed by the caller).
struct Open311Report {
  std::string description = {};
  std::optional<double> lat = {}, lng = {};
  std::string address = {};
  std::string contact_name = {}, contact_phone = {};
  std::string media_url = {};
  // attribute[<code>] → value: kind, need_type, count, priority.
  std::vector<std::pair<std::string, std::string>> attributes = {};
};
// The crowd report it becomes (channel open311), validated as ValidateReport
// does: InvalidArgument naming the first wrong field or attribute. A need
// without kind says so by its need_type; media_url is refused (photos come
// with an account through the web page); unknown attributes are refused.
Result<NewCrowdReport> ReportFromOpen311(const Open311Report& in);

struct CrowdReport {
  std::string id, incident_id;
  std::string text;
  ReportKind kind = ReportKind::kSituation;
  NeedType need_type = NeedType::kNone;
  std::int64_t count = 0;
  ReportPriority priority = ReportPriority::kNormal;
  ReportPlace place;
  std::vector<std::string> photo_ids;
  std::string contact_name, contact_phone;
  ReportChannel channel = ReportChannel::kWeb;
  std::string reporter_id;  // "" = not signed in
  Timestamp received_at = 0;
  ReportState state = ReportState::kUnverified;
  // At intake: an earlier report of the incident saying nearly the same
  // (a candidate for the verifier); after a duplicate verdict: the original.
  std::string duplicate_of;
  double duplicate_score = 0;
  std::int64_t queue_rank = 0;  // see QueueRank
  std::string verified_by, verdict_note;
  Timestamp verified_at = 0;
  std::string need_id;  // the need a verified need report became
};

// Where an unverified report stands in the verifiers' queue (lower first):
// a fresh report before a duplicate candidate, then critical → low.
std::int64_t QueueRank(bool duplicate_candidate, ReportPriority p);

// A digest of what a report says, to tell an Idempotency-Key's honest retry
// (the same report) from a different report sent with the same key.
std::string ReportFingerprint(std::string_view incident_id, const NewCrowdReport& r);

struct Verdict {
  ReportState state = ReportState::kVerified;  // verified | duplicate | false
  std::string duplicate_of = {};               // duplicate: the original (default: the candidate)
  std::string note = {};
};
Result<Verdict> VerdictFromJson(const json::Json& body);

// What a verdict changes. `original`: the report named as the original of a
// duplicate verdict (loaded by the caller; nullopt when there is none).
struct VerdictDecision {
  bool unchanged = false;  // the same verdict was given before: nothing to store
  ReportState state = ReportState::kVerified;
  std::string duplicate_of;  // "" unless duplicate
  bool creates_need = false;
};
// InvalidArgument for a duplicate without an original (or of itself, or of
// another incident's report, or of a report itself marked false); Conflict
// when the report already has a different verdict.
Result<VerdictDecision> DecideVerdict(const CrowdReport& r, const Verdict& v,
                                      const std::optional<CrowdReport>& original);

// A coordinate rounded to 3 decimals (~110 m of latitude).
double RoundCoordinate(double degrees);
// Text for everyone: numbers of 7 or more digits (phone numbers, ID numbers)
// masked but for their last 2 — also when written in groups with dashes or
// spaces (138-1234-5678, 138 1234 5678, 0571-8765-4321: every group after
// the first has 3 or more digits, so dates like 2021-07-20 stay).
std::string PublicText(std::string_view text);

// A verified report as the public may see it.
struct PublicReport {
  std::string id, text;
  ReportKind kind = ReportKind::kSituation;
  NeedType need_type = NeedType::kNone;
  std::int64_t count = 0;
  std::optional<double> lat, lng;  // rounded
  Timestamp received_at = 0, verified_at = 0;
};
PublicReport PublicOf(const CrowdReport& r);

}  // namespace xietong::emergency
