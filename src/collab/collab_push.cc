// Who hears of a committed collab event: the live feed (http/live.h) asks
// LiveTopicOf for each event of a batch, merges equal topics, and asks
// AudienceOf once per topic — one store query, however many sockets.
#include <string_view>

#include "collab/collab_service.h"
#include "core/json.h"

namespace xietong::collab {

using storage::Executor;

namespace {

std::string Field(const json::Json& payload, const char* name) {
  if (!payload.is_object()) return {};
  auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<LiveTopic> CollabService::LiveTopicOf(const audit::Event& e) {
  std::string_view a = e.action;
  if (!a.starts_with("collab.")) return std::nullopt;
  a.remove_prefix(7);
  if (a == "message.posted" || a == "channel.created" || a == "channel.member_added")
    return LiveTopic{.type = "channel", .id = e.subject};
  if (a == "channel.member_left")  // the one who left learns it too (other tabs)
    return LiveTopic{.type = "channel", .id = e.subject, .also = {e.actor}};
  if (a == "directive.sent") return LiveTopic{.type = "directive", .id = e.subject};
  if (a == "directive.read" || a == "directive.acknowledged")
    return LiveTopic{.type = "receipt", .id = e.subject};
  const json::Json payload = json::Json::parse(e.payload, nullptr, false);
  if (a.starts_with("force.")) {
    LiveTopic t{.type = "taskforce", .id = e.subject};
    // One removed or leaving is no member any more, but their page shows the force.
    if (a == "force.member_removed" || a == "force.member_left") {
      if (auto who = Field(payload, "account_id"); !who.empty()) t.also.push_back(std::move(who));
    }
    return t;
  }
  if (a.starts_with("task.") || a.starts_with("milestone.")) {
    std::string force = Field(payload, "force_id");
    if (!force.empty()) return LiveTopic{.type = "taskforce", .id = std::move(force)};
    if (a.starts_with("task."))
      return LiveTopic{.type = "taskforce", .id = {}, .task_id = e.subject};
  }
  return std::nullopt;
}

Result<std::optional<LiveAudience>> CollabService::AudienceOf(const LiveTopic& topic) {
  return db_.Read([&](Executor& ex) -> Result<std::optional<LiveAudience>> {
    LiveAudience out;
    out.type = topic.type;
    out.id = topic.id;
    std::vector<std::string> ids;
    if (topic.type == "channel") {
      XT_ASSIGN_OR_RETURN(auto c, store::FindChannel(ex, topic.id));
      if (!c) return std::optional<LiveAudience>();
      out.seq = c->last_seq;
      XT_ASSIGN_OR_RETURN(ids, store::ChannelMemberIds(ex, topic.id));
    } else if (topic.type == "directive" || topic.type == "receipt") {
      XT_ASSIGN_OR_RETURN(auto d, store::FindDirective(ex, topic.id));
      if (!d) return std::optional<LiveAudience>();
      if (topic.type == "directive") {
        XT_ASSIGN_OR_RETURN(ids, store::ReceiptAccountIds(ex, topic.id));
      } else {
        ids.push_back(d->sender_id);
        out.receipts_of = std::move(*d);
      }
    } else if (topic.type == "taskforce") {
      if (out.id.empty()) {
        XT_ASSIGN_OR_RETURN(auto t, store::FindTask(ex, topic.task_id));
        if (!t) return std::optional<LiveAudience>();
        out.id = t->force_id;
      }
      XT_ASSIGN_OR_RETURN(ids, store::ForceMemberIds(ex, out.id));
    } else {
      return std::optional<LiveAudience>();
    }
    out.accounts.reserve(ids.size() + topic.also.size());
    for (auto& id : ids) out.accounts.insert(std::move(id));
    for (const auto& id : topic.also) out.accounts.insert(id);
    return std::optional<LiveAudience>(std::move(out));
  });
}

}  // namespace xietong::collab
