// The requests module's SQL: requests, their daily number counters,
// summonses, deadline timers, command idempotency keys and the wrong guesses
// at public tracking. Written once for SQLite and PostgreSQL; each function
// runs inside the caller's transaction and decides no rule.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "requests/request.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::requests::store {

using storage::Executor;

std::span<const storage::Migration> Migrations();

// The next number of the day (1, 2, …); days are independent counters.
Result<std::int64_t> NextNumber(Executor& ex, std::string_view day);

// idem_key: "<creator>\x1f<Idempotency-Key>" or "" (unique when not empty).
// Inserts the request and its words in the search index.
Result<void> Insert(Executor& ex, const Request& r, std::string_view idem_key);
// Puts a request's search tokens (search::IndexTokens) in the index.
Result<void> IndexForSearch(Executor& ex, std::string_view id, const std::string& tokens);
// How many requests are not in the search index (cheap: an index lookup).
Result<std::int64_t> CountUnsearchable(Executor& ex);
// Looks at the next `limit` requests by id after `after_id` and indexes
// those stored before the index existed; returns the id to go on after, or
// "" when every request has been looked at.
Result<std::string> IndexUnsearchable(Executor& ex, std::string_view after_id, int limit);
Result<std::optional<Request>> Find(Executor& ex, std::string_view id);
Result<std::optional<Request>> FindByNumber(Executor& ex, std::string_view number);
// By internal id, else by the number residents and staff read (2026120200011).
Result<std::optional<Request>> FindByIdOrNumber(Executor& ex, std::string_view id_or_number);
Result<std::optional<Request>> FindByExternalId(Executor& ex, std::string_view external_id);
Result<std::int64_t> CountExternalIdPrefix(Executor& ex, std::string_view prefix);
Result<std::vector<std::string>> ExternalIds(Executor& ex, std::string_view channel);
// See RequestService::ReceivedTexts.
Result<std::vector<ReceivedText>> ReceivedTexts(Executor& ex, Timestamp from, Timestamp to,
                                                std::string_view under_path, int limit);
// Decision support's counts (see RequestService::DailyCounts and the reads
// beside it); days, slots and weeks at +08:00. Ordered by their keys.
Result<std::vector<DailyCount>> DailyCounts(Executor& ex, Timestamp from, Timestamp to);
Result<std::vector<SlotCount>> HalfHourCounts(Executor& ex, Timestamp from, Timestamp to,
                                              std::string_view channel);
Result<std::vector<OpenItem>> OpenWork(Executor& ex, std::string_view under_path);
Result<std::vector<UnitWeekCount>> RepliedByUnitWeek(Executor& ex, Timestamp from, Timestamp to);
// Dispatched in [from, to), still in the unit's hands and past finish_due.
Result<std::vector<UnitCount>> OpenLateByUnit(Executor& ex, Timestamp from, Timestamp to);
Result<std::optional<Request>> FindByIdempotencyKey(Executor& ex, std::string_view idem_key);
// Writes every mutable field when the stored version is r.version - 1;
// false when someone else changed it first.
Result<bool> Update(Executor& ex, const Request& r);
// Requests merged into parent_id.
Result<std::vector<Request>> Children(Executor& ex, std::string_view parent_id);

// What duplicate finding needs of a request.
struct RecentText {
  std::string id, title, text, street_id;
  Timestamp received_at = 0;
  std::string parent_id;  // merged into; "" when not
};
// Requests received at or after `since`, oldest first, at most limit.
Result<std::vector<RecentText>> ReceivedSince(Executor& ex, Timestamp since, int limit);

// How many requests were received in [from, to) in each place of a level
// (grid, community, street, district), for the map; only requests handled
// under `under_path` when it is not empty. Requests without a place at that
// level are left out. Busiest place first.
Result<std::vector<std::pair<std::string, std::int64_t>>> CountByPlace(Executor& ex,
                                                                       PlaceLevel level,
                                                                       Timestamp from, Timestamp to,
                                                                       std::string_view under_path);

// Who may see what, as SQL: a request matches when any clause does.
struct Scope {
  bool everything = false;
  std::vector<std::string> unit_paths;      // handled in these subtrees
  std::vector<std::string> centre_paths;    // received by a centre in these subtrees
  std::vector<std::string> summoned_paths;  // a department in these subtrees was summoned
  std::string requester_id;                 // filed by this resident
};

struct ListQuery {
  Scope scope;
  std::vector<Status> statuses;  // empty: any
  std::string matter_id;         // a leaf, or a level-1/2 matter's code prefix via matter_ids
  std::vector<std::string> matter_ids;
  std::string unit_id;                    // exactly this handling unit
  std::optional<PlaceLevel> place_level;  // with place_id: located in this place unit
  std::string place_id;
  std::vector<std::string> ids;  // non-empty: only these requests
  Timestamp received_from = 0;   // [from, to) on received_at; 0: open
  Timestamp received_to = 0;
  Timestamp finish_due_before = 0;  // open requests due before this instant
  bool late_only = false;           // sign_late or finish_late
  bool warned_only = false;
  bool extension_pending = false;
  bool return_pending = false;
  std::string search;     // substring of title, text, address or number
  std::string before_id;  // cursor: ids smaller than this (newest first)
  int limit = 50;
  std::int64_t count_limit = 0;  // Count stops past this many (0: counts all)
};
// Newest first. A search through the full-text index on SQLite walks the
// index newest-stored first and stops at `limit` rows that pass the other
// filters; stored order is id order, as ids are made when a row is stored.
Result<std::vector<Request>> List(Executor& ex, const ListQuery& q);
// How many match (the list's total, same filters, no cursor); with
// count_limit, count_limit + 1 means "more than count_limit".
Result<std::int64_t> Count(Executor& ex, const ListQuery& q);

Result<void> InsertSummons(Executor& ex, const Summons& s);
Result<void> UpdateSummons(Executor& ex, const Summons& s);
Result<std::vector<Summons>> SummonsOf(Executor& ex, std::string_view request_id);
Result<std::optional<Summons>> FindSummons(Executor& ex, std::string_view id);

// Deadline timers. kind: "sign_warn", "sign_due", "finish_warn",
// "finish_due", or "summons_due:<summons id>".
struct Timer {
  std::string request_id;
  std::string kind;
  Timestamp due_at = 0;
};
// Replaces the request's timers whose kind starts with prefix ("" = all).
Result<void> ReplaceTimers(Executor& ex, std::string_view request_id, std::string_view prefix,
                           std::span<const Timer> timers);
// Adds the timers of a new request in one statement (those due at 0 are skipped).
Result<void> InsertTimers(Executor& ex, std::span<const Timer> timers);
// Marks up to limit due, unfired timers fired and returns them. On PostgreSQL
// rows another node is claiming are skipped (FOR UPDATE SKIP LOCKED), so each
// timer fires exactly once across nodes.
Result<std::vector<Timer>> ClaimDueTimers(Executor& ex, Timestamp now, int limit);
// The earliest unfired timer, for the runner's sleep.
Result<std::optional<Timestamp>> NextTimerDue(Executor& ex);

// Records that a command with this key was applied to the request; false
// when it already was (the caller answers with the current state).
Result<bool> RecordCommandKey(Executor& ex, std::string_view request_id, std::string_view key,
                              Timestamp at);

// Wrong guesses of the phone digits at public tracking, counted under a key
// (the service names them: a number from one client, a client, a number,
// everything), since `since`. The table's column is still called number.
struct TrackThrottle {
  std::int64_t failures = 0;
  Timestamp since = 0;
};
Result<TrackThrottle> GetTrackThrottle(Executor& ex, std::string_view key);
// Counts one wrong guess made at now under each key; a count that started at
// or before `stale` starts again with this guess. Also deletes up to
// prune_limit rows of other keys whose count started at or before `stale`.
Result<void> AddTrackFailure(Executor& ex, std::span<const std::string> keys, Timestamp now,
                             Timestamp stale, int prune_limit);

}  // namespace xietong::requests::store
