// The three-rate ranking over a large history: fills N requests through
// RequestService::ImportHistory (batches of 5,000; twelve months, every street,
// township and department of the demo city, a mix of on-time and late
// signing and replies, open and closed, rated with each satisfaction), then
// times rates::Ranking for one month and for twelve, city-wide, for the
// streets only and under one district, then the inbox search (List with a
// query of 1, 2 and 5 characters). Used by bench/intake.sh.
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo_city.h"
#include "app/demo_matters.h"
#include "app/platform.h"
#include "bench_platform.h"
#include "core/json.h"
#include "requests/rates.h"
#include "requests/request_service.h"

namespace {

using namespace xietong;
using SteadyClock = std::chrono::steady_clock;
using identity::OrgUnit;
using identity::UnitKind;

struct Options {
  std::string database;  // empty: SQLite in data_dir
  std::string data_dir;
  long requests = 1'000'000;
  int batch = 5000;
  int runs = 20;
  // What-if for profiling, as in intake_bench: PRAGMAs for the SQLite writer.
  std::string writer_pragmas;
};

// The history covers 2025-12 … 2026-11 (Asia/Shanghai), up to the bench date.
constexpr std::string_view kFirstMonth = "2025-12";
constexpr std::string_view kLastMonth = "2026-11";
constexpr std::string_view kOneMonth = "2026-10";  // the last whole month
constexpr std::string_view kFrom = "2025-12-01T00:00:00+08:00";
constexpr std::string_view kTo = "2026-11-23T00:00:00+08:00";

struct Sample {
  std::string_view title, text;
};
constexpr Sample kSamples[] = {
    {"路灯不亮", "我家门口这条路的路灯已经坏了一周，晚上一片漆黑，老人出行很不安全。"},
    {"夜间施工扰民", "旁边工地每天晚上十一点以后还在打桩，噪音很大，孩子没法睡觉。"},
    {"饭店油烟直排", "楼下饭店的油烟没有经过净化直接排到居民窗口，夏天没法开窗。"},
    {"车辆堵住消防通道", "小区消防通道长期被私家车占用，多次劝说无效，存在安全隐患。"},
    {"工地拖欠工资", "包工头拖欠三个月工资两万多元，要求帮助追讨。"},
    {"小区门口占道摆摊", "小区南门每天晚上有小贩占道摆摊，堵塞消防通道。"},
};

constexpr std::string_view kReplies[] = {
    "已联系相关责任方，问题已于当日处理完毕，并已电话告知来电人。",
    "经现场核实，已督促整改到位，后续将加强日常巡查。",
    "已纳入本月维修计划，施工队已进场，预计三个工作日内完成。",
};

// A place where a request is handled: the grid it lies in and who may handle it there.
struct Spot {
  const OrgUnit* grid;
  const OrgUnit* community;
  const OrgUnit* street;  // street or township
  const OrgUnit* district;
};

void Usage() {
  fmt::print(stderr,
             "usage: ranking_bench (--database URL | --data-dir DIR) [--requests N] [--batch N] "
             "[--runs N] [--sqlite-writer-pragmas \"P=V; …\"]\n");
}

bool Parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!v) return false;
    ++i;
    if (a == "--database") {
      o.database = v;
    } else if (a == "--data-dir") {
      o.data_dir = v;
    } else if (a == "--requests") {
      o.requests = std::atol(v);
    } else if (a == "--batch") {
      o.batch = std::atoi(v);
    } else if (a == "--sqlite-writer-pragmas") {
      o.writer_pragmas = v;
    } else if (a == "--runs") {
      o.runs = std::atoi(v);
    } else {
      return false;
    }
  }
  return (!o.database.empty() || !o.data_dir.empty()) && o.requests > 0 && o.batch > 0 &&
         o.runs > 0;
}

int Report(const Error& e) {
  fmt::print(stderr, "ranking_bench: {}\n", e.message);
  return 1;
}

// Leaves whose handler fits the unit: street leaves for streets, a
// department's own leaves for it; every leaf when none fits.
class LeafPicker {
 public:
  explicit LeafPicker(const matters::Catalog& catalog) {
    for (const auto* m : catalog.Leaves()) {
      all_.push_back(m);
      switch (m->handler) {
        case matters::HandlerLevel::kStreet:
          by_handler_["street"].push_back(m);
          break;
        case matters::HandlerLevel::kCityDepartment:
        case matters::HandlerLevel::kDistrictDepartment:
          by_handler_[m->department_code].push_back(m);
          break;
        default:
          break;
      }
    }
  }
  // key: "street", a city department's code (JL-D03) or a district department's suffix (D01).
  const matters::Matter& Pick(const std::string& key, std::mt19937_64& rng) const {
    auto it = by_handler_.find(key);
    const auto& from = it == by_handler_.end() ? all_ : it->second;
    return *from[rng() % from.size()];
  }

 private:
  std::vector<const matters::Matter*> all_;
  std::map<std::string, std::vector<const matters::Matter*>> by_handler_;
};

// The suffix a district department's code ends with (JL-02-D01 → D01), or the whole code.
std::string DepartmentKey(const OrgUnit& dept, const requests::Directory& dir) {
  const OrgUnit* parent = dir.Parent(dept);
  if (parent && parent->kind == UnitKind::kDistrict)
    return dept.code.substr(dept.code.rfind('-') + 1);
  return dept.code;
}

struct Stats {
  double min_ms, median_ms, p99_ms;
  std::size_t units;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, o)) {
    Usage();
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);  // no migration chatter between the figures
  auto platform =
      bench::BenchPlatform::Open("ranking-bench", o.data_dir, o.database, o.writer_pragmas);
  if (!platform) return Report(platform.error());
  app::Platform& p = ***platform;
  const auto sys = identity::Principal::System();

  app::DemoOptions demo;
  demo.admin_password = "bench-admin-2026";
  if (auto city = app::CreateDemoCity(p.identity(), demo); !city) return Report(city.error());
  if (auto seeded = p.matters().Seed(sys, app::DemoMatters()); !seeded)
    return Report(seeded.error());
  auto dir_or = p.requests().directory();
  if (!dir_or) return Report(dir_or.error());
  const requests::Directory& dir = **dir_or;
  auto catalog = p.matters().Snapshot();
  if (!catalog) return Report(catalog.error());
  const LeafPicker leaves(**catalog);
  const OrgUnit* centre = dir.Centre();
  if (!centre) return Report(Error::Internal("the demo city has no centre"));

  std::vector<Spot> spots;
  for (const auto* g : dir.OfKind(UnitKind::kGrid)) {
    Spot s{g, dir.AncestorOfKind(*g, {UnitKind::kCommunity}),
           dir.AncestorOfKind(*g, {UnitKind::kStreet, UnitKind::kTownship}),
           dir.AncestorOfKind(*g, {UnitKind::kDistrict})};
    if (s.community && s.street && s.district) spots.push_back(s);
  }
  std::vector<const OrgUnit*> city_departments;
  std::map<std::string, std::vector<const OrgUnit*>> district_departments;  // by district id
  for (const auto* d : dir.OfKind(UnitKind::kDepartment)) {
    const OrgUnit* parent = dir.Parent(*d);
    if (parent && parent->kind == UnitKind::kDistrict)
      district_departments[parent->id].push_back(d);
    else
      city_departments.push_back(d);
  }
  std::vector<std::string> street_ids;
  for (const auto* s : dir.OfKind(UnitKind::kStreet)) street_ids.push_back(s->id);
  for (const auto* s : dir.OfKind(UnitKind::kTownship)) street_ids.push_back(s->id);
  const auto districts = dir.OfKind(UnitKind::kDistrict);
  if (spots.empty() || city_departments.empty() || districts.empty())
    return Report(Error::Internal("the demo city lacks grids, departments or districts"));

  auto from = ParseRfc3339(kFrom);
  auto to = ParseRfc3339(kTo);
  if (!from || !to) return Report(Error::Internal("bad bench period"));
  const std::string run_tag = std::to_string(p.clock().Now());

  // One history row; the mix: 5 % dispatched, 7 % handling, 10 % replied,
  // 8 % awaiting the callback, 70 % closed with a rating; ~10 % signed late,
  // ~12 % replied late.
  std::mt19937_64 rng(20261123);
  auto make_row = [&](long n) {
    requests::Request r;
    const Spot& spot = spots[rng() % spots.size()];
    const OrgUnit* unit = spot.street;
    std::string leaf_key = "street";
    if (const int who = static_cast<int>(rng() % 100); who >= 70) {
      const auto& local = district_departments[spot.district->id];
      unit = who < 85 && !local.empty() ? local[rng() % local.size()]
                                        : city_departments[rng() % city_departments.size()];
      leaf_key = DepartmentKey(*unit, dir);
    }
    const matters::Matter& leaf = leaves.Pick(leaf_key, rng);
    const Sample& sample = kSamples[rng() % std::size(kSamples)];
    r.external_id = fmt::format("rank-{}-{}", run_tag, n);
    r.title = std::string(sample.title);
    r.text = std::string(sample.text);
    r.matter_id = leaf.id;
    r.matter_version = leaf.version;
    r.place.grid_id = spot.grid->id;
    r.place.community_id = spot.community->id;
    r.place.street_id = spot.street->id;
    r.place.district_id = spot.district->id;
    r.place.address = fmt::format("{}{}", spot.street->name, spot.community->name);
    r.contact_name = "陈女士";
    r.contact_phone = fmt::format("139{:08}", rng() % 100'000'000);
    r.centre_id = centre->id;
    r.centre_path = centre->path;
    r.unit_id = unit->id;
    r.unit_path = unit->path;
    r.unit_name = unit->name;
    r.dispatch_count = 1;

    r.received_at = *from + static_cast<Timestamp>(rng() % static_cast<std::uint64_t>(*to - *from));
    r.dispatched_at = r.received_at + (5 + static_cast<Timestamp>(rng() % 25)) * kMicrosPerMinute;
    r.sign_due = r.dispatched_at + 2 * kMicrosPerHour;
    r.sign_warn_at = r.dispatched_at + 90 * kMicrosPerMinute;
    r.finish_due = r.dispatched_at + 7 * kMicrosPerDay;
    r.finish_warn_at = r.dispatched_at + 5 * kMicrosPerDay;
    r.return_until = r.dispatched_at + 8 * kMicrosPerHour;
    r.updated_at = r.dispatched_at;

    const int stage = static_cast<int>(rng() % 100);
    r.status = requests::Status::kDispatched;
    if (stage < 5) return r;
    r.sign_late = rng() % 100 < 10;
    r.signed_at = (r.sign_late ? r.sign_due : r.dispatched_at) +
                  static_cast<Timestamp>(rng() % static_cast<std::uint64_t>(2 * kMicrosPerHour));
    r.status = requests::Status::kHandling;
    if (stage < 12) return r;
    r.finish_late = rng() % 100 < 12;
    r.replied_at =
        r.finish_late
            ? r.finish_due + static_cast<Timestamp>(rng() % (5 * kMicrosPerDay))
            : r.signed_at + static_cast<Timestamp>(
                                rng() % static_cast<std::uint64_t>(r.finish_due - r.signed_at));
    r.reply = std::string(kReplies[rng() % std::size(kReplies)]);
    r.status = requests::Status::kReplied;
    if (stage < 22) return r;
    r.status = requests::Status::kCallback;
    if (stage < 30) return r;
    r.status = requests::Status::kClosed;
    r.closed_at = r.replied_at + kMicrosPerDay;
    r.resolved = rng() % 100 < 85;
    const int mood = static_cast<int>(rng() % 100);
    r.satisfaction = mood < 70   ? requests::Satisfaction::kSatisfied
                     : mood < 90 ? requests::Satisfaction::kBasicallySatisfied
                                 : requests::Satisfaction::kDissatisfied;
    r.feedback = *r.satisfaction == requests::Satisfaction::kDissatisfied ? "问题没有彻底解决" : "";
    return r;
  };

  fmt::print(stderr, "filling {} requests in batches of {} on {}\n", o.requests, o.batch,
             p.db().Describe());
  const auto fill_start = SteadyClock::now();
  double build_s = 0;
  for (long done = 0; done < o.requests;) {
    const long n = std::min<long>(o.batch, o.requests - done);
    const auto b0 = SteadyClock::now();
    std::vector<requests::Request> rows;
    rows.reserve(static_cast<std::size_t>(n));
    for (long k = 0; k < n; ++k) rows.push_back(make_row(done + k));
    build_s += std::chrono::duration<double>(SteadyClock::now() - b0).count();
    auto stored = p.requests().ImportHistory(sys, std::move(rows));
    if (!stored) return Report(stored.error());
    done += *stored;
    if (done % 100'000 == 0 || done == o.requests)
      fmt::print(stderr, "\r{} / {}", done, o.requests);
  }
  const double fill_s = std::chrono::duration<double>(SteadyClock::now() - fill_start).count();
  fmt::print(stderr, "\n");

  auto time_ranking = [&](const requests::rates::RankingQuery& q) -> Result<Stats> {
    std::vector<double> ms;
    std::size_t units = 0;
    for (int run = -1; run < o.runs; ++run) {  // run -1 warms the caches
      const auto t0 = SteadyClock::now();
      auto ranking =
          p.db().Read([&](storage::Executor& ex) { return requests::rates::Ranking(ex, q); });
      const auto t1 = SteadyClock::now();
      if (!ranking) return Fail(ranking.error());
      units = ranking->size();
      if (run >= 0) ms.push_back(std::chrono::duration<double>(t1 - t0).count() * 1000);
    }
    std::sort(ms.begin(), ms.end());
    const auto p99 = static_cast<std::size_t>(0.99 * static_cast<double>(ms.size() - 1) + 0.5);
    return Stats{ms.front(), ms[ms.size() / 2], ms[p99], units};
  };

  struct Case {
    std::string name;
    requests::rates::RankingQuery query;
  };
  std::vector<Case> cases;
  auto add = [&](std::string scope, std::string_view first, std::string_view last,
                 const std::function<void(requests::rates::RankingQuery&)>& narrow) {
    requests::rates::RankingQuery q;
    q.from_month = std::string(first);
    q.to_month = std::string(last);
    narrow(q);
    cases.push_back({fmt::format("{:<30} {}..{}", scope, first, last), std::move(q)});
  };
  for (const auto& [first, last] :
       {std::pair{kOneMonth, kOneMonth}, std::pair{kFirstMonth, kLastMonth}}) {
    add("all units", first, last, [](auto&) {});
    add(fmt::format("streets only ({} units)", street_ids.size()), first, last,
        [&](auto& q) { q.unit_ids = street_ids; });
    add(fmt::format("under district {}", districts.front()->name), first, last,
        [&](auto& q) { q.under_path = districts.front()->path; });
  }

  // The rollup must account for every row: a check that the fill counted.
  requests::rates::RankingQuery everything;
  everything.from_month = std::string(kFirstMonth);
  everything.to_month = std::string(kLastMonth);
  auto total =
      p.db().Read([&](storage::Executor& ex) { return requests::rates::Ranking(ex, everything); });
  if (!total) return Report(total.error());
  std::int64_t dispatched = 0;
  for (const auto& u : *total) dispatched += u.counters.dispatched;

  fmt::print("backend      {}\n", p.db().Describe());
  fmt::print(
      "fill         {} requests in {:.1f} s: {:.0f} rows/s through ImportHistory "
      "(building rows took {:.1f} s of it)\n",
      o.requests, fill_s, static_cast<double>(o.requests) / fill_s, build_s);
  fmt::print("rollup       {} units, {} dispatched in {}..{}\n", total->size(), dispatched,
             kFirstMonth, kLastMonth);
  fmt::print("ranking      {} runs each, ms          min   median      p99  units\n", o.runs);
  for (const auto& c : cases) {
    auto s = time_ranking(c.query);
    if (!s) return Report(s.error());
    fmt::print("  {:<48} {:8.2f} {:8.2f} {:8.2f} {:6}\n", c.name, s->min_ms, s->median_ms,
               s->p99_ms, s->units);
  }

  // Search over the same history (issue 12 §5): the inbox's list with a
  // query, city-wide as the centre sees it, 50 rows a page. Two and five
  // characters go through the full-text index; one character is a scan of
  // every row (the path every query took before the index), for comparison.
  fmt::print("search       {} runs each, ms          min   median      p99  total\n", o.runs);
  for (std::string_view query : {"路灯", "消防通道长", "拖欠", "油烟没有经", "灯"}) {
    std::vector<double> ms;
    std::int64_t total_found = 0;
    for (int run = -1; run < o.runs; ++run) {
      requests::ListFilter f;
      f.search = std::string(query);
      f.limit = 50;
      const auto t0 = SteadyClock::now();
      auto page = p.requests().List(sys, f);
      const auto t1 = SteadyClock::now();
      if (!page) return Report(page.error());
      total_found = page->total_capped ? -page->total : page->total;
      if (run >= 0) ms.push_back(std::chrono::duration<double>(t1 - t0).count() * 1000);
    }
    std::sort(ms.begin(), ms.end());
    const auto p99 = static_cast<std::size_t>(0.99 * static_cast<double>(ms.size() - 1) + 0.5);
    fmt::print("  {:<42} {:8.2f} {:8.2f} {:8.2f} {:6}\n",
               fmt::format("'{}' ({} chars{})", query, json::CountCodePoints(query),
                           json::CountCodePoints(query) < 2 ? ", scan" : ""),
               ms.front(), ms[ms.size() / 2], ms[p99],
               total_found < 0 ? fmt::format("{}+", -total_found) : fmt::format("{}", total_found));
  }
  platform->reset();
  return 0;
}
