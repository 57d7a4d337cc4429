// Activation types, rounding, saturation and requantization: docs/numerics.md sections 1 and 4,
// implemented once here and used by the golden reference and the accelerator model alike.
#pragma once
#include <cstdint>
#include <string>

namespace subbit {

struct ActType {
  int bits = 8;          // 1..8
  bool is_signed = true;
  double scale = 1.0;    // real value = integer value * scale (documentation only)

  int32_t lo() const { return is_signed ? (bits == 1 ? -1 : -(1 << (bits - 1))) : 0; }
  int32_t hi() const { return is_signed ? (bits == 1 ? 1 : (1 << (bits - 1)) - 1) : (1 << bits) - 1; }
  int32_t max_abs() const { return is_signed ? (bits == 1 ? 1 : (1 << (bits - 1))) : (1 << bits) - 1; }
  std::string to_string() const;  // e.g. "s8", "u4", "s1"
  bool same_values(const ActType& o) const { return bits == o.bits && is_signed == o.is_signed; }
};

// 64-bit two's-complement addition, as the requantizer's adders do. Valid networks never come near
// 2^63 (|acc * mult| < 2^62, |bias| <= 2^61); only fault injection's flipped bias bits do, and
// they must wrap as in hardware rather than be undefined behaviour.
inline int64_t wrap_add(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }

// (v + 2^(s-1)) >> s, rounding half up; s = 0 returns v.
inline int64_t round_shift(int64_t v, int shift) {
  return shift == 0 ? v : wrap_add(v, int64_t{1} << (shift - 1)) >> shift;
}

inline int32_t saturate(int64_t r, const ActType& t) {
  if (t.is_signed && t.bits == 1) return r >= 0 ? 1 : -1;
  if (r < t.lo()) return t.lo();
  if (r > t.hi()) return t.hi();
  return static_cast<int32_t>(r);
}

// The full requantization step of docs/numerics.md section 4.
inline int32_t requantize(int64_t acc, int32_t mult, int64_t bias, int shift, bool relu, const ActType& out) {
  int64_t r = round_shift(wrap_add(acc * mult, bias), shift);
  if (relu && r < 0) r = 0;
  return saturate(r, out);
}

constexpr int kMaxShift = 62;
constexpr int64_t kMaxBiasAbs = int64_t{1} << 61;
constexpr int64_t kAccLimit = int64_t{1} << 31;  // |acc| must stay below this (int32 accumulator)

}  // namespace subbit
