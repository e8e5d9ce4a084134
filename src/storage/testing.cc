#include "storage/testing.h"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sodium.h>

#include <cstdlib>
#include <filesystem>

namespace xietong::storage::testing {
namespace {

std::string PgAdminUrl() {
  const char* url = std::getenv("XIETONG_TEST_PG_URL");
  return url ? url : "";
}

void PgAdmin(const std::string& sql) {
  PGconn* c = PQconnectdb(PgAdminUrl().c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(c, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
}

std::string WithSearchPath(const std::string& url, const std::string& schema) {
  const char sep = url.find('?') == std::string::npos ? '?' : '&';
  // The application name lets a test that kills connections kill only its own.
  return fmt::format("{}{}options=-csearch_path%3D{}&application_name={}", url, sep, schema,
                     schema);
}

}  // namespace

std::vector<std::string> Backends() {
  std::vector<std::string> out = {"sqlite"};
  if (!PgAdminUrl().empty()) {
    out.push_back("postgres");
  } else if (const char* req = std::getenv("XIETONG_REQUIRE_PG"); req && std::string(req) == "1") {
    // Listed anyway so that Create() fails loudly instead of skipping.
    out.push_back("postgres");
  }
  return out;
}

std::string MakeTempDir() {
  auto base = std::filesystem::temp_directory_path();
  char suffix[17];
  unsigned char raw[8];
  randombytes_buf(raw, sizeof raw);
  for (int i = 0; i < 8; ++i) std::snprintf(suffix + 2 * i, 3, "%02x", raw[i]);
  auto dir = base / fmt::format("xietong-test-{}", suffix);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::unique_ptr<TestDatabase> TestDatabase::Create(const std::string& backend) {
  auto t = std::make_unique<TestDatabase>();
  t->backend_ = backend;
  if (backend == "sqlite") {
    t->cleanup_ = MakeTempDir();
    t->url_ = "sqlite:" + t->cleanup_ + "/test.db";
  } else {
    if (PgAdminUrl().empty()) {
      ADD_FAILURE() << "XIETONG_REQUIRE_PG=1 but XIETONG_TEST_PG_URL is not set";
      return nullptr;
    }
    unsigned char raw[6];
    randombytes_buf(raw, sizeof raw);
    std::string schema = "t_";
    for (unsigned char b : raw) schema += fmt::format("{:02x}", b);
    PgAdmin("CREATE SCHEMA " + schema);
    t->cleanup_ = schema;
    t->url_ = WithSearchPath(PgAdminUrl(), schema);
  }
  t->Reopen();
  return t;
}

void TestDatabase::Reopen() {
  db_.reset();
  auto db = OpenDatabase({.url = url_});
  if (!db) {
    ADD_FAILURE() << "cannot open " << url_ << ": " << db.error().message;
    return;
  }
  db_ = std::move(*db);
}

std::unique_ptr<Database> TestDatabase::OpenAnother() const {
  auto db = OpenDatabase({.url = url_});
  EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
  return db ? std::move(*db) : nullptr;
}

TestDatabase::~TestDatabase() {
  db_.reset();
  if (backend_ == "sqlite") {
    std::filesystem::remove_all(cleanup_);
  } else if (!cleanup_.empty()) {
    PgAdmin("DROP SCHEMA " + cleanup_ + " CASCADE");
  }
}

}  // namespace xietong::storage::testing
