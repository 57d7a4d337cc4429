// A test host for the accelerator without the driver: loads a lowered network into device memory
// through the debug port, programs the registers over the bus, waits for the interrupt, and
// compares every layer's output in device memory with the golden reference.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <optional>
#include <string>

#include "accel/accelerator.h"
#include "golden/golden.h"
#include "hwif/registers.h"
#include "runtime/lowering.h"
#include "system/ideal_memory.h"

namespace subbit::test {

class Host : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Host);
  tlm_utils::simple_initiator_socket<Host> bus;
  sc_core::sc_in<bool> irq;
  std::function<void(Host&)> program;  // runs in the host thread

  explicit Host(sc_core::sc_module_name name) : sc_module(name), bus("bus"), irq("irq") { SC_THREAD(run); }

  uint32_t read(uint32_t off) {
    uint32_t v = 0;
    access(off, &v, false);
    return v;
  }
  void write(uint32_t off, uint32_t v) { access(off, &v, true); }
  // Waits for the interrupt line, or `timeout`; returns false on timeout.
  bool wait_irq(sc_core::sc_time timeout) {
    if (irq.read()) return true;
    sc_core::wait(timeout, irq.posedge_event());
    return irq.read();
  }

 private:
  void access(uint32_t off, uint32_t* v, bool is_write) {
    tlm::tlm_generic_payload gp;
    gp.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(off);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(v));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    bus->b_transport(gp, delay);
    sc_core::wait(delay);
    if (!gp.is_response_ok()) throw std::runtime_error("register access failed at offset " + std::to_string(off));
  }
  void run() {
    if (program) program(*this);  // then every unit idles and sc_start() returns
  }
};

struct System {
  Accelerator accel;
  IdealMemory mem;
  Host host;
  sc_core::sc_signal<bool> irq;

  explicit System(const AccelParams& p, double mem_bytes_per_ns = 12.8)
      : accel("accel", p), mem("mem", sc_core::sc_time(60, sc_core::SC_NS), mem_bytes_per_ns), host("host") {
    accel.dma.socket.bind(mem.socket);
    host.bus.bind(accel.regs.socket);
    accel.irq(irq);
    host.irq(irq);
  }
};

struct RunResult {
  uint32_t status = 0, error = 0, error_index = 0;
  uint64_t cycles = 0;
  bool timed_out = false;
  std::string mismatch;  // empty when every layer matched the golden reference
};

// Runs `net` on input `x` and checks every layer against golden. One call per process.
inline RunResult run_and_compare(const Network& net, const std::vector<int16_t>& x, const AccelParams& p,
                                 std::function<void(LoweredNetwork&)> tamper = nullptr) {
  System sys(p);
  const LoweredNetwork L0 = lower_network(net, hw_caps(p), 0x1000, net.name);
  LoweredNetwork L = L0;
  if (tamper) tamper(L);
  for (const auto& seg : L.image) sys.mem.load(seg.addr, seg.bytes.data(), seg.bytes.size());
  std::vector<uint8_t> in(x.size());
  values_to_bytes(x.data(), x.size(), in.data());
  sys.mem.load(L.input_addr, in.data(), in.size());
  RunResult r;
  sys.host.program = [&](Host& h) {
    if (h.read(regs::ID) != regs::kIdValue) throw std::runtime_error("bad ID register");
    h.write(regs::IRQ_ENABLE, 1);
    h.write(regs::DESC_ADDR_LO, static_cast<uint32_t>(L.desc_addr));
    h.write(regs::DESC_ADDR_HI, static_cast<uint32_t>(L.desc_addr >> 32));
    h.write(regs::DESC_COUNT, static_cast<uint32_t>(L.descriptors.size()));
    h.write(regs::CTRL, 1);
    r.timed_out = !h.wait_irq(sc_core::sc_time(10, sc_core::SC_SEC));
    r.status = h.read(regs::STATUS);
    r.error = h.read(regs::ERROR_CODE);
    r.error_index = h.read(regs::ERROR_INDEX);
    r.cycles = h.read(regs::PERF_CYCLES_LO) | static_cast<uint64_t>(h.read(regs::PERF_CYCLES_HI)) << 32;
  };
  sc_core::sc_start();
  if (r.timed_out || r.error) return r;
  GoldenModel golden(net);
  golden.run(x.data());
  for (size_t i = 1; i < net.nodes.size() && r.mismatch.empty(); ++i) {
    const Node& n = net.nodes[i];
    std::vector<uint8_t> bytes(n.shape.numel());
    sys.mem.dump(L.node_addr[i], bytes.data(), bytes.size());
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
