#include "core/id.h"

#include <sodium.h>

namespace xietong {
namespace {
constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

std::string IdGenerator::Next() {
  std::int64_t ms = clock_.Now() / 1000;
  std::uint64_t hi, lo;
  {
    std::lock_guard lock(mutex_);
    if (ms <= last_ms_) {
      // Same (or an earlier, if the clock stepped back) millisecond: keep the
      // previous time and increment the random part so order is preserved.
      ms = last_ms_;
      if (++rand_lo_ == 0) rand_hi_ = (rand_hi_ + 1) & 0xFFFF;
    } else {
      last_ms_ = ms;
      unsigned char r[10];
      randombytes_buf(r, sizeof r);
      rand_hi_ = (std::uint64_t{r[0]} << 8) | r[1];
      rand_lo_ = 0;
      for (int i = 2; i < 10; ++i) rand_lo_ = (rand_lo_ << 8) | r[i];
      // Leave headroom so increments within one millisecond do not wrap.
      rand_lo_ &= ~(std::uint64_t{1} << 63);
    }
    hi = rand_hi_;
    lo = rand_lo_;
  }
  // 128 bits: [48 time][16 hi][64 lo] encoded as 26 base32 digits (130 bits, top 2 zero).
  std::uint64_t top = (static_cast<std::uint64_t>(ms) << 16) | hi;  // 64 bits
  std::string out(26, '0');
  // Encode the 128-bit number top:lo from the least significant digit.
  for (int i = 25; i >= 0; --i) {
    const unsigned digit = lo & 31;
    lo = (lo >> 5) | (top << 59);
    top >>= 5;
    out[i] = kAlphabet[digit];
  }
  return out;
}

bool IsValidId(std::string_view text) {
  if (text.size() != 26) return false;
  for (char c : text) {
    bool ok = (c >= '0' && c <= '9') ||
              (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U');
    if (!ok) return false;
  }
  return text[0] <= '7';
}

}  // namespace xietong
