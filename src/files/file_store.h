// The files module's SQL. The bytes are kept in the database (base64 text, a
// third larger than the file), so every server node on one PostgreSQL reads
// the same files and a backup of the database is a backup of the photos.
// Each function runs inside the caller's transaction; none decides a rule.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "files/file.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::files::store {

using storage::Executor;

std::span<const storage::Migration> Migrations();

Result<void> Insert(Executor& ex, const FileInfo& info, std::string_view bytes);
// The bytes uploader_id uploaded after `since` (all of them, or only
// those not attached yet).
Result<std::int64_t> UploadedBytes(Executor& ex, std::string_view uploader_id, Timestamp since,
                                   bool unattached_only);
// Files the account uploaded that are not attached to anything.
Result<int> CountUnattached(Executor& ex, std::string_view uploader_id);
Result<std::optional<FileInfo>> FindInfo(Executor& ex, std::string_view id);
Result<std::optional<File>> Load(Executor& ex, std::string_view id);
// Attaches an unattached file; false when it was attached meanwhile.
Result<bool> SetSubject(Executor& ex, std::string_view id, std::string_view subject_id);
// Deletes up to limit files not attached to anything that were uploaded
// before uploaded_before, oldest first; returns their ids.
Result<std::vector<std::string>> DeleteUnattached(Executor& ex, Timestamp uploaded_before,
                                                  int limit);

}  // namespace xietong::files::store
