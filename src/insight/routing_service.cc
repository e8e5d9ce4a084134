#include "insight/routing_service.h"

#include <fmt/core.h>

#include <cmath>
#include <map>
#include <span>
#include <vector>

#include "core/json.h"
#include "identity/authorization.h"
#include "insight/routing_store.h"
#include "requests/request.h"
#include "text/corpus.h"

namespace xietong::insight {
namespace {
constexpr std::string_view kKind = "routing";

// A decided request: its words and its final leaf's code (the label).
struct Sample {
  std::string title, text, code;
  Timestamp decided_at = 0;
};

Result<void> MayManageModels(const identity::Principal& actor) {
  if (!identity::Can(actor, identity::Action::kInsightManage, "") ||
      !identity::Can(actor, identity::Action::kMatterManage, ""))
    return Fail(
        Error::PermissionDenied("only the city's administrators train and activate the "
                                "routing model"));
  return {};
}

Result<text::Classifier> TrainOn(const std::shared_ptr<const text::Normalizer>& normalizer,
                                 std::span<const Sample* const> samples) {
  const text::ClassifierOptions options;
  const text::FeatureExtractor extractor(options.features);
  std::vector<text::PreparedDocument> docs;
  std::vector<int> y;
  std::vector<std::string> labels;
  std::map<std::string, int> index;
  for (const Sample* s : samples) {
    const std::string fields[] = {s->title, s->text};
    auto doc = text::Prepare(*normalizer, extractor, fields);
    if (!doc) continue;  // no words to learn from
    auto [it, fresh] = index.try_emplace(s->code, static_cast<int>(labels.size()));
    if (fresh) labels.push_back(s->code);
    docs.push_back(std::move(*doc));
    y.push_back(it->second);
  }
  if (docs.size() < 20 || labels.size() < 2)
    return Fail(Error::Conflict(
        fmt::format("{} decided requests in {} categories; training needs at least 20 in two",
                    docs.size(), labels.size())));
  return text::Classifier::Train(normalizer, {labels, docs, y, {}, {}, {}}, options);
}

HoldoutScore ScoreOn(const text::Classifier& model, std::span<const Sample* const> holdout) {
  std::vector<HoldoutCase> cases;
  cases.reserve(holdout.size());
  for (const Sample* s : holdout) {
    HoldoutCase c{.truth = s->code};
    const std::string fields[] = {s->title, s->text};
    if (auto choices = model.Predict(fields, 3)) {
      std::string* slots[] = {&c.s1, &c.s2, &c.s3};
      for (std::size_t i = 0; i < choices->size() && i < 3; ++i) *slots[i] = (*choices)[i].label;
    }
    cases.push_back(std::move(c));
  }
  return ScoreHoldout(cases);
}

json::Json ScoreJson(const HoldoutScore& s) {
  auto r4 = [](double v) { return std::round(v * 1e4) / 1e4; };
  return {{"n", s.n}, {"top1", r4(s.top1)}, {"top3", r4(s.top3)}, {"macro_f1", r4(s.macro_f1)}};
}

std::string TextOf(const json::Json& j, std::string_view key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

RoutingService::RoutingService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                               requests::RequestService& requests, matters::MatterService& matters)
    : db_(db), clock_(clock), ids_(ids), requests_(requests), matters_(matters) {}

audit::ConsumerOptions RoutingService::ConsumerOptions() {
  return {.name = "insight.intake", .action_prefix = "request.", .start_at_head = false};
}

Result<void> RoutingService::OnEvent(storage::Executor& ex, const audit::Event& e) {
  const bool received = e.action == "request.received";
  if (!received && e.action != "request.dispatched" && e.action != "request.transferred" &&
      e.action != "request.reopened")
    return {};
  const auto p = json::Json::parse(e.payload, nullptr, false);
  if (!p.is_object()) return {};
  if (!received) {
    if (!p.contains("matter_id")) return {};  // the category did not change
    const std::string final_id = TextOf(p, "matter_id");
    if (final_id.empty()) return {};
    return store::UpdateFinal(ex, e.subject, final_id, !TextOf(p, "from_matter_id").empty(), e.at);
  }
  IntakeDecision d;
  d.request_id = e.subject;
  d.received_at = e.at;
  d.channel = TextOf(p, "channel");
  d.suggested_by = TextOf(p, "suggested_by");
  d.model_version = TextOf(p, "model_version");
  if (const auto s = p.find("suggestions"); s != p.end() && s->is_array()) {
    std::string* slots[] = {&d.s1, &d.s2, &d.s3};
    std::size_t i = 0;
    for (const auto& one : *s) {
      if (i == 3) break;
      if (!one.is_object()) continue;
      *slots[i] = TextOf(one, "matter_id");
      if (i == 0) {
        const auto c = one.find("confidence");
        d.c1 = c != one.end() && c->is_number() ? c->get<double>() : 0.0;
      }
      ++i;
    }
  }
  d.chosen_matter_id = TextOf(p, "matter_id");
  d.final_matter_id = d.chosen_matter_id;
  if (const auto a = p.find("auto_routed"); a != p.end() && a->is_boolean())
    d.auto_routed = a->get<bool>();
  if (const auto s = p.find("intake_seconds"); s != p.end() && s->is_number_integer())
    d.intake_seconds = s->get<std::int64_t>();
  d.updated_at = e.at;
  return store::InsertDecision(ex, d);
}

Result<RoutingAccuracyReport> RoutingService::Accuracy(const identity::Principal& actor,
                                                       std::string_view month) {
  XT_ASSIGN_OR_RETURN(const auto span, requests::MonthSpan(month, "month"));
  if (!identity::Can(actor, identity::Action::kInsightManage, ""))
    return Fail(Error::PermissionDenied(
        "only the city's administrators and leaders see the routing model's accuracy"));
  XT_ASSIGN_OR_RETURN(auto decisions, db_.Read([&](storage::Executor& ex) {
    return store::DecisionsReceived(ex, span.first, span.second);
  }));
  XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
  const MatterLookup lookup = [&catalog](std::string_view id) -> std::optional<MatterNames> {
    const matters::Matter* m = catalog->Find(id);
    if (!m) return std::nullopt;
    MatterNames n{.name = m->name};
    const matters::Matter* top = m;
    while (top->parent_id) {
      const matters::Matter* up = catalog->Find(*top->parent_id);
      if (!up) break;
      top = up;
    }
    if (top->level == 1) {
      n.level1_id = top->id;
      n.level1_name = top->name;
    }
    return n;
  };
  return RoutingAccuracyReport{.month = std::string(month),
                               .accuracy = ComputeRoutingAccuracy(decisions, lookup)};
}

Result<std::shared_ptr<const text::Normalizer>> RoutingService::OpenNormalizer() {
  std::lock_guard lock(mutex_);
  if (!normalizer_) {
    XT_ASSIGN_OR_RETURN(normalizer_, text::Normalizer::Open());
  }
  return normalizer_;
}

void RoutingService::Use(std::shared_ptr<const text::Classifier> model,
                         const store::ModelRow& row) {
  requests_.SetClassifier(std::move(model), fmt::format("v{}", row.version));
  std::lock_guard lock(mutex_);
  loaded_id_ = row.id;
}

Result<RetrainOutcome> RoutingService::Retrain(const identity::Principal& actor, bool force,
                                               const RetrainOptions& options) {
  XT_TRY_VOID(MayManageModels(actor));
  std::lock_guard one(retrain_mutex_);  // one retraining at a time on this node
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto active_row, db_.Read([](storage::Executor& ex) {
    return store::ActiveModel(ex, kKind);
  }));
  // The newest decided requests of the period under categories still in effect.
  XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
  std::vector<Sample> samples;
  requests::ListFilter filter;
  filter.statuses = {requests::Status::kReplied, requests::Status::kCallback,
                     requests::Status::kClosed};
  filter.received_from = now - options.history;
  filter.limit = 500;
  const auto system = identity::Principal::System();
  while (samples.size() < options.max_requests) {
    XT_ASSIGN_OR_RETURN(auto page, requests_.List(system, filter));
    for (const auto& r : page.items) {
      const matters::Matter* m = catalog->Find(r.matter_id);
      if (!m || m->level != 3 || !catalog->InEffect(*m)) continue;
      const Timestamp decided = r.replied_at  ? r.replied_at
                                : r.closed_at ? r.closed_at
                                              : r.updated_at;
      samples.push_back({r.title, r.text, m->code, decided});
    }
    if (!page.next_cursor) break;
    filter.cursor = *page.next_cursor;
  }
  RetrainOutcome out;
  if (!force && active_row) {
    std::int64_t fresh = 0;
    for (const Sample& s : samples) fresh += s.decided_at >= active_row->data_to;
    if (fresh < options.min_new) {
      out.skipped = fmt::format("{} requests decided since v{} was trained; {} are needed", fresh,
                                active_row->version, options.min_new);
      return out;
    }
  }
  std::vector<const Sample*> all, before, holdout;
  for (const Sample& s : samples) {
    all.push_back(&s);
    (s.decided_at >= now - options.holdout_window ? holdout : before).push_back(&s);
  }
  XT_ASSIGN_OR_RETURN(auto normalizer, OpenNormalizer());
  XT_ASSIGN_OR_RETURN(auto candidate, TrainOn(normalizer, before));
  out.candidate = ScoreOn(candidate, holdout);
  if (active_row) {
    auto bytes =
        db_.Read([&](storage::Executor& ex) { return store::ModelBytes(ex, active_row->id); });
    if (bytes) {
      if (auto model = text::Classifier::LoadBytes(*bytes, normalizer))
        out.active = ScoreOn(*model, holdout);
    }
  }
  out.promoted = Promotes(out.candidate, out.active);
  std::optional<text::Classifier> final_model;
  if (out.promoted) {
    XT_ASSIGN_OR_RETURN(auto trained, TrainOn(normalizer, all));
    final_model.emplace(std::move(trained));
  }
  const text::Classifier& kept = final_model ? *final_model : candidate;
  const std::string bytes = kept.SaveBytes();
  json::Json figures = ScoreJson(out.candidate);
  figures["against"] = nullptr;
  if (out.active) {
    figures["against"] = ScoreJson(*out.active);
    figures["against"]["version"] = active_row->version;
  }
  store::ModelRow row{
      .id = ids_.Next(),
      .kind = std::string(kKind),
      .status = out.promoted ? "active" : "rejected",
      .trained_at = now,
      .trained_on = static_cast<std::int64_t>(out.promoted ? all.size() : before.size()),
      .classes = static_cast<std::int64_t>(kept.labels().size()),
      .data_to = now,
      .holdout = figures.dump(),
      .note = force ? "by hand" : "nightly",
      .created_by = actor.account_id};
  XT_ASSIGN_OR_RETURN(out.model, db_.Write([&](storage::Executor& ex) -> Result<store::ModelRow> {
    XT_ASSIGN_OR_RETURN(row.version, store::NextModelVersion(ex, kKind));
    if (out.promoted) {
      XT_ASSIGN_OR_RETURN(auto current, store::ActiveModel(ex, kKind));
      if (current) XT_TRY_VOID(store::SetModelStatus(ex, current->id, "retired"));
    }
    XT_TRY_VOID(store::InsertModel(ex, row, bytes));
    const json::Json payload = {
        {"model_id", row.id}, {"version", row.version}, {"figures", figures}};
    const audit::EventInput events[] = {
        {actor.account_id, "insight.model.trained", row.id, payload},
        {actor.account_id, out.promoted ? "insight.model.activated" : "insight.model.rejected",
         row.id, payload}};
    XT_TRY_VOID(audit::AppendMany(ex, now, events));
    XT_ASSIGN_OR_RETURN(auto stored, store::FindModel(ex, row.id));
    if (!stored) return Fail(Error::Internal("a stored model vanished"));
    return *stored;
  }));
  if (final_model)
    Use(std::make_shared<const text::Classifier>(std::move(*final_model)), out.model);
  return out;
}

Result<std::vector<store::ModelRow>> RoutingService::Models(const identity::Principal& actor) {
  if (!identity::Can(actor, identity::Action::kInsightManage, ""))
    return Fail(Error::PermissionDenied(
        "only the city's administrators and leaders see the routing models"));
  return db_.Read([](storage::Executor& ex) { return store::ListModels(ex, kKind); });
}

Result<store::ModelRow> RoutingService::Activate(const identity::Principal& actor,
                                                 std::string_view model_id) {
  XT_TRY_VOID(MayManageModels(actor));
  XT_ASSIGN_OR_RETURN(
      auto found, db_.Read([&](storage::Executor& ex) { return store::FindModel(ex, model_id); }));
  if (!found || found->kind != kKind)
    return Fail(Error::NotFound(fmt::format("no routing model with id '{}'", model_id)));
  auto bytes = db_.Read([&](storage::Executor& ex) { return store::ModelBytes(ex, model_id); });
  XT_ASSIGN_OR_RETURN(auto normalizer, OpenNormalizer());
  if (!bytes) return Fail(Error::Conflict(fmt::format("model v{} cannot be read", found->version)));
  auto model = text::Classifier::LoadBytes(*bytes, normalizer);
  if (!model)
    return Fail(Error::Conflict(
        fmt::format("model v{} cannot be loaded: {}", found->version, model.error().message)));
  const Timestamp now = clock_.Now();
  XT_ASSIGN_OR_RETURN(auto row, db_.Write([&](storage::Executor& ex) -> Result<store::ModelRow> {
    XT_ASSIGN_OR_RETURN(auto current, store::ActiveModel(ex, kKind));
    if (current && current->id != found->id)
      XT_TRY_VOID(store::SetModelStatus(ex, current->id, "retired"));
    XT_TRY_VOID(store::SetModelStatus(ex, found->id, "active"));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               "insight.model.activated",
                               found->id,
                               {{"model_id", found->id},
                                {"version", found->version},
                                {"previous", current ? current->version : 0}}}));
    XT_ASSIGN_OR_RETURN(auto stored, store::FindModel(ex, found->id));
    if (!stored) return Fail(Error::Internal("a stored model vanished"));
    return *stored;
  }));
  Use(std::make_shared<const text::Classifier>(std::move(*model)), row);
  return row;
}

Result<bool> RoutingService::LoadActive() {
  XT_ASSIGN_OR_RETURN(
      auto active, db_.Read([](storage::Executor& ex) { return store::ActiveModel(ex, kKind); }));
  if (!active) return false;
  {
    std::lock_guard lock(mutex_);
    if (loaded_id_ == active->id) return false;
  }
  XT_ASSIGN_OR_RETURN(auto bytes, db_.Read([&](storage::Executor& ex) {
    return store::ModelBytes(ex, active->id);
  }));
  XT_ASSIGN_OR_RETURN(auto normalizer, OpenNormalizer());
  XT_ASSIGN_OR_RETURN(auto model, text::Classifier::LoadBytes(bytes, normalizer));
  Use(std::make_shared<const text::Classifier>(std::move(model)), *active);
  return true;
}

JobSpec RoutingService::NightlyJob() {
  JobSpec job;
  job.name = "routing.retrain";
  job.local_minute = 3 * 60;
  job.run_when_new = false;
  job.run = [this]() -> Result<std::string> {
    XT_ASSIGN_OR_RETURN(auto r, Retrain(identity::Principal::System(), false));
    if (!r.skipped.empty()) return "skipped: " + r.skipped;
    return fmt::format("{}: v{} top1 {:.3f} macro_f1 {:.3f} on {} held out",
                       r.promoted ? "activated" : "rejected", r.model.version, r.candidate.top1,
                       r.candidate.macro_f1, r.candidate.n);
  };
  return job;
}

}  // namespace xietong::insight
