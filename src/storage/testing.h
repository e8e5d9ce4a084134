// Test support: runs one store test against every backend.
//
// SQLite always; PostgreSQL when XIETONG_TEST_PG_URL names a server (the
// test command starts a throw-away cluster and sets it). With
// XIETONG_REQUIRE_PG=1 a missing URL is an error, so CI cannot silently skip
// the PostgreSQL half. Each test database is fresh: a new SQLite file, or a
// new PostgreSQL schema, dropped afterwards.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"

namespace xietong::storage::testing {

// "sqlite" and, when configured, "postgres".
std::vector<std::string> Backends();

class TestDatabase {
 public:
  // Opens a fresh, empty database on the named backend (aborts the test on failure).
  static std::unique_ptr<TestDatabase> Create(const std::string& backend);
  ~TestDatabase();
  Database& db() { return *db_; }
  // The URL that reopens this same database (for restart tests).
  const std::string& url() const { return url_; }
  // Closes and reopens the database, as a restarted process would.
  void Reopen();
  // Opens a second, independent handle on the same database (a second server node).
  std::unique_ptr<Database> OpenAnother() const;

 private:
  std::string backend_;
  std::string url_;
  std::string cleanup_;  // a temp dir or a schema name
  std::unique_ptr<Database> db_;
};

// A fresh temporary directory, removed by the caller.
std::string MakeTempDir();

}  // namespace xietong::storage::testing
