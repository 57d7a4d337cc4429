// Activation types, round_shift, saturate and requantize (docs/numerics.md sections 1 and 4).
#include <gtest/gtest.h>

#include <cmath>

#include "quant/numerics.h"
#include "util.h"

namespace {

using namespace subbit;
using ct::Rng;

TEST(ActType, RangesOfEveryType) {
  for (int bits = 1; bits <= 8; ++bits) {
    const ActType u{bits, false, 1.0}, s{bits, true, 1.0};
    EXPECT_EQ(u.lo(), 0);
    EXPECT_EQ(u.hi(), (1 << bits) - 1);
    EXPECT_EQ(u.max_abs(), (1 << bits) - 1);
    EXPECT_EQ(u.to_string(), "u" + std::to_string(bits));
    EXPECT_EQ(s.to_string(), "s" + std::to_string(bits));
    if (bits == 1) {
      EXPECT_EQ(s.lo(), -1);
      EXPECT_EQ(s.hi(), 1);
      EXPECT_EQ(s.max_abs(), 1);
    } else {
      EXPECT_EQ(s.lo(), -(1 << (bits - 1)));
      EXPECT_EQ(s.hi(), (1 << (bits - 1)) - 1);
      EXPECT_EQ(s.max_abs(), 1 << (bits - 1));
    }
  }
}

TEST(RoundShift, HalfRoundsUpTowardsPlusInfinity) {
  EXPECT_EQ(round_shift(5, 0), 5);
  EXPECT_EQ(round_shift(-5, 0), -5);
  EXPECT_EQ(round_shift(1, 1), 1);    // 0.5 -> 1
  EXPECT_EQ(round_shift(-1, 1), 0);   // -0.5 -> 0
  EXPECT_EQ(round_shift(3, 1), 2);    // 1.5 -> 2
  EXPECT_EQ(round_shift(-3, 1), -1);  // -1.5 -> -1
  EXPECT_EQ(round_shift(-5, 1), -2);  // -2.5 -> -2
  EXPECT_EQ(round_shift(6, 2), 2);    // 1.5 -> 2
  EXPECT_EQ(round_shift(-6, 2), -1);  // -1.5 -> -1
  EXPECT_EQ(round_shift(-7, 2), -2);  // -1.75 -> -2
  EXPECT_EQ(round_shift(-9, 2), -2);  // -2.25 -> -2
  EXPECT_EQ(round_shift(9, 2), 2);    // 2.25 -> 2
}

// floor(v / 2^s + 1/2) in 128-bit arithmetic.
int64_t ref_round_shift(__int128 v, int s) {
  if (s == 0) return static_cast<int64_t>(v);
  const __int128 d = static_cast<__int128>(1) << s;
  __int128 n = 2 * v + d;  // floor((2v + 2^s) / 2^(s+1))
  __int128 q = n / (2 * d);
  if (n % (2 * d) != 0 && n < 0) --q;
  return static_cast<int64_t>(q);
}

TEST(RoundShift, MatchesExactReferenceOverTheWholeRange) {
  Rng rng(0x5EED0101);
  for (int i = 0; i < 200000; ++i) {
    const int s = static_cast<int>(rng.range(0, kMaxShift));
    // |v| < 2^62 + 2^61 (docs/numerics.md section 4).
    const int64_t lim = (int64_t{1} << 62) + (int64_t{1} << 61) - 1;
    int64_t v;
    switch (i % 4) {
      case 0: v = rng.range(-lim, lim); break;
      case 1: v = rng.range(-1000, 1000); break;
      case 2: {  // exact ties k·2^s + 2^(s-1), within the range
        const int64_t kmax = std::min<int64_t>(1000, (lim >> s) - 1);
        v = rng.range(-kmax, kmax) * (int64_t{1} << s) + (s ? (int64_t{1} << (s - 1)) : 0);
        break;
      }
      default: v = rng.coin() ? lim - rng.range(0, 3) : -lim + rng.range(0, 3); break;
    }
    ASSERT_EQ(round_shift(v, s), ref_round_shift(v, s)) << "v " << v << " shift " << s;
  }
}

TEST(Saturate, ClampsAndSignedOneBit) {
  const ActType s1{1, true, 1.0}, u4{4, false, 1.0}, s8{8, true, 1.0}, u1{1, false, 1.0};
  EXPECT_EQ(saturate(0, s1), 1);
  EXPECT_EQ(saturate(5, s1), 1);
  EXPECT_EQ(saturate(-1, s1), -1);
  EXPECT_EQ(saturate(INT64_MIN, s1), -1);
  EXPECT_EQ(saturate(-3, u4), 0);
  EXPECT_EQ(saturate(15, u4), 15);
  EXPECT_EQ(saturate(16, u4), 15);
  EXPECT_EQ(saturate(int64_t{1} << 40, u4), 15);
  EXPECT_EQ(saturate(-129, s8), -128);
  EXPECT_EQ(saturate(128, s8), 127);
  EXPECT_EQ(saturate(INT64_MAX, s8), 127);
  EXPECT_EQ(saturate(2, u1), 1);
  EXPECT_EQ(saturate(-2, u1), 0);
}

TEST(Requantize, MatchesExactReferenceAtExtremes) {
  Rng rng(0x5EED0102);
  const std::vector<ActType> types = {{1, true, 1}, {1, false, 1}, {2, true, 1}, {4, false, 1}, {4, true, 1}, {8, false, 1}, {8, true, 1}};
  const int64_t acc_max = kAccLimit - 1;
  for (int i = 0; i < 100000; ++i) {
    const int64_t acc = i % 3 == 0 ? (rng.coin() ? acc_max : -acc_max) : rng.range(-acc_max, acc_max);
    const int32_t mult = i % 5 == 0 ? (rng.coin() ? INT32_MIN : INT32_MAX) : static_cast<int32_t>(rng.range(INT32_MIN, INT32_MAX));
    const int64_t bias = i % 7 == 0 ? (rng.coin() ? kMaxBiasAbs : -kMaxBiasAbs) : rng.range(-kMaxBiasAbs, kMaxBiasAbs);
    const int shift = i % 2 ? kMaxShift - static_cast<int>(rng.range(0, 3)) : static_cast<int>(rng.range(0, kMaxShift));
    const bool relu = rng.coin();
    const ActType& t = types[static_cast<size_t>(i) % types.size()];
    const __int128 v = static_cast<__int128>(acc) * mult + bias;
    int64_t r = ref_round_shift(v, shift);
    if (relu && r < 0) r = 0;
    int32_t want;
    if (t.is_signed && t.bits == 1) want = r >= 0 ? 1 : -1;
    else {
      const int64_t lo = t.is_signed ? -(int64_t{1} << (t.bits - 1)) : 0, hi = t.is_signed ? (int64_t{1} << (t.bits - 1)) - 1 : (int64_t{1} << t.bits) - 1;
      want = static_cast<int32_t>(std::min(std::max(r, lo), hi));
    }
    ASSERT_EQ(requantize(acc, mult, bias, shift, relu, t), want)
        << "acc " << acc << " mult " << mult << " bias " << bias << " shift " << shift << " relu " << relu << " out " << t.to_string();
  }
}

TEST(Requantize, ErrorBoundAgainstRealArithmetic) {
  // Before saturation |r - v / 2^shift| <= 1/2, checked with v small enough for exact doubles.
  Rng rng(0x5EED0103);
  const ActType wide{8, true, 1.0};
  int ties = 0;
  for (int i = 0; i < 100000; ++i) {
    const int shift = static_cast<int>(rng.range(0, 16));
    const int64_t acc = rng.range(-100000, 100000);
    const int32_t mult = static_cast<int32_t>(rng.range(-4096, 4096));
    const int64_t bias = rng.range(-(int64_t{1} << 30), int64_t{1} << 30);
    const int64_t v = acc * mult + bias;
    const int64_t r = round_shift(v, shift);
    const double exact = std::ldexp(static_cast<double>(v), -shift);
    ASSERT_LE(std::fabs(static_cast<double>(r) - exact), 0.5) << "v " << v << " shift " << shift;
    ASSERT_EQ(static_cast<double>(r), std::floor(exact + 0.5));
    if (exact - std::floor(exact) == 0.5) ++ties;
    const int64_t clamped = std::min<int64_t>(std::max<int64_t>(r, -128), 127);
    ASSERT_EQ(requantize(acc, mult, bias, shift, false, wide), clamped);
  }
  EXPECT_GT(ties, 100) << "the random cases must include exact .5 ties";
}

}  // namespace
