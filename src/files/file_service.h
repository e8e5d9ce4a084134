// FileService: uploads and reads of files (today: the photos of requests).
//
// An upload is checked (an accepted image type by its bytes, within the size
// limit), stored with its SHA-256 and recorded in the audit chain in one
// transaction, and belongs to its uploader until a module attaches it to a
// subject (a request) with Attach, inside that module's own transaction. A
// file is attached once and then read through its subject, whose module
// decides who may see it; one never attached is deleted by the periodic
// sweep once it is older than kUnattachedLifetime. Thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/id.h"
#include "files/file.h"
#include "identity/identity.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::files {

// The files module's tables: uploaded files; needs identity and audit.
const storage::Schema& Schema();

struct FileQuota {
  std::int64_t unattached_bytes = kMaxUnattachedBytesPerAccount;
  std::int64_t daily_bytes = kMaxDailyBytesPerAccount;
};

class FileService {
 public:
  FileService(storage::Database& db, const Clock& clock, IdGenerator& ids, FileQuota quota = {})
      : db_(db), clock_(clock), ids_(ids), quota_(quota) {}

  // Stores a photo for the caller; declared_type is the request's Content-Type.
  // TooManyRequests past the account's quota (files or bytes waiting to be
  // attached, bytes uploaded in the last 24 hours).
  Result<FileInfo> Upload(const identity::Principal& actor, std::string_view declared_type,
                          std::string_view bytes);
  // The file with its bytes; the caller has already decided the reader may see it.
  Result<File> Read(std::string_view id);
  // An upload not attached yet, for its uploader only (a preview before the
  // request is sent); NotFound for anyone else or once it is attached (then
  // its subject's module serves it).
  Result<File> ReadOwnUnattached(const identity::Principal& actor, std::string_view id);
  // Deletes the files not attached to anything that were uploaded before
  // uploaded_before, at most batch_size per transaction, each transaction with
  // one audit event ("file.sweep": how many and which); returns how many it
  // deleted. Safe on several nodes at once and against a concurrent Attach.
  Result<int> SweepUnattached(Timestamp uploaded_before, int batch_size = 500);

 private:
  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  const FileQuota quota_;
};

// Attaches files to subject_id inside the caller's write transaction. Each id
// must name a file uploaded by uploader_id that is not attached yet, of a type
// the subject accepts, and no id may repeat; otherwise nothing is attached
// (the caller's transaction fails) and the error names the file. Answers the
// files attached, in the order of ids.
Result<std::vector<FileInfo>> Attach(storage::Executor& ex, std::string_view uploader_id,
                                     std::span<const std::string> ids, std::string_view subject_id,
                                     Accept accept = Accept::kImages);

// The file with its bytes when it is attached to subject_id; NotFound otherwise.
Result<File> ReadAttached(storage::Executor& ex, std::string_view id, std::string_view subject_id);

}  // namespace xietong::files
