#include "files/file.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace xietong::files {
namespace {

bool StartsWith(std::string_view bytes, std::size_t at, std::string_view magic) {
  return bytes.size() >= at + magic.size() && bytes.substr(at, magic.size()) == magic;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<std::string_view> SniffImageType(std::string_view bytes) {
  using namespace std::string_view_literals;
  if (StartsWith(bytes, 0, "\xFF\xD8\xFF"sv)) return "image/jpeg";
  if (StartsWith(bytes, 0, "\x89PNG\r\n\x1A\n"sv)) return "image/png";
  if (StartsWith(bytes, 0, "RIFF"sv) && StartsWith(bytes, 8, "WEBP"sv)) return "image/webp";
  // HEIF from phones: an ISO-BMFF 'ftyp' box whose brand is an image brand.
  if (StartsWith(bytes, 4, "ftyp"sv)) {
    static constexpr std::array<std::string_view, 5> kBrands = {"heic", "heix", "mif1", "msf1",
                                                                "hevc"};
    for (auto brand : kBrands)
      if (StartsWith(bytes, 8, brand)) return "image/heic";
  }
  return std::nullopt;
}

std::optional<std::string_view> SniffType(std::string_view bytes) {
  if (auto image = SniffImageType(bytes)) return image;
  if (StartsWith(bytes, 0, "%PDF-")) return "application/pdf";
  return std::nullopt;
}

bool IsImage(std::string_view content_type) { return content_type.starts_with("image/"); }

Result<std::string> CheckUpload(std::string_view declared_type, std::string_view bytes) {
  if (bytes.empty())
    return Fail(Error::InvalidArgument("the upload is empty: send the file's bytes"));
  if (bytes.size() > kMaxFileBytes)
    return Fail(Error::TooLarge(
        fmt::format("the file is {} bytes; the largest accepted is {} bytes (8 MiB)", bytes.size(),
                    kMaxFileBytes)));
  auto sniffed = SniffType(bytes);
  if (!sniffed)
    return Fail(Error::InvalidArgument(
        "only photos (JPEG, PNG, WebP or HEIC) and PDF documents are accepted; these bytes are "
        "none of them"));
  std::string declared = Lower(declared_type.substr(0, declared_type.find(';')));
  while (!declared.empty() && declared.back() == ' ') declared.pop_back();
  const bool generic = declared.empty() || declared == "application/octet-stream" ||
                       (declared == "image/jpg" && *sniffed == "image/jpeg") ||
                       (declared == "image/heif" && *sniffed == "image/heic");
  if (!generic && declared != *sniffed)
    return Fail(Error::InvalidArgument(
        fmt::format("the Content-Type says {} but the bytes are {}; send the file's real type",
                    declared, *sniffed)));
  return std::string(*sniffed);
}

}  // namespace xietong::files
