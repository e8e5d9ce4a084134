// a test obeys the same rules
#include "high/high.h"
