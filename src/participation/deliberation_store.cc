#include "participation/deliberation_store.h"

namespace xietong::participation::store {

// Versions 6–8 are added here as deliberation is built.
std::span<const storage::Migration> DeliberationMigrations() { return {}; }

}  // namespace xietong::participation::store
