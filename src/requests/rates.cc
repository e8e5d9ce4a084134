#include "requests/rates.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <tuple>

#include "core/csv.h"
#include "core/xlsx.h"
#include "requests/rates_store.h"

namespace xietong::requests::rates {
namespace {

// Months as a count since year 0, so that ranges are easy to walk.
Result<int> ParseMonth(std::string_view field, std::string_view text) {
  auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  const bool shape = text.size() == 7 && text[4] == '-' && digit(0) && digit(1) && digit(2) &&
                     digit(3) && digit(5) && digit(6);
  const int year = shape ? (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 +
                               (text[3] - '0')
                         : 0;
  const int month = shape ? (text[5] - '0') * 10 + (text[6] - '0') : 0;
  if (!shape || month < 1 || month > 12)
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' must be a month like 2026-03; got '{}'", field, text)));
  return year * 12 + month - 1;
}

std::string FormatMonth(int index) {
  return fmt::format("{:04}-{:02}", index / 12, index % 12 + 1);
}

Result<std::pair<int, int>> ParseMonthRange(std::string_view from, std::string_view to) {
  XT_ASSIGN_OR_RETURN(const int first, ParseMonth("from_month", from));
  XT_ASSIGN_OR_RETURN(const int last, ParseMonth("to_month", to));
  if (first > last)
    return Fail(Error::InvalidArgument(
        fmt::format("'from_month' ({}) must not be after 'to_month' ({})", from, to)));
  return std::pair{first, last};
}

// Scores that differ only by floating-point noise rank together.
std::int64_t ScoreKey(double score) { return std::llround(score * 1e6); }

std::string Percent(const std::optional<double>& rate) {
  return rate ? fmt::format("{:.2f}%", *rate * 100) : std::string();
}

constexpr std::string_view kHeader[] = {"排名",     "单位",   "类型",   "受理量",  "及时响应",
                                        "响应率",   "参评量", "已解决", "解决率",  "满意",
                                        "基本满意", "不满意", "满意率", "综合得分"};

std::string Title(std::string_view period) { return fmt::format("接诉即办三率排名 {}", period); }

}  // namespace

Counters& Counters::operator+=(const Counters& o) {
  for (const auto& c : kCounterFields) this->*c.field += o.*c.field;
  return *this;
}

Counters& Counters::operator-=(const Counters& o) {
  for (const auto& c : kCounterFields) this->*c.field -= o.*c.field;
  return *this;
}

bool Counters::IsZero() const { return *this == Counters{}; }

std::optional<Contribution> ContributionOf(const Request& r) {
  if (r.dispatched_at == 0 || r.unit_id.empty() || r.status == Status::kReceived ||
      r.status == Status::kMerged)
    return std::nullopt;
  Contribution out{r.unit_id, r.unit_path, MonthKey(r.dispatched_at), {}};
  Counters& c = out.counters;
  c.dispatched = 1;
  if (r.signed_at != 0 && !r.sign_late && (r.sign_due == 0 || r.signed_at <= r.sign_due))
    c.responded_on_time = 1;
  // A reopened request is dispatched again: its earlier reply and rating no
  // longer count until it is replied and rated anew.
  const bool answered =
      r.status == Status::kReplied || r.status == Status::kCallback || r.status == Status::kClosed;
  if (answered && r.replied_at != 0) {
    c.replied = 1;
    if (!r.finish_late && (r.finish_due == 0 || r.replied_at <= r.finish_due))
      c.replied_on_time = 1;
  }
  if (answered && r.resolved && r.satisfaction) {
    c.rated = 1;
    if (*r.resolved) c.resolved = 1;
    switch (*r.satisfaction) {
      case Satisfaction::kSatisfied:
        c.satisfied = 1;
        break;
      case Satisfaction::kBasicallySatisfied:
        c.basically_satisfied = 1;
        break;
      case Satisfaction::kDissatisfied:
        c.dissatisfied = 1;
        break;
    }
  }
  return out;
}

Contribution ContributionOf(const Summons& s) {
  Contribution out{s.department_id, s.department_path, MonthKey(s.created_at), {}};
  Counters& c = out.counters;
  c.summoned = 1;
  const bool reported_late =
      s.reported_at != 0 && s.report_due != 0 && s.reported_at > s.report_due;
  if (s.reported_at != 0 && !reported_late && !s.late) c.summons_reported_on_time = 1;
  if (s.late || reported_late) c.summons_late = 1;
  return out;
}

Result<void> Apply(storage::Executor& ex, const std::optional<Contribution>& before,
                   const std::optional<Contribution>& after) {
  if (before == after) return {};
  // One delta per (unit, month); written in key order so that two
  // transactions moving requests between the same units lock rows in the
  // same order (no deadlock on PostgreSQL).
  struct Delta {
    std::string unit_path;
    Counters counters;
  };
  std::map<std::pair<std::string, std::string>, Delta> deltas;
  if (before) {
    Delta& d = deltas[{before->unit_id, before->month}];
    d.unit_path = before->unit_path;
    d.counters -= before->counters;
  }
  if (after) {
    Delta& d = deltas[{after->unit_id, after->month}];
    d.unit_path = after->unit_path;
    d.counters += after->counters;
  }
  // A unit moved in the org tree: its row takes the new path even when the counts stay.
  const bool path_changed = before && after && before->unit_path != after->unit_path;
  for (const auto& [key, delta] : deltas) {
    if (delta.counters.IsZero() && !path_changed) continue;
    XT_TRY_VOID(store::Add(ex, key.first, delta.unit_path, key.second, delta.counters));
  }
  return {};
}

std::span<const storage::Migration> Migrations() { return store::Migrations(); }

Result<void> Validate(const Weights& w) {
  const std::pair<std::string_view, double> all[] = {{"response", w.response},
                                                     {"resolution", w.resolution},
                                                     {"satisfaction", w.satisfaction},
                                                     {"basically", w.basically}};
  for (const auto& [name, value] : all) {
    if (!(value >= 0 && value <= 1))  // also catches NaN
      return Fail(Error::InvalidArgument(
          fmt::format("weight '{}' must be between 0 and 1; got {}", name, value)));
  }
  const double sum = w.response + w.resolution + w.satisfaction;
  if (std::abs(sum - 1) > 1e-9)
    return Fail(Error::InvalidArgument(
        fmt::format("weights 'response' + 'resolution' + 'satisfaction' must add up to 1; "
                    "they add up to {}",
                    sum)));
  return {};
}

UnitRates RatesOf(std::string unit_id, std::string unit_path, const Counters& c, const Weights& w) {
  UnitRates out{std::move(unit_id), std::move(unit_path), c, {}, {}, {}, 0, 0};
  auto ratio = [](double num, std::int64_t den) -> std::optional<double> {
    if (den == 0) return std::nullopt;
    return num / static_cast<double>(den);
  };
  out.response_rate = ratio(static_cast<double>(c.responded_on_time), c.dispatched);
  out.resolution_rate = ratio(static_cast<double>(c.resolved), c.rated);
  out.satisfaction_rate = ratio(
      static_cast<double>(c.satisfied) + static_cast<double>(c.basically_satisfied) * w.basically,
      c.rated);
  double weighted = 0, weights = 0;
  for (const auto& [rate, weight] :
       {std::pair{out.response_rate, w.response}, std::pair{out.resolution_rate, w.resolution},
        std::pair{out.satisfaction_rate, w.satisfaction}}) {
    if (!rate) continue;
    weighted += weight * *rate;
    weights += weight;
  }
  out.score = weights > 0 ? 100 * weighted / weights : 0;
  return out;
}

Result<std::vector<UnitRates>> Ranking(storage::Executor& ex, const RankingQuery& q) {
  XT_TRY_VOID(Validate(q.weights));
  XT_TRY_VOID(ParseMonthRange(q.from_month, q.to_month));
  XT_ASSIGN_OR_RETURN(auto sums,
                      store::SumsByUnit(ex, q.from_month, q.to_month, q.under_path, q.unit_ids));
  // A unit moved in the org tree has one sum per path; they are merged under
  // the path of its latest month.
  struct Sum {
    std::string unit_path;
    std::string last_month;
    Counters counters;
  };
  std::map<std::string, Sum> units;
  for (store::UnitSum& row : sums) {
    Sum& s = units[row.unit_id];
    if (row.last_month >= s.last_month) {
      s.last_month = std::move(row.last_month);
      s.unit_path = std::move(row.unit_path);
    }
    s.counters += row.counters;
  }

  std::vector<UnitRates> out;
  out.reserve(units.size());
  for (auto& [id, s] : units) {
    if (s.counters.IsZero()) continue;
    out.push_back(RatesOf(id, std::move(s.unit_path), s.counters, q.weights));
  }
  std::sort(out.begin(), out.end(), [](const UnitRates& a, const UnitRates& b) {
    return std::tuple(-ScoreKey(a.score), -a.counters.dispatched, std::string_view(a.unit_id)) <
           std::tuple(-ScoreKey(b.score), -b.counters.dispatched, std::string_view(b.unit_id));
  });
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k].rank = k > 0 && ScoreKey(out[k].score) == ScoreKey(out[k - 1].score)
                      ? out[k - 1].rank
                      : static_cast<int>(k) + 1;
  }
  return out;
}

namespace {

using MonthRates = std::vector<std::pair<std::string, UnitRates>>;

// At most this many months in one trend.
constexpr int kMaxTrendMonths = 120;

Result<std::pair<int, int>> TrendRange(std::string_view from_month, std::string_view to_month,
                                       const Weights& w) {
  XT_TRY_VOID(Validate(w));
  XT_ASSIGN_OR_RETURN(const auto range, ParseMonthRange(from_month, to_month));
  if (range.second - range.first + 1 > kMaxTrendMonths)
    return Fail(Error::InvalidArgument(
        fmt::format("a trend covers at most {} months; ask for a shorter range", kMaxTrendMonths)));
  return range;
}

// Rows ascending by month, filled out to every month of the range.
MonthRates FillMonths(std::pair<int, int> range, const std::vector<store::MonthSum>& rows,
                      const std::string& unit_id, const std::string& path, const Weights& w) {
  MonthRates out;
  out.reserve(static_cast<std::size_t>(range.second - range.first + 1));
  std::size_t next = 0;
  for (int m = range.first; m <= range.second; ++m) {
    std::string month = FormatMonth(m);
    Counters c;
    if (next < rows.size() && rows[next].month == month) c = rows[next++].counters;
    out.emplace_back(std::move(month), RatesOf(unit_id, path, c, w));
  }
  return out;
}

}  // namespace

Result<std::vector<std::pair<std::string, UnitRates>>> Trend(storage::Executor& ex,
                                                             std::string_view unit_id,
                                                             std::string_view from_month,
                                                             std::string_view to_month,
                                                             const Weights& w) {
  XT_ASSIGN_OR_RETURN(const auto range, TrendRange(from_month, to_month, w));
  XT_ASSIGN_OR_RETURN(auto rows, store::UnitMonths(ex, unit_id, from_month, to_month));
  const std::string path = rows.empty() ? std::string() : rows.back().unit_path;
  return FillMonths(range, rows, std::string(unit_id), path, w);
}

Result<std::vector<std::pair<std::string, UnitRates>>> SubtreeTrend(storage::Executor& ex,
                                                                    std::string_view under_path,
                                                                    std::string_view from_month,
                                                                    std::string_view to_month,
                                                                    const Weights& w) {
  XT_ASSIGN_OR_RETURN(const auto range, TrendRange(from_month, to_month, w));
  XT_ASSIGN_OR_RETURN(auto rows, store::SubtreeMonths(ex, under_path, from_month, to_month));
  return FillMonths(range, rows, std::string(), std::string(under_path), w);
}

std::string RankingCsv(const std::vector<NamedRates>& rows, std::string_view period) {
  std::string out = "\xEF\xBB\xBF";
  csv::AppendRecord(out, {Title(period)});
  csv::AppendRecord(out, std::vector<std::string>(std::begin(kHeader), std::end(kHeader)));
  for (const NamedRates& row : rows) {
    const UnitRates& r = row.rates;
    const Counters& c = r.counters;
    csv::AppendRecord(
        out,
        {std::to_string(r.rank), row.unit_name, row.unit_kind_zh, std::to_string(c.dispatched),
         std::to_string(c.responded_on_time), Percent(r.response_rate), std::to_string(c.rated),
         std::to_string(c.resolved), Percent(r.resolution_rate), std::to_string(c.satisfied),
         std::to_string(c.basically_satisfied), std::to_string(c.dissatisfied),
         Percent(r.satisfaction_rate), fmt::format("{:.2f}", r.score)});
  }
  return out;
}

Result<std::string> RankingXlsx(const std::vector<NamedRates>& rows, std::string_view period) {
  return WorkbookBytes([&](lxw_workbook* wb) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, "三率排名");
    lxw_format* title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    format_set_align(title, LXW_ALIGN_CENTER);
    lxw_format* header = workbook_add_format(wb);
    format_set_bold(header);
    format_set_align(header, LXW_ALIGN_CENTER);
    format_set_bg_color(header, 0xD9E1F2);
    format_set_border(header, LXW_BORDER_THIN);
    lxw_format* percent = workbook_add_format(wb);
    format_set_num_format(percent, "0.00%");
    lxw_format* score = workbook_add_format(wb);
    format_set_num_format(score, "0.00");

    lxw_error first_error = LXW_NO_ERROR;
    auto check = [&](lxw_error e) {
      if (first_error == LXW_NO_ERROR) first_error = e;
    };
    constexpr lxw_col_t kLastCol = std::size(kHeader) - 1;
    check(worksheet_merge_range(ws, 0, 0, 0, kLastCol, Title(period).c_str(), title));
    for (lxw_col_t col = 0; col <= kLastCol; ++col)
      check(worksheet_write_string(ws, 1, col, std::string(kHeader[col]).c_str(), header));
    lxw_row_t line = 2;
    for (const NamedRates& row : rows) {
      const UnitRates& r = row.rates;
      const Counters& c = r.counters;
      auto number = [&](lxw_col_t col, double v, lxw_format* f = nullptr) {
        check(worksheet_write_number(ws, line, col, v, f));
      };
      auto rate = [&](lxw_col_t col, const std::optional<double>& v) {
        if (v) number(col, *v, percent);
      };
      number(0, r.rank);
      check(worksheet_write_string(ws, line, 1, row.unit_name.c_str(), nullptr));
      check(worksheet_write_string(ws, line, 2, row.unit_kind_zh.c_str(), nullptr));
      number(3, static_cast<double>(c.dispatched));
      number(4, static_cast<double>(c.responded_on_time));
      rate(5, r.response_rate);
      number(6, static_cast<double>(c.rated));
      number(7, static_cast<double>(c.resolved));
      rate(8, r.resolution_rate);
      number(9, static_cast<double>(c.satisfied));
      number(10, static_cast<double>(c.basically_satisfied));
      number(11, static_cast<double>(c.dissatisfied));
      rate(12, r.satisfaction_rate);
      number(13, r.score, score);
      ++line;
    }
    check(worksheet_set_column(ws, 0, 0, 6, nullptr));
    check(worksheet_set_column(ws, 1, 1, 28, nullptr));
    check(worksheet_set_column(ws, 2, 2, 10, nullptr));
    check(worksheet_set_column(ws, 3, kLastCol, 11, nullptr));
    worksheet_freeze_panes(ws, 2, 0);
    return first_error;
  });
}

}  // namespace xietong::requests::rates
