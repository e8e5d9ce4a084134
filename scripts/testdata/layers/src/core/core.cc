#include "core/core.h"
int Core() { return 1; }
