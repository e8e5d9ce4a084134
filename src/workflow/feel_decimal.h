// Decimal: the FEEL number, a decimal floating-point value with 18
// significant digits (coefficient × 10^exponent), so 0.1 + 0.2 = 0.3 holds
// exactly and integers up to 18 digits are exact. Results round half-even to
// 18 digits; operations that leave the exponent range ±9999 answer nullopt.
// A plain value; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xietong::feel {

// 128-bit intermediates (a GNU extension; __extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

enum class Rounding { kHalfEven, kHalfUp, kFloor, kCeiling, kDown };

class Decimal {
 public:
  static constexpr int kDigits = 18;
  static constexpr int kMaxExponent = 9999;

  constexpr Decimal() = default;  // zero
  static Decimal FromInt(std::int64_t v);
  // "12", "-1.50", "1e3", "+.5"; nullopt for anything else or out of range.
  static std::optional<Decimal> Parse(std::string_view text);
  // The shortest decimal that reads back as d; nullopt for NaN and infinities.
  static std::optional<Decimal> FromDouble(double d);

  // Plain notation ("0.3", "-12", "1000000") unless very large or small,
  // then scientific ("1.5E+40").
  std::string ToString() const;
  double ToDouble() const;
  // The value when it is an integer that fits; nullopt otherwise.
  std::optional<std::int64_t> ToInt64() const;
  bool IsInteger() const { return exponent_ >= 0; }
  int Sign() const { return coefficient_ > 0 ? 1 : (coefficient_ < 0 ? -1 : 0); }
  bool IsZero() const { return coefficient_ == 0; }
  Decimal Negate() const;
  Decimal Abs() const { return Sign() < 0 ? Negate() : *this; }

  static std::optional<Decimal> Add(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Subtract(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> Multiply(const Decimal& a, const Decimal& b);
  // Precondition: !b.IsZero().
  static std::optional<Decimal> Divide(const Decimal& a, const Decimal& b);
  // Exact-as-possible power for integer exponents, via double otherwise.
  static std::optional<Decimal> Power(const Decimal& base, const Decimal& exponent);

  // Rounds to `scale` digits after the point (negative: to tens, hundreds...).
  std::optional<Decimal> RoundToScale(int scale, Rounding mode) const;

  friend bool operator==(const Decimal&, const Decimal&) = default;
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);

 private:
  constexpr Decimal(std::int64_t c, std::int32_t e) : coefficient_(c), exponent_(e) {}
  // Rounds c × 10^e to kDigits digits (sticky: nonzero digits were already
  // dropped below c) and normalizes; nullopt when out of range.
  static std::optional<Decimal> Make(Int128 c, std::int64_t e, Rounding mode = Rounding::kHalfEven,
                                     bool sticky = false);

  // Normalized: coefficient_ has no trailing zero digit (0 has exponent 0),
  // |coefficient_| < 10^kDigits.
  std::int64_t coefficient_ = 0;
  std::int32_t exponent_ = 0;
};

}  // namespace xietong::feel
