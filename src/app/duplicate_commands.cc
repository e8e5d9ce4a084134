#include "app/duplicate_commands.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli_support.h"
#include "core/csv.h"
#include "text/duplicate_eval.h"
#include "text/duplicates.h"
#include "text/normalize.h"

namespace xietong::app {
namespace {

struct DuplicateArgs {
  std::string input, time_column = "留言时间", id_column = "留言编号", place_column;
  std::vector<std::string> text_columns{"留言主题", "留言详情"};
  text::DuplicateOptions options;
  double window_days = 90;
  std::size_t plant = 0;
  std::uint64_t seed = 1;
};

struct Input {
  std::vector<text::Message> messages;
  std::vector<std::string> ids;
  std::vector<std::int64_t> lines;
};

Input Read(const DuplicateArgs& a) {
  auto table = OrExit(csv::Table::Open(a.input));
  std::vector<std::size_t> text;
  for (const auto& c : a.text_columns) text.push_back(OrExit(table.Column(c)));
  const std::size_t time = OrExit(table.Column(a.time_column));
  const bool has_id = table.Column(a.id_column).has_value();
  const std::size_t id = has_id ? *table.Column(a.id_column) : 0;
  const std::size_t place = a.place_column.empty() ? 0 : OrExit(table.Column(a.place_column));
  Input in;
  while (auto row = OrExit(table.Next())) {
    const auto& r = *row;
    text::Message m;
    for (std::size_t c : text) m.fields.push_back(r[c]);
    auto t = ParseCsvTime(r[time]);
    if (!t)
      Exit(Error::InvalidArgument(
          fmt::format("line {}: {}", table.reader().line(), t.error().message)));
    m.time_us = *t;
    if (!a.place_column.empty()) m.place = r[place];
    in.ids.push_back(has_id ? r[id] : std::to_string(table.reader().line()));
    in.lines.push_back(table.reader().line());
    in.messages.push_back(std::move(m));
  }
  return in;
}

// At most `bytes` bytes of UTF-8 text, never cutting a character.
std::string_view Shorten(std::string_view s, std::size_t bytes) {
  if (s.size() <= bytes) return s;
  while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) & 0xc0) == 0x80) --bytes;
  return s.substr(0, bytes);
}

std::size_t Find(std::vector<std::size_t>& parent, std::size_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

// Groups of likely duplicates (connected by a score at or above the threshold).
void PrintGroups(const DuplicateArgs& a, const Input& in) {
  auto normalizer = OrExit(text::Normalizer::Open());
  text::DuplicateIndex index(normalizer, a.options);
  std::vector<text::PreparedDuplicate> prepared(in.messages.size());
  std::vector<bool> usable(in.messages.size());
  std::size_t unusable = 0;
  for (std::size_t i = 0; i < in.messages.size(); ++i) {
    std::string joined;
    for (const auto& f : in.messages[i].fields) (joined += f) += '\n';
    auto p =
        index.Prepare({std::to_string(i), joined, in.messages[i].place, in.messages[i].time_us});
    if (!p) {
      fmt::print(stderr, "line {}: {}\n", in.lines[i], p.error().message);
      ++unusable;
      continue;
    }
    prepared[i] = std::move(*p);
    usable[i] = true;
    OrExit(index.Add(prepared[i]));
    if (i % 256 == 0) ProgressBar("indexed", i, in.messages.size());
  }
  ProgressBar("indexed", in.messages.size(), in.messages.size());
  std::vector<std::size_t> parent(in.messages.size());
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<double> best(in.messages.size(), 0);
  for (std::size_t i = 0; i < in.messages.size(); ++i) {
    if (!usable[i]) continue;
    for (const auto& m : index.Query(prepared[i], 100)) {
      const std::size_t j = std::stoul(m.id);
      parent[Find(parent, i)] = Find(parent, j);
      best[i] = std::max(best[i], m.score);
    }
  }
  std::vector<std::vector<std::size_t>> groups(in.messages.size());
  for (std::size_t i = 0; i < in.messages.size(); ++i) groups[Find(parent, i)].push_back(i);
  std::erase_if(groups, [](const auto& g) { return g.size() < 2; });
  std::sort(groups.begin(), groups.end());  // by their first line
  std::size_t count = 0, members = 0;
  for (const auto& g : groups) {
    fmt::print("group {} ({} messages)\n", ++count, g.size());
    for (std::size_t i : g) {
      const auto& f = in.messages[i].fields;
      fmt::print("  id={} line={} best_score={:.3f}  {}\n", in.ids[i], in.lines[i], best[i],
                 Shorten(f.empty() ? "" : f.front(), 90));
    }
    members += g.size();
  }
  fmt::print("{} messages, {} unusable; {} groups of likely duplicates holding {} messages ",
             in.messages.size(), unusable, count, members);
  fmt::print("(threshold {:.2f}, window {} days, index {:.1f} MiB)\n", a.options.threshold,
             a.window_days, static_cast<double>(index.MemoryBytes()) / (1 << 20));
}

void PrintEvaluation(const DuplicateArgs& a, const Input& in) {
  auto normalizer = OrExit(text::Normalizer::Open());
  text::EvaluationOptions eo{.plant = a.plant, .seed = a.seed};
  if (std::find(eo.thresholds.begin(), eo.thresholds.end(), a.options.threshold) ==
      eo.thresholds.end())
    eo.thresholds.push_back(a.options.threshold);
  auto e = OrExit(text::EvaluateDuplicates(
      normalizer, in.messages, a.options, eo,
      [](std::size_t d, std::size_t t) { ProgressBar("planted evaluation", d, t); }));
  fmt::print("\n{}", text::FormatDuplicateEvaluation(e));
  for (const auto& r : e.rows)
    if (r.threshold == a.options.threshold)
      fmt::print(
          "threshold={:.2f} precision={:.4f} recall={:.4f} recall_real={:.4f} "
          "recall_planted={:.4f}\n",
          r.threshold, r.precision, r.recall, r.recall_real, r.recall_planted);
}

void Run(DuplicateArgs a) {
  a.options.window_us = static_cast<std::int64_t>(a.window_days * text::kMicrosPerDay);
  const Input in = Read(a);
  PrintGroups(a, in);
  if (a.plant > 0) PrintEvaluation(a, in);
}

}  // namespace

void RegisterDuplicateCommands(CLI::App& cli) {
  auto a = std::make_shared<DuplicateArgs>();
  auto* cmd = cli.add_subcommand(
      "duplicates", "list groups of likely duplicate messages (--plant N: measure P/R)");
  cmd->add_option("--input", a->input, "CSV file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--text", a->text_columns, "text columns, title first, body last")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--time", a->time_column, "time column (YYYY-MM-DD HH:MM:SS)")
      ->capture_default_str();
  cmd->add_option("--id", a->id_column, "id column shown in the groups (else the line)")
      ->capture_default_str();
  cmd->add_option("--place", a->place_column,
                  "place key column (messages in different places "
                  "are never duplicates)");
  cmd->add_option("--threshold", a->options.threshold, "similarity for a likely duplicate")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--window-days", a->window_days, "only compare messages this close in time")
      ->capture_default_str();
  cmd->add_option("--shingle", a->options.shingle_size, "code points per shingle")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  cmd->add_option("--bands", a->options.bands, "LSH bands")->capture_default_str();
  cmd->add_option("--rows", a->options.rows, "MinHash values per band")->capture_default_str();
  cmd->add_option("--plant", a->plant, "plant N paraphrases and print precision/recall last");
  cmd->add_option("--seed", a->seed, "seed of the planted paraphrases")->capture_default_str();
  cmd->callback([a] { Run(*a); });
}

}  // namespace xietong::app
