#include "storage/sqlite/sqlite_database.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "storage/group_commit.h"

namespace xietong::storage {
namespace {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xFF;
  const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (primary == SQLITE_CONSTRAINT) {
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      return Error::Conflict(fmt::format("a record with the same key already exists ({})", msg));
    return Error::InvalidArgument(fmt::format("a database constraint was violated ({})", msg));
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR ||
      primary == SQLITE_FULL || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
    spdlog::error("sqlite {}: {} ({})", what, msg, rc);
    return Error::Unavailable(
        "the database cannot be written or read right now; try again shortly");
  }
  spdlog::error("sqlite {}: {} ({})", what, msg, rc);
  return Error::Internal("a database statement failed");
}

// One SQLite connection with its prepared-statement cache.
class SqliteConnection : public WriteConnection {
 public:
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool writer,
                                                        int busy_timeout_ms) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_NOMUTEX |
                (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    auto conn = std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
    if (rc != SQLITE_OK) {
      spdlog::error("cannot open sqlite database {}: {}", path, sqlite3_errstr(rc));
      return Fail(Error::Unavailable(fmt::format("cannot open the database file {}", path)));
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_timeout_ms);
    // WAL lets readers work while the writer commits; FULL fsyncs the WAL at
    // every commit, so an acknowledged write survives a crash or power loss.
    std::string pragmas = "PRAGMA foreign_keys=ON;";
    // temp_store=MEMORY keeps each caller's SAVEPOINT sub-journal in memory:
    // it only serves a rollback inside the open transaction, so durability
    // is untouched, and writing it to a temp file cost ~30 % of intake CPU.
    if (writer)
      pragmas += "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;";
    XT_TRY_VOID(conn->ExecScript(pragmas));
    return conn;
  }

  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::vector<Row>> Query(std::string_view sql, Params params) override {
    std::vector<Row> rows;
    XT_TRY_VOID(QueryEach(sql, params, [&](const Row& row) {
      rows.push_back(row);
      return true;
    }));
    return rows;
  }

  Result<void> QueryEach(std::string_view sql, Params params,
                         const std::function<bool(const Row&)>& fn) override {
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    const int ncol = sqlite3_column_count(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value> values;
      values.reserve(ncol);
      for (int c = 0; c < ncol; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            values.emplace_back(nullptr);
            break;
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            values.emplace_back(sqlite3_column_double(stmt, c));
            break;
          default: {
            auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            values.emplace_back(std::string(p, sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      if (!fn(Row(std::move(values)))) {
        rc = SQLITE_DONE;
        break;
      }
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return Fail(SqliteError(db_, rc, "query"));
    return {};
  }

  Result<std::int64_t> Exec(std::string_view sql, Params params) override {
    XT_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return Fail(SqliteError(db_, rc, "exec"));
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  }

  Result<void> ExecScript(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      Error e = SqliteError(db_, rc, "script");
      sqlite3_free(err);
      return Fail(e);
    }
    return {};
  }

  // Transaction control goes through the statement cache: sqlite3_exec would
  // parse the SQL again on every read.
  Result<void> Begin() override { return Run("BEGIN IMMEDIATE"); }
  Result<void> Commit() override { return Run("COMMIT"); }
  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) (void)Run("ROLLBACK");
  }
  Result<void> BeginRead() { return Run("BEGIN"); }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  Result<void> Run(std::string_view sql) {
    XT_TRY_VOID(Exec(sql, Params{}));
    return {};
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql, Params params) {
    sqlite3_stmt* stmt;
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, fmt::format("prepare `{}`", sql)));
      cache_.emplace(std::string(sql), stmt);
    }
    sqlite3_clear_bindings(stmt);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      spdlog::error("statement `{}` takes {} parameters, {} given", sql,
                    sqlite3_bind_parameter_count(stmt), params.size());
      return Fail(Error::Internal("a database statement was called with the wrong parameters"));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i) + 1;
      const auto& v = params[i].variant();
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto p = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *p);
      } else if (auto d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text64(stmt, idx, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, "bind"));
    }
    return stmt;
  }

  struct Hash : std::hash<std::string_view> {
    using is_transparent = void;
  };
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> cache_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, std::unique_ptr<SqliteConnection> writer,
                 std::vector<std::unique_ptr<SqliteConnection>> readers, int max_batch)
      : path_(std::move(path)),
        committer_(std::move(writer), max_batch),
        readers_(std::move(readers)) {
    for (auto& r : readers_) idle_.push_back(r.get());
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string Describe() const override { return "sqlite:" + path_; }

 protected:
  Result<void> WriteImpl(const Work& fn) override { return committer_.Submit(fn); }

  Result<void> ReadImpl(const Work& fn) override {
    SqliteConnection* conn;
    {
      std::unique_lock lock(mutex_);
      available_.wait(lock, [&] { return !idle_.empty(); });
      conn = idle_.back();
      idle_.pop_back();
    }
    Result<void> r = conn->BeginRead();
    if (r) {
      try {
        r = fn(*conn);
      } catch (const std::exception& e) {
        spdlog::error("read function threw: {}", e.what());
        r = Fail(Error::Internal("the read failed unexpectedly"));
      }
      conn->Rollback();  // a read transaction has nothing to keep
    }
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(conn);
    }
    available_.notify_one();
    return r;
  }

 private:
  std::string path_;
  GroupCommitter committer_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<SqliteConnection*> idle_;  // GUARDED_BY(mutex_)
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                             const DatabaseOptions& options) {
  XT_ASSIGN_OR_RETURN(auto writer, SqliteConnection::Open(path, true, options.busy_timeout_ms));
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  const int n = options.reader_connections < 1 ? 1 : options.reader_connections;
  for (int i = 0; i < n; ++i) {
    XT_ASSIGN_OR_RETURN(auto r, SqliteConnection::Open(path, false, options.busy_timeout_ms));
    readers.push_back(std::move(r));
  }
  return std::unique_ptr<Database>(
      new SqliteDatabase(path, std::move(writer), std::move(readers), options.max_batch));
}

}  // namespace xietong::storage
