#include "quant/weights.h"

#include <cstring>

#include "quant/error.h"

namespace subbit {

namespace {
struct SchemeName {
  Scheme scheme;
  const char* name;
};
constexpr SchemeName kSchemeNames[] = {
    {Scheme::Int8, "int8"},       {Scheme::Binary, "binary"},   {Scheme::Bcq, "bcq"},
    {Scheme::Uniform, "uniform"}, {Scheme::Ternary, "ternary"}, {Scheme::SignedBinary, "signed_binary"},
    {Scheme::Flexor, "flexor"},
};
}  // namespace

const char* scheme_name(Scheme s) {
  for (const auto& e : kSchemeNames)
    if (e.scheme == s) return e.name;
  return "?";
}

Scheme parse_scheme(const std::string& name, const std::string& where) {
  std::string all;
  for (const auto& e : kSchemeNames) {
    if (name == e.name) return e.scheme;
    all += all.empty() ? "" : ", ";
    all += e.name;
  }
  throw Error(where + ": unknown weight scheme '" + name + "', expected one of " + all);
}

size_t QuantWeights::slices() const {
  return flexor.n_out > 0 ? (numel() + flexor.n_out - 1) / flexor.n_out : 0;
}
size_t QuantWeights::encrypted_plane_bytes() const { return bytes_for_bits(slices() * flexor.n_in); }
size_t QuantWeights::regions_per_channel() const { return region > 0 ? (static_cast<size_t>(k) + region - 1) / region : 0; }

bool QuantWeights::has_bit_planes() const {
  return scheme == Scheme::Binary || scheme == Scheme::Bcq || scheme == Scheme::Uniform || scheme == Scheme::Ternary;
}

double QuantWeights::bits_per_weight() const {
  switch (scheme) {
    case Scheme::Int8: return 8.0;
    case Scheme::SignedBinary: return 1.0 + 1.0 / region;
    case Scheme::Flexor: return static_cast<double>(q) * flexor.n_in / flexor.n_out;
    default: return q;
  }
}

size_t QuantWeights::weight_stream_bytes() const {
  switch (scheme) {
    case Scheme::Int8: return numel();
    case Scheme::SignedBinary: return mask.size() + signs.size();
    default: return planes.size();
  }
}

size_t QuantWeights::stored_bytes() const {
  size_t n = weight_stream_bytes() + alpha.size();
  if (scheme == Scheme::Flexor && flexor.explicit_matrix) n += static_cast<size_t>(flexor.n_out) * flexor.n_in;
  return n;
}

std::vector<uint8_t> QuantWeights::plane_bits(int i) const {
  std::vector<uint8_t> out(plane_bytes(), 0);
  if (has_bit_planes()) {
    std::memcpy(out.data(), planes.data() + static_cast<size_t>(i) * plane_bytes(), plane_bytes());
    return out;
  }
  if (scheme != Scheme::Flexor) throw Error(std::string("plane_bits: scheme ") + scheme_name(scheme) + " has no bit planes");
  const uint8_t* enc = planes.data() + static_cast<size_t>(i) * encrypted_plane_bytes();
  const int n_in = flexor.n_in, n_out = flexor.n_out;
  const size_t n = numel(), s_count = slices();
  for (size_t s = 0; s < s_count; ++s) {
    uint32_t x = 0;
    const size_t base = s * n_in;
    for (int c = 0; c < n_in; ++c) x |= static_cast<uint32_t>(get_bit(enc, base + c)) << c;
    const uint64_t y = flexor.matrix.decrypt(x);
    const size_t first = s * n_out;
    const size_t count = std::min<size_t>(n_out, n - first);  // last-slice rule: extra bits dropped
    for (size_t r = 0; r < count; ++r)
      if ((y >> r) & 1u) out[(first + r) >> 3] |= static_cast<uint8_t>(1u << ((first + r) & 7));
  }
  return out;
}

std::vector<int16_t> QuantWeights::effective() const {
  const size_t n = numel();
  std::vector<int16_t> w(n, 0);
  if (scheme == Scheme::Int8) {
    for (size_t i = 0; i < n; ++i) w[i] = int8[i];
    return w;
  }
  if (scheme == Scheme::SignedBinary) {
    const size_t regions = regions_per_channel();
    for (int o = 0; o < cout; ++o)
      for (int kk = 0; kk < k; ++kk) {
        const size_t e = static_cast<size_t>(o) * k + kk;
        if (!get_bit(mask.data(), e)) continue;
        const bool positive = get_bit(signs.data(), static_cast<size_t>(o) * regions + kk / region);
        w[e] = static_cast<int16_t>(positive ? alpha[o] : -alpha[o]);
      }
    return w;
  }
  for (int i = 0; i < q; ++i) {
    const std::vector<uint8_t> bits = plane_bits(i);
    const uint8_t* a = alpha.data() + static_cast<size_t>(i) * cout;
    for (int o = 0; o < cout; ++o) {
      const int16_t ai = a[o];
      for (int kk = 0; kk < k; ++kk) {
        const size_t e = static_cast<size_t>(o) * k + kk;
        w[e] = static_cast<int16_t>(w[e] + (get_bit(bits.data(), e) ? ai : -ai));
      }
    }
  }
  return w;
}

void QuantWeights::validate(const std::string& where) const {
  auto fail = [&](const std::string& msg) { throw Error(where + ": " + msg); };
  auto expect_size = [&](const char* what, size_t got, size_t want) {
    if (got != want) fail(std::string(what) + " has " + std::to_string(got) + " bytes, expected " + std::to_string(want));
  };
  if (cout < 1 || k < 1) fail("weights need Cout >= 1 and K >= 1");
  switch (scheme) {
    case Scheme::Int8:
      expect_size("weight", int8.size(), numel());
      return;
    case Scheme::SignedBinary:
      if (region < 1 || region > k) fail("signed_binary region must be in [1, K=" + std::to_string(k) + "], got " + std::to_string(region));
      expect_size("mask", mask.size(), plane_bytes());
      expect_size("signs", signs.size(), bytes_for_bits(static_cast<size_t>(cout) * regions_per_channel()));
      expect_size("alpha", alpha.size(), static_cast<size_t>(cout));
      return;
    default:
      break;
  }
  if (q < 1 || q > kMaxPlanes) fail("q (bit planes) must be in [1, 8], got " + std::to_string(q));
  if (scheme == Scheme::Binary && q != 1) fail("binary weights have q = 1, got " + std::to_string(q));
  if (scheme == Scheme::Ternary && q != 2) fail("ternary weights have q = 2, got " + std::to_string(q));
  expect_size("alpha", alpha.size(), static_cast<size_t>(q) * cout);
  if (scheme == Scheme::Flexor) {
    if (flexor.n_in < 1 || flexor.n_in > 32) fail("flexor n_in must be in [1, 32], got " + std::to_string(flexor.n_in));
    if (flexor.n_out < flexor.n_in || flexor.n_out > 64)
      fail("flexor n_out must be in [n_in=" + std::to_string(flexor.n_in) + ", 64], got " + std::to_string(flexor.n_out));
    if (flexor.matrix.n_out() != flexor.n_out || flexor.matrix.n_in() != flexor.n_in)
      fail("flexor matrix is " + std::to_string(flexor.matrix.n_out()) + "x" + std::to_string(flexor.matrix.n_in()) +
           ", expected n_out x n_in = " + std::to_string(flexor.n_out) + "x" + std::to_string(flexor.n_in));
    expect_size("encrypted planes", planes.size(), static_cast<size_t>(q) * encrypted_plane_bytes());
  } else {
    expect_size("planes", planes.size(), static_cast<size_t>(q) * plane_bytes());
  }
  if (scheme == Scheme::Uniform)
    for (int i = 0; i < q; ++i)
      for (int o = 0; o < cout; ++o)
        if (alpha[static_cast<size_t>(i) * cout + o] != (1u << i))
          fail("uniform weights need alpha[" + std::to_string(i) + "][" + std::to_string(o) + "] = 2^" + std::to_string(i) +
               ", got " + std::to_string(alpha[static_cast<size_t>(i) * cout + o]));
  if (scheme == Scheme::Ternary)
    for (int o = 0; o < cout; ++o)
      if (alpha[o] != alpha[cout + o])
        fail("ternary weights need alpha[0][" + std::to_string(o) + "] = alpha[1][" + std::to_string(o) + "], got " +
             std::to_string(alpha[o]) + " and " + std::to_string(alpha[cout + o]));
}

}  // namespace subbit
