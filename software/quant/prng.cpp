// SplitMix64 is header-only; this unit keeps a stable object for the library's source list.
#include "quant/prng.h"
