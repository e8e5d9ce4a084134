#include "collab/collab_store.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/json.h"

namespace xietong::collab::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"collab", 1, "task forces, tasks, milestones, directives with receipts, channels, messages",
     "CREATE TABLE collab_forces ("
     " id TEXT PRIMARY KEY, title TEXT NOT NULL, subject_kind TEXT NOT NULL,"
     " subject_id TEXT NOT NULL, goal TEXT NOT NULL, charter TEXT NOT NULL,"
     " deadline BIGINT NOT NULL, unit_id TEXT NOT NULL, unit_path TEXT NOT NULL,"
     " unit_name TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " status TEXT NOT NULL, channel_id TEXT NOT NULL, dissolved_at BIGINT NOT NULL,"
     " summary TEXT NOT NULL, version BIGINT NOT NULL);"
     "CREATE INDEX collab_forces_unit ON collab_forces (unit_path, created_at);"
     "CREATE TABLE collab_force_members ("
     " force_id TEXT NOT NULL, account_id TEXT NOT NULL, username TEXT NOT NULL,"
     " display_name TEXT NOT NULL, unit_id TEXT NOT NULL, unit_name TEXT NOT NULL,"
     " role TEXT NOT NULL, added_at BIGINT NOT NULL, PRIMARY KEY (force_id, account_id));"
     "CREATE INDEX collab_force_members_account ON collab_force_members (account_id);"
     "CREATE TABLE collab_tasks ("
     " id TEXT PRIMARY KEY, force_id TEXT NOT NULL, title TEXT NOT NULL,"
     " description TEXT NOT NULL, owner_unit_id TEXT NOT NULL, owner_unit_name TEXT NOT NULL,"
     " owner_account_id TEXT NOT NULL, deadline_days BIGINT NOT NULL, deadline BIGINT NOT NULL,"
     " depends_on TEXT NOT NULL, status TEXT NOT NULL, percent BIGINT NOT NULL,"
     " created_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
     " handed_to TEXT NOT NULL, version BIGINT NOT NULL);"
     "CREATE INDEX collab_tasks_force ON collab_tasks (force_id, created_at);"
     "CREATE INDEX collab_tasks_deadline ON collab_tasks (status, deadline);"
     "CREATE TABLE collab_reports ("
     " id TEXT PRIMARY KEY, task_id TEXT NOT NULL, force_id TEXT NOT NULL,"
     " account_id TEXT NOT NULL, text TEXT NOT NULL, percent BIGINT NOT NULL,"
     " file_ids TEXT NOT NULL, at BIGINT NOT NULL);"
     "CREATE INDEX collab_reports_task ON collab_reports (task_id, at);"
     "CREATE TABLE collab_milestones ("
     " id TEXT PRIMARY KEY, force_id TEXT NOT NULL, stage TEXT NOT NULL, due BIGINT NOT NULL,"
     " budget_fen BIGINT NOT NULL, spent_fen BIGINT NOT NULL, reached_at BIGINT NOT NULL,"
     " version BIGINT NOT NULL, UNIQUE (force_id, stage));"
     "CREATE TABLE collab_directives ("
     " id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL,"
     " from_unit_id TEXT NOT NULL, from_unit_name TEXT NOT NULL, from_unit_path TEXT NOT NULL,"
     " sender_id TEXT NOT NULL, sender_name TEXT NOT NULL, to_units TEXT NOT NULL,"
     " include_subtree BIGINT NOT NULL, ack_by BIGINT NOT NULL, created_at BIGINT NOT NULL,"
     " recipients BIGINT NOT NULL);"
     "CREATE INDEX collab_directives_from ON collab_directives (from_unit_path, created_at);"
     "CREATE INDEX collab_directives_ack_by ON collab_directives (ack_by);"
     "CREATE TABLE collab_receipts ("
     " directive_id TEXT NOT NULL, account_id TEXT NOT NULL, display_name TEXT NOT NULL,"
     " unit_id TEXT NOT NULL, unit_name TEXT NOT NULL, unit_path TEXT NOT NULL,"
     " received_at BIGINT NOT NULL, read_at BIGINT NOT NULL, acked_at BIGINT NOT NULL,"
     " ack_note TEXT NOT NULL, PRIMARY KEY (directive_id, account_id));"
     "CREATE INDEX collab_receipts_account ON collab_receipts (account_id, received_at);"
     "CREATE TABLE collab_channels ("
     " id TEXT PRIMARY KEY, kind TEXT NOT NULL, force_id TEXT NOT NULL, title TEXT NOT NULL,"
     " direct_key TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " last_seq BIGINT NOT NULL, archived BIGINT NOT NULL);"
     "CREATE UNIQUE INDEX collab_channels_direct ON collab_channels (direct_key)"
     " WHERE direct_key <> '';"
     "CREATE TABLE collab_channel_members ("
     " channel_id TEXT NOT NULL, account_id TEXT NOT NULL, username TEXT NOT NULL,"
     " display_name TEXT NOT NULL, read_seq BIGINT NOT NULL, joined_at BIGINT NOT NULL,"
     " PRIMARY KEY (channel_id, account_id));"
     "CREATE INDEX collab_channel_members_account ON collab_channel_members (account_id);"
     "CREATE TABLE collab_messages ("
     " id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, seq BIGINT NOT NULL,"
     " author_id TEXT NOT NULL, author_name TEXT NOT NULL, text TEXT NOT NULL,"
     " mentions TEXT NOT NULL, parent_id TEXT NOT NULL, file_ids TEXT NOT NULL,"
     " at BIGINT NOT NULL, UNIQUE (channel_id, seq))"},
    // A sender who got no answer (a crash, a dropped connection) retries
    // with the same key and gets the first directive, not a second fan-out.
    {"collab", 2, "directives' idempotency keys",
     "CREATE TABLE collab_directive_keys ("
     " sender_id TEXT NOT NULL, idem_key TEXT NOT NULL, directive_id TEXT NOT NULL,"
     " PRIMARY KEY (sender_id, idem_key))"},
};

std::string Strings(const std::vector<std::string>& v) { return json::Json(v).dump(); }
std::vector<std::string> Strings(std::string_view text) {
  std::vector<std::string> out;
  auto j = json::Json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& s : j)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

template <typename E>
E Parsed(Result<E> r, E fallback) {
  return r ? *r : fallback;
}

constexpr std::string_view kForceColumns =
    "f.id, f.title, f.subject_kind, f.subject_id, f.goal, f.charter, f.deadline, f.unit_id,"
    " f.unit_path, f.unit_name, f.created_by, f.created_at, f.status, f.channel_id,"
    " f.dissolved_at, f.summary, f.version";

TaskForce ForceFrom(const storage::Row& r) {
  TaskForce f;
  f.id = r.Text(0);
  f.title = r.Text(1);
  f.subject_kind = Parsed(ParseSubjectKind(r.TextView(2)), SubjectKind::kOther);
  f.subject_id = r.Text(3);
  f.goal = r.Text(4);
  f.charter = r.Text(5);
  f.deadline = r.Int(6);
  f.unit_id = r.Text(7);
  f.unit_path = r.Text(8);
  f.unit_name = r.Text(9);
  f.created_by = r.Text(10);
  f.created_at = r.Int(11);
  f.status = r.TextView(12) == "dissolved" ? ForceStatus::kDissolved : ForceStatus::kActive;
  f.channel_id = r.Text(13);
  f.dissolved_at = r.Int(14);
  f.summary = r.Text(15);
  f.version = r.Int(16);
  return f;
}

constexpr std::string_view kMemberColumns =
    "account_id, username, display_name, unit_id, unit_name, role, added_at";

Member MemberFrom(const storage::Row& r) {
  Member m;
  m.account_id = r.Text(0);
  m.username = r.Text(1);
  m.display_name = r.Text(2);
  m.unit_id = r.Text(3);
  m.unit_name = r.Text(4);
  m.role = Parsed(ParseForceRole(r.TextView(5)), ForceRole::kMember);
  m.added_at = r.Int(6);
  return m;
}

constexpr std::string_view kTaskColumns =
    "t.id, t.force_id, t.title, t.description, t.owner_unit_id, t.owner_unit_name,"
    " t.owner_account_id, t.deadline_days, t.deadline, t.depends_on, t.status, t.percent,"
    " t.created_by, t.created_at, t.updated_at, t.handed_to, t.version";

Task TaskFrom(const storage::Row& r) {
  Task t;
  t.id = r.Text(0);
  t.force_id = r.Text(1);
  t.title = r.Text(2);
  t.description = r.Text(3);
  t.owner_unit_id = r.Text(4);
  t.owner_unit_name = r.Text(5);
  t.owner_account_id = r.Text(6);
  t.deadline_days = static_cast<int>(r.Int(7));
  t.deadline = r.Int(8);
  t.depends_on = Strings(r.TextView(9));
  t.status = Parsed(ParseTaskStatus(r.TextView(10)), TaskStatus::kTodo);
  t.percent = static_cast<int>(r.Int(11));
  t.created_by = r.Text(12);
  t.created_at = r.Int(13);
  t.updated_at = r.Int(14);
  t.handed_to = r.Text(15);
  t.version = r.Int(16);
  return t;
}

constexpr std::string_view kMilestoneColumns =
    "id, force_id, stage, due, budget_fen, spent_fen, reached_at, version";

Milestone MilestoneFrom(const storage::Row& r) {
  Milestone m;
  m.id = r.Text(0);
  m.force_id = r.Text(1);
  m.stage = Parsed(ParseStage(r.TextView(2)), Stage::kInitiation);
  m.due = r.Int(3);
  m.budget_fen = r.Int(4);
  m.spent_fen = r.Int(5);
  m.reached_at = r.Int(6);
  m.version = r.Int(7);
  return m;
}

constexpr std::string_view kDirectiveColumns =
    "d.id, d.title, d.body, d.from_unit_id, d.from_unit_name, d.from_unit_path, d.sender_id,"
    " d.sender_name, d.to_units, d.include_subtree, d.ack_by, d.created_at, d.recipients";
constexpr std::size_t kDirectiveWidth = 13;

Directive DirectiveFrom(const storage::Row& r) {
  Directive d;
  d.id = r.Text(0);
  d.title = r.Text(1);
  d.body = r.Text(2);
  d.from_unit_id = r.Text(3);
  d.from_unit_name = r.Text(4);
  d.from_unit_path = r.Text(5);
  d.sender_id = r.Text(6);
  d.sender_name = r.Text(7);
  d.to_units = Strings(r.TextView(8));
  d.include_subtree = r.Int(9) != 0;
  d.ack_by = r.Int(10);
  d.created_at = r.Int(11);
  d.recipients = r.Int(12);
  return d;
}

constexpr std::string_view kReceiptColumns =
    "r.directive_id, r.account_id, r.display_name, r.unit_id, r.unit_name, r.unit_path,"
    " r.received_at, r.read_at, r.acked_at, r.ack_note";

Receipt ReceiptFrom(const storage::Row& r, std::size_t at = 0) {
  Receipt x;
  x.directive_id = r.Text(at + 0);
  x.account_id = r.Text(at + 1);
  x.display_name = r.Text(at + 2);
  x.unit_id = r.Text(at + 3);
  x.unit_name = r.Text(at + 4);
  x.unit_path = r.Text(at + 5);
  x.received_at = r.Int(at + 6);
  x.read_at = r.Int(at + 7);
  x.acked_at = r.Int(at + 8);
  x.ack_note = r.Text(at + 9);
  return x;
}

constexpr std::string_view kChannelColumns =
    "c.id, c.kind, c.force_id, c.title, c.direct_key, c.created_by, c.created_at, c.last_seq,"
    " c.archived";

Channel ChannelFrom(const storage::Row& r) {
  Channel c;
  c.id = r.Text(0);
  const auto kind = r.TextView(1);
  c.kind = kind == "force"    ? ChannelKind::kForce
           : kind == "direct" ? ChannelKind::kDirect
                              : ChannelKind::kGroup;
  c.force_id = r.Text(2);
  c.title = r.Text(3);
  c.direct_key = r.Text(4);
  c.created_by = r.Text(5);
  c.created_at = r.Int(6);
  c.last_seq = r.Int(7);
  c.archived = r.Int(8) != 0;
  return c;
}

constexpr std::string_view kMessageColumns =
    "id, channel_id, seq, author_id, author_name, text, mentions, parent_id, file_ids, at";

Message MessageFrom(const storage::Row& r) {
  Message m;
  m.id = r.Text(0);
  m.channel_id = r.Text(1);
  m.seq = r.Int(2);
  m.author_id = r.Text(3);
  m.author_name = r.Text(4);
  m.text = r.Text(5);
  m.mentions = Strings(r.TextView(6));
  m.parent_id = r.Text(7);
  m.file_ids = Strings(r.TextView(8));
  m.at = r.Int(9);
  return m;
}

// "(unit_path LIKE ? OR …)" for a set of subtree prefixes.
std::string UnderAny(std::string_view column, std::span<const std::string> paths,
                     std::vector<storage::Value>& params) {
  std::string sql = "(";
  for (std::size_t i = 0; i < paths.size(); ++i) {
    sql += fmt::format("{}{} LIKE ?", i ? " OR " : "", column);
    params.emplace_back(paths[i] + "%");
  }
  return sql + ")";
}

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

// --- task forces ---------------------------------------------------------------------

Result<void> InsertForce(Executor& ex, const TaskForce& f) {
  return ex.Defer(
      "INSERT INTO collab_forces (id, title, subject_kind, subject_id, goal, charter, deadline,"
      " unit_id, unit_path, unit_name, created_by, created_at, status, channel_id, dissolved_at,"
      " summary, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {f.id, f.title, SubjectKindName(f.subject_kind), f.subject_id, f.goal, f.charter, f.deadline,
       f.unit_id, f.unit_path, f.unit_name, f.created_by, f.created_at, ForceStatusName(f.status),
       f.channel_id, f.dissolved_at, f.summary, f.version});
}

Result<std::optional<TaskForce>> FindForce(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM collab_forces f WHERE f.id = ?", kForceColumns),
                  {id}));
  if (!row) return std::optional<TaskForce>();
  return std::optional<TaskForce>(ForceFrom(*row));
}

Result<bool> UpdateForce(Executor& ex, TaskForce& f) {
  XT_ASSIGN_OR_RETURN(
      const auto n,
      ex.Exec(
          "UPDATE collab_forces SET status = ?, summary = ?, dissolved_at = ?, version = ?"
          " WHERE id = ? AND version = ?",
          {ForceStatusName(f.status), f.summary, f.dissolved_at, f.version + 1, f.id, f.version}));
  if (n == 0) return false;
  ++f.version;
  return true;
}

Result<std::vector<TaskForce>> ForcesOf(Executor& ex, std::string_view account_id, int limit) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM collab_forces f"
                                           " JOIN collab_force_members m ON m.force_id = f.id"
                                           " WHERE m.account_id = ?"
                                           " ORDER BY f.created_at DESC, f.id DESC LIMIT {}",
                                           kForceColumns, limit),
                               {account_id}));
  std::vector<TaskForce> out;
  for (const auto& r : rows) out.push_back(ForceFrom(r));
  return out;
}

Result<std::vector<TaskForce>> ForcesUnder(Executor& ex, std::span<const std::string> paths,
                                           int limit) {
  if (paths.empty()) return std::vector<TaskForce>();
  std::vector<storage::Value> params;
  const std::string where = UnderAny("f.unit_path", paths, params);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM collab_forces f WHERE {}"
                                                      " ORDER BY f.created_at DESC, f.id DESC"
                                                      " LIMIT {}",
                                                      kForceColumns, where, limit),
                                          storage::Params(params)));
  std::vector<TaskForce> out;
  for (const auto& r : rows) out.push_back(ForceFrom(r));
  return out;
}

Result<void> InsertMember(Executor& ex, std::string_view force_id, const Member& m) {
  return ex.Defer(
      "INSERT INTO collab_force_members (force_id, account_id, username, display_name, unit_id,"
      " unit_name, role, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {force_id, m.account_id, m.username, m.display_name, m.unit_id, m.unit_name,
       ForceRoleName(m.role), m.added_at});
}

Result<bool> DeleteMember(Executor& ex, std::string_view force_id, std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(
      const auto n,
      ex.Exec("DELETE FROM collab_force_members WHERE force_id = ? AND account_id = ?",
              {force_id, account_id}));
  return n > 0;
}

Result<std::vector<Member>> Members(Executor& ex, std::string_view force_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM collab_force_members"
                                                      " WHERE force_id = ?"
                                                      " ORDER BY added_at, account_id",
                                                      kMemberColumns),
                                          {force_id}));
  std::vector<Member> out;
  for (const auto& r : rows) out.push_back(MemberFrom(r));
  return out;
}

Result<std::optional<Member>> FindMember(Executor& ex, std::string_view force_id,
                                         std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM collab_force_members"
                                                        " WHERE force_id = ? AND account_id = ?",
                                                        kMemberColumns),
                                            {force_id, account_id}));
  if (!row) return std::optional<Member>();
  return std::optional<Member>(MemberFrom(*row));
}

// --- tasks, reports, milestones --------------------------------------------------------

Result<void> InsertTask(Executor& ex, const Task& t) {
  return ex.Defer(
      "INSERT INTO collab_tasks (id, force_id, title, description, owner_unit_id,"
      " owner_unit_name, owner_account_id, deadline_days, deadline, depends_on, status, percent,"
      " created_by, created_at, updated_at, handed_to, version)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {t.id, t.force_id, t.title, t.description, t.owner_unit_id, t.owner_unit_name,
       t.owner_account_id, t.deadline_days, t.deadline, Strings(t.depends_on),
       TaskStatusName(t.status), t.percent, t.created_by, t.created_at, t.updated_at, t.handed_to,
       t.version});
}

Result<bool> UpdateTask(Executor& ex, Task& t) {
  XT_ASSIGN_OR_RETURN(
      const auto n,
      ex.Exec("UPDATE collab_tasks SET owner_unit_id = ?, owner_unit_name = ?,"
              " owner_account_id = ?, depends_on = ?, status = ?, percent = ?, updated_at = ?,"
              " handed_to = ?, version = ? WHERE id = ? AND version = ?",
              {t.owner_unit_id, t.owner_unit_name, t.owner_account_id, Strings(t.depends_on),
               TaskStatusName(t.status), t.percent, t.updated_at, t.handed_to, t.version + 1, t.id,
               t.version}));
  if (n == 0) return false;
  ++t.version;
  return true;
}

Result<std::optional<Task>> FindTask(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM collab_tasks t WHERE t.id = ?", kTaskColumns), {id}));
  if (!row) return std::optional<Task>();
  return std::optional<Task>(TaskFrom(*row));
}

Result<std::vector<Task>> Tasks(Executor& ex, std::string_view force_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM collab_tasks t"
                                                      " WHERE t.force_id = ?"
                                                      " ORDER BY t.created_at, t.id",
                                                      kTaskColumns),
                                          {force_id}));
  std::vector<Task> out;
  for (const auto& r : rows) out.push_back(TaskFrom(r));
  return out;
}

Result<std::vector<Task>> OverdueForLead(Executor& ex, std::string_view account_id,
                                         Timestamp before, int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM collab_tasks t"
                           " JOIN collab_forces f ON f.id = t.force_id"
                           " JOIN collab_force_members m ON m.force_id = t.force_id"
                           " WHERE m.account_id = ? AND m.role IN ('lead', 'liaison')"
                           " AND f.status = 'active' AND t.status <> 'done' AND t.deadline < ?"
                           " ORDER BY t.deadline, t.id LIMIT {}",
                           kTaskColumns, limit),
               {account_id, before}));
  std::vector<Task> out;
  for (const auto& r : rows) out.push_back(TaskFrom(r));
  return out;
}

Result<void> InsertReport(Executor& ex, const ProgressReport& r) {
  return ex.Defer(
      "INSERT INTO collab_reports (id, task_id, force_id, account_id, text, percent, file_ids, at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {r.id, r.task_id, r.force_id, r.account_id, r.text, r.percent, Strings(r.file_ids), r.at});
}

Result<std::vector<ProgressReport>> Reports(Executor& ex, std::string_view task_id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT id, task_id, force_id, account_id, text, percent, file_ids,"
                               " at FROM collab_reports WHERE task_id = ? ORDER BY at, id",
                               {task_id}));
  std::vector<ProgressReport> out;
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4),
                   static_cast<int>(r.Int(5)), Strings(r.TextView(6)), r.Int(7)});
  return out;
}

Result<void> InsertMilestone(Executor& ex, const Milestone& m) {
  return ex.Defer(
      "INSERT INTO collab_milestones (id, force_id, stage, due, budget_fen, spent_fen,"
      " reached_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {m.id, m.force_id, StageName(m.stage), m.due, m.budget_fen, m.spent_fen, m.reached_at,
       m.version});
}

Result<bool> UpdateMilestone(Executor& ex, Milestone& m) {
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("UPDATE collab_milestones SET spent_fen = ?, reached_at = ?,"
                              " version = ? WHERE id = ? AND version = ?",
                              {m.spent_fen, m.reached_at, m.version + 1, m.id, m.version}));
  if (n == 0) return false;
  ++m.version;
  return true;
}

Result<std::optional<Milestone>> FindMilestone(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM collab_milestones"
                                                        " WHERE id = ?",
                                                        kMilestoneColumns),
                                            {id}));
  if (!row) return std::optional<Milestone>();
  return std::optional<Milestone>(MilestoneFrom(*row));
}

Result<std::vector<Milestone>> Milestones(Executor& ex, std::string_view force_id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM collab_milestones"
                                                      " WHERE force_id = ?",
                                                      kMilestoneColumns),
                                          {force_id}));
  std::vector<Milestone> out;
  for (const auto& r : rows) out.push_back(MilestoneFrom(r));
  std::sort(out.begin(), out.end(),
            [](const Milestone& a, const Milestone& b) { return a.stage < b.stage; });
  return out;
}

// --- directives and receipts -----------------------------------------------------------

Result<void> InsertDirective(Executor& ex, const Directive& d) {
  return ex.Defer(
      "INSERT INTO collab_directives (id, title, body, from_unit_id, from_unit_name,"
      " from_unit_path, sender_id, sender_name, to_units, include_subtree, ack_by, created_at,"
      " recipients) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {d.id, d.title, d.body, d.from_unit_id, d.from_unit_name, d.from_unit_path, d.sender_id,
       d.sender_name, Strings(d.to_units), d.include_subtree, d.ack_by, d.created_at,
       d.recipients});
}

Result<void> InsertReceipts(Executor& ex, std::string_view directive_id, Timestamp at,
                            std::span<const Receipt> receipts, int batch) {
  const std::size_t size = static_cast<std::size_t>(std::max(1, batch));
  std::vector<storage::Value> params;
  std::string sql;
  for (std::size_t from = 0; from < receipts.size(); from += size) {
    const std::size_t n = std::min(size, receipts.size() - from);
    sql =
        "INSERT INTO collab_receipts (directive_id, account_id, display_name, unit_id, unit_name,"
        " unit_path, received_at, read_at, acked_at, ack_note) VALUES ";
    params.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const Receipt& r = receipts[from + i];
      sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, 0, 0, '')" : ", (?, ?, ?, ?, ?, ?, ?, 0, 0, '')";
      params.insert(params.end(), {storage::Value(directive_id), r.account_id, r.display_name,
                                   r.unit_id, r.unit_name, r.unit_path, at});
    }
    XT_TRY_VOID(ex.Defer(sql, storage::Params(params)));
  }
  return {};
}

Result<std::optional<Directive>> FindDirective(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM collab_directives d"
                                                        " WHERE d.id = ?",
                                                        kDirectiveColumns),
                                            {id}));
  if (!row) return std::optional<Directive>();
  return std::optional<Directive>(DirectiveFrom(*row));
}

Result<std::optional<std::string>> DirectiveByKey(Executor& ex, std::string_view sender_id,
                                                  std::string_view key) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT directive_id FROM collab_directive_keys"
                                            " WHERE sender_id = ? AND idem_key = ?",
                                            {sender_id, key}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

Result<std::optional<std::string>> ClaimDirectiveKey(Executor& ex, std::string_view sender_id,
                                                     std::string_view key,
                                                     std::string_view directive_id) {
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("INSERT INTO collab_directive_keys (sender_id, idem_key,"
                              " directive_id) VALUES (?, ?, ?)"
                              " ON CONFLICT (sender_id, idem_key) DO NOTHING",
                              {sender_id, key, directive_id}));
  if (n > 0) return std::optional<std::string>();
  // Claimed before (or by a concurrent sender that committed first).
  XT_ASSIGN_OR_RETURN(auto first, DirectiveByKey(ex, sender_id, key));
  if (!first) return Fail(Error::Conflict("this Idempotency-Key is being used right now; retry"));
  return first;
}

Result<std::optional<Receipt>> FindReceipt(Executor& ex, std::string_view directive_id,
                                           std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto row,
                      ex.QueryOne(fmt::format("SELECT {} FROM collab_receipts r"
                                              " WHERE r.directive_id = ? AND r.account_id = ?",
                                              kReceiptColumns),
                                  {directive_id, account_id}));
  if (!row) return std::optional<Receipt>();
  return std::optional<Receipt>(ReceiptFrom(*row));
}

Result<std::vector<Receipt>> Receipts(Executor& ex, std::string_view directive_id) {
  std::vector<Receipt> out;
  const storage::Value params[] = {directive_id};
  XT_TRY_VOID(ex.QueryEach(fmt::format("SELECT {} FROM collab_receipts r"
                                       " WHERE r.directive_id = ? ORDER BY r.account_id",
                                       kReceiptColumns),
                           params, [&](const storage::Row& row) {
                             out.push_back(ReceiptFrom(row));
                             return true;
                           }));
  return out;
}

Result<bool> MarkRead(Executor& ex, std::string_view directive_id, std::string_view account_id,
                      Timestamp at) {
  XT_ASSIGN_OR_RETURN(const auto n, ex.Exec("UPDATE collab_receipts SET read_at = ?"
                                            " WHERE directive_id = ? AND account_id = ?"
                                            " AND read_at = 0",
                                            {at, directive_id, account_id}));
  return n > 0;
}

Result<bool> MarkAcknowledged(Executor& ex, std::string_view directive_id,
                              std::string_view account_id, Timestamp at, std::string_view note) {
  XT_ASSIGN_OR_RETURN(const auto n,
                      ex.Exec("UPDATE collab_receipts SET acked_at = ?, ack_note = ?,"
                              " read_at = CASE WHEN read_at = 0 THEN ? ELSE read_at END"
                              " WHERE directive_id = ? AND account_id = ? AND acked_at = 0",
                              {at, note, at, directive_id, account_id}));
  return n > 0;
}

Result<std::vector<InboxItem>> Inbox(Executor& ex, std::string_view account_id, int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows, ex.Query(fmt::format("SELECT {}, {} FROM collab_receipts r"
                                      " JOIN collab_directives d ON d.id = r.directive_id"
                                      " WHERE r.account_id = ?"
                                      " ORDER BY r.received_at DESC, r.directive_id DESC LIMIT {}",
                                      kDirectiveColumns, kReceiptColumns, limit),
                          {account_id}));
  std::vector<InboxItem> out;
  for (const auto& r : rows) out.push_back({DirectiveFrom(r), ReceiptFrom(r, kDirectiveWidth)});
  return out;
}

Result<std::vector<Directive>> Sent(Executor& ex, std::span<const std::string> paths, int limit) {
  if (paths.empty()) return std::vector<Directive>();
  std::vector<storage::Value> params;
  const std::string where = UnderAny("d.from_unit_path", paths, params);
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM collab_directives d"
                                                      " WHERE {} ORDER BY d.created_at DESC,"
                                                      " d.id DESC LIMIT {}",
                                                      kDirectiveColumns, where, limit),
                                          storage::Params(params)));
  std::vector<Directive> out;
  for (const auto& r : rows) out.push_back(DirectiveFrom(r));
  return out;
}

Result<std::vector<InboxItem>> Unacknowledged(Executor& ex, std::string_view directive_id,
                                              Timestamp now, int limit) {
  std::vector<storage::Value> params{now};
  std::string where = "d.ack_by > 0 AND d.ack_by < ? AND r.acked_at = 0";
  if (!directive_id.empty()) {
    where += " AND d.id = ?";
    params.emplace_back(directive_id);
  }
  XT_ASSIGN_OR_RETURN(
      auto rows, ex.Query(fmt::format("SELECT {}, {} FROM collab_directives d"
                                      " JOIN collab_receipts r ON r.directive_id = d.id"
                                      " WHERE {} ORDER BY d.ack_by, d.id, r.account_id LIMIT {}",
                                      kDirectiveColumns, kReceiptColumns, where, limit),
                          storage::Params(params)));
  std::vector<InboxItem> out;
  for (const auto& r : rows) out.push_back({DirectiveFrom(r), ReceiptFrom(r, kDirectiveWidth)});
  return out;
}

// --- channels and messages -------------------------------------------------------------

Result<void> InsertChannel(Executor& ex, const Channel& c) {
  return ex.Defer(
      "INSERT INTO collab_channels (id, kind, force_id, title, direct_key, created_by,"
      " created_at, last_seq, archived) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {c.id, ChannelKindName(c.kind), c.force_id, c.title, c.direct_key, c.created_by, c.created_at,
       c.last_seq, c.archived});
}

Result<std::optional<Channel>> FindChannel(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM collab_channels c WHERE c.id = ?", kChannelColumns),
                  {id}));
  if (!row) return std::optional<Channel>();
  return std::optional<Channel>(ChannelFrom(*row));
}

Result<std::optional<Channel>> FindDirect(Executor& ex, std::string_view direct_key) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM collab_channels c"
                                                        " WHERE c.direct_key = ?",
                                                        kChannelColumns),
                                            {direct_key}));
  if (!row) return std::optional<Channel>();
  return std::optional<Channel>(ChannelFrom(*row));
}

Result<void> ArchiveChannel(Executor& ex, std::string_view id) {
  return ex.Defer("UPDATE collab_channels SET archived = 1 WHERE id = ?", {id});
}

Result<std::optional<std::int64_t>> NextSeqFor(Executor& ex, std::string_view channel_id,
                                               std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("UPDATE collab_channels SET last_seq = last_seq + 1"
                                            " WHERE id = ? AND archived = 0 AND EXISTS ("
                                            "  SELECT 1 FROM collab_channel_members"
                                            "  WHERE channel_id = ? AND account_id = ?)"
                                            " RETURNING last_seq",
                                            {channel_id, channel_id, account_id}));
  if (!row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(row->Int(0));
}

Result<void> InsertChannelMember(Executor& ex, const ChannelMember& m) {
  return ex.Defer(
      "INSERT INTO collab_channel_members (channel_id, account_id, username, display_name,"
      " read_seq, joined_at) VALUES (?, ?, ?, ?, ?, ?)"
      " ON CONFLICT (channel_id, account_id) DO NOTHING",
      {m.channel_id, m.account_id, m.username, m.display_name, m.read_seq, m.joined_at});
}

Result<bool> DeleteChannelMember(Executor& ex, std::string_view channel_id,
                                 std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(
      const auto n,
      ex.Exec("DELETE FROM collab_channel_members WHERE channel_id = ? AND account_id = ?",
              {channel_id, account_id}));
  return n > 0;
}

Result<std::optional<ChannelMember>> FindChannelMember(Executor& ex, std::string_view channel_id,
                                                       std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT channel_id, account_id, username, display_name,"
                                            " read_seq, joined_at FROM collab_channel_members"
                                            " WHERE channel_id = ? AND account_id = ?",
                                            {channel_id, account_id}));
  if (!row) return std::optional<ChannelMember>();
  return std::optional<ChannelMember>(ChannelMember{row->Text(0), row->Text(1), row->Text(2),
                                                    row->Text(3), row->Int(4), row->Int(5)});
}

Result<std::vector<ChannelMember>> ChannelMembers(Executor& ex, std::string_view channel_id) {
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query("SELECT channel_id, account_id, username, display_name, read_seq,"
                               " joined_at FROM collab_channel_members WHERE channel_id = ?"
                               " ORDER BY joined_at, account_id",
                               {channel_id}));
  std::vector<ChannelMember> out;
  for (const auto& r : rows)
    out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)});
  return out;
}

Result<void> MarkChannelRead(Executor& ex, std::string_view channel_id, std::string_view account_id,
                             std::int64_t seq) {
  return ex.Defer(
      "UPDATE collab_channel_members SET read_seq = ?"
      " WHERE channel_id = ? AND account_id = ? AND read_seq < ?",
      {seq, channel_id, account_id, seq});
}

Result<std::vector<ChannelSummary>> ChannelsOf(Executor& ex, std::string_view account_id) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {}, m.read_seq,"
                           " (SELECT COUNT(*) FROM collab_messages x WHERE x.channel_id = c.id"
                           "  AND x.seq > m.read_seq AND x.author_id <> m.account_id)"
                           " FROM collab_channels c"
                           " JOIN collab_channel_members m ON m.channel_id = c.id"
                           " WHERE m.account_id = ? ORDER BY c.created_at DESC, c.id DESC",
                           kChannelColumns),
               {account_id}));
  std::vector<ChannelSummary> out;
  for (const auto& r : rows) out.push_back({ChannelFrom(r), r.Int(9), r.Int(10)});
  return out;
}

Result<void> InsertMessage(Executor& ex, const Message& m) {
  return ex.Defer(
      "INSERT INTO collab_messages (id, channel_id, seq, author_id, author_name, text, mentions,"
      " parent_id, file_ids, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {m.id, m.channel_id, m.seq, m.author_id, m.author_name, m.text, Strings(m.mentions),
       m.parent_id, Strings(m.file_ids), m.at});
}

Result<std::optional<Message>> FindMessage(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM collab_messages"
                                                        " WHERE id = ?",
                                                        kMessageColumns),
                                            {id}));
  if (!row) return std::optional<Message>();
  return std::optional<Message>(MessageFrom(*row));
}

Result<std::vector<Message>> MessagesPage(Executor& ex, std::string_view channel_id,
                                          const Cursor& from, int limit) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(
          fmt::format("SELECT {} FROM collab_messages WHERE channel_id = ? AND seq {} ?"
                      " ORDER BY seq {} LIMIT {}",
                      kMessageColumns, from.after ? ">" : "<", from.after ? "ASC" : "DESC", limit),
          {channel_id, from.seq}));
  std::vector<Message> out;
  for (const auto& r : rows) out.push_back(MessageFrom(r));
  if (!from.after) std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<MessageHit>> SearchMessages(Executor& ex, std::string_view account_id,
                                               std::string_view channel_id, std::string_view needle,
                                               int limit) {
  // LIKE with its own escape character, so '%' and '_' in the needle are
  // literal; text and pattern pass through the same LOWER, so each backend
  // folds both alike (SQLite: ASCII only; PostgreSQL: by its locale).
  std::string pattern = "%";
  for (char c : needle) {
    if (c == '%' || c == '_' || c == '!') pattern += '!';
    pattern += c;
  }
  pattern += '%';
  std::vector<storage::Value> params = {account_id};
  if (!channel_id.empty()) params.push_back(channel_id);
  params.push_back(pattern);
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT x.id, x.channel_id, x.seq, x.author_id, x.author_name, x.text,"
                           " x.mentions, x.parent_id, x.file_ids, x.at, c.title, c.kind"
                           " FROM collab_messages x"
                           " JOIN collab_channel_members m ON m.channel_id = x.channel_id"
                           " JOIN collab_channels c ON c.id = x.channel_id"
                           " WHERE m.account_id = ?{} AND LOWER(x.text) LIKE LOWER(?) ESCAPE '!'"
                           " ORDER BY x.at DESC, x.id DESC LIMIT {}",
                           channel_id.empty() ? "" : " AND x.channel_id = ?", limit),
               params));
  std::vector<MessageHit> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    MessageHit h;
    h.message = MessageFrom(r);
    h.channel_title = r.Text(10);
    const auto kind = r.TextView(11);
    h.channel_kind = kind == "force"    ? ChannelKind::kForce
                     : kind == "direct" ? ChannelKind::kDirect
                                        : ChannelKind::kGroup;
    out.push_back(std::move(h));
  }
  return out;
}

namespace {
Result<std::vector<std::string>> Ids(Executor& ex, std::string_view sql, std::string_view key) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, {key}));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.Text(0));
  return out;
}
}  // namespace

Result<std::vector<std::string>> ChannelMemberIds(Executor& ex, std::string_view channel_id) {
  return Ids(ex, "SELECT account_id FROM collab_channel_members WHERE channel_id = ?", channel_id);
}

Result<std::vector<std::string>> ForceMemberIds(Executor& ex, std::string_view force_id) {
  return Ids(ex, "SELECT account_id FROM collab_force_members WHERE force_id = ?", force_id);
}

Result<std::vector<std::string>> ReceiptAccountIds(Executor& ex, std::string_view directive_id) {
  return Ids(ex, "SELECT account_id FROM collab_receipts WHERE directive_id = ?", directive_id);
}

}  // namespace xietong::collab::store
