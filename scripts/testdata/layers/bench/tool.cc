#include "low/low_store.h"
