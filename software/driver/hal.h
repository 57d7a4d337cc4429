// Hardware access layer: the only way the driver touches the accelerator. Back-ends: the SystemC
// TLM model (models/system/sc_hal.h), the Verilated RTL, and memory-mapped Linux devices
// (mmio_hal.h). No exceptions cross this interface.
#pragma once
#include <cstddef>
#include <cstdint>

namespace subbit::driver {

enum class Status : int {
  Ok = 0,
  InvalidArgument,
  NoDevice,      // no accelerator answers with the SubBit ID
  OutOfMemory,   // device memory exhausted
  Unsupported,   // the hardware cannot run this network
  Timeout,
  DeviceError,   // the accelerator reported an error
  BusError,      // a memory or register access failed
};
const char* status_name(Status s);

class Hal {
 public:
  virtual ~Hal() = default;
  virtual Status read_reg(uint32_t offset, uint32_t* value) = 0;
  virtual Status write_reg(uint32_t offset, uint32_t value) = 0;
  virtual Status write_mem(uint64_t addr, const void* src, size_t bytes) = 0;
  virtual Status read_mem(uint64_t addr, void* dst, size_t bytes) = 0;
  // Blocks until the interrupt line is raised or `timeout_us` of device time passes.
  virtual Status wait_irq(uint64_t timeout_us) = 0;
  virtual uint64_t mem_base() const = 0;  // device memory the driver may allocate from
  virtual uint64_t mem_size() const = 0;
};

}  // namespace subbit::driver
