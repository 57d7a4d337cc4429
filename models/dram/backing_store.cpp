#include "dram/backing_store.h"

#include <algorithm>
#include <cstring>

namespace subbit::dram {

const uint8_t* BackingStore::find(uint64_t no) const {
  if (no == last_no_) return last_;
  auto it = pages_.find(no);
  if (it == pages_.end()) return nullptr;
  last_no_ = no;
  last_ = it->second.get();
  return last_;
}

uint8_t* BackingStore::page(uint64_t addr) {
  const uint64_t no = addr / kPageBytes;
  if (const uint8_t* p = find(no)) return const_cast<uint8_t*>(p);
  auto& slot = pages_[no];
  slot.reset(new uint8_t[kPageBytes]());
  last_no_ = no;
  last_ = slot.get();
  return last_;
}

void BackingStore::write(uint64_t addr, const uint8_t* src, size_t n, const uint8_t* be, size_t be_len) {
  size_t done = 0;
  while (done < n) {
    const uint64_t a = addr + done;
    const size_t off = size_t(a % kPageBytes);
    const size_t k = std::min<size_t>(n - done, kPageBytes - off);
    uint8_t* p = page(a) + off;
    if (!be || be_len == 0) {
      std::memcpy(p, src + done, k);
    } else {
      for (size_t i = 0; i < k; ++i)
        if (be[(done + i) % be_len]) p[i] = src[done + i];
    }
    done += k;
  }
}

void BackingStore::read(uint64_t addr, uint8_t* dst, size_t n) const {
  size_t done = 0;
  while (done < n) {
    const uint64_t a = addr + done;
    const size_t off = size_t(a % kPageBytes);
    const size_t k = std::min<size_t>(n - done, kPageBytes - off);
    if (const uint8_t* p = find(a / kPageBytes))
      std::memcpy(dst + done, p + off, k);
    else
      std::memset(dst + done, 0, k);
    done += k;
  }
}

}  // namespace subbit::dram
