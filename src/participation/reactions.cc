#include "participation/reactions.h"

namespace xietong::participation {

// docs/plans/participation.md §4.1: one consumer per source of events, each
// with a narrow prefix so none reads the flood of points.* postings. Every
// consumer's handler calls PointsService::OnEvent and then
// DeliberationService::OnEvent in its transaction; both return at once for
// actions they do not know. start_at_head = false: on an existing database
// the first start scans history once, and the rules bound what it awards.
std::vector<audit::ConsumerOptions> Reactions() {
  return {
      {.name = "participation.requests", .action_prefix = "request.", .batch = 200},
      {.name = "participation.emergency",
       .action_prefix = "emergency.report.verified",
       .batch = 200},
      {.name = "participation.collab", .action_prefix = "collab.", .batch = 200},
      {.name = "participation.deliberation", .action_prefix = "deliberation.", .batch = 200},
  };
}

}  // namespace xietong::participation
