// RequestService's queries: what a request looks like to whoever reads it
// (detail, list, timeline, public tracking), the figures (ranking, trend,
// grids) and the reads other modules make on the system's behalf. The
// commands are in request_service.cc.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "files/file_service.h"
#include "identity/authorization.h"
#include "requests/request_service.h"
#include "requests/request_store.h"

namespace xietong::requests {
namespace {

using identity::Action;
using identity::Can;
using identity::Principal;
using identity::UnitKind;
using storage::Executor;

// The level at which requests record place_id, from its kind.
Result<PlaceLevel> PlaceLevelOf(const Directory& dir, std::string_view place_id) {
  const identity::OrgUnit* unit = dir.Find(place_id);
  if (!unit)
    return Fail(Error::InvalidArgument(fmt::format("'place_id' {} is not a unit", place_id))
                    .About("place_id", "unknown"));
  switch (unit->kind) {
    case UnitKind::kGrid:
      return PlaceLevel::kGrid;
    case UnitKind::kCommunity:
      return PlaceLevel::kCommunity;
    case UnitKind::kStreet:
    case UnitKind::kTownship:
      return PlaceLevel::kStreet;
    case UnitKind::kDistrict:
      return PlaceLevel::kDistrict;
    default:
      return Fail(Error::InvalidArgument(
                      fmt::format("'place_id' names {}, a {}; give a grid, community, street, "
                                  "township or district",
                                  unit->name, identity::UnitKindName(unit->kind)))
                      .About("place_id", "not_a_place"));
  }
}

}  // namespace

// --- queries ------------------------------------------------------------------

Result<Detail> RequestService::Get(const Principal& actor, std::string_view id_or_number,
                                   bool reveal_contact) {
  auto load = [&](Executor& ex) -> Result<Detail> {
    XT_ASSIGN_OR_RETURN(auto found, store::FindByIdOrNumber(ex, id_or_number));
    if (!found)
      return Fail(Error::NotFound(fmt::format("no request with id or number '{}'", id_or_number)));
    Detail d;
    d.request = std::move(*found);
    XT_ASSIGN_OR_RETURN(d.summonses, store::SummonsOf(ex, d.request.id));
    if (!actor.is_system() && !MayRead(actor, d.request, d.summonses))
      return Fail(Error::PermissionDenied(
          fmt::format("request {} is not in your units' work", d.request.number)));
    XT_ASSIGN_OR_RETURN(d.merged, store::Children(ex, d.request.id));
    if (!StaffMayRead(actor, d.request, d.summonses)) {
      // The resident who filed it sees which departments came, not who summoned them or why.
      for (auto& s : d.summonses) {
        s.summoned_by.clear();
        s.reason.clear();
        s.report.clear();
      }
      ShowToResident(d.request);
    }
    const Timestamp now = clock_.Now();
    for (Command c : Allowed(d.request, now))
      if (actor.is_system() || Authorize(actor, d.request, c, d.summonses)) d.allowed.push_back(c);
    if (d.request.replied_at > 0 && !d.request.reply.empty() &&
        (actor.is_system() || IsStaffOf(actor, Action::kRequestSupervise, d.request.centre_path) ||
         IsStaffOf(actor, Action::kStatsRead, d.request.centre_path)))
      d.reply_quality = ScoreReply(d.request);
    return d;
  };
  if (!reveal_contact) return db_.Read(load);
  // Showing the contact unmasked is for the centre that calls back, and is recorded.
  return db_.Write([&](Executor& ex) -> Result<Detail> {
    XT_ASSIGN_OR_RETURN(auto d, load(ex));
    if (!actor.is_system() && !IsStaffOf(actor, Action::kRequestDispatch, d.request.centre_path))
      return Fail(Error::PermissionDenied("only the centre's staff see the caller's full number"));
    XT_TRY_VOID(audit::Append(ex, clock_.Now(),
                              {actor.account_id,
                               "request.contact_revealed",
                               d.request.id,
                               {{"number", d.request.number}}}));
    d.contact_revealed = true;
    return d;
  });
}

std::optional<text::ReplyQuality> RequestService::ScoreReply(const Request& r) {
  std::shared_ptr<const text::ReplyScorer> scorer;
  {
    std::lock_guard lock(reply_scorer_mutex_);
    if (!reply_scorer_ && !reply_scorer_unavailable_) {
      auto created = [&]() -> Result<std::shared_ptr<const text::ReplyScorer>> {
        XT_ASSIGN_OR_RETURN(auto normalizer, text::Normalizer::Open());
        return text::ReplyScorer::Create(std::move(normalizer), {.calendar = &calendar_});
      }();
      if (created) {
        reply_scorer_ = *created;
      } else {
        reply_scorer_unavailable_ = true;
        spdlog::warn("reply quality is off: {}", created.error().message);
      }
    }
    scorer = reply_scorer_;
  }
  if (!scorer) return std::nullopt;
  // Measured against the request's own deadline when it has one.
  auto q = scorer->Score({r.title, r.text, r.reply, r.received_at,
                          std::max(r.replied_at, r.received_at), r.finish_due});
  if (!q) return std::nullopt;
  return std::move(*q);
}

Result<files::File> RequestService::Attachment(const Principal& actor,
                                               std::string_view id_or_number,
                                               std::string_view file_id) {
  XT_ASSIGN_OR_RETURN(auto d, Get(actor, id_or_number, false));
  return db_.Read([&](Executor& ex) { return files::ReadAttached(ex, file_id, d.request.id); });
}

Result<RequestPage> RequestService::List(const Principal& actor, const ListFilter& f) {
  store::ListQuery q;
  if (actor.is_system()) {
    q.scope.everything = true;
  } else {
    for (const auto& m : actor.memberships) {
      if (!identity::RoleAllows(m.role, Action::kRequestRead)) continue;
      const bool at_root = m.unit_path.find('/', 1) == m.unit_path.size() - 1;
      if (at_root) q.scope.everything = true;
      q.scope.unit_paths.push_back(m.unit_path);
      q.scope.centre_paths.push_back(m.unit_path);
      q.scope.summoned_paths.push_back(m.unit_path);
    }
    if (actor.kind == identity::AccountKind::kResident) q.scope.requester_id = actor.account_id;
  }
  q.statuses = f.statuses;
  if (!f.matter_id.empty()) {
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    const matters::Matter* m = catalog->Find(f.matter_id);
    if (!m)
      return Fail(
          Error::InvalidArgument(fmt::format("'matter_id' {} is not a category", f.matter_id)));
    if (m->level == 3) {
      q.matter_id = m->id;
    } else {
      for (const matters::Matter* leaf : catalog->Leaves())
        if (leaf->code.starts_with(m->code + "-")) q.matter_ids.push_back(leaf->id);
      if (q.matter_ids.empty()) q.matter_ids.push_back("-");
    }
  }
  q.unit_id = f.unit_id;
  if (!f.place_id.empty()) {
    XT_ASSIGN_OR_RETURN(auto dir, directory());
    XT_ASSIGN_OR_RETURN(q.place_level, PlaceLevelOf(*dir, f.place_id));
    q.place_id = f.place_id;
  }
  if (f.ids.size() > kMaxListIds)
    return Fail(Error::InvalidArgument(fmt::format("'ids' names at most {} requests, not {}",
                                                   kMaxListIds, f.ids.size()))
                    .About("ids", "too_long"));
  q.ids = f.ids;
  q.received_from = f.received_from;
  q.received_to = f.received_to;
  q.finish_due_before = f.due_before;
  q.late_only = f.late_only;
  q.warned_only = f.warned_only;
  q.extension_pending = f.extension_pending;
  q.return_pending = f.return_pending;
  q.search = f.search;
  if (json::CountCodePoints(q.search) > 100)
    return Fail(Error::InvalidArgument("'q' (search) has more than 100 characters"));
  q.before_id = f.cursor;
  q.limit = std::clamp(f.limit, 1, 500);
  // A common word matches a good part of the city's requests: counting them
  // all would cost more than finding the page, and "1,000+" says enough.
  if (!q.search.empty()) q.count_limit = kSearchCountLimit;
  return db_.Read([&](Executor& ex) -> Result<RequestPage> {
    RequestPage page;
    XT_ASSIGN_OR_RETURN(page.items, store::List(ex, q));
    if (actor.kind == identity::AccountKind::kResident)
      for (auto& r : page.items) ShowToResident(r);
    else if (!actor.is_system())
      for (const auto& r : page.items)
        if (!IsStaffOf(actor, Action::kRequestRead, r.unit_path) &&
            !IsStaffOf(actor, Action::kRequestRead, r.centre_path))
          page.summoned_ids.insert(r.id);
    XT_ASSIGN_OR_RETURN(page.total, store::Count(ex, q));
    if (q.count_limit > 0 && page.total > q.count_limit) {
      page.total = q.count_limit;
      page.total_capped = true;
    }
    if (static_cast<int>(page.items.size()) == q.limit) page.next_cursor = page.items.back().id;
    return page;
  });
}

Result<RequestService::ExportList> RequestService::ListForExport(const Principal& actor,
                                                                 ListFilter filter, int max_rows) {
  ExportList out;
  filter.limit = 500;
  filter.cursor.clear();
  while (true) {
    XT_ASSIGN_OR_RETURN(auto page, List(actor, filter));
    for (auto& r : page.items) {
      if (static_cast<int>(out.items.size()) == max_rows) {
        out.truncated = true;
        return out;
      }
      out.items.push_back(std::move(r));
    }
    if (!page.next_cursor) return out;
    filter.cursor = *page.next_cursor;
  }
}

Result<SupervisionQueues> RequestService::Supervision(const Principal& actor, int limit) {
  SupervisionQueues out;
  const std::pair<std::vector<Request> SupervisionQueues::*, bool ListFilter::*> queues[] = {
      {&SupervisionQueues::overdue, &ListFilter::late_only},
      {&SupervisionQueues::warned, &ListFilter::warned_only},
      {&SupervisionQueues::extensions, &ListFilter::extension_pending},
      {&SupervisionQueues::returns, &ListFilter::return_pending}};
  for (const auto& [queue, flag] : queues) {
    ListFilter f;
    const auto open = OpenStatuses();
    f.statuses.assign(open.begin(), open.end());
    f.*flag = true;
    f.limit = limit;
    XT_ASSIGN_OR_RETURN(auto page, List(actor, f));
    out.*queue = std::move(page.items);
  }
  return out;
}

Result<std::vector<audit::Event>> RequestService::Timeline(const Principal& actor,
                                                           std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto d, Get(actor, id));
  XT_ASSIGN_OR_RETURN(auto events,
                      db_.Read([&](Executor& ex) { return audit::EventsFor(ex, d.request.id); }));
  if (StaffMayRead(actor, d.request, d.summonses)) return events;
  for (auto& e : events) ShowToResident(e);
  return events;
}

Result<std::optional<RequestService::ReaderCheck>> RequestService::ReaderTest(std::string_view id) {
  return db_.Read([&](Executor& ex) -> Result<std::optional<ReaderCheck>> {
    XT_ASSIGN_OR_RETURN(auto found, store::Find(ex, id));
    if (!found) return std::nullopt;
    XT_ASSIGN_OR_RETURN(auto summonses, store::SummonsOf(ex, found->id));
    return ReaderCheck([this, r = std::move(*found), s = std::move(summonses)](const Principal& p) {
      return MayRead(p, r, s);
    });
  });
}

Result<Tracking> RequestService::Track(std::string_view number, std::string_view phone_last4,
                                       std::string_view client) {
  const Timestamp now = clock_.Now();
  const Timestamp stale = now - kTrackLockout;  // a count started then or earlier is over
  // Four budgets: this number from this client (the owner elsewhere is not
  // locked out by a stranger), this client over every number (one guess per
  // sequential number), this number from everywhere, and everything.
  struct Budget {
    std::string key;
    int most;
    std::string_view refusal;
  };
  const Budget budgets[] = {
      {fmt::format("n:{}|{}", number, client), kTrackFailures,
       "too many wrong tries for this number; try again in 15 minutes"},
      {fmt::format("c:{}", client), kTrackClientFailures,
       "too many wrong tries from your address; try again in 15 minutes"},
      {fmt::format("n:{}", number), kTrackNumberFailures,
       "too many wrong tries for this number; try again in 15 minutes"},
      {"*", kTrackOverallFailures,
       "tracking is refused for a while after too many wrong tries; "
       "try again in 15 minutes or call 12345"},
  };
  // nullopt: a wrong guess (an unknown number counts too, so probing is throttled alike).
  XT_ASSIGN_OR_RETURN(auto found, db_.Read([&](Executor& ex) -> Result<std::optional<Tracking>> {
    for (const Budget& b : budgets) {
      XT_ASSIGN_OR_RETURN(auto throttle, store::GetTrackThrottle(ex, b.key));
      if (throttle.failures >= b.most && throttle.since > stale)
        return Fail(Error::TooManyRequests(std::string(b.refusal)));
    }
    if (phone_last4.size() != 4 || !std::all_of(phone_last4.begin(), phone_last4.end(),
                                                [](char c) { return c >= '0' && c <= '9'; }))
      return Fail(Error::InvalidArgument("'phone_last4' must be the last 4 digits of the phone"));
    XT_ASSIGN_OR_RETURN(auto r, store::FindByNumber(ex, number));
    if (!r || r->contact_phone.size() < 4 || !r->contact_phone.ends_with(phone_last4))
      return std::optional<Tracking>{};
    Tracking t;
    t.request = std::move(*r);
    XT_ASSIGN_OR_RETURN(auto events, audit::EventsFor(ex, t.request.id));
    for (auto& e : events) {
      ShowToResident(e);
      t.timeline.push_back(std::move(e));
    }
    return std::optional<Tracking>{std::move(t)};
  }));
  if (found) return std::move(*found);
  // What can never be a number (yyyymmdd and a counter) is not worth a row.
  const bool plausible =
      number.size() <= 20 &&
      std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (plausible) {
    std::vector<std::string> keys;
    for (const Budget& b : budgets) keys.push_back(b.key);
    XT_TRY_VOID(db_.Write(
        [&](Executor& ex) { return store::AddTrackFailure(ex, keys, now, stale, kTrackPrune); }));
  }
  return Fail(Error::NotFound("no request matches this number and phone"));
}

std::string_view UnitKindZh(identity::UnitKind kind) {
  using identity::UnitKind;
  switch (kind) {
    case UnitKind::kCity:
      return "市";
    case UnitKind::kDistrict:
      return "区";
    case UnitKind::kStreet:
      return "街道";
    case UnitKind::kTownship:
      return "乡镇";
    case UnitKind::kCommunity:
      return "社区";
    case UnitKind::kGrid:
      return "网格";
    case UnitKind::kDepartment:
      return "部门";
    case UnitKind::kCentre:
      return "热线中心";
    case UnitKind::kOrganisation:
      return "社会组织";
  }
  return "";
}

Result<std::string> RequestService::FiguresPath(const Principal& actor, std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(auto dir, directory());
  std::string path;
  if (!unit_id.empty()) {
    const identity::OrgUnit* unit = dir->Find(unit_id);
    if (!unit)
      return Fail(Error::InvalidArgument(fmt::format("'unit_id' {} is not a unit", unit_id)));
    path = unit->path;
  }
  if (!actor.is_system() && !Can(actor, Action::kStatsRead, path))
    return Fail(Error::PermissionDenied(
        path.empty() ? "the city-wide figures are for leaders, supervisors and administrators"
                     : "a unit's figures are shown to leaders and leads of the unit or above it"));
  return path;
}

Result<std::vector<RankedUnit>> RequestService::Ranking(const Principal& actor,
                                                        const RankingRequest& in) {
  XT_ASSIGN_OR_RETURN(auto dir, directory());
  using identity::UnitKind;
  rates::RankingQuery q;
  q.from_month = in.from_month;
  q.to_month = in.to_month;
  q.weights = in.weights.value_or(options_.weights);
  XT_ASSIGN_OR_RETURN(const std::string path, FiguresPath(actor, in.unit_id));
  if (!path.empty()) q.under_path = path;
  if (!in.kind.empty()) {
    std::vector<UnitKind> kinds;
    if (in.kind == "street")
      kinds = {UnitKind::kStreet, UnitKind::kTownship};
    else if (in.kind == "department")
      kinds = {UnitKind::kDepartment};
    else
      return Fail(Error::InvalidArgument(
          fmt::format("'kind' must be street or department, not '{}'", in.kind)));
    for (UnitKind k : kinds)
      for (const identity::OrgUnit* u : dir->OfKind(k))
        if (u->path.starts_with(path)) q.unit_ids.push_back(u->id);
    if (q.unit_ids.empty()) return std::vector<RankedUnit>{};
  }
  XT_ASSIGN_OR_RETURN(auto ranked, db_.Read([&](Executor& ex) { return rates::Ranking(ex, q); }));
  std::vector<RankedUnit> out;
  out.reserve(ranked.size());
  for (auto& r : ranked) {
    const identity::OrgUnit* u = dir->Find(r.unit_id);
    RankedUnit ru;
    ru.unit_name = u ? u->name : r.unit_id;
    ru.kind = u ? u->kind : UnitKind::kDepartment;
    ru.rates = std::move(r);
    out.push_back(std::move(ru));
  }
  return out;
}

Result<std::vector<std::pair<std::string, rates::UnitRates>>> RequestService::Trend(
    const Principal& actor, const TrendRequest& in) {
  XT_ASSIGN_OR_RETURN(const std::string path, FiguresPath(actor, in.unit_id));
  return db_.Read([&](Executor& ex) {
    return rates::SubtreeTrend(ex, path, in.from_month, in.to_month, options_.weights);
  });
}

Result<std::vector<std::pair<std::string, std::int64_t>>> RequestService::PlaceCounts(
    const Principal& actor, PlaceLevel level, Timestamp from, Timestamp to,
    std::string_view unit_id) {
  XT_ASSIGN_OR_RETURN(const std::string path, FiguresPath(actor, unit_id));
  if (to <= from) return Fail(Error::InvalidArgument("'to' must be after 'from'"));
  return db_.Read([&](Executor& ex) { return store::CountByPlace(ex, level, from, to, path); });
}

Result<int> RequestService::IndexUnsearchable() {
  XT_ASSIGN_OR_RETURN(const std::int64_t before,
                      db_.Read([](Executor& ex) { return store::CountUnsearchable(ex); }));
  if (before == 0) return 0;
  std::string after;
  do {
    XT_ASSIGN_OR_RETURN(
        after, db_.Write([&](Executor& ex) { return store::IndexUnsearchable(ex, after, 1000); }));
  } while (!after.empty());
  return static_cast<int>(before);
}

// --- reads for tools and other modules ----------------------------------------

Result<std::vector<ReceivedText>> RequestService::ReceivedTexts(Timestamp from, Timestamp to,
                                                                std::string_view under_path,
                                                                int limit) {
  return db_.Read(
      [&](storage::Executor& ex) { return store::ReceivedTexts(ex, from, to, under_path, limit); });
}

Result<std::vector<DailyCount>> RequestService::DailyCounts(Timestamp from, Timestamp to) {
  return db_.Read([&](storage::Executor& ex) { return store::DailyCounts(ex, from, to); });
}

Result<std::vector<SlotCount>> RequestService::HalfHourCounts(Timestamp from, Timestamp to,
                                                              Channel channel) {
  return db_.Read([&](storage::Executor& ex) {
    return store::HalfHourCounts(ex, from, to, ChannelName(channel));
  });
}

Result<std::vector<OpenItem>> RequestService::OpenWork(std::string_view under_path) {
  return db_.Read([&](storage::Executor& ex) { return store::OpenWork(ex, under_path); });
}

Result<std::vector<UnitWeekCount>> RequestService::RepliedByUnitWeek(Timestamp from, Timestamp to) {
  return db_.Read([&](storage::Executor& ex) { return store::RepliedByUnitWeek(ex, from, to); });
}

Result<std::vector<UnitCount>> RequestService::OpenLateByUnit(std::string_view month) {
  XT_ASSIGN_OR_RETURN(const auto span, MonthSpan(month));
  return db_.Read(
      [&](storage::Executor& ex) { return store::OpenLateByUnit(ex, span.first, span.second); });
}

Result<std::unordered_set<std::string>> RequestService::ExternalIds(Channel channel) {
  XT_ASSIGN_OR_RETURN(auto ids, db_.Read([&](storage::Executor& ex) {
    return store::ExternalIds(ex, ChannelName(channel));
  }));
  return std::unordered_set<std::string>(std::make_move_iterator(ids.begin()),
                                         std::make_move_iterator(ids.end()));
}

Result<std::int64_t> RequestService::CountExternalIdPrefix(std::string_view prefix) {
  return db_.Read([&](storage::Executor& ex) { return store::CountExternalIdPrefix(ex, prefix); });
}

Result<std::optional<Request>> RequestService::FindByExternalId(std::string_view external_id) {
  return db_.Read([&](storage::Executor& ex) { return store::FindByExternalId(ex, external_id); });
}

}  // namespace xietong::requests
