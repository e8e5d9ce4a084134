// 数据共享 gateway, durable: C threads look records up through
// ExchangeService::Lookup as a consuming department's handler — grant
// check, masking, and the fsync'd audit event plus access-log row that
// every answer commits before it is returned (group commit shares the
// fsyncs). Beside it, in the same run, the peer: a bare fsync'd one-row
// INSERT through the same database and group commit at the same
// concurrency (what the storage alone does). Then the import check: a CSV
// of R rows checked against the resource's schema (data elements, check
// digits, uniqueness), without storing, in rows/s.
//
// Usage: exchange_bench [--data-dir DIR | --database URL] [--records N]
//                       [--concurrency C] [--seconds S] [--import-rows R]
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "app/demo_random.h"
#include "bench_platform.h"
#include "bench_util.h"
#include "core/csv.h"
#include "exchange/exchange_service.h"
#include "exchange/quality.h"

namespace xietong::bench {
namespace {

using identity::Membership;
using identity::OrgUnit;
using identity::Principal;
using identity::Role;
using identity::UnitKind;

OrgUnit UnitOf(app::Platform& p, std::optional<std::string> parent, UnitKind kind, std::string code,
               std::string name) {
  auto found = Must(p.identity().FindUnitByCode(code));
  if (found) return *found;
  return Must(p.identity().CreateUnit(Principal::System(),
                                      {std::move(parent), kind, code, std::move(name), {}}));
}

Principal As(std::string name, const OrgUnit& unit, Role role) {
  Principal p;
  p.account_id = "bench-" + name;
  p.username = name;
  p.display_name = "压测" + name;
  p.memberships.push_back(
      Membership{"m-" + name, p.account_id, unit.id, unit.name, unit.path, role});
  return p;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

const json::Json kHousehold = {
    {"code", "BENCH-GA-001"},
    {"title", "户籍人口基本信息（压测）"},
    {"description", "压测用户籍数据"},
    {"share", "conditional"},
    {"share_condition", "压测"},
    {"key_field", "id_number"},
    {"fields",
     {{{"name", "id_number"}, {"title", "公民身份号码"}, {"element", "id_number"}},
      {{"name", "name"}, {"title", "姓名"}, {"element", "person_name"}},
      {{"name", "phone"}, {"title", "联系电话"}, {"element", "mobile"}},
      {{"name", "birth_date"}, {"title", "出生日期"}, {"type", "date"}},
      {{"name", "address"}, {"title", "户籍地址"}, {"element", "address"}}}}};

// R rows of the household resource, each valid, as CSV; keys returned.
std::string Rows(int n, std::vector<std::string>* keys) {
  app::Draw d(7);
  std::string out = "id_number,name,phone,birth_date,address\n";
  for (int i = 0; i < n; ++i) {
    const int y = 1940 + d.Below(65), m = 1 + d.Below(12), day = 1 + d.Below(28);
    // The sequence number makes each key unique.
    const std::string id =
        app::IdNumberOf(fmt::format("33{:04}", 100 + i / 1000 % 9000), y, m, day, i % 1000);
    if (keys) keys->push_back(id);
    csv::AppendRecord(out, {id, "王建国", fmt::format("13{:09}", d.Next() % 1'000'000'000ULL),
                            fmt::format("{:04}-{:02}-{:02}", y, m, day), "江澜市临江区滨江路88号"});
  }
  return out;
}

struct Figures {
  double per_second = 0, p50 = 0, p99 = 0;
  long done = 0, failed = 0;
};

template <typename Op>
Figures Drive(int concurrency, double seconds, Op op) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(concurrency));
  std::atomic<long> failed{0};
  std::vector<std::thread> threads;
  const auto start = SteadyClock::now();
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t) + 1);
      while (!stop.load(std::memory_order_relaxed)) {
        const auto at = SteadyClock::now();
        if (!op(rng)) failed.fetch_add(1);
        lat[static_cast<std::size_t>(t)].push_back(Seconds(at) * 1000);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  const double elapsed = Seconds(start);
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  Figures f;
  f.done = static_cast<long>(all.size()) - failed.load();
  f.failed = failed.load();
  f.per_second = static_cast<double>(f.done) / elapsed;
  f.p50 = Percentile(all, 0.5);
  f.p99 = Percentile(all, 0.99);
  return f;
}

int Run(int argc, char** argv) {
  std::string data_dir, database;
  int records = 100'000, concurrency = 64, import_rows = 1'000'000;
  double seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--data-dir") {
      data_dir = argv[i + 1];
    } else if (flag == "--database") {
      database = argv[i + 1];
    } else if (flag == "--records") {
      records = std::atoi(argv[i + 1]);
    } else if (flag == "--concurrency") {
      concurrency = std::atoi(argv[i + 1]);
    } else if (flag == "--seconds") {
      seconds = std::atof(argv[i + 1]);
    } else if (flag == "--import-rows") {
      import_rows = std::atoi(argv[i + 1]);
    } else {
      Die(Error::InvalidArgument(fmt::format("unknown flag {}", flag)));
    }
  }
  spdlog::set_level(spdlog::level::warn);
  auto bp = Must(BenchPlatform::Open("exchange_bench", data_dir, database, ""));
  app::Platform& p = **bp;
  exchange::ExchangeService& ex = p.exchange();

  const OrgUnit city = UnitOf(p, std::nullopt, UnitKind::kCity, "BX", "压测市");
  const OrgUnit police = UnitOf(p, city.id, UnitKind::kDepartment, "BX-D12", "压测公安局");
  const OrgUnit civil = UnitOf(p, city.id, UnitKind::kDepartment, "BX-D11", "压测民政局");
  const Principal officer = As("officer", police, Role::kDataOfficer);
  const Principal asker = As("asker", civil, Role::kUnitLead);
  const Principal handler = As("handler", civil, Role::kHandler);

  std::vector<std::string> keys;
  const auto resource = Must(ex.Publish(officer, kHousehold));
  {
    const auto start = SteadyClock::now();
    auto report = Must(ex.Import(officer, resource.id, Rows(records, &keys), false));
    if (!report.accepted) Die(Error::Internal("the bench's rows do not import"));
    fmt::print("stored {} records in {:.2f} s (checked, one transaction)\n", report.stored,
               Seconds(start));
  }
  auto req = Must(ex.RequestAccess(asker, {{"resource_id", resource.id},
                                           {"fields", {"name", "phone", "birth_date"}},
                                           {"purpose_code", "bench"},
                                           {"purpose", "压测"},
                                           {"legal_basis", "压测依据"},
                                           {"rate_per_minute", exchange::kMaxRatePerMinute}}));
  Must(ex.Approve(officer, req.id, {"name", "phone", "birth_date"}, {}, ""));

  const Figures gw = Drive(concurrency, seconds, [&](std::mt19937_64& rng) {
    const std::string& key = keys[rng() % keys.size()];
    auto a = ex.Lookup(handler, resource.id, {key}, "bench", {});
    return a && a->records.size() == 1 && a->records[0].found;
  });
  fmt::print(
      "gateway ({}): {:.0f} lookups/s with grant check, masking and the fsync'd audit event, "
      "p50 {:.2f} ms, p99 {:.2f} ms, {} threads, {} failed\n",
      p.db().Describe(), gw.per_second, gw.p50, gw.p99, concurrency, gw.failed);

  // The peer: what the database does alone, one fsync'd row per call.
  Must(p.db().Write([](storage::Executor& e) -> Result<void> {
    XT_TRY_VOID(
        e.ExecScript("CREATE TABLE IF NOT EXISTS bench_peer (id TEXT PRIMARY KEY, v TEXT)"));
    return {};
  }));
  std::atomic<long> n{0};
  const Figures peer = Drive(concurrency, seconds, [&](std::mt19937_64&) {
    const std::string id = fmt::format("{}-{}", p.ids().Next(), n.fetch_add(1));
    return static_cast<bool>(p.db().Write([&](storage::Executor& e) -> Result<void> {
      XT_TRY_VOID(e.Exec("INSERT INTO bench_peer (id, v) VALUES (?, ?)", {id, "x"}));
      return {};
    }));
  });
  fmt::print(
      "peer, a bare fsync'd one-row INSERT through the same group commit: {:.0f}/s, p50 {:.2f} ms, "
      "p99 {:.2f} ms\n",
      peer.per_second, peer.p50, peer.p99);
  fmt::print("gateway / peer = {:.2f}\n", gw.per_second / std::max(1.0, peer.per_second));

  // The import check alone.
  if (import_rows > 0) {
    const std::string csv_text = Rows(import_rows, nullptr);
    exchange::Elements elements;
    for (const auto& e : exchange::StandardElements()) elements.emplace(e.code, e);
    auto parsed = Must(exchange::ParseResource(kHousehold, elements));
    const auto start = SteadyClock::now();
    auto check = Must(exchange::CheckImport(parsed, elements, csv_text));
    const double secs = Seconds(start);
    fmt::print("import check: {} rows ({:.0f} MB) in {:.2f} s = {:.0f} rows/s, {} problems\n",
               check.rows, static_cast<double>(csv_text.size()) / 1e6, secs,
               static_cast<double>(check.rows) / secs, check.blocking + check.defects);
  }
  return 0;
}

}  // namespace
}  // namespace xietong::bench

int main(int argc, char** argv) { return xietong::bench::Run(argc, argv); }
