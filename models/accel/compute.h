// What the accelerator's units compute on one tile, as plain C++ on the bytes in its buffers. The
// SystemC modules call these and add time; the RTL co-simulation checks its units against them.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "hwif/descriptor.h"
#include "hwif/tiling.h"
#include "quant/xor_matrix.h"

namespace subbit {

// Spare zero bytes after every packed bit buffer, so word-wide bit reads stay inside it.
constexpr size_t kBitPad = 8;

// The weights of one output-channel range, as loaded into a weight-buffer half.
struct WeightSet {
  uint32_t o0 = 0, oc = 0;
  int uses = 0;                            // tiles that read it
  WeightRanges ranges;
  std::vector<std::vector<uint8_t>> raw;   // per plane: bytes of ranges.planes[i] (+ kBitPad)
  std::vector<uint8_t> alpha;              // [plane][oc]
  std::vector<uint8_t> signs;              // bytes of ranges.signs (+ kBitPad)
  std::vector<int32_t> mult;
  std::vector<int64_t> bias;

  // Decryptor output (FleXOR): per plane, the decrypted bits of the covering slices, and the bit
  // index of element o0*K within them.
  std::vector<std::vector<uint8_t>> decrypted;
  uint64_t decrypted_first_bit = 0;
  uint64_t decrypted_bits = 0;  // slices x N_out x planes
  uint64_t xor_gate_ops = 0;

  // PE-array view: one pass per bit plane (or one for int8 / zero-skipped ternary and
  // signed-binary): weights in {-1, 0, +1} (int8 values in int8 mode) and a per-channel scale.
  std::vector<std::vector<int16_t>> pass_weights;  // [pass][oc][K]
  std::vector<std::vector<int32_t>> pass_scale;    // [pass][oc]
  std::vector<std::vector<uint32_t>> effectual;    // [pass][oc]: non-zero weights per channel
};

// XOR decryption of every plane's covering slices (y = M x mod 2). Returns slices decrypted.
uint64_t decrypt_weights(const LayerDescriptor& d, const XorMatrix& m, WeightSet& ws);
// 2-input XOR gate operations one slice costs: per output bit, (its row's taps - 1).
uint64_t xor_gates_per_slice(const XorMatrix& m);
// FleXOR slices (of one plane) that hold elements [k0, k1) of every output channel in [o0, o0 + oc):
// what a streaming decryptor must decrypt to feed them to the PE array.
uint64_t covering_slices(const LayerDescriptor& d, uint32_t o0, uint32_t oc, uint64_t k0, uint64_t k1);
// Builds the PE-array passes from the raw (or decrypted) planes.
void prepare_passes(const LayerDescriptor& d, WeightSet& ws);

// The PE array as the timing needs it (docs/accelerator.md, "Dataflow").
struct PeGeometry {
  int rows = 16, cols = 16;
  bool zero_skip = true;
  bool streaming_decrypt = false;  // FleXOR weights reach the PEs through the decryptor on every pass
  int decrypt_units = 1;           // slices per cycle
  uint64_t xor_gates_per_slice = 0;
};

struct PeTileResult {
  uint64_t cycles = 0;          // PE-array cycles, decryption stalls included
  uint64_t decrypt_stall = 0;   // of those, cycles waiting for a streaming decryptor
  uint64_t macs = 0;            // positions x channels x K
  uint64_t ops = 0;             // add/sub (or MAC) operations issued
  uint64_t effectual = 0;       // of those, on non-zero weights
  uint64_t decrypted_bits = 0;  // streaming decryptor output for this tile
  uint64_t xor_gate_ops = 0;
};

// Cycles of one conv tile of `positions` output positions x channels [ws.o0, ws.o0 + ws.oc) under
// the descriptor's dataflow.
PeTileResult pe_tile_timing(const LayerDescriptor& d, const WeightSet& ws, uint64_t positions, const PeGeometry& g);

// On-chip buffer traffic and α multiplies of one conv tile of `positions` output positions x
// channels [ws.o0, ws.o0 + ws.oc) under the descriptor's dataflow (the energy model's counters;
// docs/energy.md, "Counters"). `streamed_bits`: a streaming decryptor's output bits for the tile
// (its input, N_in / N_out of them, is what the weight buffer supplies then).
struct PeTileTraffic {
  uint64_t weight_read_bits = 0, act_read_bits = 0, acc_write_bits = 0, acc_read_bits = 0;
  uint64_t alpha_mults = 0;
};
PeTileTraffic pe_tile_traffic(const LayerDescriptor& d, const WeightSet& ws, uint64_t positions, const PeGeometry& g, int act_bits, int acc_bits,
                              int alpha_bits, uint64_t streamed_bits);

// One conv tile: output rows [y0, y0 + rows) x channels [ws.o0, ws.o0 + ws.oc). `act` holds input
// rows [iy0, iy0 + ih) of every channel (CHW bytes). Writes acc [oc][rows * out_w]; returns the
// timing of pe_tile_timing().
PeTileResult pe_conv_tile(const LayerDescriptor& d, const WeightSet& ws, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih,
                          const PeGeometry& g, std::vector<int16_t>& cols_scratch, std::vector<int32_t>& acc);

// Post-processing, writing output bytes [channel][rows][out_w] for the tile. Returns elements
// produced and element-operations (window reads) for timing.
struct PostResult {
  uint64_t outputs = 0, ops = 0;
};
PostResult post_conv_tile(const LayerDescriptor& d, const WeightSet& ws, uint32_t rows, const std::vector<int32_t>& acc, std::vector<uint8_t>& out);
// Every pooling window of output rows [y0, y0 + rows) of a tile, in post-processing's order
// (channel, output row, x): f(output index, the window's input bytes that lie inside the input, in
// (ky, kx) order, and their count). `act` holds input rows [iy0, iy0 + ih) of every channel.
template <class F>
void for_each_pool_window(const LayerDescriptor& d, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih, F&& f) {
  std::vector<uint8_t> reads(static_cast<size_t>(d.kh) * d.kw);
  size_t out = 0;
  for (uint32_t c = 0; c < d.out_c; ++c)
    for (uint32_t yy = 0; yy < rows; ++yy)
      for (uint32_t x = 0; x < d.out_w; ++x) {
        size_t n = 0;
        for (uint32_t ky = 0; ky < d.kh; ++ky) {
          const int iy = static_cast<int>((y0 + yy) * d.sh + ky) - static_cast<int>(d.ph);
          if (iy < 0 || iy >= static_cast<int>(d.in_h)) continue;
          for (uint32_t kx = 0; kx < d.kw; ++kx) {
            const int ix = static_cast<int>(x * d.sw + kx) - static_cast<int>(d.pw);
            if (ix < 0 || ix >= static_cast<int>(d.in_w)) continue;
            reads[n++] = act[(static_cast<size_t>(c) * ih + (iy - iy0)) * d.in_w + ix];
          }
        }
        f(out++, reads.data(), n);
      }
}
PostResult post_pool_tile(const LayerDescriptor& d, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih, std::vector<uint8_t>& out);
PostResult post_add_tile(const LayerDescriptor& d, uint32_t rows, const uint8_t* a, const uint8_t* b, std::vector<uint8_t>& out);
PostResult post_requant_tile(const LayerDescriptor& d, uint32_t rows, const uint8_t* act, const std::vector<int32_t>& mult,
                             const std::vector<int64_t>& bias, std::vector<uint8_t>& out);

}  // namespace subbit
