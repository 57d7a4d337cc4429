#include "driver/mmio_hal.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "hwif/registers.h"

namespace subbit::driver {

MmioHal::~MmioHal() {
  for (int i = 0; i < 2; ++i)
    if (maps_[i]) munmap(maps_[i], map_bytes_[i]);
  if (irq_fd_ >= 0 && maps_[0]) ::close(irq_fd_);
}

std::unique_ptr<MmioHal> MmioHal::open_uio(const std::string& device, uint64_t mem_base, std::string* error) {
  const std::string name = device.substr(device.find_last_of('/') + 1);
  size_t sizes[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    std::ifstream f("/sys/class/uio/" + name + "/maps/map" + std::to_string(i) + "/size");
    if (!(f >> std::hex >> sizes[i])) {
      *error = device + ": cannot read the size of map" + std::to_string(i) + " (is it a SubBit UIO device?)";
      return nullptr;
    }
  }
  const int fd = ::open(device.c_str(), O_RDWR | O_SYNC);
  if (fd < 0) {
    *error = device + ": " + std::strerror(errno);
    return nullptr;
  }
  void* maps[2];
  for (int i = 0; i < 2; ++i) {
    // UIO selects map N with offset N * page size.
    maps[i] = mmap(nullptr, sizes[i], PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(i) * sysconf(_SC_PAGESIZE));
    if (maps[i] == MAP_FAILED) {
      *error = device + ": mmap of map" + std::to_string(i) + " failed: " + std::strerror(errno);
      if (i == 1) munmap(maps[0], sizes[0]);
      ::close(fd);
      return nullptr;
    }
  }
  auto hal = std::make_unique<MmioHal>(static_cast<volatile uint32_t*>(maps[0]), static_cast<uint8_t*>(maps[1]), mem_base, sizes[1], fd);
  for (int i = 0; i < 2; ++i) hal->maps_[i] = maps[i], hal->map_bytes_[i] = sizes[i];
  return hal;
}

Status MmioHal::read_reg(uint32_t offset, uint32_t* value) {
  if (offset % 4 || offset >= regs::REG_SPACE_BYTES) return Status::InvalidArgument;
  *value = regs_[offset / 4];
  return Status::Ok;
}

Status MmioHal::write_reg(uint32_t offset, uint32_t value) {
  if (offset % 4 || offset >= regs::REG_SPACE_BYTES) return Status::InvalidArgument;
  regs_[offset / 4] = value;
  return Status::Ok;
}

Status MmioHal::write_mem(uint64_t addr, const void* src, size_t bytes) {
  if (!in_range(addr, bytes)) return Status::BusError;
  std::memcpy(mem_ + (addr - mem_base_), src, bytes);
  return Status::Ok;
}

Status MmioHal::read_mem(uint64_t addr, void* dst, size_t bytes) {
  if (!in_range(addr, bytes)) return Status::BusError;
  std::memcpy(dst, mem_ + (addr - mem_base_), bytes);
  return Status::Ok;
}

Status MmioHal::wait_irq(uint64_t timeout_us) {
  if (irq_fd_ >= 0) {
    uint32_t enable = 1;
    if (::write(irq_fd_, &enable, sizeof enable) != sizeof enable) return Status::BusError;
    pollfd p{irq_fd_, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>((timeout_us + 999) / 1000));
    if (r == 0) return Status::Timeout;
    uint32_t count;
    return r > 0 && ::read(irq_fd_, &count, sizeof count) == sizeof count ? Status::Ok : Status::BusError;
  }
  // No interrupt line: poll STATUS for done or error.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout_us);
  for (;;) {
    if (regs_[regs::STATUS / 4] & 6u) return Status::Ok;
    if (std::chrono::steady_clock::now() >= deadline) return Status::Timeout;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

}  // namespace subbit::driver
