#include "participation/reactions.h"

namespace xietong::participation {

// Filled by the points part (§4.1's table).
std::vector<audit::ConsumerOptions> Reactions() { return {}; }

}  // namespace xietong::participation
