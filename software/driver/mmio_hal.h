// Memory-mapped back-end for a chip under Linux: registers and device memory mapped from a UIO
// device (map 0: registers, map 1: device memory) or /dev/mem, or given directly (a fake register
// file in tests). The interrupt comes from the UIO file descriptor; without one, wait_irq polls the
// STATUS register.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "driver/hal.h"

namespace subbit::driver {

class MmioHal : public Hal {
 public:
  // regs: the register block (regs::REG_SPACE_BYTES); mem: device memory seen at device address
  // mem_base. irq_fd: a UIO descriptor, or -1 to poll STATUS.
  MmioHal(volatile uint32_t* regs, uint8_t* mem, uint64_t mem_base, uint64_t mem_size, int irq_fd = -1)
      : regs_(regs), mem_(mem), mem_base_(mem_base), mem_size_(mem_size), irq_fd_(irq_fd) {}
  ~MmioHal() override;

  // Maps /dev/uioN's two regions; on failure returns null and sets *error.
  static std::unique_ptr<MmioHal> open_uio(const std::string& device, uint64_t mem_base, std::string* error);

  Status read_reg(uint32_t offset, uint32_t* value) override;
  Status write_reg(uint32_t offset, uint32_t value) override;
  Status write_mem(uint64_t addr, const void* src, size_t bytes) override;
  Status read_mem(uint64_t addr, void* dst, size_t bytes) override;
  Status wait_irq(uint64_t timeout_us) override;
  uint64_t mem_base() const override { return mem_base_; }
  uint64_t mem_size() const override { return mem_size_; }

 private:
  bool in_range(uint64_t addr, size_t bytes) const { return addr >= mem_base_ && addr - mem_base_ + bytes <= mem_size_; }
  volatile uint32_t* regs_;
  uint8_t* mem_;
  uint64_t mem_base_, mem_size_;
  int irq_fd_;
  void* maps_[2] = {nullptr, nullptr};
  size_t map_bytes_[2] = {0, 0};
};

}  // namespace subbit::driver
