#include "app/reply_commands.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli_support.h"
#include "app/import_history.h"
#include "core/calendar.h"
#include "core/csv.h"
#include "text/normalize.h"
#include "text/reply_quality.h"

namespace xietong::app {
namespace {

struct ReplyArgs {
  std::string input, out;
  std::string id_column = "留言编号", title_column = "留言主题", body_column = "留言详情",
              reply_column = "答复意见", asked_column = "留言时间", replied_column = "答复时间";
  std::string calendar = DefaultCalendarPath();
  bool calendar_days = false;
  double limit_days = 15;
  std::size_t worst = 5;
  std::size_t hard = 500;
  std::uint64_t seed = 1;
};

struct Row {
  std::string id, title, body, reply;
  Timestamp asked_at = 0, replied_at = 0;
  std::int64_t line = 0;
  std::string error;  // why the row cannot be scored
};

std::vector<Row> Read(const ReplyArgs& a) {
  auto table = OrExit(csv::Table::Open(a.input));
  const std::size_t title = OrExit(table.Column(a.title_column));
  const std::size_t body = OrExit(table.Column(a.body_column));
  const std::size_t reply = OrExit(table.Column(a.reply_column));
  const std::size_t asked = OrExit(table.Column(a.asked_column));
  const std::size_t replied = OrExit(table.Column(a.replied_column));
  const auto id = table.Column(a.id_column);
  std::vector<Row> rows;
  while (auto record = OrExit(table.Next())) {
    auto& r = *record;
    Row row;
    row.id = id ? r[*id] : std::to_string(table.reader().line());
    row.title = std::move(r[title]);
    row.body = std::move(r[body]);
    row.reply = std::move(r[reply]);
    row.line = table.reader().line();
    auto t0 = ParseSourceTime(r[asked]);
    auto t1 = ParseSourceTime(r[replied]);
    if (!t0 || !t1) {
      row.error = fmt::format("{}: {}", !t0 ? a.asked_column : a.replied_column,
                              (!t0 ? t0 : t1).error().message);
    } else {
      row.asked_at = *t0;
      row.replied_at = *t1;
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) Exit(Error::InvalidArgument(fmt::format("{} holds no messages", a.input)));
  return rows;
}

// At most `bytes` bytes of UTF-8 text, never cutting a character.
std::string_view Shorten(std::string_view s, std::size_t bytes) {
  if (s.size() <= bytes) return s;
  while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) & 0xc0) == 0x80) --bytes;
  return s.substr(0, bytes);
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

void PrintDistribution(std::string_view name, const std::vector<double>& v) {
  const double mean = v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  fmt::print("{:<13} mean {:.3f}  p10 {:.3f}  p25 {:.3f}  median {:.3f}  p75 {:.3f}  p90 {:.3f}\n",
             name, mean, Quantile(v, 0.1), Quantile(v, 0.25), Quantile(v, 0.5), Quantile(v, 0.75),
             Quantile(v, 0.9));
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) (out += out.empty() ? "" : sep) += p;
  return out;
}

void PrintOne(std::string_view label, const Row& r, const text::ReplyQuality& q) {
  fmt::print(
      "{} id={} line={} overall={:.3f} relevance={:.3f} completeness={:.3f} "
      "timeliness={:.3f}\n  留言: {}\n  答复: {}\n  原因: {}\n",
      label, r.id, r.line, q.overall, q.relevance, q.completeness, q.timeliness,
      Shorten(r.title, 90), Shorten(r.reply, 150), Join(q.reasons, "；"));
}

void WriteCsv(const std::string& path, const std::vector<Row>& rows,
              const std::vector<std::optional<text::ReplyQuality>>& scores,
              const std::vector<std::string>& errors) {
  std::string out = "\xEF\xBB\xBF";  // a BOM, so that spreadsheet programs read UTF-8
  csv::AppendRecord(
      out, {"id", "line", "overall", "relevance", "completeness", "timeliness", "similarity",
            "places", "places_named", "asks", "asks_answered", "reply_chars", "elapsed_days",
            "limit_days", "late", "template_only", "reasons", "error"});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!scores[i]) {
      csv::AppendRecord(out, {rows[i].id, std::to_string(rows[i].line), "", "", "", "", "", "", "",
                              "", "", "", "", "", "", "", "", errors[i]});
      continue;
    }
    const auto& q = *scores[i];
    csv::AppendRecord(
        out, {rows[i].id, std::to_string(rows[i].line), fmt::format("{:.4f}", q.overall),
              fmt::format("{:.4f}", q.relevance), fmt::format("{:.4f}", q.completeness),
              fmt::format("{:.4f}", q.timeliness), fmt::format("{:.4f}", q.similarity),
              std::to_string(q.places), std::to_string(q.places_named), std::to_string(q.asks),
              std::to_string(q.asks_answered), std::to_string(q.reply_chars),
              fmt::format("{:.2f}", q.elapsed_days), fmt::format("{:.2f}", q.limit_days),
              q.late ? "1" : "0", q.template_only ? "1" : "0", Join(q.reasons, "；"), ""});
  }
  std::ofstream f(path, std::ios::binary);
  f << out;
  f.close();
  if (!f) Exit(Error::Unavailable(fmt::format("cannot write {}", path)));
}

void Run(const ReplyArgs& a) {
  std::optional<WorkCalendar> calendar;
  if (!a.calendar_days) calendar = OrExit(WorkCalendar::LoadFile(a.calendar));
  auto normalizer = OrExit(text::Normalizer::Open());
  auto scorer = OrExit(text::ReplyScorer::Create(
      normalizer, {.limit_days = a.limit_days, .calendar = calendar ? &*calendar : nullptr}));
  const std::vector<Row> rows = Read(a);
  const std::size_t n = rows.size();

  std::vector<std::optional<text::ReplyQuality>> scores(n);
  std::vector<std::string> errors(n);
  std::size_t unusable = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Row& r = rows[i];
    if (r.error.empty()) {
      auto q = scorer->Score({r.title, r.body, r.reply, r.asked_at, r.replied_at, 0});
      if (q) {
        scores[i] = std::move(*q);
      } else {
        errors[i] = q.error().message;
      }
    } else {
      errors[i] = r.error;
    }
    if (!scores[i]) {
      ++unusable;
      fmt::print(stderr, "line {}: {}\n", r.line, errors[i]);
    }
    if (i % 64 == 0)
      ProgressBar("scored", static_cast<std::int64_t>(i), static_cast<std::int64_t>(n));
  }
  ProgressBar("scored", static_cast<std::int64_t>(n), static_cast<std::int64_t>(n));

  std::vector<std::size_t> ok;
  for (std::size_t i = 0; i < n; ++i)
    if (scores[i]) ok.push_back(i);
  if (ok.size() < 2) Exit(Error::InvalidArgument("fewer than two replies could be scored"));

  // Each message against the reply of another one, drawn at random (shuffled
  // pairs), and against the reply of its most similar other message (hard pairs).
  std::mt19937_64 rng(a.seed);
  std::vector<std::size_t> other = ok;
  std::shuffle(other.begin(), other.end(), rng);
  std::vector<double> true_relevance, shuffled_relevance, true_overall, shuffled_overall;
  for (std::size_t k = 0; k < ok.size(); ++k) {
    const Row& m = rows[ok[k]];
    true_relevance.push_back(scores[ok[k]]->relevance);
    true_overall.push_back(scores[ok[k]]->overall);
    if (other[k] == ok[k]) continue;
    auto q = scorer->Score({m.title, m.body, rows[other[k]].reply, m.asked_at, m.replied_at, 0});
    if (!q) continue;
    shuffled_relevance.push_back(q->relevance);
    shuffled_overall.push_back(q->overall);
    if (k % 64 == 0)
      ProgressBar("shuffled pairs", static_cast<std::int64_t>(k),
                  static_cast<std::int64_t>(ok.size()));
  }
  ProgressBar("shuffled pairs", static_cast<std::int64_t>(ok.size()),
              static_cast<std::int64_t>(ok.size()));

  std::vector<double> hard_true, hard_relevance;
  if (a.hard > 0) {
    std::vector<std::vector<text::KeyCount>> vectors(n);
    for (std::size_t i : ok)
      vectors[i] = OrExit(scorer->ContentVector(rows[i].title + "\n" + rows[i].body));
    std::vector<std::size_t> sample = ok;
    std::shuffle(sample.begin(), sample.end(), rng);
    sample.resize(std::min(a.hard, sample.size()));
    for (std::size_t k = 0; k < sample.size(); ++k) {
      const std::size_t i = sample[k];
      // The nearest message that is not a repeat of this one (a repeat's reply may be the same).
      std::size_t best = i;
      double best_cos = -1;
      for (std::size_t j : ok) {
        if (j == i || rows[j].reply == rows[i].reply) continue;
        const double c = text::ReplyScorer::Cosine(vectors[i], vectors[j]);
        if (c < 0.5 && c > best_cos) {
          best_cos = c;
          best = j;
        }
      }
      if (best == i) continue;
      const Row& m = rows[i];
      auto q = scorer->Score({m.title, m.body, rows[best].reply, m.asked_at, m.replied_at, 0});
      if (!q) continue;
      hard_true.push_back(scores[i]->relevance);
      hard_relevance.push_back(q->relevance);
      ProgressBar("hard pairs", static_cast<std::int64_t>(k + 1),
                  static_cast<std::int64_t>(sample.size()));
    }
  }

  std::vector<double> relevance, completeness, timeliness, overall, elapsed;
  std::size_t late = 0, template_only = 0, truncated = 0;
  for (std::size_t i : ok) {
    const auto& q = *scores[i];
    relevance.push_back(q.relevance);
    completeness.push_back(q.completeness);
    timeliness.push_back(q.timeliness);
    overall.push_back(q.overall);
    elapsed.push_back(q.elapsed_days);
    late += q.late;
    template_only += q.template_only;
    truncated += q.truncated;
  }
  const std::string_view unit = calendar ? "working days" : "calendar days";
  fmt::print("{} messages, {} scored, {} unusable (limit {:g} {}{})\n", n, ok.size(), unusable,
             a.limit_days, unit,
             calendar
                 ? fmt::format(", calendar {} covering {}–{}; other years Mon–Fri", a.calendar,
                               calendar->covered_years().first, calendar->covered_years().second)
                 : "");
  PrintDistribution("overall", overall);
  PrintDistribution("relevance", relevance);
  PrintDistribution("completeness", completeness);
  PrintDistribution("timeliness", timeliness);
  fmt::print("elapsed ({}) median {:.1f}  p90 {:.1f}\n", unit, Quantile(elapsed, 0.5),
             Quantile(elapsed, 0.9));
  fmt::print("late {} ({:.1f} %), template or transfer only {} ({:.1f} %), truncated {}\n", late,
             100.0 * late / ok.size(), template_only, 100.0 * template_only / ok.size(), truncated);
  fmt::print("true vs shuffled pairs ({}): relevance AUC {:.4f}, overall AUC {:.4f}\n",
             shuffled_relevance.size(), text::PairAuc(true_relevance, shuffled_relevance),
             text::PairAuc(true_overall, shuffled_overall));
  if (!hard_relevance.empty())
    fmt::print("true vs nearest-message pairs ({}): relevance AUC {:.4f}\n", hard_relevance.size(),
               text::PairAuc(hard_true, hard_relevance));

  std::vector<std::size_t> order = ok;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return scores[x]->overall < scores[y]->overall;
  });
  fmt::print("\nworst {}:\n", std::min(a.worst, order.size()));
  for (std::size_t k = 0; k < std::min(a.worst, order.size()); ++k)
    PrintOne(fmt::format("#{}", k + 1), rows[order[k]], *scores[order[k]]);
  fmt::print("\nbest {}:\n", std::min<std::size_t>(3, order.size()));
  for (std::size_t k = 0; k < std::min<std::size_t>(3, order.size()); ++k)
    PrintOne(fmt::format("#{}", k + 1), rows[order[order.size() - 1 - k]],
             *scores[order[order.size() - 1 - k]]);

  if (!a.out.empty()) {
    WriteCsv(a.out, rows, scores, errors);
    fmt::print("\nwrote {} rows to {}\n", n, a.out);
  }
  fmt::print("replies={} mean_overall={:.4f} relevance_auc_shuffled={:.4f} late={}\n", ok.size(),
             std::accumulate(overall.begin(), overall.end(), 0.0) / overall.size(),
             text::PairAuc(true_relevance, shuffled_relevance), late);
}

}  // namespace

void RegisterReplyCommands(CLI::App& cli) {
  auto a = std::make_shared<ReplyArgs>();
  auto* cmd = cli.add_subcommand(
      "replies", "score replies for relevance, completeness and timeliness (reply quality)");
  cmd->add_option("--input", a->input, "CSV file of messages with replies")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", a->out, "write one row per message (UTF-8 CSV with BOM)");
  cmd->add_option("--limit-days", a->limit_days, "working days a reply may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--calendar", a->calendar, "working-day calendar (JSON)")->capture_default_str();
  cmd->add_flag("--calendar-days", a->calendar_days, "count calendar days instead of working days");
  cmd->add_option("--id", a->id_column, "id column")->capture_default_str();
  cmd->add_option("--title", a->title_column, "title column")->capture_default_str();
  cmd->add_option("--body", a->body_column, "message column")->capture_default_str();
  cmd->add_option("--reply", a->reply_column, "reply column")->capture_default_str();
  cmd->add_option("--asked", a->asked_column, "message time column")->capture_default_str();
  cmd->add_option("--replied", a->replied_column, "reply time column")->capture_default_str();
  cmd->add_option("--worst", a->worst, "how many of the worst replies to print")
      ->capture_default_str();
  cmd->add_option("--hard", a->hard,
                  "messages paired with their nearest other message's reply (0: none)")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed of the shuffled pairs")->capture_default_str();
  cmd->callback([a] { Run(*a); });
}

}  // namespace xietong::app
