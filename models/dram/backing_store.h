// Functional DRAM contents: a sparse map of 4 KiB pages, allocated on first write (or on a DMI
// request); unwritten memory reads as zero.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace subbit::dram {

class BackingStore {
 public:
  static constexpr uint64_t kPageBytes = 4096;

  // Copies n bytes in. `be` (optional) is a TLM byte-enable mask repeated every be_len bytes: a
  // byte is written where its mask byte is non-zero.
  void write(uint64_t addr, const uint8_t* src, size_t n, const uint8_t* be = nullptr, size_t be_len = 0);
  void read(uint64_t addr, uint8_t* dst, size_t n) const;
  // The page holding `addr` (allocated, zero-filled, if new); stable for the store's lifetime.
  uint8_t* page(uint64_t addr);
  size_t pages() const { return pages_.size(); }

 private:
  const uint8_t* find(uint64_t page_no) const;
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
  mutable uint64_t last_no_ = ~uint64_t(0);
  mutable uint8_t* last_ = nullptr;
};

}  // namespace subbit::dram
