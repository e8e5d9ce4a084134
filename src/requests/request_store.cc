#include "requests/request_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/json.h"
#include "requests/search.h"

namespace xietong::requests::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"requests", 1, "requests, numbers, summonses, timers, command keys", R"sql(
CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  matter_id TEXT NOT NULL,
  matter_version BIGINT NOT NULL,
  address TEXT NOT NULL,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  grid_id TEXT NOT NULL,
  community_id TEXT NOT NULL,
  street_id TEXT NOT NULL,
  district_id TEXT NOT NULL,
  contact_name TEXT NOT NULL,
  contact_phone TEXT NOT NULL,
  anonymous BIGINT NOT NULL,
  requester_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  external_id TEXT NOT NULL,
  attachments TEXT NOT NULL,
  centre_id TEXT NOT NULL,
  centre_path TEXT NOT NULL,
  status TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  unit_path TEXT NOT NULL,
  unit_name TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  dispatched_at BIGINT NOT NULL,
  signed_at BIGINT NOT NULL,
  replied_at BIGINT NOT NULL,
  closed_at BIGINT NOT NULL,
  sign_due BIGINT NOT NULL,
  finish_due BIGINT NOT NULL,
  sign_warn_at BIGINT NOT NULL,
  finish_warn_at BIGINT NOT NULL,
  return_until BIGINT NOT NULL,
  sign_late BIGINT NOT NULL,
  finish_late BIGINT NOT NULL,
  warned BIGINT NOT NULL,
  parent_id TEXT NOT NULL,
  return_requested BIGINT NOT NULL,
  return_reason TEXT NOT NULL,
  extension_days BIGINT NOT NULL,
  extension_reason TEXT NOT NULL,
  reply TEXT NOT NULL,
  resolved BIGINT,
  satisfaction TEXT,
  feedback TEXT NOT NULL,
  dispatch_count BIGINT NOT NULL,
  reopen_count BIGINT NOT NULL,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  idem_key TEXT NOT NULL
);
CREATE UNIQUE INDEX requests_idem ON requests (idem_key) WHERE idem_key <> '';
CREATE INDEX requests_unit ON requests (unit_path, id);
CREATE INDEX requests_centre ON requests (centre_path, id);
CREATE INDEX requests_requester ON requests (requester_id, id);
CREATE INDEX requests_parent ON requests (parent_id) WHERE parent_id <> '';
CREATE TABLE request_numbers (
  day TEXT PRIMARY KEY,
  last BIGINT NOT NULL
);
CREATE TABLE request_summons (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  department_id TEXT NOT NULL,
  department_path TEXT NOT NULL,
  department_name TEXT NOT NULL,
  summoned_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  report_due BIGINT NOT NULL,
  reported_at BIGINT NOT NULL,
  report TEXT NOT NULL,
  late BIGINT NOT NULL
);
CREATE INDEX request_summons_request ON request_summons (request_id);
CREATE INDEX request_summons_department ON request_summons (department_path, request_id);
CREATE TABLE request_timers (
  request_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  fired_at BIGINT NOT NULL,
  PRIMARY KEY (request_id, kind)
);
CREATE INDEX request_timers_due ON request_timers (fired_at, due_at);
CREATE TABLE request_command_keys (
  request_id TEXT NOT NULL,
  key TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (request_id, key)
)
)sql"},
    {"requests", 2, "index of requests by time received (duplicate finding)",
     "CREATE INDEX requests_received ON requests (received_at, id)"},
    {"requests", 3, "wrong guesses at public tracking, shared by every node",
     "CREATE TABLE track_throttle ("
     " number TEXT PRIMARY KEY, failures BIGINT NOT NULL, since BIGINT NOT NULL);"
     "CREATE INDEX track_throttle_since ON track_throttle (since)"},
    // The search index (requests/search.h): bigram tokens of title, text and
    // address. SQLite: a contentless FTS5 table keyed by the requests rowid
    // (a request's words never change after intake); PostgreSQL: a tsvector
    // column with a GIN index. Rows stored before are indexed by
    // IndexUnsearchable at start.
    {"requests", 4, "full-text search index of title, text and address",
     "CREATE VIRTUAL TABLE request_search USING fts5(grams, content='',"
     " tokenize='unicode61 remove_diacritics 0')",
     "ALTER TABLE requests ADD COLUMN search tsvector;"
     "CREATE INDEX requests_search ON requests USING GIN (search);"
     "CREATE INDEX requests_unsearchable ON requests (id) WHERE search IS NULL"},
    // Photos the handling unit attaches to its reply (处置后照片), a JSON array
    // of file ids like attachments.
    {"requests", 5, "photos attached to the reply",
     "ALTER TABLE requests ADD COLUMN reply_attachments TEXT NOT NULL DEFAULT '[]'"},
};

// Every column, in the order ToValues and FromRow use.
constexpr std::string_view kColumns =
    "id, number, channel, title, text, matter_id, matter_version, address, lat, lon, grid_id, "
    "community_id, street_id, district_id, contact_name, contact_phone, anonymous, "
    "requester_id, created_by, external_id, attachments, centre_id, centre_path, status, "
    "unit_id, unit_path, unit_name, received_at, dispatched_at, signed_at, replied_at, "
    "closed_at, sign_due, finish_due, sign_warn_at, finish_warn_at, return_until, sign_late, "
    "finish_late, warned, parent_id, return_requested, return_reason, extension_days, "
    "extension_reason, reply, reply_attachments, resolved, satisfaction, feedback, dispatch_count, "
    "reopen_count, "
    "version, updated_at";
constexpr int kColumnCount = 54;

std::string_view PlaceColumn(PlaceLevel level) {
  switch (level) {
    case PlaceLevel::kGrid:
      return "grid_id";
    case PlaceLevel::kCommunity:
      return "community_id";
    case PlaceLevel::kStreet:
      return "street_id";
    case PlaceLevel::kDistrict:
      return "district_id";
  }
  return "grid_id";
}

std::string Attachments(const std::vector<std::string>& ids) { return json::Json(ids).dump(); }

std::vector<std::string> AttachmentIds(std::string_view stored) {
  std::vector<std::string> ids;
  if (auto a = json::Json::parse(stored, nullptr, false); a.is_array())
    for (const auto& v : a)
      if (v.is_string()) ids.push_back(v.get<std::string>());
  return ids;
}

std::vector<storage::Value> ToValues(const Request& r) {
  std::optional<std::int64_t> resolved;
  if (r.resolved) resolved = *r.resolved ? 1 : 0;
  std::optional<std::string> satisfaction;
  if (r.satisfaction) satisfaction = std::string(SatisfactionName(*r.satisfaction));
  return {r.id,
          r.number,
          std::string(ChannelName(r.channel)),
          r.title,
          r.text,
          r.matter_id,
          r.matter_version,
          r.place.address,
          r.place.lat,
          r.place.lon,
          r.place.grid_id,
          r.place.community_id,
          r.place.street_id,
          r.place.district_id,
          r.contact_name,
          r.contact_phone,
          r.anonymous,
          r.requester_id,
          r.created_by,
          r.external_id,
          Attachments(r.attachment_ids),
          r.centre_id,
          r.centre_path,
          std::string(StatusName(r.status)),
          r.unit_id,
          r.unit_path,
          r.unit_name,
          r.received_at,
          r.dispatched_at,
          r.signed_at,
          r.replied_at,
          r.closed_at,
          r.sign_due,
          r.finish_due,
          r.sign_warn_at,
          r.finish_warn_at,
          r.return_until,
          r.sign_late,
          r.finish_late,
          r.warned,
          r.parent_id,
          r.return_requested,
          r.return_reason,
          std::int64_t{r.extension_days},
          r.extension_reason,
          r.reply,
          Attachments(r.reply_attachment_ids),
          resolved,
          satisfaction,
          r.feedback,
          std::int64_t{r.dispatch_count},
          std::int64_t{r.reopen_count},
          r.version,
          r.updated_at};
}

Request FromRow(const storage::Row& row) {
  Request r;
  std::size_t i = 0;
  r.id = row.Text(i++);
  r.number = row.Text(i++);
  r.channel = ParseChannel(row.TextView(i++)).value_or(Channel::kApi);
  r.title = row.Text(i++);
  r.text = row.Text(i++);
  r.matter_id = row.Text(i++);
  r.matter_version = row.Int(i++);
  r.place.address = row.Text(i++);
  if (!row.IsNull(i)) r.place.lat = row.Real(i);
  ++i;
  if (!row.IsNull(i)) r.place.lon = row.Real(i);
  ++i;
  r.place.grid_id = row.Text(i++);
  r.place.community_id = row.Text(i++);
  r.place.street_id = row.Text(i++);
  r.place.district_id = row.Text(i++);
  r.contact_name = row.Text(i++);
  r.contact_phone = row.Text(i++);
  r.anonymous = row.Int(i++) != 0;
  r.requester_id = row.Text(i++);
  r.created_by = row.Text(i++);
  r.external_id = row.Text(i++);
  r.attachment_ids = AttachmentIds(row.TextView(i++));
  r.centre_id = row.Text(i++);
  r.centre_path = row.Text(i++);
  r.status = ParseStatus(row.TextView(i++)).value_or(Status::kReceived);
  r.unit_id = row.Text(i++);
  r.unit_path = row.Text(i++);
  r.unit_name = row.Text(i++);
  r.received_at = row.Int(i++);
  r.dispatched_at = row.Int(i++);
  r.signed_at = row.Int(i++);
  r.replied_at = row.Int(i++);
  r.closed_at = row.Int(i++);
  r.sign_due = row.Int(i++);
  r.finish_due = row.Int(i++);
  r.sign_warn_at = row.Int(i++);
  r.finish_warn_at = row.Int(i++);
  r.return_until = row.Int(i++);
  r.sign_late = row.Int(i++) != 0;
  r.finish_late = row.Int(i++) != 0;
  r.warned = row.Int(i++) != 0;
  r.parent_id = row.Text(i++);
  r.return_requested = row.Int(i++) != 0;
  r.return_reason = row.Text(i++);
  r.extension_days = static_cast<int>(row.Int(i++));
  r.extension_reason = row.Text(i++);
  r.reply = row.Text(i++);
  r.reply_attachment_ids = AttachmentIds(row.TextView(i++));
  if (auto v = row.OptInt(i++)) r.resolved = *v != 0;
  if (auto v = row.OptText(i++)) {
    if (auto s = ParseSatisfaction(*v)) r.satisfaction = *s;
  }
  r.feedback = row.Text(i++);
  r.dispatch_count = static_cast<int>(row.Int(i++));
  r.reopen_count = static_cast<int>(row.Int(i++));
  r.version = row.Int(i++);
  r.updated_at = row.Int(i++);
  return r;
}

Result<std::optional<Request>> FindWhere(Executor& ex, std::string_view where,
                                         std::string_view value) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM requests WHERE {} = ?", kColumns, where), {value}));
  if (rows.empty()) return std::nullopt;
  return FromRow(rows.front());
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether List and Count read from the SQLite full-text index joined to
// requests (a search of two or more characters that is not a number): the
// index gives rowids newest first, so a page stops after its rows instead
// of collecting and sorting every match.
bool JoinsSearchIndex(const ListQuery& q, storage::Dialect dialect) {
  return dialect == storage::Dialect::kSqlite && !q.search.empty() && !AllDigits(q.search) &&
         search::QueryPhrase(q.search).has_value();
}

// What List and Count read from.
std::string_view FromClause(const ListQuery& q, storage::Dialect dialect) {
  return JoinsSearchIndex(q, dialect)
             ? " FROM request_search JOIN requests ON requests.rowid = request_search.rowid"
             : " FROM requests";
}

// The WHERE clause of List and Count (without the cursor) and its parameters.
void AppendFilters(const ListQuery& q, storage::Dialect dialect, std::string& sql,
                   std::vector<storage::Value>& params) {
  sql += " WHERE 1=1";
  if (!q.scope.everything) {
    std::string any;
    auto add = [&](std::string_view clause, storage::Value v) {
      any += any.empty() ? "" : " OR ";
      any += clause;
      params.push_back(std::move(v));
    };
    for (const auto& p : q.scope.unit_paths) add("unit_path LIKE ?", p + "%");
    for (const auto& p : q.scope.centre_paths) add("centre_path LIKE ?", p + "%");
    for (const auto& p : q.scope.summoned_paths)
      add("EXISTS (SELECT 1 FROM request_summons s WHERE s.request_id = requests.id AND "
          "s.department_path LIKE ?)",
          p + "%");
    if (!q.scope.requester_id.empty()) add("requester_id = ?", q.scope.requester_id);
    sql += any.empty() ? " AND 1=0" : " AND (" + any + ")";
  }
  if (!q.statuses.empty()) {
    sql += " AND status IN (" + storage::Placeholders(q.statuses.size()) + ")";
    for (Status s : q.statuses) params.emplace_back(std::string(StatusName(s)));
  }
  if (!q.matter_id.empty()) {
    sql += " AND matter_id = ?";
    params.emplace_back(q.matter_id);
  }
  if (!q.matter_ids.empty()) {
    sql += " AND matter_id IN (" + storage::Placeholders(q.matter_ids.size()) + ")";
    for (const auto& m : q.matter_ids) params.emplace_back(m);
  }
  if (!q.unit_id.empty()) {
    sql += " AND unit_id = ?";
    params.emplace_back(q.unit_id);
  }
  if (q.place_level) {
    sql += fmt::format(" AND {} = ?", PlaceColumn(*q.place_level));
    params.emplace_back(q.place_id);
  }
  if (!q.ids.empty()) {
    sql += " AND id IN (" + storage::Placeholders(q.ids.size()) + ")";
    for (const auto& id : q.ids) params.emplace_back(id);
  }
  if (q.received_from) {
    sql += " AND received_at >= ?";
    params.emplace_back(q.received_from);
  }
  if (q.received_to) {
    sql += " AND received_at < ?";
    params.emplace_back(q.received_to);
  }
  if (q.finish_due_before) {
    sql +=
        " AND finish_due > 0 AND finish_due < ? AND status IN ('dispatched', 'signed', "
        "'handling')";
    params.emplace_back(q.finish_due_before);
  }
  if (q.late_only) sql += " AND (sign_late = 1 OR finish_late = 1)";
  if (q.warned_only) sql += " AND warned = 1";
  if (q.extension_pending) sql += " AND extension_days > 0";
  if (q.return_pending) sql += " AND return_requested = 1";
  if (auto phrase = q.search.empty() ? std::nullopt : search::QueryPhrase(q.search)) {
    // Through the full-text index (requests/search.h): the same rows as the
    // substring scan below, found without reading them all.
    // A number is only asked for when the query could be one (digits): an
    // OR beside the index makes both backends scan every row.
    const bool digits = AllDigits(q.search);
    const std::string_view by_number = digits ? " OR number = ?)" : ")";
    if (dialect == storage::Dialect::kPostgres) {
      sql += fmt::format(" AND (search @@ phraseto_tsquery('simple', ?){}", by_number);
      params.emplace_back(*phrase);
    } else if (JoinsSearchIndex(q, dialect)) {
      sql += " AND request_search MATCH ?";
      params.emplace_back("\"" + *phrase + "\"");
    } else {
      sql += fmt::format(
          " AND (requests.rowid IN (SELECT rowid FROM request_search WHERE request_search MATCH ?)"
          "{}",
          by_number);
      params.emplace_back("\"" + *phrase + "\"");
    }
    if (digits) params.emplace_back(q.search);
  } else if (!q.search.empty()) {
    // One character, or spaces and punctuation: a scan. LIKE's wildcards in
    // the search text are matched literally.
    std::string pattern = "%";
    for (char c : q.search) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    sql +=
        " AND (LOWER(title) LIKE LOWER(?) ESCAPE '\\' OR LOWER(text) LIKE LOWER(?) ESCAPE '\\' "
        "OR LOWER(address) LIKE LOWER(?) ESCAPE '\\' OR number = ?)";
    params.emplace_back(pattern);
    params.emplace_back(pattern);
    params.emplace_back(pattern);
    params.emplace_back(q.search);
  }
}

Summons SummonsFromRow(const storage::Row& row) {
  Summons s;
  s.id = row.Text(0);
  s.request_id = row.Text(1);
  s.department_id = row.Text(2);
  s.department_path = row.Text(3);
  s.department_name = row.Text(4);
  s.summoned_by = row.Text(5);
  s.reason = row.Text(6);
  s.created_at = row.Int(7);
  s.report_due = row.Int(8);
  s.reported_at = row.Int(9);
  s.report = row.Text(10);
  s.late = row.Int(11) != 0;
  return s;
}

constexpr std::string_view kSummonsColumns =
    "id, request_id, department_id, department_path, department_name, summoned_by, reason, "
    "created_at, report_due, reported_at, report, late";

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

Result<std::int64_t> NextNumber(Executor& ex, std::string_view day) {
  // The first number of a day in a transaction locks the counter's row until
  // commit, so the next ones are counted on from the memo without a read
  // (one round trip fewer per intake on PostgreSQL).
  storage::TransactionMemo* memo = ex.memo();
  const std::string key = fmt::format("request_numbers/{}", day);
  if (memo) {
    if (auto it = memo->find(key); it != memo->end()) {
      const std::int64_t n = std::stoll(it->second) + 1;
      XT_TRY_VOID(ex.Defer("UPDATE request_numbers SET last = ? WHERE day = ?", {n, day}));
      it->second = std::to_string(n);
      return n;
    }
  }
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("INSERT INTO request_numbers (day, last) VALUES (?, 1) "
                                          "ON CONFLICT (day) DO UPDATE SET last = "
                                          "request_numbers.last + 1 RETURNING last",
                                          {day}));
  if (rows.empty()) return Fail(Error::Internal("the day's number counter returned nothing"));
  const std::int64_t n = rows.front().Int(0);
  if (memo) (*memo)[key] = std::to_string(n);
  return n;
}

Result<void> Insert(Executor& ex, const Request& r, std::string_view idem_key) {
  auto values = ToValues(r);
  values.emplace_back(idem_key);
  static const std::string sql = fmt::format("INSERT INTO requests ({}, idem_key) VALUES ({})",
                                             kColumns, storage::Placeholders(kColumnCount + 1));
  XT_TRY_VOID(ex.Defer(sql, values));
  return IndexForSearch(ex, r.id, search::IndexTokens(r.title, r.text, r.place.address));
}

Result<void> IndexForSearch(Executor& ex, std::string_view id, const std::string& tokens) {
  if (ex.dialect() == storage::Dialect::kPostgres)
    return ex.Defer("UPDATE requests SET search = to_tsvector('simple', ?) WHERE id = ?",
                    {tokens, id});
  return ex.Defer(
      "INSERT INTO request_search (rowid, grams) SELECT rowid, ? FROM requests"
      " WHERE id = ?",
      {tokens, id});
}

Result<std::int64_t> CountUnsearchable(Executor& ex) {
  // SQLite: the FTS5 table's row count against the requests'; PostgreSQL:
  // a partial index holds exactly the unsearchable rows.
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne(ex.dialect() == storage::Dialect::kPostgres
                                      ? "SELECT COUNT(*) FROM requests WHERE search IS NULL"
                                      : "SELECT (SELECT COUNT(*) FROM requests) -"
                                        " (SELECT COUNT(*) FROM request_search)"));
  return row ? row->Int(0) : 0;
}

Result<std::string> IndexUnsearchable(Executor& ex, std::string_view after_id, int limit) {
  const bool postgres = ex.dialect() == storage::Dialect::kPostgres;
  // Paged by id from where the last batch ended: each row is looked at once.
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(postgres ? "SELECT id, title, text, address, CASE WHEN search IS NULL THEN 1 ELSE 0"
                          " END FROM requests"
                          " WHERE id > ? ORDER BY id LIMIT ?"
                        : "SELECT r.id, r.title, r.text, r.address, NOT EXISTS (SELECT 1 FROM"
                          " request_search s WHERE s.rowid = r.rowid) FROM requests r"
                          " WHERE r.id > ? ORDER BY r.id LIMIT ?",
               {after_id, std::int64_t{limit}}));
  for (const auto& row : rows) {
    if (row.Int(4) == 0) continue;
    XT_TRY_VOID(
        IndexForSearch(ex, row.TextView(0),
                       search::IndexTokens(row.TextView(1), row.TextView(2), row.TextView(3))));
  }
  return rows.size() < static_cast<std::size_t>(limit) ? std::string()
                                                       : std::string(rows.back().TextView(0));
}

Result<std::optional<Request>> Find(Executor& ex, std::string_view id) {
  return FindWhere(ex, "id", id);
}
Result<std::optional<Request>> FindByNumber(Executor& ex, std::string_view number) {
  return FindWhere(ex, "number", number);
}
Result<std::optional<Request>> FindByIdOrNumber(Executor& ex, std::string_view id_or_number) {
  XT_ASSIGN_OR_RETURN(auto found, Find(ex, id_or_number));
  if (found) return found;
  return FindByNumber(ex, id_or_number);
}
Result<std::optional<Request>> FindByIdempotencyKey(Executor& ex, std::string_view idem_key) {
  return FindWhere(ex, "idem_key", idem_key);
}
Result<std::optional<Request>> FindByExternalId(Executor& ex, std::string_view external_id) {
  return FindWhere(ex, "external_id", external_id);
}

Result<std::int64_t> CountExternalIdPrefix(Executor& ex, std::string_view prefix) {
  // Compared as a range, not LIKE: the prefix may hold '%' or '_'.
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne("SELECT COUNT(*) FROM requests WHERE external_id >= ? AND "
                  "substr(external_id, 1, ?) = ?",
                  {prefix, static_cast<std::int64_t>(json::CountCodePoints(prefix)), prefix}));
  return row ? row->Int(0) : 0;
}

Result<std::vector<std::string>> ExternalIds(Executor& ex, std::string_view channel) {
  std::vector<std::string> ids;
  const storage::Value params[] = {std::string(channel)};
  XT_TRY_VOID(ex.QueryEach("SELECT external_id FROM requests WHERE channel = ?", params,
                           [&](const storage::Row& row) {
                             ids.emplace_back(row.TextView(0));
                             return true;
                           }));
  return ids;
}

Result<std::vector<ReceivedText>> ReceivedTexts(Executor& ex, Timestamp from, Timestamp to,
                                                std::string_view under_path, int limit) {
  std::string sql =
      "SELECT r.id, r.title, r.text, r.street_id, r.received_at,"
      // `parent_id <> ''` lets both backends use the partial index requests_parent;
      // without it each request scanned the whole table (minutes on a year's history).
      " (SELECT COUNT(*) FROM requests m WHERE m.parent_id = r.id AND m.parent_id <> '')"
      " FROM requests r WHERE r.received_at >= ? AND r.received_at < ? AND r.parent_id = ''";
  std::vector<storage::Value> params{from, to};
  // Unit paths are ids joined by '/': no LIKE wildcards to escape.
  if (!under_path.empty()) {
    sql += " AND r.unit_path LIKE ?";
    params.emplace_back(std::string(under_path) + "%");
  }
  sql += " ORDER BY r.received_at DESC, r.id DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(limit));
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<ReceivedText> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)});
  return out;
}

// Decision support's counts, in microseconds: +08:00 is 28,800,000,000 after
// UTC, a day 86,400,000,000, a half-hour 1,800,000,000, a week
// 604,800,000,000; weeks start on Monday 1970-01-05, 4 days (345,600,000,000)
// after the Thursday 1970-01-01. Integer division of BIGINTs truncates on
// both backends; every instant here is after 1970, so that is the floor.

// The statuses in which a request is in its handling unit's hands.
constexpr std::string_view kInHandSql = "status IN ('dispatched', 'signed', 'handling')";

Result<std::vector<DailyCount>> DailyCounts(Executor& ex, Timestamp from, Timestamp to) {
  static constexpr std::string_view sql =
      "SELECT (received_at + 28800000000) / 86400000000, matter_id, district_id, street_id, "
      "unit_id, channel,"
      " CASE WHEN parent_id = '' THEN 0 ELSE 1 END AS merged, COUNT(*)"
      " FROM requests WHERE received_at >= ? AND received_at < ?"
      " GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7";
  std::vector<DailyCount> out;
  std::optional<Error> bad;
  const storage::Value params[] = {from, to};
  XT_TRY_VOID(ex.QueryEach(sql, params, [&](const storage::Row& row) {
    auto channel = ParseChannel(row.TextView(5));
    if (!channel) {
      bad = channel.error();
      return false;
    }
    out.push_back({static_cast<std::int32_t>(row.Int(0)), row.Text(1), row.Text(2), row.Text(3),
                   row.Text(4), *channel, row.Int(6) != 0, row.Int(7)});
    return true;
  }));
  if (bad) return Fail(std::move(*bad));
  return out;
}

Result<std::vector<SlotCount>> HalfHourCounts(Executor& ex, Timestamp from, Timestamp to,
                                              std::string_view channel) {
  static constexpr std::string_view sql =
      "SELECT (received_at + 28800000000) / 1800000000, COUNT(*) FROM requests"
      " WHERE received_at >= ? AND received_at < ? AND channel = ? GROUP BY 1 ORDER BY 1";
  std::vector<SlotCount> out;
  const storage::Value params[] = {from, to, std::string(channel)};
  XT_TRY_VOID(ex.QueryEach(sql, params, [&](const storage::Row& row) {
    out.push_back({row.Int(0), row.Int(1)});
    return true;
  }));
  return out;
}

Result<std::vector<OpenItem>> OpenWork(Executor& ex, std::string_view under_path) {
  static const std::string sql = fmt::format(
      "SELECT unit_id, matter_id, dispatched_at, finish_due, finish_late FROM requests"
      " WHERE {} AND unit_id <> '' AND unit_path LIKE ? ORDER BY finish_due, id",
      kInHandSql);
  std::vector<OpenItem> out;
  // Unit paths are ids joined by '/': no LIKE wildcards to escape.
  const storage::Value params[] = {std::string(under_path) + "%"};
  XT_TRY_VOID(ex.QueryEach(sql, params, [&](const storage::Row& row) {
    out.push_back({row.Text(0), row.Text(1), row.Int(2), row.Int(3), row.Int(4) != 0});
    return true;
  }));
  return out;
}

Result<std::vector<UnitWeekCount>> RepliedByUnitWeek(Executor& ex, Timestamp from, Timestamp to) {
  static constexpr std::string_view sql =
      "SELECT unit_id, (replied_at + 28800000000 - 345600000000) / 604800000000"
      ", COUNT(*) FROM requests"
      " WHERE replied_at >= ? AND replied_at < ? AND unit_id <> '' AND parent_id = ''"
      " GROUP BY 1, 2 ORDER BY 1, 2";
  std::vector<UnitWeekCount> out;
  const storage::Value params[] = {from, to};
  XT_TRY_VOID(ex.QueryEach(sql, params, [&](const storage::Row& row) {
    out.push_back({row.Text(0), static_cast<std::int32_t>(row.Int(1)), row.Int(2)});
    return true;
  }));
  return out;
}

Result<std::vector<UnitCount>> OpenLateByUnit(Executor& ex, Timestamp from, Timestamp to) {
  static const std::string sql = fmt::format(
      "SELECT unit_id, COUNT(*) FROM requests"
      " WHERE dispatched_at >= ? AND dispatched_at < ? AND finish_late = 1 AND {}"
      " AND unit_id <> '' GROUP BY 1 ORDER BY 1",
      kInHandSql);
  std::vector<UnitCount> out;
  const storage::Value params[] = {from, to};
  XT_TRY_VOID(ex.QueryEach(sql, params, [&](const storage::Row& row) {
    out.push_back({row.Text(0), row.Int(1)});
    return true;
  }));
  return out;
}

Result<bool> Update(Executor& ex, const Request& r) {
  static const std::string sql = [] {
    std::string set;
    std::string_view cols = kColumns;
    bool first = true;
    while (!cols.empty()) {
      auto comma = cols.find(',');
      auto col = cols.substr(0, comma);
      cols = comma == std::string_view::npos ? std::string_view() : cols.substr(comma + 2);
      if (first) {  // id is the key, not set
        first = false;
        continue;
      }
      if (!set.empty()) set += ", ";
      set += fmt::format("{} = ?", col);
    }
    return fmt::format("UPDATE requests SET {} WHERE id = ? AND version = ?", set);
  }();
  auto values = ToValues(r);
  const auto id = values.front();
  values.erase(values.begin());
  values.push_back(id);
  values.emplace_back(r.version - 1);
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec(sql, values));
  return n == 1;
}

Result<std::vector<Request>> Children(Executor& ex, std::string_view parent_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM requests WHERE parent_id "
                                                      "= ? ORDER BY id",
                                                      kColumns),
                                          {parent_id}));
  std::vector<Request> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(FromRow(row));
  return out;
}

Result<std::vector<Request>> List(Executor& ex, const ListQuery& q) {
  std::string filters;
  std::vector<storage::Value> params;
  AppendFilters(q, ex.dialect(), filters, params);
  const bool joined = JoinsSearchIndex(q, ex.dialect());
  if (!q.before_id.empty()) {
    filters +=
        joined ? " AND requests.rowid < (SELECT rowid FROM requests WHERE id = ?)" : " AND id < ?";
    params.emplace_back(q.before_id);
  }
  // A search may match many rows: sort their ids, not the whole rows, and
  // read only the page's rows; through the SQLite index, in its order.
  std::string sql;
  if (joined)
    sql = fmt::format("SELECT {}{}{} ORDER BY request_search.rowid DESC LIMIT ?", kColumns,
                      FromClause(q, ex.dialect()), filters);
  else if (q.search.empty())
    sql = fmt::format("SELECT {} FROM requests{} ORDER BY id DESC LIMIT ?", kColumns, filters);
  else
    sql = fmt::format(
        "SELECT {} FROM requests WHERE id IN (SELECT id FROM requests{}"
        " ORDER BY id DESC LIMIT ?) ORDER BY id DESC",
        kColumns, filters);
  params.emplace_back(std::int64_t{q.limit});
  std::vector<Request> out;
  XT_TRY_VOID(ex.QueryEach(sql, params, [&](const storage::Row& row) {
    out.push_back(FromRow(row));
    return true;
  }));
  return out;
}

Result<std::int64_t> Count(Executor& ex, const ListQuery& q) {
  std::string filters;
  std::vector<storage::Value> params;
  AppendFilters(q, ex.dialect(), filters, params);
  std::string sql;
  if (q.count_limit > 0) {
    sql = fmt::format("SELECT COUNT(*) FROM (SELECT 1{}{} LIMIT ?) AS counted",
                      FromClause(q, ex.dialect()), filters);
    params.emplace_back(q.count_limit + 1);
  } else {
    sql = fmt::format("SELECT COUNT(*){}{}", FromClause(q, ex.dialect()), filters);
  }
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, params));
  return rows.empty() ? 0 : rows.front().Int(0);
}

Result<void> InsertSummons(Executor& ex, const Summons& s) {
  static const std::string sql = fmt::format("INSERT INTO request_summons ({}) VALUES ({})",
                                             kSummonsColumns, storage::Placeholders(12));
  XT_TRY_VOID(ex.Exec(
      sql, {s.id, s.request_id, s.department_id, s.department_path, s.department_name,
            s.summoned_by, s.reason, s.created_at, s.report_due, s.reported_at, s.report, s.late}));
  return {};
}

Result<void> UpdateSummons(Executor& ex, const Summons& s) {
  XT_TRY_VOID(
      ex.Exec("UPDATE request_summons SET reported_at = ?, report = ?, late = ?, report_due = ? "
              "WHERE id = ?",
              {s.reported_at, s.report, s.late, s.report_due, s.id}));
  return {};
}

Result<std::vector<Summons>> SummonsOf(Executor& ex, std::string_view request_id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM request_summons WHERE request_id = ? "
                                           "ORDER BY id",
                                           kSummonsColumns),
                               {request_id}));
  std::vector<Summons> out;
  for (const auto& row : rows) out.push_back(SummonsFromRow(row));
  return out;
}

Result<std::optional<Summons>> FindSummons(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM request_summons WHERE id = ?", kSummonsColumns), {id}));
  if (rows.empty()) return std::nullopt;
  return SummonsFromRow(rows.front());
}

Result<void> ReplaceTimers(Executor& ex, std::string_view request_id, std::string_view prefix,
                           std::span<const Timer> timers) {
  XT_TRY_VOID(ex.Exec("DELETE FROM request_timers WHERE request_id = ? AND kind LIKE ?",
                      {request_id, std::string(prefix) + "%"}));
  return InsertTimers(ex, timers);
}

Result<void> InsertTimers(Executor& ex, std::span<const Timer> timers) {
  std::string sql = "INSERT INTO request_timers (request_id, kind, due_at, fired_at) VALUES ";
  std::vector<storage::Value> params;
  for (const auto& t : timers) {
    if (t.due_at <= 0) continue;
    sql += params.empty() ? "(?, ?, ?, 0)" : ", (?, ?, ?, 0)";
    params.insert(params.end(), {t.request_id, t.kind, t.due_at});
  }
  if (params.empty()) return {};
  XT_TRY_VOID(ex.Defer(sql, params));
  return {};
}

Result<std::vector<Timer>> ClaimDueTimers(Executor& ex, Timestamp now, int limit) {
  const std::string sql = fmt::format(
      "UPDATE request_timers SET fired_at = ? WHERE (request_id, kind) IN (SELECT request_id, "
      "kind FROM request_timers WHERE fired_at = 0 AND due_at <= ? ORDER BY due_at LIMIT ?{}) "
      "RETURNING request_id, kind, due_at",
      ex.dialect() == storage::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "");
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, {now, now, std::int64_t{limit}}));
  std::vector<Timer> out;
  for (const auto& row : rows) out.push_back({row.Text(0), row.Text(1), row.Int(2)});
  std::sort(out.begin(), out.end(),
            [](const Timer& a, const Timer& b) { return a.due_at < b.due_at; });
  return out;
}

Result<std::optional<Timestamp>> NextTimerDue(Executor& ex) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne("SELECT MIN(due_at) FROM request_timers WHERE fired_at = 0"));
  if (!row || row->IsNull(0)) return std::nullopt;
  return row->Int(0);
}

Result<bool> RecordCommandKey(Executor& ex, std::string_view request_id, std::string_view key,
                              Timestamp at) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("INSERT INTO request_command_keys (request_id, key, at) "
                                      "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                      {request_id, key, at}));
  return n == 1;
}

Result<std::vector<RecentText>> ReceivedSince(Executor& ex, Timestamp since, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT id, title, text, street_id, received_at, parent_id"
                               " FROM requests WHERE received_at >= ?"
                               " ORDER BY received_at, id LIMIT ?",
                               {since, limit}));
  std::vector<RecentText> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5)});
  return out;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> CountByPlace(
    Executor& ex, PlaceLevel level, Timestamp from, Timestamp to, std::string_view under_path) {
  const std::string_view column = PlaceColumn(level);
  std::string sql = fmt::format(
      "SELECT {0}, COUNT(*) FROM requests WHERE received_at >= ? AND received_at < ?"
      " AND {0} <> ''",
      column);
  std::vector<storage::Value> params{from, to};
  // Unit paths are ids joined by '/': no LIKE wildcards to escape.
  if (!under_path.empty()) {
    sql += " AND unit_path LIKE ?";
    params.emplace_back(std::string(under_path) + "%");
  }
  sql += fmt::format(" GROUP BY {0} ORDER BY COUNT(*) DESC, {0}", column);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  std::vector<std::pair<std::string, std::int64_t>> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.emplace_back(r.Text(0), r.Int(1));
  return out;
}

Result<TrackThrottle> GetTrackThrottle(Executor& ex, std::string_view number) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne("SELECT failures, since FROM track_throttle WHERE number = ?", {number}));
  if (!row) return TrackThrottle{};
  return TrackThrottle{row->Int(0), row->Int(1)};
}

Result<void> AddTrackFailure(Executor& ex, std::span<const std::string> keys, Timestamp now,
                             Timestamp stale, int prune_limit) {
  // One statement per key, so that guesses arriving at once on several nodes
  // all count.
  for (const std::string& key : keys)
    XT_TRY_VOID(
        ex.Defer("INSERT INTO track_throttle (number, failures, since) VALUES (?, 1, ?)"
                 " ON CONFLICT (number) DO UPDATE SET"
                 " failures = CASE WHEN track_throttle.since <= ? THEN 1"
                 " ELSE track_throttle.failures + 1 END,"
                 " since = CASE WHEN track_throttle.since <= ? THEN excluded.since"
                 " ELSE track_throttle.since END",
                 {key, now, stale, stale}));
  // Rows another transaction holds are left for a later guess (SKIP LOCKED),
  // so the prune never waits for another node's. The rows are chosen once, in
  // a WITH, so that the limit holds on PostgreSQL.
  XT_TRY_VOID(ex.Defer(
      fmt::format("WITH stale AS (SELECT number FROM track_throttle WHERE since <= ? LIMIT ?{}) "
                  "DELETE FROM track_throttle WHERE number IN (SELECT number FROM stale)",
                  ex.dialect() == storage::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : ""),
      {stale, std::int64_t{prune_limit}}));
  return {};
}

}  // namespace xietong::requests::store
