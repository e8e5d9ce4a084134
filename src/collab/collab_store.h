// The collab module's SQL, written once for both backends: task forces and
// their members, tasks, progress reports, milestones, directives and their
// receipts (one row per recipient account), channels, channel members with
// their read markers, and messages. Decides no rule; only
// collab_service.cc calls it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collab/channel.h"
#include "collab/directive.h"
#include "collab/taskforce.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::collab::store {

using storage::Executor;

std::span<const storage::Migration> Migrations();

// --- task forces ---------------------------------------------------------------------
Result<void> InsertForce(Executor& ex, const TaskForce& f);
Result<std::optional<TaskForce>> FindForce(Executor& ex, std::string_view id);
// Writes status, summary and dissolved_at when the stored version is still
// f.version; false when someone else wrote first. Bumps f.version.
Result<bool> UpdateForce(Executor& ex, TaskForce& f);
// The forces the account is a member of, newest first (dissolved included).
Result<std::vector<TaskForce>> ForcesOf(Executor& ex, std::string_view account_id, int limit);
// The active forces led from a unit under one of these paths, newest first.
Result<std::vector<TaskForce>> ForcesUnder(Executor& ex, std::span<const std::string> paths,
                                           int limit);

Result<void> InsertMember(Executor& ex, std::string_view force_id, const Member& m);
Result<bool> DeleteMember(Executor& ex, std::string_view force_id, std::string_view account_id);
Result<std::vector<Member>> Members(Executor& ex, std::string_view force_id);
Result<std::optional<Member>> FindMember(Executor& ex, std::string_view force_id,
                                         std::string_view account_id);

// --- tasks, reports, milestones --------------------------------------------------------
Result<void> InsertTask(Executor& ex, const Task& t);
// Owner, dependencies, status, percent and handover; optimistic, as UpdateForce.
Result<bool> UpdateTask(Executor& ex, Task& t);
Result<std::optional<Task>> FindTask(Executor& ex, std::string_view id);
Result<std::vector<Task>> Tasks(Executor& ex, std::string_view force_id);
// Tasks not done whose deadline is before `before`, of forces that are active
// and where the account is a lead or liaison; earliest deadline first.
Result<std::vector<Task>> OverdueForLead(Executor& ex, std::string_view account_id,
                                         Timestamp before, int limit);

Result<void> InsertReport(Executor& ex, const ProgressReport& r);
Result<std::vector<ProgressReport>> Reports(Executor& ex, std::string_view task_id);

Result<void> InsertMilestone(Executor& ex, const Milestone& m);
Result<bool> UpdateMilestone(Executor& ex, Milestone& m);
Result<std::optional<Milestone>> FindMilestone(Executor& ex, std::string_view id);
Result<std::vector<Milestone>> Milestones(Executor& ex, std::string_view force_id);

// --- directives and receipts -----------------------------------------------------------
Result<void> InsertDirective(Executor& ex, const Directive& d);
// One row per recipient, in multi-row INSERTs of `batch` rows.
Result<void> InsertReceipts(Executor& ex, std::string_view directive_id, Timestamp at,
                            std::span<const Receipt> receipts, int batch);
Result<std::optional<Directive>> FindDirective(Executor& ex, std::string_view id);
// Claims a sender's idempotency key for directive_id; when the key was
// claimed before, answers the directive it was claimed for instead.
Result<std::optional<std::string>> ClaimDirectiveKey(Executor& ex, std::string_view sender_id,
                                                     std::string_view key,
                                                     std::string_view directive_id);
Result<std::optional<std::string>> DirectiveByKey(Executor& ex, std::string_view sender_id,
                                                  std::string_view key);
Result<std::optional<Receipt>> FindReceipt(Executor& ex, std::string_view directive_id,
                                           std::string_view account_id);
Result<std::vector<Receipt>> Receipts(Executor& ex, std::string_view directive_id);
// Sets read_at when it is still 0; false when it was already read.
Result<bool> MarkRead(Executor& ex, std::string_view directive_id, std::string_view account_id,
                      Timestamp at);
// Sets acked_at (and read_at when 0) when not yet acknowledged; false otherwise.
Result<bool> MarkAcknowledged(Executor& ex, std::string_view directive_id,
                              std::string_view account_id, Timestamp at, std::string_view note);
struct InboxItem {
  Directive directive;
  Receipt receipt;
};
// The account's directives, newest first.
Result<std::vector<InboxItem>> Inbox(Executor& ex, std::string_view account_id, int limit);
// Directives sent from units under one of these paths, newest first.
Result<std::vector<Directive>> Sent(Executor& ex, std::span<const std::string> paths, int limit);
// Receipts not acknowledged of directives whose ack_by is in (0, now); of one
// directive when directive_id is given. Oldest deadline first.
Result<std::vector<InboxItem>> Unacknowledged(Executor& ex, std::string_view directive_id,
                                              Timestamp now, int limit);

// --- channels and messages -------------------------------------------------------------
Result<void> InsertChannel(Executor& ex, const Channel& c);
Result<std::optional<Channel>> FindChannel(Executor& ex, std::string_view id);
Result<std::optional<Channel>> FindDirect(Executor& ex, std::string_view direct_key);
Result<void> ArchiveChannel(Executor& ex, std::string_view id);
// Takes the next message number of the channel for a post by account_id, in
// one statement: only when the channel exists, is not archived and the
// account is a member; nullopt otherwise (the caller reads why). The row
// stays locked until commit.
Result<std::optional<std::int64_t>> NextSeqFor(Executor& ex, std::string_view channel_id,
                                               std::string_view account_id);

Result<void> InsertChannelMember(Executor& ex, const ChannelMember& m);
Result<bool> DeleteChannelMember(Executor& ex, std::string_view channel_id,
                                 std::string_view account_id);
Result<std::optional<ChannelMember>> FindChannelMember(Executor& ex, std::string_view channel_id,
                                                       std::string_view account_id);
Result<std::vector<ChannelMember>> ChannelMembers(Executor& ex, std::string_view channel_id);
// Raises the member's read marker to seq (never lowers it).
Result<void> MarkChannelRead(Executor& ex, std::string_view channel_id, std::string_view account_id,
                             std::int64_t seq);
struct ChannelSummary {
  Channel channel;
  std::int64_t read_seq = 0;
  std::int64_t unread = 0;  // others' messages after the read marker
};
Result<std::vector<ChannelSummary>> ChannelsOf(Executor& ex, std::string_view account_id);

Result<void> InsertMessage(Executor& ex, const Message& m);
Result<std::optional<Message>> FindMessage(Executor& ex, std::string_view id);
// Messages after (or before) seq, oldest first, at most limit.
Result<std::vector<Message>> MessagesPage(Executor& ex, std::string_view channel_id,
                                          const Cursor& from, int limit);

// Messages whose text contains `needle` (case-folded for ASCII), in the
// channels account_id is a member of (only channel_id when it is given),
// newest first, at most limit. Scans the messages of those channels (the
// (channel_id, seq) index narrows it to them): no full-text index, so a
// needle of one Chinese character works as well as a phrase.
struct MessageHit {
  Message message;
  std::string channel_title;
  ChannelKind channel_kind = ChannelKind::kGroup;
};
Result<std::vector<MessageHit>> SearchMessages(Executor& ex, std::string_view account_id,
                                               std::string_view channel_id, std::string_view needle,
                                               int limit);

// --- who hears of a change (live push, notifications) -----------------------------------
// Account ids only: the audience of one event is read in one query.
Result<std::vector<std::string>> ChannelMemberIds(Executor& ex, std::string_view channel_id);
Result<std::vector<std::string>> ForceMemberIds(Executor& ex, std::string_view force_id);
Result<std::vector<std::string>> ReceiptAccountIds(Executor& ex, std::string_view directive_id);

}  // namespace xietong::collab::store
