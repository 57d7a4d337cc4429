// Effective integer weights of every scheme against docs/numerics.md section 2 and 3, storage
// accounting, and QuantWeights::validate.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "quant/weights.h"
#include "util.h"

namespace {

using namespace subbit;
using ct::naive_effective;
using ct::Rng;

std::vector<int> eff(const QuantWeights& w) {
  const auto e = w.effective();
  return std::vector<int>(e.begin(), e.end());
}

QuantWeights base(Scheme s, int cout, int k) {
  QuantWeights w;
  w.scheme = s;
  w.cout = cout;
  w.k = k;
  return w;
}

TEST(Weights, Int8IsTheStoredValue) {
  QuantWeights w = base(Scheme::Int8, 2, 3);
  w.int8 = {-128, 0, 127, 5, -5, 1};
  w.validate("t");
  EXPECT_EQ(eff(w), (std::vector<int>{-128, 0, 127, 5, -5, 1}));
  EXPECT_EQ(w.bits_per_weight(), 8.0);
  EXPECT_EQ(w.stored_bytes(), 6u);
  EXPECT_EQ(w.weight_stream_bytes(), 6u);
  EXPECT_FALSE(w.is_sub_byte());
}

TEST(Weights, BinaryPackedLsbFirst) {
  // Cout = 2, K = 5, n = o*K + k: bits 0..9; byte 0 = bits 0..7 LSB first, byte 1 = bits 8, 9.
  QuantWeights w = base(Scheme::Binary, 2, 5);
  w.q = 1;
  w.planes = {0b10100101, 0b10};  // bits 0, 2, 5, 7, 9 set
  w.alpha = {3, 7};
  w.validate("t");
  EXPECT_EQ(eff(w), (std::vector<int>{3, -3, 3, -3, -3, /*o=1*/ 7, -7, 7, -7, 7}));
  EXPECT_EQ(w.bits_per_weight(), 1.0);
  EXPECT_EQ(w.stored_bytes(), 2u + 2u);
  EXPECT_EQ(w.plane_bits(0), w.planes);
}

TEST(Weights, BcqThreePlanes) {
  // Cout = 2, K = 3: plane i element n. W = Σ α[i][o] (2b - 1).
  QuantWeights w = base(Scheme::Bcq, 2, 3);
  w.q = 3;
  w.planes = {0b000111, 0b101010, 0b110011};  // one byte per plane (6 bits)
  w.alpha = {/*plane0*/ 1, 10, /*plane1*/ 2, 20, /*plane2*/ 4, 40};
  w.validate("t");
  // o=0 (n=0..2): n0: +1 -2 +4 = 3; n1: +1 +2 +4 = 7; n2: +1 -2 -4 = -5
  // o=1 (n=3..5): n3: -10 +20 -40 = -30; n4: -10 -20 +40 = 10; n5: -10 +20 +40 = 50
  EXPECT_EQ(eff(w), (std::vector<int>{3, 7, -5, -30, 10, 50}));
  EXPECT_EQ(eff(w), naive_effective(w));
  EXPECT_EQ(w.bits_per_weight(), 3.0);
  EXPECT_EQ(w.stored_bytes(), 3u * 1 + 3u * 2);
}

TEST(Weights, UniformFourBitsGivesOddLevels) {
  // Element n has plane-i bit (n >> i) & 1, so W[n] = Σ 2^i (2 bit - 1) = 2n - 15.
  QuantWeights w = base(Scheme::Uniform, 1, 16);
  w.q = 4;
  w.planes.assign(4 * 2, 0);
  for (int i = 0; i < 4; ++i)
    for (int n = 0; n < 16; ++n)
      if ((n >> i) & 1) w.planes[static_cast<size_t>(i) * 2 + n / 8] |= static_cast<uint8_t>(1 << (n % 8));
  w.alpha = {1, 2, 4, 8};
  w.validate("t");
  const std::vector<int> e = eff(w);
  std::vector<int> want;
  for (int lvl = -15; lvl <= 15; lvl += 2) want.push_back(lvl);  // linspace(-1, 1, 16) * 15
  EXPECT_EQ(e, want);
  EXPECT_EQ(e, naive_effective(w));
  EXPECT_EQ(w.bits_per_weight(), 4.0);
  EXPECT_EQ(w.stored_bytes(), 8u + 4u);
}

TEST(Weights, UniformEveryQCoversAllOddLevels) {
  for (int q = 1; q <= 8; ++q) {
    const int n = 1 << q;
    QuantWeights w = base(Scheme::Uniform, 2, n);
    w.q = q;
    const size_t pb = (2 * static_cast<size_t>(n) + 7) / 8;
    w.planes.assign(q * pb, 0);
    for (int i = 0; i < q; ++i)
      for (int o = 0; o < 2; ++o)
        for (int e = 0; e < n; ++e)
          if ((e >> i) & 1) set_bit(w.planes.data() + i * pb, static_cast<size_t>(o) * n + e, true);
    // α is [q][Cout]: plane i, both channels 2^i.
    std::vector<uint8_t> a;
    for (int i = 0; i < q; ++i) a.push_back(static_cast<uint8_t>(1 << i)), a.push_back(static_cast<uint8_t>(1 << i));
    w.alpha = a;
    w.validate("t");
    const std::vector<int> e = eff(w);
    std::set<int> levels(e.begin(), e.end());
    EXPECT_EQ(static_cast<int>(levels.size()), n) << "q " << q;
    EXPECT_EQ(*levels.begin(), -(n - 1));
    EXPECT_EQ(*levels.rbegin(), n - 1);
    for (int v : e) EXPECT_NE(v % 2, 0) << "uniform levels are odd";
  }
}

TEST(Weights, TernaryGivesMinusZeroPlus) {
  QuantWeights w = base(Scheme::Ternary, 2, 4);
  w.q = 2;
  // o=0: (b0, b1) = (0,0) (1,1) (0,1) (1,0); o=1 the same. plane 0 bits: 0 1 0 1 | 0 1 0 1; plane 1: 0 1 1 0 | 0 1 1 0
  w.planes = {0b10101010, 0b01100110};
  w.alpha = {5, 9, 5, 9};
  w.validate("t");
  EXPECT_EQ(eff(w), (std::vector<int>{-10, 10, 0, 0, -18, 18, 0, 0}));
  EXPECT_EQ(w.bits_per_weight(), 2.0);
  EXPECT_EQ(w.stored_bytes(), 2u + 4u);
}

TEST(Weights, SignedBinaryRegionNotDividingK) {
  // K = 10, region 4: regions [0,4) [4,8) [8,10); R = 3 per channel, 2 channels -> 6 signs.
  QuantWeights w = base(Scheme::SignedBinary, 2, 10);
  w.region = 4;
  w.mask = {0xFF, 0xFF, 0x0F};  // all 20 weights non-zero except ...
  set_bit(w.mask.data(), 1, false);   // o=0 k=1 zero
  set_bit(w.mask.data(), 19, false);  // o=1 k=9 zero
  w.signs = {0b101001};  // o=0: r0 +, r1 -, r2 -; o=1: r0 +, r1 -, r2 +
  w.alpha = {6, 2};
  w.validate("t");
  EXPECT_EQ(w.regions_per_channel(), 3u);
  EXPECT_EQ(eff(w), (std::vector<int>{6, 0, 6, 6, -6, -6, -6, -6, -6, -6, /*o=1*/ 2, 2, 2, 2, -2, -2, -2, -2, 2, 0}));
  EXPECT_EQ(eff(w), naive_effective(w));
  EXPECT_DOUBLE_EQ(w.bits_per_weight(), 1.25);
  EXPECT_EQ(w.stored_bytes(), 3u + 1u + 2u);
  EXPECT_EQ(w.weight_stream_bytes(), 4u);
}

TEST(Weights, FlexorLastPartialSliceAndPackedBitOrder) {
  // Paper matrix, N_in = 4, N_out = 6; Cout = 3, K = 7: numel 21, S = 4 slices, the last slice
  // has 3 used bits. Encrypted bits per plane: 16 -> 2 bytes.
  QuantWeights w = base(Scheme::Flexor, 3, 7);
  w.q = 1;
  w.flexor.n_in = 4;
  w.flexor.n_out = 6;
  w.flexor.explicit_matrix = true;
  w.flexor.matrix = XorMatrix(6, 4, {0b1101, 0b0011, 0b0111, 0b1100, 0b1010, 0b1110});
  // Slice s holds encrypted bits j = 4s + c, LSB first: x0 = 0b0001, x1 = 0b0010, x2 = 0b1111, x3 = 0b1000.
  w.planes = {0x21, 0x8F};
  w.alpha = {1, 2, 3};
  w.validate("t");
  EXPECT_EQ(w.slices(), 4u);
  EXPECT_EQ(w.encrypted_plane_bytes(), 2u);
  // y(x0) = 000111 -> bits r=0..5: 1 1 1 0 0 0; y(x1) = 110110 -> 0 1 1 0 1 1;
  // y(x2) = 100101 -> 1 0 1 0 0 1; y(x3) = 111001 -> 1 0 0 (1 1 1 dropped).
  const std::vector<int> bits = {1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0};
  std::vector<int> want;
  for (int n = 0; n < 21; ++n) want.push_back((2 * bits[n] - 1) * (1 + n / 7));
  EXPECT_EQ(eff(w), want);
  EXPECT_EQ(eff(w), naive_effective(w));
  // The decrypted plane holds exactly 21 bits; the dropped bits 21..23 stay 0.
  const std::vector<uint8_t> plane = w.plane_bits(0);
  ASSERT_EQ(plane.size(), 3u);
  for (int n = 0; n < 21; ++n) EXPECT_EQ(get_bit(plane.data(), n), bits[n] == 1) << n;
  EXPECT_EQ(plane[2] >> 5, 0);
  EXPECT_DOUBLE_EQ(w.bits_per_weight(), 4.0 / 6.0);
  EXPECT_EQ(w.stored_bytes(), 2u + 3u + 24u);  // planes + α + explicit 6x4 matrix
  w.flexor.explicit_matrix = false;
  EXPECT_EQ(w.stored_bytes(), 2u + 3u);
}

TEST(Weights, FlexorTwoPlanesMultiSliceBoundaryCrossingBytes) {
  // N_in = 3 makes slices straddle byte boundaries; q = 2 planes each start on a byte boundary.
  Rng rng(0x5EED0201);
  ct::WeightSpec s;
  s.scheme = Scheme::Flexor;
  s.q = 2;
  s.n_in = 3;
  s.n_out = 5;
  s.fill = XorFill::Random;
  QuantWeights w = ct::random_weights(s, 3, 9, rng);  // numel 27, S = 6, 18 bits -> 3 bytes per plane
  w.validate("t");
  EXPECT_EQ(w.encrypted_plane_bytes(), 3u);
  EXPECT_EQ(w.planes.size(), 6u);
  EXPECT_EQ(eff(w), naive_effective(w));
  EXPECT_DOUBLE_EQ(w.bits_per_weight(), 2.0 * 3 / 5);
  EXPECT_EQ(w.stored_bytes(), 6u + 6u);
}

TEST(Weights, RandomWeightsOfEverySchemeMatchTheFormulas) {
  Rng rng(0x5EED0202);
  for (int trial = 0; trial < 600; ++trial) {
    const ct::WeightSpec spec = ct::random_spec(rng);
    const int cout = static_cast<int>(rng.range(1, 9)), k = static_cast<int>(rng.range(1, 40));
    const QuantWeights w = ct::random_weights(spec, cout, k, rng);
    ASSERT_NO_THROW(w.validate("t")) << scheme_name(spec.scheme);
    const std::vector<int> e = eff(w), want = naive_effective(w);
    ASSERT_EQ(e, want) << scheme_name(spec.scheme) << " cout " << cout << " k " << k << " q " << w.q;
    for (int v : e) EXPECT_LE(std::abs(v), QuantWeights::kMaxEffective);
    // plane_bits of a FleXOR plane is the decrypted plane: Σ α (2b - 1) over it is W.
    if (w.scheme == Scheme::Flexor || w.has_bit_planes()) {
      std::vector<int> from_planes(w.numel(), 0);
      for (int i = 0; i < w.q; ++i) {
        const std::vector<uint8_t> p = w.plane_bits(i);
        ASSERT_EQ(p.size(), w.plane_bytes());
        for (size_t n = 0; n < w.numel(); ++n) from_planes[n] += w.alpha[i * static_cast<size_t>(cout) + n / k] * (get_bit(p.data(), n) ? 1 : -1);
        for (size_t n = w.numel(); n < p.size() * 8; ++n) EXPECT_FALSE(get_bit(p.data(), n)) << "padding bit " << n;
      }
      EXPECT_EQ(from_planes, e);
    }
  }
}

TEST(Weights, MaxEffectiveIsReached) {
  QuantWeights w = base(Scheme::Bcq, 1, 2);
  w.q = 8;
  w.planes.assign(8, 0b01);
  w.alpha.assign(8, 255);
  w.validate("t");
  EXPECT_EQ(eff(w), (std::vector<int>{2040, -2040}));
}

TEST(Weights, StoredBytesOfEveryScheme) {
  Rng rng(0x5EED0203);
  for (int trial = 0; trial < 200; ++trial) {
    const ct::WeightSpec spec = ct::random_spec(rng);
    const size_t cout = static_cast<size_t>(rng.range(1, 9)), k = static_cast<size_t>(rng.range(1, 40));
    const QuantWeights w = ct::random_weights(spec, static_cast<int>(cout), static_cast<int>(k), rng);
    const size_t n = cout * k, B = (n + 7) / 8;
    size_t want = 0;
    double bpw = 0;
    switch (w.scheme) {
      case Scheme::Int8: want = n, bpw = 8; break;
      case Scheme::SignedBinary: {
        const size_t R = (k + w.region - 1) / w.region;
        want = B + (cout * R + 7) / 8 + cout;
        bpw = 1.0 + 1.0 / w.region;
        break;
      }
      case Scheme::Flexor: {
        const size_t S = (n + w.flexor.n_out - 1) / w.flexor.n_out;
        want = w.q * ((S * w.flexor.n_in + 7) / 8) + w.q * cout + (w.flexor.explicit_matrix ? static_cast<size_t>(w.flexor.n_in) * w.flexor.n_out : 0);
        bpw = static_cast<double>(w.q) * w.flexor.n_in / w.flexor.n_out;
        break;
      }
      default: want = w.q * B + w.q * cout, bpw = w.q; break;
    }
    EXPECT_EQ(w.stored_bytes(), want) << scheme_name(w.scheme);
    EXPECT_DOUBLE_EQ(w.bits_per_weight(), bpw) << scheme_name(w.scheme);
  }
}

TEST(Weights, SchemeNames) {
  for (Scheme s : {Scheme::Int8, Scheme::Binary, Scheme::Bcq, Scheme::Uniform, Scheme::Ternary, Scheme::SignedBinary, Scheme::Flexor})
    EXPECT_EQ(parse_scheme(scheme_name(s), "t"), s);
  EXPECT_SUBBIT_ERROR(parse_scheme("int4", "where"), "where", "unknown weight scheme 'int4'", "signed_binary");
}

// ---- validate ----
QuantWeights valid(Scheme s, Rng& rng) {
  ct::WeightSpec spec;
  spec.scheme = s;
  spec.q = 3;
  spec.region = 4;
  return ct::random_weights(spec, 3, 10, rng);
}

TEST(WeightsValidate, RejectsWrongSizes) {
  Rng rng(0x5EED0204);
  for (Scheme s : {Scheme::Int8, Scheme::Binary, Scheme::Bcq, Scheme::Uniform, Scheme::Ternary, Scheme::SignedBinary, Scheme::Flexor}) {
    const QuantWeights ok = valid(s, rng);
    ASSERT_NO_THROW(ok.validate("L")) << scheme_name(s);
    QuantWeights w = ok;
    switch (s) {
      case Scheme::Int8:
        w.int8.pop_back();
        EXPECT_SUBBIT_ERROR(w.validate("L"), "L: ", "weight has 29 bytes, expected 30");
        break;
      case Scheme::SignedBinary:
        w.mask.pop_back();
        EXPECT_SUBBIT_ERROR(w.validate("L"), "mask has 3 bytes, expected 4");
        w = ok;
        w.signs.push_back(0);
        EXPECT_SUBBIT_ERROR(w.validate("L"), "signs has 3 bytes, expected 2");
        w = ok;
        w.alpha.push_back(1);
        EXPECT_SUBBIT_ERROR(w.validate("L"), "alpha has 4 bytes, expected 3");
        break;
      case Scheme::Flexor:
        w.planes.pop_back();
        EXPECT_SUBBIT_ERROR(w.validate("L"), "encrypted planes has");
        w = ok;
        w.alpha.pop_back();
        EXPECT_SUBBIT_ERROR(w.validate("L"), "alpha has");
        break;
      default:
        w.planes.pop_back();
        EXPECT_SUBBIT_ERROR(w.validate("L"), "L: ", "planes has");
        w = ok;
        w.alpha.pop_back();
        EXPECT_SUBBIT_ERROR(w.validate("L"), "alpha has");
        break;
    }
  }
  QuantWeights w = valid(Scheme::Int8, rng);
  w.cout = 0;
  EXPECT_SUBBIT_ERROR(w.validate("L"), "Cout >= 1");
}

TEST(WeightsValidate, RejectsSchemeRules) {
  Rng rng(0x5EED0205);
  QuantWeights w = valid(Scheme::Uniform, rng);
  w.alpha[3 + 1] = 3;  // plane 1, channel 1: must be 2
  EXPECT_SUBBIT_ERROR(w.validate("L"), "alpha[1][1] = 2^1, got 3");
  w = valid(Scheme::Uniform, rng);
  w.alpha[0] = 0;
  EXPECT_SUBBIT_ERROR(w.validate("L"), "alpha[0][0] = 2^0");

  w = valid(Scheme::Ternary, rng);
  w.alpha[2] = static_cast<uint8_t>(w.alpha[5] + 1);
  EXPECT_SUBBIT_ERROR(w.validate("L"), "ternary", "alpha[0][2] = alpha[1][2]");

  for (Scheme s : {Scheme::Bcq, Scheme::Uniform, Scheme::Flexor}) {
    for (int q : {0, 9, -1}) {
      w = valid(s, rng);
      w.q = q;
      EXPECT_SUBBIT_ERROR(w.validate("L"), "q (bit planes) must be in [1, 8], got " + std::to_string(q));
    }
  }
  w = valid(Scheme::Binary, rng);
  w.q = 2;
  w.planes.resize(2 * w.plane_bytes());
  w.alpha.resize(6);
  EXPECT_SUBBIT_ERROR(w.validate("L"), "binary weights have q = 1");
  w = valid(Scheme::Ternary, rng);
  w.q = 3;
  EXPECT_SUBBIT_ERROR(w.validate("L"), "ternary weights have q = 2");

  w = valid(Scheme::SignedBinary, rng);
  w.region = 0;
  EXPECT_SUBBIT_ERROR(w.validate("L"), "region must be in [1, K=10], got 0");
  w.region = 11;
  EXPECT_SUBBIT_ERROR(w.validate("L"), "region must be in [1, K=10], got 11");

  w = valid(Scheme::Flexor, rng);
  w.flexor.n_out = 3;  // < n_in = 4
  EXPECT_SUBBIT_ERROR(w.validate("L"), "n_out must be in [n_in=4, 64]");
  w = valid(Scheme::Flexor, rng);
  w.flexor.n_in = 0;
  EXPECT_SUBBIT_ERROR(w.validate("L"), "n_in must be in [1, 32]");
  w = valid(Scheme::Flexor, rng);
  w.flexor.matrix = XorMatrix::generate(7, 4, XorFill::Tap, 2, 1);
  EXPECT_SUBBIT_ERROR(w.validate("L"), "matrix is 7x4, expected n_out x n_in = 6x4");
}

}  // namespace
