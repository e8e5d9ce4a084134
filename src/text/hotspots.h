// Hotspots: messages grouped by topic × place × time and ranked by volume,
// growth and support, each group described by a representative title, its
// place, time range, count and support.
//
// Topic similarity is the cosine of the messages' TF-IDF vectors of character
// 1–3-grams (features.h, title counted four times, IDF over the input). Two messages
// are linked when their cosine reaches the threshold, they are at most the
// window apart in time and their places do not conflict; groups are the
// linked components, built strongest link first, and a link that would join
// two groups of conflicting places is skipped. Pure functions of their
// arguments (no clock, no I/O), deterministic; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "text/normalize.h"

namespace xietong::text {

struct HotspotMessage {
  std::string id;
  std::string title;
  std::string body;
  std::int64_t time_us = 0;
  // The area the message is about (a district or street name); empty: the
  // district named in the text, if any.
  std::string place;
  std::int64_t support = 0;  // likes, or requests merged into this one
};

struct HotspotOptions {
  // Cosine of the TF-IDF vectors at or above which two messages are linked.
  double similarity = 0.3;
  // Only messages at most this far apart in time are linked; 0: no window.
  std::int64_t window_us = 30 * kMicrosPerDay;
  std::size_t min_size = 2;  // smaller groups are not hotspots
  float title_weight = 4;    // the title's n-gram counts are multiplied by this
  // Growth compares the members in (now − recent, now] with those in the
  // period of the same length before it. 0: the latest message's time.
  std::int64_t now_us = 0;
  std::int64_t recent_us = 30 * kMicrosPerDay;
  // score = volume × ln(1 + count) + growth × ln((1 + recent) / (1 + previous))
  //         + support × ln(1 + total support)
  double volume_weight = 1.0;
  double growth_weight = 0.5;
  double support_weight = 0.25;
  std::size_t limit = 0;  // at most this many hotspots; 0: all
};

// Places named in normalised text (Normalizer output: Latin letters are
// lower case). `district` is the first "<letter><digits>区/县" (A3区, shown in
// upper case) or, failing that, the first "…区/县" of 2–4 ideographs after
// "市"; `names` are the estates, roads, streets, villages and schools
// (…小区, …花园, …路, …街道, …村, …学校 …) in order, without repeats.
struct PlaceMention {
  std::string district;
  std::vector<std::string> names;
};
PlaceMention ExtractPlaces(std::u32string_view normalized);

struct Hotspot {
  std::string title;              // of the representative message (nearest the centroid)
  std::string representative_id;  // that message's id
  std::string place;              // "A3区 麓谷明珠小区": the most frequent district and name
  std::int64_t first_us = 0;
  std::int64_t last_us = 0;
  std::size_t count = 0;
  std::int64_t support = 0;  // sum over members
  std::size_t recent = 0;    // members in the recent period
  std::size_t previous = 0;  // members in the period before it
  double score = 0;
  std::vector<std::string> member_ids;  // by time, then id
};

// A message that could not be compared and why (invalid UTF-8, no letter,
// digit or ideograph).
struct HotspotSkip {
  std::string id;
  std::string reason;
};

struct HotspotResult {
  std::vector<Hotspot> hotspots;  // best score first
  std::vector<HotspotSkip> skipped;
  std::size_t messages = 0;   // given
  std::size_t clustered = 0;  // members of any group of at least min_size (before limit)
  std::size_t groups = 0;     // such groups (before limit)
};

// The documented score of a group (see HotspotOptions).
double HotspotScore(std::size_t count, std::size_t recent, std::size_t previous,
                    std::int64_t support, const HotspotOptions& options);

// Groups and ranks `messages`. kInvalidArgument for options out of range
// (similarity outside (0, 1], negative window or period). Messages that cannot
// be compared are listed in `skipped`, never an error. progress(done, total)
// is called while messages are prepared.
Result<HotspotResult> FindHotspots(
    const Normalizer& normalizer, std::span<const HotspotMessage> messages,
    const HotspotOptions& options = {},
    const std::function<void(std::size_t, std::size_t)>& progress = {});

// How the ranking compares with ranking by support (likes) alone, over the
// top `n`: the n single messages with most support (support > 0; ties: the
// earlier, then the smaller id), where they fall among the hotspots, and the
// overlap of the top n hotspots by score with the top n by total support.
struct SupportComparison {
  std::size_t n = 0;
  std::vector<std::string> top_message_ids;  // by support, at most n
  // For each of top_message_ids: the rank (1-based) of the hotspot holding
  // it in result.hotspots, 0 when it is in none.
  std::vector<std::size_t> hotspot_rank;
  std::size_t in_top_hotspots = 0;                // top messages inside one of the first n hotspots
  std::size_t in_any_hotspot = 0;                 // … inside any hotspot
  std::size_t top_hotspots_with_top_message = 0;  // of the first n hotspots
  std::size_t overlap_by_support = 0;  // |top n hotspots by score ∩ top n by total support|
};
SupportComparison CompareWithSupport(std::span<const HotspotMessage> messages,
                                     const HotspotResult& result, std::size_t n);

}  // namespace xietong::text
