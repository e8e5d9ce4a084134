#include "low/low_store.h"
// upward: low does not declare high
#include "high/high.h"
const char* kSql = "CREATE TABLE low_items (id TEXT)";
