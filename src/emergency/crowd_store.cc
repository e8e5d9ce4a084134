#include "emergency/crowd_store.h"

#include <fmt/core.h>

#include <charconv>

#include "core/json.h"

namespace xietong::emergency::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    // Crowd reports (救命文档): the queue index serves the verifiers' unverified
    // list in its order; the verdict index the verified/duplicate/false lists
    // and the public view; received_at the duplicate index's refresh.
    {"emergency", 3, "crowd reports and their verification",
     "CREATE TABLE emergency_crowd_reports ("
     " id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL,"
     " need_type TEXT NOT NULL, need_count BIGINT NOT NULL, priority TEXT NOT NULL,"
     " lat DOUBLE PRECISION, lng DOUBLE PRECISION, address TEXT NOT NULL,"
     " photo_ids TEXT NOT NULL, contact_name TEXT NOT NULL, contact_phone TEXT NOT NULL,"
     " channel TEXT NOT NULL, reporter_id TEXT NOT NULL, received_at BIGINT NOT NULL,"
     " state TEXT NOT NULL, duplicate_of TEXT NOT NULL, duplicate_score DOUBLE PRECISION NOT NULL,"
     " queue_rank BIGINT NOT NULL, verified_by TEXT NOT NULL, verdict_note TEXT NOT NULL,"
     " verified_at BIGINT NOT NULL, need_id TEXT NOT NULL);"
     "CREATE INDEX emergency_crowd_reports_queue ON emergency_crowd_reports"
     " (incident_id, state, queue_rank, received_at, id);"
     "CREATE INDEX emergency_crowd_reports_verdict ON emergency_crowd_reports"
     " (incident_id, state, verified_at, id);"
     "CREATE INDEX emergency_crowd_reports_received ON emergency_crowd_reports (received_at);"
     "CREATE TABLE emergency_crowd_report_keys ("
     " incident_id TEXT NOT NULL, idem_key TEXT NOT NULL, report_id TEXT NOT NULL,"
     " fingerprint TEXT NOT NULL, PRIMARY KEY (incident_id, idem_key))"},
};

constexpr std::string_view kColumns =
    "id, incident_id, text, kind, need_type, need_count, priority, lat, lng, address,"
    " photo_ids, contact_name, contact_phone, channel, reporter_id, received_at, state,"
    " duplicate_of, duplicate_score, queue_rank, verified_by, verdict_note, verified_at, need_id";

std::vector<std::string> Strings(std::string_view text) {
  std::vector<std::string> out;
  auto j = json::Json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& s : j)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

CrowdReport ReportFrom(const storage::Row& row) {
  CrowdReport r;
  r.id = row.Text(0);
  r.incident_id = row.Text(1);
  r.text = row.Text(2);
  r.kind = ParseReportKind(row.TextView(3)).value_or(ReportKind::kSituation);
  r.need_type = row.TextView(4).empty() ? NeedType::kNone
                                        : ParseNeedType(row.TextView(4)).value_or(NeedType::kNone);
  r.count = row.Int(5);
  r.priority = ParseReportPriority(row.TextView(6)).value_or(ReportPriority::kNormal);
  if (!row.IsNull(7) && !row.IsNull(8)) {
    r.place.lat = row.Real(7);
    r.place.lng = row.Real(8);
  }
  r.place.address = row.Text(9);
  r.photo_ids = Strings(row.TextView(10));
  r.contact_name = row.Text(11);
  r.contact_phone = row.Text(12);
  r.channel = ParseReportChannel(row.TextView(13)).value_or(ReportChannel::kWeb);
  r.reporter_id = row.Text(14);
  r.received_at = row.Int(15);
  r.state = ParseReportState(row.TextView(16)).value_or(ReportState::kUnverified);
  r.duplicate_of = row.Text(17);
  r.duplicate_score = row.Real(18);
  r.queue_rank = row.Int(19);
  r.verified_by = row.Text(20);
  r.verdict_note = row.Text(21);
  r.verified_at = row.Int(22);
  r.need_id = row.Text(23);
  return r;
}

Error BadCursor() {
  return Error::InvalidArgument("'cursor' is not one this list gave out; start without it")
      .About("cursor", "malformed");
}

bool ParseInt(std::string_view s, std::int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::span<const storage::Migration> CrowdMigrations() { return kMigrations; }

Result<void> InsertReport(Executor& ex, const CrowdReport& r) {
  return ex.Defer(fmt::format("INSERT INTO emergency_crowd_reports ({}) VALUES ({})", kColumns,
                              storage::Placeholders(24)),
                  {r.id,
                   r.incident_id,
                   r.text,
                   ReportKindName(r.kind),
                   NeedTypeName(r.need_type),
                   r.count,
                   ReportPriorityName(r.priority),
                   r.place.lat,
                   r.place.lng,
                   r.place.address,
                   json::Json(r.photo_ids).dump(),
                   r.contact_name,
                   r.contact_phone,
                   ReportChannelName(r.channel),
                   r.reporter_id,
                   r.received_at,
                   ReportStateName(r.state),
                   r.duplicate_of,
                   r.duplicate_score,
                   r.queue_rank,
                   r.verified_by,
                   r.verdict_note,
                   r.verified_at,
                   r.need_id});
}

Result<std::optional<CrowdReport>> FindReport(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM emergency_crowd_reports WHERE id = ?", kColumns),
                  {id}));
  if (!row) return std::optional<CrowdReport>();
  return std::optional<CrowdReport>(ReportFrom(*row));
}

Result<bool> SetVerdict(Executor& ex, const CrowdReport& r) {
  XT_ASSIGN_OR_RETURN(
      const auto n,
      ex.Exec("UPDATE emergency_crowd_reports SET state = ?, duplicate_of = ?, verified_by = ?,"
              " verdict_note = ?, verified_at = ?, need_id = ? WHERE id = ? AND state = ?",
              {ReportStateName(r.state), r.duplicate_of, r.verified_by, r.verdict_note,
               r.verified_at, r.need_id, r.id, ReportStateName(ReportState::kUnverified)}));
  return n > 0;
}

Result<bool> MarkCandidate(Executor& ex, const CrowdReport& r) {
  XT_ASSIGN_OR_RETURN(
      const auto n,
      ex.Exec("UPDATE emergency_crowd_reports SET duplicate_of = ?, duplicate_score = ?,"
              " queue_rank = ? WHERE id = ? AND state = ? AND duplicate_of = ''",
              {r.duplicate_of, r.duplicate_score, r.queue_rank, r.id,
               ReportStateName(ReportState::kUnverified)}));
  return n > 0;
}

Result<std::optional<KeyClaim>> FindReportKey(Executor& ex, std::string_view incident_id,
                                              std::string_view key) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT report_id, fingerprint FROM"
                                            " emergency_crowd_report_keys"
                                            " WHERE incident_id = ? AND idem_key = ?",
                                            {incident_id, key}));
  if (!row) return std::optional<KeyClaim>();
  return std::optional<KeyClaim>(KeyClaim{row->Text(0), row->Text(1)});
}

Result<std::optional<KeyClaim>> ClaimReportKey(Executor& ex, std::string_view incident_id,
                                               std::string_view key, std::string_view report_id,
                                               std::string_view fingerprint) {
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("INSERT INTO emergency_crowd_report_keys (incident_id, idem_key,"
                              " report_id, fingerprint) VALUES (?, ?, ?, ?)"
                              " ON CONFLICT (incident_id, idem_key) DO NOTHING",
                              {incident_id, key, report_id, fingerprint}));
  if (n > 0) return std::optional<KeyClaim>();
  XT_ASSIGN_OR_RETURN(auto first, FindReportKey(ex, incident_id, key));
  if (!first) return Fail(Error::Conflict("this Idempotency-Key is being used right now; retry"));
  return first;
}

std::string CursorOf(const CrowdReport& r) {
  if (r.state == ReportState::kUnverified)
    return fmt::format("u.{}.{}.{}", r.queue_rank, r.received_at, r.id);
  return fmt::format("v.{}.{}", r.verified_at, r.id);
}

Result<std::vector<CrowdReport>> ReportPage(Executor& ex, const ReportPageQuery& q) {
  const bool queue = q.state == ReportState::kUnverified;
  std::vector<storage::Value> params = {q.incident_id, ReportStateName(q.state)};
  std::string where;
  if (!q.after.empty()) {
    std::vector<std::string_view> parts;
    std::string_view rest = q.after;
    const std::size_t fields = queue ? 3 : 2;  // numbers before the id
    for (std::size_t i = 0; i < fields; ++i) {
      const auto dot = rest.find('.');
      if (dot == std::string_view::npos) return Fail(BadCursor());
      parts.push_back(rest.substr(0, dot));
      rest.remove_prefix(dot + 1);
    }
    if (rest.empty() || parts[0] != (queue ? "u" : "v")) return Fail(BadCursor());
    std::int64_t a = 0, b = 0;
    if (!ParseInt(parts[1], a) || (queue && !ParseInt(parts[2], b))) return Fail(BadCursor());
    if (queue) {
      where = " AND (queue_rank, received_at, id) > (?, ?, ?)";
      params.insert(params.end(), {a, b, std::string(rest)});
    } else {
      where = " AND (verified_at, id) < (?, ?)";
      params.insert(params.end(), {a, std::string(rest)});
    }
  }
  params.emplace_back(q.limit);
  const std::string sql = fmt::format(
      "SELECT {} FROM emergency_crowd_reports WHERE incident_id = ? AND state = ?{} ORDER BY {}"
      " LIMIT ?",
      kColumns, where, queue ? "queue_rank, received_at, id" : "verified_at DESC, id DESC");
  std::vector<CrowdReport> out;
  XT_TRY_VOID(ex.QueryEach(sql, params, [&](const storage::Row& row) {
    out.push_back(ReportFrom(row));
    return true;
  }));
  return out;
}

Result<std::vector<std::int64_t>> CountByState(Executor& ex, std::string_view incident_id) {
  std::vector<std::int64_t> out(4, 0);
  const storage::Value params[] = {incident_id};
  XT_TRY_VOID(
      ex.QueryEach("SELECT state, COUNT(*) FROM emergency_crowd_reports"
                   " WHERE incident_id = ? GROUP BY state",
                   params, [&](const storage::Row& row) {
                     if (auto s = ParseReportState(row.TextView(0)))
                       out[static_cast<std::size_t>(*s)] = row.Int(1);
                     return true;
                   }));
  return out;
}

Result<std::vector<RecentReport>> ReceivedSince(Executor& ex, Timestamp since, int limit) {
  std::vector<RecentReport> out;
  const storage::Value params[] = {since, ReportStateName(ReportState::kFalse),
                                   ReportStateName(ReportState::kDuplicate), limit};
  XT_TRY_VOID(
      ex.QueryEach("SELECT id, incident_id, text, received_at FROM emergency_crowd_reports"
                   " WHERE received_at >= ? AND state NOT IN (?, ?) AND duplicate_of = ''"
                   " ORDER BY received_at, id"
                   " LIMIT ?",
                   params, [&](const storage::Row& row) {
                     out.push_back({row.Text(0), row.Text(1), row.Text(2), row.Int(3)});
                     return true;
                   }));
  return out;
}

}  // namespace xietong::emergency::store
