// Bench of rtl/requant.sv against subbit::requantize (the arithmetic the golden reference and the
// TLM model use): random accumulators, multipliers, biases, shifts, ReLU and output types, drawn
// so that rounding ties, ReLU and saturation at both ends all occur; random input valid and output
// ready; every output checked in order.
//   tb_requant CONFIG [--transfers N] [--seed S]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>

#include "Vrequant.h"
#include "quant/numerics.h"
#include "quant/prng.h"
#include "verilated.h"

extern "C" int sc_main(int argc, char* argv[]);

namespace {
struct Case {
  int64_t acc, bias;
  int32_t mult;
  int shift;
  bool relu;
  subbit::ActType out;
};

Case draw(subbit::SplitMix64& rng) {
  Case c;
  c.out.bits = static_cast<int>(rng.range(1, 8));
  c.out.is_signed = rng.coin() || c.out.bits == 1 ? rng.coin() : true;
  c.relu = rng.coin();
  switch (rng.next() % 3) {
    case 0:  // anything the loader accepts
      c.acc = rng.range(-(subbit::kAccLimit - 1), subbit::kAccLimit - 1);
      c.mult = static_cast<int32_t>(rng.range(INT32_MIN, INT32_MAX));
      c.bias = rng.range(-(subbit::kMaxBiasAbs - 1), subbit::kMaxBiasAbs - 1);
      c.shift = static_cast<int>(rng.range(0, subbit::kMaxShift));
      break;
    case 1:  // small: ties of the rounding (x.5) and exact values
      c.acc = rng.range(-300, 300);
      c.mult = static_cast<int32_t>(rng.range(-4, 4));
      c.bias = rng.range(-8, 8);
      c.shift = static_cast<int>(rng.range(0, 3));
      break;
    default: {  // scaled so the result lands around the output range: saturation at both ends
      c.acc = rng.range(-(1 << 20), 1 << 20);
      c.mult = static_cast<int32_t>(rng.range(1, 1 << 16));
      c.shift = static_cast<int>(rng.range(20, 36));
      c.bias = rng.range(-(int64_t{1} << 35), int64_t{1} << 35);
      break;
    }
  }
  return c;
}
}  // namespace

int sc_main(int argc, char* argv[]) {
  int transfers = 20000;
  uint64_t seed = 3;
  bool held = false;  // a beat offered and not yet taken
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--transfers") == 0) transfers = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  subbit::SplitMix64 rng(seed);
  Vrequant dut;
  uint64_t cycles = 0;
  auto edge = [&] {
    dut.clk = 1;
    dut.eval();
    dut.clk = 0;
    dut.eval();
    ++cycles;
  };
  dut.rst_n = 0;
  dut.eval();
  edge();
  edge();
  dut.rst_n = 1;
  std::deque<std::pair<Case, uint8_t>> expected;
  Case next = draw(rng);
  int sent = 0, received = 0;
  int saturated = 0, relu_zero = 0;
  while (received < transfers) {
    if (cycles > 10ull * transfers + 100) {
      std::fprintf(stderr, "tb requant: no progress after %llu cycles (%d of %d out)\n", static_cast<unsigned long long>(cycles), received, transfers);
      return 1;
    }
    const bool have = sent < transfers;
    dut.in_valid = have && (held || (rng.next() % 4) != 0);  // 3/4 of the time, and held until taken
    dut.acc = static_cast<uint32_t>(next.acc);
    dut.mult = static_cast<uint32_t>(next.mult);
    dut.bias = static_cast<uint64_t>(next.bias);
    dut.shift = static_cast<uint8_t>(next.shift);
    dut.relu = next.relu;
    dut.out_bits = static_cast<uint8_t>(next.out.bits);
    dut.out_signed = next.out.is_signed;
    dut.out_ready = (rng.next() % 4) != 0;
    dut.eval();
    const bool fire_in = dut.in_valid && dut.in_ready, fire_out = dut.out_valid && dut.out_ready;
    held = dut.in_valid && !fire_in;
    if (fire_out) {
      const auto& [c, want] = expected.front();
      if (dut.out != want) {
        std::fprintf(stderr,
                     "tb requant: output %d: RTL 0x%02x, reference 0x%02x (acc %lld, mult %d, bias %lld, shift %d, relu %d, out %s)\n", received,
                     dut.out, want, static_cast<long long>(c.acc), c.mult, static_cast<long long>(c.bias), c.shift, c.relu ? 1 : 0,
                     c.out.to_string().c_str());
        return 1;
      }
      expected.pop_front();
      ++received;
    }
    if (fire_in) {
      const int32_t v = subbit::requantize(next.acc, next.mult, next.bias, next.shift, next.relu, next.out);
      saturated += v == next.out.lo() || v == next.out.hi();
      relu_zero += next.relu && v == 0;
      expected.emplace_back(next, static_cast<uint8_t>(v & 0xFF));
      ++sent;
      next = draw(rng);
    }
    edge();
  }
  std::printf("requant: %d results matched subbit::requantize in %llu cycles (%d at a range end, %d zero after ReLU)\n", received,
              static_cast<unsigned long long>(cycles), saturated, relu_zero);
  return 0;
}
