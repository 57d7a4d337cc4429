#include "driver/driver.h"

#include "hwif/registers.h"
#include "quant/error.h"

namespace subbit::driver {

const char* status_name(Status s) {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::InvalidArgument: return "invalid argument";
    case Status::NoDevice: return "no device";
    case Status::OutOfMemory: return "out of device memory";
    case Status::Unsupported: return "unsupported by the hardware";
    case Status::Timeout: return "timeout";
    case Status::DeviceError: return "device error";
    case Status::BusError: return "bus error";
  }
  return "unknown status";
}

namespace {
const char* device_error_name(uint32_t code) {
  switch (code) {
    case regs::kErrorBadOpcode: return "bad opcode";
    case regs::kErrorTileTooLarge: return "tile larger than its buffer";
    case regs::kErrorDecryptorMismatch: return "FleXOR slice shape the decryptor lacks";
    case regs::kErrorBadDescriptor: return "inconsistent descriptor";
    case regs::kErrorBusError: return "DRAM bus error";
    default: return "unknown error";
  }
}
}  // namespace

Status Driver::reg(uint32_t off, uint32_t* v) {
  const Status s = hal_.read_reg(off, v);
  return s == Status::Ok ? s : fail(s, "register read at offset " + std::to_string(off) + " failed");
}

Status Driver::open() {
  uint32_t id = 0;
  if (Status s = reg(regs::ID, &id); s != Status::Ok) return s;
  if (id != regs::kIdValue) return fail(Status::NoDevice, "ID register reads " + std::to_string(id) + ", not the SubBit ID");
  if (Status s = reg(regs::VERSION, &version_); s != Status::Ok) return s;
  if ((version_ >> 16) != (regs::kVersionValue >> 16))
    return fail(Status::NoDevice, "hardware version " + std::to_string(version_ >> 16) + ".x, this driver speaks 1.x");
  Status status = Status::Ok;
  const HwCaps c = unpack_caps([&](uint32_t off) {
    uint32_t value = 0;
    if (Status s = reg(off, &value); s != Status::Ok) status = s;
    return value;
  });
  if (status != Status::Ok) return status;
  if (c.pe_rows < 1 || c.pe_cols < 1 || c.act_lanes < 1 || c.post_lanes < 1 || c.n_in < 1 || c.n_out < c.n_in || c.act_bits < 1 ||
      c.mem_sustained_gbps <= 0)
    return fail(Status::NoDevice, "capability registers describe no usable hardware");
  caps_ = c;
  next_ = hal_.mem_base();
  open_ = true;
  return Status::Ok;
}

Status Driver::alloc(uint64_t bytes, uint64_t* addr) {
  const uint64_t a = (next_ + 63) / 64 * 64;
  if (a + bytes > hal_.mem_base() + hal_.mem_size())
    return fail(Status::OutOfMemory, "device memory exhausted: " + std::to_string(bytes) + " bytes requested, " +
                                         std::to_string(hal_.mem_base() + hal_.mem_size() - a) + " left");
  *addr = a;
  next_ = a + bytes;
  return Status::Ok;
}

Status Driver::load_network(const Network& net, LoadedNetwork* out, MapperKind mapper) {
  if (!open_) return fail(Status::InvalidArgument, "load_network before open");
  LoadedNetwork ln;
  try {
    ln.lowered = lower_network(net, caps_, (next_ + 63) / 64 * 64, "network '" + net.name + "'", mapper);
  } catch (const Error& e) {
    return fail(Status::Unsupported, e.what());
  }
  uint64_t base = 0;
  if (Status s = alloc(ln.lowered.end_addr - (next_ + 63) / 64 * 64, &base); s != Status::Ok) return s;
  for (const auto& seg : ln.lowered.image)
    if (Status s = hal_.write_mem(seg.addr, seg.bytes.data(), seg.bytes.size()); s != Status::Ok)
      return fail(s, "copying the network image to device address " + std::to_string(seg.addr) + " failed");
  ln.in_staging.resize(ln.lowered.input_bytes);
  ln.out_staging.resize(ln.lowered.output_bytes);
  ln.in_signed = net.input().out.is_signed;
  ln.out_signed = net.output().out.is_signed;
  ln.loaded = true;
  *out = std::move(ln);
  return Status::Ok;
}

Status Driver::run(LoadedNetwork& ln, const int16_t* input, int16_t* output, uint64_t timeout_us) {
  if (!ln.loaded || !input || !output) return fail(Status::InvalidArgument, "run needs a loaded network, an input and an output");
  const LoweredNetwork& L = ln.lowered;
  values_to_bytes(input, L.input_bytes, ln.in_staging.data());
  if (Status s = hal_.write_mem(L.input_addr, ln.in_staging.data(), L.input_bytes); s != Status::Ok) return fail(s, "input copy failed");
  uint32_t status = 0;
  if (Status s = reg(regs::STATUS, &status); s != Status::Ok) return s;
  if (status & 1u) return fail(Status::DeviceError, "the accelerator is busy");
  hal_.write_reg(regs::CTRL, 6u);  // clear done and error
  hal_.write_reg(regs::IRQ_ENABLE, 1u);
  hal_.write_reg(regs::DESC_ADDR_LO, static_cast<uint32_t>(L.desc_addr));
  hal_.write_reg(regs::DESC_ADDR_HI, static_cast<uint32_t>(L.desc_addr >> 32));
  hal_.write_reg(regs::DESC_COUNT, static_cast<uint32_t>(L.descriptors.size()));
  if (Status s = hal_.write_reg(regs::CTRL, 1u); s != Status::Ok) return fail(s, "start failed");
  if (Status s = hal_.wait_irq(timeout_us); s != Status::Ok)
    return fail(s, s == Status::Timeout ? "no interrupt within " + std::to_string(timeout_us) + " us" : "waiting for the interrupt failed");
  if (Status s = reg(regs::STATUS, &status); s != Status::Ok) return s;
  if (status & 4u) {
    uint32_t code = 0, index = 0;
    reg(regs::ERROR_CODE, &code);
    reg(regs::ERROR_INDEX, &index);
    return fail(Status::DeviceError, std::string("accelerator error: ") + device_error_name(code) + " in descriptor " + std::to_string(index));
  }
  if (!(status & 2u)) return fail(Status::DeviceError, "interrupt without done");
  if (Status s = hal_.read_mem(L.output_addr, ln.out_staging.data(), L.output_bytes); s != Status::Ok) return fail(s, "output copy failed");
  bytes_to_values(ln.out_staging.data(), L.output_bytes, ln.out_signed, output);
  hal_.write_reg(regs::CTRL, 2u);
  return Status::Ok;
}

Status Driver::read_node(const LoadedNetwork& ln, const Network& net, size_t node, int16_t* values) {
  if (node >= net.nodes.size()) return fail(Status::InvalidArgument, "no node " + std::to_string(node));
  const size_t n = net.nodes[node].shape.numel();
  std::vector<uint8_t> bytes(n);  // diagnostics path, not the inference path
  if (Status s = hal_.read_mem(ln.lowered.node_addr[node], bytes.data(), n); s != Status::Ok) return fail(s, "node read failed");
  bytes_to_values(bytes.data(), n, net.nodes[node].out.is_signed, values);
  return Status::Ok;
}

Status Driver::read_counters(Counters* c) {
  auto r64 = [&](uint32_t lo, uint64_t* out) {
    uint32_t a = 0, b = 0;
    const Status s = reg(lo, &a);
    reg(lo + 4, &b);
    *out = a | static_cast<uint64_t>(b) << 32;
    return s;
  };
  r64(regs::PERF_CYCLES_LO, &c->cycles);
  r64(regs::PERF_DRAM_READ_LO, &c->dram_read_bytes);
  r64(regs::PERF_DRAM_WRITE_LO, &c->dram_write_bytes);
  r64(regs::PERF_PE_BUSY_LO, &c->pe_busy_cycles);
  r64(regs::PERF_MACS_LO, &c->macs);
  return r64(regs::PERF_DECRYPTED_BITS_LO, &c->decrypted_bits);
}

}  // namespace subbit::driver
