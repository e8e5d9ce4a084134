// An application for a one-thing service and the rules of its life: each
// department's part goes waiting → in_review (the process reached its user
// task; the part's clock starts) → approved or rejected, with 补正 rounds
// (correction: the clock stops until the applicant sends what was asked)
// between; a part the process never needed ends skipped. The application is
// submitted → in_progress (its process started) ⇄ correction → completed
// (the process ended), and is rated once after that. Pure: the calendar and
// the time come in as arguments; no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "services/bundle.h"

namespace xietong::services {

enum class PartStatus { kWaiting, kInReview, kCorrection, kApproved, kRejected, kSkipped };
std::string_view PartStatusName(PartStatus s);
bool IsDecided(PartStatus s);

enum class AppStatus { kSubmitted, kInProgress, kCorrection, kCompleted };
std::string_view AppStatusName(AppStatus s);
std::optional<AppStatus> ParseAppStatus(std::string_view s);

struct Correction {
  std::string reason;
  std::vector<std::string> items;  // field and material keys to send again
  Timestamp asked_at = 0;
};

struct AppPart {
  std::string key;
  std::string unit_code;
  PartStatus status = PartStatus::kWaiting;
  std::string task_id;  // the open user task, while in review or correction
  Timestamp opened_at = 0, due_at = 0, decided_at = 0;
  std::string decided_by;  // display name
  std::string reason;      // of a rejection
  std::string comment;     // of an approval
  std::optional<Correction> correction;
  Timestamp remaining_us = 0;  // working time left when the clock stopped
  Timestamp paused_us = 0;     // working time spent in correction rounds
  int corrections = 0;
  std::string certificate_code;
};

struct TimelineEntry {
  Timestamp at = 0;
  std::string kind;  // submitted, started, opened, approved, rejected, correction, corrected,
                     // certificate, completed, rated
  std::string part;
  std::string actor_name;
  std::string detail;
};

struct Rating {
  int score = 0;  // 1 非常不满意 … 5 非常满意
  std::vector<std::string> reasons;
  std::string comment;
  Timestamp rated_at = 0;
};
inline constexpr std::string_view kGoodReasons[] = {"fast", "once", "clear", "friendly"};
inline constexpr std::string_view kBadReasons[] = {"slow", "repeated", "unclear", "attitude"};

struct MaterialFile {
  std::string id;
  std::string content_type;
  std::int64_t size = 0;
};

struct Application {
  std::string id;
  std::string number;  // YJS + yyyymmdd + 5 digits
  std::string bundle_id;
  std::string service_code;
  std::string applicant_id;
  std::string applicant_name;
  AppStatus status = AppStatus::kSubmitted;
  std::string instance_id;
  Timestamp submitted_at = 0, promised_at = 0, finished_at = 0;
  Timestamp paused_since = 0;  // while any part waits for a correction
  json::Json form = json::Json::object();
  std::map<std::string, std::vector<MaterialFile>> materials;
  std::vector<AppPart> parts;
  std::vector<TimelineEntry> timeline;
  std::optional<Rating> rating;
  std::int64_t version = 0;

  AppPart* Part(std::string_view key);
  const AppPart* Part(std::string_view key) const;
  // approved (every part the process needed), partly_approved, rejected
  // (none approved), or "" until completed.
  std::string Outcome() const;
};

// The materials as {key: [{id, content_type, size}]} (stored and answered alike).
json::Json MaterialsJson(const Application& a);
// The stored document: everything but the indexed columns.
json::Json EncodeDoc(const Application& a);
Result<void> DecodeDoc(const json::Json& doc, Application& a);

// A new application's parts, all waiting, and its promised date.
Application NewApplication(const Bundle& b, const WorkCalendar& calendar, Timestamp now);

// A user task of the application's process that is open now.
struct OpenTask {
  std::string id;
  std::string element_id;
};

// Brings the parts in line with the process: a part whose task opened is in
// review (its due date counted in working days from now); when the process
// has ended, parts it never reached are skipped and the application is
// completed. Answers whether anything changed (a no-op writes nothing).
bool Sync(Application& a, const Bundle& b, std::string_view process_status,
          const std::vector<OpenTask>& tasks, const WorkCalendar& calendar, Timestamp now);

// Department decisions on a part in review; actor_name goes on the timeline.
Result<void> Approve(Application& a, std::string_view part, std::string_view actor_name,
                     std::string comment, Timestamp now);
Result<void> Reject(Application& a, std::string_view part, std::string_view actor_name,
                    std::string reason, Timestamp now);
// 补正: stops the part's clock (and the application's) until Corrected.
Result<void> AskCorrection(Application& a, const Bundle& b, std::string_view part,
                           std::string_view actor_name, std::string reason,
                           std::vector<std::string> items, const WorkCalendar& calendar,
                           Timestamp now);
// The keys the applicant may send now: every item of every part in correction.
std::vector<std::string> AskedItems(const Application& a);
// The applicant sent the corrections: every part in correction goes back to
// review with its clock running from where it stopped.
Result<void> Corrected(Application& a, const WorkCalendar& calendar, Timestamp now);
Result<void> Rate(Application& a, int score, std::vector<std::string> reasons, std::string comment,
                  Timestamp now);

}  // namespace xietong::services
