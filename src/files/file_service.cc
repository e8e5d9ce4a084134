#include "files/file_service.h"

#include <fmt/core.h>
#include <openssl/sha.h>

#include <algorithm>

#include "audit/audit_log.h"
#include "files/file_store.h"
#include "identity/identity_service.h"

namespace xietong::files {
namespace {

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  std::string hex;
  hex.reserve(2 * sizeof digest);
  for (unsigned char c : digest) hex += fmt::format("{:02x}", c);
  return hex;
}

}  // namespace

Result<FileInfo> FileService::Upload(const identity::Principal& actor,
                                     std::string_view declared_type, std::string_view bytes) {
  XT_ASSIGN_OR_RETURN(auto type, CheckUpload(declared_type, bytes));
  FileInfo info{.id = ids_.Next(),
                .uploader_id = actor.account_id,
                .content_type = std::move(type),
                .size = static_cast<std::int64_t>(bytes.size()),
                .sha256 = Sha256Hex(bytes),
                .subject_id = "",
                .created_at = 0};
  return db_.Write([&](storage::Executor& ex) -> Result<FileInfo> {
    XT_ASSIGN_OR_RETURN(int waiting, store::CountUnattached(ex, actor.account_id));
    if (waiting >= kMaxUnattachedPerAccount)
      return Fail(Error::TooManyRequests(fmt::format(
          "you have {} uploaded photos not yet attached to a request; attach or wait before "
          "uploading more",
          waiting)));
    const Timestamp now = clock_.Now();
    XT_ASSIGN_OR_RETURN(auto waiting_bytes, store::UploadedBytes(ex, actor.account_id, -1, true));
    if (waiting_bytes + info.size > quota_.unattached_bytes)
      return Fail(Error::TooManyRequests(fmt::format(
          "your photos not yet attached to a request take {:.1f} MB; at most {:.1f} MB may wait. "
          "Attach them, or wait a day for them to be removed, before uploading more",
          static_cast<double>(waiting_bytes) / 1e6,
          static_cast<double>(quota_.unattached_bytes) / 1e6)));
    XT_ASSIGN_OR_RETURN(auto today,
                        store::UploadedBytes(ex, actor.account_id, now - kMicrosPerDay, false));
    if (today + info.size > quota_.daily_bytes)
      return Fail(Error::TooManyRequests(fmt::format(
          "you uploaded {:.1f} MB in the last 24 hours; at most {:.1f} MB a day",
          static_cast<double>(today) / 1e6, static_cast<double>(quota_.daily_bytes) / 1e6)));
    FileInfo stored = info;
    stored.created_at = now;
    XT_TRY_VOID(store::Insert(ex, stored, bytes));
    XT_TRY_VOID(audit::Append(ex, stored.created_at,
                              {actor.account_id,
                               "file.upload",
                               stored.id,
                               {{"content_type", stored.content_type},
                                {"size", stored.size},
                                {"sha256", stored.sha256}}}));
    return stored;
  });
}

Result<File> FileService::Read(std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto file,
                      db_.Read([&](storage::Executor& ex) { return store::Load(ex, id); }));
  if (!file) return Fail(Error::NotFound(fmt::format("no file '{}'", id)));
  return std::move(*file);
}

Result<File> FileService::ReadOwnUnattached(const identity::Principal& actor, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto file,
                      db_.Read([&](storage::Executor& ex) { return store::Load(ex, id); }));
  // One answer for "not yours", "attached" and "none": ids are not probed.
  if (!file || file->info.uploader_id != actor.account_id || !file->info.subject_id.empty())
    return Fail(Error::NotFound(fmt::format("no photo '{}' of yours waits to be attached", id)));
  return std::move(*file);
}

Result<int> FileService::SweepUnattached(Timestamp uploaded_before, int batch_size) {
  if (batch_size <= 0)
    return Fail(Error::InvalidArgument("the sweep's batch size must be positive"));
  int removed = 0;
  for (;;) {
    // Each batch commits with its own event, so no deletion is ever unrecorded.
    XT_ASSIGN_OR_RETURN(int n, db_.Write([&](storage::Executor& ex) -> Result<int> {
      XT_ASSIGN_OR_RETURN(auto ids, store::DeleteUnattached(ex, uploaded_before, batch_size));
      if (ids.empty()) return 0;
      const int count = static_cast<int>(ids.size());
      XT_TRY_VOID(audit::Append(
          ex, clock_.Now(),
          {"system",
           "file.sweep",
           "files",
           {{"count", count}, {"uploaded_before", uploaded_before}, {"ids", std::move(ids)}}}));
      return count;
    }));
    removed += n;
    if (n < batch_size) return removed;
  }
}

Result<std::vector<FileInfo>> Attach(storage::Executor& ex, std::string_view uploader_id,
                                     std::span<const std::string> ids, std::string_view subject_id,
                                     Accept accept) {
  std::vector<FileInfo> attached_files;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    if (std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(i), id) !=
        ids.begin() + static_cast<std::ptrdiff_t>(i))
      return Fail(Error::InvalidArgument(fmt::format("attachment '{}' is listed twice", id)));
    XT_ASSIGN_OR_RETURN(auto info, store::FindInfo(ex, id));
    if (!info || info->uploader_id != uploader_id)
      return Fail(Error::InvalidArgument(
          fmt::format("attachment '{}' is not a file you uploaded; upload it first with POST "
                      "/api/v1/attachments",
                      id)));
    if (accept == Accept::kImages && !IsImage(info->content_type))
      return Fail(Error::InvalidArgument(fmt::format(
          "attachment '{}' is a {}; only photos can be attached here", id, info->content_type)));
    XT_ASSIGN_OR_RETURN(bool attached, store::SetSubject(ex, id, subject_id));
    if (!attached)
      return Fail(Error::Conflict(
          fmt::format("attachment '{}' already belongs to another request or application", id)));
    info->subject_id = std::string(subject_id);
    attached_files.push_back(std::move(*info));
  }
  return attached_files;
}

Result<File> ReadAttached(storage::Executor& ex, std::string_view id, std::string_view subject_id) {
  XT_ASSIGN_OR_RETURN(auto file, store::Load(ex, id));
  if (!file || file->info.subject_id != subject_id)
    return Fail(Error::NotFound(fmt::format("no attachment '{}' on this request", id)));
  return std::move(*file);
}

const storage::Schema& Schema() {
  static const storage::Schema schema{.module = "files",
                                      .needs = {&identity::Schema(), &audit::Schema()},
                                      .migrations = {store::Migrations()}};
  return schema;
}

}  // namespace xietong::files
