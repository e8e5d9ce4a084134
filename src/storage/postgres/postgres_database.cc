#include "storage/postgres/postgres_database.h"

#include <fmt/core.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "storage/group_commit.h"

namespace xietong::storage {
namespace {

// What every caller sees when a connection is lost; libpq's text goes to the log only.
constexpr std::string_view kUnreachable = "the database cannot be reached; try again shortly";
constexpr std::string_view kFailed = "the database could not run the request";

// Above this many prepared statements a connection drops them all (DEALLOCATE ALL)
// before its next transaction, so SQL built at run time cannot grow the cache forever.
constexpr std::size_t kMaxPreparedStatements = 1000;

// Type OIDs from PostgreSQL's pg_type.dat; they are fixed for built-in types.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

bool IsIdentifierChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '_' ||
         c == '$' || u >= 0x80;
}

struct Rewritten {
  std::string sql;
  int param_count = 0;
};

// Turns each `?` into $1, $2 … except inside string literals ('…', E'…'),
// quoted identifiers, dollar-quoted strings and comments. Unterminated quotes are
// copied as they are; the server then reports the syntax error.
Rewritten RewritePlaceholders(std::string_view sql) {
  Rewritten out;
  out.sql.reserve(sql.size() + 16);
  const std::size_t n = sql.size();
  std::size_t i = 0;
  auto copy_to = [&](std::size_t end) {
    end = std::min(end, n);
    out.sql.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < n) {
    const char c = sql[i];
    const char next = i + 1 < n ? sql[i + 1] : '\0';
    if (c == '\'') {
      // E'…' strings take backslash escapes; standard strings only double quotes.
      const bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           (i < 2 || !IsIdentifierChar(sql[i - 2]));
      std::size_t j = i + 1;
      while (j < n) {
        if (escapes && sql[j] == '\\') {
          j += 2;
        } else if (sql[j] == '\'') {
          if (j + 1 < n && sql[j + 1] == '\'') {
            j += 2;
          } else {
            ++j;
            break;
          }
        } else {
          ++j;
        }
      }
      copy_to(j);
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < n) {
        if (sql[j] == '"') {
          if (j + 1 < n && sql[j + 1] == '"') {
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        ++j;
      }
      copy_to(j);
    } else if (c == '-' && next == '-') {
      const std::size_t eol = sql.find('\n', i);
      copy_to(eol == std::string_view::npos ? n : eol + 1);
    } else if (c == '/' && next == '*') {
      // Block comments nest in PostgreSQL.
      int depth = 0;
      std::size_t j = i;
      while (j < n) {
        if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
          j += 2;
          if (--depth == 0) break;
        } else {
          ++j;
        }
      }
      copy_to(j);
    } else if (c == '$' && (i == 0 || !IsIdentifierChar(sql[i - 1])) &&
               !(next >= '0' && next <= '9')) {
      // A dollar quote: $$…$$ or $tag$…$tag$ (a tag never starts with a digit).
      std::size_t k = i + 1;
      while (k < n && sql[k] != '$' && IsIdentifierChar(sql[k])) ++k;
      if (k < n && sql[k] == '$') {
        const std::string_view tag = sql.substr(i, k - i + 1);
        const std::size_t close = sql.find(tag, k + 1);
        copy_to(close == std::string_view::npos ? n : close + tag.size());
      } else {
        copy_to(i + 1);
      }
    } else if (c == '?') {
      out.sql += fmt::format("${}", ++out.param_count);
      ++i;
    } else {
      out.sql += c;
      ++i;
    }
  }
  return out;
}

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Text-format column value → Value, by the column's type.
Value ConvertField(Oid type, std::string_view text) {
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
      if (auto v = ParseInt(text)) return *v;
      break;
    case kFloat4Oid:
    case kFloat8Oid:
      if (auto v = ParseDouble(text)) return *v;
      break;
    case kNumericOid:
      if (auto v = ParseInt(text)) return *v;  // integral and within int64
      if (auto v = ParseDouble(text)) return *v;
      break;
    case kBoolOid:
      return std::int64_t{text == "t" ? 1 : 0};
    default:
      break;
  }
  return std::string(text);
}

// Row `r` of a text-format result.
Row ConvertRow(const PGresult* res, int r) {
  const int cols = PQnfields(res);
  std::vector<Value> values;
  values.reserve(static_cast<std::size_t>(cols));
  for (int c = 0; c < cols; ++c) {
    if (PQgetisnull(res, r, c)) {
      values.emplace_back(nullptr);
    } else {
      values.push_back(ConvertField(
          PQftype(res, c), std::string_view(PQgetvalue(res, r, c),
                                            static_cast<std::size_t>(PQgetlength(res, r, c)))));
    }
  }
  return Row(std::move(values));
}

void LogNotice(void* /*arg*/, const char* message) {
  spdlog::debug("postgres: {}", TrimRight(message));
}

// "host:port" of a connection (or of the failed attempt to make one).
std::string Endpoint(const PGconn* conn) {
  const char* host = PQhost(conn);
  const char* port = PQport(conn);
  return fmt::format("{}:{}", host && *host ? host : "localhost", port && *port ? port : "5432");
}

std::string DescribeConnection(const PGconn* conn) {
  std::string host = PQhost(conn) ? PQhost(conn) : "";
  if (host.starts_with('/')) {
    // A Unix socket directory, written the way libpq URIs spell it.
    std::string encoded;
    for (char c : host) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
    host = std::move(encoded);
  }
  return fmt::format("postgresql://{}@{}:{}/{}", PQuser(conn) ? PQuser(conn) : "", host,
                     PQport(conn) ? PQport(conn) : "", PQdb(conn) ? PQdb(conn) : "");
}

// One libpq connection and what belongs to its server session (prepared
// statements). Not thread-safe: used by one thread at a time (the writer thread,
// or the reader that borrowed it from the pool).
class PgSession {
 public:
  explicit PgSession(std::string url) : url_(std::move(url)) {}
  ~PgSession() {
    if (conn_ != nullptr) PQfinish(conn_);
  }
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // Connects for the first time. Unlike the reconnects that follow, the error
  // names the server (host:port) so a wrong URL is easy to spot at startup.
  Result<void> Open() {
    conn_ = Connect();
    if (conn_ == nullptr)
      return Fail(Error::Internal("out of memory opening a database connection"));
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string endpoint = Endpoint(conn_);
      spdlog::error("cannot connect to PostgreSQL at {}: {}", endpoint,
                    TrimRight(PQerrorMessage(conn_)));
      return Fail(Error::Unavailable(fmt::format(
          "cannot connect to PostgreSQL at {}; check that the server is running and the "
          "database URL is right",
          endpoint)));
    }
    return Setup();
  }

  std::string Describe() const { return DescribeConnection(conn_); }

  // Opens a transaction with `begin_sql`, reconnecting first when the connection
  // is known to be lost. Leftovers of an earlier transaction are rolled back.
  Result<void> BeginTransaction(const char* begin_sql) {
    XT_TRY_VOID(EnsureConnected());
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      spdlog::warn("postgres {}: a transaction was left open; rolling it back", Describe());
      XT_TRY_VOID(Command("ROLLBACK"));
    }
    if (statements_.size() > kMaxPreparedStatements) {
      XT_TRY_VOID(Command("DEALLOCATE ALL"));
      statements_.clear();
    }
    return Command(begin_sql);
  }

  // COMMIT, failing when the server rolled back instead (it answers COMMIT in an
  // aborted transaction with ROLLBACK, which must not count as durable).
  Result<void> CommitTransaction() {
    XT_TRY_VOID(Flush());
    XT_ASSIGN_OR_RETURN(PgResult res, Run("COMMIT", PQexec(conn_, "COMMIT")));
    if (std::string_view(PQcmdStatus(res.get())) != "COMMIT") {
      spdlog::error("postgres {}: COMMIT answered {}; an earlier statement failed and was ignored",
                    Describe(), PQcmdStatus(res.get()));
      return Fail(Error::Internal("the change could not be saved"));
    }
    return {};
  }

  void RollbackQuietly() {
    if (broken_ || conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return;
    (void)Flush();  // the answers still owed; their errors do not matter now
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    if (auto r = Command("ROLLBACK"); !r) {
      spdlog::warn("postgres {}: ROLLBACK failed", Describe());
    }
  }

  Result<std::vector<Row>> Query(std::string_view sql, Params params) {
    XT_ASSIGN_OR_RETURN(PgResult res, ExecPrepared(sql, params));
    const int rows = PQntuples(res.get());
    std::vector<Row> out;
    out.reserve(static_cast<std::size_t>(rows));
    for (int r = 0; r < rows; ++r) out.push_back(ConvertRow(res.get(), r));
    return out;
  }

  // Streams rows in libpq's single-row mode. Stopping early still reads the rest
  // of the result (and drops it): cancelling would abort the caller's transaction.
  Result<void> QueryEach(std::string_view sql, Params params,
                         const std::function<bool(const Row&)>& fn) {
    XT_TRY_VOID(Flush());
    XT_TRY_VOID(CheckUsable());
    XT_ASSIGN_OR_RETURN(const Prepared* prepared, PrepareCached(sql));
    XT_ASSIGN_OR_RETURN(BoundParams bound, Bind(*prepared, sql, params));
    if (PQsendQueryPrepared(conn_, prepared->name.c_str(), static_cast<int>(params.size()),
                            bound.values.data(), nullptr, nullptr, 0) == 0) {
      return Fail(Failure(nullptr, sql));
    }
    PQsetSingleRowMode(conn_);
    std::optional<Error> error;
    bool wanted = true;
    while (PGresult* raw = PQgetResult(conn_)) {
      PgResult res(raw);
      const ExecStatusType status = PQresultStatus(res.get());
      if (status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK) {
        // TUPLES_OK ends the stream with no rows, or holds them all if single-row
        // mode could not be set.
        for (int r = 0; r < PQntuples(res.get()) && wanted && !error; ++r) {
          try {
            wanted = fn(ConvertRow(res.get(), r));
          } catch (...) {
            res.reset();
            DrainResults();  // leave the connection ready for the next statement
            throw;
          }
        }
      } else if (status != PGRES_COMMAND_OK && !error) {
        error = Failure(res.get(), sql);
      }
    }
    if (error) return Fail(std::move(*error));
    return {};
  }

  Result<std::int64_t> Exec(std::string_view sql, Params params) {
    XT_ASSIGN_OR_RETURN(PgResult res, ExecPrepared(sql, params));
    return ParseInt(PQcmdTuples(res.get())).value_or(0);
  }

  Result<void> ExecScript(std::string_view sql) {
    XT_TRY_VOID(Flush());
    XT_TRY_VOID(CheckUsable());
    const std::string text(sql);
    XT_ASSIGN_OR_RETURN(PgResult res, Run(sql, PQexec(conn_, text.c_str())));
    return {};
  }

  // Sends a statement without waiting for its answer (libpq's pipeline mode).
  // The answers are read, in order, with the next statement that needs one
  // (which travels in the same round trip) or by Flush; the first error among
  // them is that statement's error.
  Result<void> Defer(std::string_view sql, Params params) {
    XT_TRY_VOID(CheckUsable());
    if (!statements_.contains(sql)) XT_TRY_VOID(Flush());  // PQprepare cannot run in a pipeline
    XT_ASSIGN_OR_RETURN(const Prepared* prepared, PrepareCached(sql));
    XT_ASSIGN_OR_RETURN(BoundParams bound, Bind(*prepared, sql, params));
    if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn_) == 0)
      return Fail(Failure(nullptr, sql));
    if (PQsendQueryPrepared(conn_, prepared->name.c_str(), static_cast<int>(params.size()),
                            bound.values.data(), nullptr, nullptr, 0) == 0) {
      Error e = Failure(nullptr, sql);
      (void)SyncPipeline();
      return Fail(std::move(e));
    }
    deferred_.emplace_back(sql);
    return {};
  }

  // Reads the answers of the deferred statements; the first error, if any.
  Result<void> Flush() {
    if (deferred_.empty() && (conn_ == nullptr || PQpipelineStatus(conn_) == PQ_PIPELINE_OFF))
      return {};
    XT_TRY_VOID(SyncPipeline());
    return {};
  }

 private:
  // Ends the pipeline: sends a Sync (which does not end an explicit
  // transaction), reads every answer in order and leaves pipeline mode.
  // Returns the last statement's result, or the first error.
  Result<PgResult> SyncPipeline() {
    std::vector<std::string> sent = std::move(deferred_);
    deferred_.clear();
    if (PQpipelineSync(conn_) == 0) return Fail(Lost("sync"));
    std::optional<Error> error;
    PgResult last;
    for (const std::string& sql : sent) {
      PGresult* raw = PQgetResult(conn_);
      if (raw == nullptr) return Fail(Lost(sql));
      PgResult res(raw);
      const ExecStatusType status = PQresultStatus(res.get());
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
          status != PGRES_PIPELINE_ABORTED && !error)
        error = Failure(res.get(), sql);
      last = std::move(res);
      while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);  // up to the NULL ending it
    }
    // The Sync's own answer; then nothing may be left before leaving the pipeline.
    for (PGresult* raw = PQgetResult(conn_); raw != nullptr; raw = PQgetResult(conn_)) {
      const bool synced = PQresultStatus(raw) == PGRES_PIPELINE_SYNC;
      PQclear(raw);
      if (synced) break;
    }
    if (PQexitPipelineMode(conn_) == 0) return Fail(Lost("leaving pipeline mode"));
    if (error) return Fail(std::move(*error));
    return last;
  }

  Error Lost(std::string_view what) {
    broken_ = true;
    spdlog::warn("postgres {}: connection lost during {}: {}", Describe(), what,
                 TrimRight(PQerrorMessage(conn_)));
    return Error::Unavailable(std::string(kUnreachable));
  }

  PGconn* Connect() const {
    // connect_timeout and application_name come before dbname so the URL may
    // override them; client_encoding comes after because text must be UTF-8.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
                          nullptr};
    const char* values[] = {"10", "xietong", url_.c_str(), "UTF8", nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (conn != nullptr) PQsetNoticeProcessor(conn, LogNotice, nullptr);
    return conn;
  }

  // Session settings every new connection needs.
  Result<void> Setup() {
    broken_ = false;
    // A write is acknowledged only after its commit record is fsync'd.
    return Command("SET synchronous_commit = on");
  }

  Result<void> EnsureConnected() {
    if (conn_ != nullptr && !broken_ && PQstatus(conn_) == CONNECTION_OK) return {};
    // Prepared statements and unanswered statements died with the old server session.
    statements_.clear();
    deferred_.clear();
    if (conn_ == nullptr) {
      conn_ = Connect();
      if (conn_ == nullptr) return Fail(Error::Unavailable(std::string(kUnreachable)));
    } else {
      PQreset(conn_);
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
      broken_ = true;
      spdlog::warn("postgres: reconnecting to {} failed: {}", Endpoint(conn_),
                   TrimRight(PQerrorMessage(conn_)));
      return Fail(Error::Unavailable(std::string(kUnreachable)));
    }
    spdlog::info("postgres: reconnected to {}", Describe());
    return Setup();
  }

  // Statements never reconnect: inside a transaction a new session would run
  // them outside it. Only BeginTransaction reconnects.
  Result<void> CheckUsable() {
    if (conn_ == nullptr || broken_ || PQstatus(conn_) != CONNECTION_OK) {
      broken_ = true;
      return Fail(Error::Unavailable(std::string(kUnreachable)));
    }
    return {};
  }

  Result<void> Command(const char* sql) {
    XT_TRY_VOID(Flush());
    XT_TRY_VOID(CheckUsable());
    XT_ASSIGN_OR_RETURN(PgResult res, Run(sql, PQexec(conn_, sql)));
    return {};
  }

  struct Prepared {
    std::string name;
    int param_count;
  };
  struct BoundParams {
    std::vector<std::string> texts;   // owns what `values` points into
    std::vector<const char*> values;  // nullptr for NULL
  };

  // The server-side statement for `sql`, prepared on first use.
  Result<const Prepared*> PrepareCached(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return &it->second;
    const Rewritten rewritten = RewritePlaceholders(sql);
    Prepared prepared{fmt::format("xt_{}", next_statement_++), rewritten.param_count};
    XT_ASSIGN_OR_RETURN(PgResult res, Run(sql, PQprepare(conn_, prepared.name.c_str(),
                                                         rewritten.sql.c_str(), 0, nullptr)));
    return &statements_.emplace(std::string(sql), std::move(prepared)).first->second;
  }

  // Parameters as text: the server converts them to the types the statement needs.
  static Result<BoundParams> Bind(const Prepared& prepared, std::string_view sql, Params params) {
    if (static_cast<int>(params.size()) != prepared.param_count) {
      spdlog::error("postgres: {} parameters given for {} placeholders in: {}", params.size(),
                    prepared.param_count, sql);
      return Fail(Error::Internal(std::string(kFailed)));
    }
    BoundParams bound{std::vector<std::string>(params.size()),
                      std::vector<const char*>(params.size(), nullptr)};
    for (std::size_t k = 0; k < params.size(); ++k) {
      const auto& v = params[k].variant();
      if (const auto* i = std::get_if<std::int64_t>(&v)) {
        bound.texts[k] = fmt::format("{}", *i);
      } else if (const auto* d = std::get_if<double>(&v)) {
        bound.texts[k] = fmt::format("{}", *d);  // shortest text that reads back as the same double
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        if (s->find('\0') != std::string::npos) {
          return Fail(Error::InvalidArgument("text values cannot contain NUL characters"));
        }
        bound.texts[k] = *s;
      } else {
        continue;  // NULL
      }
      bound.values[k] = bound.texts[k].c_str();
    }
    return bound;
  }

  Result<PgResult> ExecPrepared(std::string_view sql, Params params) {
    XT_TRY_VOID(CheckUsable());
    if (!deferred_.empty() && !statements_.contains(sql)) XT_TRY_VOID(Flush());
    XT_ASSIGN_OR_RETURN(const Prepared* prepared, PrepareCached(sql));
    XT_ASSIGN_OR_RETURN(BoundParams bound, Bind(*prepared, sql, params));
    if (!deferred_.empty()) {
      // One round trip for the deferred statements and this one.
      if (PQsendQueryPrepared(conn_, prepared->name.c_str(), static_cast<int>(params.size()),
                              bound.values.data(), nullptr, nullptr, 0) == 0) {
        Error e = Failure(nullptr, sql);
        (void)SyncPipeline();
        return Fail(std::move(e));
      }
      deferred_.emplace_back(sql);
      return SyncPipeline();
    }
    return Run(sql, PQexecPrepared(conn_, prepared->name.c_str(), static_cast<int>(params.size()),
                                   bound.values.data(), nullptr, nullptr, 0));
  }

  void DrainResults() {
    while (PGresult* raw = PQgetResult(conn_)) PQclear(raw);
  }

  // Takes ownership of a libpq result; an error result becomes an Error.
  Result<PgResult> Run(std::string_view sql, PGresult* raw) {
    PgResult res(raw);
    const ExecStatusType status = PQresultStatus(res.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
      return res;
    }
    return Fail(Failure(res.get(), sql));
  }

  Error Failure(const PGresult* res, std::string_view sql) {
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string_view sqlstate = state != nullptr ? state : "";
    const std::string_view detail =
        TrimRight(res != nullptr && *PQresultErrorMessage(res) != '\0' ? PQresultErrorMessage(res)
                                                                       : PQerrorMessage(conn_));
    auto field = [&](int code) -> std::string {
      const char* v = res != nullptr ? PQresultErrorField(res, code) : nullptr;
      return v != nullptr ? v : "";
    };

    // 08: connection exceptions; 57P01/57P02: the server shut the session down.
    const bool lost = PQstatus(conn_) != CONNECTION_OK || sqlstate.starts_with("08") ||
                      sqlstate == "57P01" || sqlstate == "57P02";
    if (lost) {
      broken_ = true;
      spdlog::warn("postgres {}: connection lost ({}): {}", Describe(), sqlstate, detail);
      return Error::Unavailable(std::string(kUnreachable));
    }
    // 53: out of disk, memory or connections; 57P03: the server is starting up.
    if (sqlstate.starts_with("53") || sqlstate == "57P03") {
      spdlog::warn("postgres {}: server short of resources ({}): {}", Describe(), sqlstate, detail);
      return Error::Unavailable(std::string(kUnreachable));
    }
    if (sqlstate == "0A000") {
      // E.g. "cached plan must not change result type" after a migration: prepare
      // the statement afresh next time (the old one is dropped by DEALLOCATE ALL).
      statements_.erase(std::string(sql));
    }
    const std::string constraint = field(PG_DIAG_CONSTRAINT_NAME);
    if (sqlstate == "23505") {
      spdlog::debug("postgres: unique violation: {}", detail);
      return Error::Conflict(
          constraint.empty()
              ? std::string("a record with the same key already exists")
              : fmt::format("a record with the same key already exists ({})", constraint));
    }
    if (sqlstate.starts_with("23")) {
      spdlog::debug("postgres: integrity violation {}: {}", sqlstate, detail);
      if (!constraint.empty()) {
        return Error::InvalidArgument(
            fmt::format("the change breaks the rule {} of the database", constraint));
      }
      const std::string column = field(PG_DIAG_COLUMN_NAME);
      const std::string table = field(PG_DIAG_TABLE_NAME);
      if (!column.empty()) {
        return Error::InvalidArgument(
            fmt::format("{}{}{} must have a value", table, table.empty() ? "" : ".", column));
      }
      return Error::InvalidArgument("the change breaks a rule of the database");
    }
    if (sqlstate == "40001" || sqlstate == "40P01") {
      spdlog::info("postgres: transaction conflict {}: {}", sqlstate, detail);
      return Error::Conflict("the data was changed by someone else at the same time; try again");
    }
    spdlog::error("postgres {}: {} failed ({}): {}", Describe(), sql, sqlstate, detail);
    return Error::Internal(std::string(kFailed));
  }

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  const std::string url_;  // may hold a password: never logged
  PGconn* conn_ = nullptr;
  bool broken_ = false;  // a call saw the connection fail; the next transaction reconnects
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> statements_;  // by SQL
  std::uint64_t next_statement_ = 0;
  std::vector<std::string> deferred_;  // sent in pipeline mode, answers not read yet
};

// The Executor a Read call's function gets; it lives for that one call.
class PgReadExecutor final : public Executor {
 public:
  explicit PgReadExecutor(PgSession& session) : session_(session) {}
  Dialect dialect() const override { return Dialect::kPostgres; }
  Result<std::vector<Row>> Query(std::string_view sql, Params params) override {
    return session_.Query(sql, params);
  }
  Result<std::int64_t> Exec(std::string_view sql, Params params) override {
    return session_.Exec(sql, params);
  }
  Result<void> ExecScript(std::string_view sql) override { return session_.ExecScript(sql); }
  Result<void> QueryEach(std::string_view sql, Params params,
                         const std::function<bool(const Row&)>& fn) override {
    return session_.QueryEach(sql, params, fn);
  }
  using Executor::Exec;
  using Executor::Query;

 private:
  PgSession& session_;
};

// The writer's connection; used only by the GroupCommitter's thread.
class PgWriteConnection final : public WriteConnection {
 public:
  explicit PgWriteConnection(std::unique_ptr<PgSession> session) : session_(std::move(session)) {}
  Dialect dialect() const override { return Dialect::kPostgres; }
  Result<std::vector<Row>> Query(std::string_view sql, Params params) override {
    return session_->Query(sql, params);
  }
  Result<std::int64_t> Exec(std::string_view sql, Params params) override {
    return session_->Exec(sql, params);
  }
  Result<void> ExecScript(std::string_view sql) override { return session_->ExecScript(sql); }
  Result<void> QueryEach(std::string_view sql, Params params,
                         const std::function<bool(const Row&)>& fn) override {
    return session_->QueryEach(sql, params, fn);
  }
  Result<void> Defer(std::string_view sql, Params params) override {
    return session_->Defer(sql, params);
  }
  Result<void> Flush() override { return session_->Flush(); }
  Result<void> Begin() override { return session_->BeginTransaction("BEGIN"); }
  Result<void> Commit() override { return session_->CommitTransaction(); }
  void Rollback() override { session_->RollbackQuietly(); }
  using Executor::Defer;
  using Executor::Exec;
  using Executor::Query;

 private:
  std::unique_ptr<PgSession> session_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string description, std::unique_ptr<PgSession> writer,
                   std::vector<std::unique_ptr<PgSession>> readers, int max_batch)
      : description_(std::move(description)), readers_(std::move(readers)) {
    for (auto& r : readers_) idle_readers_.push_back(r.get());
    committer_ = std::make_unique<GroupCommitter>(
        std::make_unique<PgWriteConnection>(std::move(writer)), max_batch);
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string Describe() const override { return description_; }

 protected:
  Result<void> WriteImpl(const Work& fn) override { return committer_->Submit(fn); }

  Result<void> ReadImpl(const Work& fn) override {
    PgSession* session = BorrowReader();
    Result<void> result = ReadOn(*session, fn);
    ReturnReader(session);
    return result;
  }

 private:
  static Result<void> ReadOn(PgSession& session, const Work& fn) {
    XT_TRY_VOID(session.BeginTransaction("BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ"));
    PgReadExecutor executor(session);
    Result<void> r;
    try {
      r = fn(executor);
    } catch (const std::exception& e) {
      spdlog::error("read function threw: {}", e.what());
      r = Fail(Error::Internal("the read failed unexpectedly"));
    }
    if (r) r = session.CommitTransaction();
    if (!r) session.RollbackQuietly();
    return r;
  }

  // Blocks until a reader connection is free. The most recently returned one
  // is handed out first, so a connection found broken is the next reconnected.
  PgSession* BorrowReader() {
    std::unique_lock lock(mutex_);
    reader_free_.wait(lock, [&] { return !idle_readers_.empty(); });
    PgSession* session = idle_readers_.back();
    idle_readers_.pop_back();
    return session;
  }

  void ReturnReader(PgSession* session) {
    {
      std::lock_guard lock(mutex_);
      idle_readers_.push_back(session);
    }
    reader_free_.notify_one();
  }

  const std::string description_;
  const std::vector<std::unique_ptr<PgSession>> readers_;  // fixed after construction
  std::mutex mutex_;
  std::condition_variable reader_free_;
  std::vector<PgSession*> idle_readers_;  // GUARDED_BY(mutex_)
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const DatabaseOptions& options) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.url.c_str(), &parse_error);
  if (parsed == nullptr) {
    // libpq's message may quote the URL, password included: keep it out of the log.
    if (parse_error != nullptr) PQfreemem(parse_error);
    return Fail(
        Error::InvalidArgument("the database URL is not a valid PostgreSQL URL; expected "
                               "postgresql://user@host:port/database"));
  }
  PQconninfoFree(parsed);

  auto writer = std::make_unique<PgSession>(options.url);
  XT_TRY_VOID(writer->Open());
  std::string description = writer->Describe();

  const int reader_count = options.reader_connections < 1 ? 1 : options.reader_connections;
  std::vector<std::unique_ptr<PgSession>> readers;
  for (int i = 0; i < reader_count; ++i) {
    auto reader = std::make_unique<PgSession>(options.url);
    XT_TRY_VOID(reader->Open());
    readers.push_back(std::move(reader));
  }

  // Durability rests on the server's fsync too; synchronous_commit alone is not enough.
  auto fsync = readers.front()->Query("SHOW fsync", Params{});
  if (fsync && !fsync->empty() && fsync->front().Text(0) != "on") {
    spdlog::warn(
        "postgres {}: the server runs with fsync = {}; acknowledged writes may be lost "
        "in a crash",
        description, fsync->front().Text(0));
  }
  spdlog::info("postgres: opened {} ({} reader connections)", description, reader_count);
  return std::unique_ptr<Database>(std::make_unique<PostgresDatabase>(
      std::move(description), std::move(writer), std::move(readers), options.max_batch));
}

}  // namespace xietong::storage
