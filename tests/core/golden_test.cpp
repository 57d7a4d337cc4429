// The golden reference against a naive double-precision computation written from
// docs/numerics.md: conv2d, linear, maxpool, avgpool, add and requant, every scheme, every
// activation type, with negative values, exact .5 ties and saturation.
#include <gtest/gtest.h>

#include <cmath>

#include "golden/golden.h"
#include "util.h"

namespace {

using namespace subbit;
using ct::Rng;

double lo_of(const ActType& t) { return t.is_signed ? (t.bits == 1 ? -1 : -std::ldexp(1.0, t.bits - 1)) : 0; }
double hi_of(const ActType& t) { return t.is_signed ? (t.bits == 1 ? 1 : std::ldexp(1.0, t.bits - 1) - 1) : std::ldexp(1.0, t.bits) - 1; }

struct Stats {
  int outputs = 0, ties = 0, negative_v = 0, saturated = 0, in_range = 0, zero_r_s1 = 0;
  std::string str() const {
    return "outputs " + std::to_string(outputs) + ", ties " + std::to_string(ties) + ", negative v " + std::to_string(negative_v) +
           ", saturated " + std::to_string(saturated) + ", in range " + std::to_string(in_range);
  }
};

// The requantization of docs/numerics.md section 4 in doubles (v must stay below 2^53).
int expected_output(double v, int shift, bool relu, const ActType& out, Stats& st) {
  EXPECT_LT(std::fabs(v), std::ldexp(1.0, 52)) << "test case too large for exact doubles";
  const double scaled = std::ldexp(v, -shift);
  double r = std::floor(scaled + 0.5);
  EXPECT_LE(std::fabs(r - scaled), 0.5);  // the documented error bound before saturation
  ++st.outputs;
  if (v < 0) ++st.negative_v;
  if (scaled - std::floor(scaled) == 0.5) ++st.ties;
  if (relu) r = std::max(r, 0.0);
  if (out.is_signed && out.bits == 1) {
    if (r == 0) ++st.zero_r_s1;
    return r >= 0 ? 1 : -1;
  }
  const double lo = lo_of(out), hi = hi_of(out);
  if (r < lo || r > hi) ++st.saturated;
  else ++st.in_range;
  return static_cast<int>(std::min(std::max(r, lo), hi));
}

const std::vector<ActType> kTypes = {ct::u(8), ct::s(8), ct::u(4), ct::s(4), ct::u(1), ct::s(1), ct::s(2), ct::u(2)};

int random_shift(Rng& rng) { return rng.coin() ? static_cast<int>(rng.range(0, 3)) : static_cast<int>(rng.range(4, 22)); }

// The test helper's RNG (issue 11: range() overflowed int64 on wide ranges).
TEST(TestRng, WideRangesStayInBounds) {
  Rng r(1);
  for (int i = 0; i < 1000; ++i) {
    (void)r.range(INT64_MIN, INT64_MAX);
    const int64_t v = r.range(INT64_MIN / 2 - 3, INT64_MAX / 2 + 5);
    EXPECT_GE(v, INT64_MIN / 2 - 3);
    EXPECT_LE(v, INT64_MAX / 2 + 5);
    const int64_t w = r.range(-5, INT64_MAX);
    EXPECT_GE(w, -5);
  }
  EXPECT_EQ(r.range(7, 7), 7);
}

TEST(Golden, Conv2dAgainstNaiveDouble) {
  Rng rng(0x5EED0401);
  Stats st;
  for (int trial = 0; trial < 400; ++trial) {
    const int cin = static_cast<int>(rng.range(1, 4)), h = static_cast<int>(rng.range(1, 7)), w = static_cast<int>(rng.range(1, 7));
    Window win;
    win.kh = static_cast<int>(rng.range(1, 4));
    win.kw = static_cast<int>(rng.range(1, 4));
    win.ph = static_cast<int>(rng.range(0, std::min(2, win.kh - 1)));
    win.pw = static_cast<int>(rng.range(0, std::min(2, win.kw - 1)));
    win.sh = static_cast<int>(rng.range(1, 2));
    win.sw = static_cast<int>(rng.range(1, 2));
    if (h + 2 * win.ph < win.kh || w + 2 * win.pw < win.kw) continue;
    const int cout = static_cast<int>(rng.range(1, 5));
    const ActType in_t = rng.pick(kTypes), out_t = rng.pick(kTypes);
    const bool relu = rng.coin();
    const int shift = random_shift(rng);
    const int64_t mult_mag = int64_t{1} << rng.range(0, 12);
    ct::WeightSpec spec = ct::random_spec(rng);

    ct::NetBuilder b(rng.next());
    const int x = b.input({cin, h, w}, in_t);
    const int l = b.layer("conv", Op::Conv2d, x, cout, spec, out_t, shift, relu, win, -mult_mag, mult_mag, int64_t{1} << (shift + 6));
    ASSERT_NO_THROW(b.net.validate("t"));
    const Network& net = b.net;
    const Node& n = net.nodes[l];
    const std::vector<int> W = ct::naive_effective(n.weights);
    const int K = cin * win.kh * win.kw;
    ASSERT_EQ(n.weights.k, K);
    const int oh = (h + 2 * win.ph - win.kh) / win.sh + 1, ow = (w + 2 * win.pw - win.kw) / win.sw + 1;
    ASSERT_EQ(n.shape, (Shape{cout, oh, ow}));

    const auto in = ct::random_values(in_t, static_cast<size_t>(cin) * h * w, rng);
    GoldenModel g(net);
    g.run(in.data());
    const auto& out = g.output();
    ASSERT_EQ(out.size(), static_cast<size_t>(cout) * oh * ow);
    for (int o = 0; o < cout; ++o)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double acc = 0;
          for (int c = 0; c < cin; ++c)
            for (int ky = 0; ky < win.kh; ++ky)
              for (int kx = 0; kx < win.kw; ++kx) {
                const int iy = oy * win.sh - win.ph + ky, ix = ox * win.sw - win.pw + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;  // padding contributes 0
                acc += static_cast<double>(W[static_cast<size_t>(o) * K + (c * win.kh + ky) * win.kw + kx]) * in[(static_cast<size_t>(c) * h + iy) * w + ix];
              }
          const double v = acc * n.rq.mult[o] + static_cast<double>(n.rq.bias[o]);
          const int want = expected_output(v, shift, relu, out_t, st);
          ASSERT_EQ(out[(static_cast<size_t>(o) * oh + oy) * ow + ox], want)
              << "trial " << trial << " " << scheme_name(n.weights.scheme) << " in " << in_t.to_string() << " out " << out_t.to_string()
              << " o " << o << " y " << oy << " x " << ox << " v " << v << " shift " << shift;
        }
  }
  EXPECT_GT(st.ties, 20) << st.str();
  EXPECT_GT(st.negative_v, 1000) << st.str();
  EXPECT_GT(st.saturated, 1000) << st.str();
  EXPECT_GT(st.in_range, 1000) << st.str();
}

TEST(Golden, LinearAtEveryPositionAgainstNaiveDouble) {
  Rng rng(0x5EED0402);
  Stats st;
  for (int trial = 0; trial < 300; ++trial) {
    const int cin = static_cast<int>(rng.range(1, 24)), h = static_cast<int>(rng.range(1, 4)), w = static_cast<int>(rng.range(1, 4));
    const int cout = static_cast<int>(rng.range(1, 12));
    const ActType in_t = rng.pick(kTypes), out_t = rng.pick(kTypes);
    const bool relu = rng.coin();
    const int shift = random_shift(rng);
    const int64_t mult_mag = int64_t{1} << rng.range(0, 12);
    ct::NetBuilder b(rng.next());
    const int x = b.input({cin, h, w}, in_t);
    const int l = b.layer("fc", Op::Linear, x, cout, ct::random_spec(rng), out_t, shift, relu, {}, -mult_mag, mult_mag, int64_t{1} << (shift + 6));
    const Node& n = b.net.nodes[l];
    ASSERT_EQ(n.shape, (Shape{cout, h, w}));
    const std::vector<int> W = ct::naive_effective(n.weights);
    const auto in = ct::random_values(in_t, static_cast<size_t>(cin) * h * w, rng);
    GoldenModel g(b.net);
    g.run(in.data());
    const size_t P = static_cast<size_t>(h) * w;
    for (int o = 0; o < cout; ++o)
      for (size_t p = 0; p < P; ++p) {
        double acc = 0;
        for (int c = 0; c < cin; ++c) acc += static_cast<double>(W[static_cast<size_t>(o) * cin + c]) * in[c * P + p];
        const double v = acc * n.rq.mult[o] + static_cast<double>(n.rq.bias[o]);
        ASSERT_EQ(g.output()[o * P + p], expected_output(v, shift, relu, out_t, st))
            << "trial " << trial << " " << scheme_name(n.weights.scheme) << " o " << o << " p " << p;
      }
  }
  EXPECT_GT(st.ties, 10) << st.str();
  EXPECT_GT(st.negative_v, 100) << st.str();
  EXPECT_GT(st.saturated, 100) << st.str();
  EXPECT_GT(st.in_range, 100) << st.str();
}

TEST(Golden, PoolingAgainstNaive) {
  Rng rng(0x5EED0403);
  Stats st;
  for (int trial = 0; trial < 400; ++trial) {
    const int c = static_cast<int>(rng.range(1, 3)), h = static_cast<int>(rng.range(1, 8)), w = static_cast<int>(rng.range(1, 8));
    Window win;
    win.kh = static_cast<int>(rng.range(1, 4));
    win.kw = static_cast<int>(rng.range(1, 4));
    win.ph = static_cast<int>(rng.range(0, std::min(2, win.kh - 1)));
    win.pw = static_cast<int>(rng.range(0, std::min(2, win.kw - 1)));
    win.sh = static_cast<int>(rng.range(1, 2));
    win.sw = static_cast<int>(rng.range(1, 2));
    if (h + 2 * win.ph < win.kh || w + 2 * win.pw < win.kw) continue;
    const bool is_max = trial % 2 == 0;
    const ActType in_t = rng.pick(kTypes), out_t = rng.pick(kTypes);
    const int shift = random_shift(rng);
    const int32_t mult = static_cast<int32_t>(rng.range(-(1 << 12), 1 << 12));
    const bool relu = rng.coin();
    ct::NetBuilder b(rng.next());
    const int x = b.input({c, h, w}, in_t);
    const int p = is_max ? b.pool("pool", Op::MaxPool, x, win) : b.pool("pool", Op::AvgPool, x, win, mult, shift, relu, out_t);
    const Node& n = b.net.nodes[p];
    const int oh = (h + 2 * win.ph - win.kh) / win.sh + 1, ow = (w + 2 * win.pw - win.kw) / win.sw + 1;
    ASSERT_EQ(n.shape, (Shape{c, oh, ow}));
    if (is_max) {
      EXPECT_TRUE(n.out.same_values(in_t));
    }
    const auto in = ct::random_values(in_t, static_cast<size_t>(c) * h * w, rng);
    GoldenModel g(b.net);
    g.run(in.data());
    for (int ch = 0; ch < c; ++ch)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double best = -1e9, sum = 0;
          int valid = 0;
          for (int ky = 0; ky < win.kh; ++ky)
            for (int kx = 0; kx < win.kw; ++kx) {
              const int iy = oy * win.sh - win.ph + ky, ix = ox * win.sw - win.pw + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;  // padding never wins, counts 0
              const double v = in[(static_cast<size_t>(ch) * h + iy) * w + ix];
              best = std::max(best, v);
              sum += v;
              ++valid;
            }
          ASSERT_GT(valid, 0);
          const int want = is_max ? static_cast<int>(best) : expected_output(sum * mult, shift, relu, out_t, st);
          ASSERT_EQ(g.output()[(static_cast<size_t>(ch) * oh + oy) * ow + ox], want)
              << (is_max ? "max" : "avg") << " trial " << trial << " c " << ch << " y " << oy << " x " << ox;
        }
  }
  EXPECT_GT(st.ties, 10) << st.str();
  EXPECT_GT(st.negative_v, 100) << st.str();
  EXPECT_GT(st.saturated, 100) << st.str();
  EXPECT_GT(st.in_range, 100) << st.str();
}

TEST(Golden, MaxPoolPaddingNeverWins) {
  // All inputs negative (s8): a padded window's max is the largest real input, never 0.
  ct::NetBuilder b(1);
  const int x = b.input({1, 2, 2}, ct::s(8));
  b.pool("pool", Op::MaxPool, x, Window{3, 3, 1, 1, 1, 1});
  const std::vector<int16_t> in = {-5, -7, -9, -100};
  GoldenModel g(b.net);
  g.run(in.data());
  EXPECT_EQ(g.output(), (std::vector<int16_t>{-5, -5, -5, -5}));
}

TEST(Golden, RequantAndAddAgainstNaive) {
  Rng rng(0x5EED0404);
  Stats st;
  for (int trial = 0; trial < 400; ++trial) {
    const int c = static_cast<int>(rng.range(1, 4)), h = static_cast<int>(rng.range(1, 4)), w = static_cast<int>(rng.range(1, 4));
    const ActType in_t = rng.pick(kTypes), mid_t = rng.pick(kTypes), out_t = rng.pick(kTypes);
    const bool per_tensor = rng.coin();
    std::vector<int32_t> mult;
    std::vector<int64_t> bias;
    const int rq_shift = random_shift(rng);
    for (int i = 0; i < (per_tensor ? 1 : c); ++i) {
      mult.push_back(static_cast<int32_t>(rng.range(-(1 << 14), 1 << 14)));
      bias.push_back(rng.range(-(int64_t{1} << (rq_shift + 8)), int64_t{1} << (rq_shift + 8)));
    }
    const bool rq_relu = rng.coin(), add_relu = rng.coin();
    const int add_shift = random_shift(rng);
    const int32_t ma = static_cast<int32_t>(rng.range(-(1 << 16), 1 << 16)), mb = static_cast<int32_t>(rng.range(-(1 << 16), 1 << 16));
    const int64_t add_bias = rng.range(-(int64_t{1} << (add_shift + 8)), int64_t{1} << (add_shift + 8));
    ct::NetBuilder b(rng.next());
    const int x = b.input({c, h, w}, in_t);
    const int r = b.requant("rq", x, mult, bias, rq_shift, rq_relu, mid_t);
    const int a = b.add("add", x, r, ma, mb, add_bias, add_shift, add_relu, out_t);
    ASSERT_NO_THROW(b.net.validate("t"));
    const auto in = ct::random_values(in_t, static_cast<size_t>(c) * h * w, rng);
    GoldenModel g(b.net);
    g.run(in.data());
    const size_t P = static_cast<size_t>(h) * w;
    for (int ch = 0; ch < c; ++ch)
      for (size_t p = 0; p < P; ++p) {
        const size_t e = ch * P + p;
        const int m = per_tensor ? mult[0] : mult[ch];
        const double bi = static_cast<double>(per_tensor ? bias[0] : bias[ch]);
        const int want_r = expected_output(static_cast<double>(in[e]) * m + bi, rq_shift, rq_relu, mid_t, st);
        ASSERT_EQ(g.output(r)[e], want_r) << "requant trial " << trial;
        const double v = static_cast<double>(in[e]) * ma + static_cast<double>(want_r) * mb + static_cast<double>(add_bias);
        ASSERT_EQ(g.output(a)[e], expected_output(v, add_shift, add_relu, out_t, st)) << "add trial " << trial;
      }
  }
  EXPECT_GT(st.ties, 10) << st.str();
  EXPECT_GT(st.negative_v, 100) << st.str();
  EXPECT_GT(st.saturated, 100) << st.str();
  EXPECT_GT(st.in_range, 100) << st.str();
}

TEST(Golden, SignedOneBitAndU4Saturation) {
  // Per-channel mult 1, bias 0, shift 0 on an int8 linear layer: r = acc exactly.
  Rng rng(0x5EED0405);
  for (const ActType out_t : {ct::s(1), ct::u(4)}) {
    int zeros = 0, pos = 0, neg = 0, above = 0;
    for (int trial = 0; trial < 50; ++trial) {
      ct::NetBuilder b(rng.next());
      const int x = b.input({6, 1, 1}, ct::s(2));
      ct::WeightSpec s;
      s.int8_lo = -3, s.int8_hi = 3;
      const int l = b.layer("fc", Op::Linear, x, 16, s, out_t, 0, false, {}, 1, 1, 0);
      const auto in = ct::random_values(ct::s(2), 6, rng);
      GoldenModel g(b.net);
      g.run(in.data());
      const auto& w = b.net.nodes[l].weights.int8;
      for (int o = 0; o < 16; ++o) {
        int acc = 0;
        for (int k = 0; k < 6; ++k) acc += w[o * 6 + k] * in[k];
        const int got = g.output()[o];
        if (out_t.bits == 1) {
          EXPECT_EQ(got, acc >= 0 ? 1 : -1) << "acc " << acc;
          zeros += acc == 0;
        } else {
          EXPECT_EQ(got, std::min(std::max(acc, 0), 15)) << "acc " << acc;
          above += acc > 15;
        }
        pos += acc > 0;
        neg += acc < 0;
      }
    }
    EXPECT_GT(pos, 0);
    EXPECT_GT(neg, 0);
    if (out_t.bits == 1) EXPECT_GT(zeros, 0) << "r = 0 must map to +1";
    else EXPECT_GT(above, 0);
  }
}

TEST(Golden, OneBitInputPaddingIsMaskedNotMinusOne) {
  // s1 input all -1, 3x3 kernel of ones, padding 1: a corner sees 4 inputs, an edge 6, the centre 9.
  ct::NetBuilder b(2);
  const int x = b.input({1, 3, 3}, ct::s(1));
  ct::WeightSpec s;
  s.int8_lo = s.int8_hi = 1;
  b.layer("conv", Op::Conv2d, x, 1, s, ct::s(8), 0, false, Window{3, 3, 1, 1, 1, 1}, 1, 1, 0);
  const std::vector<int16_t> in(9, -1);
  GoldenModel g(b.net);
  g.run(in.data());
  EXPECT_EQ(g.output(), (std::vector<int16_t>{-4, -6, -4, -6, -9, -6, -4, -6, -4}));
}

TEST(Golden, TieRoundsUpTowardsPlusInfinity) {
  // One input, weight 1, mult 1, shift 1: r = round_half_up(x / 2).
  ct::NetBuilder b(3);
  const int x = b.input({1, 1, 1}, ct::s(8));
  ct::WeightSpec s;
  s.int8_lo = s.int8_hi = 1;
  b.layer("fc", Op::Linear, x, 1, s, ct::s(8), 1, false, {}, 1, 1, 0);
  GoldenModel g(b.net);
  const std::vector<std::pair<int16_t, int16_t>> cases = {{1, 1}, {-1, 0}, {3, 2}, {-3, -1}, {-5, -2}, {5, 3}, {-128, -64}, {127, 64}};
  for (const auto& [in, want] : cases) {
    g.run(&in);
    EXPECT_EQ(g.output()[0], want) << "x = " << in;
  }
}

TEST(Golden, RejectsInputsOutsideTheType) {
  for (const ActType t : {ct::u(8), ct::s(1), ct::u(4), ct::s(8)}) {
    ct::NetBuilder b(4);
    const int x = b.input({1, 1, 2}, t);
    b.simple("flatten", Op::Flatten, {x});  // relu of s1 is refused by the loader
    GoldenModel g(b.net);
    const int16_t bad = t.is_signed && t.bits == 1 ? 0 : static_cast<int16_t>(hi_of(t) + 1);
    const int16_t in[2] = {static_cast<int16_t>(hi_of(t)), bad};
    EXPECT_SUBBIT_ERROR(g.run(in), "golden: input element 1 = " + std::to_string(bad) + " is outside the input type " + t.to_string());
    const int16_t low[2] = {static_cast<int16_t>(lo_of(t) - 1), static_cast<int16_t>(lo_of(t))};
    EXPECT_SUBBIT_ERROR(g.run(low), "input element 0");
  }
}

TEST(Golden, ReluFlattenAndTop1) {
  ct::NetBuilder b(5);
  const int x = b.input({2, 2, 2}, ct::s(8));
  const int r = b.simple("relu", Op::Relu, {x});
  const int f = b.simple("flatten", Op::Flatten, {r});
  GoldenModel g(b.net);
  const std::vector<int16_t> in = {-3, 4, 0, 9, 9, -128, 127, 127};
  g.run(in.data());
  EXPECT_EQ(g.output(r), (std::vector<int16_t>{0, 4, 0, 9, 9, 0, 127, 127}));
  EXPECT_EQ(g.output(f), g.output(r));
  EXPECT_EQ(b.net.nodes[f].shape, (Shape{8, 1, 1}));
  EXPECT_EQ(g.top1(), 6) << "ties go to the lowest index";
  const int16_t v[] = {1, 5, 5, -2};
  EXPECT_EQ(argmax_lowest(v, 4), 1);
  const int16_t w[] = {-3, -3};
  EXPECT_EQ(argmax_lowest(w, 2), 0);
}

TEST(Golden, MultiLayerNetworkMatchesLayerByLayerReference) {
  // The hand-made chain of every op: each node's output recomputed from its input node's golden
  // output, so a mistake in wiring (which buffer feeds which node) shows up.
  Rng rng(0x5EED0406);
  for (int trial = 0; trial < 40; ++trial) {
    ct::NetBuilder b(rng.next());
    const int x = b.input({3, 6, 5}, ct::u(8));
    ct::WeightSpec s1 = ct::random_spec(rng);
    s1.alpha_hi = 8, s1.int8_lo = -8, s1.int8_hi = 8;
    const int c1 = b.layer("c1", Op::Conv2d, x, 4, s1, ct::u(8), 8, true, Window{3, 3, 1, 1, 1, 1}, 1, 64, 256);
    const int p1 = b.pool("p1", Op::MaxPool, c1, Window{2, 2, 2, 2, 1, 0});
    ct::WeightSpec s2 = ct::random_spec(rng);
    s2.alpha_hi = 8, s2.int8_lo = -8, s2.int8_hi = 8;
    const int c2 = b.layer("c2", Op::Conv2d, p1, 4, s2, ct::s(8), 10, false, Window{1, 1, 1, 1, 0, 0}, 1, 64, 256);
    const int ad = b.add("add", p1, c2, 1 << 8, 1 << 8, 0, 9, true, ct::u(8));
    const int ap = b.pool("avg", Op::AvgPool, ad, Window{2, 2, 1, 1, 0, 0}, 16384, 16, false, ct::u(8));
    const int fl = b.simple("flat", Op::Flatten, {ap});
    ct::WeightSpec s3 = ct::random_spec(rng);
    s3.alpha_hi = 8, s3.int8_lo = -8, s3.int8_hi = 8;
    const int f1 = b.layer("fc", Op::Linear, fl, 7, s3, ct::s(8), 10, false, {}, 1, 64, 256);
    b.net.validate("t");
    const auto in = ct::random_values(ct::u(8), 90, rng);
    GoldenModel g(b.net);
    g.run(in.data());
    Stats st;
    // c2 (1x1 conv) from p1's output.
    const Node& n2 = b.net.nodes[c2];
    const std::vector<int> W2 = ct::naive_effective(n2.weights);
    const Shape ps = b.net.nodes[p1].shape;
    const size_t P = static_cast<size_t>(ps.h) * ps.w;
    for (int o = 0; o < 4; ++o)
      for (size_t p = 0; p < P; ++p) {
        double acc = 0;
        for (int c = 0; c < 4; ++c) acc += static_cast<double>(W2[o * 4 + c]) * g.output(p1)[c * P + p];
        ASSERT_EQ(g.output(c2)[o * P + p], expected_output(acc * n2.rq.mult[o] + n2.rq.bias[o], 10, false, ct::s(8), st));
      }
    for (size_t e = 0; e < 4 * P; ++e)
      ASSERT_EQ(g.output(ad)[e], expected_output(256.0 * g.output(p1)[e] + 256.0 * g.output(c2)[e], 9, true, ct::u(8), st));
    const Node& nf = b.net.nodes[f1];
    const std::vector<int> W3 = ct::naive_effective(nf.weights);
    const int K = nf.weights.k;
    ASSERT_EQ(static_cast<size_t>(K), b.net.nodes[fl].shape.numel());
    for (int o = 0; o < 7; ++o) {
      double acc = 0;
      for (int k = 0; k < K; ++k) acc += static_cast<double>(W3[o * K + k]) * g.output(fl)[k];
      ASSERT_EQ(g.output()[o], expected_output(acc * nf.rq.mult[o] + nf.rq.bias[o], 10, false, ct::s(8), st));
    }
  }
}

}  // namespace
