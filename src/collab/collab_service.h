// 专班 and 协同办公: task forces with their tasks, progress and milestones;
// directives (1-n) with a receipt per recipient; report forms (n-1, 报送/填报)
// with one answer per recipient unit; channels and messages.
//
// Who may do what:
//   identity::Action::kTaskForceOpen (leader, unit_lead, supervisor, admin)
//   forms a task force led from a unit in its scope; the founder is its lead.
//   Inside a force, membership is the authorization (taskforce.h RoleMay):
//   members see the force whatever their usual scope; a person removed
//   from it loses it at once. A dissolved force stays readable to its leads
//   and to kCollabOversee (leader, supervisor, admin over the leading unit);
//   every write to it is Conflict. A force the caller may not see is
//   NotFound; one they see but may not change in this way, PermissionDenied.
//   kDirectiveSend sends directives from a unit to units in the sender's
//   scope; its recipients read and acknowledge (签收) their own receipt;
//   the sender, the sending unit's people with kDirectiveSend and
//   kCollabOversee read the receipt table. Channels: only members read and
//   post (PermissionDenied otherwise); a force's channel has the force's
//   members and is archived (read-only, leads only) when it dissolves.
//   Report forms: kDirectiveSend sends them like directives (to units, not
//   people); any staff member of a recipient unit answers for that unit and
//   only that unit (PermissionDenied otherwise); the completion table and
//   the answers are the sender's (as for receipts); a form is NotFound to
//   anyone who is neither.
//
// Each command runs one transaction: authorize → load → decide (the pure
// rules of taskforce.h, directive.h, report_form.h, channel.h) → store + one
// audit event.
// A directive's receipts are written in the directive's own transaction
// (in multi-row batches): after a crash every recipient has it exactly once
// or nobody has. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "audit/audit_log.h"
#include "collab/channel.h"
#include "collab/collab_store.h"
#include "collab/directive.h"
#include "collab/report_form.h"
#include "collab/report_form_store.h"
#include "collab/request_directory.h"
#include "collab/taskforce.h"
#include "collab/volunteer.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/id.h"
#include "identity/identity_service.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::collab {

// The collab module's tables; needs identity, files and audit.
const storage::Schema& Schema();

struct CollabOptions {
  int receipt_batch = 500;  // receipt rows per INSERT (7 parameters each)
};

struct ForceView {
  TaskForce force;
  std::vector<Member> members;
  std::vector<Task> tasks;
  std::vector<Milestone> milestones;
  std::vector<std::string> overdue;  // ids of tasks past their deadline and not done
  std::optional<ForceRole> my_role;  // nullopt for an overseer who is not a member
};

struct NewReport {
  std::string text = {};
  int percent = 0;
  std::vector<std::string> file_ids = {};
};

struct DirectiveView {
  Directive directive;
  std::optional<Receipt> my_receipt;  // when the caller is a recipient
};

struct ReceiptsView {
  Directive directive;
  ReceiptTable table;
  std::vector<Receipt> receipts;  // each recipient, by account id
};

struct NewMessage {
  std::string text = {};
  std::string parent_id = {};
  std::vector<std::string> file_ids = {};
};

struct MessagePage {
  std::vector<Message> items;  // oldest first
  std::string next_cursor;     // the next page in the same direction; "" when there is none
  std::string resume_cursor;   // newer than everything this reader has now: catch-up from here
};

// What a committed collab event changed, as the live feed names it to the
// pages (http/live.h): a channel's messages, a directive in someone's inbox,
// a directive's receipt table, a task force's workspace. Events of one
// batch with the same topic make one push.
struct LiveTopic {
  std::string type = {};               // "channel", "directive", "receipt", "taskforce"
  std::string id = {};                 // the channel, directive or force id
  std::string task_id = {};            // a task event without its force in the payload
  std::vector<std::string> also = {};  // accounts told besides the audience (one who left)
  bool operator<(const LiveTopic& o) const {
    return std::tie(type, id, task_id) < std::tie(o.type, o.id, o.task_id);
  }
};

// Who hears of a topic: the accounts (a hash set, so a push to thousands of
// sockets is one lookup per socket) and, for a receipt table, whoever may
// read it by role (a pure check of the principal, no I/O).
struct LiveAudience {
  std::string type, id;
  std::int64_t seq = 0;  // "channel": its newest message number
  std::unordered_set<std::string> accounts;
  std::optional<Directive> receipts_of;  // "receipt": also MayReadReceipts(·, this)
};

// --- report forms (报送/填报) ---
struct FormPrefill {
  json::Json values = json::Json::object();  // empty when there is nothing earlier
  std::string from_form_id = {};             // "" when none
};

struct MyFormUnit {
  FormRecipient unit;
  std::optional<FormAnswer> answer;
  std::vector<FormAnswer> versions;  // replaced versions of the answer, oldest first
  FormPrefill prefill;               // only while the unit has not answered
};

struct ReportFormView {
  ReportForm form;
  std::optional<CompletionTable> completion;  // the sender's view
  std::vector<MyFormUnit> mine;               // the caller's units it was sent to
};

struct FormAnswersView {
  ReportForm form;
  CompletionTable completion;
  std::vector<FormAnswer> answers;  // by unit id, late set
};

class CollabService {
 public:
  static constexpr int kMaxPage = 500;

  CollabService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                const WorkCalendar& calendar, identity::IdentityService& identity,
                CollabOptions options = {})
      : db_(db),
        clock_(clock),
        ids_(ids),
        calendar_(calendar),
        identity_(identity),
        options_(options) {}

  // --- task forces ---
  Result<ForceView> CreateForce(const identity::Principal& actor, const NewTaskForce& in);
  Result<ForceView> GetForce(const identity::Principal& actor, std::string_view id);
  // The forces the caller is a member of (dissolved ones only where they led).
  Result<std::vector<TaskForce>> MyForces(const identity::Principal& actor);
  // The forces led from units the caller oversees (kCollabOversee).
  Result<std::vector<TaskForce>> OverseenForces(const identity::Principal& actor);
  Result<Member> AddMember(const identity::Principal& actor, std::string_view force_id,
                           const MemberInput& in);
  // A lead removes anyone; everyone may leave. The last lead cannot go, nor
  // anyone who still owns open tasks (ReassignTask them first).
  Result<void> RemoveMember(const identity::Principal& actor, std::string_view force_id,
                            std::string_view account_id);
  // handover: each open task's id → the account that takes it over.
  Result<TaskForce> Dissolve(const identity::Principal& actor, std::string_view force_id,
                             std::string summary,
                             const std::map<std::string, std::string>& handover);

  // --- tasks and milestones ---
  Result<Task> AddTask(const identity::Principal& actor, std::string_view force_id,
                       const NewTask& in);
  Result<Task> SetTaskStatus(const identity::Principal& actor, std::string_view task_id,
                             std::string_view status);
  // A lead gives a task that is not done to another member.
  Result<Task> ReassignTask(const identity::Principal& actor, std::string_view task_id,
                            std::string_view owner_account_id);
  Result<Task> SetDependencies(const identity::Principal& actor, std::string_view task_id,
                               const std::vector<std::string>& depends_on);
  Result<ProgressReport> ReportProgress(const identity::Principal& actor, std::string_view task_id,
                                        const NewReport& in);
  Result<std::vector<ProgressReport>> Reports(const identity::Principal& actor,
                                              std::string_view task_id);
  // Open tasks past their deadline in the active forces the caller leads or
  // liaises for: what escalates to them.
  Result<std::vector<Task>> OverdueForMe(const identity::Principal& actor);
  Result<Milestone> AddMilestone(const identity::Principal& actor, std::string_view force_id,
                                 std::string_view stage, Timestamp due, std::int64_t budget_fen);
  // Adds spent_fen to the milestone's spend, and marks it reached when asked.
  Result<Milestone> RecordMilestone(const identity::Principal& actor, std::string_view milestone_id,
                                    std::int64_t spent_fen, bool reached);

  // --- what a force works on ---
  // Wires in the requests module (app/platform.cc); until then a force can
  // link no requests. Call before serving.
  void SetRequestDirectory(RequestDirectory* requests) { requests_ = requests; }
  // The requests linked to the force (the hotspot it was formed from, or
  // handed to it), as summaries: whoever sees the force reads them.
  Result<std::vector<LinkedRequest>> ForceRequests(const identity::Principal& actor,
                                                   std::string_view force_id);
  // Hands requests to the force: a member who may add tasks, and who may
  // read each request themself (NotFound otherwise). Linking twice is fine.
  Result<std::vector<LinkedRequest>> LinkRequests(const identity::Principal& actor,
                                                  std::string_view force_id,
                                                  const std::vector<std::string>& request_ids);
  // The reply to a linked request's resident, from the force: its lead
  // (牵头人) answers in the force's name although the request stays with its
  // handling unit (PermissionDenied for others; NotFound for a request not
  // linked to the force; Conflict when dissolved, or from the requests
  // module when the request is not in hand at a unit). The force's channel
  // is told, so the members see what was answered.
  Result<LinkedRequest> ReplyToRequest(const identity::Principal& actor, std::string_view force_id,
                                       std::string_view request_id, std::string text,
                                       std::vector<std::string> attachment_ids);

  // --- volunteer hours (志愿服务时长, issue 18) ---
  // A lead of the task's active force confirms the minutes an active resident
  // account served on a day (volunteer.h); the volunteer does not become a
  // member. 409 already_confirmed for the same task, person and day; 403 for
  // anyone but a lead; 400 not_resident. One collab.volunteer.confirmed event.
  Result<VolunteerHours> ConfirmVolunteerHours(const identity::Principal& actor,
                                               std::string_view task_id,
                                               const VolunteerHoursInput& in);
  // The task's confirmations, for whoever sees its force.
  Result<std::vector<VolunteerHours>> VolunteerHoursOf(const identity::Principal& actor,
                                                       std::string_view task_id);

  // --- directives ---
  // With in.idempotency_key, a retry answers the first directive unchanged.
  Result<Directive> SendDirective(const identity::Principal& actor, const NewDirective& in);
  Result<DirectiveView> GetDirective(const identity::Principal& actor, std::string_view id);
  Result<std::vector<store::InboxItem>> Inbox(const identity::Principal& actor, int limit);
  Result<std::vector<Directive>> Sent(const identity::Principal& actor, int limit);
  // The first opening is recorded; later ones answer the same receipt.
  Result<Receipt> MarkRead(const identity::Principal& actor, std::string_view id);
  // 签收 of one's own receipt; unit_id, when given, must be the unit the
  // caller received it through (nobody acknowledges for another unit).
  Result<Receipt> Acknowledge(const identity::Principal& actor, std::string_view id,
                              std::string_view note, std::string_view unit_id = {});
  Result<ReceiptsView> Receipts(const identity::Principal& actor, std::string_view id);
  // Recipients not acknowledged past ack_by: of one directive (its sender's
  // view), or of every directive ("" ; the platform's reminder run only).
  Result<std::vector<store::InboxItem>> PendingReminders(const identity::Principal& actor,
                                                         std::string_view directive_id, int limit);

  // --- channels and messages ---
  Result<Channel> CreateGroup(const identity::Principal& actor, std::string title,
                              const std::vector<std::string>& account_ids);
  // The 1-1 channel of the caller and another account (the same one every time).
  Result<Channel> OpenDirect(const identity::Principal& actor, std::string_view account_id);
  Result<ChannelMember> AddChannelMember(const identity::Principal& actor,
                                         std::string_view channel_id, std::string_view account_id);
  Result<void> LeaveChannel(const identity::Principal& actor, std::string_view channel_id);
  Result<Message> Post(const identity::Principal& actor, std::string_view channel_id,
                       const NewMessage& in);
  // cursor "" = the newest page; otherwise one this service gave out.
  Result<MessagePage> Messages(const identity::Principal& actor, std::string_view channel_id,
                               std::string_view cursor, int limit);
  Result<std::vector<ChannelMember>> ChannelMembers(const identity::Principal& actor,
                                                    std::string_view channel_id);
  // Raises the caller's read marker to seq (at most the channel's last message).
  Result<void> MarkChannelRead(const identity::Principal& actor, std::string_view channel_id,
                               std::int64_t seq);
  Result<std::vector<store::ChannelSummary>> MyChannels(const identity::Principal& actor);
  // Search within what one may read: messages containing q (SearchNeedle) in
  // the channels the caller is a member of — or only channel_id, of which the
  // caller must be one (403 otherwise) — newest first, at most limit.
  Result<std::vector<store::MessageHit>> SearchMessages(const identity::Principal& actor,
                                                        std::string_view q,
                                                        std::string_view channel_id, int limit);

  // --- report forms (报送/填报, n-1; report_form_service.cc) ---
  // kDirectiveSend sends a form from a unit to units in its scope (chosen as
  // directives are, optionally only units of some kinds); one answer per
  // recipient unit, by any staff member of that unit.
  Result<ReportForm> CreateReportForm(const identity::Principal& actor, const NewReportForm& in);
  // The sender's view (completion by unit) for the sender, the sending
  // unit's kDirectiveSend people and kCollabOversee; the recipient's view
  // (their units' answers, or what prefills them) for the recipient units'
  // staff. NotFound for anyone else.
  Result<ReportFormView> GetReportForm(const identity::Principal& actor, std::string_view id);
  // Forms sent to the caller's units (one item per form and unit), newest first.
  Result<std::vector<store::FormInboxItem>> ReportFormInbox(const identity::Principal& actor,
                                                            int limit);
  // Forms sent from units where the caller sends or oversees, newest first.
  Result<std::vector<ReportForm>> ReportFormsSent(const identity::Principal& actor, int limit);
  // The answer of unit_id ("" = the caller's only recipient unit): the caller
  // must be staff of that very unit (PermissionDenied otherwise, nothing
  // stored); values are checked against the form's fields (InvalidArgument
  // naming "values.<key>"). A second answer replaces the first and keeps it
  // as a version; after due_by answers are accepted and a first one is late.
  Result<FormAnswer> SubmitAnswer(const identity::Principal& actor, std::string_view form_id,
                                  std::string_view unit_id, const json::Json& values);
  // Every unit's completion and answer (the sender's view only).
  Result<FormAnswersView> FormAnswers(const identity::Principal& actor, std::string_view form_id);
  // What prefills unit_id's answer: its answer to the previous form of the
  // same series from the same sending unit (fields that still fit).
  Result<FormPrefill> Prefill(const identity::Principal& actor, std::string_view form_id,
                              std::string_view unit_id);

  // --- live push (collab_push.cc) ---
  // The topic of a committed event, nullopt for events that change nothing
  // a page shows. Pure.
  static std::optional<LiveTopic> LiveTopicOf(const audit::Event& e);
  // The accounts that hear of a topic, in one store query (nullopt: the
  // thing is gone). No authorization: the platform's feed asks.
  Result<std::optional<LiveAudience>> AudienceOf(const LiveTopic& topic);
  // Whether who may read the receipt table of d (the sender, the sending
  // unit's people with kDirectiveSend, kCollabOversee). Pure.
  bool MayReadReceipts(const identity::Principal& who, const Directive& d) const {
    return MaySeeReceipts(who, d);
  }
  // Called after each command commits (the live feed and the consumers are
  // woken at once instead of at their next poll). Add before serving.
  void AddOnCommit(std::function<void()> f) { on_commit_.push_back(std::move(f)); }

 private:
  template <typename T>
  Result<T> Committed(Result<T> r) const {
    if (r)
      for (const auto& f : on_commit_) f();
    return r;
  }
  struct Access {
    TaskForce force;
    std::optional<Member> member;
  };
  // The force as the caller may see it: NotFound when they may not.
  Result<Access> SeeForce(storage::Executor& ex, const identity::Principal& actor,
                          std::string_view id);
  // SeeForce, then Conflict when dissolved, PermissionDenied without the role.
  Result<Access> ChangeForce(storage::Executor& ex, const identity::Principal& actor,
                             std::string_view id, ForceAction action);
  // An account as a new member of a force or channel.
  Result<Member> ResolveMember(const MemberInput& in);
  Result<ChannelMember> Joining(std::string_view channel_id, std::string_view account_id,
                                Timestamp now);
  struct InChannel {
    Channel channel;
    ChannelMember me;
  };
  // The channel when the caller is a member: NotFound, PermissionDenied otherwise.
  Result<InChannel> ChannelFor(storage::Executor& ex, const identity::Principal& actor,
                               std::string_view channel_id);
  // Each request readable by actor (through requests_), or the first that is not.
  Result<void> CheckReadable(const identity::Principal& actor,
                             std::span<const std::string> request_ids);
  // The sending unit (from_unit_id, or the caller's first unit that may
  // send) and the chosen targets, each within the caller's kDirectiveSend
  // scope: the rule directives and report forms share. what: "directives".
  struct Sending {
    std::shared_ptr<const identity::OrgUnit> from;
    std::vector<identity::OrgUnit> targets;
  };
  Result<Sending> SendingUnits(const identity::Principal& actor, std::string_view from_unit_id,
                               const std::vector<std::string>& to_units, std::string_view what);
  // Every account with a membership at or below one of targets, each once (the
  // candidates a directive's receipts and a report form's people are chosen from).
  Result<std::vector<identity::Account>> AccountsBelow(
      const std::vector<identity::OrgUnit>& targets);
  bool MaySeeReceipts(const identity::Principal& actor, const Directive& d) const;

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  const WorkCalendar& calendar_;
  identity::IdentityService& identity_;
  const CollabOptions options_;
  RequestDirectory* requests_ = nullptr;
  std::vector<std::function<void()>> on_commit_;
};

}  // namespace xietong::collab
