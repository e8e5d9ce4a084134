// Uploaded files: what is known about one and the checks an upload must pass.
// Photos (the attachments of a request) and PDF documents (the materials of a
// one-thing application); the type is decided by the bytes' signature, never
// by the name or the declared type alone. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::files {

inline constexpr std::size_t kMaxFileBytes = 8 * 1024 * 1024;
// Files an account may hold that are not attached to anything yet.
inline constexpr int kMaxUnattachedPerAccount = 50;
// Bytes an account may hold that are not attached to anything yet, and bytes
// it may upload in any 24 hours (attached or not): one account cannot fill
// the database with photos (FileService's defaults; tests set smaller ones).
// Waiting: a request's 9 photos of up to 8 MB, with room for one replaced.
inline constexpr std::int64_t kMaxUnattachedBytesPerAccount = 80 * 1024 * 1024;
inline constexpr std::int64_t kMaxDailyBytesPerAccount = 240 * 1024 * 1024;
// How long an upload may wait to be attached before the sweep deletes it.
inline constexpr Timestamp kUnattachedLifetime = 24 * kMicrosPerHour;

struct FileInfo {
  std::string id;
  std::string uploader_id;
  std::string content_type;  // image/jpeg, image/png, image/webp, image/heic or application/pdf
  std::int64_t size = 0;
  std::string sha256;      // lowercase hex of the bytes
  std::string subject_id;  // what it is attached to; empty until attached
  Timestamp created_at = 0;
};

struct File {
  FileInfo info;
  std::string bytes;
};

// The image type the bytes start with, or nullopt when they are none of the
// accepted ones.
std::optional<std::string_view> SniffImageType(std::string_view bytes);
// An accepted image type or application/pdf; nullopt for anything else.
std::optional<std::string_view> SniffType(std::string_view bytes);
bool IsImage(std::string_view content_type);

// What a subject accepts when files are attached to it.
enum class Accept { kImages, kImagesAndPdf };

// The content type to store for an upload: the bytes must be a non-empty
// accepted image or PDF within kMaxFileBytes, and a declared type (the Content-Type
// header, parameters ignored) must agree with them.
Result<std::string> CheckUpload(std::string_view declared_type, std::string_view bytes);

}  // namespace xietong::files
