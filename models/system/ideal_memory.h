// An ideal device memory: fixed latency and a fixed-bandwidth data bus, no banks, no refresh (the
// SCALE-Sim assumption). For tests that must not depend on DRAM timing, and as the ideal-memory
// baseline in reports. Sparse 4 KiB pages; DMI for zero-time host access.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstring>
#include <memory>
#include <unordered_map>

namespace subbit {

class IdealMemory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<IdealMemory> socket;

  IdealMemory(sc_core::sc_module_name name, sc_core::sc_time latency, double bytes_per_ns)
      : sc_module(name), socket("socket"), latency_(latency), bytes_per_ns_(bytes_per_ns) {
    socket.register_b_transport(this, &IdealMemory::b_transport);
    socket.register_transport_dbg(this, &IdealMemory::transport_dbg);
  }

  void load(uint64_t addr, const uint8_t* data, size_t n) { copy(addr, const_cast<uint8_t*>(data), n, true); }
  void dump(uint64_t addr, uint8_t* data, size_t n) { copy(addr, data, n, false); }
  uint64_t limit = 1ull << 32;  // accesses at or beyond this address get an address error

 private:
  static constexpr uint64_t kPage = 4096;
  void copy(uint64_t addr, uint8_t* data, size_t n, bool write) {
    for (size_t i = 0; i < n;) {
      const uint64_t a = addr + i, page = a / kPage, off = a % kPage;
      const size_t chunk = std::min<size_t>(n - i, kPage - off);
      auto& p = pages_[page];
      if (!p) p = std::make_unique<uint8_t[]>(kPage), std::memset(p.get(), 0, kPage);
      if (write) std::memcpy(p.get() + off, data + i, chunk);
      else std::memcpy(data + i, p.get() + off, chunk);
      i += chunk;
    }
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (gp.get_address() + gp.get_data_length() > limit) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    copy(gp.get_address(), gp.get_data_ptr(), gp.get_data_length(), gp.is_write());
    // The data bus is shared: a burst starts when the bus is free.
    const sc_core::sc_time now = sc_core::sc_time_stamp() + delay;
    const sc_core::sc_time start = std::max(now, bus_free_);
    bus_free_ = start + sc_core::sc_time(gp.get_data_length() / bytes_per_ns_, sc_core::SC_NS);
    delay = bus_free_ + latency_ - sc_core::sc_time_stamp();
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) {
    copy(gp.get_address(), gp.get_data_ptr(), gp.get_data_length(), gp.is_write());
    return gp.get_data_length();
  }
  sc_core::sc_time latency_;
  double bytes_per_ns_;
  sc_core::sc_time bus_free_;
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
};

}  // namespace subbit
