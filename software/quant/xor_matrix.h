// FleXOR's XOR-gate decryption matrix M⊕ (N_out x N_in over GF(2)) and its seeded generator.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace subbit {

enum class XorFill { Tap, Random };

class XorMatrix {
 public:
  XorMatrix() = default;
  // rows[r] bit c (LSB = column 0) is M[r][c]. Requires 1 <= n_in <= 32.
  XorMatrix(int n_out, int n_in, std::vector<uint32_t> rows);

  // docs/numerics.md 3.1: deterministic from the seed; the Python trainer builds the same matrix.
  static XorMatrix generate(int n_out, int n_in, XorFill fill, int n_tap, uint64_t seed);

  int n_out() const { return n_out_; }
  int n_in() const { return n_in_; }
  bool at(int r, int c) const { return (rows_[r] >> c) & 1u; }
  uint32_t row(int r) const { return rows_[r]; }
  const std::vector<uint32_t>& rows() const { return rows_; }

  // y = M x (mod 2). x holds N_in bits (bit c = x[c]); returns N_out bits (bit r = y[r]).
  uint64_t decrypt(uint32_t x) const {
    uint64_t y = 0;
    for (int r = 0; r < n_out_; ++r) y |= static_cast<uint64_t>(__builtin_parity(rows_[r] & x)) << r;
    return y;
  }

  // Row-major 0/1 bytes, the layout of an explicit matrix tensor in the network file.
  std::vector<uint8_t> to_bytes() const;
  static XorMatrix from_bytes(int n_out, int n_in, const uint8_t* bytes);
  std::string to_string() const;  // rows as 0/1 text, one per line

  bool operator==(const XorMatrix& o) const { return n_out_ == o.n_out_ && n_in_ == o.n_in_ && rows_ == o.rows_; }

 private:
  int n_out_ = 0;
  int n_in_ = 0;
  std::vector<uint32_t> rows_;
};

}  // namespace subbit
