#include "app/hotspot_commands.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli_support.h"
#include "core/clock.h"
#include "core/csv.h"
#include "text/hotspots.h"
#include "text/normalize.h"

namespace xietong::app {
namespace {

struct HotspotArgs {
  std::string input, time_column = "留言时间", likes_column = "点赞数", id_column = "留言编号",
                     place_column;
  std::vector<std::string> text_columns{"留言主题", "留言详情"};
  text::HotspotOptions options;
  double window_days = 30, recent_days = 30;
  std::size_t top = 10;
  bool csv = false;
  bool likes_given = false;
};

std::vector<text::HotspotMessage> Read(const HotspotArgs& a) {
  auto table = OrExit(csv::Table::Open(a.input));
  std::vector<std::size_t> text;
  for (const auto& c : a.text_columns) text.push_back(OrExit(table.Column(c)));
  if (text.empty()) Exit(Error::InvalidArgument("--text needs at least one column"));
  const std::size_t time = OrExit(table.Column(a.time_column));
  auto likes = table.Column(a.likes_column);
  if (!likes && a.likes_given) Exit(likes.error());
  auto id = table.Column(a.id_column);
  const std::size_t place = a.place_column.empty() ? 0 : OrExit(table.Column(a.place_column));
  std::vector<text::HotspotMessage> out;
  while (auto row = OrExit(table.Next())) {
    const auto& r = *row;
    const std::int64_t line = table.reader().line();
    text::HotspotMessage m;
    m.id = id ? r[*id] : std::to_string(line);
    // The first text column is the title; the others are the body.
    m.title = r[text.front()];
    for (std::size_t c = 1; c < text.size(); ++c)
      (m.body += r[text[c]]) += c + 1 < text.size() ? "\n" : "";
    auto t = ParseCsvTime(r[time]);
    if (!t) Exit(Error::InvalidArgument(fmt::format("line {}: {}", line, t.error().message)));
    m.time_us = *t;
    if (likes && !r[*likes].empty()) {
      try {
        m.support = std::stoll(r[*likes]);
      } catch (const std::exception&) {
        Exit(Error::InvalidArgument(
            fmt::format("line {}: {} '{}' is not a number", line, a.likes_column, r[*likes])));
      }
    }
    if (!a.place_column.empty()) m.place = r[place];
    out.push_back(std::move(m));
  }
  return out;
}

std::string Day(std::int64_t us) {
  const std::chrono::sys_days day{std::chrono::days{us / kMicrosPerDay}};
  const std::chrono::year_month_day ymd{day};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

// At most `chars` code points of UTF-8 text.
std::string Shorten(std::string_view s, std::size_t chars) {
  std::size_t i = 0, n = 0;
  while (i < s.size() && n < chars) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) ++i;
    ++n;
  }
  return i < s.size() ? std::string(s.substr(0, i)) + "…" : std::string(s);
}

std::string Members(const std::vector<std::string>& ids, std::size_t most) {
  std::string out;
  for (std::size_t i = 0; i < std::min(most, ids.size()); ++i) out += (i ? " " : "") + ids[i];
  if (ids.size() > most) out += fmt::format(" … (+{})", ids.size() - most);
  return out;
}

void PrintCsv(const text::HotspotResult& r) {
  std::string out;
  csv::AppendRecord(out, {"rank", "score", "count", "support", "recent", "previous", "place",
                          "first", "last", "title", "representative_id", "member_ids"});
  for (std::size_t i = 0; i < r.hotspots.size(); ++i) {
    const auto& h = r.hotspots[i];
    csv::AppendRecord(
        out, {std::to_string(i + 1), fmt::format("{:.4f}", h.score), std::to_string(h.count),
              std::to_string(h.support), std::to_string(h.recent), std::to_string(h.previous),
              h.place, Day(h.first_us), Day(h.last_us), h.title, h.representative_id,
              Members(h.member_ids, h.member_ids.size())});
  }
  fmt::print("{}", out);
}

void PrintReport(const HotspotArgs& a, const std::vector<text::HotspotMessage>& messages,
                 const text::HotspotResult& r, double seconds) {
  fmt::print("{} messages, {} skipped; {} hotspots of at least {} messages hold {} messages ",
             r.messages, r.skipped.size(), r.groups, a.options.min_size, r.clustered);
  fmt::print("(similarity {:.2f}, window {} days, {:.2f} s)\n\n", a.options.similarity,
             a.window_days, seconds);
  const std::size_t shown = std::min(a.top, r.hotspots.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& h = r.hotspots[i];
    fmt::print("#{} score={:.3f} count={} likes={} recent={} previous={}\n", i + 1, h.score,
               h.count, h.support, h.recent, h.previous);
    fmt::print("   {}  [{}]  {} … {}\n", Shorten(h.title, 60), h.place.empty() ? "-" : h.place,
               Day(h.first_us), Day(h.last_us));
    fmt::print("   representative {}; members {}\n", h.representative_id, Members(h.member_ids, 8));
  }
  const text::SupportComparison c = text::CompareWithSupport(messages, r, a.top);
  if (c.top_message_ids.empty()) {
    fmt::print("\nno message has likes: nothing to compare with\n");
    return;
  }
  std::unordered_map<std::string_view, const text::HotspotMessage*> by_id;
  for (const auto& m : messages) by_id.try_emplace(m.id, &m);
  fmt::print("\nthe {} most-liked messages and the hotspot holding each:\n",
             c.top_message_ids.size());
  for (std::size_t i = 0; i < c.top_message_ids.size(); ++i) {
    const text::HotspotMessage& m = *by_id.at(c.top_message_ids[i]);
    fmt::print("  {:>2}. likes={:<5} {}  {}  -> {}\n", i + 1, m.support, m.id, Shorten(m.title, 40),
               c.hotspot_rank[i] ? fmt::format("hotspot #{}", c.hotspot_rank[i]) : "no hotspot");
  }
  fmt::print(
      "top_liked_in_top_hotspots={}/{} top_liked_in_any_hotspot={}/{} "
      "top_hotspots_with_a_top_liked_message={}/{} top_hotspots_overlap_with_likes_ranking={}/{}\n",
      c.in_top_hotspots, c.top_message_ids.size(), c.in_any_hotspot, c.top_message_ids.size(),
      c.top_hotspots_with_top_message, shown, c.overlap_by_support, shown);
}

void Run(HotspotArgs a) {
  a.options.window_us = static_cast<std::int64_t>(a.window_days * kMicrosPerDay);
  a.options.recent_us = static_cast<std::int64_t>(a.recent_days * kMicrosPerDay);
  const auto messages = Read(a);
  auto normalizer = OrExit(text::Normalizer::Open());
  const auto start = std::chrono::steady_clock::now();
  auto r =
      OrExit(text::FindHotspots(*normalizer, messages, a.options, [](std::size_t d, std::size_t t) {
        ProgressBar("prepared", static_cast<std::int64_t>(d), static_cast<std::int64_t>(t));
      }));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& s : r.skipped) fmt::print(stderr, "id {}: {}\n", s.id, s.reason);
  if (a.csv) {
    if (r.hotspots.size() > a.top) r.hotspots.resize(a.top);
    PrintCsv(r);
    return;
  }
  PrintReport(a, messages, r, seconds);
}

}  // namespace

void RegisterHotspotCommands(CLI::App& cli) {
  auto a = std::make_shared<HotspotArgs>();
  auto* cmd = cli.add_subcommand(
      "hotspots", "group messages by topic, place and time and rank the groups (热点发现)");
  cmd->add_option("--input", a->input, "CSV file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--text", a->text_columns, "text columns, title first")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--time", a->time_column, "time column (YYYY-MM-DD HH:MM:SS)")
      ->capture_default_str();
  cmd->add_option("--likes", a->likes_column, "support column (likes); ignored when absent")
      ->capture_default_str()
      ->each([a](const std::string&) { a->likes_given = true; });
  cmd->add_option("--id", a->id_column, "id column (else the line)")->capture_default_str();
  cmd->add_option("--place", a->place_column, "place column (else the district in the text)");
  cmd->add_option("--top", a->top, "hotspots shown and compared with the likes")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--window-days", a->window_days, "only link messages this close in time")
      ->check(CLI::Range(0.0, 100000.0))
      ->capture_default_str();
  cmd->add_option("--recent-days", a->recent_days, "growth: the last D days against the D before")
      ->check(CLI::Range(0.001, 100000.0))
      ->capture_default_str();
  cmd->add_option("--similarity", a->options.similarity, "cosine that links two messages")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--min-size", a->options.min_size, "smallest group that is a hotspot")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--title-weight", a->options.title_weight, "title n-gram counts × this")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  cmd->add_flag("--csv", a->csv, "write the top hotspots as CSV instead of the report");
  cmd->callback([a] { Run(*a); });
}

}  // namespace xietong::app
