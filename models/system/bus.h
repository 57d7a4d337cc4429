// Device-memory interconnect: several initiators (the accelerator's DMA, the host) share one
// memory target. Forwards b_transport, debug transport and DMI requests unchanged.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace subbit {

class MemoryBus : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<MemoryBus> targets;
  tlm_utils::simple_initiator_socket<MemoryBus> memory;

  // Fault injection (subbit run --inject activations:...): sees every write burst on its way to
  // memory and may change its bytes (a copy: the initiator's buffer stays as it was).
  std::function<void(uint64_t addr, uint8_t* data, size_t bytes)> write_hook;

  explicit MemoryBus(sc_core::sc_module_name name) : sc_module(name), targets("targets"), memory("memory") {
    targets.register_b_transport(this, &MemoryBus::b_transport);
    targets.register_transport_dbg(this, &MemoryBus::transport_dbg);
    targets.register_get_direct_mem_ptr(this, &MemoryBus::get_direct_mem_ptr);
  }

 private:
  void b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (!write_hook || !gp.is_write()) {
      memory->b_transport(gp, delay);
      return;
    }
    unsigned char* data = gp.get_data_ptr();
    std::vector<uint8_t> bytes(data, data + gp.get_data_length());
    write_hook(gp.get_address(), bytes.data(), bytes.size());
    gp.set_data_ptr(bytes.data());
    memory->b_transport(gp, delay);
    gp.set_data_ptr(data);
  }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& gp) { return memory->transport_dbg(gp); }
  bool get_direct_mem_ptr(int, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) { return memory->get_direct_mem_ptr(gp, dmi); }
};

}  // namespace subbit
