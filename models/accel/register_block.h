// Register block: identification, read-only capability registers (so a driver discovers the
// hardware), control/status, descriptor pointer, performance counters and the interrupt line.
// A TLM-2.0 target on the host bus; 32-bit accesses only.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstdint>

#include "accel/accel_params.h"
#include "hwif/registers.h"

namespace subbit {

class RegisterBlock : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(RegisterBlock);
  tlm_utils::simple_target_socket<RegisterBlock> socket;
  sc_core::sc_out<bool> irq;

  RegisterBlock(sc_core::sc_module_name name, const AccelParams& p);

  // Hardware side.
  const sc_core::sc_event& start_event() const { return start_; }
  uint32_t reg(uint32_t offset) const { return regs_[offset / 4]; }
  void set_reg(uint32_t offset, uint32_t value) { regs_[offset / 4] = value; }
  void set_counter(uint32_t lo_offset, uint64_t value) {
    set_reg(lo_offset, static_cast<uint32_t>(value));
    set_reg(lo_offset + 4, static_cast<uint32_t>(value >> 32));
  }
  void set_busy();
  void finish(uint32_t error_code, uint32_t error_index);  // done (and error), raises irq if enabled
  uint64_t accesses() const { return accesses_; }  // host bus reads and writes (debug accesses not counted)

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp);
  bool access(tlm::tlm_generic_payload& gp);
  void update_irq();

  sc_core::sc_time access_time_;
  std::array<uint32_t, regs::REG_SPACE_BYTES / 4> regs_{};
  sc_core::sc_event start_;
  bool irq_level_ = false;
  uint64_t accesses_ = 0;
  sc_core::sc_event irq_changed_;
  void drive_irq();
};

}  // namespace subbit
