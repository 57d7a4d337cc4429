// The simulated platform: host CPU (running the driver), accelerator, device-memory bus and a
// memory model. The host reaches the accelerator's registers directly and device memory through
// the bus, which the accelerator's DMA shares.
#pragma once
#include <systemc>

#include <cstdio>
#include <memory>
#include <vector>

#include "accel/accelerator.h"
#include "system/bus.h"
#include "system/ideal_memory.h"
#include "system/sc_hal.h"

namespace subbit {

// One attribution tag's DRAM traffic (the accelerator tags each transfer with its layer index).
struct TagCounters {
  uint64_t bytes_read = 0, bytes_written = 0, row_hits = 0, row_misses = 0, row_conflicts = 0;
  uint64_t act = 0, pre = 0, rd = 0, wr = 0;  // commands issued for the tag's bursts (energy model)
  uint64_t bytes() const { return bytes_read + bytes_written; }
  double row_hit_rate() const {
    const uint64_t n = row_hits + row_misses + row_conflicts;
    return n ? static_cast<double>(row_hits) / n : 0.0;
  }
};

// Command and row-buffer counts of a DRAM (zero for memories without rows).
struct MemoryCounters {
  bool has_rows = false;
  uint64_t act = 0, pre = 0, rd = 0, wr = 0, ref = 0, row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::vector<TagCounters> tags;  // per attribution tag (index = tag = layer index)
  uint64_t active_cycles = 0;     // DRAM cycles with a bank open, summed over channels
  MemoryCounters minus(const MemoryCounters& o) const {
    MemoryCounters d{has_rows, act - o.act, pre - o.pre, rd - o.rd, wr - o.wr, ref - o.ref, row_hits - o.row_hits, row_misses - o.row_misses,
                     row_conflicts - o.row_conflicts, tags, active_cycles - o.active_cycles};
    for (size_t i = 0; i < d.tags.size() && i < o.tags.size(); ++i) {
      TagCounters& t = d.tags[i];
      const TagCounters& b = o.tags[i];
      t = {t.bytes_read - b.bytes_read, t.bytes_written - b.bytes_written, t.row_hits - b.row_hits, t.row_misses - b.row_misses,
           t.row_conflicts - b.row_conflicts, t.act - b.act, t.pre - b.pre, t.rd - b.rd, t.wr - b.wr};
    }
    return d;
  }
};

struct MemoryModel {
  virtual ~MemoryModel() = default;
  virtual tlm::tlm_target_socket<>& socket() = 0;
  virtual double peak_bytes_per_ns() const = 0;  // theoretical peak, for rooflines
  virtual uint64_t capacity() const = 0;
  virtual std::string describe() const = 0;
  virtual MemoryCounters counters() { return {}; }
};

class IdealMemoryModel : public MemoryModel {
 public:
  IdealMemoryModel(sc_core::sc_time latency, double bytes_per_ns)
      : mem_("ideal_memory", latency, bytes_per_ns), bytes_per_ns_(bytes_per_ns), latency_ns_(latency.to_seconds() * 1e9) {}
  tlm::tlm_target_socket<>& socket() override { return mem_.socket; }
  double peak_bytes_per_ns() const override { return bytes_per_ns_; }
  uint64_t capacity() const override { return 4ull << 30; }
  std::string describe() const override {
    char buf[96];
    std::snprintf(buf, sizeof buf, "ideal memory (%.1f GB/s, %.0f ns)", bytes_per_ns_, latency_ns_);
    return buf;
  }

 private:
  IdealMemory mem_;
  double bytes_per_ns_, latency_ns_;
};

class SimSystem {
 public:
  static constexpr uint64_t kMemBase = 0x1000;

  SimSystem(const AccelParams& p, std::unique_ptr<MemoryModel> memory)
      : accel("accel", p), bus("bus"), host("host", kMemBase, memory->capacity() - kMemBase), memory_(std::move(memory)) {
    accel.dma.socket.bind(bus.targets);
    host.mem_bus.bind(bus.targets);
    bus.memory.bind(memory_->socket());
    host.reg_bus.bind(accel.regs.socket);
    accel.irq(irq);
    host.irq(irq);
  }
  MemoryModel& memory() const { return *memory_; }

  Accelerator accel;
  MemoryBus bus;
  HostCpu host;
  sc_core::sc_signal<bool> irq;

 private:
  std::unique_ptr<MemoryModel> memory_;
};

}  // namespace subbit
