#include "participation/points_store.h"

namespace xietong::participation::store {

// Versions 1–5 are added here as the ledger is built.
std::span<const storage::Migration> PointsMigrations() { return {}; }

}  // namespace xietong::participation::store
