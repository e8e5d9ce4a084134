// FEEL built-in functions. Each checks its arguments' kinds and answers an
// Error naming the function, the argument and the kind it got.
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "workflow/feel_internal.h"

namespace xietong::feel {
namespace {

using K = Value::Kind;
using Args = std::span<const Value>;

std::string_view Article(K kind) {
  const std::string_view name = KindName(kind);
  return (name[0] == 'a' || name[0] == 'e' || name[0] == 'i' || name[0] == 'o' || name[0] == 'u')
             ? "an"
             : "a";
}

Error ArgError(const BuiltinCall& c, std::size_t index, std::string_view wanted, const Value& got) {
  return ErrorAt(c.column, fmt::format("{}() expects {} as argument {}, got {}", c.builtin.name,
                                       wanted, index + 1, KindName(got.kind())));
}

Result<void> Need(const BuiltinCall& c, Args args, std::size_t index, K kind) {
  if (args[index].kind() != kind) {
    return Fail(
        ArgError(c, index, fmt::format("{} {}", Article(kind), KindName(kind)), args[index]));
  }
  return {};
}

Result<std::int64_t> NeedInt(const BuiltinCall& c, Args args, std::size_t index) {
  XT_TRY_VOID(Need(c, args, index, K::kNumber));
  const auto i = args[index].number().ToInt64();
  if (!i || *i > (1LL << 40) || *i < -(1LL << 40))
    return Fail(ArgError(c, index, "an integer", args[index]));
  return *i;
}

// sum(list) or sum(a, b, c): the items either way.
Result<List> Items(const BuiltinCall& c, Args args) {
  if (args.size() == 1) {
    if (args[0].kind() == K::kList) return args[0].list();
    if (args[0].is_null()) return Fail(ArgError(c, 0, "a list", args[0]));
  }
  return List(args.begin(), args.end());
}

Result<Value> NumberOut(const BuiltinCall& c, std::optional<Decimal> d) {
  if (!d)
    return Fail(ErrorAt(c.column, fmt::format("{}(): number is out of range", c.builtin.name)));
  return Value(*d);
}

std::size_t CodePoints(std::string_view s) { return json::CountCodePoints(s); }

// Byte offset of code point `cp` in s (s.size() when past the end).
std::size_t ByteOffset(std::string_view s, std::size_t cp) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (seen++ == cp) return i;
  }
  return s.size();
}

Result<Value> Count(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kList));
  return Value::Number(static_cast<std::int64_t>(a[0].list().size()));
}

Result<Value> Sum(const BuiltinCall& c, Args a) {
  XT_ASSIGN_OR_RETURN(List items, Items(c, a));
  if (items.empty()) return Value();
  Decimal total;
  for (const Value& v : items) {
    if (v.is_null()) return Value();
    if (v.kind() != K::kNumber) return Fail(ArgError(c, 0, "a list of numbers", v));
    const auto next = Decimal::Add(total, v.number());
    if (!next) return NumberOut(c, next);
    total = *next;
  }
  return Value(total);
}

Result<Value> Product(const BuiltinCall& c, Args a) {
  XT_ASSIGN_OR_RETURN(List items, Items(c, a));
  if (items.empty()) return Value();
  Decimal total = Decimal::FromInt(1);
  for (const Value& v : items) {
    if (v.is_null()) return Value();
    if (v.kind() != K::kNumber) return Fail(ArgError(c, 0, "a list of numbers", v));
    const auto next = Decimal::Multiply(total, v.number());
    if (!next) return NumberOut(c, next);
    total = *next;
  }
  return Value(total);
}

Result<Value> Mean(const BuiltinCall& c, Args a) {
  XT_ASSIGN_OR_RETURN(Value total, Sum(c, a));
  if (total.is_null()) return Value();
  XT_ASSIGN_OR_RETURN(List items, Items(c, a));
  return NumberOut(c, Decimal::Divide(total.number(),
                                      Decimal::FromInt(static_cast<std::int64_t>(items.size()))));
}

Result<Value> Extreme(const BuiltinCall& c, Args a, int want) {
  XT_ASSIGN_OR_RETURN(List items, Items(c, a));
  if (items.empty()) return Value();
  std::size_t best = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    XT_TRY_VOID(c.state.Spend(c.column));
    XT_ASSIGN_OR_RETURN(std::optional<int> order,
                        Compare(items[i], items[best], c.state.env, c.column));
    if (!order) return Value();
    if (*order == want) best = i;
  }
  return items[best];
}

Result<Value> Min(const BuiltinCall& c, Args a) { return Extreme(c, a, -1); }
Result<Value> Max(const BuiltinCall& c, Args a) { return Extreme(c, a, 1); }

Result<Value> AllAny(const BuiltinCall& c, Args a, bool all) {
  XT_ASSIGN_OR_RETURN(List items, Items(c, a));
  bool saw_null = false;
  for (const Value& v : items) {
    if (v.is_null()) {
      saw_null = true;
      continue;
    }
    if (v.kind() != K::kBoolean) return Fail(ArgError(c, 0, "a list of booleans", v));
    if (v.boolean() != all) return Value(!all);
  }
  return saw_null ? Value() : Value(all);
}

Result<Value> All(const BuiltinCall& c, Args a) { return AllAny(c, a, true); }
Result<Value> Any(const BuiltinCall& c, Args a) { return AllAny(c, a, false); }

Result<Value> StringTest(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kString));
  XT_TRY_VOID(Need(c, a, 1, K::kString));
  const std::string& s = a[0].string();
  const std::string& m = a[1].string();
  if (c.builtin.name == "contains") return Value(s.find(m) != std::string::npos);
  if (c.builtin.name == "starts with") return Value(s.starts_with(m));
  return Value(s.ends_with(m));
}

Result<Value> StringLength(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kString));
  return Value::Number(static_cast<std::int64_t>(CodePoints(a[0].string())));
}

Result<Value> Substring(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kString));
  XT_ASSIGN_OR_RETURN(std::int64_t start, NeedInt(c, a, 1));
  const std::string& s = a[0].string();
  const auto length = static_cast<std::int64_t>(CodePoints(s));
  if (start == 0) return Fail(ErrorAt(c.column, "substring() start position must not be 0"));
  std::int64_t from = start > 0 ? start - 1 : length + start;
  if (from < 0) from = 0;
  std::int64_t count = length;
  if (a.size() == 3) {
    XT_ASSIGN_OR_RETURN(count, NeedInt(c, a, 2));
    if (count < 0) return Fail(ErrorAt(c.column, "substring() length must not be negative"));
  }
  if (from >= length) return Value(std::string());
  const std::size_t b = ByteOffset(s, static_cast<std::size_t>(from));
  const std::size_t e = ByteOffset(s, static_cast<std::size_t>(std::min(length, from + count)));
  return Value(s.substr(b, e - b));
}

Result<Value> ChangeCase(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kString));
  std::string s = a[0].string();
  const bool upper = c.builtin.name == "upper case";
  for (char& ch : s) {  // ASCII only: Chinese has no case
    if (upper && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (!upper && ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return Value(std::move(s));
}

Result<Value> String(const BuiltinCall&, Args a) { return Value(ToText(a[0])); }

Result<Value> StringJoin(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kList));
  std::string delimiter;
  if (a.size() > 1 && !a[1].is_null()) {
    XT_TRY_VOID(Need(c, a, 1, K::kString));
    delimiter = a[1].string();
  }
  std::string out;
  bool first = true;
  for (const Value& v : a[0].list()) {
    if (v.is_null()) continue;
    if (v.kind() != K::kString) return Fail(ArgError(c, 0, "a list of strings", v));
    if (!first) out += delimiter;
    first = false;
    out += v.string();
    if (out.size() > c.state.env.max_string_bytes) break;  // CheckSize reports it
  }
  return Value(std::move(out));
}

Result<Value> Number(const BuiltinCall& c, Args a) {
  if (a[0].is_null()) return Value();
  if (a[0].kind() == K::kNumber) return a[0];
  XT_TRY_VOID(Need(c, a, 0, K::kString));
  std::string text = a[0].string();
  if (a.size() == 3) {
    if (!a[1].is_null()) XT_TRY_VOID(Need(c, a, 1, K::kString));
    if (!a[2].is_null()) XT_TRY_VOID(Need(c, a, 2, K::kString));
    const std::string grouping = a[1].is_null() ? "" : a[1].string();
    const std::string point = a[2].is_null() ? "." : a[2].string();
    std::string cleaned;
    for (const char ch : text) {
      if (!grouping.empty() && grouping.find(ch) != std::string::npos) continue;
      cleaned += !point.empty() && ch == point[0] ? '.' : ch;
    }
    text = std::move(cleaned);
  }
  const auto d = Decimal::Parse(text);
  return d ? Value(*d) : Value();
}

Result<Value> DateFn(const BuiltinCall& c, Args a) {
  if (a.size() == 2) return Fail(ErrorAt(c.column, "date() takes 1 or 3 arguments, got 2"));
  if (a.size() == 3) {
    XT_ASSIGN_OR_RETURN(std::int64_t y, NeedInt(c, a, 0));
    XT_ASSIGN_OR_RETURN(std::int64_t m, NeedInt(c, a, 1));
    XT_ASSIGN_OR_RETURN(std::int64_t d, NeedInt(c, a, 2));
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return Value();
    const auto date =
        FromCivil(static_cast<int>(y), static_cast<unsigned>(m), static_cast<unsigned>(d));
    return date ? Value(*date) : Value();
  }
  if (a[0].kind() == K::kDate) return a[0];
  if (a[0].kind() == K::kDateTime) {
    const Timestamp wall = WallClock(a[0].date_time());
    return Value(Date{wall / kMicrosPerDay - (wall % kMicrosPerDay < 0 ? 1 : 0)});
  }
  if (a[0].kind() != K::kString) return Fail(ArgError(c, 0, "a string or a date and time", a[0]));
  const auto d = ParseDate(a[0].string());
  return d ? Value(*d) : Value();
}

Result<Value> DateTimeFn(const BuiltinCall& c, Args a) {
  if (a[0].kind() == K::kDateTime) return a[0];
  if (a[0].kind() == K::kDate)
    return Value(DateTime{a[0].date().days * kMicrosPerDay, std::nullopt});
  if (a[0].kind() != K::kString) return Fail(ArgError(c, 0, "a string or a date", a[0]));
  const auto d = ParseDateTime(a[0].string());
  return d ? Value(*d) : Value();
}

Result<Value> DurationFn(const BuiltinCall& c, Args a) {
  if (a[0].kind() == K::kDaysTimeDuration || a[0].kind() == K::kYearsMonthsDuration) return a[0];
  XT_TRY_VOID(Need(c, a, 0, K::kString));
  auto d = ParseDuration(a[0].string());
  return d ? std::move(*d) : Value();
}

Result<Value> YearsAndMonths(const BuiltinCall& c, Args a) {
  Date dates[2];
  for (std::size_t i = 0; i < 2; ++i) {
    XT_ASSIGN_OR_RETURN(Value d, DateFn(c, a.subspan(i, 1)));
    if (d.is_null()) return Value();
    dates[i] = d.date();
  }
  const CivilDate from = ToCivil(dates[0]);
  const CivilDate to = ToCivil(dates[1]);
  std::int64_t months =
      (to.year - from.year) * 12LL + (static_cast<std::int64_t>(to.month) - from.month);
  // Whole months only, toward zero (as java.time.Period counts them).
  if (months > 0 && to.day < from.day) --months;
  if (months < 0 && to.day > from.day) ++months;
  return Value(YearsMonthsDuration{months});
}

Result<Value> Now(const BuiltinCall& c, Args) {
  return Value(DateTime{c.state.env.now, c.state.env.zone_offset_seconds});
}

Result<Value> Today(const BuiltinCall& c, Args) {
  const Timestamp wall = c.state.env.now + c.state.env.zone_offset_seconds * kMicrosPerSecond;
  return Value(Date{wall / kMicrosPerDay - (wall % kMicrosPerDay < 0 ? 1 : 0)});
}

Result<Value> ListContains(const BuiltinCall& c, Args a) {
  if (a[0].is_null()) return Value();
  XT_TRY_VOID(Need(c, a, 0, K::kList));
  for (const Value& v : a[0].list()) {
    XT_TRY_VOID(c.state.Spend(c.column));
    if (Equal(v, a[1], c.state.env)) return Value(true);
  }
  return Value(false);
}

Result<Value> Append(const BuiltinCall& c, Args a) {
  if (a[0].is_null()) return Value();
  XT_TRY_VOID(Need(c, a, 0, K::kList));
  List out = a[0].list();
  out.insert(out.end(), a.begin() + 1, a.end());
  return Value(std::move(out));
}

Result<Value> Concatenate(const BuiltinCall& c, Args a) {
  List out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    XT_TRY_VOID(Need(c, a, i, K::kList));
    XT_TRY_VOID(c.state.Spend(c.column, static_cast<std::int64_t>(a[i].list().size())));
    out.insert(out.end(), a[i].list().begin(), a[i].list().end());
  }
  return Value(std::move(out));
}

Result<Value> DistinctValues(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kList));
  List out;
  for (const Value& v : a[0].list()) {
    XT_TRY_VOID(c.state.Spend(c.column, static_cast<std::int64_t>(out.size()) + 1));
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const Value& o) { return Equal(o, v, c.state.env); });
    if (!seen) out.push_back(v);
  }
  return Value(std::move(out));
}

Result<void> FlattenInto(const BuiltinCall& c, const List& in, List& out) {
  for (const Value& v : in) {
    XT_TRY_VOID(c.state.Spend(c.column));
    if (v.kind() == K::kList) {
      XT_TRY_VOID(FlattenInto(c, v.list(), out));
    } else {
      out.push_back(v);
    }
  }
  return {};
}

Result<Value> Flatten(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kList));
  List out;
  XT_TRY_VOID(FlattenInto(c, a[0].list(), out));
  return Value(std::move(out));
}

Result<Value> Reverse(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kList));
  return Value(List(a[0].list().rbegin(), a[0].list().rend()));
}

Result<Value> IndexOf(const BuiltinCall& c, Args a) {
  if (a[0].is_null()) return Value();
  XT_TRY_VOID(Need(c, a, 0, K::kList));
  List out;
  const List& list = a[0].list();
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (Equal(list[i], a[1], c.state.env))
      out.push_back(Value::Number(static_cast<std::int64_t>(i + 1)));
  }
  return Value(std::move(out));
}

Result<Value> Sublist(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kList));
  XT_ASSIGN_OR_RETURN(std::int64_t start, NeedInt(c, a, 1));
  const List& list = a[0].list();
  const auto size = static_cast<std::int64_t>(list.size());
  const std::int64_t from = start > 0 ? start - 1 : size + start;
  if (start == 0 || from < 0 || from >= size) return Value();
  std::int64_t count = size - from;
  if (a.size() == 3) {
    XT_ASSIGN_OR_RETURN(count, NeedInt(c, a, 2));
    if (count < 0) return Value();
  }
  const std::int64_t to = std::min(size, from + count);
  return Value(List(list.begin() + from, list.begin() + to));
}

Result<Value> Abs(const BuiltinCall& c, Args a) {
  if (a[0].kind() == K::kDaysTimeDuration) {
    return Value(DaysTimeDuration{std::abs(a[0].days_time().micros)});
  }
  if (a[0].kind() == K::kYearsMonthsDuration) {
    return Value(YearsMonthsDuration{std::abs(a[0].years_months().months)});
  }
  XT_TRY_VOID(Need(c, a, 0, K::kNumber));
  return Value(a[0].number().Abs());
}

Result<Value> RoundWith(const BuiltinCall& c, Args a, Rounding mode) {
  XT_TRY_VOID(Need(c, a, 0, K::kNumber));
  std::int64_t scale = 0;
  if (a.size() > 1) {
    XT_ASSIGN_OR_RETURN(scale, NeedInt(c, a, 1));
  }
  if (scale > 6000 || scale < -6000) return Fail(ArgError(c, 1, "a scale within ±6000", a[1]));
  return NumberOut(c, a[0].number().RoundToScale(static_cast<int>(scale), mode));
}

Result<Value> Floor(const BuiltinCall& c, Args a) { return RoundWith(c, a, Rounding::kFloor); }
Result<Value> Ceiling(const BuiltinCall& c, Args a) { return RoundWith(c, a, Rounding::kCeiling); }
Result<Value> DecimalFn(const BuiltinCall& c, Args a) {
  return RoundWith(c, a, Rounding::kHalfEven);
}
Result<Value> RoundHalfUp(const BuiltinCall& c, Args a) {
  return RoundWith(c, a, Rounding::kHalfUp);
}
Result<Value> RoundDown(const BuiltinCall& c, Args a) { return RoundWith(c, a, Rounding::kDown); }

Result<Value> Modulo(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kNumber));
  XT_TRY_VOID(Need(c, a, 1, K::kNumber));
  const Decimal& x = a[0].number();
  const Decimal& y = a[1].number();
  if (y.IsZero()) return Value();
  // x - y * floor(x / y): the sign follows the divisor, as FEEL defines it.
  const auto q = Decimal::Divide(x, y);
  const auto f = q ? q->RoundToScale(0, Rounding::kFloor) : std::nullopt;
  const auto p = f ? Decimal::Multiply(y, *f) : std::nullopt;
  return NumberOut(c, p ? Decimal::Subtract(x, *p) : std::nullopt);
}

Result<Value> Not(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kBoolean));
  return Value(!a[0].boolean());
}

Result<Value> GetValue(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kContext));
  XT_TRY_VOID(Need(c, a, 1, K::kString));
  const Value* v = a[0].context().Find(a[1].string());
  return v != nullptr ? *v : Value();
}

Result<Value> GetEntries(const BuiltinCall& c, Args a) {
  XT_TRY_VOID(Need(c, a, 0, K::kContext));
  List out;
  for (const auto& [key, value] : a[0].context().entries()) {
    out.push_back(Value(Context{{"key", Value(key)}, {"value", value}}));
  }
  return Value(std::move(out));
}

Result<Value> ContextPut(const BuiltinCall& c, Args a) {
  if (a[0].is_null()) return Value();
  XT_TRY_VOID(Need(c, a, 0, K::kContext));
  XT_TRY_VOID(Need(c, a, 1, K::kString));
  Context out = a[0].context();
  out.Put(a[1].string(), a[2]);
  return Value(std::move(out));
}

Result<Value> Unreachable(const BuiltinCall& c, Args) {
  return Fail(Error::Internal(fmt::format("{}() is evaluated by the evaluator", c.builtin.name)));
}

// Sorted by name for FindBuiltin's binary search.
constexpr auto kBuiltins = std::to_array<Builtin>({
    {"abs", 1, 1, true, Abs},
    {"all", 1, -1, true, All},
    {"any", 1, -1, true, Any},
    {"append", 1, -1, false, Append},
    {"ceiling", 1, 2, true, Ceiling},
    {"concatenate", 0, -1, true, Concatenate},
    {"contains", 2, 2, true, StringTest},
    {"context put", 3, 3, false, ContextPut},
    {"count", 1, 1, true, Count},
    {"date", 1, 3, true, DateFn},
    {"date and time", 1, 1, true, DateTimeFn},
    {"decimal", 2, 2, true, DecimalFn},
    {"distinct values", 1, 1, true, DistinctValues},
    {"duration", 1, 1, true, DurationFn},
    {"ends with", 2, 2, true, StringTest},
    {"flatten", 1, 1, true, Flatten},
    {"floor", 1, 2, true, Floor},
    {"get entries", 1, 1, true, GetEntries},
    {"get value", 2, 2, true, GetValue},
    {"index of", 2, 2, false, IndexOf},
    {"is defined", 1, 1, false, Unreachable},
    {"list contains", 2, 2, false, ListContains},
    {"lower case", 1, 1, true, ChangeCase},
    {"max", 1, -1, true, Max},
    {"mean", 1, -1, true, Mean},
    {"min", 1, -1, true, Min},
    {"modulo", 2, 2, true, Modulo},
    {"not", 1, 1, true, Not},
    {"now", 0, 0, false, Now},
    {"number", 1, 3, false, Number},
    {"product", 1, -1, true, Product},
    {"reverse", 1, 1, true, Reverse},
    {"round down", 2, 2, true, RoundDown},
    {"round half up", 2, 2, true, RoundHalfUp},
    {"starts with", 2, 2, true, StringTest},
    {"string", 1, 1, true, String},
    {"string join", 1, 2, false, StringJoin},
    {"string length", 1, 1, true, StringLength},
    {"sublist", 2, 3, true, Sublist},
    {"substring", 2, 3, true, Substring},
    {"sum", 1, -1, true, Sum},
    {"today", 0, 0, false, Today},
    {"upper case", 1, 1, true, ChangeCase},
    {"years and months duration", 2, 2, true, YearsAndMonths},
});

static_assert(std::is_sorted(kBuiltins.begin(), kBuiltins.end(),
                             [](const Builtin& a, const Builtin& b) { return a.name < b.name; }));

}  // namespace

const Builtin* FindBuiltin(std::string_view name) {
  const auto it = std::lower_bound(kBuiltins.begin(), kBuiltins.end(), name,
                                   [](const Builtin& b, std::string_view n) { return b.name < n; });
  return it != kBuiltins.end() && it->name == name ? &*it : nullptr;
}

}  // namespace xietong::feel
