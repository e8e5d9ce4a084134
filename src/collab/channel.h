// Channels and messages: a channel per task force (its members are the
// force's), ad-hoc groups and 1-1 direct channels. Pure: no I/O.
//
// Messages of a channel are numbered 1, 2, 3… in commit order (the channel
// row is the counter, locked by the post that bumps it), so a reader that
// resumes after the last number it saw misses nothing and sees nothing
// twice. Cursors carry the direction and that number. Only members post or
// read; a member's read marker is the highest number they have seen.
// Thread-safe: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace xietong::collab {

inline constexpr std::size_t kMaxMessageBytes = 8 * 1024;
// A group holds a whole street's or district's staff at once (issue 16 measures
// pushes to a 1,000-member channel).
inline constexpr int kMaxGroupMembers = 1'000;

enum class ChannelKind { kForce, kGroup, kDirect };
std::string_view ChannelKindName(ChannelKind k);

struct Channel {
  std::string id;
  ChannelKind kind = ChannelKind::kGroup;
  std::string force_id;  // kForce only
  std::string title;
  std::string direct_key;  // kDirect only: the two account ids, sorted, joined by ':'
  std::string created_by;
  Timestamp created_at = 0;
  std::int64_t last_seq = 0;
  bool archived = false;  // a dissolved force's channel: read-only
};

struct ChannelMember {
  std::string channel_id, account_id, username, display_name;
  std::int64_t read_seq = 0;
  Timestamp joined_at = 0;
};

struct Message {
  std::string id, channel_id;
  std::int64_t seq = 0;
  std::string author_id, author_name;
  std::string text;
  std::vector<std::string> mentions;  // account ids of members named as @username
  std::string parent_id;              // the thread's first message; "" for none
  std::vector<std::string> file_ids;
  Timestamp at = 0;
};

// The key that makes a 1-1 channel unique whoever opens it.
std::string DirectKey(std::string_view a, std::string_view b);

// Checks a message's text: non-empty, at most kMaxMessageBytes (TooLarge),
// valid UTF-8 and no misleading characters.
Result<void> CheckMessageText(std::string_view text);

// What a message search looks for: q without surrounding white space, 1 to
// kMaxSearchChars characters of valid UTF-8 (InvalidArgument about "q").
inline constexpr std::size_t kMaxSearchChars = 100;
Result<std::string> SearchNeedle(std::string_view q);

// The usernames written as @username (IsValidUsername's alphabet), each
// once, in the order they first appear. An @ inside a word (an e-mail
// address) is not a mention.
std::vector<std::string> ParseMentions(std::string_view text);

// A position in a channel's messages and the direction to read from it.
struct Cursor {
  bool after = true;     // true: newer than seq (catch-up); false: older than seq (history)
  std::int64_t seq = 0;  // exclusive
};
std::string EncodeCursor(const Cursor& c);
// InvalidArgument for anything EncodeCursor did not make. "" = the newest page.
Result<std::optional<Cursor>> DecodeCursor(std::string_view text);

}  // namespace xietong::collab
