#include "services/application.h"

#include <fmt/core.h>

#include <algorithm>

namespace xietong::services {
namespace {

constexpr std::string_view kPartNames[] = {"waiting",  "in_review", "correction",
                                           "approved", "rejected",  "skipped"};
constexpr std::string_view kAppNames[] = {"submitted", "in_progress", "correction", "completed"};

std::optional<PartStatus> ParsePartStatus(std::string_view s) {
  for (std::size_t i = 0; i < std::size(kPartNames); ++i)
    if (kPartNames[i] == s) return static_cast<PartStatus>(i);
  return std::nullopt;
}

void Note(Application& a, Timestamp at, std::string kind, std::string part, std::string_view actor,
          std::string detail = {}) {
  a.timeline.push_back(
      {at, std::move(kind), std::move(part), std::string(actor), std::move(detail)});
}

Result<AppPart*> InReview(Application& a, std::string_view key) {
  AppPart* p = a.Part(key);
  if (!p)
    return Fail(Error::NotFound(fmt::format("application {} has no part '{}'", a.number, key)));
  if (a.status == AppStatus::kCompleted)
    return Fail(Error::Conflict(fmt::format("application {} is completed", a.number)));
  switch (p->status) {
    case PartStatus::kInReview:
      return p;
    case PartStatus::kWaiting:
      return Fail(Error::Conflict(
          fmt::format("part '{}' has not been reached yet: the parts before it come first", key)));
    case PartStatus::kCorrection:
      return Fail(Error::Conflict(
          fmt::format("part '{}' waits for the applicant's corrections (补正)", key)));
    default:
      return Fail(Error::Conflict(fmt::format("part '{}' is already decided", key)));
  }
}

json::Json Time(Timestamp t) { return t; }

}  // namespace

std::string_view PartStatusName(PartStatus s) { return kPartNames[static_cast<int>(s)]; }
bool IsDecided(PartStatus s) {
  return s == PartStatus::kApproved || s == PartStatus::kRejected || s == PartStatus::kSkipped;
}
std::string_view AppStatusName(AppStatus s) { return kAppNames[static_cast<int>(s)]; }
std::optional<AppStatus> ParseAppStatus(std::string_view s) {
  for (std::size_t i = 0; i < std::size(kAppNames); ++i)
    if (kAppNames[i] == s) return static_cast<AppStatus>(i);
  return std::nullopt;
}

AppPart* Application::Part(std::string_view key) {
  for (auto& p : parts)
    if (p.key == key) return &p;
  return nullptr;
}
const AppPart* Application::Part(std::string_view key) const {
  for (const auto& p : parts)
    if (p.key == key) return &p;
  return nullptr;
}

std::string Application::Outcome() const {
  if (status != AppStatus::kCompleted) return "";
  int approved = 0, rejected = 0;
  for (const auto& p : parts) {
    approved += p.status == PartStatus::kApproved;
    rejected += p.status == PartStatus::kRejected;
  }
  if (rejected == 0) return "approved";
  return approved == 0 ? "rejected" : "partly_approved";
}

json::Json MaterialsJson(const Application& a) {
  json::Json materials = json::Json::object();
  for (const auto& [key, files] : a.materials) {
    json::Json list = json::Json::array();
    for (const auto& f : files)
      list.push_back({{"id", f.id}, {"content_type", f.content_type}, {"size", f.size}});
    materials[key] = std::move(list);
  }
  return materials;
}

json::Json EncodeDoc(const Application& a) {
  json::Json materials = MaterialsJson(a);
  json::Json parts = json::Json::array();
  for (const auto& p : a.parts) {
    json::Json j = {{"key", p.key},
                    {"unit_code", p.unit_code},
                    {"status", PartStatusName(p.status)},
                    {"task_id", p.task_id},
                    {"opened_at", Time(p.opened_at)},
                    {"due_at", Time(p.due_at)},
                    {"decided_at", Time(p.decided_at)},
                    {"decided_by", p.decided_by},
                    {"reason", p.reason},
                    {"comment", p.comment},
                    {"remaining_us", p.remaining_us},
                    {"paused_us", p.paused_us},
                    {"corrections", p.corrections},
                    {"certificate_code", p.certificate_code}};
    if (p.correction)
      j["correction"] = {{"reason", p.correction->reason},
                         {"items", p.correction->items},
                         {"asked_at", p.correction->asked_at}};
    parts.push_back(std::move(j));
  }
  json::Json timeline = json::Json::array();
  for (const auto& t : a.timeline)
    timeline.push_back({{"at", t.at},
                        {"kind", t.kind},
                        {"part", t.part},
                        {"actor_name", t.actor_name},
                        {"detail", t.detail}});
  json::Json doc = {{"form", a.form},
                    {"materials", std::move(materials)},
                    {"parts", std::move(parts)},
                    {"timeline", std::move(timeline)},
                    {"paused_since", a.paused_since}};
  if (a.rating)
    doc["rating"] = {{"score", a.rating->score},
                     {"reasons", a.rating->reasons},
                     {"comment", a.rating->comment},
                     {"rated_at", a.rating->rated_at}};
  return doc;
}

Result<void> DecodeDoc(const json::Json& doc, Application& a) {
  try {
    a.form = doc.at("form");
    a.paused_since = doc.value("paused_since", Timestamp{0});
    a.materials.clear();
    for (const auto& [key, files] : doc.at("materials").items())
      for (const auto& f : files)
        a.materials[key].push_back({f.at("id").get<std::string>(),
                                    f.at("content_type").get<std::string>(),
                                    f.at("size").get<std::int64_t>()});
    a.parts.clear();
    for (const auto& j : doc.at("parts")) {
      AppPart p;
      p.key = j.at("key").get<std::string>();
      p.unit_code = j.at("unit_code").get<std::string>();
      auto status = ParsePartStatus(j.at("status").get<std::string>());
      if (!status) return Fail(Error::Internal("a stored part has an unknown status"));
      p.status = *status;
      p.task_id = j.at("task_id").get<std::string>();
      p.opened_at = j.at("opened_at").get<Timestamp>();
      p.due_at = j.at("due_at").get<Timestamp>();
      p.decided_at = j.at("decided_at").get<Timestamp>();
      p.decided_by = j.at("decided_by").get<std::string>();
      p.reason = j.at("reason").get<std::string>();
      p.comment = j.at("comment").get<std::string>();
      p.remaining_us = j.at("remaining_us").get<Timestamp>();
      p.paused_us = j.at("paused_us").get<Timestamp>();
      p.corrections = j.at("corrections").get<int>();
      p.certificate_code = j.at("certificate_code").get<std::string>();
      if (auto c = j.find("correction"); c != j.end())
        p.correction = Correction{c->at("reason").get<std::string>(),
                                  c->at("items").get<std::vector<std::string>>(),
                                  c->at("asked_at").get<Timestamp>()};
      a.parts.push_back(std::move(p));
    }
    a.timeline.clear();
    for (const auto& t : doc.at("timeline"))
      a.timeline.push_back({t.at("at").get<Timestamp>(), t.at("kind").get<std::string>(),
                            t.at("part").get<std::string>(), t.at("actor_name").get<std::string>(),
                            t.at("detail").get<std::string>()});
    a.rating.reset();
    if (auto r = doc.find("rating"); r != doc.end())
      a.rating = Rating{r->at("score").get<int>(), r->at("reasons").get<std::vector<std::string>>(),
                        r->at("comment").get<std::string>(), r->at("rated_at").get<Timestamp>()};
  } catch (const json::Json::exception& e) {
    return Fail(Error::Internal(fmt::format("a stored application does not decode: {}", e.what())));
  }
  return {};
}

Application NewApplication(const Bundle& b, const WorkCalendar& calendar, Timestamp now) {
  Application a;
  a.bundle_id = b.id;
  a.service_code = b.code;
  a.submitted_at = now;
  a.promised_at = calendar.AddWorkingDays(now, b.promised_days);
  for (const auto& def : b.parts) {
    AppPart p;
    p.key = def.key;
    p.unit_code = def.unit_code;
    a.parts.push_back(std::move(p));
  }
  return a;
}

bool Sync(Application& a, const Bundle& b, std::string_view process_status,
          const std::vector<OpenTask>& tasks, const WorkCalendar& calendar, Timestamp now) {
  bool changed = false;
  if (a.status == AppStatus::kSubmitted) {
    a.status = AppStatus::kInProgress;
    Note(a, now, "started", "", "");
    changed = true;
  }
  for (auto& p : a.parts) {
    auto task = std::find_if(tasks.begin(), tasks.end(),
                             [&](const OpenTask& t) { return t.element_id == p.key; });
    if (task == tasks.end() || p.status != PartStatus::kWaiting) continue;
    const PartDef* def = b.Part(p.key);
    p.status = PartStatus::kInReview;
    p.task_id = task->id;
    p.opened_at = now;
    p.due_at = calendar.AddWorkingDays(now, def ? def->promised_days : 1);
    Note(a, now, "opened", p.key, "");
    changed = true;
  }
  const bool ended = process_status == "completed" || process_status == "terminated";
  if (ended && a.status != AppStatus::kCompleted) {
    for (auto& p : a.parts) {
      if (IsDecided(p.status)) continue;
      p.status = PartStatus::kSkipped;
      p.correction.reset();
      p.decided_at = now;
    }
    a.status = AppStatus::kCompleted;
    a.finished_at = now;
    Note(a, now, "completed", "", "", a.Outcome());
    changed = true;
  }
  return changed;
}

Result<void> Approve(Application& a, std::string_view part, std::string_view actor_name,
                     std::string comment, Timestamp now) {
  XT_ASSIGN_OR_RETURN(AppPart * p, InReview(a, part));
  p->status = PartStatus::kApproved;
  p->decided_at = now;
  p->decided_by = std::string(actor_name);
  p->comment = std::move(comment);
  Note(a, now, "approved", p->key, actor_name, p->comment);
  return {};
}

Result<void> Reject(Application& a, std::string_view part, std::string_view actor_name,
                    std::string reason, Timestamp now) {
  if (reason.empty())
    return Fail(
        Error::InvalidArgument("say why the part is not approved").About("reason", "required"));
  XT_ASSIGN_OR_RETURN(AppPart * p, InReview(a, part));
  p->status = PartStatus::kRejected;
  p->decided_at = now;
  p->decided_by = std::string(actor_name);
  p->reason = std::move(reason);
  Note(a, now, "rejected", p->key, actor_name, p->reason);
  return {};
}

Result<void> AskCorrection(Application& a, const Bundle& b, std::string_view part,
                           std::string_view actor_name, std::string reason,
                           std::vector<std::string> items, const WorkCalendar& calendar,
                           Timestamp now) {
  if (reason.empty())
    return Fail(Error::InvalidArgument("say what must be corrected").About("reason", "required"));
  if (items.empty())
    return Fail(Error::InvalidArgument("name at least one field or material to send again")
                    .About("items", "required"));
  for (const auto& item : items)
    if (!b.Field(item) && !b.Material(item))
      return Fail(
          Error::InvalidArgument(fmt::format("the service has no field or material '{}'", item))
              .About("items", "unknown"));
  XT_ASSIGN_OR_RETURN(AppPart * p, InReview(a, part));
  p->status = PartStatus::kCorrection;
  p->correction = Correction{std::move(reason), std::move(items), now};
  p->remaining_us = now < p->due_at ? calendar.WorkingTimeBetween(now, p->due_at) : 0;
  if (a.paused_since == 0) a.paused_since = now;
  a.status = AppStatus::kCorrection;
  Note(a, now, "correction", p->key, actor_name, p->correction->reason);
  return {};
}

std::vector<std::string> AskedItems(const Application& a) {
  std::vector<std::string> out;
  for (const auto& p : a.parts)
    if (p.status == PartStatus::kCorrection && p.correction)
      for (const auto& item : p.correction->items)
        if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  return out;
}

Result<void> Corrected(Application& a, const WorkCalendar& calendar, Timestamp now) {
  if (a.status != AppStatus::kCorrection)
    return Fail(Error::Conflict(
        fmt::format("application {} has no correction (补正) asked of it", a.number)));
  for (auto& p : a.parts) {
    if (p.status != PartStatus::kCorrection) continue;
    p.paused_us += calendar.WorkingTimeBetween(p.correction->asked_at, now);
    p.due_at = calendar.AddWorkingTime(now, p.remaining_us);
    p.remaining_us = 0;
    p.status = PartStatus::kInReview;
    p.corrections += 1;
    p.correction.reset();
  }
  if (a.paused_since != 0) {
    a.promised_at =
        calendar.AddWorkingTime(a.promised_at, calendar.WorkingTimeBetween(a.paused_since, now));
    a.paused_since = 0;
  }
  a.status = AppStatus::kInProgress;
  Note(a, now, "corrected", "", a.applicant_name);
  return {};
}

Result<void> Rate(Application& a, int score, std::vector<std::string> reasons, std::string comment,
                  Timestamp now) {
  if (a.status != AppStatus::kCompleted)
    return Fail(Error::Conflict("an application is rated once it is completed (办结)"));
  if (a.rating) return Fail(Error::Conflict("this application has been rated already"));
  if (score < 1 || score > 5)
    return Fail(Error::InvalidArgument("field 'score' is 1 (非常不满意) to 5 (非常满意)")
                    .About("score", "out_of_range"));
  for (const auto& r : reasons) {
    const bool known =
        std::find(std::begin(kGoodReasons), std::end(kGoodReasons), r) != std::end(kGoodReasons) ||
        std::find(std::begin(kBadReasons), std::end(kBadReasons), r) != std::end(kBadReasons);
    if (!known)
      return Fail(Error::InvalidArgument(
                      fmt::format("'{}' is not a reason: fast, once, clear, friendly, slow, "
                                  "repeated, unclear or attitude",
                                  r))
                      .About("reasons", "unknown"));
  }
  a.rating = Rating{score, std::move(reasons), std::move(comment), now};
  Note(a, now, "rated", "", a.applicant_name, std::to_string(score));
  return {};
}

}  // namespace xietong::services
