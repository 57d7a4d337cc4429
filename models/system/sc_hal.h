// The driver's HAL on the SystemC model: the driver runs as the host CPU inside an SC_THREAD and
// issues timed TLM register accesses; device-memory copies use debug transport (the host's copy
// time is not part of the accelerator's latency).
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "driver/hal.h"

namespace subbit {

class HostCpu : public sc_core::sc_module, public driver::Hal {
 public:
  SC_HAS_PROCESS(HostCpu);
  tlm_utils::simple_initiator_socket<HostCpu> reg_bus;
  tlm_utils::simple_initiator_socket<HostCpu> mem_bus;
  sc_core::sc_in<bool> irq;
  std::function<void(HostCpu&)> program;  // the host software, run in the host thread

  HostCpu(sc_core::sc_module_name name, uint64_t mem_base, uint64_t mem_size)
      : sc_module(name), reg_bus("reg_bus"), mem_bus("mem_bus"), irq("irq"), mem_base_(mem_base), mem_size_(mem_size) {
    SC_THREAD(run);
  }

  driver::Status read_reg(uint32_t offset, uint32_t* value) override { return reg_access(offset, value, false); }
  driver::Status write_reg(uint32_t offset, uint32_t value) override { return reg_access(offset, &value, true); }
  driver::Status write_mem(uint64_t addr, const void* src, size_t bytes) override { return mem_access(addr, const_cast<void*>(src), bytes, true); }
  driver::Status read_mem(uint64_t addr, void* dst, size_t bytes) override { return mem_access(addr, dst, bytes, false); }
  driver::Status wait_irq(uint64_t timeout_us) override {
    if (!irq.read()) sc_core::wait(sc_core::sc_time(static_cast<double>(timeout_us), sc_core::SC_US), irq.posedge_event());
    return irq.read() ? driver::Status::Ok : driver::Status::Timeout;
  }
  uint64_t mem_base() const override { return mem_base_; }
  uint64_t mem_size() const override { return mem_size_; }

 private:
  void run() {
    if (program) program(*this);  // then every unit idles and sc_start() returns
  }
  driver::Status reg_access(uint32_t offset, uint32_t* v, bool write) {
    tlm::tlm_generic_payload& gp = reg_gp_;  // reused: a payload allocates its extension array
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(offset);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(v));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    reg_bus->b_transport(gp, delay);
    sc_core::wait(delay);
    return gp.is_response_ok() ? driver::Status::Ok : driver::Status::BusError;
  }
  driver::Status mem_access(uint64_t addr, void* data, size_t bytes, bool write) {
    if (addr < mem_base_ || addr - mem_base_ + bytes > mem_size_) return driver::Status::BusError;
    tlm::tlm_generic_payload& gp = mem_gp_;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(static_cast<unsigned char*>(data));
    gp.set_data_length(static_cast<unsigned>(bytes));
    gp.set_streaming_width(static_cast<unsigned>(bytes));
    return mem_bus->transport_dbg(gp) == bytes ? driver::Status::Ok : driver::Status::BusError;
  }
  uint64_t mem_base_, mem_size_;
  tlm::tlm_generic_payload reg_gp_, mem_gp_;
};

}  // namespace subbit
