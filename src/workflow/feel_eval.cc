// The FEEL evaluator: a walk over the parsed tree with a scope chain for the
// names that for/some/every, filters and context literals bind.
#include <fmt/core.h>

#include <limits>

#include "workflow/feel.h"
#include "workflow/feel_internal.h"

namespace xietong::feel {
namespace {

constexpr std::int64_t kMinDay = -719162;  // 0001-01-01
constexpr std::int64_t kMaxDay = 2932896;  // 9999-12-31
// Durations stay far from the int64 limits, so negating or adding two never overflows.
constexpr std::int64_t kMaxDurationUnits = std::numeric_limits<std::int64_t>::max() / 4;

// Names visible to an expression: one binding, or the entries of a context,
// then the enclosing scope.
struct Scope {
  const Scope* parent = nullptr;
  const Context* context = nullptr;
  std::string_view name;
  const Value* value = nullptr;

  const Value* Lookup(std::string_view n) const {
    for (const Scope* s = this; s != nullptr; s = s->parent) {
      if (s->value != nullptr && s->name == n) return s->value;
      if (s->context != nullptr) {
        if (const Value* v = s->context->Find(n)) return v;
      }
    }
    return nullptr;
  }
};

Error TypeError(int column, std::string_view message) { return ErrorAt(column, message); }

Result<Value> CheckedDate(std::int64_t days, int column) {
  if (days < kMinDay || days > kMaxDay) return Fail(TypeError(column, "date is out of range"));
  return Value(Date{days});
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

Result<Date> AddMonths(Date d, std::int64_t months, int column) {
  const CivilDate c = ToCivil(d);
  const std::int64_t total = static_cast<std::int64_t>(c.year) * 12 + (c.month - 1) + months;
  const std::int64_t year = FloorDiv(total, 12);
  const auto month = static_cast<unsigned>(total - year * 12 + 1);
  if (year < 1 || year > 9999) return Fail(TypeError(column, "date is out of range"));
  unsigned day = c.day;
  while (day > 28 && !FromCivil(static_cast<int>(year), month, day)) --day;  // 31 Jan + 1 month
  return *FromCivil(static_cast<int>(year), month, day);
}

// A date-time as a UTC instant; a local one is read in the environment's zone.
Timestamp Instant(const DateTime& d, const EvalEnv& env) {
  return d.offset_seconds ? d.micros : d.micros - env.zone_offset_seconds * kMicrosPerSecond;
}

// Compares two date-times: both local, both with offsets, or mixed via the zone.
int CompareDateTimes(const DateTime& a, const DateTime& b, const EvalEnv& env) {
  const bool same = a.offset_seconds.has_value() == b.offset_seconds.has_value();
  const Timestamp x = same ? a.micros : Instant(a, env);
  const Timestamp y = same ? b.micros : Instant(b, env);
  return x < y ? -1 : (x > y ? 1 : 0);
}

Result<Value> AddToDateTime(const DateTime& d, std::int64_t micros, std::int64_t months,
                            int column) {
  DateTime out = d;
  if (months != 0) {
    const Timestamp wall = WallClock(d);
    const std::int64_t days = FloorDiv(wall, kMicrosPerDay);
    XT_ASSIGN_OR_RETURN(Date moved, AddMonths(Date{days}, months, column));
    out.micros += (moved.days - days) * kMicrosPerDay;
  }
  if (__builtin_add_overflow(out.micros, micros, &out.micros) ||
      out.micros < kMinDay * kMicrosPerDay - kMicrosPerDay ||
      out.micros > (kMaxDay + 2) * kMicrosPerDay) {
    return Fail(TypeError(column, "date and time is out of range"));
  }
  return Value(out);
}

Result<Value> NumberResult(std::optional<Decimal> d, int column) {
  if (!d) return Fail(TypeError(column, "number is out of range"));
  return Value(*d);
}

Result<std::int64_t> ScaleInteger(std::int64_t v, const Decimal& factor, bool divide, int column) {
  const auto r = divide ? Decimal::Divide(Decimal::FromInt(v), factor)
                        : Decimal::Multiply(Decimal::FromInt(v), factor);
  std::optional<std::int64_t> i;
  if (r) {
    if (const auto rounded = r->RoundToScale(0, Rounding::kHalfEven)) i = rounded->ToInt64();
  }
  if (!i || *i > kMaxDurationUnits || *i < -kMaxDurationUnits) {
    return Fail(TypeError(column, "duration is out of range"));
  }
  return *i;
}

Result<Value> TemporalArithmetic(Op op, const Value& a, const Value& b, const EvalEnv& env,
                                 int column) {
  using K = Value::Kind;
  const K ka = a.kind();
  const K kb = b.kind();
  if (op == Op::kAdd || op == Op::kSub) {
    const std::int64_t sign = op == Op::kAdd ? 1 : -1;
    // A duration on the right, or (for +) on the left.
    const bool swap = op == Op::kAdd &&
                      (ka == K::kDaysTimeDuration || ka == K::kYearsMonthsDuration) &&
                      (kb == K::kDate || kb == K::kDateTime);
    const Value& base = swap ? b : a;
    const Value& delta = swap ? a : b;
    if (base.kind() == K::kDate && delta.kind() == K::kDaysTimeDuration) {
      const std::int64_t micros =
          base.date().days * kMicrosPerDay + sign * delta.days_time().micros;
      return CheckedDate(FloorDiv(micros, kMicrosPerDay), column);
    }
    if (base.kind() == K::kDate && delta.kind() == K::kYearsMonthsDuration) {
      XT_ASSIGN_OR_RETURN(Date d,
                          AddMonths(base.date(), sign * delta.years_months().months, column));
      return Value(d);
    }
    if (base.kind() == K::kDateTime && delta.kind() == K::kDaysTimeDuration) {
      return AddToDateTime(base.date_time(), sign * delta.days_time().micros, 0, column);
    }
    if (base.kind() == K::kDateTime && delta.kind() == K::kYearsMonthsDuration) {
      return AddToDateTime(base.date_time(), 0, sign * delta.years_months().months, column);
    }
    if (ka == K::kDaysTimeDuration && kb == K::kDaysTimeDuration) {
      std::int64_t r;
      if (__builtin_add_overflow(a.days_time().micros, sign * b.days_time().micros, &r)) {
        return Fail(TypeError(column, "duration is out of range"));
      }
      return Value(DaysTimeDuration{r});
    }
    if (ka == K::kYearsMonthsDuration && kb == K::kYearsMonthsDuration) {
      std::int64_t r;
      if (__builtin_add_overflow(a.years_months().months, sign * b.years_months().months, &r)) {
        return Fail(TypeError(column, "duration is out of range"));
      }
      return Value(YearsMonthsDuration{r});
    }
    if (op == Op::kSub && (ka == K::kDate || ka == K::kDateTime) &&
        (kb == K::kDate || kb == K::kDateTime)) {
      if (ka == K::kDate && kb == K::kDate) {
        return Value(DaysTimeDuration{(a.date().days - b.date().days) * kMicrosPerDay});
      }
      // A date is midnight in the zone of the date-time it meets.
      const auto as_date_time = [](const Value& v, const Value& other) {
        if (v.kind() == K::kDateTime) return v.date_time();
        DateTime d{v.date().days * kMicrosPerDay, other.date_time().offset_seconds};
        if (d.offset_seconds) d.micros -= *d.offset_seconds * kMicrosPerSecond;
        return d;
      };
      const DateTime x = as_date_time(a, b);
      const DateTime y = as_date_time(b, a);
      const bool same = x.offset_seconds.has_value() == y.offset_seconds.has_value();
      return Value(
          DaysTimeDuration{same ? x.micros - y.micros : Instant(x, env) - Instant(y, env)});
    }
  }
  if (op == Op::kMul || op == Op::kDiv) {
    const bool number_first = ka == K::kNumber && op == Op::kMul;
    const Value& duration = number_first ? b : a;
    const Value& factor = number_first ? a : b;
    if (factor.kind() == K::kNumber &&
        (duration.kind() == K::kDaysTimeDuration || duration.kind() == K::kYearsMonthsDuration)) {
      if (op == Op::kDiv && factor.number().IsZero()) return Value();
      if (duration.kind() == K::kDaysTimeDuration) {
        XT_ASSIGN_OR_RETURN(std::int64_t us, ScaleInteger(duration.days_time().micros,
                                                          factor.number(), op == Op::kDiv, column));
        return Value(DaysTimeDuration{us});
      }
      XT_ASSIGN_OR_RETURN(std::int64_t m, ScaleInteger(duration.years_months().months,
                                                       factor.number(), op == Op::kDiv, column));
      return Value(YearsMonthsDuration{m});
    }
    if (op == Op::kDiv && ka == kb &&
        (ka == K::kDaysTimeDuration || ka == K::kYearsMonthsDuration)) {
      const std::int64_t x =
          ka == K::kDaysTimeDuration ? a.days_time().micros : a.years_months().months;
      const std::int64_t y =
          ka == K::kDaysTimeDuration ? b.days_time().micros : b.years_months().months;
      if (y == 0) return Value();
      return NumberResult(Decimal::Divide(Decimal::FromInt(x), Decimal::FromInt(y)), column);
    }
  }
  return Fail(TypeError(column, fmt::format("cannot apply '{}' to {} and {}", OpSymbol(op),
                                            KindName(ka), KindName(kb))));
}

}  // namespace

std::string_view OpSymbol(Op op) {
  switch (op) {
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kPow:
      return "**";
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kNone:
      break;
  }
  return "?";
}

Result<void> EvalState::Spend(int column, std::int64_t n) {
  steps += n;
  if (steps > env.max_steps) {
    return Fail(Error::TooLarge(fmt::format(
        "at column {}: evaluation exceeded its budget of {} steps", column, env.max_steps)));
  }
  return {};
}

Result<void> EvalState::CheckSize(const Value& v, int column) const {
  if (v.kind() == Value::Kind::kString && v.string().size() > env.max_string_bytes) {
    return Fail(Error::TooLarge(
        fmt::format("at column {}: string is longer than {} bytes", column, env.max_string_bytes)));
  }
  if (v.kind() == Value::Kind::kList && v.list().size() > env.max_list_size) {
    return Fail(Error::TooLarge(
        fmt::format("at column {}: list has more than {} items", column, env.max_list_size)));
  }
  return {};
}

bool Equal(const Value& a, const Value& b, const EvalEnv& env) {
  using K = Value::Kind;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case K::kDateTime:
      return CompareDateTimes(a.date_time(), b.date_time(), env) == 0;
    case K::kList: {
      if (a.list().size() != b.list().size()) return false;
      for (std::size_t i = 0; i < a.list().size(); ++i) {
        if (!Equal(a.list()[i], b.list()[i], env)) return false;
      }
      return true;
    }
    case K::kContext: {
      if (a.context().size() != b.context().size()) return false;
      for (const auto& [key, value] : a.context().entries()) {
        const Value* other = b.context().Find(key);
        if (other == nullptr || !Equal(value, *other, env)) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

Result<std::optional<int>> Compare(const Value& a, const Value& b, const EvalEnv& env, int column) {
  using K = Value::Kind;
  if (a.is_null() || b.is_null()) return std::optional<int>();
  const auto sign = [](auto x, auto y) { return std::optional<int>(x < y ? -1 : (y < x ? 1 : 0)); };
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case K::kNumber:
        return sign(a.number(), b.number());
      case K::kString:
        return sign(a.string(), b.string());  // UTF-8 byte order is code point order
      case K::kDate:
        return sign(a.date().days, b.date().days);
      case K::kDateTime:
        return std::optional<int>(CompareDateTimes(a.date_time(), b.date_time(), env));
      case K::kDaysTimeDuration:
        return sign(a.days_time().micros, b.days_time().micros);
      case K::kYearsMonthsDuration:
        return sign(a.years_months().months, b.years_months().months);
      default:
        return Fail(
            TypeError(column, fmt::format("{} values cannot be ordered", KindName(a.kind()))));
    }
  }
  return Fail(TypeError(
      column, fmt::format("cannot compare {} with {}", KindName(a.kind()), KindName(b.kind()))));
}

Result<Value> Arithmetic(Op op, const Value& a, const Value& b, const EvalEnv& env, int column) {
  using K = Value::Kind;
  if (a.is_null() || b.is_null()) return Value();
  if (a.kind() == K::kNumber && b.kind() == K::kNumber) {
    const Decimal& x = a.number();
    const Decimal& y = b.number();
    switch (op) {
      case Op::kAdd:
        return NumberResult(Decimal::Add(x, y), column);
      case Op::kSub:
        return NumberResult(Decimal::Subtract(x, y), column);
      case Op::kMul:
        return NumberResult(Decimal::Multiply(x, y), column);
      case Op::kDiv:
        if (y.IsZero()) return Value();
        return NumberResult(Decimal::Divide(x, y), column);
      case Op::kPow:
        if (x.IsZero() && y.Sign() < 0) return Value();
        return NumberResult(Decimal::Power(x, y), column);
      default:
        break;
    }
  }
  if (op == Op::kAdd && a.kind() == K::kString && b.kind() == K::kString) {
    return Value(a.string() + b.string());
  }
  return TemporalArithmetic(op, a, b, env, column);
}

namespace {

class Evaluator {
 public:
  explicit Evaluator(const EvalEnv& env) : state_{env} {}

  Result<Value> Eval(const Node& n, const Scope& scope) {
    XT_TRY_VOID(state_.Spend(n.column));
    XT_ASSIGN_OR_RETURN(Value v, EvalNode(n, scope));
    XT_TRY_VOID(state_.CheckSize(v, n.column));
    return v;
  }

  // A test against `input`: nullopt when the comparison meets null.
  Result<std::optional<bool>> Test(const Node& n, const Value& input, const Scope& scope) {
    XT_TRY_VOID(state_.Spend(n.column));
    const EvalEnv& env = state_.env;
    switch (n.kind) {
      case NodeKind::kAnyTest:
        return std::optional<bool>(true);
      case NodeKind::kUnaryCompare: {
        XT_ASSIGN_OR_RETURN(Value endpoint, Eval(*n.kids[0], scope));
        return CompareWith(n.op, input, endpoint, n.column);
      }
      case NodeKind::kRange:
        return InRange(n, input, scope);
      case NodeKind::kTestList:
      case NodeKind::kNotTests: {
        const Node& list = n.kind == NodeKind::kNotTests ? *n.kids[0] : n;
        bool saw_null = false;
        for (const auto& kid : list.kids) {
          XT_ASSIGN_OR_RETURN(std::optional<bool> r, Test(*kid, input, scope));
          if (r && *r) return std::optional<bool>(n.kind == NodeKind::kTestList);
          saw_null = saw_null || !r;
        }
        if (saw_null) return std::optional<bool>();
        return std::optional<bool>(n.kind == NodeKind::kNotTests);
      }
      default: {
        const Scope with_input{&scope, nullptr, "?", &input};
        XT_ASSIGN_OR_RETURN(Value v, Eval(n, with_input));
        if (n.uses_input && v.kind() == Value::Kind::kBoolean)
          return std::optional<bool>(v.boolean());
        if (n.uses_input && v.is_null()) return std::optional<bool>();
        if (v.kind() == Value::Kind::kList) {
          for (const Value& item : v.list()) {
            if (Equal(input, item, env)) return std::optional<bool>(true);
          }
          return std::optional<bool>(Equal(input, v, env));
        }
        if (v.kind() == Value::Kind::kBoolean && input.kind() != Value::Kind::kBoolean &&
            !input.is_null()) {
          return std::optional<bool>(v.boolean());
        }
        return std::optional<bool>(Equal(input, v, env));
      }
    }
  }

 private:
  Result<std::optional<bool>> CompareWith(Op op, const Value& a, const Value& b, int column) {
    if (op == Op::kEq) return std::optional<bool>(Equal(a, b, state_.env));
    if (op == Op::kNe) return std::optional<bool>(!Equal(a, b, state_.env));
    XT_ASSIGN_OR_RETURN(std::optional<int> c, Compare(a, b, state_.env, column));
    if (!c) return std::optional<bool>();
    switch (op) {
      case Op::kLt:
        return std::optional<bool>(*c < 0);
      case Op::kLe:
        return std::optional<bool>(*c <= 0);
      case Op::kGt:
        return std::optional<bool>(*c > 0);
      default:
        return std::optional<bool>(*c >= 0);
    }
  }

  Result<std::optional<bool>> InRange(const Node& n, const Value& input, const Scope& scope) {
    XT_ASSIGN_OR_RETURN(Value low, Eval(*n.kids[0], scope));
    XT_ASSIGN_OR_RETURN(Value high, Eval(*n.kids[1], scope));
    XT_ASSIGN_OR_RETURN(std::optional<bool> above,
                        CompareWith(n.open_start ? Op::kGt : Op::kGe, input, low, n.column));
    XT_ASSIGN_OR_RETURN(std::optional<bool> below,
                        CompareWith(n.open_end ? Op::kLt : Op::kLe, input, high, n.column));
    return And3(above, below);
  }

  static std::optional<bool> And3(std::optional<bool> a, std::optional<bool> b) {
    if ((a && !*a) || (b && !*b)) return false;
    if (a && b) return true;
    return std::nullopt;
  }

  static Value FromTruth(std::optional<bool> t) { return t ? Value(*t) : Value(); }

  // A boolean operand: true/false, nullopt for null, an Error for anything else.
  static Result<std::optional<bool>> Truth(const Value& v, std::string_view what, int column) {
    if (v.is_null()) return std::optional<bool>();
    if (v.kind() != Value::Kind::kBoolean) {
      return Fail(
          TypeError(column, fmt::format("{} needs a boolean, got {}", what, KindName(v.kind()))));
    }
    return std::optional<bool>(v.boolean());
  }

  Result<Value> EvalNode(const Node& n, const Scope& scope) {
    switch (n.kind) {
      case NodeKind::kLiteral:
        return n.literal;
      case NodeKind::kName: {
        const Value* v = scope.Lookup(n.name);
        return v != nullptr ? *v : Value();
      }
      case NodeKind::kPath: {
        XT_ASSIGN_OR_RETURN(Value base, Eval(*n.kids[0], scope));
        return Member(base, n.name, n.column);
      }
      case NodeKind::kFilter:
        return Filter(n, scope);
      case NodeKind::kCall:
        return Call(n, scope);
      case NodeKind::kNegate: {
        XT_ASSIGN_OR_RETURN(Value v, Eval(*n.kids[0], scope));
        switch (v.kind()) {
          case Value::Kind::kNull:
            return Value();
          case Value::Kind::kNumber:
            return Value(v.number().Negate());
          case Value::Kind::kDaysTimeDuration:
            if (v.days_time().micros == std::numeric_limits<std::int64_t>::min()) break;
            return Value(DaysTimeDuration{-v.days_time().micros});
          case Value::Kind::kYearsMonthsDuration:
            if (v.years_months().months == std::numeric_limits<std::int64_t>::min()) break;
            return Value(YearsMonthsDuration{-v.years_months().months});
          default:
            return Fail(TypeError(n.column, fmt::format("cannot negate {}", KindName(v.kind()))));
        }
        return Fail(TypeError(n.column, "duration is out of range"));
      }
      case NodeKind::kArithmetic: {
        XT_ASSIGN_OR_RETURN(Value a, Eval(*n.kids[0], scope));
        XT_ASSIGN_OR_RETURN(Value b, Eval(*n.kids[1], scope));
        return Arithmetic(n.op, a, b, state_.env, n.column);
      }
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        const bool is_and = n.kind == NodeKind::kAnd;
        const std::string_view what = is_and ? "'and'" : "'or'";
        XT_ASSIGN_OR_RETURN(Value a, Eval(*n.kids[0], scope));
        XT_ASSIGN_OR_RETURN(std::optional<bool> x, Truth(a, what, n.kids[0]->column));
        if (x && *x != is_and) return Value(*x);  // false and …, true or …
        XT_ASSIGN_OR_RETURN(Value b, Eval(*n.kids[1], scope));
        XT_ASSIGN_OR_RETURN(std::optional<bool> y, Truth(b, what, n.kids[1]->column));
        if (y && *y != is_and) return Value(*y);
        if (x && y) return Value(is_and);
        return Value();
      }
      case NodeKind::kCompare: {
        XT_ASSIGN_OR_RETURN(Value a, Eval(*n.kids[0], scope));
        XT_ASSIGN_OR_RETURN(Value b, Eval(*n.kids[1], scope));
        XT_ASSIGN_OR_RETURN(std::optional<bool> r, CompareWith(n.op, a, b, n.column));
        return FromTruth(r);
      }
      case NodeKind::kBetween: {
        XT_ASSIGN_OR_RETURN(Value x, Eval(*n.kids[0], scope));
        XT_ASSIGN_OR_RETURN(Value low, Eval(*n.kids[1], scope));
        XT_ASSIGN_OR_RETURN(Value high, Eval(*n.kids[2], scope));
        XT_ASSIGN_OR_RETURN(std::optional<bool> a, CompareWith(Op::kGe, x, low, n.column));
        XT_ASSIGN_OR_RETURN(std::optional<bool> b, CompareWith(Op::kLe, x, high, n.column));
        return FromTruth(And3(a, b));
      }
      case NodeKind::kIn: {
        XT_ASSIGN_OR_RETURN(Value x, Eval(*n.kids[0], scope));
        XT_ASSIGN_OR_RETURN(std::optional<bool> r, Test(*n.kids[1], x, scope));
        return FromTruth(r);
      }
      case NodeKind::kIf: {
        XT_ASSIGN_OR_RETURN(Value c, Eval(*n.kids[0], scope));
        XT_ASSIGN_OR_RETURN(std::optional<bool> t,
                            Truth(c, "the condition of 'if'", n.kids[0]->column));
        return Eval(*n.kids[t && *t ? 1 : 2], scope);
      }
      case NodeKind::kFor:
      case NodeKind::kSome:
      case NodeKind::kEvery:
        return Iterate(n, scope);
      case NodeKind::kList: {
        List items;
        items.reserve(n.kids.size());
        for (const auto& kid : n.kids) {
          XT_ASSIGN_OR_RETURN(Value v, Eval(*kid, scope));
          items.push_back(std::move(v));
        }
        return Value(std::move(items));
      }
      case NodeKind::kContext: {
        Context built;
        const Scope inner{&scope, &built, {}, nullptr};  // later entries see earlier ones
        for (std::size_t i = 0; i < n.kids.size(); ++i) {
          XT_ASSIGN_OR_RETURN(Value v, Eval(*n.kids[i], inner));
          built.Put(n.names[i], std::move(v));
        }
        return Value(std::move(built));
      }
      case NodeKind::kRange:
      case NodeKind::kIterRange:
        return Fail(TypeError(n.column, "a range can only follow 'in' or be a unary test"));
      case NodeKind::kUnaryCompare:
      case NodeKind::kAnyTest:
      case NodeKind::kTestList:
      case NodeKind::kNotTests:
        return Fail(TypeError(n.column, "a unary test can only follow 'in'"));
    }
    return Fail(Error::Internal("unknown FEEL node"));
  }

  Result<Value> Member(const Value& base, const std::string& name, int column) {
    using K = Value::Kind;
    const auto number = [](std::int64_t v) { return Value::Number(v); };
    switch (base.kind()) {
      case K::kNull:
        return Value();
      case K::kContext: {
        const Value* v = base.context().Find(name);
        return v != nullptr ? *v : Value();
      }
      case K::kList: {
        List out;
        out.reserve(base.list().size());
        for (const Value& item : base.list()) {
          XT_TRY_VOID(state_.Spend(column));
          XT_ASSIGN_OR_RETURN(Value v, Member(item, name, column));
          out.push_back(std::move(v));
        }
        return Value(std::move(out));
      }
      case K::kDate:
      case K::kDateTime: {
        const Timestamp wall = base.kind() == K::kDate ? base.date().days * kMicrosPerDay
                                                       : WallClock(base.date_time());
        const std::int64_t days = FloorDiv(wall, kMicrosPerDay);
        const Timestamp time = wall - days * kMicrosPerDay;
        const CivilDate c = ToCivil(Date{days});
        if (name == "year") return number(c.year);
        if (name == "month") return number(c.month);
        if (name == "day") return number(c.day);
        if (name == "weekday") return number((days % 7 + 7 + 3) % 7 + 1);  // 1970-01-01: Thursday
        if (base.kind() == K::kDateTime) {
          if (name == "hour") return number(time / kMicrosPerHour);
          if (name == "minute") return number(time / kMicrosPerMinute % 60);
          if (name == "second") return number(time / kMicrosPerSecond % 60);
        }
        break;
      }
      case K::kDaysTimeDuration: {
        const std::int64_t us = base.days_time().micros;
        if (name == "days") return number(us / kMicrosPerDay);
        if (name == "hours") return number(us / kMicrosPerHour % 24);
        if (name == "minutes") return number(us / kMicrosPerMinute % 60);
        if (name == "seconds") return number(us / kMicrosPerSecond % 60);
        break;
      }
      case K::kYearsMonthsDuration: {
        const std::int64_t m = base.years_months().months;
        if (name == "years") return number(m / 12);
        if (name == "months") return number(m % 12);
        break;
      }
      default:
        break;
    }
    return Fail(
        TypeError(column, fmt::format("a {} has no member '{}'", KindName(base.kind()), name)));
  }

  static bool IsBooleanShaped(const Node& n) {
    switch (n.kind) {
      case NodeKind::kCompare:
      case NodeKind::kAnd:
      case NodeKind::kOr:
      case NodeKind::kBetween:
      case NodeKind::kIn:
      case NodeKind::kSome:
      case NodeKind::kEvery:
        return true;
      default:
        return false;
    }
  }

  Result<Value> Filter(const Node& n, const Scope& scope) {
    XT_ASSIGN_OR_RETURN(Value base, Eval(*n.kids[0], scope));
    if (base.is_null()) return Value();
    const List single = base.kind() == Value::Kind::kList ? List{} : List{base};
    const List& items = base.kind() == Value::Kind::kList ? base.list() : single;
    const Node& filter = *n.kids[1];
    if (!IsBooleanShaped(filter)) {
      // A number in brackets is an index; anything else is a condition per item.
      auto index = Eval(filter, scope);
      if (index && index->kind() == Value::Kind::kNumber) {
        const auto i = index->number().ToInt64();
        if (!i) return Fail(TypeError(filter.column, "a list index must be an integer"));
        const auto size = static_cast<std::int64_t>(items.size());
        const std::int64_t at = *i > 0 ? *i - 1 : size + *i;
        if (*i == 0 || at < 0 || at >= size) return Value();
        return items[static_cast<std::size_t>(at)];
      }
    }
    List out;
    for (const Value& item : items) {
      const Scope entries{
          &scope, item.kind() == Value::Kind::kContext ? &item.context() : nullptr, {}, nullptr};
      const Scope with_item{&entries, nullptr, "item", &item};
      XT_ASSIGN_OR_RETURN(Value keep, Eval(filter, with_item));
      XT_ASSIGN_OR_RETURN(std::optional<bool> t, Truth(keep, "a filter", filter.column));
      if (t && *t) out.push_back(item);
    }
    return Value(std::move(out));
  }

  Result<Value> Call(const Node& n, const Scope& scope) {
    const Builtin& b = *n.builtin;
    if (b.name == "is defined") return Value(IsDefined(*n.kids[0], scope));
    std::vector<Value> args;
    args.reserve(n.kids.size());
    bool any_null = false;
    for (const auto& kid : n.kids) {
      XT_ASSIGN_OR_RETURN(Value v, Eval(*kid, scope));
      any_null = any_null || v.is_null();
      args.push_back(std::move(v));
    }
    if (any_null && b.null_propagates) return Value();
    return b.fn(BuiltinCall{b, state_, n.column}, args);
  }

  // Camunda's is defined(): false only for a missing variable or entry.
  bool IsDefined(const Node& n, const Scope& scope) {
    if (n.kind == NodeKind::kName) return scope.Lookup(n.name) != nullptr;
    if (n.kind == NodeKind::kPath) {
      if (!IsDefined(*n.kids[0], scope)) return false;
      auto base = Eval(*n.kids[0], scope);
      if (!base || base->kind() != Value::Kind::kContext)
        return base.has_value() && !base->is_null();
      return base->context().Find(n.name) != nullptr;
    }
    return Eval(n, scope).has_value();
  }

  // The values one iteration source yields.
  Result<List> Source(const Node& n, const Scope& scope) {
    if (n.kind == NodeKind::kIterRange) {
      XT_ASSIGN_OR_RETURN(Value from, Eval(*n.kids[0], scope));
      XT_ASSIGN_OR_RETURN(Value to, Eval(*n.kids[1], scope));
      if (from.kind() != Value::Kind::kNumber || to.kind() != Value::Kind::kNumber ||
          !from.number().ToInt64() || !to.number().ToInt64()) {
        return Fail(TypeError(n.column, "a range to iterate needs integer bounds"));
      }
      const std::int64_t first = from.number().ToInt64().value_or(0);
      const std::int64_t last = to.number().ToInt64().value_or(0);
      const std::int64_t step = first <= last ? 1 : -1;
      List out;
      for (std::int64_t i = first;; i += step) {
        XT_TRY_VOID(state_.Spend(n.column));
        if (out.size() >= state_.env.max_list_size) {
          return Fail(Error::TooLarge(fmt::format("at column {}: range has more than {} items",
                                                  n.column, state_.env.max_list_size)));
        }
        out.push_back(Value::Number(i));
        if (i == last) break;
      }
      return out;
    }
    XT_ASSIGN_OR_RETURN(Value v, Eval(n, scope));
    if (v.kind() == Value::Kind::kList) return v.list();
    return List{std::move(v)};
  }

  // for/some/every over iterators [index, end): nested loops, innermost last.
  Result<void> Loop(const Node& n, std::size_t index, const Scope& scope, List& results,
                    bool& stop) {
    if (index + 1 == n.kids.size()) {
      XT_ASSIGN_OR_RETURN(Value v, Eval(*n.kids.back(), scope));
      if (n.kind != NodeKind::kFor) {
        XT_ASSIGN_OR_RETURN(
            std::optional<bool> t,
            Truth(v, n.kind == NodeKind::kSome ? "'some'" : "'every'", n.kids.back()->column));
        const bool satisfied = t && *t;
        if (satisfied == (n.kind == NodeKind::kSome)) stop = true;  // some: found; every: failed
        return {};
      }
      results.push_back(std::move(v));
      if (results.size() > state_.env.max_list_size) {
        return Fail(Error::TooLarge(fmt::format("at column {}: 'for' produced more than {} items",
                                                n.column, state_.env.max_list_size)));
      }
      return {};
    }
    XT_ASSIGN_OR_RETURN(List items, Source(*n.kids[index], scope));
    for (const Value& item : items) {
      XT_TRY_VOID(state_.Spend(n.column));
      const Scope inner{&scope, nullptr, n.names[index], &item};
      XT_TRY_VOID(Loop(n, index + 1, inner, results, stop));
      if (stop) return {};
    }
    return {};
  }

  Result<Value> Iterate(const Node& n, const Scope& scope) {
    List results;
    bool stop = false;
    XT_TRY_VOID(Loop(n, 0, scope, results, stop));
    if (n.kind == NodeKind::kFor) return Value(std::move(results));
    return Value(n.kind == NodeKind::kSome ? stop : !stop);
  }

  EvalState state_;
};

}  // namespace

Result<Value> Expression::Evaluate(const Context& vars, const EvalEnv& env) const {
  Evaluator evaluator(env);
  const Scope scope{nullptr, &vars, {}, nullptr};
  return evaluator.Eval(*root_, scope);
}

Result<bool> UnaryTests::Matches(const Value& input, const Context& vars,
                                 const EvalEnv& env) const {
  Evaluator evaluator(env);
  const Scope scope{nullptr, &vars, {}, nullptr};
  XT_ASSIGN_OR_RETURN(std::optional<bool> r, evaluator.Test(*root_, input, scope));
  return r.value_or(false);
}

Result<Context> ContextFromJson(const json::Json& object) {
  if (!object.is_object()) return Fail(Error::InvalidArgument("variables must be a JSON object"));
  XT_ASSIGN_OR_RETURN(Value v, FromJson(object));
  return v.context();
}

}  // namespace xietong::feel
