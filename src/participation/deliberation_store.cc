#include "participation/deliberation_store.h"

#include <fmt/core.h>

#include <string>

#include "core/json.h"

namespace xietong::participation::store {
namespace {

using storage::Executor;
using storage::Row;
using storage::Value;

constexpr storage::Migration kMigrations[] = {
    {"participation", 6, "proposals, supports, comments, progress updates",
     "CREATE TABLE deliberation_proposals ("
     " id TEXT PRIMARY KEY, community_id TEXT NOT NULL, community_path TEXT NOT NULL,"
     " author_id TEXT NOT NULL, organisation_id TEXT NOT NULL DEFAULT '',"
     " title TEXT NOT NULL, text TEXT NOT NULL,"
     " address TEXT NOT NULL, lat DOUBLE PRECISION, lng DOUBLE PRECISION,"
     " photo_ids TEXT NOT NULL,"
     " cost_fen BIGINT NOT NULL CHECK (cost_fen >= 0),"
     " status TEXT NOT NULL,"
     " supports BIGINT NOT NULL DEFAULT 0,"
     " threshold BIGINT NOT NULL CHECK (threshold > 0),"
     " created_at BIGINT NOT NULL, support_until BIGINT NOT NULL,"
     " qualified_at BIGINT NOT NULL DEFAULT 0,"
     " meeting_id TEXT NOT NULL DEFAULT '',"
     " decision TEXT NOT NULL DEFAULT '', decision_reason TEXT NOT NULL DEFAULT '',"
     " decided_by TEXT NOT NULL DEFAULT '', decided_at BIGINT NOT NULL DEFAULT 0,"
     " implement_kind TEXT NOT NULL DEFAULT '', implement_spec TEXT NOT NULL DEFAULT '{}',"
     " force_id TEXT NOT NULL DEFAULT '', task_id TEXT NOT NULL DEFAULT '',"
     " request_id TEXT NOT NULL DEFAULT '', request_number TEXT NOT NULL DEFAULT '',"
     " percent BIGINT NOT NULL DEFAULT 0, completed_at BIGINT NOT NULL DEFAULT 0,"
     " hidden_reason TEXT NOT NULL DEFAULT '', idem_key TEXT, version BIGINT NOT NULL,"
     " UNIQUE (author_id, idem_key));"
     "CREATE INDEX deliberation_proposals_list ON deliberation_proposals"
     " (community_id, status, created_at);"
     "CREATE INDEX deliberation_proposals_task ON deliberation_proposals (task_id);"
     "CREATE INDEX deliberation_proposals_request ON deliberation_proposals (request_id);"
     "CREATE INDEX deliberation_proposals_due ON deliberation_proposals (status, support_until);"
     "CREATE TABLE deliberation_supports ("
     " proposal_id TEXT NOT NULL, account_id TEXT NOT NULL, supported_at BIGINT NOT NULL,"
     " PRIMARY KEY (proposal_id, account_id));"
     "CREATE INDEX deliberation_supports_account ON deliberation_supports"
     " (account_id, supported_at);"
     "CREATE TABLE deliberation_comments ("
     " id TEXT PRIMARY KEY, proposal_id TEXT NOT NULL, author_id TEXT NOT NULL,"
     " text TEXT NOT NULL, created_at BIGINT NOT NULL, hidden_reason TEXT NOT NULL DEFAULT '');"
     "CREATE INDEX deliberation_comments_proposal ON deliberation_comments (proposal_id, id);"
     "CREATE TABLE deliberation_updates ("
     " proposal_id TEXT NOT NULL, source_seq BIGINT NOT NULL, at BIGINT NOT NULL,"
     " kind TEXT NOT NULL, percent BIGINT NOT NULL, text TEXT NOT NULL,"
     " PRIMARY KEY (proposal_id, source_seq))"},
    {"participation", 7, "meetings (议事会) with agenda, minutes and decisions",
     "CREATE TABLE deliberation_meetings ("
     " id TEXT PRIMARY KEY, community_id TEXT NOT NULL, title TEXT NOT NULL,"
     " kind TEXT NOT NULL CHECK (kind IN ('council','building','hearing')),"
     " scheduled_at BIGINT NOT NULL, place TEXT NOT NULL,"
     " agenda TEXT NOT NULL,"
     " status TEXT NOT NULL CHECK (status IN ('scheduled','recorded','cancelled')),"
     " minutes TEXT NOT NULL DEFAULT '', attendees TEXT NOT NULL DEFAULT '[]',"
     " decisions TEXT NOT NULL DEFAULT '[]',"
     " created_by TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " recorded_by TEXT NOT NULL DEFAULT '', recorded_at BIGINT NOT NULL DEFAULT 0,"
     " version BIGINT NOT NULL);"
     "CREATE INDEX deliberation_meetings_community ON deliberation_meetings"
     " (community_id, scheduled_at)"},
};

std::string StringsText(const std::vector<std::string>& v) { return json::Json(v).dump(); }
std::vector<std::string> StringsFrom(std::string_view text) {
  std::vector<std::string> out;
  auto j = json::Json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& s : j)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::optional<double> OptReal(const Row& r, std::size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Real(i);
}

Value OrNull(std::string_view s) {
  if (s.empty()) return Value();
  return Value(s);
}

constexpr std::string_view kProposalColumns =
    "p.id, p.community_id, p.community_path, p.author_id, p.organisation_id, p.title, p.text,"
    " p.address, p.lat, p.lng, p.photo_ids, p.cost_fen, p.status, p.supports, p.threshold,"
    " p.created_at, p.support_until, p.qualified_at, p.meeting_id, p.decision,"
    " p.decision_reason, p.decided_by, p.decided_at, p.implement_kind, p.implement_spec,"
    " p.force_id, p.task_id, p.request_id, p.request_number, p.percent, p.completed_at,"
    " p.hidden_reason, p.version";

Proposal ProposalFrom(const Row& r) {
  Proposal p;
  p.id = r.Text(0);
  p.community_id = r.Text(1);
  p.community_path = r.Text(2);
  p.author_id = r.Text(3);
  p.organisation_id = r.Text(4);
  p.title = r.Text(5);
  p.text = r.Text(6);
  p.address = r.Text(7);
  p.lat = OptReal(r, 8);
  p.lng = OptReal(r, 9);
  p.photo_ids = StringsFrom(r.TextView(10));
  p.cost_fen = r.Int(11);
  p.status = ParseProposalStatus(r.TextView(12)).value_or(ProposalStatus::kHidden);
  p.supports = r.Int(13);
  p.threshold = r.Int(14);
  p.created_at = r.Int(15);
  p.support_until = r.Int(16);
  p.qualified_at = r.Int(17);
  p.meeting_id = r.Text(18);
  p.decision = r.Text(19);
  p.decision_reason = r.Text(20);
  p.decided_by = r.Text(21);
  p.decided_at = r.Int(22);
  p.implement_kind = r.Text(23);
  p.implement_spec = r.Text(24);
  p.force_id = r.Text(25);
  p.task_id = r.Text(26);
  p.request_id = r.Text(27);
  p.request_number = r.Text(28);
  p.percent = r.Int(29);
  p.completed_at = r.Int(30);
  p.hidden_reason = r.Text(31);
  p.version = r.Int(32);
  return p;
}

Result<std::vector<Proposal>> Proposals(Executor& ex, std::string_view sql,
                                        const std::vector<Value>& params) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params.data(), params.size())));
  std::vector<Proposal> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ProposalFrom(r));
  return out;
}

std::string Placeholders(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

constexpr std::string_view kMeetingColumns =
    "id, community_id, title, kind, scheduled_at, place, agenda, status, minutes, attendees,"
    " decisions, created_by, created_at, recorded_by, recorded_at, version";

std::string DecisionsText(const std::vector<ItemDecision>& v) {
  json::Json out = json::Json::array();
  for (const auto& d : v) out.push_back(ItemDecisionJson(d));
  return out.dump();
}

std::vector<ItemDecision> DecisionsFrom(std::string_view text) {
  std::vector<ItemDecision> out;
  auto j = json::Json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& d : j) {
    if (!d.is_object()) continue;
    ItemDecision x;
    x.proposal_id = d.value("proposal_id", "");
    x.decision = ParseDecision(d.value("decision", "")).value_or(Decision::kDeferred);
    x.reason = d.value("reason", "");
    if (auto im = d.find("implement"); im != d.end() && im->is_object()) {
      x.implement.kind = im->value("kind", "none");
      x.implement.owner_account_id = im->value("owner_account_id", "");
      x.implement.deadline_days = im->value("deadline_days", 0);
      x.implement.matter_id = im->value("matter_id", "");
    }
    out.push_back(std::move(x));
  }
  return out;
}

Meeting MeetingFrom(const Row& r) {
  Meeting m;
  m.id = r.Text(0);
  m.community_id = r.Text(1);
  m.title = r.Text(2);
  m.kind = ParseMeetingKind(r.TextView(3)).value_or(MeetingKind::kCouncil);
  m.scheduled_at = r.Int(4);
  m.place = r.Text(5);
  m.agenda = StringsFrom(r.TextView(6));
  m.status = ParseMeetingStatus(r.TextView(7)).value_or(MeetingStatus::kCancelled);
  m.minutes = r.Text(8);
  m.attendees = StringsFrom(r.TextView(9));
  m.decisions = DecisionsFrom(r.TextView(10));
  m.created_by = r.Text(11);
  m.created_at = r.Int(12);
  m.recorded_by = r.Text(13);
  m.recorded_at = r.Int(14);
  m.version = r.Int(15);
  return m;
}

}  // namespace

std::span<const storage::Migration> DeliberationMigrations() { return kMigrations; }

Result<void> InsertProposal(Executor& ex, const Proposal& p, std::string_view idempotency_key) {
  XT_ASSIGN_OR_RETURN(
      auto n,
      ex.Exec("INSERT INTO deliberation_proposals (id, community_id, community_path, author_id,"
              " organisation_id, title, text, address, lat, lng, photo_ids, cost_fen, status,"
              " supports, threshold, created_at, support_until, qualified_at, idem_key, version)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
              " ON CONFLICT (author_id, idem_key) DO NOTHING",
              {p.id,
               p.community_id,
               p.community_path,
               p.author_id,
               p.organisation_id,
               p.title,
               p.text,
               p.address,
               p.lat,
               p.lng,
               StringsText(p.photo_ids),
               p.cost_fen,
               ProposalStatusName(p.status),
               p.supports,
               p.threshold,
               p.created_at,
               p.support_until,
               p.qualified_at,
               OrNull(idempotency_key),
               p.version}));
  if (n == 0)
    return Fail(Error::Conflict("a proposal with this Idempotency-Key was made meanwhile")
                    .About("Idempotency-Key", "replayed"));
  return {};
}

Result<std::optional<Proposal>> FindProposal(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto rows, Proposals(ex,
                           fmt::format("SELECT {} FROM deliberation_proposals p WHERE p.id = ?",
                                       kProposalColumns),
                           {Value(id)}));
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

// The proposal carried out by this task or request (plan §4.1's reaction).
Result<std::optional<Proposal>> FindProposalByTask(Executor& ex, std::string_view task_id) {
  if (task_id.empty()) return std::nullopt;
  XT_ASSIGN_OR_RETURN(
      auto rows,
      Proposals(ex,
                fmt::format("SELECT {} FROM deliberation_proposals p WHERE p.task_id = ? LIMIT 1",
                            kProposalColumns),
                {Value(task_id)}));
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

Result<std::optional<Proposal>> FindProposalByRequest(Executor& ex, std::string_view request_id) {
  if (request_id.empty()) return std::nullopt;
  XT_ASSIGN_OR_RETURN(
      auto rows,
      Proposals(
          ex,
          fmt::format("SELECT {} FROM deliberation_proposals p WHERE p.request_id = ? LIMIT 1",
                      kProposalColumns),
          {Value(request_id)}));
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

Result<std::optional<Proposal>> FindProposalByKey(Executor& ex, std::string_view author_id,
                                                  std::string_view idempotency_key) {
  XT_ASSIGN_OR_RETURN(auto rows, Proposals(ex,
                                           fmt::format("SELECT {} FROM deliberation_proposals p"
                                                       " WHERE p.author_id = ? AND p.idem_key = ?",
                                                       kProposalColumns),
                                           {Value(author_id), Value(idempotency_key)}));
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

Result<std::vector<Proposal>> ListProposals(Executor& ex, const ProposalFilter& f) {
  std::string sql = fmt::format("SELECT {} FROM deliberation_proposals p", kProposalColumns);
  std::vector<Value> params;
  std::string where;
  auto add = [&](std::string_view clause) {
    where += where.empty() ? " WHERE " : " AND ";
    where += clause;
  };
  if (!f.supported_by.empty()) {
    sql += " JOIN deliberation_supports s ON s.proposal_id = p.id AND s.account_id = ?";
    params.emplace_back(f.supported_by);
  }
  if (!f.community_id.empty()) {
    add("p.community_id = ?");
    params.emplace_back(f.community_id);
  }
  if (!f.statuses.empty()) {
    add(fmt::format("p.status IN ({})", Placeholders(f.statuses.size())));
    for (const auto& s : f.statuses) params.emplace_back(s);
  }
  if (!f.include_hidden) add("p.status <> 'hidden'");
  if (!f.after_id.empty()) {
    add("p.id < ?");
    params.emplace_back(f.after_id);
  }
  sql += where;
  sql += " ORDER BY p.id DESC LIMIT ?";
  params.emplace_back(f.limit);
  return Proposals(ex, sql, params);
}

Result<std::vector<Proposal>> Agenda(Executor& ex, std::string_view community_id) {
  return Proposals(ex,
                   fmt::format("SELECT {} FROM deliberation_proposals p WHERE p.community_id = ?"
                               " AND p.status IN ('qualified','scheduled')"
                               " ORDER BY p.supports DESC, p.qualified_at, p.id",
                               kProposalColumns),
                   {Value(community_id)});
}

Result<bool> UpdateProposal(Executor& ex, const Proposal& p) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE deliberation_proposals SET status = ?, meeting_id = ?, decision = ?,"
                      " decision_reason = ?, decided_by = ?, decided_at = ?, implement_kind = ?,"
                      " implement_spec = ?, force_id = ?, task_id = ?, request_id = ?,"
                      " request_number = ?, percent = ?, completed_at = ?, hidden_reason = ?,"
                      " version = ? WHERE id = ? AND version = ?",
                      {ProposalStatusName(p.status), p.meeting_id, p.decision, p.decision_reason,
                       p.decided_by, p.decided_at, p.implement_kind, p.implement_spec, p.force_id,
                       p.task_id, p.request_id, p.request_number, p.percent, p.completed_at,
                       p.hidden_reason, p.version, p.id, p.version - 1}));
  return n == 1;
}

Result<std::vector<Proposal>> DueToExpire(Executor& ex, Timestamp now, int limit) {
  return Proposals(ex,
                   fmt::format("SELECT {} FROM deliberation_proposals p"
                               " WHERE p.status = 'collecting' AND p.support_until <= ?"
                               " ORDER BY p.support_until LIMIT ?",
                               kProposalColumns),
                   {Value(now), Value(limit)});
}

Result<bool> InsertSupport(Executor& ex, std::string_view proposal_id, std::string_view account_id,
                           Timestamp at) {
  XT_ASSIGN_OR_RETURN(auto n, ex.Exec("INSERT INTO deliberation_supports (proposal_id, account_id,"
                                      " supported_at) VALUES (?, ?, ?)"
                                      " ON CONFLICT (proposal_id, account_id) DO NOTHING",
                                      {proposal_id, account_id, at}));
  return n == 1;
}

Result<std::optional<SupportCount>> CountSupport(Executor& ex, std::string_view proposal_id,
                                                 Timestamp now) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne("UPDATE deliberation_proposals SET supports = supports + 1,"
                  " status = CASE WHEN status = 'collecting' AND supports + 1 >= threshold"
                  " THEN 'qualified' ELSE status END,"
                  " qualified_at = CASE WHEN status = 'collecting' AND supports + 1 >= threshold"
                  " THEN ? ELSE qualified_at END,"
                  " version = version + 1"
                  " WHERE id = ? AND status IN ('collecting','qualified','scheduled')"
                  " AND support_until > ? RETURNING supports, status, qualified_at",
                  {now, proposal_id, now}));
  if (!row) return std::nullopt;
  return SupportCount{row->Int(0),
                      ParseProposalStatus(row->TextView(1)).value_or(ProposalStatus::kCollecting),
                      row->Int(2)};
}

Result<bool> HasSupport(Executor& ex, std::string_view proposal_id, std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT 1 FROM deliberation_supports"
                                            " WHERE proposal_id = ? AND account_id = ?",
                                            {proposal_id, account_id}));
  return row.has_value();
}

Result<std::vector<Supporter>> Supporters(Executor& ex, std::string_view proposal_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT account_id, supported_at FROM"
                                          " deliberation_supports WHERE proposal_id = ?"
                                          " ORDER BY supported_at, account_id",
                                          {proposal_id}));
  std::vector<Supporter> out;
  for (const auto& r : rows) out.push_back({r.Text(0), r.Int(1)});
  return out;
}

Result<void> InsertComment(Executor& ex, const Comment& c) {
  return ex.Defer(
      "INSERT INTO deliberation_comments (id, proposal_id, author_id, text,"
      " created_at, hidden_reason) VALUES (?, ?, ?, ?, ?, ?)",
      {c.id, c.proposal_id, c.author_id, c.text, c.created_at, c.hidden_reason});
}

Result<std::vector<Comment>> Comments(Executor& ex, std::string_view proposal_id, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT id, proposal_id, author_id, text, created_at,"
                                          " hidden_reason FROM deliberation_comments"
                                          " WHERE proposal_id = ? ORDER BY id LIMIT ?",
                                          {proposal_id, limit}));
  std::vector<Comment> out;
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5)});
  return out;
}

Result<bool> InsertUpdate(Executor& ex, const ProposalUpdate& u) {
  XT_ASSIGN_OR_RETURN(auto n,
                      ex.Exec("INSERT INTO deliberation_updates (proposal_id, source_seq,"
                              " at, kind, percent, text) VALUES (?, ?, ?, ?, ?, ?)"
                              " ON CONFLICT (proposal_id, source_seq) DO NOTHING",
                              {u.proposal_id, u.source_seq, u.at, u.kind, u.percent, u.text}));
  return n == 1;
}

Result<std::vector<ProposalUpdate>> Updates(Executor& ex, std::string_view proposal_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT proposal_id, source_seq, at, kind, percent, text"
                                          " FROM deliberation_updates WHERE proposal_id = ?"
                                          " ORDER BY source_seq",
                                          {proposal_id}));
  std::vector<ProposalUpdate> out;
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Int(1), r.Int(2), r.Text(3), r.Int(4), r.Text(5)});
  return out;
}

Result<void> InsertMeeting(Executor& ex, const Meeting& m) {
  return ex.Defer(
      "INSERT INTO deliberation_meetings (id, community_id, title, kind, scheduled_at, place,"
      " agenda, status, minutes, attendees, decisions, created_by, created_at, recorded_by,"
      " recorded_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {m.id, m.community_id, m.title, MeetingKindName(m.kind), m.scheduled_at, m.place,
       StringsText(m.agenda), MeetingStatusName(m.status), m.minutes, StringsText(m.attendees),
       DecisionsText(m.decisions), m.created_by, m.created_at, m.recorded_by, m.recorded_at,
       m.version});
}

Result<std::optional<Meeting>> FindMeeting(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM deliberation_meetings WHERE id = ?", kMeetingColumns),
                  {id}));
  if (!row) return std::nullopt;
  return MeetingFrom(*row);
}

Result<std::vector<Meeting>> ListMeetings(Executor& ex, std::string_view community_id, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM deliberation_meetings"
                                           " WHERE community_id = ?"
                                           " ORDER BY scheduled_at DESC, id DESC LIMIT ?",
                                           kMeetingColumns),
                               {community_id, limit}));
  std::vector<Meeting> out;
  for (const auto& r : rows) out.push_back(MeetingFrom(r));
  return out;
}

Result<bool> UpdateMeeting(Executor& ex, const Meeting& m) {
  XT_ASSIGN_OR_RETURN(
      auto n, ex.Exec("UPDATE deliberation_meetings SET status = ?, minutes = ?, attendees = ?,"
                      " decisions = ?, recorded_by = ?, recorded_at = ?, version = ?"
                      " WHERE id = ? AND version = ?",
                      {MeetingStatusName(m.status), m.minutes, StringsText(m.attendees),
                       DecisionsText(m.decisions), m.recorded_by, m.recorded_at, m.version, m.id,
                       m.version - 1}));
  return n == 1;
}

}  // namespace xietong::participation::store
