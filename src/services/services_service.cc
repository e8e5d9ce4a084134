#include "services/services_service.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "files/file_service.h"
#include "identity/authorization.h"
#include "identity/password.h"
#include "services/services_store.h"

namespace xietong::services {
namespace {

using identity::Action;
using identity::Principal;
using storage::Executor;

constexpr std::string_view kSystem = "system";

// yyyymmdd in Asia/Shanghai.
std::string LocalDay(Timestamp t) {
  const auto days =
      std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::microseconds>(
          std::chrono::microseconds(t + kShanghaiOffset)));
  const std::chrono::year_month_day ymd(days);
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

// "张三丰" → "张**": the first character and a star for each of the others.
std::string MaskName(std::string_view name) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < name.size();) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (chars == 0)
      out.append(name.substr(i, len));
    else
      out += '*';
    ++chars;
    i += len;
  }
  return out;
}

// A verification code: 80 random bits as five groups of four (hex, upper case).
std::string NewCertificateCode() {
  std::string hex = identity::RandomToken(10);
  std::string out;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (i && i % 4 == 0) out += '-';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
  }
  return out;
}

// Who a licence is issued to: the company or person the form names, else
// the applicant.
std::string HolderOf(const Application& a, const Bundle& b) {
  auto it = b.holder_field.empty() ? a.form.end() : a.form.find(b.holder_field);
  if (it != a.form.end() && it->is_string() && !it->get<std::string>().empty())
    return it->get<std::string>();
  return a.applicant_name;
}

Error Changed(const Application& a) {
  return Error::Conflict(
      fmt::format("application {} changed meanwhile; reload it and try again", a.number));
}

}  // namespace

const storage::Schema& Schema() {
  static const storage::Schema schema{
      .module = "services",
      .needs = {&identity::Schema(), &audit::Schema(), &files::Schema(), &workflow::Schema()},
      .migrations = {store::Migrations()}};
  return schema;
}

// --- units ------------------------------------------------------------------------

Result<std::shared_ptr<const ServicesService::UnitDirectory>> ServicesService::Units(bool fresh) {
  const Timestamp now = clock_.Now();
  {
    std::lock_guard lock(mutex_);
    if (units_ && !fresh && now - units_->loaded_at < 60 * kMicrosPerSecond) return units_;
  }
  XT_ASSIGN_OR_RETURN(auto all, identity_.AllUnits());
  auto dir = std::make_shared<UnitDirectory>();
  for (auto& u : all) {
    dir->code_by_id[u.id] = u.code;
    dir->by_code[u.code] = std::move(u);
  }
  dir->loaded_at = now;
  std::lock_guard lock(mutex_);
  units_ = dir;
  return std::shared_ptr<const UnitDirectory>(dir);
}

std::string ServicesService::UnitName(std::string_view code) {
  std::lock_guard lock(mutex_);
  if (units_)
    if (auto it = units_->by_code.find(std::string(code)); it != units_->by_code.end())
      return it->second.name;
  return std::string(code);
}

std::vector<std::string> ServicesService::HandledUnits(const Principal& actor) {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  if (!units_) return out;
  for (const auto& m : actor.memberships) {
    if (!identity::RoleAllows(m.role, Action::kServiceHandle)) continue;
    if (auto it = units_->code_by_id.find(m.unit_id); it != units_->code_by_id.end())
      out.push_back(it->second);
  }
  return out;
}

ServicesService::Access ServicesService::AccessTo(const Principal& actor, const Application& a) {
  if (actor.is_system() || a.applicant_id == actor.account_id) return Access::kFull;
  const auto handled = HandledUnits(actor);
  for (const auto& p : a.parts)
    if (std::find(handled.begin(), handled.end(), p.unit_code) != handled.end())
      return Access::kFull;
  std::lock_guard lock(mutex_);
  if (!units_) return Access::kNone;
  for (const auto& p : a.parts) {
    auto it = units_->by_code.find(p.unit_code);
    if (it != units_->by_code.end() &&
        identity::Can(actor, Action::kServiceOversee, it->second.path))
      return Access::kMasked;
  }
  return Access::kNone;
}

// --- bundles ----------------------------------------------------------------------

Result<std::optional<Bundle>> ServicesService::BundleOf(Executor& ex, const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = bundles_.find(id); it != bundles_.end()) return std::optional<Bundle>(it->second);
  }
  XT_ASSIGN_OR_RETURN(auto b, store::FindBundle(ex, id));
  if (b) {
    std::lock_guard lock(mutex_);
    bundles_.emplace(id, *b);
  }
  return b;
}

Result<ServiceView> ServicesService::ViewOf(Executor& ex, Bundle b, bool count) {
  ServiceView v;
  for (const auto& p : b.parts) v.unit_names.push_back(UnitName(p.unit_code));
  if (count) {
    XT_ASSIGN_OR_RETURN(v.applications, store::CountApplications(ex, b.code));
  }
  v.bundle = std::move(b);
  return v;
}

Result<Bundle> ServicesService::Define(const Principal& actor, const json::Json& definition) {
  if (!identity::Can(actor, Action::kServiceManage, ""))
    return Fail(Error::PermissionDenied("only an administrator defines one-thing services"));
  XT_ASSIGN_OR_RETURN(Bundle b, ParseBundle(definition));
  XT_ASSIGN_OR_RETURN(auto units, Units(/*fresh=*/true));
  for (std::size_t i = 0; i < b.parts.size(); ++i)
    if (!units->by_code.contains(b.parts[i].unit_code))
      return Fail(Error::InvalidArgument(fmt::format("field 'parts[{}].unit_code': no unit '{}'", i,
                                                     b.parts[i].unit_code))
                      .About(fmt::format("parts[{}].unit_code", i), "unknown"));
  auto done = db_.Write([&](Executor& ex) -> Result<Bundle> {
    auto tasks = workflow_.UserTaskIds(ex, b.process_id);
    if (!tasks)
      return Fail(Error::InvalidArgument(
                      fmt::format("field 'process_id': {}; deploy it first", tasks.error().message))
                      .About("process_id", "unknown"));
    for (std::size_t i = 0; i < b.parts.size(); ++i)
      if (std::find(tasks->begin(), tasks->end(), b.parts[i].key) == tasks->end()) {
        std::string list;
        for (const auto& t : *tasks) list += (list.empty() ? "" : ", ") + t;
        return Fail(Error::InvalidArgument(
                        fmt::format("field 'parts[{}].key': '{}' is not a user task of process "
                                    "{} (its user tasks: {})",
                                    i, b.parts[i].key, b.process_id, list.empty() ? "none" : list))
                        .About(fmt::format("parts[{}].key", i), "unknown"));
      }
    XT_ASSIGN_OR_RETURN(auto latest, store::LatestBundle(ex, b.code));
    if (latest && BundleJson(*latest) == BundleJson(b)) return std::move(*latest);
    b.id = ids_.Next();
    b.version = latest ? latest->version + 1 : 1;
    b.created_by = actor.account_id;
    b.created_at = clock_.Now();
    XT_TRY_VOID(store::InsertBundle(ex, b));
    XT_TRY_VOID(
        audit::Append(ex, b.created_at,
                      {actor.account_id,
                       "service.defined",
                       b.id,
                       {{"code", b.code}, {"version", b.version}, {"process_id", b.process_id}}}));
    return b;
  });
  return done;
}

Result<std::vector<ServiceView>> ServicesService::Services() {
  XT_TRY_VOID(Units());
  return db_.Read([&](Executor& ex) -> Result<std::vector<ServiceView>> {
    XT_ASSIGN_OR_RETURN(auto bundles, store::LatestBundles(ex));
    std::vector<ServiceView> out;
    for (auto& b : bundles) {
      XT_ASSIGN_OR_RETURN(auto v, ViewOf(ex, std::move(b), true));
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<ServiceView> ServicesService::Service(std::string_view code) {
  XT_TRY_VOID(Units());
  return db_.Read([&](Executor& ex) -> Result<ServiceView> {
    XT_ASSIGN_OR_RETURN(auto b, store::LatestBundle(ex, code));
    if (!b) return Fail(Error::NotFound(fmt::format("no one-thing service '{}'", code)));
    return ViewOf(ex, std::move(*b), true);
  });
}

Result<Prefill> ServicesService::PrefillFor(const Principal& actor, std::string_view code) {
  XT_ASSIGN_OR_RETURN(auto service, Service(code));
  const Bundle& b = service.bundle;
  Prefill out;
  XT_ASSIGN_OR_RETURN(auto previous, db_.Read([&](Executor& ex) {
    return store::ListApplications(ex, {.applicant_id = actor.account_id, .limit = 5});
  }));
  for (const auto& f : b.fields) {
    if (f.prefill == "account.display_name" && !actor.display_name.empty()) {
      out.values[f.key] = actor.display_name;
      out.sources[f.key] = "account";
      continue;
    }
    if (f.prefill == "account.phone" && actor.phone) {
      out.values[f.key] = *actor.phone;
      out.sources[f.key] = "account";
      continue;
    }
    for (const auto& a : previous) {  // newest first
      auto it = a.form.find(f.key);
      if (it == a.form.end()) continue;
      out.values[f.key] = *it;
      out.sources[f.key] = "previous";
      break;
    }
  }
  return out;
}

// --- applications -------------------------------------------------------------------

Result<ApplicationView> ServicesService::Viewed(Executor& ex, const Principal& actor,
                                                Application a) {
  const Access access = AccessTo(actor, a);
  if (access == Access::kNone)
    return Fail(Error::NotFound(fmt::format("no application '{}'", a.id)));
  ApplicationView v;
  XT_ASSIGN_OR_RETURN(auto b, BundleOf(ex, a.bundle_id));
  if (!b) return Fail(Error::Internal(fmt::format("application {} has no service", a.id)));
  XT_ASSIGN_OR_RETURN(v.service, ViewOf(ex, std::move(*b), false));
  XT_ASSIGN_OR_RETURN(auto certs, store::CertificatesOf(ex, a.id));
  for (const auto& c : certs)
    v.certificates.push_back({c.code, c.number, c.title, c.title_en, c.part_key, c.holder,
                              UnitName(c.unit_code), c.issued_at, a.number,
                              v.service.bundle.title.zh, v.service.bundle.title.en});
  if (access == Access::kMasked) {
    v.masked = true;
    for (const auto& f : v.service.bundle.fields)
      if (IsPersonal(f.type) && a.form.contains(f.key) && a.form[f.key].is_string())
        a.form[f.key] = Masked(a.form[f.key].get<std::string>());
    a.applicant_name = MaskName(a.applicant_name);
  }
  v.app = std::move(a);
  return v;
}

Result<void> ServicesService::Save(Executor& ex, Application& a) {
  XT_ASSIGN_OR_RETURN(bool saved, store::UpdateApplication(ex, a));
  if (!saved) return Fail(Changed(a));
  return {};
}

Result<ApplicationView> ServicesService::Apply(const Principal& actor, const ApplyInput& in) {
  if (actor.is_system() || actor.via == Principal::Via::kApiKey)
    return Fail(Error::PermissionDenied("an application is made by a signed-in person"));
  XT_TRY_VOID(Units());
  const std::string idem_key =
      in.idempotency_key.empty() ? "" : actor.account_id + "\x1f" + in.idempotency_key;
  auto done = db_.Write([&](Executor& ex) -> Result<ApplicationView> {
    if (!idem_key.empty()) {
      XT_ASSIGN_OR_RETURN(auto existing, store::FindByIdempotencyKey(ex, idem_key));
      if (existing) return Viewed(ex, actor, std::move(*existing));
    }
    XT_ASSIGN_OR_RETURN(auto b, store::LatestBundle(ex, in.service));
    if (!b)
      return Fail(Error::NotFound(fmt::format("no one-thing service '{}'", in.service))
                      .About("service", "unknown"));
    XT_ASSIGN_OR_RETURN(json::Json form, CheckForm(*b, in.form, in.materials));
    const Timestamp now = clock_.Now();
    Application a = NewApplication(*b, calendar_, now);
    a.id = ids_.Next();
    const std::string day = LocalDay(now);
    XT_ASSIGN_OR_RETURN(auto n, store::NextNumber(ex, "application/" + day));
    a.number = fmt::format("YJS{}{:05}", day, n);
    a.applicant_id = actor.account_id;
    a.applicant_name = actor.display_name.empty() ? actor.username : actor.display_name;
    a.form = std::move(form);
    for (const auto& [key, ids] : in.materials) {
      if (ids.empty()) continue;
      auto attached = files::Attach(ex, actor.account_id, ids, a.id, files::Accept::kImagesAndPdf);
      if (!attached) return Fail(std::move(attached.error()).About("materials." + key));
      for (const auto& f : *attached) a.materials[key].push_back({f.id, f.content_type, f.size});
    }
    a.timeline.push_back({now, "submitted", "", a.applicant_name, ""});
    a.version = 1;
    XT_TRY_VOID(store::InsertApplication(ex, a, idem_key));
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id,
         "service.application.submitted",
         a.id,
         {{"service", a.service_code}, {"number", a.number}, {"bundle_id", a.bundle_id}}}));
    return Viewed(ex, actor, std::move(a));
  });
  if (done) Committed();
  return done;
}

Result<ApplicationView> ServicesService::Get(const Principal& actor, std::string_view id) {
  XT_TRY_VOID(Units());
  return db_.Read([&](Executor& ex) -> Result<ApplicationView> {
    XT_ASSIGN_OR_RETURN(auto a, store::FindApplication(ex, id));
    if (!a) return Fail(Error::NotFound(fmt::format("no application '{}'", id)));
    return Viewed(ex, actor, std::move(*a));
  });
}

Result<std::vector<ApplicationView>> ServicesService::List(const Principal& actor,
                                                           const ListQuery& q) {
  XT_TRY_VOID(Units());
  if (!q.status.empty() && !ParseAppStatus(q.status))
    return Fail(
        Error::InvalidArgument("field 'status' is submitted, in_progress, correction or completed")
            .About("status", "unknown"));
  store::ApplicationFilter f{
      .status = q.status, .service_code = q.service, .limit = std::clamp(q.limit, 1, kMaxList)};
  if (!identity::Can(actor, Action::kServiceOversee, "")) {
    f.unit_codes = HandledUnits(actor);
    if (f.unit_codes.empty()) f.applicant_id = actor.account_id;
  }
  return db_.Read([&](Executor& ex) -> Result<std::vector<ApplicationView>> {
    XT_ASSIGN_OR_RETURN(auto apps, store::ListApplications(ex, f));
    std::vector<ApplicationView> out;
    for (auto& a : apps) {
      auto v = Viewed(ex, actor, std::move(a));
      if (v)
        out.push_back(std::move(*v));
      else if (v.error().code != ErrorCode::kNotFound)
        return Fail(std::move(v.error()));
    }
    return out;
  });
}

Result<std::vector<QueueItem>> ServicesService::Queue(const Principal& actor,
                                                      std::string_view state, int limit) {
  XT_TRY_VOID(Units());
  std::vector<std::string> statuses;
  if (state.empty() || state == "open")
    statuses = {"in_review"};
  else if (state == "correction")
    statuses = {"correction"};
  else if (state == "decided")
    statuses = {"approved", "rejected"};
  else
    return Fail(Error::InvalidArgument("field 'state' is open, correction or decided")
                    .About("state", "unknown"));
  const auto units = HandledUnits(actor);
  return db_.Read([&](Executor& ex) -> Result<std::vector<QueueItem>> {
    XT_ASSIGN_OR_RETURN(auto rows,
                        store::Queue(ex, units, statuses, std::clamp(limit, 1, kMaxList)));
    std::vector<QueueItem> out;
    for (const auto& row : rows) {
      XT_ASSIGN_OR_RETURN(auto a, store::FindApplication(ex, row.application_id));
      if (!a) continue;
      XT_ASSIGN_OR_RETURN(auto v, Viewed(ex, actor, std::move(*a)));
      out.push_back({std::move(v), row.part_key});
    }
    return out;
  });
}

Result<ApplicationView> ServicesService::DecidePart(const Principal& actor, std::string_view id,
                                                    std::string_view part, std::string_view action,
                                                    const Decide& decide) {
  XT_TRY_VOID(Units());
  const auto handled = HandledUnits(actor);
  auto done = db_.Write([&](Executor& ex) -> Result<ApplicationView> {
    XT_ASSIGN_OR_RETURN(auto a, store::FindApplication(ex, id));
    if (!a || AccessTo(actor, *a) == Access::kNone)
      return Fail(Error::NotFound(fmt::format("no application '{}'", id)));
    const AppPart* p = a->Part(part);
    if (!p)
      return Fail(Error::NotFound(fmt::format("application {} has no part '{}'", a->number, part)));
    if (std::find(handled.begin(), handled.end(), p->unit_code) == handled.end())
      return Fail(Error::PermissionDenied(
          fmt::format("part '{}' is decided by {}", part, UnitName(p->unit_code))));
    XT_ASSIGN_OR_RETURN(auto b, BundleOf(ex, a->bundle_id));
    if (!b) return Fail(Error::Internal(fmt::format("application {} has no service", a->id)));
    const std::string task_id = p->task_id;
    XT_TRY_VOID(decide(*a, *b));
    const Timestamp now = clock_.Now();
    AppPart* decided = a->Part(part);
    const PartDef* def = b->Part(part);
    if (decided->status == PartStatus::kApproved && def && !def->certificate.zh.empty()) {
      store::CertificateRow c;
      c.code = NewCertificateCode();
      const std::string year = LocalDay(now).substr(0, 4);
      XT_ASSIGN_OR_RETURN(
          auto n,
          store::NextNumber(ex, fmt::format("certificate/{}/{}", def->certificate_prefix, year)));
      c.number = fmt::format("{}{}{:06}", def->certificate_prefix, year, n);
      c.application_id = a->id;
      c.part_key = decided->key;
      c.title = def->certificate.zh;
      c.title_en = def->certificate.en;
      c.holder = HolderOf(*a, *b);
      c.unit_code = def->unit_code;
      c.issued_at = now;
      XT_TRY_VOID(store::InsertCertificate(ex, c));
      decided->certificate_code = c.code;
      a->timeline.push_back({now, "certificate", decided->key, "", c.number});
    }
    XT_TRY_VOID(Save(ex, *a));
    XT_TRY_VOID(audit::Append(ex, now,
                              {actor.account_id,
                               fmt::format("service.part.{}", action),
                               a->id,
                               {{"part", std::string(part)},
                                {"task_id", task_id},
                                {"approved", decided->status == PartStatus::kApproved}}}));
    return Viewed(ex, actor, std::move(*a));
  });
  if (done) Committed();
  return done;
}

Result<ApplicationView> ServicesService::Approve(const Principal& actor, std::string_view id,
                                                 std::string_view part, std::string comment) {
  const std::string name = actor.display_name;
  return DecidePart(actor, id, part, "approved", [&](Application& a, const Bundle&) {
    return services::Approve(a, part, name, std::move(comment), clock_.Now());
  });
}

Result<ApplicationView> ServicesService::Reject(const Principal& actor, std::string_view id,
                                                std::string_view part, std::string reason) {
  const std::string name = actor.display_name;
  return DecidePart(actor, id, part, "rejected", [&](Application& a, const Bundle&) {
    return services::Reject(a, part, name, std::move(reason), clock_.Now());
  });
}

Result<ApplicationView> ServicesService::AskCorrection(const Principal& actor, std::string_view id,
                                                       std::string_view part, std::string reason,
                                                       std::vector<std::string> items) {
  const std::string name = actor.display_name;
  return DecidePart(actor, id, part, "correction", [&](Application& a, const Bundle& b) {
    return services::AskCorrection(a, b, part, name, std::move(reason), std::move(items), calendar_,
                                   clock_.Now());
  });
}

Result<ApplicationView> ServicesService::Correct(const Principal& actor, std::string_view id,
                                                 const json::Json& form,
                                                 const MaterialIds& materials) {
  XT_TRY_VOID(Units());
  auto done = db_.Write([&](Executor& ex) -> Result<ApplicationView> {
    XT_ASSIGN_OR_RETURN(auto a, store::FindApplication(ex, id));
    if (!a || AccessTo(actor, *a) == Access::kNone)
      return Fail(Error::NotFound(fmt::format("no application '{}'", id)));
    if (a->applicant_id != actor.account_id)
      return Fail(Error::PermissionDenied("only the applicant sends corrections (补正)"));
    if (a->status != AppStatus::kCorrection)
      return Fail(Error::Conflict(
          fmt::format("application {} has no correction (补正) asked of it", a->number)));
    XT_ASSIGN_OR_RETURN(auto b, BundleOf(ex, a->bundle_id));
    if (!b) return Fail(Error::Internal(fmt::format("application {} has no service", a->id)));
    XT_ASSIGN_OR_RETURN(json::Json fixed, CheckForm(*b, form, materials, AskedItems(*a)));
    for (const auto& [key, value] : fixed.items()) a->form[key] = value;
    for (const auto& [key, ids] : materials) {
      if (ids.empty()) continue;
      auto attached = files::Attach(ex, actor.account_id, ids, a->id, files::Accept::kImagesAndPdf);
      if (!attached) return Fail(std::move(attached.error()).About("materials." + key));
      auto& list = a->materials[key];
      list.clear();
      for (const auto& f : *attached) list.push_back({f.id, f.content_type, f.size});
    }
    const Timestamp now = clock_.Now();
    XT_TRY_VOID(services::Corrected(*a, calendar_, now));
    XT_TRY_VOID(Save(ex, *a));
    json::Json keys = json::Json::array();
    for (const auto& [key, value] : fixed.items()) keys.push_back(key);
    for (const auto& [key, ids] : materials) keys.push_back(key);
    XT_TRY_VOID(audit::Append(
        ex, now, {actor.account_id, "service.application.corrected", a->id, {{"items", keys}}}));
    return Viewed(ex, actor, std::move(*a));
  });
  if (done) Committed();
  return done;
}

Result<ApplicationView> ServicesService::Rate(const Principal& actor, std::string_view id,
                                              int score, std::vector<std::string> reasons,
                                              std::string comment) {
  XT_TRY_VOID(Units());
  return db_.Write([&](Executor& ex) -> Result<ApplicationView> {
    XT_ASSIGN_OR_RETURN(auto a, store::FindApplication(ex, id));
    if (!a || AccessTo(actor, *a) == Access::kNone)
      return Fail(Error::NotFound(fmt::format("no application '{}'", id)));
    if (a->applicant_id != actor.account_id)
      return Fail(Error::PermissionDenied("only the applicant rates an application (好差评)"));
    const Timestamp now = clock_.Now();
    XT_TRY_VOID(services::Rate(*a, score, std::move(reasons), std::move(comment), now));
    XT_TRY_VOID(Save(ex, *a));
    XT_TRY_VOID(audit::Append(
        ex, now,
        {actor.account_id, "service.application.rated", a->id, {{"score", a->rating->score}}}));
    return Viewed(ex, actor, std::move(*a));
  });
}

Result<files::File> ServicesService::Material(const Principal& actor, std::string_view id,
                                              std::string_view file_id) {
  XT_TRY_VOID(Units());
  return db_.Read([&](Executor& ex) -> Result<files::File> {
    XT_ASSIGN_OR_RETURN(auto a, store::FindApplication(ex, id));
    if (!a || AccessTo(actor, *a) != Access::kFull)
      return Fail(Error::NotFound(fmt::format("no application '{}'", id)));
    return files::ReadAttached(ex, file_id, a->id);
  });
}

Result<CertificateView> ServicesService::Verify(std::string_view code) {
  XT_TRY_VOID(Units());
  std::string normal;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    normal += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  std::string dashed;
  for (std::size_t i = 0; i < normal.size(); ++i) {
    if (i && i % 4 == 0) dashed += '-';
    dashed += normal[i];
  }
  return db_.Read([&](Executor& ex) -> Result<CertificateView> {
    XT_ASSIGN_OR_RETURN(auto c, store::FindCertificate(ex, dashed));
    if (!c) return Fail(Error::NotFound("no certificate has this verification code"));
    XT_ASSIGN_OR_RETURN(auto a, store::FindApplication(ex, c->application_id));
    if (!a) return Fail(Error::Internal("a certificate without its application"));
    XT_ASSIGN_OR_RETURN(auto b, BundleOf(ex, a->bundle_id));
    return CertificateView{c->code,
                           c->number,
                           c->title,
                           c->title_en,
                           c->part_key,
                           MaskName(c->holder),
                           UnitName(c->unit_code),
                           c->issued_at,
                           a->number,
                           b ? b->title.zh : "",
                           b ? b->title.en : ""};
  });
}

// --- reactions -----------------------------------------------------------------------

Result<void> ServicesService::SyncWithProcess(Executor& ex, Application& a,
                                              std::string_view actor) {
  XT_ASSIGN_OR_RETURN(auto progress, workflow_.ProgressWithin(ex, a.instance_id));
  std::vector<OpenTask> tasks;
  for (const auto& t : progress.tasks) tasks.push_back({t.id, t.element_id});
  XT_ASSIGN_OR_RETURN(auto b, BundleOf(ex, a.bundle_id));
  if (!b) return Fail(Error::Internal(fmt::format("application {} has no service", a.id)));
  if (!Sync(a, *b, progress.status, tasks, calendar_, clock_.Now())) return {};
  XT_TRY_VOID(Save(ex, a));
  json::Json parts = json::Json::object();
  for (const auto& p : a.parts) parts[p.key] = PartStatusName(p.status);
  XT_TRY_VOID(audit::Append(ex, clock_.Now(),
                            {std::string(actor),
                             "service.application.progressed",
                             a.id,
                             {{"status", AppStatusName(a.status)}, {"parts", std::move(parts)}}}));
  return {};
}

Result<void> ServicesService::OnApplicationEvent(Executor& ex, const audit::Event& e) {
  const bool submitted = e.action == "service.application.submitted";
  const bool decided = e.action == "service.part.approved" || e.action == "service.part.rejected";
  if (!submitted && !decided) return {};
  XT_ASSIGN_OR_RETURN(auto a, store::FindApplication(ex, e.subject));
  if (!a) return {};
  if (submitted) {
    if (!a->instance_id.empty()) return {};
    XT_ASSIGN_OR_RETURN(auto b, BundleOf(ex, a->bundle_id));
    if (!b) return Fail(Error::Internal(fmt::format("application {} has no service", a->id)));
    json::Json variables = a->form;
    variables["application_id"] = a->id;
    variables["service"] = a->service_code;
    auto started = workflow_.StartWithin(ex, b->process_id, variables, kSystem);
    if (!started) {
      // The process cannot run (not deployed any more): say so on the
      // application and go on with the others; an administrator redeploys.
      if (started.error().code != ErrorCode::kNotFound &&
          started.error().code != ErrorCode::kInvalidArgument)
        return Fail(std::move(started.error()));
      a->timeline.push_back({clock_.Now(), "error", "", "", started.error().message});
      return Save(ex, *a);
    }
    a->instance_id = *started;
    return SyncWithProcess(ex, *a, kSystem);
  }
  const json::Json payload = json::Json::parse(e.payload, nullptr, false);
  const std::string part = payload.value("part", "");
  const std::string task_id = payload.value("task_id", "");
  const AppPart* p = a->Part(part);
  if (!p || task_id.empty() || a->instance_id.empty()) return {};
  auto completed = workflow_.CompleteTaskWithin(
      ex, task_id, {{part + "_approved", payload.value("approved", false)}}, kSystem);
  if (!completed && completed.error().code != ErrorCode::kNotFound)
    return Fail(std::move(completed.error()));
  return SyncWithProcess(ex, *a, kSystem);
}

Result<void> ServicesService::OnWorkflowEvent(Executor& ex, const audit::Event& e) {
  if (!e.action.starts_with("workflow.") || e.action == "workflow.definition.deployed") return {};
  XT_ASSIGN_OR_RETURN(auto a, store::FindByInstance(ex, e.subject));
  if (!a) return {};
  return SyncWithProcess(ex, *a, kSystem);
}

}  // namespace xietong::services
