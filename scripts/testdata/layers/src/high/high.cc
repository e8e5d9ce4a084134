#include "core/core.h"
// another module's store
#include "low/low_store.h"
const char* kRead = "SELECT id FROM low_items";
