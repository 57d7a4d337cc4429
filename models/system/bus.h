// Device-memory interconnect: several initiators (the accelerator's DMA, the host) share one
// memory target. Forwards b_transport, debug transport and DMI requests unchanged.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

namespace subbit {

class MemoryBus : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<MemoryBus> targets;
  tlm_utils::simple_initiator_socket<MemoryBus> memory;

  explicit MemoryBus(sc_core::sc_module_name name) : sc_module(name), targets("targets"), memory("memory") {
    targets.register_b_transport(this, &MemoryBus::b_transport);
    targets.register_transport_dbg(this, &MemoryBus::transport_dbg);
    targets.register_get_direct_mem_ptr(this, &MemoryBus::get_direct_mem_ptr);
  }

 private:
  void b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) { memory->b_transport(gp, delay); }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& gp) { return memory->transport_dbg(gp); }
  bool get_direct_mem_ptr(int, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) { return memory->get_direct_mem_ptr(gp, dmi); }
};

}  // namespace subbit
