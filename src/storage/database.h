// The one database interface every store in xietong is written against.
//
// SQL is written once, with `?` placeholders and portable types (BIGINT, TEXT,
// DOUBLE PRECISION); each backend adapts it (PostgreSQL rewrites `?` to `$n`).
// Writes go through Database::Write: the function runs inside a transaction
// that is committed durably (fsync'd) before Write returns. Several callers'
// functions may share one commit (group commit); each runs inside its own
// savepoint, so one caller's error rolls back only its own changes.
// Reads go through Database::Read on a pooled reader connection.
// Database is thread-safe; an Executor belongs to the one call it is passed to.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace xietong::storage {

enum class Dialect { kSqlite, kPostgres };

// A parameter or a column value: NULL, integer, real or text.
class Value {
 public:
  using Variant = std::variant<std::nullptr_t, std::int64_t, double, std::string>;
  Value() : v_(nullptr) {}
  Value(std::nullptr_t) : v_(nullptr) {}
  Value(std::int64_t i) : v_(i) {}
  Value(int i) : v_(std::int64_t{i}) {}
  Value(bool b) : v_(std::int64_t{b ? 1 : 0}) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  template <typename T>
  Value(const std::optional<T>& o) : v_(nullptr) {
    if (o) *this = Value(*o);
  }

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(v_); }
  bool is_int() const { return std::holds_alternative<std::int64_t>(v_); }
  bool is_real() const { return std::holds_alternative<double>(v_); }
  bool is_text() const { return std::holds_alternative<std::string>(v_); }
  const Variant& variant() const { return v_; }

 private:
  Variant v_;
};

// One result row. Accessors convert leniently (an integer column read as
// text gives its decimal digits; NULL reads as 0 or "") so stores stay short;
// use IsNull/Opt* where NULL means something.
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  bool IsNull(std::size_t i) const { return values_.at(i).is_null(); }
  std::int64_t Int(std::size_t i) const;
  double Real(std::size_t i) const;
  std::string Text(std::size_t i) const;
  // A view of a text column (empty for NULL or non-text); valid while the Row lives.
  std::string_view TextView(std::size_t i) const {
    const auto* p = std::get_if<std::string>(&values_.at(i).variant());
    return p ? std::string_view(*p) : std::string_view();
  }
  std::optional<std::int64_t> OptInt(std::size_t i) const;
  std::optional<std::string> OptText(std::size_t i) const;
  const Value& at(std::size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

using Params = std::span<const Value>;

// What a write transaction remembers between the functions that share it
// (group commit); see Executor::memo().
using TransactionMemo = std::map<std::string, std::string, std::less<>>;

// Runs statements on one connection inside the current transaction.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual Dialect dialect() const = 0;
  // Runs a statement that returns rows.
  virtual Result<std::vector<Row>> Query(std::string_view sql, Params params) = 0;
  // Runs a statement and returns the number of rows it changed.
  virtual Result<std::int64_t> Exec(std::string_view sql, Params params) = 0;
  // Runs a statement whose answer the caller does not need (an INSERT, an
  // UPDATE whose row count does not matter). A backend may send it later,
  // together with the next statement that needs an answer (PostgreSQL
  // pipelines it to save round trips), so its error may come from that next
  // statement or, at the latest, end the write function: either way the
  // function's changes are rolled back and its caller gets the error.
  virtual Result<void> Defer(std::string_view sql, Params params);
  // Runs several statements separated by ';' without parameters (migrations).
  virtual Result<void> ExecScript(std::string_view sql) = 0;
  // Inside Database::Write: values the transaction keeps for the functions
  // that share it. A store that reads a row it then holds locked until commit
  // (a counter, the audit chain's head) may keep what it wrote there and skip
  // the read next time, since nobody else can change the row meanwhile. What
  // a function put here is forgotten when that function fails (its savepoint
  // is rolled back), and all of it when the transaction ends. Null elsewhere.
  virtual TransactionMemo* memo() { return nullptr; }
  // Calls fn for each row as it is read, without holding all rows; fn returns
  // false to stop early. Backends that cannot stream fall back to Query.
  virtual Result<void> QueryEach(std::string_view sql, Params params,
                                 const std::function<bool(const Row&)>& fn);

  Result<std::vector<Row>> Query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Query(sql, Params(params.begin(), params.size()));
  }
  Result<std::int64_t> Exec(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Exec(sql, Params(params.begin(), params.size()));
  }
  Result<void> Defer(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Defer(sql, Params(params.begin(), params.size()));
  }
  // The first row, or nullopt when there is none.
  Result<std::optional<Row>> QueryOne(std::string_view sql,
                                      std::initializer_list<Value> params = {});
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // A description safe to log: backend and location, never a password.
  virtual std::string Describe() const = 0;

  // Runs fn in a write transaction; returns after a durable commit.
  template <typename F>
  auto Write(F&& fn) -> decltype(fn(std::declval<Executor&>())) {
    return Adapt(fn, [this](const Work& w) { return WriteImpl(w); });
  }

  // Runs fn in a read-only transaction (one consistent snapshot).
  template <typename F>
  auto Read(F&& fn) -> decltype(fn(std::declval<Executor&>())) {
    return Adapt(fn, [this](const Work& w) { return ReadImpl(w); });
  }

 protected:
  using Work = std::function<Result<void>(Executor&)>;
  virtual Result<void> WriteImpl(const Work& fn) = 0;
  virtual Result<void> ReadImpl(const Work& fn) = 0;

 private:
  // Runs a Result<T>-returning fn through run, which only knows Result<void>.
  template <typename F, typename Run>
  static auto Adapt(F& fn, Run run) -> decltype(fn(std::declval<Executor&>())) {
    using R = decltype(fn(std::declval<Executor&>()));
    using T = typename R::value_type;
    if constexpr (std::is_void_v<T>) {
      return run([&](Executor& ex) -> Result<void> { return fn(ex); });
    } else {
      std::optional<T> out;
      auto r = run([&](Executor& ex) -> Result<void> {
        auto v = fn(ex);
        if (!v) return Fail(std::move(v.error()));
        out = std::move(*v);
        return {};
      });
      if (!r) return Fail(std::move(r.error()));
      return std::move(*out);
    }
  }
};

struct DatabaseOptions {
  // "sqlite:PATH", a plain file path, or "postgresql://user@host:port/db".
  std::string url;
  int reader_connections = 4;
  int busy_timeout_ms = 5000;
  int max_batch = 256;  // most writers' functions sharing one commit
};

// The bytes the database takes, indexes and not yet checkpointed pages
// included (SQLite: pages × page size; PostgreSQL: pg_database_size). For
// measuring what stored state costs, not for accounting.
Result<std::int64_t> DatabaseBytes(Executor& ex);

// "?, ?, ?" for n parameters (an IN list); both backends write them the same.
std::string Placeholders(std::size_t n);

// Opens the backend named by options.url (the factory lives in storage/open.cc).
Result<std::unique_ptr<Database>> OpenDatabase(const DatabaseOptions& options);

}  // namespace xietong::storage
