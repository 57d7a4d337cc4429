// FleXOR's M⊕: decryption over GF(2) and the seeded generator (docs/numerics.md sections 3, 3.1).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "quant/prng.h"
#include "quant/xor_matrix.h"
#include "util.h"

namespace {

using namespace subbit;
using ct::json;
using ct::Rng;

// Row strings "c0 c1 c2 ..." (character c = M[r][c]) -> rows[r] bit c.
std::vector<uint32_t> rows_from_strings(const std::vector<std::string>& rows) {
  std::vector<uint32_t> out;
  for (const auto& s : rows) {
    uint32_t r = 0;
    for (size_t c = 0; c < s.size(); ++c)
      if (s[c] == '1') r |= 1u << c;
    out.push_back(r);
  }
  return out;
}

// y[r] = XOR over c of M[r][c] AND x[c], over plain 0/1 ints.
std::vector<int> naive_decrypt(const std::vector<std::vector<int>>& M, const std::vector<int>& x) {
  std::vector<int> y(M.size(), 0);
  for (size_t r = 0; r < M.size(); ++r)
    for (size_t c = 0; c < x.size(); ++c) y[r] = (y[r] + M[r][c] * x[c]) % 2;
  return y;
}

uint64_t pack(const std::vector<int>& bits) {
  uint64_t v = 0;
  for (size_t i = 0; i < bits.size(); ++i) v |= static_cast<uint64_t>(bits[i]) << i;
  return v;
}

// ---- the paper's example: N_in = 4, N_out = 6 ----
const std::vector<std::string> kPaperRows = {"1011", "1100", "1110", "0011", "0101", "0111"};

TEST(FlexorDecrypt, PaperExampleRowsAsStored) {
  const XorMatrix m(6, 4, rows_from_strings(kPaperRows));
  // Row "1011": M[0][0]=1, M[0][1]=0, M[0][2]=1, M[0][3]=1 -> bits 0, 2, 3.
  EXPECT_EQ(m.row(0), 0b1101u);
  EXPECT_EQ(m.row(1), 0b0011u);
  EXPECT_EQ(m.row(2), 0b0111u);
  EXPECT_EQ(m.row(3), 0b1100u);
  EXPECT_EQ(m.row(4), 0b1010u);
  EXPECT_EQ(m.row(5), 0b1110u);
  EXPECT_EQ(m.to_string(), "1011\n1100\n1110\n0011\n0101\n0111\n");
  EXPECT_TRUE(m.at(0, 0));
  EXPECT_FALSE(m.at(0, 1));
  EXPECT_TRUE(m.at(5, 3));
  EXPECT_FALSE(m.at(5, 0));
}

TEST(FlexorDecrypt, PaperExampleAllSixteenInputs) {
  const XorMatrix m(6, 4, rows_from_strings(kPaperRows));
  // Worked by hand: x = e_c selects column c of M (read top to bottom as y[0..5], y[r] = bit r).
  EXPECT_EQ(m.decrypt(0b0000), 0u);
  EXPECT_EQ(m.decrypt(0b0001), 0b000111u);  // column 0: 1 1 1 0 0 0
  EXPECT_EQ(m.decrypt(0b0010), 0b110110u);  // column 1: 0 1 1 0 1 1
  EXPECT_EQ(m.decrypt(0b0100), 0b101101u);  // column 2: 1 0 1 1 0 1
  EXPECT_EQ(m.decrypt(0b1000), 0b111001u);  // column 3: 1 0 0 1 1 1
  EXPECT_EQ(m.decrypt(0b0011), 0b110001u);  // columns 0 ^ 1
  EXPECT_EQ(m.decrypt(0b1111), 0b100101u);  // row parities: 1011->1 1100->0 1110->1 0011->0 0101->0 0111->1

  // All 16 from the definition, over plain 0/1 ints.
  std::vector<std::vector<int>> M;
  for (const auto& s : kPaperRows) {
    std::vector<int> row;
    for (char ch : s) row.push_back(ch - '0');
    M.push_back(row);
  }
  for (int x = 0; x < 16; ++x) {
    std::vector<int> xb = {x & 1, (x >> 1) & 1, (x >> 2) & 1, (x >> 3) & 1};
    EXPECT_EQ(m.decrypt(static_cast<uint32_t>(x)), pack(naive_decrypt(M, xb))) << "x = " << x;
  }
}

TEST(FlexorDecrypt, GF2LinearityZeroAndNaiveProductOnRandomMatrices) {
  Rng rng(0x5EED0001);
  for (int trial = 0; trial < 400; ++trial) {
    const int n_in = static_cast<int>(rng.range(1, 32));
    const int n_out = static_cast<int>(rng.range(n_in, 64));
    std::vector<std::vector<int>> M(n_out, std::vector<int>(n_in));
    std::vector<uint32_t> rows(n_out, 0);
    for (int r = 0; r < n_out; ++r)
      for (int c = 0; c < n_in; ++c) {
        M[r][c] = rng.coin();
        if (M[r][c]) rows[r] |= 1u << c;
      }
    const XorMatrix m(n_out, n_in, rows);
    ASSERT_EQ(m.n_in(), n_in);
    ASSERT_EQ(m.n_out(), n_out);
    EXPECT_EQ(m.decrypt(0), 0u);
    const uint32_t mask = n_in == 32 ? 0xFFFFFFFFu : (1u << n_in) - 1;
    for (int t = 0; t < 8; ++t) {
      const uint32_t a = static_cast<uint32_t>(rng.next()) & mask, b = static_cast<uint32_t>(rng.next()) & mask;
      EXPECT_EQ(m.decrypt(a ^ b), m.decrypt(a) ^ m.decrypt(b));
      std::vector<int> xa(n_in);
      for (int c = 0; c < n_in; ++c) xa[c] = (a >> c) & 1;
      const uint64_t y = m.decrypt(a);
      EXPECT_EQ(y, pack(naive_decrypt(M, xa))) << "n_in " << n_in << " n_out " << n_out;
      if (n_out < 64) {
        EXPECT_EQ(y >> n_out, 0u) << "bits beyond N_out must be 0";
      }
    }
  }
}

TEST(FlexorDecrypt, BytesRoundTripAndRejectsBadMatrices) {
  const XorMatrix m(6, 4, rows_from_strings(kPaperRows));
  const std::vector<uint8_t> b = m.to_bytes();
  const std::vector<uint8_t> want = {1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1};
  EXPECT_EQ(b, want);
  EXPECT_EQ(XorMatrix::from_bytes(6, 4, b.data()), m);
  std::vector<uint8_t> bad = b;
  bad[9] = 2;
  EXPECT_SUBBIT_ERROR(XorMatrix::from_bytes(6, 4, bad.data()), "element [2][1] must be 0 or 1, got 2");
  EXPECT_SUBBIT_ERROR(XorMatrix(6, 4, {1, 2, 3}), "6 rows");
  EXPECT_SUBBIT_ERROR(XorMatrix(2, 4, {1, 0x10}), "beyond column");
  EXPECT_SUBBIT_ERROR(XorMatrix(2, 0, {0, 0}), "N_in");
  EXPECT_SUBBIT_ERROR(XorMatrix(2, 33, {0, 0}), "N_in");
  EXPECT_SUBBIT_ERROR(XorMatrix(65, 4, std::vector<uint32_t>(65, 1)), "N_out");
}

// ---- SplitMix64 ----
TEST(SplitMix64, KnownAnswers) {
  // Reference outputs of SplitMix64 (Vigna) for seed 1234567.
  SplitMix64 g(1234567);
  EXPECT_EQ(g.next(), 6457827717110365317ULL);
  EXPECT_EQ(g.next(), 3203168211198807973ULL);
  EXPECT_EQ(g.next(), 9817491932198370423ULL);
  EXPECT_EQ(g.next(), 4593380528125082431ULL);
  EXPECT_EQ(g.next(), 16408922859458223821ULL);
  SplitMix64 z(0);
  EXPECT_EQ(z.next(), 0xE220A8397B1DCDAFULL);
}

// ---- an independent implementation of docs/numerics.md 3.1 ----
struct RefSplitMix {
  uint64_t s;
  uint64_t next() {
    s += 0x9E3779B97F4A7C15ULL;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t uniform(uint64_t n) { return next() % n; }
};

std::vector<std::vector<int>> ref_tap(int n_out, int n_in, int n_tap, uint64_t seed) {
  RefSplitMix g{seed};
  std::vector<std::vector<int>> M(n_out, std::vector<int>(n_in, 0));
  for (int r = 0; r < n_out; ++r) {
    std::vector<int> cols;
    for (int c = 0; c < n_in; ++c) cols.push_back(c);
    for (int t = 0; t < n_tap; ++t) {
      const int j = t + static_cast<int>(g.uniform(static_cast<uint64_t>(n_in - t)));
      const int tmp = cols[t];
      cols[t] = cols[j];
      cols[j] = tmp;
      M[r][cols[t]] = 1;
    }
  }
  return M;
}

std::vector<std::vector<int>> ref_random(int n_out, int n_in, uint64_t seed) {
  RefSplitMix g{seed};
  std::vector<std::vector<int>> M(n_out, std::vector<int>(n_in, 0));
  for (int r = 0; r < n_out; ++r) {
    for (;;) {
      int ones = 0;
      for (int c = 0; c < n_in; ++c) ones += M[r][c] = static_cast<int>(g.next() >> 63);
      if (ones) break;
    }
  }
  return M;
}

std::vector<std::vector<int>> as_ints(const XorMatrix& m) {
  std::vector<std::vector<int>> M(m.n_out(), std::vector<int>(m.n_in()));
  for (int r = 0; r < m.n_out(); ++r)
    for (int c = 0; c < m.n_in(); ++c) M[r][c] = m.at(r, c);
  return M;
}

TEST(XorGenerator, HandVerifiedSmallTapCase) {
  // seed 0, N_out 3, N_in 4, N_tap 2, worked through by hand from the SplitMix64 outputs:
  // every draw is taken mod (N_in - t), the column picked is cols[t] after the swap.
  RefSplitMix g{0};
  std::vector<uint64_t> draws;
  for (int i = 0; i < 6; ++i) draws.push_back(g.next());
  std::vector<std::vector<int>> want(3, std::vector<int>(4, 0));
  size_t d = 0;
  for (int r = 0; r < 3; ++r) {
    int cols[4] = {0, 1, 2, 3};
    for (int t = 0; t < 2; ++t) {
      const int j = t + static_cast<int>(draws[d++] % static_cast<uint64_t>(4 - t));
      std::swap(cols[t], cols[j]);
      want[r][cols[t]] = 1;
    }
  }
  EXPECT_EQ(draws[0], 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(draws[0] % 4, 3u);  // row 0, t = 0: column 3 is picked first
  const XorMatrix m = XorMatrix::generate(3, 4, XorFill::Tap, 2, 0);
  EXPECT_EQ(as_ints(m), want);
  EXPECT_EQ(as_ints(m), ref_tap(3, 4, 2, 0));
  EXPECT_TRUE(m.at(0, 3));
}

TEST(XorGenerator, MatchesIndependentImplementation) {
  Rng rng(0x5EED0002);
  for (int trial = 0; trial < 300; ++trial) {
    const int n_in = static_cast<int>(rng.range(1, 32));
    const int n_out = static_cast<int>(rng.range(n_in, 64));
    const int n_tap = static_cast<int>(rng.range(1, n_in));
    const uint64_t seed = trial < 3 ? static_cast<uint64_t>(trial) : rng.next();
    EXPECT_EQ(as_ints(XorMatrix::generate(n_out, n_in, XorFill::Tap, n_tap, seed)), ref_tap(n_out, n_in, n_tap, seed))
        << n_out << "x" << n_in << " tap " << n_tap << " seed " << seed;
    EXPECT_EQ(as_ints(XorMatrix::generate(n_out, n_in, XorFill::Random, 1, seed)), ref_random(n_out, n_in, seed))
        << n_out << "x" << n_in << " random seed " << seed;
  }
}

TEST(XorGenerator, TapRowsHaveExactlyNTapDistinctOnes) {
  Rng rng(0x5EED0003);
  for (int trial = 0; trial < 300; ++trial) {
    const int n_in = static_cast<int>(rng.range(1, 32));
    const int n_out = static_cast<int>(rng.range(n_in, 64));
    const int n_tap = static_cast<int>(rng.range(1, n_in));
    const XorMatrix m = XorMatrix::generate(n_out, n_in, XorFill::Tap, n_tap, rng.next());
    ASSERT_EQ(m.n_out(), n_out);
    ASSERT_EQ(m.n_in(), n_in);
    for (int r = 0; r < n_out; ++r) {
      std::set<int> cols;
      int ones = 0;
      for (int c = 0; c < n_in; ++c)
        if (m.at(r, c)) ++ones, cols.insert(c);
      EXPECT_EQ(ones, n_tap) << "row " << r;
      EXPECT_EQ(static_cast<int>(cols.size()), n_tap);
      const uint32_t valid = n_in == 32 ? 0xFFFFFFFFu : (1u << n_in) - 1;
      EXPECT_EQ(m.row(r) & ~valid, 0u);
    }
  }
  // N_tap = N_in: every row is all ones.
  const XorMatrix full = XorMatrix::generate(10, 5, XorFill::Tap, 5, 99);
  for (int r = 0; r < 10; ++r) EXPECT_EQ(full.row(r), 0b11111u);
}

TEST(XorGenerator, RandomRowsAreNeverZero) {
  // N_in = 1: half the draws give an all-zero row, which must be drawn again.
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const XorMatrix m = XorMatrix::generate(64, 1, XorFill::Random, 0, seed);
    for (int r = 0; r < 64; ++r) ASSERT_EQ(m.row(r), 1u) << "seed " << seed << " row " << r;
  }
  Rng rng(0x5EED0004);
  for (int trial = 0; trial < 200; ++trial) {
    const int n_in = static_cast<int>(rng.range(1, 4));
    const XorMatrix m = XorMatrix::generate(64, n_in, XorFill::Random, 0, rng.next());
    for (int r = 0; r < 64; ++r) EXPECT_NE(m.row(r), 0u);
  }
}

TEST(XorGenerator, SeedDeterminism) {
  for (XorFill fill : {XorFill::Tap, XorFill::Random}) {
    const XorMatrix a = XorMatrix::generate(20, 16, fill, 2, 12345);
    const XorMatrix b = XorMatrix::generate(20, 16, fill, 2, 12345);
    const XorMatrix c = XorMatrix::generate(20, 16, fill, 2, 12346);
    EXPECT_EQ(a, b);
    EXPECT_FALSE(a == c) << "seeds 12345 and 12346 gave the same matrix";
  }
  EXPECT_FALSE(XorMatrix::generate(20, 16, XorFill::Tap, 2, 1) == XorMatrix::generate(20, 16, XorFill::Random, 2, 1));
}

TEST(XorGenerator, RejectsBadParameters) {
  EXPECT_SUBBIT_ERROR(XorMatrix::generate(6, 4, XorFill::Tap, 0, 1), "N_tap");
  EXPECT_SUBBIT_ERROR(XorMatrix::generate(6, 4, XorFill::Tap, 5, 1), "N_tap");
  EXPECT_SUBBIT_ERROR(XorMatrix::generate(6, 0, XorFill::Random, 1, 1), "N_in");
  EXPECT_SUBBIT_ERROR(XorMatrix::generate(6, 33, XorFill::Random, 1, 1), "N_in");
  EXPECT_SUBBIT_ERROR(XorMatrix::generate(65, 4, XorFill::Random, 1, 1), "N_out");
}

// ---- cross-language vectors written by the Python trainer (tests/python/test_xor_generator.py) ----
// Layout: {"vectors": [{"n_out": 20, "n_in": 16, "fill": "tap", "n_tap": 2, "seed": "1",
// "rows": ["0100...", ...]}, ...]}, row string character c = M[r][c] (rows may also be 0/1 arrays);
// the seed is a decimal string (or a number), since JSON numbers above 2^53 are not safe everywhere.
uint64_t seed_of(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_string()) return std::stoull(v.get<std::string>(), nullptr, 0);
  throw std::runtime_error("seed must be an unsigned number or a string, got " + v.dump());
}

TEST(XorGenerator, CrossLanguageVectors) {
  const std::filesystem::path path = std::filesystem::path(SUBBIT_SOURCE_DIR) / "tests" / "python" / "xor_vectors.json";
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing (tests/python/test_xor_generator.py --write)";
  std::ifstream in(path);
  const json doc = json::parse(in);
  const json& vectors = doc.is_array() ? doc : doc.at("vectors");
  ASSERT_FALSE(vectors.empty());
  int checked = 0;
  for (const json& v : vectors) {
    const int n_out = v.at("n_out"), n_in = v.at("n_in");
    const std::string fill = v.at("fill");
    ASSERT_TRUE(fill == "tap" || fill == "random") << fill;
    const int n_tap = fill == "tap" ? v.at("n_tap").get<int>() : 1;
    const uint64_t seed = seed_of(v.at("seed"));
    const XorMatrix m = XorMatrix::generate(n_out, n_in, fill == "tap" ? XorFill::Tap : XorFill::Random, n_tap, seed);
    const json& rows = v.at("rows");
    ASSERT_EQ(static_cast<int>(rows.size()), n_out);
    for (int r = 0; r < n_out; ++r)
      for (int c = 0; c < n_in; ++c) {
        const int want = rows[r].is_string() ? rows[r].get<std::string>().at(c) - '0' : rows[r].at(c).get<int>();
        EXPECT_EQ(m.at(r, c) ? 1 : 0, want) << n_out << "x" << n_in << " " << fill << " seed " << seed << ": row " << r << " col " << c;
      }
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

}  // namespace
