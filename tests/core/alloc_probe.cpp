// Replaces the global operator new of the test executable so a test can measure the largest single
// allocation made inside a scope (ct::AllocProbe in util.h). The loader must not allocate from a
// size read from a file before checking it against the file's size (docs/network-format.md).
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace ct {
std::atomic<bool> g_alloc_probe_on{false};
std::atomic<std::size_t> g_alloc_probe_max{0};
}  // namespace ct

namespace {
void* probed_alloc(std::size_t n) {
  if (ct::g_alloc_probe_on.load(std::memory_order_relaxed)) {
    std::size_t cur = ct::g_alloc_probe_max.load(std::memory_order_relaxed);
    while (n > cur && !ct::g_alloc_probe_max.compare_exchange_weak(cur, n, std::memory_order_relaxed)) {
    }
  }
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) { return probed_alloc(n); }
void* operator new[](std::size_t n) { return probed_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
