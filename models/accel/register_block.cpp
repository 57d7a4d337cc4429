#include "accel/register_block.h"

#include <cstring>

namespace subbit {

using namespace sc_core;
using namespace regs;

RegisterBlock::RegisterBlock(sc_module_name name, const AccelParams& p)
    : sc_module(name), socket("socket"), irq("irq"), access_time_(sc_time(1e3 / p.clock_mhz, SC_NS)) {
  socket.register_b_transport(this, &RegisterBlock::b_transport);
  socket.register_transport_dbg(this, &RegisterBlock::transport_dbg);
  set_reg(ID, kIdValue);
  set_reg(VERSION, kVersionValue);
  for (const auto& [off, value] : pack_caps(hw_caps(p))) set_reg(off, value);
  SC_METHOD(drive_irq);
  sensitive << irq_changed_;
  dont_initialize();
}

void RegisterBlock::drive_irq() { irq.write(irq_level_); }

void RegisterBlock::update_irq() {
  const bool level = (reg(IRQ_ENABLE) & 1u) && (reg(STATUS) & 0x6u);
  if (level != irq_level_) {
    irq_level_ = level;
    irq_changed_.notify(SC_ZERO_TIME);
  }
}

void RegisterBlock::set_busy() {
  set_reg(STATUS, 1u);
  set_reg(ERROR_CODE, kErrorNone);
  set_reg(DESC_DONE, 0);
  update_irq();
}

void RegisterBlock::finish(uint32_t error_code, uint32_t error_index) {
  set_reg(ERROR_CODE, error_code);
  set_reg(ERROR_INDEX, error_index);
  set_reg(STATUS, 2u | (error_code != kErrorNone ? 4u : 0u));
  update_irq();
}

bool RegisterBlock::access(tlm::tlm_generic_payload& gp) {
  const uint64_t addr = gp.get_address();
  if (gp.get_data_length() != 4 || addr % 4 != 0 || addr + 4 > REG_SPACE_BYTES || gp.get_byte_enable_ptr()) {
    gp.set_response_status(addr + 4 > REG_SPACE_BYTES ? tlm::TLM_ADDRESS_ERROR_RESPONSE : tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  const uint32_t off = static_cast<uint32_t>(addr);
  uint32_t value;
  if (gp.is_read()) {
    value = reg(off);
    std::memcpy(gp.get_data_ptr(), &value, 4);
  } else if (gp.is_write()) {
    std::memcpy(&value, gp.get_data_ptr(), 4);
    switch (off) {
      case CTRL:
        if ((value & 2u) || (value & 4u)) {
          set_reg(STATUS, reg(STATUS) & ~((value & 2u ? 2u : 0u) | (value & 4u ? 4u : 0u)));
          update_irq();
        }
        if ((value & 1u) && !(reg(STATUS) & 1u)) start_.notify(SC_ZERO_TIME);
        break;
      case IRQ_ENABLE:
      case DESC_ADDR_LO:
      case DESC_ADDR_HI:
      case DESC_COUNT:
        set_reg(off, value);
        if (off == IRQ_ENABLE) update_irq();
        break;
      default:  // read-only or unmapped: the write is ignored, as on the chip
        break;
    }
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

void RegisterBlock::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  ++accesses_;
  access(gp);
  delay += access_time_;
}

unsigned RegisterBlock::transport_dbg(tlm::tlm_generic_payload& gp) { return access(gp) ? 4 : 0; }

}  // namespace subbit
