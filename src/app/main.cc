// xietong: one binary, several subcommands (DESIGN.md §6).
#include <fmt/core.h>
#include <signal.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "app/audit_commands.h"
#include "app/budget_commands.h"
#include "app/cli_support.h"
#include "app/demo_city.h"
#include "app/demo_collab.h"
#include "app/demo_emergency.h"
#include "app/demo_exchange.h"
#include "app/demo_matters.h"
#include "app/demo_participation.h"
#include "app/demo_requests.h"
#include "app/demo_services.h"
#include "app/duplicate_commands.h"
#include "app/exchange_work.h"
#include "app/forecast_commands.h"
#include "app/history_training.h"
#include "app/hotspot_commands.h"
#include "app/import_history.h"
#include "app/platform.h"
#include "app/points_commands.h"
#include "app/reply_commands.h"
#include "app/report_commands.h"
#include "app/text_commands.h"
#include "app/warning_replay.h"
#include "app/workflow_commands.h"
#include "audit/verify.h"
#include "http/api.h"
#include "http/calendar_handlers.h"
#include "http/capacity_handlers.h"
#include "http/collab_handlers.h"
#include "http/crowd_report_handlers.h"
#include "http/deliberation_handlers.h"
#include "http/evaluation_handlers.h"
#include "http/exchange_handlers.h"
#include "http/file_handlers.h"
#include "http/forecast_handlers.h"
#include "http/identity_handlers.h"
#include "http/incident_handlers.h"
#include "http/insight_handlers.h"
#include "http/live.h"
#include "http/matter_handlers.h"
#include "http/notify_handlers.h"
#include "http/open311_handlers.h"
#include "http/points_handlers.h"
#include "http/report_handlers.h"
#include "http/request_handlers.h"
#include "http/routing_handlers.h"
#include "http/server.h"
#include "http/services_handlers.h"
#include "http/stats_handlers.h"
#include "http/warning_handlers.h"
#include "http/workflow_handlers.h"

namespace xietong::app {
namespace {

// Blocks SIGINT/SIGTERM in every thread started after this, so one thread
// can wait for them with sigwait.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  int threads = 0;
  std::string web_root;
  std::size_t body_limit = 1024 * 1024;
  int checkpoint_seconds = 60;
  std::string access_log;
  std::string public_url;     // how users reach this service, e.g. https://12345.jianglan.gov.cn
  std::string metrics_token;  // empty: /metrics on loopback only
  std::vector<std::string> trusted_proxies;
};

// "HOST:PORT" → host and port, or an error that names the flag.
Result<std::pair<std::string, std::uint16_t>> ParseListen(std::string_view listen) {
  const auto colon = listen.rfind(':');
  unsigned port = 0;
  const char* first = colon == std::string_view::npos ? nullptr : listen.data() + colon + 1;
  const char* last = listen.data() + listen.size();
  if (first == nullptr || first == last || std::from_chars(first, last, port).ptr != last ||
      port > 65535)
    return Fail(Error::InvalidArgument(fmt::format(
        "--listen wants HOST:PORT with a port from 0 to 65535, such as 127.0.0.1:8080; got '{}'",
        listen)));
  return std::pair{std::string(listen.substr(0, colon)), static_cast<std::uint16_t>(port)};
}

// Every route of the API, documented, and the API sealed: the one list that
// `serve` answers and `openapi` prints.
void RegisterRoutes(http::Api& api, Platform& p, std::string base_url) {
  http::RegisterIdentityRoutes(api, p.identity());
  http::RegisterMatterRoutes(api, p.matters());
  http::RegisterRequestRoutes(api, p.requests(), p.matters());
  http::Open311Options open311;
  open311.base_url = base_url;
  open311.incidents = &p.incidents();
  open311.crowd_reports = &p.crowd_reports();
  http::RegisterOpen311Routes(api, p.identity(), p.requests(), p.matters(), p.clock(), open311);
  http::RegisterStatsRoutes(api, p.requests());
  http::RegisterInsightRoutes(api, p.hotspots());
  http::RegisterForecastRoutes(api, p.forecasts(), p.staffing());
  http::RegisterEvaluationRoutes(api, p.evaluation());
  http::RegisterCapacityRoutes(api, p.capacity());
  http::RegisterReportRoutes(api, p.reports());
  http::RegisterRoutingRoutes(api, p.routing());
  http::RegisterCalendarRoutes(api, p.calendar());
  http::RegisterFileRoutes(api, p.files(), p.requests());
  http::RegisterWorkflowRoutes(api, p.workflow());
  http::RegisterExchangeRoutes(api, p.exchange(), base_url);
  http::RegisterServicesRoutes(api, p.services());
  http::RegisterCollabRoutes(api, p.collab());
  http::RegisterNotifyRoutes(api, p.notify());
  http::RegisterCrowdReportRoutes(api, p.crowd_reports(), p.identity());
  http::RegisterIncidentRoutes(api, p.incidents());
  http::RegisterWarningRoutes(api, p.warnings());
  http::RegisterPointsRoutes(api, p.points());
  http::RegisterDeliberationRoutes(api, p.deliberation());
  http::RegisterLiveRoutes(api);  // its documentation; LiveUpgradeHandler serves it
  api.AddMetricsSource([&p] { return audit::RenderConsumerMetrics(p.consumers().Statuses()); });
  api.Seal();
}

// Prints the OpenAPI document `serve` would answer at /api/v1/openapi.json
// (the web app's API types are checked against it).
int PrintOpenApi(const PlatformOptions& popts) {
  auto platform = Platform::Open(popts);
  if (!platform) return Report(platform.error());
  Platform& p = **platform;
  http::Api api(p.identity(), p.db(), p.clock(), p.ids(), {});
  RegisterRoutes(api, p, "http://127.0.0.1:8080");
  fmt::print("{}\n", api.openapi().dump(2));
  return 0;
}

int Serve(const PlatformOptions& popts, const ServeOptions& sopts) {
  const sigset_t signals = BlockStopSignals();
  auto platform = Platform::Open(popts);
  if (!platform) return Report(platform.error());
  Platform& p = **platform;
  if (auto model = LoadRequestModel(p); !model) {
    spdlog::warn("intake suggests from keywords: the request model cannot be used: {}",
                 model.error().message);
  } else {
    spdlog::info("intake suggests categories {}",
                 *model ? "with the city's trained model" : "from the matters' keywords");
  }

  std::string access_log =
      sopts.access_log.empty()
          ? (std::filesystem::path(popts.data_dir) / "log" / "access.jsonl").string()
          : sopts.access_log;
  try {
    auto logger = access_log == "-" ? spdlog::stdout_logger_mt("access")
                                    : spdlog::basic_logger_mt("access", access_log);
    logger->set_pattern("%v");
    // Flushed every second rather than per line: a write per request would cost
    // more than the request; an access log may lose its last second in a crash.
    spdlog::flush_every(std::chrono::seconds(1));
  } catch (const spdlog::spdlog_ex& e) {
    return Report(
        Error::Unavailable(fmt::format("cannot open the access log {}: {}", access_log, e.what())));
  }

  std::string web_root = sopts.web_root;
  if (web_root.empty()) {
    for (const char* candidate : {XIETONG_WEB_DIR "/dist", XIETONG_WEB_DIR "/placeholder"}) {
      if (std::filesystem::exists(std::filesystem::path(candidate) / "index.html")) {
        web_root = candidate;
        break;
      }
    }
  }
  auto listen = ParseListen(sopts.listen);
  if (!listen) return Report(listen.error());
  if (!sopts.public_url.empty() && !sopts.public_url.starts_with("https://") &&
      !sopts.public_url.starts_with("http://"))
    return Report(Error::InvalidArgument(fmt::format(
        "--public-url must start with https:// or http://; got '{}'", sopts.public_url)));
  std::string public_url = sopts.public_url;
  while (public_url.ends_with('/')) public_url.pop_back();
  http::Api api(p.identity(), p.db(), p.clock(), p.ids(),
                {.web_root = web_root,
                 // Behind HTTPS the session cookie must never travel in clear.
                 .secure_cookies = public_url.starts_with("https://"),
                 .metrics_token = sopts.metrics_token});
  RegisterRoutes(
      api, p,
      public_url.empty() ? fmt::format("http://{}:{}", listen->first, listen->second) : public_url);

  http::ServerOptions so;
  so.host = listen->first;
  so.port = listen->second;
  so.threads = sopts.threads > 0
                   ? sopts.threads
                   : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  so.body_limit = sopts.body_limit;
  so.trusted_proxies = sopts.trusted_proxies;
  so.upload_prefix = http::kUploadPrefix;
  so.upload_limit = files::kMaxFileBytes + 64 * 1024;
  so.more_uploads = {{std::string(http::kExchangeImportPrefix),
                      exchange::ExchangeService::kMaxImportBytes + 64 * 1024}};
  // Live updates: declared before the server, which must not outlive them.
  http::LiveHub live_hub;
  http::LiveFeed live_feed(p.db(), p.requests(), p.identity(), live_hub);
  // Collab pushes too, woken by each collab command's commit (live.h).
  live_feed.AlsoCollab(p.collab());
  p.collab().AddOnCommit([&live_feed] { live_feed.Nudge(); });
  if (auto r = live_feed.Start(); !r) return Report(r.error());
  // Reactions to committed events (audit/consumer.h), one node at a time each.
  p.consumers().Start();
  // Insight's long jobs (the nightly forecast, retrain, reports) on their own thread.
  p.jobs().Start();
  http::Server server(
      so, [&api](http::Request& req) { return api.Handle(req); },
      http::LiveUpgradeHandler(api, live_hub),
      [&api](http::Request& req) { return api.CheckBeforeBody(req); });
  auto port = server.Start();
  if (!port) return Report(port.error());
  spdlog::info("xietong serving http://{}:{}/ with {} threads (web: {})", so.host, *port,
               so.threads, web_root.empty() ? "none" : web_root);

  // Sign the chain head now and then, and once more on the way out.
  std::mutex mutex;
  std::condition_variable cv;
  bool stopping = false;
  std::thread checkpointer([&] {
    std::unique_lock lock(mutex);
    while (!cv.wait_for(lock, std::chrono::seconds(sopts.checkpoint_seconds),
                        [&] { return stopping; })) {
      lock.unlock();
      if (auto r = audit::Checkpoint(p.db(), p.key(), p.clock().Now()); !r)
        spdlog::warn("audit checkpoint failed: {}", r.error().message);
      lock.lock();
    }
  });

  // Deadline timers: every node runs this; the database hands each timer to one.
  // Now and then also the sweep of photos never attached to a request.
  std::thread timers([&] {
    constexpr Timestamp kSweepEvery = kMicrosPerHour;
    Timestamp last_sweep = 0;
    Timestamp last_quality_day = -1;  // the city's day of the last quality run
    std::unique_lock lock(mutex);
    while (!cv.wait_for(lock, std::chrono::seconds(1), [&] { return stopping; })) {
      lock.unlock();
      for (;;) {
        auto fired = p.requests().FireDueTimers();
        if (!fired) {
          spdlog::warn("deadline timers failed: {}", fired.error().message);
          break;
        }
        if (*fired == 0) break;
        spdlog::info("fired {} deadline timers", *fired);
      }
      for (;;) {
        auto fired = p.workflow().FireDueTimers();
        if (!fired) {
          spdlog::warn("process timers failed: {}", fired.error().message);
          break;
        }
        if (*fired == 0) break;
        spdlog::info("fired {} process timers", *fired);
      }
      if (const Timestamp now = p.clock().Now(); now - last_sweep >= kSweepEvery) {
        last_sweep = now;
        auto swept = p.files().SweepUnattached(now - files::kUnattachedLifetime);
        if (!swept)
          spdlog::warn("sweeping unattached photos failed: {}", swept.error().message);
        else if (*swept > 0)
          spdlog::info("deleted {} photos never attached to a request", *swept);
      }
      // Data quality defects become requests to the owning departments.
      if (auto filed = FileDataQualityWork(p); !filed)
        spdlog::warn("filing data quality work failed: {}", filed.error().message);
      else if (*filed > 0)
        spdlog::info("filed {} data quality defect batches as requests", *filed);
      // The data catalogue's quality, once at start and then nightly after 02:00.
      if (const Timestamp local = p.clock().Now() + kShanghaiOffset;
          local / kMicrosPerDay != last_quality_day &&
          (last_quality_day < 0 || local % kMicrosPerDay >= 2 * kMicrosPerHour)) {
        last_quality_day = local / kMicrosPerDay;
        auto scored = p.exchange().ScoreAll(p.clock().Now());
        if (!scored)
          spdlog::warn("data quality run failed: {}", scored.error().message);
        else
          spdlog::info("scored the quality of {} data resources", *scored);
      }
      lock.lock();
    }
  });

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, finishing requests in flight", sig);
  server.Stop();
  live_feed.Stop();
  p.jobs().Stop();
  p.consumers().Stop();
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  cv.notify_all();
  checkpointer.join();
  timers.join();
  if (auto r = audit::Checkpoint(p.db(), p.key(), p.clock().Now()); !r)
    spdlog::warn("final audit checkpoint failed: {}", r.error().message);
  spdlog::info("stopped");
  return 0;
}

int Demo(const PlatformOptions& popts, const std::string& admin_password,
         const DemoHistoryOptions& history) {
  auto platform = Platform::Open(popts);
  if (!platform) return Report(platform.error());
  DemoOptions options;
  options.admin_password = admin_password;
  options.progress = [](std::string_view step, int done, int total) {
    ProgressBar(step, done, total);
  };
  auto report = CreateDemoCity((*platform)->identity(), options);
  if (!report) return Report(report.error());
  // Before the emergency demo: some of its crowd reports are the neighbours'.
  auto neighbours = CreateDemoNeighbours(**platform, options.staff_password);
  if (!neighbours) return Report(neighbours.error());
  auto matters_created = (*platform)->matters().Seed(identity::Principal::System(), DemoMatters());
  if (!matters_created) return Report(matters_created.error());
  // Before the live requests: the early-warning detector sees intake in time order.
  auto emergency_made = CreateDemoEmergency(**platform, options.staff_password);
  if (!emergency_made) return Report(emergency_made.error());
  auto requests_made = CreateDemoRequests(**platform, options.staff_password, history);
  if (!requests_made) return Report(requests_made.error());
  auto services_made = CreateDemoServices(**platform, options.staff_password);
  if (!services_made) return Report(services_made.error());
  auto exchange_made = CreateDemoExchange(**platform, options.staff_password);
  if (!exchange_made) return Report(exchange_made.error());
  auto collab_made = CreateDemoCollab(**platform, options.staff_password);
  if (!collab_made) return Report(collab_made.error());
  // Last: the points rules pay for what the residents did in the parts above.
  auto participation_made = CreateDemoParticipation(**platform, options.staff_password);
  if (!participation_made) return Report(participation_made.error());
  auto trained = TrainFromHistory(**platform, RequestModelPath(popts.data_dir));
  if (auto cp =
          audit::Checkpoint((*platform)->db(), (*platform)->key(), (*platform)->clock().Now());
      !cp)
    return Report(cp.error());
  fmt::print(
      "演示城市 demo city ready in {}: {} units created ({} already there), {} accounts created "
      "({} already there), {} matters created\n",
      popts.data_dir, report->units_created, report->units_existing, report->accounts_created,
      report->accounts_existing, *matters_created);
  if (requests_made->existed) {
    fmt::print("演示诉求 demo requests: already there\n\n");
  } else {
    fmt::print("演示诉求 demo requests: {} in the past {} days, {} open now{}\n\n",
               requests_made->history, history.days, requests_made->live,
               requests_made->skipped.empty()
                   ? ""
                   : " (live ones skipped: " + requests_made->skipped + ")");
  }
  fmt::print(
      "一件事 one-thing services: {} defined; {}\n\n", services_made->services,
      services_made->existed ? std::string("applications already there")
      : services_made->skipped.empty()
          ? fmt::format("{} applications over the last two months", services_made->applications)
          : "no applications (" + services_made->skipped + ")");
  fmt::print("数据共享 shared data: {}\n\n",
             exchange_made->existed
                 ? std::string("already there")
                 : fmt::format("{} resources with {} rows, {} grants, {} gateway lookups over two "
                               "months",
                               exchange_made->resources, exchange_made->rows, exchange_made->grants,
                               exchange_made->lookups));
  fmt::print(
      "专班 task forces: {}\n\n",
      collab_made->existed
          ? std::string("already there")
          : fmt::format("{} with {} tasks ({} requests linked), {} channel messages over the "
                        "last week, {} directives ({} receipts, {} acknowledged), {} report "
                        "forms ({} answers)",
                        collab_made->forces, collab_made->tasks, collab_made->linked,
                        collab_made->messages, collab_made->directives, collab_made->receipts,
                        collab_made->acknowledged, collab_made->forms, collab_made->form_answers));
  fmt::print(
      "应急 early warning and incidents: {}\n\n",
      emergency_made->existed ? std::string("already there")
      : !emergency_made->skipped.empty()
          ? "not made (" + emergency_made->skipped + ")"
          : fmt::format("{} warning rules, {} warnings from {} calls, {} incident with {} "
                        "crowd reports, {} needs and {} delivered commitments, {} reserves",
                        emergency_made->rules, emergency_made->warnings, emergency_made->calls,
                        emergency_made->incidents, emergency_made->reports, emergency_made->needs,
                        emergency_made->commitments, emergency_made->reserves));
  fmt::print("多元参与 participation: {}\n\n",
             participation_made->existed ? std::string("already there")
             : !participation_made->skipped.empty()
                 ? "not made (" + participation_made->skipped + ")"
                 : fmt::format(
                       "{} neighbours and {} organisations, {} points rules and {} rewards; {} "
                       "requests residents filed and saw closed, {} days of volunteer hours, {} "
                       "proposals, {} budgets with {} ballots; {} points postings, {} "
                       "redemptions",
                       neighbours->neighbours, neighbours->organisations, participation_made->rules,
                       participation_made->rewards, participation_made->requests,
                       participation_made->volunteer_days, participation_made->proposals,
                       participation_made->budgets, participation_made->ballots,
                       participation_made->postings, participation_made->redemptions));
  if (trained) {
    fmt::print("分类模型 request classifier: trained on {} decided requests in {} matters ({})\n\n",
               trained->requests, trained->classes, trained->model_path);
  } else {
    fmt::print("分类模型 request classifier: not trained ({})\n\n", trained.error().message);
  }
  fmt::print("{:<16} {:<12} {:<14} {}\n", "username 用户名", "name 姓名", "role 角色", "unit 单位");
  for (const auto& a : report->login_accounts)
    fmt::print("{:<16} {:<12} {:<14} {}\n", a.username, a.display_name, a.role, a.unit_name);
  fmt::print("\nadmin's password is the one given with --admin-password; the others use '{}'.\n",
             options.staff_password);
  return 0;
}

int Verify(const PlatformOptions& popts, int threads) {
  auto platform = Platform::Open(popts);
  if (!platform) return Report(platform.error());
  auto trusted = TrustedKeys(popts.data_dir);
  if (!trusted) return Report(trusted.error());
  audit::VerifyOptions o;
  o.trusted_public_keys = std::move(*trusted);
  o.threads = threads;
  const bool tty = isatty(fileno(stderr));
  if (tty)
    o.progress = [](std::int64_t done, std::int64_t total) { ProgressBar("events", done, total); };
  const auto start = std::chrono::steady_clock::now();
  auto report = audit::Verify((*platform)->db(), o);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (tty) std::fprintf(stderr, "\n");
  if (!report) return Report(report.error());
  if (!report->ok()) {
    fmt::print(stderr, "audit chain BROKEN at event {}: {}\n", *report->first_bad_seq,
               report->problem);
    return 3;
  }
  fmt::print(
      "audit chain intact: {} events and {} checkpoints verified in {:.2f} s ({:.0f} events/s)\n",
      report->events, report->checkpoints, secs,
      secs > 0 ? static_cast<double>(report->events) / secs : 0.0);
  return 0;
}

// Imports past requests and prints what happened to every row.
int Import(const PlatformOptions& popts, ImportOptions options) {
  auto platform = Platform::Open(popts);
  if (!platform) return Report(platform.error());
  Platform& p = **platform;
  options.as_of = p.clock().Now();
  auto report = ImportUs311(p.calendar(), p.requests(), p.matters(), options,
                            [](std::int64_t done, std::int64_t total, std::int64_t rows) {
                              ProgressBar(fmt::format("{} rows", rows), done, total);
                            });
  if (!report) return Report(report.error());
  fmt::print(
      "imported {} of {} rows in {:.2f} s ({:.0f} rows/s): {} were already there, {} rejected, "
      "{} filed under the general matter\n",
      report->imported, report->read, report->seconds,
      report->seconds > 0 ? static_cast<double>(report->read) / report->seconds : 0.0,
      report->skipped_existing, report->rejected, report->general_matter);
  for (const auto& [reason, n] : report->rejected_by_reason)
    fmt::print("  rejected, {}: {}\n", reason, n);
  if (auto cp = audit::Checkpoint(p.db(), p.key(), p.clock().Now()); !cp) return Report(cp.error());
  return 0;
}

}  // namespace
}  // namespace xietong::app

int main(int argc, char** argv) {
  using namespace xietong;
  using namespace xietong::app;
  spdlog::set_default_logger(spdlog::stderr_logger_mt("xietong"));

  CLI::App cli{
      "xietong 协同 — where a city's departments, streets and residents work on the same matters"};
  cli.require_subcommand(1);
  cli.set_config("--config", "", "read options from this TOML/INI file");
  PlatformOptions popts;
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--data-dir", popts.data_dir, "folder for the database, keys and logs")
        ->envname("XIETONG_DATA_DIR")
        ->capture_default_str();
    sub->add_option(
           "--database", popts.database,
           "database URL (default: SQLite in the data folder; postgresql://… for PostgreSQL)")
        ->envname("XIETONG_DATABASE");
    sub->add_option("--calendar", popts.calendar, "working-day calendar file (JSON)");
  };

  ServeOptions sopts;
  auto* serve = cli.add_subcommand("serve", "run the HTTP server");
  add_common(serve);
  serve->add_option("--listen", sopts.listen, "HOST:PORT")
      ->envname("XIETONG_LISTEN")
      ->capture_default_str();
  serve->add_option("--threads", sopts.threads,
                    "server threads (default: one per core, at least 2)");
  serve->add_option("--web-root", sopts.web_root, "folder of the web application");
  serve->add_option("--body-limit", sopts.body_limit, "largest request body in bytes")
      ->capture_default_str();
  serve
      ->add_option("--checkpoint-seconds", sopts.checkpoint_seconds,
                   "seconds between audit checkpoints")
      ->capture_default_str();
  serve->add_option("--access-log", sopts.access_log,
                    "JSON-lines access log file, or - for stdout");
  serve
      ->add_option("--public-url", sopts.public_url,
                   "how users reach this service (Open311 discovery; https:// sets the session "
                   "cookie's Secure flag)")
      ->envname("XIETONG_PUBLIC_URL");
  serve
      ->add_option("--metrics-token", sopts.metrics_token,
                   "bearer token for /metrics (default: /metrics on loopback only)")
      ->envname("XIETONG_METRICS_TOKEN");
  serve->add_option("--trusted-proxy", sopts.trusted_proxies,
                    "IP address of a reverse proxy in front (repeatable): its "
                    "X-Forwarded-For names the client for throttling and limits");

  std::string admin_password;
  auto* openapi = cli.add_subcommand(
      "openapi", "print the OpenAPI 3.1 document of the HTTP API (what serve answers)");
  add_common(openapi);
  auto* demo = cli.add_subcommand("demo", "create the fictional demo city (idempotent)");
  add_common(demo);
  demo->add_option("--admin-password", admin_password, "password for the account 'admin'")
      ->required();
  DemoHistoryOptions demo_history;
  demo->add_option("--history-days", demo_history.days,
                   "days of past requests (forecasts learn from them)")
      ->check(CLI::Range(30, 800))
      ->capture_default_str();
  demo->add_option("--history-per-day", demo_history.daily_mean, "past requests per ordinary day")
      ->check(CLI::Range(1, 5000))
      ->capture_default_str();

  auto* audit_cmd = cli.add_subcommand("audit", "the audit chain");
  audit_cmd->require_subcommand(1);
  int verify_threads = 2;
  auto* verify =
      audit_cmd->add_subcommand("verify", "check every event and checkpoint; exit 0 when intact");
  add_common(verify);
  verify->add_option("--threads", verify_threads, "worker threads")->capture_default_str();
  auto* checkpoint = audit_cmd->add_subcommand("checkpoint", "sign the current chain head now");
  add_common(checkpoint);
  RegisterAuditCommands(*audit_cmd, popts, add_common);  // export, public-key, verify-export

  std::string key_name;
  auto* apikey = cli.add_subcommand("apikey", "API keys for other systems");
  apikey->require_subcommand(1);
  auto* apikey_create =
      apikey->add_subcommand("create", "create a key; it is printed once, on the last line");
  add_common(apikey_create);
  apikey_create->add_option("--name", key_name, "the system that will use the key")->required();

  auto* migrate = cli.add_subcommand("migrate", "apply database migrations and exit");
  add_common(migrate);

  ImportOptions import_options;
  auto* import_cmd = cli.add_subcommand("import", "import past requests from other systems");
  import_cmd->require_subcommand(1);
  auto* import_us311 = import_cmd->add_subcommand(
      "us311", "requests in the us311 CSV layout (plain or gzip); re-running skips stored rows");
  add_common(import_us311);
  import_us311->add_option("files", import_options.files, "CSV files")
      ->required()
      ->check(CLI::ExistingFile);
  import_us311->add_option("--batch", import_options.batch, "rows per transaction")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  import_us311->add_option("--limit", import_options.limit, "read at most this many rows (0: all)")
      ->capture_default_str();

  RegisterTextCommands(cli);  // train, classify
  RegisterDuplicateCommands(cli);
  RegisterHotspotCommands(cli);
  RegisterWarningCommands(cli);  // warnings replay
  RegisterReplyCommands(cli);    // replies
  RegisterWorkflowCommands(cli, popts, add_common);
  RegisterPointsCommands(cli, popts, add_common);    // points verify-statement, check
  RegisterBudgetCommands(cli);                       // budgets verify-tally
  RegisterForecastCommands(cli, popts, add_common);  // forecast (issue 19)
  RegisterReportCommands(cli, popts, add_common);    // report monthly (issue 19)

  CLI11_PARSE(cli, argc, argv);

  if (serve->parsed()) return Serve(popts, sopts);
  if (openapi->parsed()) return PrintOpenApi(popts);
  if (demo->parsed()) return Demo(popts, admin_password, demo_history);
  if (verify->parsed()) return Verify(popts, verify_threads);
  if (import_us311->parsed()) return Import(popts, import_options);
  if (checkpoint->parsed() || apikey_create->parsed() || migrate->parsed()) {
    auto platform = Platform::Open(popts);
    if (!platform) return Report(platform.error());
    Platform& p = **platform;
    if (checkpoint->parsed()) {
      auto r = audit::Checkpoint(p.db(), p.key(), p.clock().Now());
      if (!r) return Report(r.error());
      fmt::print("{}\n", *r ? fmt::format("signed the chain head at event {}", **r)
                            : std::string("nothing new to sign"));
    } else if (apikey_create->parsed()) {
      auto key = p.identity().CreateApiKey(identity::Principal::System(), key_name);
      if (!key) return Report(key.error());
      fmt::print("API key for '{}' (shown only now; store it safely):\n{}\n", key_name, *key);
    } else {
      fmt::print("database schema is up to date ({})\n", p.db().Describe());
    }
    return 0;
  }
  return 0;
}
