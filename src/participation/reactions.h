// The participation module's durable reactions to committed events
// (audit::Consumer), as data: the platform starts one consumer per entry
// and routes points.* awards to PointsService::OnEvent and progress to
// DeliberationService::OnEvent (docs/plans/participation.md §4.1).
#pragma once

#include <vector>

#include "audit/consumer.h"

namespace xietong::participation {

std::vector<audit::ConsumerOptions> Reactions();

}  // namespace xietong::participation
