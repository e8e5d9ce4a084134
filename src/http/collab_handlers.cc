#include "http/collab_handlers.h"

#include <fmt/core.h>

#include "http/api_schemas.h"
#include "http/report_form_handlers.h"

namespace xietong::http {
namespace {

using collab::CollabService;

json::Json Time(Timestamp t) { return t ? json::Json(FormatRfc3339(t)) : json::Json(nullptr); }
json::Json OrNull(const std::string& s) { return s.empty() ? json::Json(nullptr) : json::Json(s); }

RouteDoc Doc(std::string summary, std::string summary_zh) {
  RouteDoc d;
  d.summary = std::move(summary);
  d.summary_zh = std::move(summary_zh);
  d.tag = "collab";
  return d;
}

// --- encoders (each mirrored by a schema in CollabSchemas) -------------------------------

json::Json ForceJson(const collab::TaskForce& f) {
  return {{"id", f.id},
          {"title", f.title},
          {"subject_kind", collab::SubjectKindName(f.subject_kind)},
          {"subject_id", OrNull(f.subject_id)},
          {"goal", f.goal},
          {"charter", f.charter},
          {"deadline", Time(f.deadline)},
          {"unit_id", f.unit_id},
          {"unit_name", f.unit_name},
          {"created_by", f.created_by},
          {"created_at", Time(f.created_at)},
          {"status", collab::ForceStatusName(f.status)},
          {"channel_id", f.channel_id},
          {"dissolved_at", Time(f.dissolved_at)},
          {"summary", OrNull(f.summary)}};
}

json::Json MemberJson(const collab::Member& m) {
  return {{"account_id", m.account_id},     {"username", m.username},
          {"display_name", m.display_name}, {"unit_id", m.unit_id},
          {"unit_name", m.unit_name},       {"role", collab::ForceRoleName(m.role)},
          {"added_at", Time(m.added_at)}};
}

json::Json TaskJson(const collab::Task& t) {
  return {{"id", t.id},
          {"force_id", t.force_id},
          {"title", t.title},
          {"description", t.description},
          {"owner_unit_id", t.owner_unit_id},
          {"owner_unit_name", t.owner_unit_name},
          {"owner_account_id", t.owner_account_id},
          {"deadline_days", t.deadline_days},
          {"deadline", Time(t.deadline)},
          {"depends_on", t.depends_on},
          {"status", collab::TaskStatusName(t.status)},
          {"percent", t.percent},
          {"created_at", Time(t.created_at)},
          {"updated_at", Time(t.updated_at)},
          {"handed_to", OrNull(t.handed_to)}};
}

json::Json MilestoneJson(const collab::Milestone& m) {
  return {{"id", m.id},
          {"force_id", m.force_id},
          {"stage", collab::StageName(m.stage)},
          {"due", Time(m.due)},
          {"budget_fen", m.budget_fen},
          {"spent_fen", m.spent_fen},
          {"reached_at", Time(m.reached_at)}};
}

json::Json ForceDetailJson(const collab::ForceView& v) {
  json::Json j = ForceJson(v.force);
  json::Json members = json::Json::array(), tasks = json::Json::array(),
             milestones = json::Json::array();
  for (const auto& m : v.members) members.push_back(MemberJson(m));
  for (const auto& t : v.tasks) tasks.push_back(TaskJson(t));
  for (const auto& m : v.milestones) milestones.push_back(MilestoneJson(m));
  j["members"] = std::move(members);
  j["tasks"] = std::move(tasks);
  j["milestones"] = std::move(milestones);
  j["overdue"] = v.overdue;
  j["my_role"] = v.my_role ? json::Json(collab::ForceRoleName(*v.my_role)) : json::Json(nullptr);
  return j;
}

json::Json ReportJson(const collab::ProgressReport& r) {
  return {{"id", r.id},      {"task_id", r.task_id}, {"account_id", r.account_id},
          {"text", r.text},  {"percent", r.percent}, {"file_ids", r.file_ids},
          {"at", Time(r.at)}};
}

json::Json VolunteerHoursJson(const collab::VolunteerHours& h) {
  return {{"id", h.id},
          {"force_id", h.force_id},
          {"task_id", h.task_id},
          {"volunteer_id", h.volunteer_id},
          {"day", h.day},
          {"minutes", h.minutes},
          {"note", h.note},
          {"confirmed_by", h.confirmed_by},
          {"confirmed_at", Time(h.confirmed_at)}};
}

json::Json DirectiveJson(const collab::Directive& d) {
  return {{"id", d.id},
          {"title", d.title},
          {"body", d.body},
          {"from_unit_id", d.from_unit_id},
          {"from_unit_name", d.from_unit_name},
          {"sender_id", d.sender_id},
          {"sender_name", d.sender_name},
          {"to_units", d.to_units},
          {"include_subtree", d.include_subtree},
          {"ack_by", Time(d.ack_by)},
          {"created_at", Time(d.created_at)},
          {"recipients", d.recipients}};
}

json::Json ReceiptJson(const collab::Receipt& r) {
  return {{"directive_id", r.directive_id}, {"account_id", r.account_id},
          {"display_name", r.display_name}, {"unit_id", r.unit_id},
          {"unit_name", r.unit_name},       {"received_at", Time(r.received_at)},
          {"read_at", Time(r.read_at)},     {"acked_at", Time(r.acked_at)},
          {"ack_note", r.ack_note}};
}

json::Json InboxJson(const std::vector<collab::store::InboxItem>& items) {
  json::Json out = json::Json::array();
  for (const auto& i : items) {
    json::Json j = DirectiveJson(i.directive);
    j["receipt"] = ReceiptJson(i.receipt);
    out.push_back(std::move(j));
  }
  return {{"items", std::move(out)}};
}

json::Json ChannelJson(const collab::Channel& c) {
  return {{"id", c.id},
          {"kind", collab::ChannelKindName(c.kind)},
          {"force_id", OrNull(c.force_id)},
          {"title", c.title},
          {"created_at", Time(c.created_at)},
          {"last_seq", c.last_seq},
          {"archived", c.archived}};
}

json::Json ChannelMemberJson(const collab::ChannelMember& m) {
  return {{"account_id", m.account_id},
          {"username", m.username},
          {"display_name", m.display_name},
          {"read_seq", m.read_seq}};
}

json::Json MessageJson(const collab::Message& m) {
  return {{"id", m.id},
          {"channel_id", m.channel_id},
          {"seq", m.seq},
          {"author_id", m.author_id},
          {"author_name", m.author_name},
          {"text", m.text},
          {"mentions", m.mentions},
          {"parent_id", OrNull(m.parent_id)},
          {"file_ids", m.file_ids},
          {"at", Time(m.at)}};
}

// --- request parsing ---------------------------------------------------------------------

// A string member, unchecked beyond its type: the service checks its content.
Result<std::string> Str(const json::Json& body, std::string_view field, bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (!required) return std::string();
    return Fail(Error::InvalidArgument(fmt::format("field '{}': is required", field))
                    .About(std::string(field), "required"));
  }
  if (!it->is_string())
    return Fail(Error::InvalidArgument(fmt::format("field '{}': must be a string", field))
                    .About(std::string(field), "wrong_type"));
  return it->get<std::string>();
}

// An RFC 3339 time member; 0 when absent and optional.
Result<Timestamp> TimeField(const json::Json& body, std::string_view field, bool required) {
  XT_ASSIGN_OR_RETURN(auto text, Str(body, field, required));
  if (text.empty()) return Timestamp{0};
  auto t = ParseRfc3339(text);
  if (!t)
    return Fail(
        Error::InvalidArgument(
            fmt::format("field '{}': a time in RFC 3339, e.g. 2026-12-01T17:00:00+08:00", field))
            .About(std::string(field), "invalid"));
  return *t;
}

Result<int> IntField(const json::Json& body, std::string_view field, int min, int max) {
  XT_ASSIGN_OR_RETURN(auto v, json::RequireInt(body, field));
  if (v < min || v > max)
    return Fail(Error::InvalidArgument(fmt::format("field '{}': {}–{}", field, min, max))
                    .About(std::string(field), "out_of_range"));
  return static_cast<int>(v);
}

Result<collab::MemberInput> MemberBody(const json::Json& m) {
  if (!m.is_object())
    return Fail(Error::InvalidArgument("field 'members': each member is an object")
                    .About("members", "wrong_type"));
  collab::MemberInput in;
  XT_ASSIGN_OR_RETURN(in.account_id, Str(m, "account_id", true));
  XT_ASSIGN_OR_RETURN(in.unit_id, Str(m, "unit_id", false));
  XT_ASSIGN_OR_RETURN(in.role, Str(m, "role", false));
  if (in.role.empty()) in.role = "member";
  return in;
}

json::Json LinkedRequestsJson(const std::vector<collab::LinkedRequest>& list) {
  json::Json items = json::Json::array();
  for (const auto& q : list)
    items.push_back(
        {{"id", q.id},
         {"number", q.number},
         {"title", q.title},
         {"status", q.status},
         {"unit_name", q.unit_name.empty() ? json::Json(nullptr) : json::Json(q.unit_name)},
         {"received_at", FormatRfc3339(q.received_at)}});
  return items;
}

ParamDoc Id(std::string what) { return doc::PathId("id", std::move(what)); }

}  // namespace

void RegisterCollabRoutes(Api& api, CollabService& collab) {
  Router& r = api.router();
  const std::string forces = "/api/v1/taskforces";
  const std::string tasks = "/api/v1/tasks";
  const std::string directives = "/api/v1/directives";
  const std::string channels = "/api/v1/channels";

  // --- task forces ---
  {
    RouteDoc d = Doc("Form a task force (专班)", "成立专班");
    d.description =
        "The founder becomes its lead (牵头人) and it is led from their unit (or unit_id, "
        "where they may open task forces). members: account_id, unit_id (one of the "
        "account's units; default its first), role lead | member | liaison. A channel of its "
        "members is created with it.";
    d.body = {doc::Json(doc::Ref("NewTaskForce"))};
    d.answers = {doc::Ok(doc::Ref("TaskForceDetail"), 201)};
    d.errors = {400, 403, 404};
    r.Add("POST", forces, Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      collab::NewTaskForce in;
      XT_ASSIGN_OR_RETURN(in.title, Str(body, "title", true));
      XT_ASSIGN_OR_RETURN(in.subject_kind, Str(body, "subject_kind", false));
      if (in.subject_kind.empty()) in.subject_kind = "other";
      XT_ASSIGN_OR_RETURN(in.subject_id, Str(body, "subject_id", false));
      XT_ASSIGN_OR_RETURN(in.goal, Str(body, "goal", true));
      XT_ASSIGN_OR_RETURN(in.charter, Str(body, "charter", false));
      XT_ASSIGN_OR_RETURN(in.deadline, TimeField(body, "deadline", true));
      XT_ASSIGN_OR_RETURN(in.unit_id, Str(body, "unit_id", false));
      if (auto it = body.find("members"); it != body.end() && !it->is_null()) {
        if (!it->is_array())
          return Fail(Error::InvalidArgument("field 'members': must be an array")
                          .About("members", "wrong_type"));
        for (const auto& m : *it) {
          XT_ASSIGN_OR_RETURN(auto member, MemberBody(m));
          in.members.push_back(std::move(member));
        }
      }
      XT_ASSIGN_OR_RETURN(in.request_ids, json::StringArray(body, "request_ids"));
      XT_ASSIGN_OR_RETURN(auto view, collab.CreateForce(req.actor(), in));
      return Response::Json(201, ForceDetailJson(view));
    });
  }
  {
    RouteDoc d = Doc("My task forces, or those I oversee", "我的专班");
    d.query = {doc::QueryParam("scope",
                               "mine (member of; default) or overseen (led from units "
                               "in my leader or supervisor scope)",
                               doc::Enum({"mine", "overseen"}))};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("TaskForce")))};
    d.errors = {400, 403};
    r.Add("GET", forces, Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      const auto scope = req.Query("scope").value_or("mine");
      if (scope != "mine" && scope != "overseen")
        return Fail(
            Error::InvalidArgument("'scope' is mine or overseen").About("scope", "unknown"));
      XT_ASSIGN_OR_RETURN(auto list, scope == "mine" ? collab.MyForces(req.actor())
                                                     : collab.OverseenForces(req.actor()));
      json::Json items = json::Json::array();
      for (const auto& f : list) items.push_back(ForceJson(f));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("A task force: members, tasks, milestones and what is overdue", "专班详情");
    d.description =
        "Members see it whatever their usual scope; others 404. A dissolved force stays "
        "readable to its leads and overseers.";
    d.path = {Id("the task force")};
    d.answers = {doc::Ok(doc::Ref("TaskForceDetail"))};
    d.errors = {404};
    r.Add("GET", forces + "/{id}", Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto view, collab.GetForce(req.actor(), req.Param("id")));
      return Response::Json(200, ForceDetailJson(view));
    });
  }
  {
    RouteDoc d = Doc("Add a member (leads and liaisons)", "添加专班成员");
    d.path = {Id("the task force")};
    d.body = {doc::Json(doc::Ref("NewTaskForceMember"))};
    d.answers = {doc::Ok(doc::Ref("TaskForceMember"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", forces + "/{id}/members", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto in, MemberBody(body));
            XT_ASSIGN_OR_RETURN(auto m, collab.AddMember(req.actor(), req.Param("id"), in));
            return Response::Json(201, MemberJson(m));
          });
  }
  {
    RouteDoc d = Doc("The requests a task force works on", "专班关联诉求");
    d.description =
        "The requests of the hotspot the force was formed from and those handed to it, as "
        "summaries (number, title, status, handling unit) that every member reads whatever "
        "their usual scope; the request itself stays behind the requests' own rules.";
    d.path = {Id("the task force")};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("LinkedRequest")))};
    d.errors = {404};
    r.Add("GET", forces + "/{id}/requests", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list, collab.ForceRequests(req.actor(), req.Param("id")));
            return Response::Json(200, {{"items", LinkedRequestsJson(list)}});
          });
  }
  {
    RouteDoc d = Doc("Hand requests to a task force (leads and liaisons)", "诉求交专班办理");
    d.description = "Each request must be one the caller may read; linking one twice is fine.";
    d.path = {Id("the task force")};
    d.body = {
        doc::Json(doc::Object({{"request_ids", doc::ArrayOf(doc::String(1))}}, {"request_ids"}))};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("LinkedRequest")))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", forces + "/{id}/requests", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto ids, json::StringArray(body, "request_ids"));
            XT_ASSIGN_OR_RETURN(auto list, collab.LinkRequests(req.actor(), req.Param("id"), ids));
            return Response::Json(200, {{"items", LinkedRequestsJson(list)}});
          });
  }
  {
    RouteDoc d =
        Doc("Reply to a linked request's resident in the force's name (the lead)", "专班答复诉求");
    d.description =
        "The force's lead (牵头人) answers a request handed to the force although it stays with "
        "its handling unit: the request's own rules apply as to any reply (409 unless it is in "
        "hand at a unit), its event names the force, and the force's channel is told. 404 for "
        "a request not linked to the force; 403 for members who are not its lead.";
    d.path = {Id("the task force"), doc::PathId("request_id", "the linked request")};
    d.body = {doc::Json(doc::Object(
        {{"text", doc::String(1)}, {"attachment_ids", doc::ArrayOf(doc::String(1))}}, {"text"}))};
    d.answers = {doc::Ok(doc::Ref("LinkedRequest"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", forces + "/{id}/requests/{request_id}/reply", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto text, Str(body, "text", true));
            XT_ASSIGN_OR_RETURN(auto files, json::StringArray(body, "attachment_ids"));
            XT_ASSIGN_OR_RETURN(
                auto q, collab.ReplyToRequest(req.actor(), req.Param("id"), req.Param("request_id"),
                                              std::move(text), std::move(files)));
            return Response::Json(200, LinkedRequestsJson({q})[0]);
          });
  }
  {
    RouteDoc d = Doc("Remove a member (a lead), or leave (oneself)", "移出或退出专班");
    d.path = {Id("the task force"), doc::PathId("account_id", "the member's account")};
    d.answers = {doc::NoContent("removed; they no longer see the force or its channel")};
    d.errors = {403, 404, 409};
    r.Add("POST", forces + "/{id}/members/{account_id}/remove", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_TRY_VOID(collab.RemoveMember(req.actor(), req.Param("id"), req.Param("account_id")));
            return Response::NoContent();
          });
  }
  {
    RouteDoc d = Doc("Add a task (leads and liaisons)", "分派专班任务");
    d.description =
        "deadline_days counts working days on the platform's calendar from now; depends_on "
        "names tasks of the same force that must be done before this one starts.";
    d.path = {Id("the task force")};
    d.body = {doc::Json(doc::Ref("NewForceTask"))};
    d.answers = {doc::Ok(doc::Ref("ForceTask"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", forces + "/{id}/tasks", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            collab::NewTask in;
            XT_ASSIGN_OR_RETURN(in.title, Str(body, "title", true));
            XT_ASSIGN_OR_RETURN(in.description, Str(body, "description", false));
            XT_ASSIGN_OR_RETURN(in.owner_account_id, Str(body, "owner_account_id", true));
            XT_ASSIGN_OR_RETURN(in.owner_unit_id, Str(body, "owner_unit_id", false));
            XT_ASSIGN_OR_RETURN(in.deadline_days,
                                IntField(body, "deadline_days", 1, collab::kMaxTaskDays));
            XT_ASSIGN_OR_RETURN(in.depends_on, json::StringArray(body, "depends_on"));
            XT_ASSIGN_OR_RETURN(auto t, collab.AddTask(req.actor(), req.Param("id"), in));
            return Response::Json(201, TaskJson(t));
          });
  }
  {
    RouteDoc d = Doc("Add a milestone: 立项 → 审批 → 建设 → 验收", "添加里程碑");
    d.path = {Id("the task force")};
    d.body = {doc::Json(
        doc::Object({{"stage", doc::Enum({"initiation", "approval", "construction", "acceptance"})},
                     {"due", doc::DateTime()},
                     {"budget_fen", doc::Integer()}},
                    {"stage", "due"}))};
    d.answers = {doc::Ok(doc::Ref("Milestone"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", forces + "/{id}/milestones", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto stage, Str(body, "stage", true));
            XT_ASSIGN_OR_RETURN(auto due, TimeField(body, "due", true));
            std::int64_t budget = 0;
            if (body.contains("budget_fen")) {
              XT_ASSIGN_OR_RETURN(budget, json::RequireInt(body, "budget_fen"));
            }
            XT_ASSIGN_OR_RETURN(
                auto m, collab.AddMilestone(req.actor(), req.Param("id"), stage, due, budget));
            return Response::Json(201, MilestoneJson(m));
          });
  }
  {
    RouteDoc d = Doc("Dissolve a task force (a lead)", "撤销专班");
    d.description =
        "summary says what was done; handover maps each open task's id to the account that "
        "takes it over. Afterwards the force and its channel are read-only (409 on writes).";
    d.path = {Id("the task force")};
    d.body = {doc::Json(
        doc::Object({{"summary", doc::String(1)},
                     {"handover", {{"type", "object"}, {"additionalProperties", doc::String(1)}}}},
                    {"summary"}))};
    d.answers = {doc::Ok(doc::Ref("TaskForce"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", forces + "/{id}/dissolve", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto summary, Str(body, "summary", true));
            std::map<std::string, std::string> handover;
            if (auto it = body.find("handover"); it != body.end() && !it->is_null()) {
              if (!it->is_object())
                return Fail(
                    Error::InvalidArgument("field 'handover': an object of task id → account id")
                        .About("handover", "wrong_type"));
              for (const auto& [task, to] : it->items()) {
                if (!to.is_string())
                  return Fail(
                      Error::InvalidArgument("field 'handover': each task maps to an account id")
                          .About("handover", "wrong_type"));
                handover[task] = to.get<std::string>();
              }
            }
            XT_ASSIGN_OR_RETURN(auto f, collab.Dissolve(req.actor(), req.Param("id"),
                                                        std::move(summary), handover));
            return Response::Json(200, ForceJson(f));
          });
  }

  // --- tasks ---
  {
    RouteDoc d = Doc("Overdue tasks of the forces I lead or liaise for", "逾期任务");
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("ForceTask")))};
    r.Add("GET", tasks + "/overdue", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list, collab.OverdueForMe(req.actor()));
            json::Json items = json::Json::array();
            for (const auto& t : list) items.push_back(TaskJson(t));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Move a task: todo, doing, done, blocked", "变更任务状态");
    d.description =
        "Its owner or a lead. doing and done need every task it depends on done (409 "
        "otherwise); done is final.";
    d.path = {Id("the task")};
    d.body = {doc::Json(
        doc::Object({{"status", doc::Enum({"todo", "doing", "done", "blocked"})}}, {"status"}))};
    d.answers = {doc::Ok(doc::Ref("ForceTask"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", tasks + "/{id}/status", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto status, Str(body, "status", true));
            XT_ASSIGN_OR_RETURN(auto t, collab.SetTaskStatus(req.actor(), req.Param("id"), status));
            return Response::Json(200, TaskJson(t));
          });
  }
  {
    RouteDoc d = Doc("Give a task to another member (a lead)", "改派任务");
    d.path = {Id("the task")};
    d.body = {doc::Json(doc::Object({{"owner_account_id", doc::String(1)}}, {"owner_account_id"}))};
    d.answers = {doc::Ok(doc::Ref("ForceTask"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", tasks + "/{id}/reassign", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto owner, Str(body, "owner_account_id", true));
            XT_ASSIGN_OR_RETURN(auto t, collab.ReassignTask(req.actor(), req.Param("id"), owner));
            return Response::Json(200, TaskJson(t));
          });
  }
  {
    RouteDoc d = Doc("Change what a task waits for (no cycles)", "设置任务依赖");
    d.path = {Id("the task")};
    d.body = {
        doc::Json(doc::Object({{"depends_on", doc::ArrayOf(doc::String(1))}}, {"depends_on"}))};
    d.answers = {doc::Ok(doc::Ref("ForceTask"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", tasks + "/{id}/dependencies", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto deps, json::StringArray(body, "depends_on"));
            XT_ASSIGN_OR_RETURN(auto t, collab.SetDependencies(req.actor(), req.Param("id"), deps));
            return Response::Json(200, TaskJson(t));
          });
  }
  {
    RouteDoc d = Doc("Report progress on a task", "报告任务进展");
    d.description =
        "Its owner or a lead: text, percent 0–100 and files uploaded before (POST "
        "/api/v1/attachments). The first report starts a task that was to do.";
    d.path = {Id("the task")};
    d.body = {doc::Json(doc::Object({{"text", doc::String(1)},
                                     {"percent", doc::IntegerIn(0, 100)},
                                     {"file_ids", doc::ArrayOf(doc::String(1))}},
                                    {"text", "percent"}))};
    d.answers = {doc::Ok(doc::Ref("ProgressReport"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", tasks + "/{id}/reports", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            collab::NewReport in;
            XT_ASSIGN_OR_RETURN(in.text, Str(body, "text", true));
            XT_ASSIGN_OR_RETURN(in.percent, IntField(body, "percent", 0, 100));
            XT_ASSIGN_OR_RETURN(in.file_ids, json::StringArray(body, "file_ids"));
            XT_ASSIGN_OR_RETURN(auto rep, collab.ReportProgress(req.actor(), req.Param("id"), in));
            return Response::Json(201, ReportJson(rep));
          });
  }
  {
    RouteDoc d = Doc("A task's progress reports", "任务进展");
    d.path = {Id("the task")};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("ProgressReport")))};
    d.errors = {404};
    r.Add("GET", tasks + "/{id}/reports", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list, collab.Reports(req.actor(), req.Param("id")));
            json::Json items = json::Json::array();
            for (const auto& rep : list) items.push_back(ReportJson(rep));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Confirm a volunteer's hours on a task", "确认志愿服务时长");
    d.description =
        "A lead of the task's active force confirms the minutes (15–720, in steps of 15) an "
        "active resident account served on a day (YYYY-MM-DD, today or up to 30 days back); "
        "the volunteer does not become a member. Each task, person and day once (409 "
        "already_confirmed); 400 not_resident for any other account.";
    d.path = {Id("the task")};
    d.body = {doc::Json(doc::Ref("NewVolunteerHours"))};
    d.answers = {doc::Ok(doc::Ref("VolunteerHours"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", tasks + "/{id}/volunteer-hours", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            collab::VolunteerHoursInput in;
            XT_ASSIGN_OR_RETURN(in.volunteer_account_id, Str(body, "volunteer_account_id", true));
            XT_ASSIGN_OR_RETURN(in.day, Str(body, "day", true));
            XT_ASSIGN_OR_RETURN(in.minutes, IntField(body, "minutes", 1, 1440));
            XT_ASSIGN_OR_RETURN(in.note, Str(body, "note", false));
            XT_ASSIGN_OR_RETURN(auto h,
                                collab.ConfirmVolunteerHours(req.actor(), req.Param("id"), in));
            return Response::Json(201, VolunteerHoursJson(h));
          });
  }
  {
    RouteDoc d = Doc("A task's confirmed volunteer hours", "任务志愿服务时长");
    d.path = {Id("the task")};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("VolunteerHours")))};
    d.errors = {404};
    r.Add("GET", tasks + "/{id}/volunteer-hours", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list, collab.VolunteerHoursOf(req.actor(), req.Param("id")));
            json::Json items = json::Json::array();
            for (const auto& h : list) items.push_back(VolunteerHoursJson(h));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Record spend on a milestone, or that it is reached", "登记里程碑");
    d.path = {Id("the milestone")};
    d.body = {
        doc::Json(doc::Object({{"spent_fen", doc::Integer()}, {"reached", doc::Boolean()}}, {}))};
    d.answers = {doc::Ok(doc::Ref("Milestone"))};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", "/api/v1/milestones/{id}/record", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            std::int64_t spent = 0;
            if (body.contains("spent_fen")) {
              XT_ASSIGN_OR_RETURN(spent, json::RequireInt(body, "spent_fen"));
            }
            XT_ASSIGN_OR_RETURN(auto reached, json::OptionalBool(body, "reached"));
            XT_ASSIGN_OR_RETURN(auto m, collab.RecordMilestone(req.actor(), req.Param("id"), spent,
                                                               reached.value_or(false)));
            return Response::Json(200, MilestoneJson(m));
          });
  }

  // --- directives ---
  {
    RouteDoc d = Doc("Send a directive (通知/指令) to units", "下发通知");
    d.description =
        "To the people of to_units (and of every unit below them when include_subtree, the "
        "default), each once: one receipt per person, stored with the directive. ack_by: when "
        "they must have acknowledged (签收). A retry with the same Idempotency-Key answers the "
        "first directive: nobody receives it twice.";
    d.headers = {doc::IdempotencyKey()};
    d.body = {doc::Json(doc::Ref("NewDirective"))};
    d.answers = {doc::Ok(doc::Ref("Directive"), 201)};
    d.errors = {400, 403, 404};
    r.Add("POST", directives, Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      collab::NewDirective in;
      XT_ASSIGN_OR_RETURN(in.title, Str(body, "title", true));
      XT_ASSIGN_OR_RETURN(in.body, Str(body, "body", true));
      XT_ASSIGN_OR_RETURN(in.from_unit_id, Str(body, "from_unit_id", false));
      XT_ASSIGN_OR_RETURN(in.to_units, json::StringArray(body, "to_units"));
      XT_ASSIGN_OR_RETURN(auto subtree, json::OptionalBool(body, "include_subtree"));
      in.include_subtree = subtree.value_or(true);
      XT_ASSIGN_OR_RETURN(in.ack_by, TimeField(body, "ack_by", false));
      in.idempotency_key = std::string(req.Header("idempotency-key"));
      XT_ASSIGN_OR_RETURN(auto sent, collab.SendDirective(req.actor(), in));
      return Response::Json(201, DirectiveJson(sent));
    });
  }
  {
    RouteDoc d = Doc("Directives I received (with my receipt), or my units sent", "通知列表");
    d.query = {doc::QueryParam("box", "inbox (default) or sent", doc::Enum({"inbox", "sent"})),
               doc::Limit()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("DirectiveListed")))};
    d.errors = {400};
    r.Add("GET", directives, Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
      const auto box = req.Query("box").value_or("inbox");
      if (box == "inbox") {
        XT_ASSIGN_OR_RETURN(auto list, collab.Inbox(req.actor(), limit));
        return Response::Json(200, InboxJson(list));
      }
      if (box != "sent")
        return Fail(Error::InvalidArgument("'box' is inbox or sent").About("box", "unknown"));
      XT_ASSIGN_OR_RETURN(auto list, collab.Sent(req.actor(), limit));
      json::Json items = json::Json::array();
      for (const auto& x : list) items.push_back(DirectiveJson(x));
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("A directive, with my receipt when I received it", "通知详情");
    d.path = {Id("the directive")};
    d.answers = {doc::Ok(doc::Ref("DirectiveListed"))};
    d.errors = {404};
    r.Add("GET", directives + "/{id}", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto v, collab.GetDirective(req.actor(), req.Param("id")));
            json::Json j = DirectiveJson(v.directive);
            j["receipt"] = v.my_receipt ? ReceiptJson(*v.my_receipt) : json::Json(nullptr);
            return Response::Json(200, j);
          });
  }
  {
    RouteDoc d = Doc("Mark a directive read (the first opening is recorded)", "通知已读");
    d.path = {Id("the directive")};
    d.answers = {doc::Ok(doc::Ref("Receipt"))};
    d.errors = {403, 404};
    r.Add("POST", directives + "/{id}/read", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto rec, collab.MarkRead(req.actor(), req.Param("id")));
            return Response::Json(200, ReceiptJson(rec));
          });
  }
  {
    RouteDoc d = Doc("Acknowledge (签收) a directive, for oneself", "签收通知");
    d.description =
        "Only a recipient, for themself; unit_id, when sent, must be the unit they received it "
        "through (403 otherwise: nobody acknowledges for another unit). A repeat answers the "
        "first acknowledgement.";
    d.path = {Id("the directive")};
    d.body = {doc::Json(doc::Object({{"note", doc::String()}, {"unit_id", doc::String()}}, {}))};
    d.body_required = false;
    d.answers = {doc::Ok(doc::Ref("Receipt"))};
    d.errors = {400, 403, 404};
    r.Add("POST", directives + "/{id}/ack", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, OptionalJsonBody(req));
            XT_ASSIGN_OR_RETURN(auto note, Str(body, "note", false));
            XT_ASSIGN_OR_RETURN(auto unit, Str(body, "unit_id", false));
            XT_ASSIGN_OR_RETURN(auto rec,
                                collab.Acknowledge(req.actor(), req.Param("id"), note, unit));
            return Response::Json(200, ReceiptJson(rec));
          });
  }
  {
    RouteDoc d = Doc("The sender's receipt table, by unit and by person", "签收情况");
    d.path = {Id("the directive")};
    d.answers = {doc::Ok(doc::Ref("ReceiptTable"))};
    d.errors = {403, 404};
    r.Add("GET", directives + "/{id}/receipts", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto v, collab.Receipts(req.actor(), req.Param("id")));
            json::Json units = json::Json::array(), items = json::Json::array();
            for (const auto& u : v.table.units)
              units.push_back({{"unit_id", u.unit_id},
                               {"unit_name", u.unit_name},
                               {"recipients", u.recipients},
                               {"read", u.read},
                               {"acknowledged", u.acknowledged}});
            for (const auto& rec : v.receipts) items.push_back(ReceiptJson(rec));
            return Response::Json(200,
                                  {{"directive", DirectiveJson(v.directive)},
                                   {"recipients", v.table.recipients},
                                   {"read", v.table.read},
                                   {"acknowledged", v.table.acknowledged},
                                   {"units", std::move(units)},
                                   {"units_not_acknowledged", v.table.units_not_acknowledged},
                                   {"units_without_recipients", v.table.units_without_recipients},
                                   {"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Recipients not acknowledged past ack_by (to remind)", "待催办签收");
    d.path = {Id("the directive")};
    d.query = {doc::Limit()};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("Receipt")))};
    d.errors = {400, 404};
    r.Add("GET", directives + "/{id}/reminders", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
            XT_ASSIGN_OR_RETURN(auto list,
                                collab.PendingReminders(req.actor(), req.Param("id"), limit));
            json::Json items = json::Json::array();
            for (const auto& i : list) items.push_back(ReceiptJson(i.receipt));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }

  // --- channels ---
  {
    RouteDoc d = Doc("My channels, with unread counts", "我的频道");
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("ChatChannelListed")))};
    r.Add("GET", channels, Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto list, collab.MyChannels(req.actor()));
      json::Json items = json::Json::array();
      for (const auto& s : list) {
        json::Json j = ChannelJson(s.channel);
        j["read_seq"] = s.read_seq;
        j["unread"] = s.unread;
        items.push_back(std::move(j));
      }
      return Response::Json(200, {{"items", std::move(items)}});
    });
  }
  {
    RouteDoc d = Doc("Start a group channel", "创建群组");
    d.body = {doc::Json(doc::Object(
        {{"title", doc::String(1)}, {"members", doc::ArrayOf(doc::String(1))}}, {"title"}))};
    d.answers = {doc::Ok(doc::Ref("ChatChannel"), 201)};
    d.errors = {400, 403, 404};
    r.Add("POST", channels, Auth::kRequired, d, [&collab](Request& req) -> Result<Response> {
      XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
      XT_ASSIGN_OR_RETURN(auto title, Str(body, "title", true));
      XT_ASSIGN_OR_RETURN(auto members, json::StringArray(body, "members"));
      XT_ASSIGN_OR_RETURN(auto c, collab.CreateGroup(req.actor(), std::move(title), members));
      return Response::Json(201, ChannelJson(c));
    });
  }
  {
    RouteDoc d = Doc("The 1-1 channel with another person (the same one every time)", "私聊");
    d.body = {doc::Json(doc::Object({{"account_id", doc::String(1)}}, {"account_id"}))};
    d.answers = {doc::Ok(doc::Ref("ChatChannel"))};
    d.errors = {400, 403, 404};
    r.Add("POST", channels + "/direct", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto other, Str(body, "account_id", true));
            XT_ASSIGN_OR_RETURN(auto c, collab.OpenDirect(req.actor(), other));
            return Response::Json(200, ChannelJson(c));
          });
  }
  {
    RouteDoc d = Doc("A channel's members and their read markers", "频道成员");
    d.path = {Id("the channel")};
    d.answers = {doc::Ok(doc::ItemsOf(doc::Ref("ChatChannelMember")))};
    d.errors = {403, 404};
    r.Add("GET", channels + "/{id}/members", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto list, collab.ChannelMembers(req.actor(), req.Param("id")));
            json::Json items = json::Json::array();
            for (const auto& m : list) items.push_back(ChannelMemberJson(m));
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Add someone to a group channel (any member)", "添加群成员");
    d.path = {Id("the channel")};
    d.body = {doc::Json(doc::Object({{"account_id", doc::String(1)}}, {"account_id"}))};
    d.answers = {doc::Ok(doc::Ref("ChatChannelMember"), 201)};
    d.errors = {400, 403, 404, 409};
    r.Add("POST", channels + "/{id}/members", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto who, Str(body, "account_id", true));
            XT_ASSIGN_OR_RETURN(auto m, collab.AddChannelMember(req.actor(), req.Param("id"), who));
            return Response::Json(201, ChannelMemberJson(m));
          });
  }
  {
    RouteDoc d = Doc("Leave a group channel", "退出群组");
    d.path = {Id("the channel")};
    d.answers = {doc::NoContent("left; posting there is refused from now on")};
    d.errors = {403, 404, 409};
    r.Add("POST", channels + "/{id}/leave", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_TRY_VOID(collab.LeaveChannel(req.actor(), req.Param("id")));
            return Response::NoContent();
          });
  }
  {
    RouteDoc d = Doc("Post a message", "发送消息");
    d.description =
        "Members only (403 otherwise, nothing stored). text: up to 8 KiB of UTF-8 (413 "
        "beyond); @username mentions members; parent_id answers in a thread; file_ids are "
        "uploads of the author's. 409 in a dissolved task force's channel.";
    d.path = {Id("the channel")};
    d.body = {doc::Json(doc::Ref("NewChatMessage"))};
    d.answers = {doc::Ok(doc::Ref("ChatMessage"), 201)};
    d.errors = {400, 403, 404, 409, 413};
    r.Add("POST", channels + "/{id}/messages", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            collab::NewMessage in;
            XT_ASSIGN_OR_RETURN(in.text, Str(body, "text", true));
            XT_ASSIGN_OR_RETURN(in.parent_id, Str(body, "parent_id", false));
            XT_ASSIGN_OR_RETURN(in.file_ids, json::StringArray(body, "file_ids"));
            XT_ASSIGN_OR_RETURN(auto m, collab.Post(req.actor(), req.Param("id"), in));
            return Response::Json(201, MessageJson(m));
          });
  }
  {
    RouteDoc d = Doc("A channel's messages, oldest first", "频道消息");
    d.description =
        "Without cursor: the newest page. next_cursor continues in the same direction (older "
        "pages from the newest, newer ones after a catch-up); resume_cursor, kept by the "
        "client, answers exactly what was posted since — after a reconnect, nothing is lost "
        "or repeated.";
    d.path = {Id("the channel")};
    d.query = {doc::Cursor(), doc::Limit()};
    d.answers = {doc::Ok(doc::Ref("ChatMessagePage"))};
    d.errors = {400, 403, 404};
    r.Add("GET", channels + "/{id}/messages", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
            XT_ASSIGN_OR_RETURN(auto page,
                                collab.Messages(req.actor(), req.Param("id"),
                                                req.Query("cursor").value_or(""), limit));
            json::Json items = json::Json::array();
            for (const auto& m : page.items) items.push_back(MessageJson(m));
            return Response::Json(200, {{"items", std::move(items)},
                                        {"next_cursor", OrNull(page.next_cursor)},
                                        {"resume_cursor", page.resume_cursor}});
          });
  }
  {
    RouteDoc d = Doc("Search the messages one may read", "消息搜索");
    d.description =
        "Messages containing q (1–100 characters; ASCII letters in either case) in the channels "
        "the caller is a member of, or only channel_id (403 for a channel one is not in), "
        "newest first. A member who left no longer finds that channel's messages.";
    d.query = {doc::QueryParam("q", "the words to look for", doc::String(1), true),
               doc::QueryParam("channel_id", "only this channel"), doc::Limit()};
    d.answers = {
        doc::Ok(doc::Object({{"items", doc::ArrayOf(doc::Ref("ChatMessageHit"))}}, {"items"}))};
    d.errors = {400, 403, 404};
    r.Add("GET", "/api/v1/messages/search", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(const int limit, LimitParam(req));
            XT_ASSIGN_OR_RETURN(auto hits,
                                collab.SearchMessages(req.actor(), req.Query("q").value_or(""),
                                                      req.Query("channel_id").value_or(""), limit));
            json::Json items = json::Json::array();
            for (const auto& h : hits) {
              json::Json m = MessageJson(h.message);
              m["channel_title"] = h.channel_title;
              m["channel_kind"] = collab::ChannelKindName(h.channel_kind);
              items.push_back(std::move(m));
            }
            return Response::Json(200, {{"items", std::move(items)}});
          });
  }
  {
    RouteDoc d = Doc("Mark a channel read up to a message number", "标记已读");
    d.path = {Id("the channel")};
    d.body = {doc::Json(doc::Object({{"seq", doc::Integer()}}, {"seq"}))};
    d.answers = {doc::NoContent("the read marker moved (never back)")};
    d.errors = {400, 403, 404};
    r.Add("POST", channels + "/{id}/read", Auth::kRequired, d,
          [&collab](Request& req) -> Result<Response> {
            XT_ASSIGN_OR_RETURN(auto body, JsonBody(req));
            XT_ASSIGN_OR_RETURN(auto seq, json::RequireInt(body, "seq"));
            XT_TRY_VOID(collab.MarkChannelRead(req.actor(), req.Param("id"), seq));
            return Response::NoContent();
          });
  }

  // --- report forms (report_form_handlers.cc) ---
  RegisterReportFormRoutes(api, collab);
}

json::Json CollabSchemas() {
  using namespace doc;
  const json::Json time = Nullable(DateTime());
  const json::Json ids = ArrayOf(String(1));
  auto closed = [](json::Json props) {
    std::vector<std::string> required;
    for (const auto& [k, v] : props.items()) required.push_back(k);
    return Object(std::move(props), std::move(required));
  };
  const json::Json member_input = Object({{"account_id", String(1)},
                                          {"unit_id", String()},
                                          {"role", Enum({"lead", "member", "liaison"})}},
                                         {"account_id"});
  json::Json force = {{"id", String(1)},
                      {"title", String(1)},
                      {"subject_kind", Enum({"request", "hotspot", "bundle", "project", "other"})},
                      {"subject_id", Nullable(String(1))},
                      {"goal", String()},
                      {"charter", String()},
                      {"deadline", time},
                      {"unit_id", String(1)},
                      {"unit_name", String()},
                      {"created_by", String(1)},
                      {"created_at", time},
                      {"status", Enum({"active", "dissolved"})},
                      {"channel_id", String(1)},
                      {"dissolved_at", time},
                      {"summary", Nullable(String())}};
  json::Json member = {{"account_id", String(1)},  {"username", String()},
                       {"display_name", String()}, {"unit_id", String(1)},
                       {"unit_name", String()},    {"role", Enum({"lead", "member", "liaison"})},
                       {"added_at", time}};
  json::Json task = {{"id", String(1)},
                     {"force_id", String(1)},
                     {"title", String(1)},
                     {"description", String()},
                     {"owner_unit_id", String(1)},
                     {"owner_unit_name", String()},
                     {"owner_account_id", String(1)},
                     {"deadline_days", Integer()},
                     {"deadline", time},
                     {"depends_on", ids},
                     {"status", Enum({"todo", "doing", "done", "blocked"})},
                     {"percent", IntegerIn(0, 100)},
                     {"created_at", time},
                     {"updated_at", time},
                     {"handed_to", Nullable(String(1))}};
  json::Json milestone = {{"id", String(1)},
                          {"force_id", String(1)},
                          {"stage", Enum({"initiation", "approval", "construction", "acceptance"})},
                          {"due", time},
                          {"budget_fen", Integer()},
                          {"spent_fen", Integer()},
                          {"reached_at", time}};
  json::Json detail = force;
  detail["members"] = ArrayOf(Ref("TaskForceMember"));
  detail["tasks"] = ArrayOf(Ref("ForceTask"));
  detail["milestones"] = ArrayOf(Ref("Milestone"));
  detail["overdue"] = ids;
  detail["my_role"] = Nullable(Enum({"lead", "member", "liaison"}));
  json::Json report = {
      {"id", String(1)},   {"task_id", String(1)},         {"account_id", String(1)},
      {"text", String(1)}, {"percent", IntegerIn(0, 100)}, {"file_ids", ids},
      {"at", time}};
  json::Json directive = {{"id", String(1)},
                          {"title", String(1)},
                          {"body", String(1)},
                          {"from_unit_id", String(1)},
                          {"from_unit_name", String()},
                          {"sender_id", String(1)},
                          {"sender_name", String()},
                          {"to_units", ids},
                          {"include_subtree", Boolean()},
                          {"ack_by", time},
                          {"created_at", time},
                          {"recipients", Integer()}};
  json::Json receipt = {
      {"directive_id", String(1)}, {"account_id", String(1)}, {"display_name", String()},
      {"unit_id", String(1)},      {"unit_name", String()},   {"received_at", time},
      {"read_at", time},           {"acked_at", time},        {"ack_note", String()}};
  json::Json listed = directive;
  listed["receipt"] = Nullable(Ref("Receipt"));
  std::vector<std::string> listed_required;
  for (const auto& [k, v] : directive.items()) listed_required.push_back(k);
  json::Json channel = {{"id", String(1)},
                        {"kind", Enum({"force", "group", "direct"})},
                        {"force_id", Nullable(String(1))},
                        {"title", String()},
                        {"created_at", time},
                        {"last_seq", Integer()},
                        {"archived", Boolean()}};
  json::Json channel_listed = channel;
  channel_listed["read_seq"] = Integer();
  channel_listed["unread"] = Integer();
  json::Json message = {{"id", String(1)},         {"channel_id", String(1)},
                        {"seq", Integer()},        {"author_id", String(1)},
                        {"author_name", String()}, {"text", String(1)},
                        {"mentions", ids},         {"parent_id", Nullable(String(1))},
                        {"file_ids", ids},         {"at", time}};
  json::Json message_hit = message;
  message_hit["channel_title"] = String();
  message_hit["channel_kind"] = Enum({"force", "group", "direct"});
  return {
      {"NewTaskForce",
       Object({{"title", String(1, collab::kMaxTitleChars)},
               {"subject_kind", Enum({"request", "hotspot", "bundle", "project", "other"})},
               {"subject_id", String()},
               {"goal", String(1, collab::kMaxTextChars)},
               {"charter", String(0, collab::kMaxTextChars)},
               {"deadline", DateTime()},
               {"unit_id", String()},
               {"members", ArrayOf(member_input)},
               {"request_ids", ArrayOf(String(1))}},
              {"title", "goal", "deadline"})},
      {"NewTaskForceMember", member_input},
      {"LinkedRequest", closed({{"id", String(1)},
                                {"number", String()},
                                {"title", String()},
                                {"status", String(1)},
                                {"unit_name", Nullable(String())},
                                {"received_at", time}})},
      {"TaskForce", closed(force)},
      {"TaskForceDetail", closed(detail)},
      {"TaskForceMember", closed(member)},
      {"NewForceTask", Object({{"title", String(1, collab::kMaxTitleChars)},
                               {"description", String()},
                               {"owner_account_id", String(1)},
                               {"owner_unit_id", String()},
                               {"deadline_days", IntegerIn(1, collab::kMaxTaskDays)},
                               {"depends_on", ids}},
                              {"title", "owner_account_id", "deadline_days"})},
      {"ForceTask", closed(task)},
      {"Milestone", closed(milestone)},
      {"ProgressReport", closed(report)},
      {"NewVolunteerHours",
       Object({{"volunteer_account_id", String(1)},
               {"day", String(10, 10)},
               {"minutes", IntegerIn(collab::kMinVolunteerMinutes, collab::kMaxVolunteerMinutes)},
               {"note", String(0, collab::kMaxVolunteerNoteChars)}},
              {"volunteer_account_id", "day", "minutes"})},
      {"VolunteerHours",
       closed({{"id", String(1)},
               {"force_id", String(1)},
               {"task_id", String(1)},
               {"volunteer_id", String(1)},
               {"day", String(10, 10)},
               {"minutes", IntegerIn(collab::kMinVolunteerMinutes, collab::kMaxVolunteerMinutes)},
               {"note", String()},
               {"confirmed_by", String(1)},
               {"confirmed_at", time}})},
      {"NewDirective", Object({{"title", String(1, collab::kMaxTitleChars)},
                               {"body", String(1)},
                               {"from_unit_id", String()},
                               {"to_units", ids},
                               {"include_subtree", Boolean()},
                               {"ack_by", DateTime()}},
                              {"title", "body", "to_units"})},
      {"Directive", closed(directive)},
      {"DirectiveListed", Object(listed, listed_required)},
      {"Receipt", closed(receipt)},
      {"ReceiptTable", Object({{"directive", Ref("Directive")},
                               {"recipients", Integer()},
                               {"read", Integer()},
                               {"acknowledged", Integer()},
                               {"units", ArrayOf(closed({{"unit_id", String(1)},
                                                         {"unit_name", String()},
                                                         {"recipients", Integer()},
                                                         {"read", Integer()},
                                                         {"acknowledged", Integer()}}))},
                               {"units_not_acknowledged", ids},
                               {"units_without_recipients", ids},
                               {"items", ArrayOf(Ref("Receipt"))}},
                              {"directive", "recipients", "read", "acknowledged", "units",
                               "units_not_acknowledged", "units_without_recipients", "items"})},
      {"ChatChannel", closed(channel)},
      {"ChatChannelListed", closed(channel_listed)},
      {"ChatChannelMember", closed({{"account_id", String(1)},
                                    {"username", String()},
                                    {"display_name", String()},
                                    {"read_seq", Integer()}})},
      {"NewChatMessage",
       Object({{"text", String(1)}, {"parent_id", String()}, {"file_ids", ids}}, {"text"})},
      {"ChatMessage", closed(message)},
      {"ChatMessageHit", closed(message_hit)},
      {"ChatMessagePage", Object({{"items", ArrayOf(Ref("ChatMessage"))},
                                  {"next_cursor", Nullable(String(1))},
                                  {"resume_cursor", String(1)}},
                                 {"items", "next_cursor", "resume_cursor"})}};
}

}  // namespace xietong::http
