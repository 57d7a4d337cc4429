// Quantized weights of one layer in every scheme, held exactly as stored in the network file, and
// their effective integer weights W[o][k] (docs/numerics.md section 2).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "quant/xor_matrix.h"

namespace subbit {

enum class Scheme { Int8, Binary, Bcq, Uniform, Ternary, SignedBinary, Flexor };
const char* scheme_name(Scheme s);
// Throws subbit::Error naming `where` and the accepted names.
Scheme parse_scheme(const std::string& name, const std::string& where);

// Packed LSB-first bit arrays: bit n is bit (n mod 8) of byte (n div 8).
inline bool get_bit(const uint8_t* bytes, size_t n) { return (bytes[n >> 3] >> (n & 7)) & 1u; }
inline void set_bit(uint8_t* bytes, size_t n, bool v) {
  if (v) bytes[n >> 3] |= static_cast<uint8_t>(1u << (n & 7));
  else bytes[n >> 3] &= static_cast<uint8_t>(~(1u << (n & 7)));
}
inline size_t bytes_for_bits(size_t bits) { return (bits + 7) / 8; }

struct FlexorSpec {
  int n_in = 0;
  int n_out = 0;
  // Where M⊕ comes from: a seed (hard-wired decryptors) or an explicit matrix tensor.
  bool explicit_matrix = false;
  XorFill fill = XorFill::Tap;
  int n_tap = 2;
  uint64_t seed = 0;
  XorMatrix matrix;  // always filled in: generated from the seed or read from the file

  // A seeded spec with its M⊕ generated, so the matrix always matches the fields that made it.
  static FlexorSpec seeded(int n_in, int n_out, XorFill fill, int n_tap, uint64_t seed) {
    FlexorSpec s;
    s.n_in = n_in;
    s.n_out = n_out;
    s.fill = fill;
    s.n_tap = n_tap;
    s.seed = seed;
    s.matrix = XorMatrix::generate(n_out, n_in, fill, n_tap, seed);
    return s;
  }
};

struct QuantWeights {
  static constexpr int kMaxPlanes = 8;
  static constexpr int kMaxEffective = 2040;  // |W| bound of every scheme (8 planes x 255)

  Scheme scheme = Scheme::Int8;
  int cout = 0;
  int k = 0;   // reduction length: Cin*KH*KW for conv2d, Cin for linear
  int q = 1;   // bit planes (bit-plane schemes and FleXOR)
  int region = 0;  // signed-binary region length

  std::vector<int8_t> int8;          // Int8: [cout][k]
  std::vector<uint8_t> planes;       // Binary/Bcq/Uniform/Ternary: q x plane_bytes(); FleXOR: q x encrypted_plane_bytes()
  std::vector<uint8_t> alpha;        // α_int, [q][cout] (SignedBinary: [1][cout]); none for Int8
  std::vector<uint8_t> mask;         // SignedBinary: plane_bytes()
  std::vector<uint8_t> signs;        // SignedBinary: bytes_for_bits(cout x regions_per_channel())
  FlexorSpec flexor;

  size_t numel() const { return static_cast<size_t>(cout) * k; }
  size_t plane_bytes() const { return bytes_for_bits(numel()); }
  size_t slices() const;                  // FleXOR: ceil(numel / N_out)
  size_t encrypted_plane_bytes() const;   // FleXOR: ceil(slices * N_in / 8)
  size_t regions_per_channel() const;     // SignedBinary: ceil(k / region)
  int alpha_planes() const { return scheme == Scheme::SignedBinary ? 1 : q; }
  bool has_bit_planes() const;            // Binary, Bcq, Uniform, Ternary
  bool is_sub_byte() const { return scheme != Scheme::Int8; }

  // Nominal storage bits per weight, excluding α: 8, q, q*N_in/N_out, 1 + 1/region.
  double bits_per_weight() const;
  // Bytes the weight tensors occupy in the file and in device memory (planes, α, masks, signs,
  // an explicit M⊕), padding included.
  size_t stored_bytes() const;
  // Bytes of the bit/value streams alone (what the decryptor or PE array streams per pass).
  size_t weight_stream_bytes() const;

  // Plane i as a plain packed bit plane (FleXOR planes decrypted per docs/numerics.md section 3).
  std::vector<uint8_t> plane_bits(int i) const;
  // W[o][k], row-major [cout][k].
  std::vector<int16_t> effective() const;
  // Checks tensor sizes and scheme rules (q range, uniform α = 2^i, ternary α0 = α1, ...).
  // Throws subbit::Error starting with `where`.
  void validate(const std::string& where) const;
};

}  // namespace subbit
