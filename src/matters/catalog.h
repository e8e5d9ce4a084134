// Catalog: an immutable snapshot of the whole list of matters (active and
// not), indexed by id and code, with the tree walks and the keyword-based
// category suggestion that request intake needs. Built once, then only read:
// every const method is thread-safe, and the Matter pointers it hands out live
// as long as the Catalog.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "matters/matter.h"

namespace xietong::matters {

struct Suggestion {
  const Matter* matter;
  double confidence;  // 0..1; the confidences of one answer sum to at most 1
};

class Catalog {
 public:
  explicit Catalog(std::vector<Matter> matters);

  // Every matter, ordered by code.
  const std::vector<Matter>& all() const { return matters_; }
  const Matter* Find(std::string_view id) const;
  const Matter* FindByCode(std::string_view code) const;
  // Children of parent_id (the level-1 matters for ""), by code.
  std::vector<const Matter*> Children(std::string_view parent_id_or_empty) const;
  // Every level-3 matter, by code.
  std::vector<const Matter*> Leaves() const;
  // Whether the matter and all its ancestors are active: only such leaves
  // can be chosen for a new request.
  bool InEffect(const Matter& m) const;

  // The leaves in effect whose keywords or name occur in text, best first, at
  // most n. A leaf scores the length (in characters) of each of its keywords
  // and of its name found in the text, plus a third of that for its
  // ancestors' keywords and names; only leaves matching by their own words are
  // suggested. Confidence is a softmax over the scores with a "none of these"
  // alternative, so it is 0 for nothing and approaches 1 for a clear winner.
  std::vector<Suggestion> Suggest(std::string_view text, int n) const;

 private:
  std::vector<Matter> matters_;  // by code
  // Per matter (same index): its keywords and name, ASCII lower-cased, each once.
  std::vector<std::vector<std::string>> words_;
  std::map<std::string, std::size_t, std::less<>> by_id_;
  std::map<std::string, std::size_t, std::less<>> by_code_;
};

}  // namespace xietong::matters
