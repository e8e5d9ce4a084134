// Durable public crowd-report intake on SQLite: N client threads submit
// anonymous reports through CrowdReportService::Submit (validate, incident
// check, Idempotency-Key claim, insert, audit event, acknowledged after the
// fsync'd group commit of Database::Write) for S seconds, each with its own
// client-generated key, while the duplicate reaction (emergency.crowd_duplicates)
// runs beside it on a ConsumerRunner as the server runs it. Afterwards the
// reaction catches up and its lag and rate are printed. In the same run, the peer:
// one thread inserting the same rows into a bare SQLite table, one
// transaction each, WAL with synchronous=FULL (what a naive durable intake
// does). Prints both figures and their ratio.
// Usage: crowd_report_bench --dir DIR [--threads N] [--seconds S] [--reaction on|off]
#include <fmt/core.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "audit/consumer.h"
#include "collab/collab_service.h"
#include "emergency/crowd_service.h"
#include "emergency/incident_service.h"
#include "emergency/schema.h"
#include "files/file_service.h"
#include "identity/identity_service.h"
#include "storage/database.h"

namespace {

using namespace xietong;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kTexts[] = {
    "幸福小区3号楼困住老人两名，水已到一楼窗台，请求救援",
    "中原路桥下积水齐腰，一辆公交车熄火，车上约二十人",
    "文化路小学安置点缺饮用水和方便面，约三百人",
    "金水河堤北段有渗水，附近居民需要转移",
    "市三院地下室进水停电，有透析病人需要转院",
    "农业路与花园路口井盖被冲开，非常危险",
};

double Seconds(SteadyClock::time_point from) {
  return std::chrono::duration<double>(SteadyClock::now() - from).count();
}

int Die(const Error& e) {
  fmt::print(stderr, "crowd_report_bench: {}\n", e.message);
  return 1;
}

// The peer: one thread, one INSERT per transaction, fsync'd at each commit.
Result<double> BareSqlite(const std::string& path, double seconds, std::int64_t& n) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK)
    return xietong::Fail(Error::Internal("cannot open the peer's SQLite file"));
  auto exec = [&](const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); };
  exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  exec(
      "CREATE TABLE IF NOT EXISTS reports (id TEXT PRIMARY KEY, incident_id TEXT, text TEXT,"
      " lat REAL, lng REAL, contact_phone TEXT, received_at INTEGER)");
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO reports VALUES (?, 'inc', ?, 34.75, 113.62, '138', ?)", -1,
                     &st, nullptr);
  const auto start = SteadyClock::now();
  n = 0;
  while (Seconds(start) < seconds) {
    exec("BEGIN");
    const std::string id = fmt::format("r{:012}", n);
    sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kTexts[n % std::size(kTexts)], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, n);
    sqlite3_step(st);
    sqlite3_reset(st);
    exec("COMMIT");
    ++n;
  }
  const double took = Seconds(start);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return static_cast<double>(n) / took;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int threads = 64;
  double seconds = 10;
  bool reaction = true;  // --reaction off: intake alone
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    if (a == "--dir") dir = argv[i + 1];
    if (a == "--threads") threads = std::atoi(argv[i + 1]);
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    if (a == "--reaction") reaction = std::string_view(argv[i + 1]) != "off";
  }
  if (dir.empty() || threads < 1 || seconds <= 0) {
    fmt::print(
        stderr,
        "usage: crowd_report_bench --dir DIR [--threads N] [--seconds S] [--reaction on|off]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/crowd.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto db = storage::OpenDatabase({.url = "sqlite:" + path});
  if (!db) return Die(db.error());
  SystemClock clock;
  IdGenerator ids(clock);
  if (auto m = storage::ApplySchemas(**db, {&files::Schema(), &emergency::Schema()}, clock.Now());
      !m)
    return Die(m.error());
  auto calendar = WorkCalendar::LoadFile(DefaultCalendarPath());
  if (!calendar) return Die(calendar.error());
  identity::IdentityService identity(**db, clock, ids);
  collab::CollabService collab(**db, clock, ids, *calendar, identity);
  emergency::CrowdReportService crowd(**db, clock, ids, collab);

  // An incident opened as a district's leader would open it.
  emergency::IncidentService incidents(**db, clock, ids, identity, collab);
  const auto sys = identity::Principal::System();
  auto city =
      identity.CreateUnit(sys, {std::nullopt, identity::UnitKind::kCity, "BN", "基准市", {}});
  if (!city) return Die(city.error());
  identity::NewAccount lead_in;
  lead_in.username = "bench.lead";
  lead_in.display_name = "基准指挥长";
  lead_in.password = "bench-password-2026";
  lead_in.unit_id = city->id;
  lead_in.role = identity::Role::kLeader;
  auto lead = identity.CreateAccount(sys, lead_in);
  if (!lead) return Die(lead.error());
  identity::Principal leader;
  leader.account_id = lead->id;
  leader.username = lead->username;
  leader.display_name = lead->display_name;
  leader.kind = lead->kind;
  leader.memberships = lead->memberships;
  emergency::IncidentInput in;
  in.type = "waterlogging";
  in.level = 4;
  in.title = "基准：城区内涝";
  in.area.grid_ids = {"bench-grid"};
  in.unit_id = city->id;
  auto incident = incidents.Open(leader, in);
  if (!incident) return Die(incident.error());

  auto make = [](std::mt19937_64& rng) {
    emergency::NewCrowdReport r;
    // Texts that differ (a house number), as real reports do; some repeat.
    r.text = fmt::format("{}（{}号）", kTexts[rng() % std::size(kTexts)], rng() % 5000);
    r.kind = emergency::ReportKind::kNeed;
    r.need_type = emergency::NeedType::kRescue;
    r.count = static_cast<std::int64_t>(1 + rng() % 20);
    r.place.lat = 34.70 + static_cast<double>(rng() % 1000) / 10000.0;
    r.place.lng = 113.60 + static_cast<double>(rng() % 1000) / 10000.0;
    r.contact_phone = fmt::format("13{}{:08}", 5 + rng() % 5, rng() % 100'000'000);
    return r;
  };
  // The duplicate reaction, polled as the server polls it.
  audit::Consumer duplicates(
      **db, clock, "bench", emergency::CrowdReportService::ConsumerOptions(),
      [&crowd](storage::Executor& ex, const audit::Event& e) { return crowd.OnEvent(ex, e); });
  {  // warm: the duplicate index is built on the reaction's first event
    std::mt19937_64 rng(7);
    if (auto r = crowd.Submit(std::nullopt, incident->id, make(rng), "warm"); !r)
      return Die(r.error());
    if (auto r = duplicates.CatchUp(); !r) return Die(r.error());
  }
  audit::ConsumerRunner runner;
  runner.Add(duplicates);
  if (reaction) runner.Start();

  std::atomic<std::int64_t> done{0}, failed{0};
  std::vector<std::vector<std::int64_t>> latencies(static_cast<std::size_t>(threads));
  const auto start = SteadyClock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t) + 100);
      std::int64_t i = 0;
      while (Seconds(start) < seconds) {
        const auto began = SteadyClock::now();
        auto r = crowd.Submit(std::nullopt, incident->id, make(rng), fmt::format("c{}-{}", t, i++));
        if (r) {
          ++done;
          latencies[static_cast<std::size_t>(t)].push_back(
              std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - began)
                  .count());
        } else if (++failed == 1) {
          fmt::print(stderr, "first failure: {}\n", r.error().message);
        }
      }
    });
  for (auto& w : workers) w.join();
  const double took = Seconds(start);
  runner.Stop();
  const double rate = static_cast<double>(done.load()) / took;
  std::vector<std::int64_t> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty()
               ? 0.0
               : static_cast<double>(
                     all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))]) /
                     1000.0;
  };

  fmt::print(
      "crowd report intake (SQLite, durable, {} threads, {:.1f} s, reaction {}): {} reports, "
      "{:.0f}/s, p50 {:.2f} ms, p99 {:.2f} ms, {} failed\n",
      threads, took, reaction ? "running" : "off", done.load(), rate, pct(0.5), pct(0.99),
      failed.load());
  std::fflush(stdout);
  // The reaction's backlog, handled for at most --seconds more.
  auto status = duplicates.Status();
  if (!status) return Die(status.error());
  const std::int64_t behind = status->lag();
  std::int64_t handled = 0;
  const auto catch_start = SteadyClock::now();
  while (Seconds(catch_start) < seconds) {
    auto n = duplicates.RunOnce();
    if (!n) return Die(n.error());
    if (*n == 0) break;
    handled += *n;
  }
  const double catch_took = Seconds(catch_start);
  auto left = duplicates.Status();
  if (!left) return Die(left.error());
  auto candidates = (*db)->Read([](storage::Executor& ex) -> Result<std::int64_t> {
    XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT COUNT(*) FROM emergency_crowd_reports"
                                              " WHERE duplicate_of <> ''"));
    return row ? row->Int(0) : 0;
  });
  if (!candidates) return Die(candidates.error());
  fmt::print(
      "duplicate reaction: {} events behind when intake stopped; then {} handled in {:.2f} s "
      "({:.0f} events/s), {} left; {} candidates marked\n",
      behind, handled, catch_took, catch_took > 0 ? static_cast<double>(handled) / catch_took : 0.0,
      left->lag(), *candidates);
  std::int64_t peer_n = 0;
  auto peer = BareSqlite(dir + "/peer.db", seconds, peer_n);
  if (!peer) return Die(peer.error());
  fmt::print(
      "peer: bare SQLite INSERT, one transaction each, synchronous=FULL: {} rows, {:.0f}/s\n",
      peer_n, *peer);
  fmt::print("reports_per_s={:.0f} peer_per_s={:.0f} ratio={:.1f}\n", rate, *peer,
             *peer > 0 ? rate / *peer : 0.0);
  return failed.load() == 0 ? 0 : 1;
}
