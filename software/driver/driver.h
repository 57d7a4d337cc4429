// The SubBit driver: one small API for every back-end (model, RTL, chip), in the spirit of VTA's
// driver. Embedded style: status codes with readable messages, no exceptions across the API, and
// no heap allocation on the inference path (load_network() allocates; run() does not).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "driver/hal.h"
#include "netfile/network.h"
#include "runtime/lowering.h"

namespace subbit::driver {

struct Counters {
  uint64_t cycles = 0, dram_read_bytes = 0, dram_write_bytes = 0, pe_busy_cycles = 0, macs = 0, decrypted_bits = 0;
};

// A network placed in device memory, with its staging buffers.
struct LoadedNetwork {
  LoweredNetwork lowered;
  std::vector<uint8_t> in_staging, out_staging;
  bool in_signed = false, out_signed = false;
  bool loaded = false;
};

class Driver {
 public:
  explicit Driver(Hal& hal) : hal_(hal) {}

  // Reads the ID, version and capability registers.
  Status open();
  const HwCaps& caps() const { return caps_; }
  uint32_t version() const { return version_; }

  // Device memory: a bump allocator over the HAL's region, 64-byte aligned.
  Status alloc(uint64_t bytes, uint64_t* addr);
  void free_all() { next_ = hal_.mem_base(); }
  Status copy_in(uint64_t addr, const void* src, size_t bytes) { return hal_.write_mem(addr, src, bytes); }
  Status copy_out(uint64_t addr, void* dst, size_t bytes) { return hal_.read_mem(addr, dst, bytes); }

  // Lowers `net` for this hardware and copies its weights (still encrypted), parameters and
  // descriptors into device memory. Unsupported if the hardware cannot run it (see message()).
  // `mapper` picks each layer's dataflow and tiles (the search by default).
  Status load_network(const Network& net, LoadedNetwork* out, MapperKind mapper = MapperKind::Search);
  // One inference: input values (the network's input type, CHW) in, output values out.
  Status run(LoadedNetwork& ln, const int16_t* input, int16_t* output, uint64_t timeout_us);
  // Reads back any node's output (CHW values) after run(), e.g. to compare layers.
  Status read_node(const LoadedNetwork& ln, const Network& net, size_t node, int16_t* values);
  Status read_counters(Counters* c);
  void close() {}

  // A readable message for the last status other than Ok.
  const std::string& message() const { return message_; }

 private:
  Status fail(Status s, std::string msg) {
    message_ = std::move(msg);
    return s;
  }
  Status reg(uint32_t off, uint32_t* v);

  Hal& hal_;
  HwCaps caps_;
  uint32_t version_ = 0;
  bool open_ = false;
  uint64_t next_ = 0;
  std::string message_;
};

}  // namespace subbit::driver
