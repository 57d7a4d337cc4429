// SplitMix64: the one pseudo-random generator of SubBit. The FleXOR matrix generator and netgen use
// it, and the Python trainer reimplements it bit for bit (docs/numerics.md section 3.1).
#pragma once
#include <cstdint>

namespace subbit {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // next() mod n; the tiny modulo bias is part of the documented definition.
  uint64_t uniform(uint64_t n) { return next() % n; }
  // Integer in [lo, hi], both inclusive.
  int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(uniform(static_cast<uint64_t>(hi - lo + 1))); }
  bool coin() { return (next() >> 63) != 0; }

 private:
  uint64_t state_;
};

}  // namespace subbit
