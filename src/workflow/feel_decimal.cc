#include "workflow/feel_decimal.h"

#include <fmt/core.h>

#include <array>
#include <cmath>
#include <cstdlib>

namespace xietong::feel {
namespace {

constexpr std::array<UInt128, 39> MakePowers() {
  std::array<UInt128, 39> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}
constexpr std::array<UInt128, 39> kPow10 = MakePowers();

int DigitCount(UInt128 u) {
  int n = 1;
  while (n < 39 && u >= kPow10[static_cast<std::size_t>(n)]) ++n;
  return n;
}

UInt128 Magnitude(Int128 c) { return c < 0 ? static_cast<UInt128>(-c) : static_cast<UInt128>(c); }

// Drops `drops` low digits of u; `round_digit` becomes the most significant
// dropped digit and `sticky` records whether any other dropped digit was nonzero.
void DropDigits(UInt128& u, std::int64_t drops, int& round_digit, bool& sticky) {
  for (std::int64_t i = 0; i < drops; ++i) {
    if (u == 0) {
      sticky = sticky || round_digit != 0;
      round_digit = 0;
      return;
    }
    sticky = sticky || round_digit != 0;
    round_digit = static_cast<int>(u % 10);
    u /= 10;
  }
}

bool RoundUp(UInt128 u, bool negative, int round_digit, bool sticky, Rounding mode) {
  const bool inexact = round_digit != 0 || sticky;
  switch (mode) {
    case Rounding::kHalfEven:
      return round_digit > 5 || (round_digit == 5 && (sticky || u % 2 == 1));
    case Rounding::kHalfUp:
      return round_digit >= 5;
    case Rounding::kFloor:
      return inexact && negative;
    case Rounding::kCeiling:
      return inexact && !negative;
    case Rounding::kDown:
      return false;
  }
  return false;
}

}  // namespace

std::optional<Decimal> Decimal::Make(Int128 c, std::int64_t e, Rounding mode, bool sticky) {
  const bool negative = c < 0;
  UInt128 u = Magnitude(c);
  int round_digit = 0;
  const int digits = DigitCount(u);
  if (digits > kDigits) {
    DropDigits(u, digits - kDigits, round_digit, sticky);
    e += digits - kDigits;
  }
  if (RoundUp(u, negative, round_digit, sticky, mode)) {
    ++u;
    if (u == kPow10[kDigits]) {
      u /= 10;
      ++e;
    }
  }
  if (u == 0) return Decimal();
  while (u % 10 == 0) {
    u /= 10;
    ++e;
  }
  if (e > kMaxExponent || e < -kMaxExponent) return std::nullopt;
  const auto coefficient = static_cast<std::int64_t>(u);
  return Decimal(negative ? -coefficient : coefficient, static_cast<std::int32_t>(e));
}

Decimal Decimal::FromInt(std::int64_t v) {
  return *Make(static_cast<Int128>(v), 0);  // 19-digit values round; always in range
}

std::optional<Decimal> Decimal::Parse(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string digits;  // significant digits without leading zeros
  std::int64_t exponent = 0;
  bool any_digit = false;
  bool after_point = false;
  bool sticky = false;
  for (; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '.' && !after_point) {
      after_point = true;
      continue;
    }
    if (ch < '0' || ch > '9') break;
    any_digit = true;
    if (digits.empty() && ch == '0') {
      if (after_point) --exponent;
      continue;
    }
    if (digits.size() < 36) {
      digits.push_back(ch);
      if (after_point) --exponent;
    } else {
      sticky = sticky || ch != '0';
      if (!after_point) ++exponent;
    }
  }
  if (!any_digit) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size()) return std::nullopt;
    std::int64_t e = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      e = e * 10 + (text[i] - '0');
      if (e > 100000) return std::nullopt;
    }
    exponent += exp_negative ? -e : e;
  }
  if (i != text.size()) return std::nullopt;
  UInt128 u = 0;
  for (const char ch : digits) u = u * 10 + static_cast<UInt128>(ch - '0');
  // A dropped nonzero tail must not look like an exact half: nudge the last digit.
  if (sticky && (u % 10 == 0 || u % 10 == 5)) ++u;
  const auto c = static_cast<Int128>(u);
  return Make(negative ? -c : c, exponent);
}

std::optional<Decimal> Decimal::FromDouble(double d) {
  if (!std::isfinite(d)) return std::nullopt;
  return Parse(fmt::format("{}", d));
}

std::string Decimal::ToString() const {
  const bool negative = coefficient_ < 0;
  std::string digits = std::to_string(negative ? -coefficient_ : coefficient_);
  const auto n = static_cast<std::int64_t>(digits.size());
  const std::int64_t e = exponent_;
  std::string out = negative ? "-" : "";
  if (e >= 0 && n + e <= 30) {
    out += digits;
    out.append(static_cast<std::size_t>(e), '0');
  } else if (e < 0 && n + e > 0) {
    out += digits.substr(0, static_cast<std::size_t>(n + e));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(n + e));
  } else if (e < 0 && n + e > -20) {
    out += "0.";
    out.append(static_cast<std::size_t>(-(n + e)), '0');
    out += digits;
  } else {
    out += digits[0];
    if (n > 1) out += "." + digits.substr(1);
    const std::int64_t adjusted = n - 1 + e;
    out += fmt::format("E{}{}", adjusted >= 0 ? "+" : "", adjusted);
  }
  return out;
}

double Decimal::ToDouble() const { return std::strtod(ToString().c_str(), nullptr); }

std::optional<std::int64_t> Decimal::ToInt64() const {
  if (exponent_ < 0) return std::nullopt;
  if (exponent_ > 18) return coefficient_ == 0 ? std::optional<std::int64_t>(0) : std::nullopt;
  const Int128 v = static_cast<Int128>(coefficient_) *
                   static_cast<Int128>(kPow10[static_cast<std::size_t>(exponent_)]);
  if (v > INT64_MAX || v < INT64_MIN) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

Decimal Decimal::Negate() const { return Decimal(-coefficient_, exponent_); }

std::optional<Decimal> Decimal::Add(const Decimal& a, const Decimal& b) {
  if (a.IsZero()) return b;
  if (b.IsZero()) return a;
  const std::int64_t ma = a.exponent_ + DigitCount(Magnitude(a.coefficient_)) - 1;
  const std::int64_t mb = b.exponent_ + DigitCount(Magnitude(b.coefficient_)) - 1;
  // The smaller one is below half a unit in the last place of the larger one.
  if (ma - mb > kDigits + 1) return a;
  if (mb - ma > kDigits + 1) return b;
  const std::int64_t e = std::min(a.exponent_, b.exponent_);
  const Int128 ca =
      a.coefficient_ * static_cast<Int128>(kPow10[static_cast<std::size_t>(a.exponent_ - e)]);
  const Int128 cb =
      b.coefficient_ * static_cast<Int128>(kPow10[static_cast<std::size_t>(b.exponent_ - e)]);
  return Make(ca + cb, e);
}

std::optional<Decimal> Decimal::Subtract(const Decimal& a, const Decimal& b) {
  return Add(a, b.Negate());
}

std::optional<Decimal> Decimal::Multiply(const Decimal& a, const Decimal& b) {
  return Make(static_cast<Int128>(a.coefficient_) * b.coefficient_,
              static_cast<std::int64_t>(a.exponent_) + b.exponent_);
}

std::optional<Decimal> Decimal::Divide(const Decimal& a, const Decimal& b) {
  if (a.IsZero()) return Decimal();
  const UInt128 ua = Magnitude(a.coefficient_);
  const UInt128 ub = Magnitude(b.coefficient_);
  const int k = 37 - DigitCount(ua);  // the quotient gets at least 19 digits
  const UInt128 n = ua * kPow10[static_cast<std::size_t>(k)];
  UInt128 q = n / ub;
  if (n % ub != 0 && (q % 10 == 0 || q % 10 == 5)) ++q;  // keep the remainder visible
  const bool negative = (a.coefficient_ < 0) != (b.coefficient_ < 0);
  const auto c = static_cast<Int128>(q);
  return Make(negative ? -c : c, static_cast<std::int64_t>(a.exponent_) - k - b.exponent_);
}

std::optional<Decimal> Decimal::Power(const Decimal& base, const Decimal& exponent) {
  const std::optional<std::int64_t> n = exponent.ToInt64();
  if (n && *n >= -100000 && *n <= 100000) {
    Decimal result = FromInt(1);
    Decimal factor = base;
    std::int64_t m = *n < 0 ? -*n : *n;
    while (m > 0) {
      if (m & 1) {
        auto r = Multiply(result, factor);
        if (!r) return std::nullopt;
        result = *r;
      }
      m >>= 1;
      if (m > 0) {
        auto f = Multiply(factor, factor);
        if (!f) return std::nullopt;
        factor = *f;
      }
    }
    if (*n < 0) {
      if (result.IsZero()) return std::nullopt;
      return Divide(FromInt(1), result);
    }
    return result;
  }
  return FromDouble(std::pow(base.ToDouble(), exponent.ToDouble()));
}

std::optional<Decimal> Decimal::RoundToScale(int scale, Rounding mode) const {
  const std::int64_t target = -static_cast<std::int64_t>(scale);
  if (exponent_ >= target) return *this;
  UInt128 u = Magnitude(coefficient_);
  int round_digit = 0;
  bool sticky = false;
  DropDigits(u, target - exponent_, round_digit, sticky);
  if (RoundUp(u, coefficient_ < 0, round_digit, sticky, mode)) ++u;
  const auto c = static_cast<Int128>(u);
  return Make(coefficient_ < 0 ? -c : c, target);
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
  if (a.Sign() != b.Sign()) return a.Sign() <=> b.Sign();
  if (a.Sign() == 0) return std::strong_ordering::equal;
  const int da = DigitCount(Magnitude(a.coefficient_));
  const int db = DigitCount(Magnitude(b.coefficient_));
  const std::int64_t ma = a.exponent_ + da - 1;
  const std::int64_t mb = b.exponent_ + db - 1;
  std::strong_ordering magnitude = ma <=> mb;
  if (magnitude == std::strong_ordering::equal) {
    const UInt128 ca =
        Magnitude(a.coefficient_) * kPow10[static_cast<std::size_t>(Decimal::kDigits - da)];
    const UInt128 cb =
        Magnitude(b.coefficient_) * kPow10[static_cast<std::size_t>(Decimal::kDigits - db)];
    magnitude = ca <=> cb;
  }
  if (a.Sign() > 0) return magnitude;
  return 0 <=> magnitude;
}

}  // namespace xietong::feel
