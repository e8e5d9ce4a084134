// The points ledger's figures (issue 18, docs/plans/participation.md §11):
//   --postings  (a) the reaction path: the chain pre-filled with EVENTS
//               synthetic collab.volunteer.confirmed events for RESIDENTS
//               volunteers (AppendMany, as the bench-only way to make
//               history) with a volunteer_hour rule on the street, then the
//               consumer participation.collab catching up with --batch
//               events a transaction: awards/s, each award a claim, the cap
//               and velocity upserts, two account updates, the posting, two
//               entries and points.posted, fsync'd per batch;
//               (b) PointsService::PostBatch of --per-write postings from
//               --threads threads back to back for --seconds: postings/s.
//   --balance   FILL postings issuer → one person through PostBatch(5000),
//               then READS PointsService::Balance("me") reads (p50/p99/max),
//               the first page of postings, and for information GetAccount
//               (the service call behind GET /points/accounts/{id}) and the
//               trial balance (CheckLedger: every balance against Σ entries).
// Durable as served: every Write returns after its group commit is fsync'd.
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/platform.h"
#include "audit/consumer.h"
#include "bench_platform.h"
#include "bench_util.h"
#include "participation/reactions.h"

namespace {

using namespace xietong;
using bench::Must;
using bench::Seconds;
using bench::SteadyClock;
using identity::Principal;

struct Options {
  std::string database;  // empty: SQLite in data_dir
  std::string data_dir;
  bool postings = false;
  bool balance = false;
  int events = 200'000;
  int residents = 20'000;
  int batch = 500;  // the consumer's events per transaction
  int threads = 8;
  int per_write = 500;  // PostBatch size in (b)
  double seconds = 10;
  int fill = 1'000'000;
  int fill_batch = 5'000;
  int reads = 100'000;
};

void Usage() {
  fmt::print(stderr,
             "usage: points_bench (--database URL | --data-dir DIR) [--postings] [--balance]\n"
             "  [--events N] [--residents N] [--batch N]           (a) the reaction path\n"
             "  [--threads N] [--per-write N] [--seconds S]        (b) PostBatch\n"
             "  [--fill N] [--fill-batch N] [--reads N]            balance at N postings\n"
             "neither --postings nor --balance: both\n");
}

bool Parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--postings") {
      o.postings = true;
    } else if (a == "--balance") {
      o.balance = true;
    } else if (a == "--database" && (v = value())) {
      o.database = v;
    } else if (a == "--data-dir" && (v = value())) {
      o.data_dir = v;
    } else if (a == "--events" && (v = value())) {
      o.events = std::atoi(v);
    } else if (a == "--residents" && (v = value())) {
      o.residents = std::atoi(v);
    } else if (a == "--batch" && (v = value())) {
      o.batch = std::atoi(v);
    } else if (a == "--threads" && (v = value())) {
      o.threads = std::atoi(v);
    } else if (a == "--per-write" && (v = value())) {
      o.per_write = std::atoi(v);
    } else if (a == "--seconds" && (v = value())) {
      o.seconds = std::atof(v);
    } else if (a == "--fill" && (v = value())) {
      o.fill = std::atoi(v);
    } else if (a == "--fill-batch" && (v = value())) {
      o.fill_batch = std::atoi(v);
    } else if (a == "--reads" && (v = value())) {
      o.reads = std::atoi(v);
    } else {
      return false;
    }
  }
  if (!o.postings && !o.balance) o.postings = o.balance = true;
  return (!o.database.empty() || !o.data_dir.empty()) && o.events > 0 && o.residents > 0 &&
         o.batch > 0 && o.threads > 0 && o.per_write > 0 && o.seconds > 0 && o.fill > 0 &&
         o.fill_batch > 0 && o.reads > 0;
}

// p-th percentile (0–100) of sorted values.
double Pct(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p / 100 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

struct Place {
  identity::OrgUnit city, district, street, community;
  Principal me;  // a resident of the community, signed in
};

Place MakePlace(app::Platform& p) {
  const auto sys = Principal::System();
  auto unit = [&](std::optional<std::string> parent, identity::UnitKind kind, std::string code,
                  std::string name) {
    return Must(p.identity().CreateUnit(
        sys, {std::move(parent), kind, std::move(code), std::move(name), {}}));
  };
  Place pl;
  pl.city = unit(std::nullopt, identity::UnitKind::kCity, "PB", "积分市");
  pl.district = unit(pl.city.id, identity::UnitKind::kDistrict, "PB-01", "积分区");
  pl.street = unit(pl.district.id, identity::UnitKind::kStreet, "PB-01-01", "积分街道");
  pl.community = unit(pl.street.id, identity::UnitKind::kCommunity, "PB-01-01-01", "积分社区");
  identity::NewAccount in;
  in.username = "bench.resident";
  in.display_name = "基准居民";
  in.password = "bench resident 2026";
  in.unit_id = pl.community.id;
  in.role = identity::Role::kResident;
  in.kind = identity::AccountKind::kResident;
  Must(p.identity().CreateAccount(sys, in));
  auto login = Must(p.identity().Login(in.username, in.password));
  pl.me = Must(p.identity().Authenticate(login.token));
  return pl;
}

participation::PostingInput Award(const Place& pl, std::string credit, std::int64_t amount) {
  return {.kind = participation::PostingKind::kAward,
          .debit = participation::IssuerAccount(pl.street.id),
          .credit = std::move(credit),
          .amount = amount,
          .unit_id = pl.street.id,
          .trigger = "manual",
          .memo = "积分基准"};
}

// (a) The reaction path.
void ReactionPath(app::Platform& p, const Place& pl, const Options& o) {
  const auto sys = Principal::System();
  Must(p.points().CreateRule(sys, {.unit_id = pl.street.id,
                                   .trigger = "volunteer_hour",
                                   .title = "志愿服务",
                                   .points = 10,
                                   .daily_cap = 1000,
                                   .monthly_cap = 10'000}));
  // Every volunteer earns EVENTS / RESIDENTS times in the same hour: velocity and
  // same-decider limits raised so that each award posts rather than waits for review.
  auto settings = Must(p.points().Settings(sys, pl.street.id));
  settings.unit_id = pl.street.id;
  settings.velocity_per_hour = 10'000;
  settings.velocity_per_day = 10'000;
  settings.same_decider_per_month = 1'000;
  Must(p.points().UpdateSettings(sys, settings, settings.version));

  const auto fill_start = SteadyClock::now();
  constexpr int kPerWrite = 5'000, kPerAppend = 500;  // AppendMany binds 8 values an event
  for (int from = 0; from < o.events; from += kPerWrite) {
    std::vector<audit::EventInput> events;
    for (int i = from; i < std::min(o.events, from + kPerWrite); ++i)
      events.push_back({fmt::format("lead-{:03}", (i / o.residents) % 1000),
                        "collab.volunteer.confirmed",
                        fmt::format("vh-{:07}", i),
                        {{"force_id", "force-bench"},
                         {"task_id", "task-bench"},
                         {"volunteer_id", fmt::format("volunteer-{:06}", i % o.residents)},
                         {"day", "2026-12-07"},
                         {"minutes", 60},
                         {"unit_path", pl.community.path}}});
    Must(p.db().Write([&](storage::Executor& ex) -> Result<void> {
      for (std::size_t at = 0; at < events.size(); at += kPerAppend) {
        const std::size_t n = std::min<std::size_t>(kPerAppend, events.size() - at);
        XT_TRY_VOID(audit::AppendMany(ex, p.clock().Now(),
                                      std::span<const audit::EventInput>(&events[at], n)));
      }
      return {};
    }));
  }
  const double fill_s = Seconds(fill_start);

  audit::ConsumerOptions options;
  for (auto& r : participation::Reactions())
    if (r.name == "participation.collab") options = r;
  options.batch = o.batch;
  audit::Consumer consumer(p.db(), p.clock(), p.node_id(), options,
                           [&p](storage::Executor& ex, const audit::Event& e) -> Result<void> {
                             XT_TRY_VOID(p.points().OnEvent(ex, e));
                             return p.deliberation().OnEvent(ex, e);
                           });
  const auto start = SteadyClock::now();
  const int handled = Must(consumer.CatchUp());
  const double secs = Seconds(start);
  const auto check = Must(p.points().CheckLedger(sys, pl.street.id));
  const auto status = Must(consumer.Status());
  fmt::print("(a) filled {} collab.volunteer.confirmed events for {} volunteers in {:.1f} s\n",
             o.events, o.residents, fill_s);
  fmt::print(
      "(a) reaction path, participation.collab batch {}: {} events handled, {} postings in "
      "{:.2f} s = {:.0f} awards/s (lag {}; ledger: sum {}, {} mismatched)\n",
      o.batch, handled, check.postings, secs, static_cast<double>(check.postings) / secs,
      status.lag(), check.sum_of_balances, check.mismatched.size());
  if (check.postings != o.events || !check.mismatched.empty() || check.sum_of_balances != 0)
    bench::Die(Error::Internal(fmt::format("expected {} awards and a balanced ledger", o.events)));
}

// (b) PostBatch from several threads.
void Batches(app::Platform& p, const Place& pl, const Options& o) {
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> posted{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::string first_error;
  std::vector<std::thread> threads;
  const auto start = SteadyClock::now();
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double> mine;
      std::int64_t k = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        std::vector<participation::PostingInput> batch;
        batch.reserve(static_cast<std::size_t>(o.per_write));
        for (int i = 0; i < o.per_write; ++i, ++k)
          batch.push_back(Award(pl, fmt::format("person:bench-{}-{}", t, k % 2'000), 1 + k % 5));
        const auto t0 = SteadyClock::now();
        auto r = p.points().PostBatch(std::move(batch));
        if (!r) {
          std::lock_guard lock(mutex);
          if (first_error.empty()) first_error = r.error().message;
          stop = true;
          break;
        }
        mine.push_back(Seconds(t0) * 1e3);
        posted.fetch_add(static_cast<std::int64_t>(r->size()), std::memory_order_relaxed);
      }
      std::lock_guard lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double secs = Seconds(start);
  if (!first_error.empty()) bench::Die(Error::Internal(first_error));
  std::sort(latencies_ms.begin(), latencies_ms.end());
  fmt::print(
      "(b) PostBatch {} a Write from {} threads: {} postings in {:.2f} s = {:.0f} postings/s "
      "(a batch: p50 {:.1f} ms, p99 {:.1f} ms)\n",
      o.per_write, o.threads, posted.load(), secs, static_cast<double>(posted.load()) / secs,
      Pct(latencies_ms, 50), Pct(latencies_ms, 99));
}

// The balance of an account with FILL postings.
void BalanceAt(app::Platform& p, const Place& pl, const Options& o) {
  const auto me = participation::PersonAccount(pl.me.account_id);
  const auto fill_start = SteadyClock::now();
  for (int from = 0; from < o.fill; from += o.fill_batch) {
    std::vector<participation::PostingInput> batch;
    for (int i = from; i < std::min(o.fill, from + o.fill_batch); ++i)
      batch.push_back(Award(pl, me, 1 + i % 3));
    Must(p.points().PostBatch(std::move(batch)));
  }
  const double fill_s = Seconds(fill_start);
  std::int64_t expected = 0;
  for (int i = 0; i < o.fill; ++i) expected += 1 + i % 3;
  fmt::print(
      "balance: filled {} postings to one person with PostBatch({}) in {:.1f} s ({:.0f}/s)\n",
      o.fill, o.fill_batch, fill_s, o.fill / fill_s);

  auto timed = [](int n, auto&& fn) {
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const auto t0 = SteadyClock::now();
      fn();
      us.push_back(Seconds(t0) * 1e6);
    }
    std::sort(us.begin(), us.end());
    return us;
  };
  std::int64_t seen = 0;
  const auto reads = timed(o.reads, [&] { seen = Must(p.points().Balance(pl.me, "me")).balance; });
  if (seen != expected)
    bench::Die(Error::Internal(fmt::format("balance {} instead of {}", seen, expected)));
  fmt::print(
      "balance: Balance(me) at {} postings, {} reads: p50 {:.1f} us, p99 {:.1f} us, max {:.1f} us "
      "(balance {})\n",
      o.fill, o.reads, Pct(reads, 50), Pct(reads, 99), reads.back(), seen);
  const auto pages = timed(1'000, [&] {
    auto page = Must(p.points().Postings(pl.me, "me", {.limit = 20}));
    if (page.items.size() != 20) bench::Die(Error::Internal("a short first page"));
  });
  fmt::print(
      "balance: first page of postings (20, newest first), 1000 reads: p50 {:.1f} us, p99 {:.1f} "
      "us, max {:.1f} us\n",
      Pct(pages, 50), Pct(pages, 99), pages.back());
  const auto views = timed(20, [&] { Must(p.points().GetAccount(pl.me, "me")); });
  fmt::print(
      "balance: GetAccount(me) (GET /points/accounts/me: balance, badges, 20 postings), 20 "
      "reads: p50 {:.1f} ms, max {:.1f} ms\n",
      Pct(views, 50) / 1e3, views.back() / 1e3);
  const auto t0 = SteadyClock::now();
  const auto check = Must(p.points().CheckLedger(Principal::System(), pl.street.id));
  fmt::print(
      "balance: full recompute for information (CheckLedger on the street's ledger: {} accounts, "
      "{} postings, every balance against the sum of its entries): {:.0f} ms, {} mismatched\n",
      check.accounts, check.postings, Seconds(t0) * 1e3, check.mismatched.size());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, o)) {
    Usage();
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  auto platform = Must(bench::BenchPlatform::Open("points-bench", o.data_dir, o.database, ""));
  app::Platform& p = **platform;
  const Place pl = MakePlace(p);
  fmt::print("backend      {}\n", p.db().Describe());
  if (o.postings) {
    ReactionPath(p, pl, o);
    Batches(p, pl, o);
  }
  if (o.balance) BalanceAt(p, pl, o);
  platform.reset();
  return 0;
}
