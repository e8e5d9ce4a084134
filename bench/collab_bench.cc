// Collab, durable, through CollabService as the HTTP handlers call it:
//
//  directive  a directive from the city to every community below it (with
//             subtrees), reaching the P staff accounts seeded across the
//             communities: candidates listed, recipients resolved, the
//             directive, its P receipts and its audit event stored in one
//             fsync'd transaction — the time from the call to its return.
//             Peer, in the same run: the same P receipt rows (same columns,
//             key and index, same 500-row INSERTs) in one fsync'd
//             transaction of a bare table — what the storage alone does.
//  post       T threads post messages back to back through
//             CollabService::Post into C group channels (membership check,
//             the channel's next number, the message, the author's read
//             marker, the audit event with the text; each Post returns after
//             its group commit is fsync'd). Peer, in the same run: a bare
//             fsync'd one-row INSERT of a message-shaped row through the same
//             group commit at the same concurrency.
//
// Usage: collab_bench [--data-dir DIR | --database URL] [--only directive|post]
//                     [--recipients P] [--communities N] [--runs R]
//                     [--threads T] [--channels C] [--seconds S] [--analyze 1]
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_platform.h"
#include "bench_util.h"
#include "collab/collab_service.h"
#include "collab_seed.h"

namespace xietong::bench {
namespace {

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

struct Figures {
  double per_second = 0, p50 = 0, p99 = 0;
  long done = 0, failed = 0;
};

// Runs op on `threads` threads back to back for `seconds`; latencies in ms.
template <typename Op>
Figures Drive(int threads, double seconds, Op op) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(threads));
  std::atomic<long> failed{0};
  std::vector<std::thread> pool;
  const auto start = SteadyClock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const auto at = SteadyClock::now();
        if (!op(t, i)) failed.fetch_add(1);
        lat[static_cast<std::size_t>(t)].push_back(Seconds(at) * 1000);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  const double elapsed = Seconds(start);
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  Figures f;
  f.failed = failed.load();
  f.done = static_cast<long>(all.size()) - f.failed;
  f.per_second = static_cast<double>(f.done) / elapsed;
  f.p50 = Percentile(all, 0.5);
  f.p99 = Percentile(all, 0.99);
  return f;
}

std::int64_t Count(app::Platform& p, std::string_view sql, std::string_view arg) {
  return Must(p.db().Read([&](storage::Executor& ex) -> Result<std::int64_t> {
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(sql, {arg}));
    return row ? row->Int(0) : 0;
  }));
}

void BenchDirective(app::Platform& p, const CollabCity& city, int runs) {
  collab::CollabService& collab = p.collab();
  std::vector<double> took;
  for (int r = 0; r < runs; ++r) {
    collab::NewDirective in;
    in.title = fmt::format("关于开展第{}轮安全生产大检查的通知", r + 1);
    in.body = "各社区：请于本周五前完成辖区内安全隐患排查，并签收本通知。";
    in.to_units = {city.city.id};
    in.include_subtree = true;
    in.ack_by = p.clock().Now() + 3 * kMicrosPerDay;
    const auto start = SteadyClock::now();
    const auto d = Must(collab.SendDirective(city.sender, in));
    took.push_back(Seconds(start));
    const auto stored =
        Count(p, "SELECT COUNT(*) FROM collab_receipts WHERE directive_id = ?", d.id);
    if (stored != static_cast<std::int64_t>(city.people.size()) || d.recipients != stored)
      Die(Error::Internal(fmt::format("directive {} reached {} of {} ({} receipts stored)", d.id,
                                      d.recipients, city.people.size(), stored)));
    fmt::print("  directive {}: {} recipients stored and fanned out in {:.3f} s\n", r + 1,
               d.recipients, took.back());
  }

  // What the directive's first step costs alone: listing the candidates
  // below the target page by page with their memberships, as SendDirective does.
  {
    const auto start = SteadyClock::now();
    std::size_t listed = 0;
    identity::AccountListQuery q;
    q.unit_id = city.city.id;
    q.limit = 500;
    for (;;) {
      auto page = Must(p.identity().ListAccounts(identity::Principal::System(), q));
      listed += page.items.size();
      if (!page.next_cursor) break;
      q.cursor = page.next_cursor;
    }
    fmt::print("  of which listing the {} candidates with their memberships: {:.3f} s\n", listed,
               Seconds(start));
  }

  // The peer: the same rows into a bare table of the same shape, one transaction.
  Must(p.db().Write([](storage::Executor& ex) -> Result<void> {
    return ex.ExecScript(
        "CREATE TABLE IF NOT EXISTS bench_peer_receipts ("
        " directive_id TEXT NOT NULL, account_id TEXT NOT NULL, display_name TEXT NOT NULL,"
        " unit_id TEXT NOT NULL, unit_name TEXT NOT NULL, unit_path TEXT NOT NULL,"
        " received_at BIGINT NOT NULL, read_at BIGINT NOT NULL, acked_at BIGINT NOT NULL,"
        " ack_note TEXT NOT NULL, PRIMARY KEY (directive_id, account_id));"
        "CREATE INDEX IF NOT EXISTS bench_peer_receipts_account"
        " ON bench_peer_receipts (account_id, received_at)");
  }));
  std::vector<double> peer;
  for (int r = 0; r < runs; ++r) {
    const std::string id = p.ids().Next();
    const Timestamp now = p.clock().Now();
    const auto start = SteadyClock::now();
    Must(p.db().Write([&](storage::Executor& ex) -> Result<void> {
      constexpr std::size_t kBatch = 500;
      std::vector<storage::Value> params;
      for (std::size_t from = 0; from < city.people.size(); from += kBatch) {
        const std::size_t n = std::min(kBatch, city.people.size() - from);
        std::string sql =
            "INSERT INTO bench_peer_receipts (directive_id, account_id, display_name, unit_id,"
            " unit_name, unit_path, received_at, read_at, acked_at, ack_note) VALUES ";
        params.clear();
        for (std::size_t i = 0; i < n; ++i) {
          const auto& who = city.people[from + i];
          const auto& m = who.memberships.front();
          sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, 0, 0, '')" : ", (?, ?, ?, ?, ?, ?, ?, 0, 0, '')";
          params.insert(params.end(), {storage::Value(id), who.account_id, who.display_name,
                                       m.unit_id, m.unit_name, m.unit_path, now});
        }
        XT_TRY_VOID(ex.Defer(sql, storage::Params(params)));
      }
      return {};
    }));
    peer.push_back(Seconds(start));
  }
  const double med = Percentile(took, 0.5), peer_med = Percentile(peer, 0.5);
  fmt::print(
      "directive to {} recipients ({}): median {:.3f} s, min {:.3f}, max {:.3f} over {} runs\n"
      "peer, the same {} rows in one fsync'd transaction of a bare table: median {:.3f} s\n"
      "directive / peer = {:.1f}\n",
      city.people.size(), p.db().Describe(), med, *std::min_element(took.begin(), took.end()),
      *std::max_element(took.begin(), took.end()), runs, city.people.size(), peer_med,
      med / std::max(1e-9, peer_med));
}

void BenchPost(app::Platform& p, const CollabCity& city, int threads, int channels,
               double seconds) {
  collab::CollabService& collab = p.collab();
  // Channel c: members people[c*10 .. c*10+9]; thread t posts as member t / channels of
  // channel t % channels, so several authors share a channel when threads > channels.
  constexpr int kMembers = 10;
  if (static_cast<std::size_t>(channels * kMembers) > city.people.size())
    Die(Error::InvalidArgument("more channels than the seeded people can fill"));
  std::vector<std::string> ids;
  for (int c = 0; c < channels; ++c) {
    const auto& owner = city.people[static_cast<std::size_t>(c * kMembers)];
    std::vector<std::string> members;
    for (int m = 1; m < kMembers; ++m)
      members.push_back(city.people[static_cast<std::size_t>(c * kMembers + m)].account_id);
    ids.push_back(Must(collab.CreateGroup(owner, fmt::format("压测群{}", c), members)).id);
  }
  const std::string text =
      "收到，今天下午三点前把望湖社区的排查表报上来，@相关同志 请注意时间节点，有问题随时沟通。";
  const Figures posts = Drive(threads, seconds, [&](int t, long) {
    const int c = t % channels, m = (t / channels) % kMembers;
    const auto& author = city.people[static_cast<std::size_t>(c * kMembers + m)];
    return static_cast<bool>(
        collab.Post(author, ids[static_cast<std::size_t>(c)], collab::NewMessage{text, {}, {}}));
  });
  fmt::print(
      "post ({}): {:.0f} messages/s accepted durably, p50 {:.2f} ms, p99 {:.2f} ms, {} threads "
      "into {} channels, {} failed\n",
      p.db().Describe(), posts.per_second, posts.p50, posts.p99, threads, channels, posts.failed);

  Must(p.db().Write([](storage::Executor& ex) -> Result<void> {
    return ex.ExecScript(
        "CREATE TABLE IF NOT EXISTS bench_peer_messages ("
        " id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, seq BIGINT NOT NULL,"
        " author_id TEXT NOT NULL, author_name TEXT NOT NULL, text TEXT NOT NULL,"
        " mentions TEXT NOT NULL, parent_id TEXT NOT NULL, file_ids TEXT NOT NULL,"
        " at BIGINT NOT NULL)");
  }));
  std::atomic<std::int64_t> seq{0};
  const Figures peer = Drive(threads, seconds, [&](int t, long) {
    const std::string id = p.ids().Next();
    const std::int64_t n = seq.fetch_add(1);
    const auto& author = city.people[static_cast<std::size_t>(t)];
    return static_cast<bool>(p.db().Write([&](storage::Executor& ex) -> Result<void> {
      XT_TRY_VOID(ex.Exec(
          "INSERT INTO bench_peer_messages (id, channel_id, seq, author_id, author_name, text,"
          " mentions, parent_id, file_ids, at) VALUES (?, ?, ?, ?, ?, ?, '[]', '', '[]', ?)",
          {id, ids[static_cast<std::size_t>(t % channels)], n, author.account_id,
           author.display_name, text, p.clock().Now()}));
      return {};
    }));
  });
  fmt::print(
      "peer, a bare fsync'd one-row INSERT of the same shape through the same group commit: "
      "{:.0f}/s, p50 {:.2f} ms, p99 {:.2f} ms\n"
      "post / peer = {:.2f}\n",
      peer.per_second, peer.p50, peer.p99, posts.per_second / std::max(1.0, peer.per_second));
}

int Run(int argc, char** argv) {
  std::string data_dir, database, only;
  bool analyze = false;
  int recipients = 10'000, communities = 2'000, runs = 3, threads = 64, channels = 64;
  double seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--analyze") {  // PostgreSQL: fresh planner statistics after the seeding
      analyze = std::string_view(v) == "1";
    } else if (flag == "--data-dir") {
      data_dir = v;
    } else if (flag == "--database") {
      database = v;
    } else if (flag == "--only") {
      only = v;
    } else if (flag == "--recipients") {
      recipients = std::atoi(v);
    } else if (flag == "--communities") {
      communities = std::atoi(v);
    } else if (flag == "--runs") {
      runs = std::atoi(v);
    } else if (flag == "--threads") {
      threads = std::atoi(v);
    } else if (flag == "--channels") {
      channels = std::atoi(v);
    } else if (flag == "--seconds") {
      seconds = std::atof(v);
    } else {
      Die(Error::InvalidArgument(fmt::format("unknown flag {}", flag)));
    }
  }
  if (argc % 2 == 0) Die(Error::InvalidArgument("every flag takes a value"));
  spdlog::set_level(spdlog::level::warn);
  auto bp = Must(BenchPlatform::Open("collab_bench", data_dir, database, ""));
  app::Platform& p = **bp;
  const CollabCity city = SeedCollabCity(p, {.people = recipients, .communities = communities});
  if (analyze && p.db().dialect() == storage::Dialect::kPostgres) {
    Must(p.db().Write([](storage::Executor& ex) { return ex.ExecScript("ANALYZE"); }));
    fmt::print("ANALYZE after seeding\n");
  }
  if (only.empty() || only == "directive") BenchDirective(p, city, std::max(1, runs));
  if (only.empty() || only == "post") BenchPost(p, city, threads, channels, seconds);
  return 0;
}

}  // namespace
}  // namespace xietong::bench

int main(int argc, char** argv) { return xietong::bench::Run(argc, argv); }
