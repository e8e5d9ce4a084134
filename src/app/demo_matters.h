// The demo list of matters (权责清单) of the fictional city 江澜市: nine
// level-1 categories, their level-2 groups and about 115 leaves, each with its
// handler, urgency tier, time limits, the national law or regulation it rests
// on and the words residents use for it. Meant for MatterService::Seed, which
// assigns ids and finds parents by code. Fixed data; thread-safe.
#pragma once

#include <vector>

#include "matters/matter.h"

namespace xietong::app {

// The catalogue in seed form: ids and parent ids are empty; levels follow the
// codes. Leaves name city departments by their unit codes JL-D01 … JL-D18 and
// district departments by the suffixes D01 (区城管局) and D02 (区住建局), as
// the demo city codes them.
std::vector<matters::Matter> DemoMatters();

}  // namespace xietong::app
