// The FEEL lexer and recursive-descent parser. Every recursion passes through
// Enter(), and every node's height is checked, so no text can nest deeper
// than kMaxDepth in the parser, in the tree or in the evaluator.
#include <fmt/core.h>

#include <algorithm>
#include <array>

#include "workflow/feel.h"
#include "workflow/feel_internal.h"

namespace xietong::feel {
namespace {

using NodePtr = std::unique_ptr<Node>;

enum class Tok { kEnd, kNumber, kString, kName, kPunct };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // a string's unescaped value, a name, or the symbol
  int column = 1;
};

bool IsNameStart(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch >= 0x80;
}
bool IsNamePart(unsigned char ch) { return IsNameStart(ch) || (ch >= '0' && ch <= '9'); }
bool IsDigit(char ch) { return ch >= '0' && ch <= '9'; }

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      XT_TRY_VOID(SkipSpaceAndComments());
      Token t;
      t.column = column_;
      if (pos_ >= text_.size()) {
        tokens.push_back(std::move(t));
        return tokens;
      }
      const char ch = text_[pos_];
      if (IsDigit(ch) || (ch == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
        t.kind = Tok::kNumber;
        const std::size_t start = pos_;
        while (pos_ < text_.size() && IsDigit(text_[pos_])) Advance();
        if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsDigit(text_[pos_ + 1])) {
          Advance();
          while (pos_ < text_.size() && IsDigit(text_[pos_])) Advance();
        }
        t.text = text_.substr(start, pos_ - start);
      } else if (ch == '"') {
        t.kind = Tok::kString;
        XT_ASSIGN_OR_RETURN(t.text, ReadString());
      } else if (ch == '?') {
        t.kind = Tok::kName;
        t.text = "?";
        Advance();
      } else if (IsNameStart(static_cast<unsigned char>(ch))) {
        t.kind = Tok::kName;
        const std::size_t start = pos_;
        while (pos_ < text_.size() && IsNamePart(static_cast<unsigned char>(text_[pos_])))
          Advance();
        t.text = text_.substr(start, pos_ - start);
      } else {
        t.kind = Tok::kPunct;
        static constexpr std::array<std::string_view, 5> kTwo = {"**", "..", "!=", "<=", ">="};
        const std::string_view rest = text_.substr(pos_);
        const auto two = std::find_if(kTwo.begin(), kTwo.end(),
                                      [&](std::string_view s) { return rest.starts_with(s); });
        if (two != kTwo.end()) {
          t.text = *two;
        } else if (std::string_view("()[]{},.:+-*/=<>@").find(ch) != std::string_view::npos) {
          t.text = std::string(1, ch);
        } else {
          const unsigned char u = static_cast<unsigned char>(ch);
          return Fail(ErrorAt(column_, u < 0x20 || u == 0x7f
                                           ? fmt::format("unexpected control character 0x{:02x}", u)
                                           : fmt::format("unexpected character '{}'", ch)));
        }
        for (std::size_t i = 0; i < t.text.size(); ++i) Advance();
      }
      tokens.push_back(std::move(t));
    }
  }

 private:
  void Advance() {
    // Columns count code points: continuation bytes do not move the column.
    if ((static_cast<unsigned char>(text_[pos_]) & 0xC0) != 0x80) ++column_;
    ++pos_;
  }

  Result<void> SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      const char ch = text_[pos_];
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
        Advance();
      } else if (text_.substr(pos_).starts_with("//")) {
        while (pos_ < text_.size() && text_[pos_] != '\n') Advance();
      } else if (text_.substr(pos_).starts_with("/*")) {
        const int column = column_;
        const std::size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return Fail(ErrorAt(column, "comment is not closed"));
        while (pos_ < end + 2) Advance();
      } else {
        break;
      }
    }
    return {};
  }

  Result<std::string> ReadString() {
    const int column = column_;
    Advance();  // the opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return Fail(ErrorAt(column, "string is not closed with '\"'"));
      const char ch = text_[pos_];
      if (ch == '"') {
        Advance();
        return out;
      }
      if (ch != '\\') {
        out += ch;
        Advance();
        continue;
      }
      const int escape_column = column_;
      Advance();
      if (pos_ >= text_.size()) return Fail(ErrorAt(column, "string is not closed with '\"'"));
      const char e = text_[pos_];
      Advance();
      switch (e) {
        case '"':
        case '\\':
        case '\'':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'u':
        case 'U': {
          const std::size_t width = e == 'u' ? 4 : 6;
          XT_ASSIGN_OR_RETURN(char32_t cp, ReadHex(width, escape_column));
          if (e == 'u' && cp >= 0xD800 && cp <= 0xDBFF) {  // a surrogate pair
            if (!text_.substr(pos_).starts_with("\\u")) {
              return Fail(ErrorAt(escape_column, "high surrogate without a low surrogate"));
            }
            Advance();
            Advance();
            XT_ASSIGN_OR_RETURN(char32_t low, ReadHex(4, escape_column));
            if (low < 0xDC00 || low > 0xDFFF) {
              return Fail(ErrorAt(escape_column, "high surrogate without a low surrogate"));
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return Fail(ErrorAt(escape_column, "escape is not a Unicode character"));
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          return Fail(ErrorAt(escape_column, fmt::format("unknown escape '\\{}'", e)));
      }
    }
  }

  Result<char32_t> ReadHex(std::size_t width, int column) {
    char32_t cp = 0;
    for (std::size_t i = 0; i < width; ++i) {
      if (pos_ >= text_.size()) return Fail(ErrorAt(column, "escape needs hex digits"));
      const char h = text_[pos_];
      int v;
      if (IsDigit(h)) {
        v = h - '0';
      } else if (h >= 'a' && h <= 'f') {
        v = h - 'a' + 10;
      } else if (h >= 'A' && h <= 'F') {
        v = h - 'A' + 10;
      } else {
        return Fail(ErrorAt(column, "escape needs hex digits"));
      }
      cp = cp * 16 + static_cast<char32_t>(v);
      Advance();
    }
    return cp;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int column_ = 1;
};

bool IsReserved(std::string_view w) {
  static constexpr std::array<std::string_view, 17> kWords = {
      "true", "false",  "null", "and",   "or",        "if",      "then",     "else",    "for",
      "in",   "return", "some", "every", "satisfies", "between", "instance", "function"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

std::optional<Op> CompareOp(const Token& t) {
  if (t.kind != Tok::kPunct) return std::nullopt;
  if (t.text == "=") return Op::kEq;
  if (t.text == "!=") return Op::kNe;
  if (t.text == "<") return Op::kLt;
  if (t.text == "<=") return Op::kLe;
  if (t.text == ">") return Op::kGt;
  if (t.text == ">=") return Op::kGe;
  return std::nullopt;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<NodePtr> WholeExpression() {
    XT_ASSIGN_OR_RETURN(NodePtr n, Expr());
    if (Peek().kind != Tok::kEnd) return Fail(Expected("end of expression"));
    return n;
  }

  Result<NodePtr> WholeUnaryTests() {
    if (Peek().kind == Tok::kPunct && Peek().text == "-" && Peek(1).kind == Tok::kEnd) {
      return MakeNode(NodeKind::kAnyTest, Peek().column);
    }
    const bool negated = Peek().kind == Tok::kName && Peek().text == "not" &&
                         IsPunct(Peek(1), "(") && MatchingParenIsLast(pos_ + 1);
    const int column = Peek().column;
    if (negated) pos_ += 2;
    auto list = MakeNode(NodeKind::kTestList, Peek().column);
    while (true) {
      XT_ASSIGN_OR_RETURN(NodePtr test, PositiveTest());
      XT_TRY_VOID(Adopt(*list, std::move(test)));
      if (!IsPunct(Peek(), ",")) break;
      ++pos_;
    }
    if (negated) XT_TRY_VOID(Expect(")", "after the tests of not("));
    if (Peek().kind != Tok::kEnd) return Fail(Expected("',' or end of unary tests"));
    if (!negated) return list;
    auto n = MakeNode(NodeKind::kNotTests, column);
    XT_TRY_VOID(Adopt(*n, std::move(list)));
    return n;
  }

 private:
  // Guards one level of recursion.
  class Depth {
   public:
    explicit Depth(int& d) : d_(d) { ++d_; }
    ~Depth() { --d_; }
    Depth(const Depth&) = delete;
    Depth& operator=(const Depth&) = delete;

   private:
    int& d_;
  };

  Result<void> CheckDepth() {
    if (depth_ > kMaxDepth) {
      return Fail(ErrorAt(Peek().column,
                          fmt::format("expression is nested more than {} levels deep", kMaxDepth)));
    }
    return {};
  }

  const Token& Peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  static bool IsPunct(const Token& t, std::string_view s) {
    return t.kind == Tok::kPunct && t.text == s;
  }
  bool IsWord(std::string_view w, std::size_t ahead = 0) const {
    return Peek(ahead).kind == Tok::kName && Peek(ahead).text == w;
  }

  Error Expected(std::string_view what) const {
    const Token& t = Peek();
    std::string found = t.kind == Tok::kEnd      ? "end of text"
                        : t.kind == Tok::kString ? fmt::format("\"{}\"", t.text)
                                                 : fmt::format("'{}'", t.text);
    return ErrorAt(t.column, fmt::format("expected {}, found {}", what, found));
  }

  Result<void> Expect(std::string_view symbol, std::string_view context) {
    if (!IsPunct(Peek(), symbol)) return Fail(Expected(fmt::format("'{}' {}", symbol, context)));
    ++pos_;
    return {};
  }
  Result<void> ExpectWord(std::string_view word, std::string_view context) {
    if (!IsWord(word)) return Fail(Expected(fmt::format("'{}' {}", word, context)));
    ++pos_;
    return {};
  }

  bool MatchingParenIsLast(std::size_t open) const {
    int level = 0;
    for (std::size_t i = open; i < tokens_.size(); ++i) {
      if (IsPunct(tokens_[i], "(")) ++level;
      if (IsPunct(tokens_[i], ")") && --level == 0) return tokens_[i + 1].kind == Tok::kEnd;
    }
    return false;
  }

  static NodePtr MakeNode(NodeKind kind, int column) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->column = column;
    return n;
  }

  Result<void> Adopt(Node& parent, NodePtr kid) {
    parent.height = std::max(parent.height, kid->height + 1);
    parent.uses_input = parent.uses_input || kid->uses_input;
    if (parent.height > kMaxDepth) {
      return Fail(ErrorAt(parent.column, fmt::format("expression is nested more than {} levels "
                                                     "deep (split long chains of operators)",
                                                     kMaxDepth)));
    }
    parent.kids.push_back(std::move(kid));
    return {};
  }

  Result<NodePtr> Binary(NodeKind kind, Op op, NodePtr lhs, NodePtr rhs, int column) {
    auto n = MakeNode(kind, column);
    n->op = op;
    XT_TRY_VOID(Adopt(*n, std::move(lhs)));
    XT_TRY_VOID(Adopt(*n, std::move(rhs)));
    return n;
  }

  Result<NodePtr> Expr() {
    Depth guard(depth_);
    XT_TRY_VOID(CheckDepth());
    if (IsWord("if")) return If();
    if (IsWord("for")) return Quantified(NodeKind::kFor, "return");
    if (IsWord("some")) return Quantified(NodeKind::kSome, "satisfies");
    if (IsWord("every")) return Quantified(NodeKind::kEvery, "satisfies");
    return Or();
  }

  Result<NodePtr> If() {
    auto n = MakeNode(NodeKind::kIf, Peek().column);
    ++pos_;
    XT_ASSIGN_OR_RETURN(NodePtr cond, Expr());
    XT_TRY_VOID(ExpectWord("then", "after the condition of if"));
    XT_ASSIGN_OR_RETURN(NodePtr then_branch, Expr());
    XT_TRY_VOID(ExpectWord("else", "after the then branch"));
    XT_ASSIGN_OR_RETURN(NodePtr else_branch, Expr());
    XT_TRY_VOID(Adopt(*n, std::move(cond)));
    XT_TRY_VOID(Adopt(*n, std::move(then_branch)));
    XT_TRY_VOID(Adopt(*n, std::move(else_branch)));
    return n;
  }

  // for/some/every: name in source {, name in source} (return|satisfies) body.
  Result<NodePtr> Quantified(NodeKind kind, std::string_view body_word) {
    auto n = MakeNode(kind, Peek().column);
    const std::string keyword = Peek().text;
    ++pos_;
    while (true) {
      if (Peek().kind != Tok::kName || IsReserved(Peek().text)) {
        return Fail(Expected(fmt::format("a variable name after '{}'", keyword)));
      }
      n->names.push_back(Peek().text);
      ++pos_;
      XT_TRY_VOID(ExpectWord("in", "after the variable name"));
      const int column = Peek().column;
      XT_ASSIGN_OR_RETURN(NodePtr source, Expr());
      if (IsPunct(Peek(), "..")) {
        ++pos_;
        XT_ASSIGN_OR_RETURN(NodePtr end, Expr());
        XT_ASSIGN_OR_RETURN(source, Binary(NodeKind::kIterRange, Op::kNone, std::move(source),
                                           std::move(end), column));
      }
      XT_TRY_VOID(Adopt(*n, std::move(source)));
      if (!IsPunct(Peek(), ",")) break;
      ++pos_;
    }
    XT_TRY_VOID(ExpectWord(body_word, fmt::format("in '{}'", keyword)));
    XT_ASSIGN_OR_RETURN(NodePtr body, Expr());
    XT_TRY_VOID(Adopt(*n, std::move(body)));
    return n;
  }

  Result<NodePtr> Or() {
    XT_ASSIGN_OR_RETURN(NodePtr lhs, And());
    while (IsWord("or")) {
      const int column = Peek().column;
      ++pos_;
      XT_ASSIGN_OR_RETURN(NodePtr rhs, And());
      XT_ASSIGN_OR_RETURN(lhs,
                          Binary(NodeKind::kOr, Op::kNone, std::move(lhs), std::move(rhs), column));
    }
    return lhs;
  }

  Result<NodePtr> And() {
    XT_ASSIGN_OR_RETURN(NodePtr lhs, Comparison());
    while (IsWord("and")) {
      const int column = Peek().column;
      ++pos_;
      XT_ASSIGN_OR_RETURN(NodePtr rhs, Comparison());
      XT_ASSIGN_OR_RETURN(
          lhs, Binary(NodeKind::kAnd, Op::kNone, std::move(lhs), std::move(rhs), column));
    }
    return lhs;
  }

  Result<NodePtr> Comparison() {
    XT_ASSIGN_OR_RETURN(NodePtr lhs, Additive());
    const int column = Peek().column;
    if (const auto op = CompareOp(Peek())) {
      ++pos_;
      XT_ASSIGN_OR_RETURN(NodePtr rhs, Additive());
      return Binary(NodeKind::kCompare, *op, std::move(lhs), std::move(rhs), column);
    }
    if (IsWord("between")) {
      ++pos_;
      XT_ASSIGN_OR_RETURN(NodePtr low, Additive());
      XT_TRY_VOID(ExpectWord("and", "between the bounds of 'between'"));
      XT_ASSIGN_OR_RETURN(NodePtr high, Additive());
      auto n = MakeNode(NodeKind::kBetween, column);
      XT_TRY_VOID(Adopt(*n, std::move(lhs)));
      XT_TRY_VOID(Adopt(*n, std::move(low)));
      XT_TRY_VOID(Adopt(*n, std::move(high)));
      return n;
    }
    if (IsWord("in")) {
      ++pos_;
      NodePtr rhs;
      if (IsPunct(Peek(), "(") && CompareOp(Peek(1))) {  // x in (< 5, > 10)
        ++pos_;
        rhs = MakeNode(NodeKind::kTestList, Peek().column);
        while (true) {
          XT_ASSIGN_OR_RETURN(NodePtr test, PositiveTest(true));
          XT_TRY_VOID(Adopt(*rhs, std::move(test)));
          if (!IsPunct(Peek(), ",")) break;
          ++pos_;
        }
        XT_TRY_VOID(Expect(")", "after the tests"));
      } else {
        XT_ASSIGN_OR_RETURN(rhs, PositiveTest(true));
      }
      return Binary(NodeKind::kIn, Op::kNone, std::move(lhs), std::move(rhs), column);
    }
    if (IsWord("instance")) return Fail(ErrorAt(column, "'instance of' is not supported"));
    return lhs;
  }

  // "< 5", "[1..5]", or an expression: a whole one in a unary-tests cell,
  // an additive one after 'in' (so `x in [1..5] and y` keeps its 'and').
  Result<NodePtr> PositiveTest(bool after_in = false) {
    Depth guard(depth_);
    XT_TRY_VOID(CheckDepth());
    if (const auto op = CompareOp(Peek())) {
      auto n = MakeNode(NodeKind::kUnaryCompare, Peek().column);
      n->op = *op;
      ++pos_;
      XT_ASSIGN_OR_RETURN(NodePtr endpoint, Additive());
      XT_TRY_VOID(Adopt(*n, std::move(endpoint)));
      return n;
    }
    return after_in ? Additive() : Expr();
  }

  Result<NodePtr> Additive() {
    XT_ASSIGN_OR_RETURN(NodePtr lhs, Multiplicative());
    while (IsPunct(Peek(), "+") || IsPunct(Peek(), "-")) {
      const Op op = Peek().text == "+" ? Op::kAdd : Op::kSub;
      const int column = Peek().column;
      ++pos_;
      XT_ASSIGN_OR_RETURN(NodePtr rhs, Multiplicative());
      XT_ASSIGN_OR_RETURN(
          lhs, Binary(NodeKind::kArithmetic, op, std::move(lhs), std::move(rhs), column));
    }
    return lhs;
  }

  Result<NodePtr> Multiplicative() {
    XT_ASSIGN_OR_RETURN(NodePtr lhs, Power());
    while (IsPunct(Peek(), "*") || IsPunct(Peek(), "/")) {
      const Op op = Peek().text == "*" ? Op::kMul : Op::kDiv;
      const int column = Peek().column;
      ++pos_;
      XT_ASSIGN_OR_RETURN(NodePtr rhs, Power());
      XT_ASSIGN_OR_RETURN(
          lhs, Binary(NodeKind::kArithmetic, op, std::move(lhs), std::move(rhs), column));
    }
    return lhs;
  }

  Result<NodePtr> Power() {
    XT_ASSIGN_OR_RETURN(NodePtr lhs, Unary());
    while (IsPunct(Peek(), "**")) {
      const int column = Peek().column;
      ++pos_;
      XT_ASSIGN_OR_RETURN(NodePtr rhs, Unary());
      XT_ASSIGN_OR_RETURN(
          lhs, Binary(NodeKind::kArithmetic, Op::kPow, std::move(lhs), std::move(rhs), column));
    }
    return lhs;
  }

  Result<NodePtr> Unary() {
    if (!IsPunct(Peek(), "-")) return Postfix();
    Depth guard(depth_);
    XT_TRY_VOID(CheckDepth());
    const int column = Peek().column;
    ++pos_;
    XT_ASSIGN_OR_RETURN(NodePtr operand, Unary());
    if (operand->kind == NodeKind::kLiteral && operand->literal.kind() == Value::Kind::kNumber) {
      operand->literal = Value(operand->literal.number().Negate());
      operand->column = column;
      return operand;
    }
    auto n = MakeNode(NodeKind::kNegate, column);
    XT_TRY_VOID(Adopt(*n, std::move(operand)));
    return n;
  }

  Result<NodePtr> Postfix() {
    XT_ASSIGN_OR_RETURN(NodePtr base, Primary());
    while (true) {
      const int column = Peek().column;
      if (IsPunct(Peek(), ".")) {
        ++pos_;
        if (Peek().kind != Tok::kName) return Fail(Expected("a name after '.'"));
        auto n = MakeNode(NodeKind::kPath, column);
        n->name = Peek().text;
        ++pos_;
        XT_TRY_VOID(Adopt(*n, std::move(base)));
        base = std::move(n);
      } else if (IsPunct(Peek(), "[")) {
        ++pos_;
        XT_ASSIGN_OR_RETURN(NodePtr filter, Expr());
        XT_TRY_VOID(Expect("]", "after the filter"));
        XT_ASSIGN_OR_RETURN(
            base, Binary(NodeKind::kFilter, Op::kNone, std::move(base), std::move(filter), column));
      } else if (IsPunct(Peek(), "(")) {
        return Fail(ErrorAt(column, "only built-in functions can be called"));
      } else {
        return base;
      }
    }
  }

  Result<NodePtr> Literal(Value v, int column) {
    auto n = MakeNode(NodeKind::kLiteral, column);
    n->literal = std::move(v);
    ++pos_;
    return n;
  }

  Result<NodePtr> Primary() {
    const Token& t = Peek();
    const int column = t.column;
    switch (t.kind) {
      case Tok::kEnd:
        return Fail(Expected("an expression"));
      case Tok::kNumber: {
        const auto d = Decimal::Parse(t.text);
        if (!d) return Fail(ErrorAt(column, fmt::format("number {} is out of range", t.text)));
        return Literal(Value(*d), column);
      }
      case Tok::kString:
        return Literal(Value(t.text), column);
      case Tok::kName:
        return NameOrCall();
      case Tok::kPunct:
        break;
    }
    if (t.text == "@") {
      ++pos_;
      if (Peek().kind != Tok::kString) return Fail(Expected("a string after '@'"));
      const std::string& s = Peek().text;
      if (const auto date = ParseDate(s)) return Literal(Value(*date), column);
      if (const auto dt = ParseDateTime(s)) return Literal(Value(*dt), column);
      if (auto d = ParseDuration(s)) return Literal(std::move(*d), column);
      return Fail(
          ErrorAt(column, fmt::format("@\"{}\" is not a date, date and time or duration", s)));
    }
    if (t.text == "(" || t.text == "[" || t.text == "]") {
      ++pos_;
      if (t.text == "[" && IsPunct(Peek(), "]")) {
        ++pos_;
        return MakeNode(NodeKind::kList, column);
      }
      XT_ASSIGN_OR_RETURN(NodePtr first, Expr());
      if (IsPunct(Peek(), "..")) return RangeRest(column, t.text != "[", std::move(first));
      if (t.text == "(") {
        XT_TRY_VOID(Expect(")", "to close '('"));
        return first;
      }
      if (t.text == "]") return Fail(Expected("'..' in a range"));
      auto list = MakeNode(NodeKind::kList, column);
      XT_TRY_VOID(Adopt(*list, std::move(first)));
      while (IsPunct(Peek(), ",")) {
        ++pos_;
        XT_ASSIGN_OR_RETURN(NodePtr item, Expr());
        XT_TRY_VOID(Adopt(*list, std::move(item)));
      }
      XT_TRY_VOID(Expect("]", "after the list items"));
      return list;
    }
    if (t.text == "{") return ContextLiteral();
    return Fail(Expected("an expression"));
  }

  Result<NodePtr> RangeRest(int column, bool open_start, NodePtr start) {
    ++pos_;  // ..
    XT_ASSIGN_OR_RETURN(NodePtr end, Expr());
    auto n = MakeNode(NodeKind::kRange, column);
    n->open_start = open_start;
    if (IsPunct(Peek(), "]")) {
      n->open_end = false;
    } else if (IsPunct(Peek(), ")") || IsPunct(Peek(), "[")) {
      n->open_end = true;
    } else {
      return Fail(Expected("']', ')' or '[' to close the range"));
    }
    ++pos_;
    XT_TRY_VOID(Adopt(*n, std::move(start)));
    XT_TRY_VOID(Adopt(*n, std::move(end)));
    return n;
  }

  Result<NodePtr> ContextLiteral() {
    auto n = MakeNode(NodeKind::kContext, Peek().column);
    ++pos_;  // {
    if (IsPunct(Peek(), "}")) {
      ++pos_;
      return n;
    }
    while (true) {
      if (Peek().kind != Tok::kName && Peek().kind != Tok::kString) {
        return Fail(Expected("a name or a string as context key"));
      }
      std::string key = Peek().text;
      ++pos_;
      XT_TRY_VOID(Expect(":", "after the context key"));
      XT_ASSIGN_OR_RETURN(NodePtr value, Expr());
      if (std::find(n->names.begin(), n->names.end(), key) != n->names.end()) {
        return Fail(ErrorAt(value->column, fmt::format("context key '{}' appears twice", key)));
      }
      n->names.push_back(std::move(key));
      XT_TRY_VOID(Adopt(*n, std::move(value)));
      if (IsPunct(Peek(), "}")) {
        ++pos_;
        return n;
      }
      XT_TRY_VOID(Expect(",", "or '}' after a context entry"));
    }
  }

  Result<NodePtr> NameOrCall() {
    const Token& t = Peek();
    const int column = t.column;
    if (t.text == "true") return Literal(Value(true), column);
    if (t.text == "false") return Literal(Value(false), column);
    if (t.text == "null") return Literal(Value(), column);
    if (t.text == "if" || t.text == "for" || t.text == "some" || t.text == "every") return Expr();
    // The longest built-in name these words spell that is followed by '('.
    std::string words;
    const Builtin* builtin = nullptr;
    std::size_t used = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(kMaxBuiltinWords); ++i) {
      if (Peek(i).kind != Tok::kName) break;
      if (i > 0) words += ' ';
      words += Peek(i).text;
      if (IsPunct(Peek(i + 1), "(")) {
        if (const Builtin* b = FindBuiltin(words)) {
          builtin = b;
          used = i + 1;
        }
      }
    }
    if (builtin == nullptr && IsPunct(Peek(1), "(")) {
      return Fail(ErrorAt(column, fmt::format("unknown function '{}'", t.text)));
    }
    if (builtin == nullptr) {
      if (IsReserved(t.text)) return Fail(Expected("an expression"));
      auto n = MakeNode(NodeKind::kName, column);
      n->name = t.text;
      n->uses_input = t.text == "?";
      ++pos_;
      return n;
    }
    pos_ += used + 1;  // the name and '('
    auto n = MakeNode(NodeKind::kCall, column);
    n->builtin = builtin;
    n->name = std::string(builtin->name);
    if (!IsPunct(Peek(), ")")) {
      while (true) {
        if (Peek().kind == Tok::kName && IsPunct(Peek(1), ":")) {
          return Fail(ErrorAt(Peek().column, "named arguments are not supported"));
        }
        XT_ASSIGN_OR_RETURN(NodePtr arg, Expr());
        XT_TRY_VOID(Adopt(*n, std::move(arg)));
        if (!IsPunct(Peek(), ",")) break;
        ++pos_;
      }
    }
    XT_TRY_VOID(Expect(")", "after arguments"));
    const int count = static_cast<int>(n->kids.size());
    if (count < builtin->min_args || (builtin->max_args >= 0 && count > builtin->max_args)) {
      const std::string wanted =
          builtin->min_args == builtin->max_args ? fmt::format("{}", builtin->min_args)
          : builtin->max_args < 0                ? fmt::format("at least {}", builtin->min_args)
                                  : fmt::format("{} to {}", builtin->min_args, builtin->max_args);
      return Fail(ErrorAt(column, fmt::format("{}() takes {} argument{}, got {}", builtin->name,
                                              wanted, wanted == "1" ? "" : "s", count)));
    }
    return n;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

Result<std::vector<Token>> Tokenize(std::string_view text) {
  if (text.size() > kMaxExpressionBytes) {
    return Fail(
        Error::TooLarge(fmt::format("expression is longer than {} bytes", kMaxExpressionBytes)));
  }
  if (const auto bad = json::FindInvalidUtf8(text)) {
    return Fail(
        Error::InvalidArgument(fmt::format("expression is not valid UTF-8 at byte {}", *bad)));
  }
  return Lexer(text).Run();
}

}  // namespace

Error ErrorAt(int column, std::string_view message) {
  return Error::InvalidArgument(fmt::format("at column {}: {}", column, message));
}

Result<Expression> Expression::Parse(std::string_view text) {
  XT_ASSIGN_OR_RETURN(auto tokens, Tokenize(text));
  XT_ASSIGN_OR_RETURN(auto root, Parser(std::move(tokens)).WholeExpression());
  return Expression(std::shared_ptr<const Node>(std::move(root)), std::string(text));
}

Result<UnaryTests> UnaryTests::Parse(std::string_view text) {
  XT_ASSIGN_OR_RETURN(auto tokens, Tokenize(text));
  if (tokens.size() == 1) {  // an empty cell, as the modeler writes it, means "-"
    auto any = std::make_unique<Node>();
    any->kind = NodeKind::kAnyTest;
    return UnaryTests(std::shared_ptr<const Node>(std::move(any)), std::string(text));
  }
  XT_ASSIGN_OR_RETURN(auto root, Parser(std::move(tokens)).WholeUnaryTests());
  return UnaryTests(std::shared_ptr<const Node>(std::move(root)), std::string(text));
}

AttributeText SplitAttribute(std::string_view attribute) {
  std::size_t i = 0;
  while (i < attribute.size() && (attribute[i] == ' ' || attribute[i] == '\t' ||
                                  attribute[i] == '\n' || attribute[i] == '\r')) {
    ++i;
  }
  if (i < attribute.size() && attribute[i] == '=') return {true, attribute.substr(i + 1)};
  return {false, attribute};
}

}  // namespace xietong::feel
