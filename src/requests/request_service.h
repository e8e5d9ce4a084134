// RequestService: the commands and queries of 接诉即办.
//
// Every command authorizes the principal (lifecycle.h names whose authority
// it needs), loads the request, asks the state machine, and stores the new
// state, the three-rate rollup, the deadline timers and the audit event in
// one transaction. Deadline timers are claimed in the database, so with
// several nodes on one PostgreSQL each fires exactly once. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "audit/audit_log.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/id.h"
#include "files/file.h"
#include "identity/authorization.h"
#include "identity/identity_service.h"
#include "matters/matter_service.h"
#include "requests/decide.h"
#include "requests/directory.h"
#include "requests/duplicates.h"
#include "requests/lifecycle.h"
#include "requests/rates.h"
#include "requests/request.h"
#include "requests/routing.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "text/classifier.h"
#include "text/reply_quality.h"

namespace xietong::requests {

// The requests module's tables: requests, their timers and summonses, and the rate rollup; needs
// matters, files, identity and audit.
const storage::Schema& Schema();

struct RequestOptions {
  double warn_fraction = 0.75;  // a warning when this share of a limit has passed
  // Route at intake without an operator when the suggested category is at
  // least this confident (and the channel is not the operator's own).
  double auto_route_confidence = 0.6;
  matters::Limit summons_report_limit{8, matters::LimitUnit::kWorkingHours};
  int max_extension_days = 30;
  rates::Weights weights;
};

struct CategorySuggestion {
  matters::Matter matter;
  double confidence = 0;
};

// Where a request would go and by when, before anything is stored.
struct RoutePreview {
  std::vector<CategorySuggestion> suggestions;  // from the text, best first
  std::string suggested_by;   // "classifier" (the city's trained model), "keywords" or ""
  std::string model_version;  // the classifier's version ("v7", "file") when it suggested; else ""
  std::optional<matters::Matter> matter;  // the chosen or best-suggested leaf
  Place place;                            // located
  std::optional<Route> route;
  std::string problem;  // why there is no route, in words for the operator
  Timestamp sign_due = 0;
  Timestamp finish_due = 0;
  Timestamp return_until = 0;
};

// A request already taken in that may be the same problem (see duplicates.h).
struct LikelyDuplicate {
  Request request;
  double score = 0;        // 0..1
  bool mergeable = false;  // still open: a repeated call may be merged into it
};

struct SubmitResult {
  Request request;
  bool created = true;  // false: an Idempotency-Key retry returned the first answer
  std::vector<CategorySuggestion> suggestions;
};

// The arguments of a command; each command reads the fields it needs.

struct SupervisionQueues {
  std::vector<Request> overdue, warned, extensions, returns;
};

struct ListFilter {
  std::vector<Status> statuses;
  std::string matter_id;  // a leaf, or a level-1/2 matter: its whole subtree
  std::string unit_id;
  std::string place_id;          // a grid, community, street or district: requests located in it
  std::vector<std::string> ids;  // only these requests (a hotspot's), at most kMaxListIds
  Timestamp received_from = 0;
  Timestamp received_to = 0;
  Timestamp due_before = 0;
  bool late_only = false;
  bool warned_only = false;
  bool extension_pending = false;
  bool return_pending = false;
  std::string search;
  std::string cursor;
  int limit = 50;
};

inline constexpr std::size_t kMaxListIds = 500;

struct RequestPage {
  std::vector<Request> items;
  // Ids of the items in the caller's work only because one of their
  // departments was summoned (吹哨报到), not as the handling unit or centre.
  std::set<std::string> summoned_ids;
  std::optional<std::string> next_cursor;
  std::int64_t total = 0;
  // A search's total is counted up to kSearchCountLimit: true when more match.
  bool total_capped = false;
};
inline constexpr std::int64_t kSearchCountLimit = 1000;

struct Detail {
  Request request;
  std::vector<Summons> summonses;
  std::vector<Request> merged;   // requests merged into this one
  std::vector<Command> allowed;  // commands this principal may give now
  bool contact_revealed = false;
  // The reply scored against the request (text/reply_quality.h), for those who
  // supervise its centre (supervisors, leaders, administrators) once replied.
  std::optional<text::ReplyQuality> reply_quality;
};

// What a resident sees when tracking by number and phone.
struct Tracking {
  Request request;
  std::vector<audit::Event> timeline;  // status changes only, no personal data
};

// The monthly ranking (三率排名) of streets/townships or departments.
struct RankingRequest {
  std::string from_month;  // yyyy-mm, inclusive
  std::string to_month;
  std::string kind;     // "street" (streets and townships), "department", or "" for both
  std::string unit_id;  // only units in this unit's subtree; "" = the whole city
  std::optional<rates::Weights> weights;  // default: the service's options
};

// The monthly trend of the three rates for a unit's subtree.
struct TrendRequest {
  std::string from_month;  // yyyy-mm, inclusive
  std::string to_month;
  std::string unit_id;  // "" = the whole city
};

struct RankedUnit {
  rates::UnitRates rates;
  std::string unit_name;
  identity::UnitKind kind = identity::UnitKind::kStreet;
};

// The Chinese name of a unit kind as rankings print it (街道, 乡镇, 部门, …).
std::string_view UnitKindZh(identity::UnitKind kind);

class RequestService {
 public:
  RequestService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                 const WorkCalendar& calendar, identity::IdentityService& identity,
                 matters::MatterService& matters, RequestOptions options = {});

  Result<RoutePreview> Preview(const identity::Principal& actor, const Intake& in);
  // Requests of the last weeks on the same street that say nearly the same,
  // best first: for the centre's staff (who may merge); empty for others.
  Result<std::vector<LikelyDuplicate>> Duplicates(const identity::Principal& actor,
                                                  const Intake& in, const Place& located,
                                                  std::size_t limit = 5);
  // The classifier that suggests categories at intake (labels are leaf matter
  // codes, see `xietong train --from-history`); null: the matters' keywords.
  // version names it on every suggestion it makes and on request.received
  // ("v7" for a stored model, "file" for a model file, "" with null), so that
  // the routing model's accuracy is measured per version. Thread-safe.
  void SetClassifier(std::shared_ptr<const text::Classifier> classifier, std::string version);
  // Words that other modules watch for at intake (early warning's 燃气味,
  // 积水 …), found in the title and text and recorded as `keywords` on the
  // request.received event, so that a reaction sees them without reading
  // the row and without the resident's words being copied into the chain.
  // Set once at wiring, before serving; unset: no keywords.
  using KeywordFinder =
      std::function<std::vector<std::string>(std::string_view title, std::string_view text)>;
  void SetKeywordFinder(KeywordFinder finder) { keyword_finder_ = std::move(finder); }
  // The same for named places (…小区, …路: early warning's place clusters),
  // recorded as `places`.
  void SetPlaceFinder(KeywordFinder finder) { place_finder_ = std::move(finder); }
  Result<SubmitResult> Submit(const identity::Principal& actor, Intake in);
  // Rows of history from another system (the importer): stored closed or
  // open as given — with the channel each row gives (the us311 importer sets
  // kImport; the demo's past has phone, web and API) — numbered, counted in
  // the rates, audited in one batch.
  Result<int> ImportHistory(const identity::Principal& actor, std::vector<Request> rows);

  Result<Request> Apply(const identity::Principal& actor, std::string_view id,
                        const CommandInput& in);
  // A reply that comes from a task force the request was handed to (collab,
  // through app/collab_requests.cc, which has checked that actor leads that
  // active force and that the request is linked to it). Here the request's
  // own rules apply as to any reply (it must be in hand at a unit; text and
  // photos checked; Conflict otherwise); actor need not be staff of the
  // handling unit, and the event names the force beside the actor.
  struct OnBehalf {
    std::string kind;  // "taskforce"
    std::string id, name;
  };
  Result<Request> ReplyOnBehalf(const identity::Principal& actor, std::string_view id,
                                const CommandInput& in, const OnBehalf& of);
  // A photo attached to a request, for whoever may read the request.
  Result<files::File> Attachment(const identity::Principal& actor, std::string_view id_or_number,
                                 std::string_view file_id);
  Result<Detail> Get(const identity::Principal& actor, std::string_view id_or_number,
                     bool reveal_contact = false);
  Result<RequestPage> List(const identity::Principal& actor, const ListFilter& filter);
  // The whole filtered list for 工单导出 (export.h): the same filters and
  // scope as List, newest first, up to max_rows; `truncated` when more match.
  struct ExportList {
    std::vector<Request> items;
    bool truncated = false;
  };
  Result<ExportList> ListForExport(const identity::Principal& actor, ListFilter filter,
                                   int max_rows);
  // The supervision queues (督办) of what the actor may read: open requests
  // overdue, warned at 75 %, with an extension or a return asked for; at most
  // `limit` each, newest first.
  Result<SupervisionQueues> Supervision(const identity::Principal& actor, int limit = 100);
  Result<std::vector<audit::Event>> Timeline(const identity::Principal& actor, std::string_view id);
  // Public: the number and the last four digits of the contact phone.
  // `client` is the caller's address ("" for local tools): wrong guesses are
  // limited per number and client, per client, per number and overall.
  Result<Tracking> Track(std::string_view number, std::string_view phone_last4,
                         std::string_view client = "");
  // Who may read request id as it is now (the resident who filed it, staff
  // of its unit or centre, summoned departments): the request is loaded once
  // and the test is cheap to call per principal (live push). nullopt: no
  // such request. The test refers to this service, which must outlive it.
  using ReaderCheck = std::function<bool(const identity::Principal&)>;
  Result<std::optional<ReaderCheck>> ReaderTest(std::string_view id);

  // Needs stats.read on the unit (the city for unit_id ""); units are named
  // from the org tree.
  Result<std::vector<RankedUnit>> Ranking(const identity::Principal& actor,
                                          const RankingRequest& in);
  // The path of unit_id ("" = the city) when the actor may read its figures
  // (rankings, trends, maps, hotspots): leaders, supervisors and
  // administrators of the unit or above it. InvalidArgument for an unknown unit.
  Result<std::string> FiguresPath(const identity::Principal& actor, std::string_view unit_id);
  // The three rates of every unit under unit_id ("" = the city) together,
  // month by month; the same permission as Ranking.
  Result<std::vector<std::pair<std::string, rates::UnitRates>>> Trend(
      const identity::Principal& actor, const TrendRequest& in);
  // Requests received per place of a level (grid, community, street,
  // district) in [from, to) under unit_id ("" = the city), for the map; the
  // same permission as Ranking.
  Result<std::vector<std::pair<std::string, std::int64_t>>> PlaceCounts(
      const identity::Principal& actor, PlaceLevel level, Timestamp from, Timestamp to,
      std::string_view unit_id);

  // Fires every due timer (warnings, overdue flags, late reports); returns
  // how many fired. Called by the timer runner on every node.
  Result<int> FireDueTimers(int limit = 500);
  Result<std::optional<Timestamp>> NextTimerDue();

  Result<std::shared_ptr<const Directory>> directory();
  // Puts every request stored before the search index existed into it, in
  // batches of 1,000 per transaction; returns how many. Platform::Open runs it.
  Result<int> IndexUnsearchable();
  const RequestOptions& options() const { return options_; }

  // --- Reads for tools and other modules, on behalf of the system (the
  // caller has authorized its own user, e.g. with FiguresPath). ---
  // Requests received in [from, to) that were not merged into another (those
  // count as support of the one they joined), handled under `under_path` when
  // it is not empty; the newest first, at most `limit` (hotspots).
  Result<std::vector<ReceivedText>> ReceivedTexts(Timestamp from, Timestamp to,
                                                  std::string_view under_path, int limit);
  // Decision support (insight) counts; days, half-hours and weeks at +08:00
  // (request.h). Requests received in [from, to) per day, category, place,
  // handling unit, channel and merged or not (forecast series).
  Result<std::vector<DailyCount>> DailyCounts(Timestamp from, Timestamp to);
  // Requests received by one channel in [from, to) per half-hour, merged ones
  // included (a repeated call is a call); slots without any are left out.
  Result<std::vector<SlotCount>> HalfHourCounts(Timestamp from, Timestamp to, Channel channel);
  // Every request in a unit's hands (dispatched, signed, handling) under
  // `under_path` ("" = the city), earliest finish_due first (capacity).
  Result<std::vector<OpenItem>> OpenWork(std::string_view under_path);
  // Requests replied in [from, to) per handling unit and week, merged ones
  // left out (they follow their parent): units' throughput.
  Result<std::vector<UnitWeekCount>> RepliedByUnitWeek(Timestamp from, Timestamp to);
  // Per unit, requests dispatched in month (yyyy-mm) that are still in its
  // hands and past their finish limit (超期未办结: the overdue share's open
  // part). InvalidArgument for a bad month.
  Result<std::vector<UnitCount>> OpenLateByUnit(std::string_view month);
  // The external ids stored from one channel (the importer skips those).
  Result<std::unordered_set<std::string>> ExternalIds(Channel channel);
  // How many requests have an external id starting with prefix ("demo:").
  Result<std::int64_t> CountExternalIdPrefix(std::string_view prefix);
  // The request stored with this external id, if any.
  Result<std::optional<Request>> FindByExternalId(std::string_view external_id);

 private:
  // Whether the actor holds `action` on the unit at path ("" never matches).
  static bool IsStaffOf(const identity::Principal& actor, identity::Action action,
                        const std::string& path) {
    return !path.empty() && identity::Can(actor, action, path);
  }
  Result<void> Authorize(const identity::Principal& actor, const Request& r, Command c,
                         const std::vector<Summons>& summonses) const;
  bool MayRead(const identity::Principal& actor, const Request& r,
               const std::vector<Summons>& summonses) const;
  // MayRead for staff reasons, not only as the resident who filed it.
  bool StaffMayRead(const identity::Principal& actor, const Request& r,
                    const std::vector<Summons>& summonses) const;
  RoutePreview SuggestFor(const matters::Catalog& catalog, const Intake& in);
  Result<matters::Matter> MatterOf(const Request& r);
  // The score of a replied request's reply; nullopt without OpenCC's data or
  // for a text it cannot score (help for supervisors, never a reason to fail).
  std::optional<text::ReplyQuality> ScoreReply(const Request& r);
  // report: the caller's pending summons the command is about (by
  // 'summons_id' when given); null when the caller's department has none.
  const Summons* ReportingSummons(const identity::Principal& actor,
                                  std::span<const Summons> summonses, const CommandInput& in) const;
  // Stores what lifecycle::Decide decided, in the caller's transaction: the
  // summonses, the timers, the request (version + 1) with its rate rollup
  // and audit event, and the requests merged into it that follow it.
  Result<Request> ApplyAs(const identity::Principal& actor, std::string_view id,
                          const CommandInput& in, const OnBehalf* of);
  Result<Request> Commit(storage::Executor& ex, const Request& before,
                         std::span<const Summons> summonses, lifecycle::Transition step,
                         std::string_view actor, Timestamp now);
  Result<int> FireTimer(storage::Executor& ex, std::string_view request_id, std::string_view kind,
                        Timestamp now);
  Result<void> Store(storage::Executor& ex, const Request& before, Request& after,
                     std::string_view actor, std::string_view action, json::Json payload,
                     Timestamp now);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  const WorkCalendar& calendar_;
  identity::IdentityService& identity_;
  matters::MatterService& matters_;
  const RequestOptions options_;
  const lifecycle::Rules rules_;  // from options_

  // Wrong guesses of the phone digits per request number (public tracking),
  // counted in the database (track_throttle) so that every node and every
  // restart shares one budget: kTrackFailures within kTrackLockout of the
  // first, then nothing until kTrackLockout has passed. Each wrong guess also
  // deletes up to kTrackPrune counts older than the window, so the table holds
  // about the numbers guessed wrong in the last kTrackLockout, however many
  // random numbers are probed.
  static constexpr int kTrackFailures = 5;         // one number from one client
  static constexpr int kTrackClientFailures = 20;  // one client, any numbers
  // One number from anywhere: a stranger with many addresses gets 10 guesses
  // of 10,000 per window (the owner is locked out only by such an attack).
  static constexpr int kTrackNumberFailures = 10;
  static constexpr int kTrackOverallFailures = 5000;
  static constexpr Timestamp kTrackLockout = 15 * kMicrosPerMinute;
  static constexpr int kTrackPrune = 100;

  RecentRequests recent_;

  std::mutex reply_scorer_mutex_;
  std::shared_ptr<const text::ReplyScorer> reply_scorer_;  // GUARDED_BY(reply_scorer_mutex_)
  bool reply_scorer_unavailable_ = false;                  // GUARDED_BY(reply_scorer_mutex_)

  std::mutex classifier_mutex_;
  std::shared_ptr<const text::Classifier> classifier_;  // GUARDED_BY(classifier_mutex_)
  std::string classifier_version_;                      // GUARDED_BY(classifier_mutex_)
  KeywordFinder keyword_finder_;                        // set before serving, then read-only
  KeywordFinder place_finder_;                          // the same

  std::mutex directory_mutex_;
  std::shared_ptr<const Directory> directory_;  // GUARDED_BY(directory_mutex_)
  std::uint64_t directory_generation_ = 0;      // GUARDED_BY(directory_mutex_)
};

}  // namespace xietong::requests
