// ArchConfig (configs/*.yaml) -> the accelerator's parameters and its memory model: the one path
// from the YAML file to the simulated hardware.
#pragma once
#include <memory>

#include "accel/accel_params.h"
#include "config/arch_config.h"
#include "dram/address_mapper.h"
#include "dram/dram_system.h"
#include "system/sim_system.h"

namespace subbit {

inline AccelParams accel_params(const ArchConfig& c) {
  AccelParams p;
  p.clock_mhz = c.clock_mhz;
  p.pe_rows = static_cast<int>(c.pe_array.rows);
  p.pe_cols = static_cast<int>(c.pe_array.cols);
  p.act_lanes = static_cast<int>(c.pe_array.act_lanes);
  p.reduction_tree = c.pe_array.reduction_tree;
  p.streaming_decrypt = c.decryptor.mode == DecryptMode::Streaming;
  p.act_bits = static_cast<int>(c.act_bits);
  p.acc_bits = static_cast<int>(c.acc_bits);
  p.alpha_bits = static_cast<int>(c.alpha_bits);
  p.decrypt_units = static_cast<int>(c.decryptor.units);
  p.n_in = static_cast<int>(c.decryptor.n_in);
  p.n_out = static_cast<int>(c.decryptor.n_out);
  p.n_tap = static_cast<int>(c.decryptor.n_tap);
  p.programmable_matrix = c.decryptor.matrix == XorMatrixKind::Programmable;
  p.xor_seed = c.decryptor.seed;
  p.weight_buf_bytes = static_cast<uint64_t>(c.buffers.weight_kib) << 10;
  p.act_buf_bytes = static_cast<uint64_t>(c.buffers.activation_kib) << 10;
  p.acc_buf_bytes = static_cast<uint64_t>(c.buffers.accumulator_kib) << 10;
  p.post_lanes = static_cast<int>(c.pe_array.cols);
  // Enough bursts in flight to cover the DRAM latency at full bandwidth on every channel.
  p.dma_outstanding = static_cast<int>(std::max<uint32_t>(8, c.dram.request_buffer_size * c.dram.channels));
  // What the platform tells the driver about its memory: JEDEC peak; sustained streaming bandwidth
  // with refresh deducted (each REF blocks the channel for tRFC every tREFI); unloaded read latency
  // from a closed row (tRCD + RL + tDQSCK + BL/2, docs/dram.md).
  const dram::DramSpec& s = c.dram_spec();
  p.mem_peak_gbps = s.peak_gbps() * c.dram.channels;
  p.mem_sustained_gbps = p.mem_peak_gbps * (1.0 - static_cast<double>(s.tRFC) / s.tREFI);
  // Unloaded read to a closed bank: ACT, tRCD, then the data RL (+ tDQSCK) after the read command's
  // last cycle (docs/dram.md, "Closed-form latency").
  const dram::Delays d = dram::derive_delays(s);
  p.mem_latency_ns = (d.act_to_col + d.rd_data + d.burst) * s.tck_ns();
  p.mem_burst_bytes = static_cast<int>(s.burst_bytes());
  p.mem_channels = static_cast<int>(c.dram.channels);
  const dram::AddressMapper mapper(s, c.dram.channels, c.dram.address_mapping);
  for (uint32_t b = mapper.offset_bits(); c.dram.channels > 1 && b < 63 && !p.mem_interleave_bytes; ++b)
    if (mapper.decode(uint64_t{1} << b).channel != 0) p.mem_interleave_bytes = uint64_t{1} << b;
  return p;
}

class DramMemoryModel : public MemoryModel {
 public:
  explicit DramMemoryModel(const ArchConfig& c) : dram_("dram", dram::DramParams::from_config(c.dram)), preset_(c.dram.preset), channels_(c.dram.channels) {}
  tlm::tlm_target_socket<>& socket() override { return dram_.socket; }
  double peak_bytes_per_ns() const override { return dram_.params().peak_gbps(); }
  uint64_t capacity() const override { return dram_.capacity(); }
  std::string describe() const override {
    return std::to_string(channels_) + "x " + preset_ + " (" + std::to_string(dram_.params().peak_gbps()).substr(0, 4) + " GB/s peak)";
  }
  dram::DramSystem& dram() { return dram_; }
  MemoryCounters counters() override {
    const dram::DramStats st = dram_.stats();
    MemoryCounters c{true, st.act, st.pre, st.rd, st.wr, st.ref, st.row_hits, st.row_misses, st.row_conflicts, {}, st.active_cycles};
    for (const dram::TagStats& t : dram_.tag_stats())
      c.tags.push_back({t.bytes_read, t.bytes_written, t.row_hits, t.row_misses, t.row_conflicts, t.acts, t.pres, t.reads, t.writes});
    return c;
  }

 private:
  dram::DramSystem dram_;
  std::string preset_;
  uint32_t channels_;
};

}  // namespace subbit
