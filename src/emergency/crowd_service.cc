// CrowdReportService: each command authorize → load → decide (crowd_report.h)
// → store (crowd_store.h) + one audit event, in one transaction.
#include "emergency/crowd_service.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "audit/audit_log.h"
#include "emergency/crowd_store.h"
#include "emergency/incident_store.h"
#include "emergency/resource_store.h"
#include "files/file_service.h"
#include "identity/authorization.h"
#include "text/utf8.h"

namespace xietong::emergency {
namespace {

using identity::Action;
using identity::Principal;
using storage::Executor;

constexpr std::string_view kAnonymousActor = "public";

Error NoIncident(std::string_view id) {
  return Error::NotFound(fmt::format("no incident '{}'", id.substr(0, 64)));
}
Error NoReport(std::string_view id) {
  return Error::NotFound(fmt::format("no report '{}' in this incident", id.substr(0, 64)));
}

bool Staff(const Principal& p) { return !p.is_system() && p.kind == identity::AccountKind::kStaff; }

// An operator taking calls (or another system's staff account) anywhere.
bool MayRecordForOthers(const Principal& p) {
  if (!Staff(p)) return false;
  return std::any_of(p.memberships.begin(), p.memberships.end(), [](const auto& m) {
    return identity::RoleAllows(m.role, Action::kRequestCreate);
  });
}

// The verified need a report becomes: 1 urgent … 4 low as needs count it.
int NeedPriority(ReportPriority p) {
  switch (p) {
    case ReportPriority::kCritical:
      return 1;
    case ReportPriority::kHigh:
      return 2;
    case ReportPriority::kNormal:
      return 3;
    case ReportPriority::kLow:
      return 4;
  }
  return 3;
}

NeedInput NeedOf(const CrowdReport& r) {
  NeedInput in;
  in.kind = std::string(NeedTypeName(r.need_type));
  in.title = text::FirstSentence(r.text, 60);
  if (in.title.empty()) in.title = std::string(NeedTypeNameZh(r.need_type));
  in.description = r.text;
  in.priority = NeedPriority(r.priority);
  in.quantity = std::max<std::int64_t>(1, r.count);
  in.unit_label = r.need_type == NeedType::kSupplies ? "份" : "人";
  in.place = r.place.address;
  if (r.place.lat && r.place.lng) in.location = GeoPoint{*r.place.lat, *r.place.lng};
  in.contact_name = r.contact_name;
  in.contact_phone = r.contact_phone;
  in.source_report_id = r.id;
  return in;
}

Result<void> CheckLimit(int limit) {
  if (limit < 1 || limit > CrowdReportService::kMaxPage)
    return Fail(Error::InvalidArgument(
                    fmt::format("'limit' must be between 1 and {}", CrowdReportService::kMaxPage))
                    .About("limit", "out_of_range"));
  return {};
}

}  // namespace

constexpr std::string_view kDuplicateConsumer = "emergency.crowd_duplicates";

// The recent reports of every incident in one text::DuplicateIndex, keyed by
// incident (the index's "place"): filled from the database on the
// reaction's first event (reports before it that are no duplicate), then
// fed by the reaction — each report it handles is added after it was
// compared unless it repeats an earlier one, so a flood of copies does not
// fill the index's buckets. When another node handled reports meanwhile
// (the consumer's lease moved), it is topped up from the database. Used by
// the reaction only, inside its transaction.
class CrowdReportService::RecentReports {
 public:
  explicit RecentReports(text::DuplicateOptions options) : options_(options) {}

  // The best report of r's incident received before r (by received_at, then
  // id) saying nearly the same, if any; false reports are never one. `seq`:
  // the event of r.
  Result<std::optional<text::DuplicateMatch>> Find(Executor& ex, const CrowdReport& r,
                                                   std::int64_t seq) {
    std::lock_guard lock(mutex_);
    XT_TRY_VOID(Load(ex, r.received_at, seq));
    if (!index_) return std::optional<text::DuplicateMatch>();
    auto prepared = index_->Prepare({r.id, r.text, r.incident_id, r.received_at});
    if (!prepared) return std::optional<text::DuplicateMatch>();  // nothing to compare
    for (const auto& m : index_->Query(*prepared, 8)) {
      XT_ASSIGN_OR_RETURN(auto earlier, store::FindReport(ex, m.id));
      if (!earlier || earlier->state == ReportState::kFalse ||
          earlier->incident_id != r.incident_id)
        continue;
      if (std::tie(earlier->received_at, earlier->id) < std::tie(r.received_at, r.id))
        return std::optional<text::DuplicateMatch>(m);
    }
    return std::optional<text::DuplicateMatch>();
  }
  void Add(const CrowdReport& r) {
    std::lock_guard lock(mutex_);
    if (!index_) return;
    (void)index_->Add({r.id, r.text, r.incident_id, r.received_at});
    loaded_until_ = std::max(loaded_until_, r.received_at);
  }

 private:
  // requires mutex_
  Result<void> Load(Executor& ex, Timestamp received_at, std::int64_t seq) {
    Timestamp since = 0;
    if (!index_) {
      if (unavailable_) return {};
      auto normalizer = text::Normalizer::Open();
      if (!normalizer) {
        unavailable_ = true;
        spdlog::warn("crowd report duplicates are off: {}", normalizer.error().message);
        return {};
      }
      index_ = std::make_unique<text::DuplicateIndex>(std::move(*normalizer), options_);
      since = received_at - options_.window_us;
    } else {
      // Did another node handle reports since the last event seen here?
      XT_ASSIGN_OR_RETURN(auto next, audit::EventsAfter(ex, last_seq_, kReceived, 1));
      const bool missed = !next.empty() && next.front().seq < seq;
      last_seq_ = seq;
      if (!missed) return {};
      since = loaded_until_ - kMicrosPerSecond;  // a second of overlap
    }
    last_seq_ = seq;
    constexpr int kBatch = 5000;
    for (;;) {
      XT_ASSIGN_OR_RETURN(auto rows, store::ReceivedSince(ex, since, kBatch));
      for (const auto& r : rows) {
        if (r.received_at > received_at) return {};  // not handled yet: its event comes
        (void)index_->Add({r.id, r.text, r.incident_id, r.received_at});
        loaded_until_ = std::max(loaded_until_, r.received_at);
      }
      if (rows.size() < static_cast<std::size_t>(kBatch) || rows.back().received_at == since) break;
      since = rows.back().received_at;
    }
    return {};
  }

  static constexpr std::string_view kReceived = "emergency.report.received";
  const text::DuplicateOptions options_;
  std::mutex mutex_;
  bool unavailable_ = false;                     // GUARDED_BY(mutex_)
  std::unique_ptr<text::DuplicateIndex> index_;  // GUARDED_BY(mutex_)
  Timestamp loaded_until_ = 0;                   // GUARDED_BY(mutex_)
  std::int64_t last_seq_ = 0;                    // GUARDED_BY(mutex_): the last event seen
};

CrowdReportService::CrowdReportService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                                       collab::CollabService& collab, CrowdReportOptions options)
    : db_(db),
      clock_(clock),
      ids_(ids),
      collab_(collab),
      options_(options),
      recent_(std::make_unique<RecentReports>(options.duplicates)) {}

CrowdReportService::~CrowdReportService() = default;

Result<Incident> CrowdReportService::LoadIncident(std::string_view incident_id) {
  XT_ASSIGN_OR_RETURN(auto incident,
                      db_.Read([&](Executor& ex) { return store::FindIncident(ex, incident_id); }));
  if (!incident) return Fail(NoIncident(incident_id));
  return std::move(*incident);
}

Result<void> CrowdReportService::CheckVerifier(const Principal& actor, const Incident& incident) {
  if (Staff(actor)) {
    if (identity::Can(actor, Action::kIncidentRespond, incident.unit_path)) return {};
    for (const auto& m : actor.memberships)  // a unit in the area
      if (m.unit_path.starts_with(incident.unit_path) &&
          identity::RoleAllows(m.role, Action::kIncidentRespond))
        return {};
    if (!incident.force_id.empty()) {
      auto force = collab_.GetForce(actor, incident.force_id);
      if (force && force->my_role) return {};
    }
  }
  return Fail(Error::PermissionDenied(
      "only the incident's command task force (指挥部) or staff responding to it may verify "
      "its crowd reports"));
}

Result<CrowdReport> CrowdReportService::Submit(const std::optional<Principal>& who,
                                               std::string_view incident_id,
                                               const NewCrowdReport& in,
                                               std::string_view idempotency_key) {
  XT_TRY_VOID(ValidateReport(in));
  if (idempotency_key.size() > kMaxIdempotencyKeyChars || json::FindInvalidUtf8(idempotency_key))
    return Fail(Error::InvalidArgument(fmt::format("'Idempotency-Key' is at most {} characters",
                                                   kMaxIdempotencyKeyChars))
                    .About("Idempotency-Key", "too_long"));
  // Another system's API key (Open311) records reports on the open311 channel.
  const bool api_client =
      who && who->via == Principal::Via::kApiKey && in.channel == ReportChannel::kOpen311;
  if (in.channel != ReportChannel::kWeb && !api_client && !(who && MayRecordForOthers(*who)))
    return Fail(Error::PermissionDenied(
        fmt::format("only an operator's account records a report from the {} channel",
                    ReportChannelName(in.channel))));
  if (!in.photo_ids.empty() && !who)
    return Fail(Error::InvalidArgument("field 'photo_ids': sign in to attach photos (uploads "
                                       "need an account); send the report without them")
                    .About("photo_ids", "sign_in"));
  const std::string fingerprint = ReportFingerprint(incident_id, in);
  auto replay = [&](Executor& ex, const store::KeyClaim& first) -> Result<CrowdReport> {
    if (first.fingerprint != fingerprint)
      return Fail(Error::Conflict("this Idempotency-Key was used for a different report; send a "
                                  "new key for a new report")
                      .About("Idempotency-Key", "reused"));
    XT_ASSIGN_OR_RETURN(auto r, store::FindReport(ex, first.report_id));
    if (!r) return Fail(Error::Internal("an idempotency key names a report that is gone"));
    return std::move(*r);
  };
  if (!idempotency_key.empty()) {  // a retry: the first answer, before any other work
    XT_ASSIGN_OR_RETURN(auto first, db_.Read([&](Executor& ex) {
      return store::FindReportKey(ex, incident_id, idempotency_key);
    }));
    if (first) return db_.Read([&](Executor& ex) { return replay(ex, *first); });
  }

  const Timestamp now = clock_.Now();
  CrowdReport r;
  r.id = ids_.Next();
  r.incident_id = std::string(incident_id);
  r.text = in.text;
  r.kind = in.kind;
  r.need_type = in.need_type;
  r.count = in.count;
  r.priority = in.priority;
  r.place = in.place;
  r.photo_ids = in.photo_ids;
  r.contact_name = in.contact_name;
  r.contact_phone = in.contact_phone;
  r.channel = in.channel;
  r.reporter_id = who ? who->account_id : "";
  r.received_at = now;
  r.queue_rank = QueueRank(false, r.priority);  // the duplicate reaction may lower it
  auto written = db_.Write([&](Executor& ex) -> Result<CrowdReport> {
    XT_ASSIGN_OR_RETURN(auto incident, store::FindIncident(ex, incident_id));
    if (!incident) return Fail(NoIncident(incident_id));
    if (incident->status != IncidentStatus::kActive)
      return Fail(Error::Conflict("this incident is closed; it takes no more reports"));
    if (!idempotency_key.empty()) {
      XT_ASSIGN_OR_RETURN(
          auto first, store::ClaimReportKey(ex, incident_id, idempotency_key, r.id, fingerprint));
      if (first) return replay(ex, *first);  // a concurrent retry committed first
    }
    XT_TRY_VOID(store::InsertReport(ex, r));
    if (!r.photo_ids.empty()) {
      XT_ASSIGN_OR_RETURN(auto attached, files::Attach(ex, r.reporter_id, r.photo_ids, r.id));
      (void)attached;
    }
    XT_TRY_VOID(audit::Append(ex, now,
                              {who ? who->account_id : std::string(kAnonymousActor),
                               "emergency.report.received",
                               r.id,
                               {{"incident_id", r.incident_id},
                                {"kind", ReportKindName(r.kind)},
                                {"need_type", NeedTypeName(r.need_type)},
                                {"count", r.count},
                                {"priority", ReportPriorityName(r.priority)},
                                {"channel", ReportChannelName(r.channel)},
                                {"photos", r.photo_ids.size()},
                                // what it said, provably, without the personal data in the chain
                                {"fingerprint", fingerprint}}}));
    return r;
  });
  return written;
}

audit::ConsumerOptions CrowdReportService::ConsumerOptions() {
  return {
      .name = std::string(kDuplicateConsumer), .action_prefix = "emergency.report.", .batch = 100};
}

Result<void> CrowdReportService::OnEvent(Executor& ex, const audit::Event& e) {
  if (e.action != "emergency.report.received") return {};
  XT_ASSIGN_OR_RETURN(auto r, store::FindReport(ex, e.subject));
  if (!r || r->state == ReportState::kFalse) return {};
  XT_ASSIGN_OR_RETURN(auto dup, recent_->Find(ex, *r, e.seq));
  // Only the first of its kind is indexed: a later copy is found through it,
  // and a flood of copies does not fill the index's buckets (each query
  // would compare with all of them).
  if (!dup && r->duplicate_of.empty() && r->state != ReportState::kDuplicate) recent_->Add(*r);
  // A verdict given before the reaction came is the verifier's word.
  if (!dup || r->state != ReportState::kUnverified || !r->duplicate_of.empty()) return {};
  r->duplicate_of = dup->id;
  r->duplicate_score = dup->score;
  r->queue_rank = QueueRank(true, r->priority);
  XT_ASSIGN_OR_RETURN(const bool marked, store::MarkCandidate(ex, *r));
  if (!marked) return {};
  XT_TRY_VOID(audit::Append(ex, clock_.Now(),
                            {"system",
                             "emergency.report.candidate",
                             r->id,
                             {{"incident_id", r->incident_id},
                              {"duplicate_of", r->duplicate_of},
                              {"score", r->duplicate_score}}}));
  return {};
}

Result<ReportList> CrowdReportService::List(const Principal& actor, std::string_view incident_id,
                                            ReportState state, std::string_view cursor, int limit) {
  XT_TRY_VOID(CheckLimit(limit));
  XT_ASSIGN_OR_RETURN(auto incident, LoadIncident(incident_id));
  XT_TRY_VOID(CheckVerifier(actor, incident));
  return db_.Read([&](Executor& ex) -> Result<ReportList> {
    ReportList out;
    XT_ASSIGN_OR_RETURN(out.items, store::ReportPage(ex, {std::string(incident_id), state,
                                                          std::string(cursor), limit + 1}));
    if (out.items.size() > static_cast<std::size_t>(limit)) {
      out.items.resize(static_cast<std::size_t>(limit));
      out.next_cursor = store::CursorOf(out.items.back());
    }
    XT_ASSIGN_OR_RETURN(auto counts, store::CountByState(ex, incident_id));
    out.unverified = counts[0];
    out.verified = counts[1];
    out.duplicate = counts[2];
    out.rejected = counts[3];
    return out;
  });
}

Result<CrowdReport> CrowdReportService::Get(const Principal& actor, std::string_view incident_id,
                                            std::string_view report_id) {
  XT_ASSIGN_OR_RETURN(auto incident, LoadIncident(incident_id));
  XT_TRY_VOID(CheckVerifier(actor, incident));
  XT_ASSIGN_OR_RETURN(auto r,
                      db_.Read([&](Executor& ex) { return store::FindReport(ex, report_id); }));
  if (!r || r->incident_id != incident_id) return Fail(NoReport(report_id));
  return std::move(*r);
}

Result<CrowdReport> CrowdReportService::Verify(const Principal& actor, std::string_view incident_id,
                                               std::string_view report_id, const Verdict& v) {
  if (v.note.size() > kMaxVerdictNoteChars * 4 || json::FindInvalidUtf8(v.note))
    return Fail(Error::InvalidArgument("field 'note': at most 500 characters of UTF-8"));
  XT_ASSIGN_OR_RETURN(auto loaded, LoadIncident(incident_id));
  XT_TRY_VOID(CheckVerifier(actor, loaded));
  const Timestamp now = clock_.Now();
  return db_.Write([&](Executor& ex) -> Result<CrowdReport> {
    XT_ASSIGN_OR_RETURN(auto incident, store::FindIncident(ex, incident_id));
    if (!incident) return Fail(NoIncident(incident_id));
    XT_ASSIGN_OR_RETURN(auto r, store::FindReport(ex, report_id));
    if (!r || r->incident_id != incident_id) return Fail(NoReport(report_id));
    const std::string& of = v.duplicate_of.empty() ? r->duplicate_of : v.duplicate_of;
    std::optional<CrowdReport> original;
    if (v.state == ReportState::kDuplicate && !of.empty()) {
      XT_ASSIGN_OR_RETURN(original, store::FindReport(ex, of));
    }
    XT_ASSIGN_OR_RETURN(auto d, DecideVerdict(*r, v, original));
    if (d.unchanged) return std::move(*r);
    XT_TRY_VOID(RequireActive(*incident));
    CrowdReport changed = *r;
    changed.state = d.state;
    // An unconfirmed candidate is cleared by a verdict other than duplicate.
    changed.duplicate_of = d.duplicate_of;
    changed.verified_by = actor.account_id;
    changed.verdict_note = v.note;
    changed.verified_at = now;
    if (d.creates_need) {
      const NeedInput need_in = NeedOf(changed);
      XT_TRY_VOID(ValidateNeed(need_in));
      Need need = MakeNeed(need_in, ids_.Next(), changed.incident_id, actor.account_id, now);
      XT_ASSIGN_OR_RETURN(auto stored, store::InsertNeed(ex, need, actor.display_name));
      changed.need_id = stored.id;
    }
    XT_ASSIGN_OR_RETURN(const bool set, store::SetVerdict(ex, changed));
    if (!set)
      return Fail(Error::Conflict("another verifier gave this report a verdict just now; reload"));
    json::Json payload = {
        {"incident_id", changed.incident_id},   {"verdict", ReportStateName(changed.state)},
        {"duplicate_of", changed.duplicate_of}, {"note", changed.verdict_note},
        {"need_id", changed.need_id},           {"unit_path", incident->unit_path}};
    // The reporter is named only for a signed-in person reporting for themself on the web: an
    // operator's phone record or an Open311 client never earns the recorder participation points
    // (participation's report_verified reads the earner and the commanding unit from here).
    if (changed.channel == ReportChannel::kWeb && !changed.reporter_id.empty())
      payload["reporter_id"] = changed.reporter_id;
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "emergency.report.verified", changed.id, std::move(payload)}));
    return changed;
  });
}

Result<std::vector<PublicReport>> CrowdReportService::PublicReports(std::string_view incident_id,
                                                                    int limit) {
  XT_TRY_VOID(CheckLimit(limit));
  return db_.Read([&](Executor& ex) -> Result<std::vector<PublicReport>> {
    XT_ASSIGN_OR_RETURN(auto incident, store::FindIncident(ex, incident_id));
    if (!incident) return Fail(NoIncident(incident_id));
    XT_ASSIGN_OR_RETURN(auto page, store::ReportPage(ex, {std::string(incident_id),
                                                          ReportState::kVerified, "", limit}));
    std::vector<PublicReport> out;
    out.reserve(page.size());
    for (const auto& r : page) out.push_back(PublicOf(r));
    return out;
  });
}

Result<std::vector<MapPoint>> CrowdReportService::MapLayer(std::string_view incident_id) {
  XT_ASSIGN_OR_RETURN(auto reports, PublicReports(incident_id, kMaxPage));
  std::vector<MapPoint> out;
  for (const auto& p : reports) {
    if (!p.lat || !p.lng) continue;
    MapPoint m;
    m.id = p.id;
    m.kind = p.kind == ReportKind::kNeed ? "need" : "situation";
    m.title = text::FirstSentence(p.text, 40);
    m.status = "verified";
    m.location = {*p.lat, *p.lng};
    m.properties = {{"text", p.text},
                    {"need_type", NeedTypeName(p.need_type)},
                    {"count", p.count},
                    {"received_at", p.received_at},
                    {"verified_at", p.verified_at}};
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace xietong::emergency
