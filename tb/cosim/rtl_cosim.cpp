#include "rtl_cosim.h"

#include <cstring>

#include "hwif/tiling.h"
#include "quant/error.h"

namespace subbit::cosim {

RtlCosim::RtlCosim(const ArchConfig& cfg, std::unique_ptr<CoreRunner> core, std::unique_ptr<DecryptRunner> decryptor)
    : g_(core_geometry(cfg)), zero_skip_(true), units_(static_cast<int>(cfg.decryptor.units)), core_(std::move(core)), decryptor_(std::move(decryptor)) {}

CosimTile RtlCosim::conv(const LayerDescriptor& d, const WeightSet& ws, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih) {
  return core_->execute(conv_image(g_, zero_skip_, d, ws, y0, rows, act, iy0, ih));
}

CosimTile RtlCosim::pool(const LayerDescriptor& d, uint32_t y0, uint32_t rows, const uint8_t* act, int iy0, int ih) {
  return core_->execute(pool_image(g_, d, y0, rows, act, iy0, ih));
}

CosimTile RtlCosim::add(const LayerDescriptor& d, uint32_t rows, const uint8_t* a, const uint8_t* b) {
  return core_->execute(add_image(g_, d, rows, a, b));
}

CosimTile RtlCosim::requant(const LayerDescriptor& d, uint32_t rows, const uint8_t* act, const std::vector<int32_t>& mult,
                            const std::vector<int64_t>& bias) {
  return core_->execute(requant_image(g_, d, rows, act, mult, bias));
}

ComputeCoreCosim::Decrypted RtlCosim::decrypt(const LayerDescriptor& d, const XorMatrix& m, const WeightSet& ws) {
  // The covering slices of every plane, as decrypt_weights reads them.
  const uint64_t k = reduction_length(d);
  const uint64_t s0 = ws.o0 * k / d.n_out, s1 = (static_cast<uint64_t>(ws.o0 + ws.oc) * k + d.n_out - 1) / d.n_out, slices = s1 - s0;
  auto bit = [](const std::vector<uint8_t>& v, uint64_t b) { return (v[b >> 3] >> (b & 7)) & 1u; };
  decryptor_->program(m);
  // Every plane's slices in one stream, as the decryptor takes them from the load path.
  std::vector<uint32_t> in(slices * ws.raw.size(), 0);
  for (size_t i = 0; i < ws.raw.size(); ++i) {
    const uint64_t first = ws.ranges.planes[i].first_bit;
    for (uint64_t t = 0; t < slices; ++t)
      for (uint32_t b = 0; b < d.n_in; ++b) in[i * slices + t] |= bit(ws.raw[i], first + t * d.n_in + b) << b;
  }
  Decrypted r;
  const std::vector<uint64_t> out = decryptor_->run(in, r.cycles);
  for (size_t i = 0; i < ws.raw.size(); ++i) {
    std::vector<uint8_t> bytes((slices * d.n_out + 7) / 8 + kBitPad, 0);
    for (uint64_t t = 0; t < slices; ++t)
      for (uint32_t b = 0; b < d.n_out; ++b)
        if ((out[i * slices + t] >> b) & 1u) bytes[(t * d.n_out + b) >> 3] |= static_cast<uint8_t>(1u << ((t * d.n_out + b) & 7));
    r.planes.push_back(std::move(bytes));
  }
  return r;
}

}  // namespace subbit::cosim

#include "cosim_registry.h"

namespace subbit::cosim {

std::vector<std::string> cosim_presets() {
  std::vector<std::string> names;
  for (const CosimPreset& p : cosim_registry()) names.push_back(p.name);
  return names;
}

std::unique_ptr<RtlCosim> make_rtl_cosim(const ArchConfig& cfg, const CosimOptions& opt) {
  const std::string sig = rtl_signature(cfg);
  for (const CosimPreset& p : cosim_registry())
    if (p.signature == sig)
      return std::make_unique<RtlCosim>(cfg, p.core(static_cast<int>(cfg.pe_array.cols), opt),
                                        p.decryptor(static_cast<int>(cfg.decryptor.units), static_cast<int>(cfg.decryptor.n_in),
                                                    static_cast<int>(cfg.decryptor.n_out), cfg.decryptor.matrix == XorMatrixKind::Programmable));
  std::string names;
  for (const std::string& n : cosim_presets()) names += (names.empty() ? "" : ", ") + n;
  throw Error(cfg.source + ": no Verilated RTL in this build has this config's hardware (--fidelity rtl); the build co-simulates " + names +
              " (configs/*.yaml; add a preset to SUBBIT_COSIM_PRESETS in tb/CMakeLists.txt)");
}

}  // namespace subbit::cosim
