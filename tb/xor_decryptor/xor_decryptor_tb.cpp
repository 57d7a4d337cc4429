// Bench of rtl/xor_decryptor.sv against the reference the TLM model decrypts with
// (XorMatrix::decrypt, software/quant): random slices, random valid on the input and random ready
// on the output (MatchLib-style back-pressure), every output checked in order. A programmable
// decryptor is loaded with several matrices, narrower slices too (its unused columns zero).
//   tb_xor_decryptor_<preset> CONFIG [--transfers N] [--seed S]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <type_traits>
#include <vector>

#include "Vxor_decryptor.h"
#include "config/arch_config.h"
#include "quant/error.h"
#include "quant/prng.h"
#include "quant/xor_matrix.h"
#include "verilated.h"

namespace {

// Bit access for Verilator's port types: integers up to 64 bits, VlWide above.
template <typename T>
void put_bits(T& sig, int bit, int n, uint64_t v) {
  if constexpr (std::is_integral_v<T>) {
    const T mask = static_cast<T>(((n == 64) ? ~0ull : ((1ull << n) - 1)) << bit);
    sig = static_cast<T>((sig & ~mask) | ((static_cast<T>(v) << bit) & mask));
  } else {
    for (int i = 0; i < n; ++i) {
      const int b = bit + i;
      const uint32_t m = 1u << (b % 32);
      sig[b / 32] = ((v >> i) & 1u) ? (sig[b / 32] | m) : (sig[b / 32] & ~m);
    }
  }
}
template <typename T>
uint64_t get_bits(const T& sig, int bit, int n) {
  if constexpr (std::is_integral_v<T>) {
    return (static_cast<uint64_t>(sig) >> bit) & ((n == 64) ? ~0ull : ((1ull << n) - 1));
  } else {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>((sig[(bit + i) / 32] >> ((bit + i) % 32)) & 1u) << i;
    return v;
  }
}

struct Bench {
  Vxor_decryptor dut;
  uint64_t cycles = 0;
  void edge() {
    dut.clk = 1;
    dut.eval();
    dut.clk = 0;
    dut.eval();
    ++cycles;
  }
};

}  // namespace

// The bench links the config loader, whose library brings SystemC and with it main(); SystemC's
// main calls sc_main, declared here as its header would.
extern "C" int sc_main(int argc, char* argv[]);

int sc_main(int argc, char* argv[]) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONFIG [--transfers N] [--seed S]\n", argv[0]);
    return 2;
  }
  int transfers = 4000;
  uint64_t seed = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--transfers") == 0) transfers = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  try {
    const subbit::ArchConfig cfg = subbit::load_arch_config(argv[1]);
    const int units = static_cast<int>(cfg.decryptor.units), n_in = static_cast<int>(cfg.decryptor.n_in);
    const int n_out = static_cast<int>(cfg.decryptor.n_out), n_tap = static_cast<int>(cfg.decryptor.n_tap);
    const bool programmable = cfg.decryptor.matrix == subbit::XorMatrixKind::Programmable;
    subbit::SplitMix64 rng(seed);
    Bench b;
    b.dut.rst_n = 0;
    b.dut.clk = 0;
    b.dut.eval();
    b.edge();
    b.edge();
    b.dut.rst_n = 1;
    // Matrices to run: the hard-wired one, or for a programmable decryptor its full width and two
    // narrower slice shapes (N_in 3/4 and 1/2 of it, the model's 0.6 and 0.4 bit at 16/20).
    std::vector<int> widths{n_in};
    if (programmable)
      for (int w : {n_in * 3 / 4, n_in / 2})
        if (w >= n_tap && w >= 1) widths.push_back(w);
    uint64_t checked = 0;
    for (size_t mi = 0; mi < widths.size(); ++mi) {
      const int width = widths[mi];
      const subbit::XorMatrix m =
          subbit::XorMatrix::generate(n_out, width, subbit::XorFill::Tap, std::min(n_tap, width), programmable ? seed + 17 * mi : cfg.decryptor.seed);
      if (programmable) {
        b.dut.in_valid = 0;
        b.dut.out_ready = 1;
        for (int r = 0; r < n_out; ++r) {
          b.dut.m_we = 1;
          b.dut.m_row = static_cast<uint8_t>(r);
          put_bits(b.dut.m_bits, 0, n_in, m.row(r));  // columns >= width stay zero
          b.dut.eval();
          b.edge();
        }
        b.dut.m_we = 0;
        while (b.dut.out_valid) b.edge();  // nothing in flight across a matrix change
      }
      std::deque<std::vector<uint64_t>> expected;
      std::vector<uint64_t> slices(static_cast<size_t>(units));
      int sent = 0, received = 0;
      bool have = false, held = false;  // a slice set drawn; offered and not yet taken
      const uint64_t limit = b.cycles + 20ull * transfers + 1000;
      while (received < transfers) {
        if (b.cycles > limit) throw subbit::Error("no progress: " + std::to_string(received) + " of " + std::to_string(transfers) + " slice sets out");
        if (!have && sent < transfers) {
          for (int u = 0; u < units; ++u) slices[u] = rng.next() & ((1ull << width) - 1);
          have = true;
        }
        // Valid 3/4 of the time there is a slice set, and held until it is taken (valid/ready rules).
        b.dut.in_valid = have && (held || (rng.next() % 4) != 0);
        for (int u = 0; u < units; ++u) put_bits(b.dut.in_slices, u * n_in, n_in, slices[u]);
        b.dut.out_ready = (rng.next() % 4) != 0;                       // ready 3/4 of the time
        b.dut.eval();
        const bool fire_in = b.dut.in_valid && b.dut.in_ready, fire_out = b.dut.out_valid && b.dut.out_ready;
        held = b.dut.in_valid && !fire_in;
        if (fire_out) {
          if (expected.empty()) throw subbit::Error("an output with no input in flight");
          for (int u = 0; u < units; ++u) {
            const uint64_t got = get_bits(b.dut.out_bits, u * n_out, n_out), want = expected.front()[u];
            if (got != want) {
              char msg[256];
              std::snprintf(msg, sizeof msg, "matrix %zu (N_in %d), slice set %d, lane %d: RTL 0x%llx, reference 0x%llx", mi, width, received, u,
                            static_cast<unsigned long long>(got), static_cast<unsigned long long>(want));
              throw subbit::Error(msg);
            }
          }
          expected.pop_front();
          ++received;
          ++checked;
        }
        if (fire_in) {
          std::vector<uint64_t> want(static_cast<size_t>(units));
          for (int u = 0; u < units; ++u) want[u] = m.decrypt(static_cast<uint32_t>(slices[u]));
          expected.push_back(want);
          ++sent;
          have = false;
        }
        b.edge();
      }
    }
    std::printf("xor_decryptor (%s: %d units, %d/%d, %s): %llu slice sets in %zu matrix(es) matched the reference in %llu cycles\n",
                cfg.name.c_str(), units, n_in, n_out, programmable ? "programmable" : "hard-wired", static_cast<unsigned long long>(checked),
                widths.size(), static_cast<unsigned long long>(b.cycles));
  } catch (const subbit::Error& e) {
    std::fprintf(stderr, "tb xor_decryptor: %s\n", e.what());
    return 1;
  }
  return 0;
}
