// Normalisation of residents' Chinese text before it is compared or classified.
//
// Normalize() folds full-width forms to half-width (ＡＢＣ１２３ → abc123, the
// ideographic space → space), lower-cases Latin letters, maps Chinese
// punctuation to one ASCII form (，、→ ","  。→ "."  “” → '"' …) and squeezes a
// run of the same mark to one, turns every kind of whitespace and control
// character into one space (trimmed at both ends), drops zero-width characters,
// caps the text at kMaxTextCodePoints code points, and converts traditional
// characters to simplified ones with OpenCC (t2s: phrases, then characters).
// OpenCC is the slow step, so it runs only on texts holding at least one
// character that OpenCC changes on its own (found once, at Open()); a text
// in simplified characters throughout is left as it is.
// A Normalizer is immutable after Open() and thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace xietong::text {

// Longer texts are cut to this many code points (the longest real message in
// the 2020 sample has 3,740); NormalizedText::truncated says it happened.
inline constexpr std::size_t kMaxTextCodePoints = 10'000;
// Raw input larger than this is refused (kTooLarge) before any work is done.
inline constexpr std::size_t kMaxInputBytes = 1 << 20;

struct NormalizedText {
  std::string text;        // UTF-8
  bool truncated = false;  // the text was longer than kMaxTextCodePoints
};

// The same as code points, for callers that go on to features.
struct NormalizedCodePoints {
  std::u32string text;
  bool truncated = false;
};

class Normalizer {
 public:
  // Opens OpenCC's t2s.json from `opencc_dir`; when empty, from the folder in
  // the environment variable XIETONG_OPENCC_DIR, else where the Debian package
  // installed it. kUnavailable naming the folder when the file is missing.
  static Result<std::shared_ptr<const Normalizer>> Open(const std::string& opencc_dir = "");

  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  // kInvalidArgument for invalid UTF-8 (naming the byte offset), kTooLarge
  // above kMaxInputBytes. Empty or blank input gives an empty text.
  Result<NormalizedText> Normalize(std::string_view raw) const;
  Result<NormalizedCodePoints> NormalizeCodePoints(std::string_view raw) const;

  // Width, case, punctuation and whitespace folding only (no OpenCC), on
  // valid code points; exposed for tests and for callers that hold code points.
  static std::u32string Fold(std::u32string_view text, bool& truncated);

 private:
  explicit Normalizer(void* opencc) : opencc_(opencc) {}
  Result<std::string> ToSimplified(const std::string& text) const;
  // Marks every ideograph that OpenCC changes when it stands alone.
  Result<void> FindTraditional();
  bool HasTraditional(std::u32string_view text) const;

  void* opencc_;                   // opencc_t; its conversion is read-only and thread-safe
  std::vector<bool> traditional_;  // by code point, up to kIdeographLimit
};

}  // namespace xietong::text
