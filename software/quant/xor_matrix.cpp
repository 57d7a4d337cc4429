#include "quant/xor_matrix.h"

#include <numeric>

#include "quant/error.h"
#include "quant/prng.h"

namespace subbit {

XorMatrix::XorMatrix(int n_out, int n_in, std::vector<uint32_t> rows) : n_out_(n_out), n_in_(n_in), rows_(std::move(rows)) {
  if (n_in < 1 || n_in > 32) throw Error("XOR matrix: N_in must be in [1, 32], got " + std::to_string(n_in));
  if (n_out < 1 || n_out > 64) throw Error("XOR matrix: N_out must be in [1, 64], got " + std::to_string(n_out));
  if (static_cast<int>(rows_.size()) != n_out) throw Error("XOR matrix: expected " + std::to_string(n_out) + " rows");
  const uint32_t valid = n_in == 32 ? 0xFFFFFFFFu : ((1u << n_in) - 1u);
  for (uint32_t r : rows_)
    if (r & ~valid) throw Error("XOR matrix: a row has bits beyond column N_in-1 = " + std::to_string(n_in - 1));
}

XorMatrix XorMatrix::generate(int n_out, int n_in, XorFill fill, int n_tap, uint64_t seed) {
  if (n_in < 1 || n_in > 32) throw Error("XOR matrix: N_in must be in [1, 32], got " + std::to_string(n_in));
  if (fill == XorFill::Tap && (n_tap < 1 || n_tap > n_in))
    throw Error("XOR matrix: N_tap must be in [1, N_in=" + std::to_string(n_in) + "], got " + std::to_string(n_tap));
  SplitMix64 rng(seed);
  std::vector<uint32_t> rows(n_out, 0);
  for (int r = 0; r < n_out; ++r) {
    if (fill == XorFill::Tap) {
      std::vector<int> cols(n_in);
      std::iota(cols.begin(), cols.end(), 0);
      for (int t = 0; t < n_tap; ++t) {
        const int j = t + static_cast<int>(rng.uniform(static_cast<uint64_t>(n_in - t)));
        std::swap(cols[t], cols[j]);
        rows[r] |= 1u << cols[t];
      }
    } else {
      do {
        rows[r] = 0;
        for (int c = 0; c < n_in; ++c) rows[r] |= static_cast<uint32_t>(rng.next() >> 63) << c;
      } while (rows[r] == 0);
    }
  }
  return XorMatrix(n_out, n_in, std::move(rows));
}

std::vector<uint8_t> XorMatrix::to_bytes() const {
  std::vector<uint8_t> out(static_cast<size_t>(n_out_) * n_in_);
  for (int r = 0; r < n_out_; ++r)
    for (int c = 0; c < n_in_; ++c) out[static_cast<size_t>(r) * n_in_ + c] = at(r, c) ? 1 : 0;
  return out;
}

XorMatrix XorMatrix::from_bytes(int n_out, int n_in, const uint8_t* bytes) {
  std::vector<uint32_t> rows(n_out, 0);
  for (int r = 0; r < n_out; ++r)
    for (int c = 0; c < n_in; ++c) {
      const uint8_t v = bytes[static_cast<size_t>(r) * n_in + c];
      if (v > 1) throw Error("XOR matrix: element [" + std::to_string(r) + "][" + std::to_string(c) + "] must be 0 or 1, got " + std::to_string(v));
      rows[r] |= static_cast<uint32_t>(v) << c;
    }
  return XorMatrix(n_out, n_in, std::move(rows));
}

std::string XorMatrix::to_string() const {
  std::string s;
  for (int r = 0; r < n_out_; ++r) {
    for (int c = 0; c < n_in_; ++c) s += at(r, c) ? '1' : '0';
    s += '\n';
  }
  return s;
}

}  // namespace subbit
