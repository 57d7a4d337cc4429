// The transactors around the Verilated units: clock, reset, the valid/ready handshakes, cycle
// counts, and a waveform on demand. Templates over the Verilated class, instantiated per preset.
#pragma once
#include <algorithm>
#include <memory>
#include <type_traits>

#include "quant/error.h"
#include "quant/prng.h"
#include "rtl_cosim.h"
#include "verilated.h"
#include "verilated_vcd_c.h"

namespace subbit::cosim {

template <class T>
void put_port(T& port, const std::vector<uint32_t>& w) {
  if constexpr (std::is_integral_v<T>) {
    uint64_t v = w.empty() ? 0 : w[0];
    if (w.size() > 1) v |= static_cast<uint64_t>(w[1]) << 32;
    port = static_cast<T>(v);
  } else {
    constexpr size_t n = sizeof(T) / sizeof(port[0]);
    for (size_t i = 0; i < n; ++i) port[i] = i < w.size() ? w[i] : 0;
  }
}

template <class T>
uint32_t port_word(const T& port, size_t i) {
  if constexpr (std::is_integral_v<T>) return 32 * i < 8 * sizeof(T) ? static_cast<uint32_t>(static_cast<uint64_t>(port) >> (32 * i)) : 0;
  else return port[i];
}

template <class T>
bool port_bit(const T& port, size_t bit) { return (port_word(port, bit / 32) >> (bit % 32)) & 1u; }

template <class V>
class VerilatedCore : public CoreRunner {
 public:
  VerilatedCore(int lanes, const CosimOptions& opt) : lanes_(lanes), opt_(opt), rng_(opt.stall_seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    top_ = std::make_unique<V>(ctx_.get());
    if (!opt_.vcd.empty()) {
      ctx_->traceEverOn(true);
      vcd_ = std::make_unique<VerilatedVcdC>();
      top_->trace(vcd_.get(), 99);
      vcd_->open(opt_.vcd.c_str());
      if (!vcd_->isOpen()) throw Error(opt_.vcd + ": cannot open for writing (--vcd)");
    }
    top_->rst_n = 0;
    top_->cmd_valid = 0;
    top_->ld_valid = 0;
    top_->st_ready = 1;
    tick();
    tick();
    top_->rst_n = 1;
  }
  ~VerilatedCore() override {
    if (vcd_) vcd_->close();
    top_->final();
  }

  uint64_t cycles() const override { return cycle_; }

  CosimTile execute(const CoreTileImage& img) override {
    for (const CoreLoad& l : img.loads) {
      if (opt_.stall_seed)  // random gaps in the load stream
        while (rng_.next() % 4 == 0) top_->ld_valid = 0, tick();
      top_->ld_valid = 1;
      top_->ld_target = static_cast<uint8_t>(l.target);
      top_->ld_addr = l.addr;
      put_port(top_->ld_data, l.data);
      settle();
      while (!top_->ld_ready) tick();
      tick();
    }
    top_->ld_valid = 0;
    const CoreCommand& c = img.cmd;
    top_->cmd_op = static_cast<uint8_t>(c.op);
    top_->cmd_dataflow = c.dataflow;
    top_->cmd_group_shift = c.group_shift;
    top_->cmd_k = c.k;
    top_->cmd_positions = c.positions;
    top_->cmd_channels = c.channels;
    top_->cmd_passes = c.passes;
    top_->cmd_wcode = c.wcode;
    top_->cmd_in_signed = c.in_signed;
    top_->cmd_in2_signed = c.in2_signed;
    top_->cmd_relu = c.relu;
    top_->cmd_shift = c.shift;
    top_->cmd_out_bits = c.out_bits;
    top_->cmd_out_signed = c.out_signed;
    top_->cmd_mult_a = static_cast<uint32_t>(c.mult_a);
    top_->cmd_mult_b = static_cast<uint32_t>(c.mult_b);
    top_->cmd_bias = static_cast<uint64_t>(c.bias);
    top_->cmd_per_tensor = c.per_tensor;
    top_->cmd_count = c.count;
    top_->cmd_plane = c.plane;
    top_->cmd_valid = 1;
    settle();
    while (!top_->cmd_ready) tick();
    const uint64_t accepted = cycle_;
    tick();
    top_->cmd_valid = 0;
    CosimTile r;
    r.out.assign(img.outputs, 0);
    std::vector<bool> seen(img.outputs, false);
    uint64_t post_start = 0, last_store = 0, limit = cycle_ + 100000000ull;
    bool started = false;
    size_t got = 0;
    for (;;) {
      top_->st_ready = opt_.stall_seed == 0 ? 1 : (rng_.next() % 4 != 0);
      settle();
      if (top_->post_start && !started) post_start = cycle_, started = true;
      if (top_->st_valid && top_->st_ready) {
        size_t at = top_->st_index;
        for (int l = 0; l < lanes_; ++l) {
          if (!port_bit(top_->st_mask, static_cast<size_t>(l))) continue;
          if (at >= img.outputs) throw Error("co-simulation: the compute core stored output " + std::to_string(at) + " of a tile of " + std::to_string(img.outputs));
          r.out[at] = static_cast<uint8_t>(port_word(top_->st_data, static_cast<size_t>(l) / 4) >> (8 * (l % 4)));
          if (!seen[at]) seen[at] = true, ++got;
          ++at;
        }
        last_store = cycle_;
      }
      const bool idle = top_->cmd_ready && started && cycle_ > accepted + 1;
      if (idle) break;
      tick();
      if (cycle_ > limit) throw Error("co-simulation: the compute core did not finish a tile in 10^8 cycles");
    }
    if (got != img.outputs)
      throw Error("co-simulation: the compute core stored " + std::to_string(got) + " of the tile's " + std::to_string(img.outputs) + " outputs");
    r.pe_cycles = c.op == CoreOp::Conv ? post_start - accepted : 0;
    r.post_cycles = last_store + 1 - post_start;
    return r;
  }

 private:
  void settle() { top_->clk = 0, top_->eval(); }
  void tick() {
    top_->clk = 0;
    top_->eval();
    dump(2 * cycle_);
    top_->clk = 1;
    top_->eval();
    dump(2 * cycle_ + 1);
    ++cycle_;
  }
  void dump(uint64_t t) {
    if (!vcd_) return;
    const uint64_t c = t / 2;
    if (c >= opt_.vcd_from && (opt_.vcd_cycles == 0 || c < opt_.vcd_from + opt_.vcd_cycles)) vcd_->dump(t);
  }

  int lanes_;
  CosimOptions opt_;
  SplitMix64 rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
  std::unique_ptr<VerilatedVcdC> vcd_;
  uint64_t cycle_ = 0;
};

template <class V>
class VerilatedDecryptor : public DecryptRunner {
 public:
  VerilatedDecryptor(int units, int n_in, int n_out, bool programmable) : units_(units), n_in_(n_in), n_out_(n_out), programmable_(programmable) {
    ctx_ = std::make_unique<VerilatedContext>();
    top_ = std::make_unique<V>(ctx_.get());
    top_->rst_n = 0;
    top_->in_valid = 0;
    top_->out_ready = 1;
    top_->m_we = 0;
    tick();
    tick();
    top_->rst_n = 1;
  }
  ~VerilatedDecryptor() override { top_->final(); }
  uint64_t clock_cycles() const override { return cycle_; }

  void program(const XorMatrix& m) override {
    if (!programmable_) return;
    for (int r = 0; r < n_out_; ++r) {
      top_->m_we = 1;
      top_->m_row = static_cast<uint32_t>(r);
      top_->m_bits = r < m.n_out() ? m.rows()[static_cast<size_t>(r)] : 0;
      tick();
    }
    top_->m_we = 0;
  }

  std::vector<uint64_t> run(const std::vector<uint32_t>& slices, uint64_t& cycles) override {
    std::vector<uint64_t> out;
    out.reserve(slices.size());
    size_t sent = 0;
    uint64_t first = 0;
    bool started = false;
    while (out.size() < slices.size()) {
      std::vector<uint32_t> in((static_cast<size_t>(units_) * n_in_ + 31) / 32, 0);
      const size_t beat = std::min<size_t>(static_cast<size_t>(units_), slices.size() - sent);
      for (size_t u = 0; u < beat; ++u)
        for (int b = 0; b < n_in_; ++b)
          if ((slices[sent + u] >> b) & 1u) in[(u * n_in_ + b) / 32] |= 1u << ((u * n_in_ + b) % 32);
      top_->in_valid = sent < slices.size();
      put_port(top_->in_slices, in);
      top_->clk = 0;
      top_->eval();
      const bool fire_in = top_->in_valid && top_->in_ready;
      if (fire_in && !started) first = cycle_, started = true;
      if (top_->out_valid) {
        for (int u = 0; u < units_ && out.size() < slices.size(); ++u) {
          uint64_t v = 0;
          for (int b = 0; b < n_out_; ++b) v |= static_cast<uint64_t>(port_bit(top_->out_bits, static_cast<size_t>(u * n_out_ + b))) << b;
          out.push_back(v);
        }
        if (out.size() == slices.size()) cycles = cycle_ + 1 - first;
      }
      if (fire_in) sent += beat;
      tick();
    }
    top_->in_valid = 0;
    return out;
  }

 private:
  void tick() {
    top_->clk = 0;
    top_->eval();
    top_->clk = 1;
    top_->eval();
    ++cycle_;
  }
  int units_, n_in_, n_out_;
  bool programmable_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
  uint64_t cycle_ = 0;
};

}  // namespace subbit::cosim
