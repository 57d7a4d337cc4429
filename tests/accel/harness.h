// Register-level test host for the accelerator without the driver: on the simulated platform's
// host CPU it loads a lowered network into device memory, programs the registers, waits for the
// interrupt, and compares every layer's output in device memory with the golden reference.
#pragma once
#include <systemc>
#include <tlm>

#include <functional>
#include <memory>
#include <string>

#include "accel/accelerator.h"
#include "golden/golden.h"
#include "hwif/registers.h"
#include "runtime/lowering.h"
#include "system/sim_system.h"

namespace subbit::test {

struct RunResult {
  uint32_t status = 0, error = 0, error_index = 0;
  uint64_t cycles = 0;
  bool timed_out = false;
  std::string mismatch;  // empty when every layer matched the golden reference
  std::string cosim_mismatch;  // co-simulation: the first tile whose RTL outputs differed from the TLM model's
  std::vector<LayerStats> layers;
  LoweredNetwork lowered;
  MemoryCounters memory;  // the memory model's counts after the run (DRAM: commands, rows, per-layer tags)
};

// Runs `net` on input `x` and checks every layer against golden. One call per process.
// `memory`: the device memory (nullptr: an ideal 12.8 GB/s, 60 ns memory).
inline RunResult run_and_compare(const Network& net, const std::vector<int16_t>& x, const AccelParams& p,
                                 std::function<void(LoweredNetwork&)> tamper = nullptr, ComputeCoreCosim* cosim = nullptr,
                                 std::unique_ptr<MemoryModel> memory = nullptr) {
  SimSystem sys(p, memory ? std::move(memory) : std::make_unique<IdealMemoryModel>(sc_core::sc_time(60, sc_core::SC_NS), 12.8));
  sys.accel.set_cosim(cosim);
  LoweredNetwork L = lower_network(net, hw_caps(p), SimSystem::kMemBase, net.name);
  if (tamper) tamper(L);
  std::vector<uint8_t> in(x.size());
  values_to_bytes(x.data(), x.size(), in.data());
  RunResult r;
  auto reg = [](HostCpu& h, uint32_t off) {
    uint32_t v = 0;
    h.read_reg(off, &v);
    return v;
  };
  sys.host.program = [&](HostCpu& h) {
    for (const auto& seg : L.image) h.write_mem(seg.addr, seg.bytes.data(), seg.bytes.size());
    h.write_mem(L.input_addr, in.data(), in.size());
    if (reg(h, regs::ID) != regs::kIdValue) throw std::runtime_error("bad ID register");
    h.write_reg(regs::IRQ_ENABLE, 1);
    h.write_reg(regs::DESC_ADDR_LO, static_cast<uint32_t>(L.desc_addr));
    h.write_reg(regs::DESC_ADDR_HI, static_cast<uint32_t>(L.desc_addr >> 32));
    h.write_reg(regs::DESC_COUNT, static_cast<uint32_t>(L.descriptors.size()));
    h.write_reg(regs::CTRL, 1);
    r.timed_out = h.wait_irq(10'000'000) != driver::Status::Ok;
    r.status = reg(h, regs::STATUS);
    r.error = reg(h, regs::ERROR_CODE);
    r.error_index = reg(h, regs::ERROR_INDEX);
    r.cycles = reg(h, regs::PERF_CYCLES_LO) | static_cast<uint64_t>(reg(h, regs::PERF_CYCLES_HI)) << 32;
  };
  sc_core::sc_start();
  r.memory = sys.memory().counters();
  r.layers = sys.accel.layer_stats();
  r.lowered = L;
  r.cosim_mismatch = sys.accel.cosim_mismatch();
  if (r.timed_out || r.error) return r;
  GoldenModel golden(net);
  golden.run(x.data());
  for (size_t i = 1; i < net.nodes.size() && r.mismatch.empty(); ++i) {
    const Node& n = net.nodes[i];
    std::vector<uint8_t> bytes(n.shape.numel());
    sys.host.read_mem(L.node_addr[i], bytes.data(), bytes.size());
    std::vector<int16_t> got(bytes.size());
    bytes_to_values(bytes.data(), bytes.size(), n.out.is_signed, got.data());
    const auto& want = golden.output(i);
    for (size_t e = 0; e < got.size(); ++e)
      if (got[e] != want[e]) {
        r.mismatch = "layer '" + n.name + "' element " + std::to_string(e) + ": model " + std::to_string(got[e]) + ", golden " + std::to_string(want[e]);
        break;
      }
  }
  return r;
}

}  // namespace subbit::test
