#include "files/file_store.h"

#include <fmt/core.h>
#include <openssl/evp.h>

#include <algorithm>

namespace xietong::files::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"files", 1, "uploaded files and what they are attached to",
     "CREATE TABLE files ("
     " id TEXT PRIMARY KEY, uploader_id TEXT NOT NULL, content_type TEXT NOT NULL,"
     " size BIGINT NOT NULL, sha256 TEXT NOT NULL, subject_id TEXT NOT NULL,"
     " created_at BIGINT NOT NULL, data TEXT NOT NULL);"
     "CREATE INDEX files_uploader ON files (uploader_id, subject_id)"},
    {"files", 2, "index of the files not attached yet by upload time (sweep)",
     "CREATE INDEX files_unattached ON files (created_at) WHERE subject_id = ''"},
};

constexpr std::string_view kInfoColumns =
    "id, uploader_id, content_type, size, sha256, subject_id, created_at";

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> Unbase64(std::string_view text, std::int64_t size, std::string_view id) {
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  // EVP_DecodeBlock counts padding as zero bytes; the stored size is the truth.
  if (n < 0 || size < 0 || size > n)
    return Fail(Error::Internal(fmt::format("stored file '{}' is unreadable", id)));
  out.resize(static_cast<std::size_t>(size));
  return out;
}

FileInfo InfoFrom(const storage::Row& row) {
  return {.id = row.Text(0),
          .uploader_id = row.Text(1),
          .content_type = row.Text(2),
          .size = row.Int(3),
          .sha256 = row.Text(4),
          .subject_id = row.Text(5),
          .created_at = row.Int(6)};
}

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

Result<void> Insert(Executor& ex, const FileInfo& info, std::string_view bytes) {
  XT_TRY_VOID(ex.Exec(
      fmt::format("INSERT INTO files ({}, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", kInfoColumns),
      {info.id, info.uploader_id, info.content_type, info.size, info.sha256, info.subject_id,
       info.created_at, Base64(bytes)}));
  return {};
}

Result<std::int64_t> UploadedBytes(Executor& ex, std::string_view uploader_id, Timestamp since,
                                   bool unattached_only) {
  XT_ASSIGN_OR_RETURN(
      auto row, ex.QueryOne(fmt::format("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files"
                                        " WHERE uploader_id = ? AND created_at > ?{}",
                                        unattached_only ? " AND subject_id = ''" : ""),
                            {uploader_id, since}));
  return row ? row->Int(0) : 0;
}

Result<int> CountUnattached(Executor& ex, std::string_view uploader_id) {
  XT_ASSIGN_OR_RETURN(
      auto row, ex.QueryOne("SELECT COUNT(*) FROM files WHERE uploader_id = ? AND subject_id = ''",
                            {uploader_id}));
  return row ? static_cast<int>(row->Int(0)) : 0;
}

Result<std::optional<FileInfo>> FindInfo(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row, ex.QueryOne(fmt::format("SELECT {} FROM files WHERE id = ?", kInfoColumns), {id}));
  if (!row) return std::optional<FileInfo>{};
  return std::optional<FileInfo>{InfoFrom(*row)};
}

Result<std::optional<File>> Load(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {}, data FROM files WHERE id = ?", kInfoColumns), {id}));
  if (!row) return std::optional<File>{};
  File f{.info = InfoFrom(*row), .bytes = {}};
  XT_ASSIGN_OR_RETURN(f.bytes, Unbase64(row->TextView(7), f.info.size, f.info.id));
  return std::optional<File>{std::move(f)};
}

Result<bool> SetSubject(Executor& ex, std::string_view id, std::string_view subject_id) {
  XT_ASSIGN_OR_RETURN(auto n,
                      ex.Exec("UPDATE files SET subject_id = ? WHERE id = ? AND subject_id = ''",
                              {subject_id, id}));
  return n == 1;
}

Result<std::vector<std::string>> DeleteUnattached(Executor& ex, Timestamp uploaded_before,
                                                  int limit) {
  // The batch is chosen once, in a WITH (PostgreSQL runs a locking WITH
  // once; an IN (subquery … LIMIT) may be re-run per row and pass the limit).
  // On PostgreSQL rows another transaction holds (being attached, or swept by
  // another node) are skipped rather than waited for, and a row attached
  // meanwhile fails subject_id = '' when locked.
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(
          fmt::format("WITH doomed AS (SELECT id FROM files WHERE subject_id = '' AND "
                      "created_at < ? ORDER BY created_at LIMIT ?{}) DELETE FROM files WHERE "
                      "subject_id = '' AND id IN (SELECT id FROM doomed) RETURNING id",
                      ex.dialect() == storage::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : ""),
          {uploaded_before, std::int64_t{limit}}));
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (const auto& row : rows) ids.push_back(row.Text(0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace xietong::files::store
