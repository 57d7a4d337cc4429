#include "golden/golden.h"

#include "golden/kernels.h"

#include <algorithm>
#include <cstring>

#include "quant/error.h"

namespace subbit {

int argmax_lowest(const int16_t* v, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return static_cast<int>(best);
}

GoldenModel::GoldenModel(const Network& net) : net_(net), weights_(net.nodes.size()), values_(net.nodes.size()) {
  size_t cols = 0, acc = 0;
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const Node& n = net.nodes[i];
    values_[i].resize(n.shape.numel());
    if (!n.has_weights()) continue;
    weights_[i] = n.weights.effective();
    const size_t positions = static_cast<size_t>(n.shape.h) * n.shape.w;
    cols = std::max(cols, positions * n.weights.k);
    acc = std::max(acc, positions * n.weights.cout);
  }
  cols_.resize(cols);
  acc_.resize(acc);
}

int GoldenModel::top1() const { return argmax_lowest(output().data(), output().size()); }

// Dot products of `rows` weight rows with `count` im2col rows. The hot loop of the golden
// reference and of the model's PE array: compiled for AVX-512 / AVX2 where the CPU has them.
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
void dot_block(const int16_t* w, int k, int rows, const int16_t* cols, int count, int32_t* acc, int acc_stride) {
  for (int o = 0; o < rows; ++o) {
    const int16_t* wr = w + static_cast<size_t>(o) * k;
    for (int p = 0; p < count; ++p) {
      const int16_t* x = cols + static_cast<size_t>(p) * k;
      int32_t s = 0;
      for (int i = 0; i < k; ++i) s += static_cast<int32_t>(wr[i]) * x[i];
      acc[static_cast<size_t>(o) * acc_stride + p] = s;
    }
  }
}

void GoldenModel::gemm_requant(const Node& n, const int16_t* cols, int positions, std::vector<int16_t>& out) {
  const int k = n.weights.k, cout = n.weights.cout;
  const std::vector<int16_t>& w = weights_[&n - net_.nodes.data()];
  // Block the positions so one block of im2col rows stays in L2 while every weight row passes.
  const int block = std::max(1, std::min(positions, static_cast<int>((192 * 1024) / (2 * static_cast<size_t>(k)))));
  for (int p0 = 0; p0 < positions; p0 += block) {
    const int count = std::min(block, positions - p0);
    dot_block(w.data(), k, cout, cols + static_cast<size_t>(p0) * k, count, acc_.data() + p0, positions);
  }
  const Requant& rq = n.rq;
  for (int o = 0; o < cout; ++o) {
    const int32_t mult = rq.mult[o];
    const int64_t bias = rq.bias[o];
    const int32_t* a = acc_.data() + static_cast<size_t>(o) * positions;
    int16_t* y = out.data() + static_cast<size_t>(o) * positions;
    for (int p = 0; p < positions; ++p) y[p] = static_cast<int16_t>(requantize(a[p], mult, bias, rq.shift, rq.relu, n.out));
  }
}

void GoldenModel::conv(const Node& n, const std::vector<int16_t>& in, const Shape& s, std::vector<int16_t>& out) {
  const Window& win = n.window;
  const int oh = n.shape.h, ow = n.shape.w, k = n.weights.k;
  // im2col: row p = (y, x) holds the K inputs under the kernel, k = (c*KH + ky)*KW + kx, 0 for padding.
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x) {
      int16_t* row = cols_.data() + (static_cast<size_t>(y) * ow + x) * k;
      for (int c = 0; c < s.c; ++c)
        for (int ky = 0; ky < win.kh; ++ky) {
          const int iy = y * win.sh - win.ph + ky;
          for (int kx = 0; kx < win.kw; ++kx) {
            const int ix = x * win.sw - win.pw + kx;
            const bool inside = iy >= 0 && iy < s.h && ix >= 0 && ix < s.w;
            *row++ = inside ? in[(static_cast<size_t>(c) * s.h + iy) * s.w + ix] : 0;
          }
        }
    }
  gemm_requant(n, cols_.data(), oh * ow, out);
}

void GoldenModel::linear(const Node& n, const std::vector<int16_t>& in, const Shape& s, std::vector<int16_t>& out) {
  const int positions = s.h * s.w;
  if (positions == 1) {
    gemm_requant(n, in.data(), 1, out);
    return;
  }
  for (int p = 0; p < positions; ++p)
    for (int c = 0; c < s.c; ++c) cols_[static_cast<size_t>(p) * s.c + c] = in[static_cast<size_t>(c) * positions + p];
  gemm_requant(n, cols_.data(), positions, out);
}

void GoldenModel::run(const int16_t* input) {
  const Node& in_node = net_.input();
  for (size_t i = 0; i < in_node.shape.numel(); ++i)
    if (input[i] < in_node.out.lo() || input[i] > in_node.out.hi() || (in_node.out.is_signed && in_node.out.bits == 1 && input[i] == 0))
      throw Error("golden: input element " + std::to_string(i) + " = " + std::to_string(input[i]) + " is outside the input type " +
                  in_node.out.to_string());
  std::memcpy(values_[0].data(), input, values_[0].size() * sizeof(int16_t));

  for (size_t i = 1; i < net_.nodes.size(); ++i) {
    const Node& n = net_.nodes[i];
    const Node& a_node = net_.nodes[n.inputs[0]];
    const std::vector<int16_t>& a = values_[n.inputs[0]];
    std::vector<int16_t>& out = values_[i];
    const Shape& s = a_node.shape;
    switch (n.op) {
      case Op::Conv2d: conv(n, a, s, out); break;
      case Op::Linear: linear(n, a, s, out); break;
      case Op::Relu:
        for (size_t e = 0; e < out.size(); ++e) out[e] = std::max<int16_t>(a[e], 0);
        break;
      case Op::Flatten: out = a; break;
      case Op::MaxPool:
      case Op::AvgPool: {
        const Window& w = n.window;
        const bool is_max = n.op == Op::MaxPool;
        for (int c = 0; c < n.shape.c; ++c)
          for (int y = 0; y < n.shape.h; ++y)
            for (int x = 0; x < n.shape.w; ++x) {
              int32_t acc = is_max ? INT32_MIN : 0;
              for (int ky = 0; ky < w.kh; ++ky) {
                const int iy = y * w.sh - w.ph + ky;
                if (iy < 0 || iy >= s.h) continue;
                for (int kx = 0; kx < w.kw; ++kx) {
                  const int ix = x * w.sw - w.pw + kx;
                  if (ix < 0 || ix >= s.w) continue;
                  const int32_t v = a[(static_cast<size_t>(c) * s.h + iy) * s.w + ix];
                  acc = is_max ? std::max(acc, v) : acc + v;
                }
              }
              const size_t o = (static_cast<size_t>(c) * n.shape.h + y) * n.shape.w + x;
              out[o] = static_cast<int16_t>(is_max ? acc : requantize(acc, n.rq.mult[0], 0, n.rq.shift, n.rq.relu, n.out));
            }
        break;
      }
      case Op::Add: {
        const std::vector<int16_t>& b = values_[n.inputs[1]];
        for (size_t e = 0; e < out.size(); ++e) {
          const int64_t v = static_cast<int64_t>(a[e]) * n.mult_a + static_cast<int64_t>(b[e]) * n.mult_b;
          out[e] = static_cast<int16_t>(requantize(v, 1, n.rq.bias[0], n.rq.shift, n.rq.relu, n.out));
        }
        break;
      }
      case Op::Requant: {
        const size_t hw = static_cast<size_t>(s.h) * s.w;
        for (int c = 0; c < s.c; ++c)
          for (size_t e = 0; e < hw; ++e)
            out[c * hw + e] = static_cast<int16_t>(requantize(a[c * hw + e], n.rq.mult_at(c), n.rq.bias_at(c), n.rq.shift, n.rq.relu, n.out));
        break;
      }
      case Op::Input: break;
    }
    if (after_node) after_node(i, out);
  }
}

}  // namespace subbit
