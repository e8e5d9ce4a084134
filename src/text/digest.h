// Extractive digest: the most representative messages of each group (a
// category, a hotspot) and the sentence of each that says the group's matter
// best — what a monthly report quotes under 典型诉求摘要.
//
// Per group: TF-IDF vectors of character 1–3-grams over the group (the
// features and vocabulary the classifier and the hotspot finder use, title
// counted twice), the centroid c, then maximal marginal relevance — pick
// argmaxᵢ λ·cos(vᵢ, c) − (1−λ)·max_{j∈S} cos(vᵢ, vⱼ) until per_group are
// chosen, so that the second quote is not a repeat of the first. The
// excerpt: the body split at 。！？；!?; and line ends, each sentence scored
// cos(v_s, c) + 0.1 for the first sentence, the best one (and the next best
// when the best is short) in their original order, digits masked
// (MaskDigits), cut at max_excerpt_chars with "……". Pure, deterministic (ties
// by id), thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "text/normalize.h"

namespace xietong::text {

struct DigestMessage {
  std::string id = {}, title = {}, body = {};
  std::string group = {};    // the digest picks per_group messages of each group
  std::int64_t support = 0;  // residents who said the same (merged requests, likes)
};

struct DigestOptions {
  int per_group = 2;               // 1 … 10
  double mmr_lambda = 0.7;         // [0, 1]: 1 = nearest the centroid only, 0 = most diverse only
  int max_excerpt_chars = 80;      // characters (code points), 10 … 1000
  int max_per_group_input = 2000;  // the first this many of a group are read (give newest first)
};

struct DigestItem {
  std::string group = {}, id = {}, title = {};
  std::string excerpt = {};        // masked, at most max_excerpt_chars + "……"
  double centrality = 0;           // cos(v, centroid) in [0, 1]
  std::size_t group_size = 0;      // messages of the group that could be read
  std::int64_t group_support = 0;  // sum of their support
};

// Items by group (in the order groups first appear in `messages`), then by
// MMR order. A message with nothing to compare (no letter, digit or
// ideograph, invalid UTF-8) is left out; a group left empty gives no item.
// kInvalidArgument for options out of range.
Result<std::vector<DigestItem>> Digest(const Normalizer& normalizer,
                                       std::span<const DigestMessage> messages,
                                       const DigestOptions& options = {});

// Hides what identifies a person: a run of 7 or more digits (ASCII or
// full-width; a phone, an account, an ID number with its final X), or digit
// groups of 3 or more joined by '-' or single spaces that hold 7 or more
// digits together (138 1234 5678, 0731-8888-8888), becomes ****. Dates and
// times (2026-11-30, 08:30) and short numbers stay.
std::string MaskDigits(std::string_view text);

}  // namespace xietong::text
