// subbit run --fidelity rtl: the Verilated compute core and XOR decryption unit in the platform.
// RtlCosim turns each tile into the core's command and load words (core_image.h), runs it through a
// CoreRunner (a Verilated compute_core of the config's preset) and returns its outputs and cycles.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "accel/cosim.h"
#include "config/arch_config.h"
#include "core_image.h"

namespace subbit::cosim {

struct CosimOptions {
  std::string vcd;            // waveform file ("" = none)
  uint64_t vcd_from = 0;      // first core cycle dumped
  uint64_t vcd_cycles = 10000;  // cycles dumped (0 = to the end)
  uint64_t stall_seed = 0;    // 0: store ready always; else random back-pressure (benches)
};

// One Verilated compute core: loads, then a command; returns outputs in post_*_tile's layout.
class CoreRunner {
 public:
  virtual ~CoreRunner() = default;
  virtual CosimTile execute(const CoreTileImage& img) = 0;
  virtual uint64_t cycles() const = 0;  // clock cycles simulated so far
};

// One Verilated XOR decryption unit: slices in, decrypted words out, in order.
class DecryptRunner {
 public:
  virtual ~DecryptRunner() = default;
  // Loads a programmable M⊕ (rows of n_in bits); no-op when hard-wired.
  virtual void program(const XorMatrix& m) = 0;
  virtual std::vector<uint64_t> run(const std::vector<uint32_t>& slices, uint64_t& cycles) = 0;
  virtual uint64_t clock_cycles() const = 0;
};

class RtlCosim : public ComputeCoreCosim {
 public:
  RtlCosim(const ArchConfig& cfg, std::unique_ptr<CoreRunner> core, std::unique_ptr<DecryptRunner> decryptor);
  CosimTile conv(const LayerDescriptor& d, const WeightSet& ws, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih) override;
  CosimTile pool(const LayerDescriptor& d, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih) override;
  CosimTile add(const LayerDescriptor& d, uint32_t rows, const uint8_t* a, const uint8_t* b) override;
  CosimTile requant(const LayerDescriptor& d, uint32_t rows, const uint8_t* act, const std::vector<int32_t>& mult, const std::vector<int64_t>& bias) override;
  Decrypted decrypt(const LayerDescriptor& d, const XorMatrix& m, const WeightSet& ws) override;
  uint64_t rtl_cycles() const { return core_->cycles() + decryptor_->clock_cycles(); }  // clocks simulated, loads included

 private:
  CoreGeometry g_;
  bool zero_skip_;
  int units_;
  std::unique_ptr<CoreRunner> core_;
  std::unique_ptr<DecryptRunner> decryptor_;
};

// The co-simulation of `cfg`: the Verilated RTL built for the preset whose RTL equals cfg's (same
// package constants and hard-wired network). Throws subbit::Error naming the presets built when
// none matches.
std::unique_ptr<RtlCosim> make_rtl_cosim(const ArchConfig& cfg, const CosimOptions& opt);
// Presets with a Verilated core in this build.
std::vector<std::string> cosim_presets();

}  // namespace subbit::cosim
