// The compute core's co-simulation hook (subbit run --fidelity rtl): the platform hands each tile to
// an implementation (the Verilated RTL, tb/cosim) in place of the TLM decryptor's, PE array's and
// post-processor's computation, and checks what comes back against the TLM model's own values.
#pragma once
#include <cstdint>
#include <vector>

#include "accel/compute.h"
#include "hwif/descriptor.h"
#include "quant/xor_matrix.h"

namespace subbit {

struct CosimTile {
  std::vector<uint8_t> out;  // post-processed bytes [channel][rows][out_w], as post_*_tile writes them
  uint64_t pe_cycles = 0;    // command accepted to post-processing's first cycle (0 without a PE pass)
  uint64_t post_cycles = 0;  // post-processing's first cycle to its last store
};

class ComputeCoreCosim {
 public:
  virtual ~ComputeCoreCosim() = default;
  // A conv tile (pe_conv_tile's arguments, then post_conv_tile's).
  virtual CosimTile conv(const LayerDescriptor& d, const WeightSet& ws, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih) = 0;
  virtual CosimTile pool(const LayerDescriptor& d, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih) = 0;
  virtual CosimTile add(const LayerDescriptor& d, uint32_t rows, const uint8_t* a, const uint8_t* b) = 0;
  virtual CosimTile requant(const LayerDescriptor& d, uint32_t rows, const uint8_t* act, const std::vector<int32_t>& mult,
                            const std::vector<int64_t>& bias) = 0;
  // FleXOR: the decrypted bits of every plane's covering slices (decrypt_weights' ws.decrypted),
  // and the decryptor's cycles.
  struct Decrypted {
    std::vector<std::vector<uint8_t>> planes;
    uint64_t cycles = 0;
  };
  virtual Decrypted decrypt(const LayerDescriptor& d, const XorMatrix& m, const WeightSet& ws) = 0;
};

}  // namespace subbit
