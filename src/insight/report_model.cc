#include "insight/report_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

namespace xietong::insight {

namespace {

// Code points of UTF-8 text (a malformed byte counts as one).
std::vector<std::string> CodePoints(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    n = std::min(n, s.size() - i);
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// Two decimals at most, trailing zeros dropped: 12.30 → 12.3, 5.00 → 5.
std::string Trimmed(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string_view RagLabel(Rag rag) {
  switch (rag) {
    case Rag::kGreen:
      return "绿";
    case Rag::kAmber:
      return "黄";
    case Rag::kRed:
      return "红";
    case Rag::kNone:
      break;
  }
  return "";
}

std::string FormatValue(double value, ValueFormat format) {
  if (std::isnan(value)) return "—";
  switch (format) {
    case ValueFormat::kCount:
      return Thousands(std::llround(value));
    case ValueFormat::kDecimal1:
      return fmt::format("{:.1f}", value);
    case ValueFormat::kPercent:
      return Percent(value);
  }
  return "";
}

std::string_view XlsxNumberFormat(ValueFormat format) {
  switch (format) {
    case ValueFormat::kCount:
      return "#,##0";
    case ValueFormat::kDecimal1:
      return "0.0";
    case ValueFormat::kPercent:
      return "0.0%";
  }
  return "General";
}

Cell TextCell(std::string text, bool bold) { return {.text = std::move(text), .bold = bold}; }

Cell CountCell(std::int64_t n) {
  return {.text = Thousands(n), .number = static_cast<double>(n), .number_format = "#,##0"};
}

Cell RateCell(std::optional<double> rate, int decimals) {
  if (!rate) return {.text = "—"};
  return {.text = Percent(rate, decimals),
          .number = *rate,
          .number_format = decimals == 0 ? "0%" : "0." + std::string(decimals, '0') + "%"};
}

Cell ScoreCell(std::optional<double> score) {
  if (!score) return {.text = "—"};
  return {.text = fmt::format("{:.1f}", *score), .number = *score, .number_format = "0.0"};
}

Cell ChangeCell(std::optional<double> ratio) {
  if (!ratio) return {.text = "—"};
  return {.text = ChangeArrow(ratio), .number = *ratio, .number_format = "+0.0%;-0.0%;0.0%"};
}

Cell RagCell(Rag rag) {
  if (rag == Rag::kNone) return {.text = "—"};
  return {.text = std::string(RagLabel(rag)), .rag = rag};
}

Result<void> Validate(const ReportDocument& doc) {
  for (std::size_t b = 0; b < doc.blocks.size(); ++b) {
    const auto where = [&](std::string_view what, std::string_view title) {
      return Error::InvalidArgument(fmt::format("block {} ({} \"{}\"): ", b + 1, what, title));
    };
    if (const auto* t = std::get_if<Table>(&doc.blocks[b])) {
      const std::size_t cols = t->header.size();
      if (cols == 0) {
        auto e = where("table", t->title);
        e.message += "a table needs a header";
        return std::unexpected(std::move(e));
      }
      if (!t->widths_mm.empty() && t->widths_mm.size() != cols) {
        auto e = where("table", t->title);
        e.message += fmt::format("{} widths for {} columns", t->widths_mm.size(), cols);
        return std::unexpected(std::move(e));
      }
      if (std::any_of(t->widths_mm.begin(), t->widths_mm.end(),
                      [](double w) { return !(w > 0); })) {
        auto e = where("table", t->title);
        e.message += "column widths must be positive";
        return std::unexpected(std::move(e));
      }
      if (!t->align.empty() && t->align.size() != cols) {
        auto e = where("table", t->title);
        e.message += fmt::format("{} alignments for {} columns", t->align.size(), cols);
        return std::unexpected(std::move(e));
      }
      for (std::size_t r = 0; r < t->rows.size(); ++r) {
        if (t->rows[r].size() != cols) {
          auto e = where("table", t->title);
          e.message +=
              fmt::format("row {} has {} cells for {} columns", r + 1, t->rows[r].size(), cols);
          return std::unexpected(std::move(e));
        }
      }
    } else if (const auto* c = std::get_if<Chart>(&doc.blocks[b])) {
      const std::size_t n = c->categories.size();
      if (c->series.empty()) {
        auto e = where("chart", c->title);
        e.message += "a chart needs a series";
        return std::unexpected(std::move(e));
      }
      if (!(c->height_mm >= 20 && c->height_mm <= 200)) {
        auto e = where("chart", c->title);
        e.message += "height must be 20–200 mm";
        return std::unexpected(std::move(e));
      }
      for (const auto& s : c->series) {
        const bool band_ok =
            (s.lo.empty() && s.hi.empty()) || (s.lo.size() == n && s.hi.size() == n);
        if (s.values.size() != n || !band_ok || (!s.colours.empty() && s.colours.size() != n)) {
          auto e = where("chart", c->title);
          e.message += fmt::format(
              "series \"{}\" needs one value (and lo, hi, colour when given) per category ({})",
              s.name, n);
          return std::unexpected(std::move(e));
        }
        for (double v : s.values) {
          if (std::isinf(v)) {
            auto e = where("chart", c->title);
            e.message += fmt::format("series \"{}\" has an infinite value", s.name);
            return std::unexpected(std::move(e));
          }
        }
      }
      if (c->forecast_from > static_cast<int>(n)) {
        auto e = where("chart", c->title);
        e.message += "forecast_from is past the last category";
        return std::unexpected(std::move(e));
      }
    } else if (const auto* h = std::get_if<Heading>(&doc.blocks[b])) {
      if (h->level != 1 && h->level != 2) {
        auto e = where("heading", h->text);
        e.message += "level must be 1 or 2";
        return std::unexpected(std::move(e));
      }
    }
  }
  return {};
}

std::string Thousands(std::int64_t n) {
  const bool negative = n < 0;
  // Unsigned so that the smallest int64 has a magnitude.
  std::uint64_t m = negative ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  std::string digits = std::to_string(m);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string Amount(std::int64_t n) {
  const double a = std::abs(static_cast<double>(n));
  const std::string sign = n < 0 ? "-" : "";
  if (a >= 1e8) return sign + Trimmed(a / 1e8) + "亿";
  if (a >= 1e5) return sign + Trimmed(a / 1e4) + "万";
  return Thousands(n);
}

std::string Percent(std::optional<double> ratio, int decimals) {
  if (!ratio || std::isnan(*ratio)) return "—";
  return fmt::format("{:.{}f}%", *ratio * 100, std::clamp(decimals, 0, 4));
}

std::string SignedPercent(std::optional<double> ratio) {
  if (!ratio || std::isnan(*ratio)) return "—";
  std::string s = fmt::format("{:+.1f}%", *ratio * 100);
  return s == "-0.0%" ? "+0.0%" : s;
}

std::optional<double> Change(double current, double previous) {
  if (!(previous > 0)) return std::nullopt;
  return (current - previous) / previous;
}

std::string ChangeArrow(std::optional<double> ratio) {
  if (!ratio || std::isnan(*ratio)) return "—";
  if (std::abs(*ratio) < 0.0005) return "持平";
  return fmt::format("{}{:.1f}%", *ratio > 0 ? "↑" : "↓", std::abs(*ratio) * 100);
}

std::string Compared(std::string_view label, std::optional<double> ratio) {
  return std::string(label) + ChangeArrow(ratio);
}

std::string ChangeWords(std::optional<double> ratio) {
  if (!ratio || std::isnan(*ratio)) return "无可比数据";
  if (std::abs(*ratio) < 0.0005) return "持平";
  return fmt::format("{}{:.1f}%", *ratio > 0 ? "增长" : "下降", std::abs(*ratio) * 100);
}

std::string SignedPoints(std::optional<double> delta) {
  if (!delta || std::isnan(*delta)) return "—";
  if (std::abs(*delta) < 0.05) return "持平";
  return fmt::format("{:+.1f}分", *delta);
}

std::string SectionNumeral(int n) {
  static constexpr std::string_view kDigits[] = {"〇", "一", "二", "三", "四",
                                                 "五", "六", "七", "八", "九"};
  if (n < 1 || n > 99) return std::to_string(n);
  if (n < 10) return std::string(kDigits[n]);
  std::string out = n >= 20 ? std::string(kDigits[n / 10]) : "";
  out += "十";
  if (n % 10 != 0) out += kDigits[n % 10];
  return out;
}

std::string ListWords(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? "和" : "、";
    out += items[i];
  }
  return out;
}

Result<std::string> ChineseMonth(std::string_view s) {
  const auto bad = [&] {
    return std::unexpected(
        Error::InvalidArgument(fmt::format("month \"{}\" is not yyyy-mm (e.g. 2026-11)", s)));
  };
  if (s.size() != 7 || s[4] != '-') return bad();
  for (std::size_t i : {0, 1, 2, 3, 5, 6}) {
    if (s[i] < '0' || s[i] > '9') return bad();
  }
  const int year = std::atoi(std::string(s.substr(0, 4)).c_str());
  const int month = std::atoi(std::string(s.substr(5, 2)).c_str());
  if (year < 1970 || month < 1 || month > 12) return bad();
  return fmt::format("{}年{}月", year, month);
}

namespace {
struct Civil {
  int year, month, day, hour, minute, second;
};
Civil Beijing(Timestamp t) {
  using namespace std::chrono;
  const auto local = sys_time<microseconds>(microseconds(t + kShanghaiOffset));
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss hms(floor<seconds>(local - day));
  return {static_cast<int>(ymd.year()),
          static_cast<int>(unsigned(ymd.month())),
          static_cast<int>(unsigned(ymd.day())),
          static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count())};
}
}  // namespace

std::string BeijingDateTime(Timestamp t) {
  const Civil c = Beijing(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute);
}

std::string BeijingIso8601(Timestamp t) {
  const Civil c = Beijing(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00", c.year, c.month, c.day, c.hour,
                     c.minute, c.second);
}

Result<std::string> FillTemplate(std::string_view tmpl,
                                 const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    const char c = tmpl[i];
    if (c == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (c == '}' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (c == '{') {
      const std::size_t end = tmpl.find('}', i + 1);
      if (end == std::string_view::npos) {
        return std::unexpected(Error::InvalidArgument(
            fmt::format("template: the blank at byte {} is not closed with }}", i)));
      }
      const std::string name(tmpl.substr(i + 1, end - i - 1));
      const auto it = values.find(name);
      if (it == values.end()) {
        return std::unexpected(
            Error::InvalidArgument(fmt::format("template: no value for {{{}}}", name)));
      }
      out += it->second;
      i = end;
    } else if (c == '}') {
      return std::unexpected(Error::InvalidArgument(
          fmt::format("template: a }} at byte {} closes no blank (write }}}} for a brace)", i)));
    } else {
      out += c;
    }
  }
  return out;
}

const std::string_view kOverviewTemplate =
    "{month}，{scope}共受理群众诉求{n}件，日均{avg}件，环比{mom}，同比{yoy}；其中电话{phone}件"
    "（{phone_share}）。派单{dispatched}件，按时响应率{response}，问题解决率{resolution}，"
    "群众满意率{satisfaction}，考核得分{score}，较上月{score_change}。";

Result<std::string> OverviewParagraph(const OverviewFigures& f) {
  const auto share =
      f.received > 0
          ? std::optional<double>(static_cast<double>(f.phone) / static_cast<double>(f.received))
          : std::nullopt;
  const double avg = f.days > 0 ? static_cast<double>(f.received) / f.days : 0;
  return FillTemplate(
      kOverviewTemplate,
      {{"month", f.month},
       {"scope", f.scope},
       {"n", Thousands(f.received)},
       {"avg", avg >= 100 ? Thousands(std::llround(avg)) : fmt::format("{:.1f}", avg)},
       {"mom", ChangeWords(f.month_on_month)},
       {"yoy", ChangeWords(f.year_on_year)},
       {"phone", Thousands(f.phone)},
       {"phone_share", Percent(share)},
       {"dispatched", Thousands(f.dispatched)},
       {"response", Percent(f.response_rate)},
       {"resolution", Percent(f.resolution_rate)},
       {"satisfaction", Percent(f.satisfaction_rate)},
       {"score", f.score ? fmt::format("{:.1f}分", *f.score) : std::string("暂无")},
       {"score_change",
        f.score_change ? SignedPoints(f.score_change) : std::string("无可比数据")}});
}

std::string DistributionSentence(const std::vector<CategoryCount>& categories) {
  if (categories.empty()) return "本月无诉求。";
  std::vector<CategoryCount> by_count = categories;
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](const auto& a, const auto& b) { return a.count > b.count; });
  std::vector<std::string> top;
  for (std::size_t i = 0; i < by_count.size() && i < 3; ++i) {
    top.push_back(fmt::format("{}（{}件）", by_count[i].name, Thousands(by_count[i].count)));
  }
  std::string out = fmt::format(
      "受理量居前{}位的类别是{}",
      top.size() == 3 ? "三" : SectionNumeral(static_cast<int>(top.size())), ListWords(top));
  // The fastest growing among categories with a base worth comparing (≥ 10).
  const CategoryCount* fastest = nullptr;
  double best = 0;
  for (const auto& c : categories) {
    const auto ch = c.previous >= 10
                        ? Change(static_cast<double>(c.count), static_cast<double>(c.previous))
                        : std::nullopt;
    if (ch && *ch > best) {
      best = *ch;
      fastest = &c;
    }
  }
  if (fastest) {
    out += fmt::format("；增长最快的是{}（{}）", fastest->name, SignedPercent(best));
  }
  return out + "。";
}

std::string RankingSentence(const std::vector<RankedUnit>& ranking) {
  if (ranking.empty()) return "本月无参与考核的单位。";
  std::vector<std::string> top, bottom;
  for (std::size_t i = 0; i < ranking.size() && i < 3; ++i) top.push_back(ranking[i].name);
  std::string out = fmt::format("排名前三：{}", ListWords(top));
  if (ranking.size() > 3) {
    const std::size_t from = ranking.size() - std::min<std::size_t>(3, ranking.size() - 3);
    for (std::size_t i = from; i < ranking.size(); ++i) bottom.push_back(ranking[i].name);
    out += fmt::format("；排名后{}位：{}", SectionNumeral(static_cast<int>(bottom.size())),
                       ListWords(bottom));
    // The worst overdue rate among the bottom units is the one to supervise.
    const RankedUnit* worst = nullptr;
    for (std::size_t i = from; i < ranking.size(); ++i) {
      if (ranking[i].overdue_rate && (!worst || *ranking[i].overdue_rate > *worst->overdue_rate)) {
        worst = &ranking[i];
      }
    }
    if (worst && *worst->overdue_rate > 0) {
      out += fmt::format("，其中{}超期率{}，需重点督办", worst->name, Percent(worst->overdue_rate));
    }
  }
  return out + "。";
}

std::string SheetName(std::string_view wanted, std::vector<std::string>& taken) {
  std::vector<std::string> cps;
  for (auto& cp : CodePoints(wanted)) {
    if (cp.size() == 1 && std::string_view("[]:*?/\\'").find(cp[0]) != std::string_view::npos) {
      continue;
    }
    cps.push_back(std::move(cp));
  }
  const auto join = [](const std::vector<std::string>& v, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n && i < v.size(); ++i) s += v[i];
    return s;
  };
  std::string base = join(cps, 31);
  if (base.find_first_not_of(' ') == std::string::npos) base = "表";
  std::string name = base;
  for (int k = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++k) {
    const std::string suffix = fmt::format("（{}）", k);
    const std::size_t room = 31 - CodePoints(suffix).size();
    name = join(CodePoints(base), room) + suffix;
  }
  taken.push_back(name);
  return name;
}

}  // namespace xietong::insight
