// Bench of rtl/post_processor.sv (LANES requant lanes behind the pooling chain) against the TLM
// model's post-processing reference code: post_conv_tile, post_requant_tile, post_add_tile and
// post_pool_tile (models/accel/compute.cpp), all built on subbit::requantize. Each command is a
// small random layer tile; the bench computes the tile's output bytes with the model's function,
// streams the operands into the unit the way rtl/compute_core.sv does (LANES elements or window
// reads a beat, `first` on the command's first beat, max pool through mult 1 / shift 0 to the
// input's 8-bit type) and checks every output beat in order: out_mask, out_index and out_data on the
// masked lanes. Random input valid (3/4, held until taken, garbage on the inputs while low) and
// random output ready (3/4), MatchLib-style; a stalled output must hold still. Some commands leave
// lanes empty (valid low) between elements, and some pooling commands are cut off mid-window so the
// next command's `first` must restart the window and the output count.
//   tb_post_processor CONFIG [--beats N] [--seed S] [--mode conv|requant|add|maxpool|avgpool|mixed|all]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <type_traits>
#include <vector>

#include "Vpost_processor.h"
#include "accel/compute.h"
#include "config/arch_config.h"
#include "hwif/descriptor.h"
#include "quant/error.h"
#include "quant/numerics.h"
#include "quant/prng.h"
#include "verilated.h"

// The bench links the config loader, whose library brings SystemC and with it main(); SystemC's
// main calls sc_main, declared here as its header would.
extern "C" int sc_main(int argc, char* argv[]);

namespace {

using subbit::LayerDescriptor;
using subbit::SplitMix64;

// n <= 32 bits at `bit` of a Verilator port: an integer up to 64 bits or VlWide above.
template <typename T>
void set_field(T& sig, int bit, int n, uint32_t value) {
  const uint64_t m = (n == 32) ? 0xFFFFFFFFull : ((1ull << n) - 1);
  if constexpr (std::is_integral_v<T>) {
    const uint64_t mask = m << bit;
    sig = static_cast<T>((static_cast<uint64_t>(sig) & ~mask) | ((static_cast<uint64_t>(value) << bit) & mask));
  } else {
    const int w = bit / 32, o = bit % 32;
    const uint64_t mask = m << o;
    uint64_t cur = sig[w];
    if (o + n > 32) cur |= static_cast<uint64_t>(sig[w + 1]) << 32;
    cur = (cur & ~mask) | ((static_cast<uint64_t>(value) << o) & mask);
    sig[w] = static_cast<uint32_t>(cur);
    if (o + n > 32) sig[w + 1] = static_cast<uint32_t>(cur >> 32);
  }
}
template <typename T>
uint32_t get_field(const T& sig, int bit, int n) {
  const uint64_t m = (n == 32) ? 0xFFFFFFFFull : ((1ull << n) - 1);
  if constexpr (std::is_integral_v<T>) {
    return static_cast<uint32_t>((static_cast<uint64_t>(sig) >> bit) & m);
  } else {
    const int w = bit / 32, o = bit % 32;
    uint64_t v = sig[w] >> o;
    if (o + n > 32) v |= static_cast<uint64_t>(sig[w + 1]) << (32 - o);
    return static_cast<uint32_t>(v & m);
  }
}
template <typename T>
size_t port_bits_of(const T&) {
  return sizeof(T) * 8;
}

enum class Mode { Conv, Requant, Add, MaxPool, AvgPool };
const char* mode_name(Mode m) {
  switch (m) {
    case Mode::Conv: return "conv";
    case Mode::Requant: return "requant";
    case Mode::Add: return "add";
    case Mode::MaxPool: return "maxpool";
    case Mode::AvgPool: return "avgpool";
  }
  return "?";
}

int16_t decode(uint8_t b, bool is_signed) { return is_signed ? static_cast<int8_t>(b) : b; }

// One element (or window read) on a lane.
struct Elem {
  int64_t x = 0, bias = 0;
  int32_t mult = 0;
  bool last = false;
};

// One input beat and what the unit must make of it.
struct Beat {
  // inputs
  bool first = false, pool_max = false, pool_avg = false, relu = false, out_signed = false;
  int shift = 0, out_bits = 8;
  std::vector<bool> valid;
  std::vector<Elem> lanes;
  // expected output beat
  std::vector<bool> mask;
  uint32_t index = 0;
  std::vector<int> out;  // per lane, -1 where masked off
  // for messages
  int command = 0;
  std::string what;
};

class Generator {
 public:
  Generator(int lanes, int acc_bits, uint64_t seed) : lanes_(lanes), acc_bits_(acc_bits), rng_(seed) {}

  // Appends one command's beats (and sometimes a cut-off pooling command before it).
  void command(Mode m, std::deque<Beat>& beats) {
    ++command_;
    if ((m == Mode::MaxPool || m == Mode::AvgPool || rng_.uniform(8) == 0) && rng_.uniform(4) == 0) cut_off_pool(beats);
    switch (m) {
      case Mode::Conv: conv(beats); break;
      case Mode::Requant: requant(beats); break;
      case Mode::Add: add(beats); break;
      case Mode::MaxPool:
      case Mode::AvgPool: pool(m, beats); break;
    }
  }
  int commands() const { return command_; }
  uint64_t sparse() const { return sparse_; }      // commands with empty lanes between elements
  uint64_t cut_offs() const { return cut_offs_; }  // pooling commands cut off mid-window
  uint64_t spanning() const { return spanning_; }  // pooling windows whose reads span beats

 private:
  int64_t acc_limit() const { return std::min<int64_t>(subbit::kAccLimit, int64_t{1} << (acc_bits_ - 1)) - 1; }

  // Requant operands in one of three classes (as in tb/requant): anything the loader accepts;
  // small values (rounding ties, exact values); scaled so results land around the output range.
  struct Numerics {
    int cls = 0;
    int shift = 0;
    bool relu = false;
    subbit::ActType out;
  };
  Numerics numerics() {
    Numerics n;
    n.cls = static_cast<int>(rng_.uniform(3));
    n.out.bits = static_cast<int>(rng_.range(1, 8));
    n.out.is_signed = rng_.coin();
    n.relu = rng_.coin();
    n.shift = n.cls == 0 ? static_cast<int>(rng_.range(0, subbit::kMaxShift)) : n.cls == 1 ? static_cast<int>(rng_.range(0, 3))
                                                                                           : static_cast<int>(rng_.range(20, 36));
    return n;
  }
  int64_t draw_acc(const Numerics& n) {
    const int64_t lim = acc_limit();
    return n.cls == 0 ? rng_.range(-lim, lim) : n.cls == 1 ? rng_.range(-300, 300) : rng_.range(-std::min<int64_t>(lim, 1 << 20), std::min<int64_t>(lim, 1 << 20));
  }
  int32_t draw_mult(const Numerics& n) {
    return n.cls == 0 ? static_cast<int32_t>(rng_.range(INT32_MIN, INT32_MAX)) : n.cls == 1 ? static_cast<int32_t>(rng_.range(-4, 4))
                                                                                            : static_cast<int32_t>(rng_.range(1, 1 << 16));
  }
  int64_t draw_bias(const Numerics& n) {
    return n.cls == 0 ? rng_.range(-(subbit::kMaxBiasAbs - 1), subbit::kMaxBiasAbs - 1) : n.cls == 1 ? rng_.range(-8, 8)
                                                                                                     : rng_.range(-(int64_t{1} << 35), int64_t{1} << 35);
  }
  void set_out(LayerDescriptor& d, const Numerics& n) {
    d.shift = static_cast<uint32_t>(n.shift);
    d.out_bits = static_cast<uint32_t>(n.out.bits);
    if (n.out.is_signed) d.flags |= subbit::kDescOutSigned;
    if (n.relu) d.flags |= subbit::kDescRelu;
  }
  Beat beat_template(const Numerics& n, const std::string& what) const {
    Beat b;
    b.shift = n.shift;
    b.relu = n.relu;
    b.out_bits = n.out.bits;
    b.out_signed = n.out.is_signed;
    b.command = command_;
    b.what = what;
    return b;
  }
  std::string describe(const char* op, const LayerDescriptor& d, uint32_t rows, const Numerics& n) const {
    char s[256];
    std::snprintf(s, sizeof s, "%s %ux%ux%u, shift %d, relu %d, out %s", op, d.out_c, rows, d.out_w, n.shift, n.relu ? 1 : 0, n.out.to_string().c_str());
    return s;
  }

  // Packs elements into beats: LANES a beat in order, the last beat partly empty, or (sparse
  // commands) empty lanes scattered in between. Lanes without an element carry garbage. Outputs
  // come from `ref` in order: out_index counts those before the beat.
  void pack(const std::vector<Elem>& elems, bool pooling, const std::vector<uint8_t>& ref, Beat tmpl, std::deque<Beat>& beats) {
    const bool sparse = rng_.uniform(4) == 0;
    sparse_ += sparse;
    size_t next = 0, emitted = 0;
    bool first = true, window_open = false;
    size_t window_beat = 0;
    while (next < elems.size() || first) {
      Beat b = tmpl;
      b.first = first;
      first = false;
      b.valid.assign(lanes_, false);
      b.lanes.assign(lanes_, Elem{});
      b.mask.assign(lanes_, false);
      b.out.assign(lanes_, -1);
      b.index = static_cast<uint32_t>(emitted);
      for (int l = 0; l < lanes_; ++l) {
        if (next < elems.size() && !(sparse && rng_.uniform(6) == 0)) {
          b.valid[l] = true;
          b.lanes[l] = elems[next++];
          if (pooling && !window_open) window_open = true, window_beat = beats.size();
          if (pooling && b.lanes[l].last) {
            window_open = false;
            spanning_ += beats.size() != window_beat;
          }
          const bool emits = !pooling || b.lanes[l].last;
          if (emits) {
            if (emitted >= ref.size()) throw subbit::Error("bench self-check: more outputs than the reference has");
            b.mask[l] = true;
            b.out[l] = ref[emitted++];
          }
        } else {
          b.lanes[l] = garbage_elem();
        }
      }
      beats.push_back(std::move(b));
    }
    if (emitted != ref.size()) throw subbit::Error("bench self-check: the stream yields " + std::to_string(emitted) + " outputs, the reference " + std::to_string(ref.size()));
  }
  Elem garbage_elem() {
    Elem e;
    e.x = static_cast<int64_t>(rng_.next());
    e.mult = static_cast<int32_t>(rng_.next());
    e.bias = static_cast<int64_t>(rng_.next());
    e.last = rng_.coin();
    return e;
  }
  int64_t lane_x(int64_t v) const {  // what fits the lane's ACC_BITS
    const uint64_t m = acc_bits_ >= 64 ? ~0ull : ((1ull << acc_bits_) - 1);
    return static_cast<int64_t>(static_cast<uint64_t>(v) & m);
  }

  // Conv: accumulators of oc channels x positions; mult and bias per channel (post_conv_tile).
  void conv(std::deque<Beat>& beats) {
    LayerDescriptor d;
    d.opcode = static_cast<uint32_t>(subbit::Opcode::Conv);
    const Numerics n = numerics();
    set_out(d, n);
    d.out_w = static_cast<uint32_t>(rng_.range(1, 9));
    const uint32_t rows = static_cast<uint32_t>(rng_.range(1, 3));
    subbit::WeightSet ws;
    ws.oc = static_cast<uint32_t>(rng_.range(1, 8));
    d.out_c = ws.oc;
    for (uint32_t o = 0; o < ws.oc; ++o) {
      ws.mult.push_back(draw_mult(n));
      ws.bias.push_back(draw_bias(n));
    }
    const size_t positions = static_cast<size_t>(rows) * d.out_w;
    std::vector<int32_t> acc(positions * ws.oc);
    for (auto& a : acc) a = static_cast<int32_t>(draw_acc(n));
    std::vector<uint8_t> ref;
    subbit::post_conv_tile(d, ws, rows, acc, ref);
    std::vector<Elem> elems(acc.size());
    for (size_t e = 0; e < acc.size(); ++e) {
      const size_t o = e / positions;
      elems[e].x = acc[e];
      elems[e].mult = ws.mult[o];
      elems[e].bias = ws.bias[o];
    }
    pack(elems, false, ref, beat_template(n, describe("conv", d, rows, n)), beats);
  }

  // Requant: 8-bit activations, per-channel or per-tensor mult and bias (post_requant_tile).
  void requant(std::deque<Beat>& beats) {
    LayerDescriptor d;
    d.opcode = static_cast<uint32_t>(subbit::Opcode::Requant);
    const Numerics n = numerics();
    set_out(d, n);
    const bool in_signed = rng_.coin(), per_tensor = rng_.coin();
    if (in_signed) d.flags |= subbit::kDescInSigned;
    if (per_tensor) d.flags |= subbit::kDescPerTensor;
    d.out_c = static_cast<uint32_t>(rng_.range(1, 6));
    d.out_w = static_cast<uint32_t>(rng_.range(1, 9));
    const uint32_t rows = static_cast<uint32_t>(rng_.range(1, 3));
    const size_t hw = static_cast<size_t>(rows) * d.out_w, total = hw * d.out_c;
    std::vector<int32_t> mult(per_tensor ? 1 : d.out_c);
    std::vector<int64_t> bias(mult.size());
    for (size_t c = 0; c < mult.size(); ++c) mult[c] = draw_mult(n), bias[c] = draw_bias(n);
    std::vector<uint8_t> act(total);
    for (auto& a : act) a = static_cast<uint8_t>(rng_.next());
    std::vector<uint8_t> ref;
    subbit::post_requant_tile(d, rows, act.data(), mult, bias, ref);
    std::vector<Elem> elems(total);
    for (size_t e = 0; e < total; ++e) {
      const size_t ci = per_tensor ? 0 : e / hw;
      elems[e].x = decode(act[e], in_signed);
      elems[e].mult = mult[ci];
      elems[e].bias = bias[ci];
    }
    pack(elems, false, ref, beat_template(n, describe(per_tensor ? "requant (per tensor)" : "requant", d, rows, n)), beats);
  }

  // Add: a * mult_a + b * mult_b + bias; the lanes carry x = a, mult = mult_a, bias = bias + b *
  // mult_b, as the core drives them (post_add_tile).
  void add(std::deque<Beat>& beats) {
    LayerDescriptor d;
    d.opcode = static_cast<uint32_t>(subbit::Opcode::Add);
    const Numerics n = numerics();
    set_out(d, n);
    const bool sa = rng_.coin(), sb = rng_.coin();
    if (sa) d.flags |= subbit::kDescInSigned;
    if (sb) d.flags |= subbit::kDescIn2Signed;
    d.mult_a = draw_mult(n);
    d.mult_b = draw_mult(n);
    d.bias = draw_bias(n) / 2;  // the lane's bias (this plus b * mult_b) stays below 2^61
    d.out_c = static_cast<uint32_t>(rng_.range(1, 6));
    d.out_w = static_cast<uint32_t>(rng_.range(1, 9));
    const uint32_t rows = static_cast<uint32_t>(rng_.range(1, 3));
    const size_t total = static_cast<size_t>(d.out_c) * rows * d.out_w;
    std::vector<uint8_t> a(total), b(total);
    for (auto& v : a) v = static_cast<uint8_t>(rng_.next());
    for (auto& v : b) v = static_cast<uint8_t>(rng_.next());
    std::vector<uint8_t> ref;
    subbit::post_add_tile(d, rows, a.data(), b.data(), ref);
    std::vector<Elem> elems(total);
    for (size_t e = 0; e < total; ++e) {
      elems[e].x = decode(a[e], sa);
      elems[e].mult = d.mult_a;
      elems[e].bias = d.bias + static_cast<int64_t>(decode(b[e], sb)) * d.mult_b;
    }
    char what[64];
    std::snprintf(what, sizeof what, " (mult_a %d, mult_b %d, bias %lld)", d.mult_a, d.mult_b, static_cast<long long>(d.bias));
    pack(elems, false, ref, beat_template(n, describe("add", d, rows, n) + what), beats);
  }

  // Pooling: a random small layer, the window reads in post_pool_tile's order (as
  // tb/cosim/core_image.cpp's pool_image lays them out), each window's last read flagged.
  void pool(Mode m, std::deque<Beat>& beats) {
    const bool is_max = m == Mode::MaxPool;
    LayerDescriptor d;
    d.opcode = static_cast<uint32_t>(is_max ? subbit::Opcode::MaxPool : subbit::Opcode::AvgPool);
    Numerics n;
    n.out.bits = static_cast<int>(rng_.range(1, 8));
    n.out.is_signed = rng_.coin();
    n.relu = rng_.coin();
    n.shift = static_cast<int>(rng_.range(0, 16));
    set_out(d, n);
    const bool in_signed = rng_.coin();
    if (in_signed) d.flags |= subbit::kDescInSigned;
    d.mult_a = rng_.uniform(4) == 0 ? 1 : static_cast<int32_t>(rng_.range(-(1 << 16), 1 << 16));
    std::vector<uint8_t> reads_act;
    std::vector<bool> last;
    uint32_t y0 = 0, rows = 0;
    for (;;) {
      d.in_c = d.out_c = static_cast<uint32_t>(rng_.range(1, 4));
      d.in_h = static_cast<uint32_t>(rng_.range(1, 7));
      d.in_w = static_cast<uint32_t>(rng_.range(1, 9));
      d.kh = static_cast<uint32_t>(rng_.range(1, 3));
      d.kw = static_cast<uint32_t>(rng_.range(1, 3));
      d.sh = static_cast<uint32_t>(rng_.range(1, 3));
      d.sw = static_cast<uint32_t>(rng_.range(1, 3));
      d.ph = static_cast<uint32_t>(rng_.range(0, d.kh - 1));
      d.pw = static_cast<uint32_t>(rng_.range(0, d.kw - 1));
      if (d.in_h + 2 * d.ph < d.kh || d.in_w + 2 * d.pw < d.kw) continue;
      d.out_h = (d.in_h + 2 * d.ph - d.kh) / d.sh + 1;
      d.out_w = (d.in_w + 2 * d.pw - d.kw) / d.sw + 1;
      y0 = static_cast<uint32_t>(rng_.range(0, d.out_h - 1));
      rows = static_cast<uint32_t>(rng_.range(1, d.out_h - y0));
      // The core has no empty windows (pool_image refuses them): draw again.
      bool empty = false;
      for (uint32_t yy = 0; yy < rows && !empty; ++yy)
        for (uint32_t x = 0; x < d.out_w && !empty; ++x) {
          bool any = false;
          for (uint32_t ky = 0; ky < d.kh; ++ky)
            for (uint32_t kx = 0; kx < d.kw; ++kx) {
              const int iy = static_cast<int>((y0 + yy) * d.sh + ky) - static_cast<int>(d.ph);
              const int ix = static_cast<int>(x * d.sw + kx) - static_cast<int>(d.pw);
              any = any || (iy >= 0 && iy < static_cast<int>(d.in_h) && ix >= 0 && ix < static_cast<int>(d.in_w));
            }
          empty = !any;
        }
      if (!empty) break;
    }
    std::vector<uint8_t> act(static_cast<size_t>(d.in_c) * d.in_h * d.in_w);
    for (auto& a : act) {
      const uint64_t r = rng_.uniform(8);
      a = r == 0 ? 0x80 : r == 1 ? 0x7F : r == 2 ? 0xFF : r == 3 ? 0x00 : static_cast<uint8_t>(rng_.next());
    }
    std::vector<uint8_t> ref;
    subbit::post_pool_tile(d, y0, rows, act.data(), 0, static_cast<int>(d.in_h), ref);
    // pool_image's read order
    std::vector<Elem> elems;
    subbit::for_each_pool_window(d, y0, rows, act.data(), 0, static_cast<int>(d.in_h), [&](size_t, const uint8_t* reads, size_t count) {
      for (size_t i = 0; i < count; ++i) {
        Elem e;
        e.x = decode(reads[i], in_signed);
        // What compute_core drives: max pool passes the maximum unchanged (mult 1, shift 0, no
        // ReLU, the input's 8-bit type); avg pool scales the sum by mult_a.
        e.mult = is_max ? 1 : d.mult_a;
        e.bias = 0;
        elems.push_back(e);
      }
      elems.back().last = true;
    });
    Beat t = beat_template(n, "");
    t.pool_max = is_max;
    t.pool_avg = !is_max;
    if (is_max) {
      t.shift = 0;
      t.relu = false;
      t.out_bits = 8;
      t.out_signed = in_signed;
    }
    char what[200];
    std::snprintf(what, sizeof what, "%s %ux%ux%u (in %ux%u%s, k %ux%u, s %ux%u, p %ux%u, rows %u..%u, mult_a %d)", is_max ? "maxpool" : "avgpool",
                  d.out_c, rows, d.out_w, d.in_h, d.in_w, in_signed ? " signed" : "", d.kh, d.kw, d.sh, d.sw, d.ph, d.pw, y0, y0 + rows - 1, d.mult_a);
    t.what = what;
    if (!is_max) {
      char more[96];
      std::snprintf(more, sizeof more, ", shift %d, relu %d, out %s", n.shift, n.relu ? 1 : 0, n.out.to_string().c_str());
      t.what += more;
    }
    pack(elems, true, ref, t, beats);
  }

  // A pooling command cut off mid-window: window reads, no `last`, so no outputs; the next
  // command's `first` must drop the half window and restart the output count.
  void cut_off_pool(std::deque<Beat>& beats) {
    const bool is_max = rng_.coin();
    const int n = static_cast<int>(rng_.range(1, 2));
    ++cut_offs_;
    for (int i = 0; i < n; ++i) {
      Beat b;
      b.first = i == 0;
      b.pool_max = is_max;
      b.pool_avg = !is_max;
      b.shift = static_cast<int>(rng_.range(0, 8));
      b.out_bits = 8;
      b.command = command_;
      b.what = is_max ? "maxpool cut off mid-window" : "avgpool cut off mid-window";
      b.valid.assign(lanes_, false);
      b.lanes.assign(lanes_, Elem{});
      b.mask.assign(lanes_, false);
      b.out.assign(lanes_, -1);
      b.index = 0;
      for (int l = 0; l < lanes_; ++l) {
        b.valid[l] = rng_.uniform(4) != 0;
        if (b.valid[l]) {
          b.lanes[l].x = static_cast<int8_t>(rng_.next());
          b.lanes[l].mult = 1;
        } else {
          b.lanes[l] = garbage_elem();
        }
      }
      beats.push_back(std::move(b));
    }
    ++command_;
  }

  int lanes_, acc_bits_;
  SplitMix64 rng_;
  int command_ = 0;
  uint64_t sparse_ = 0, cut_offs_ = 0, spanning_ = 0;
};

struct Bench {
  Vpost_processor dut;
  int lanes, acc_bits;
  uint64_t cycles = 0;
  Bench(int lanes_, int acc_bits_) : lanes(lanes_), acc_bits(acc_bits_) {
    if (port_bits_of(dut.x) < static_cast<size_t>(lanes * acc_bits) || port_bits_of(dut.x) >= static_cast<size_t>(lanes * acc_bits) + 64 ||
        port_bits_of(dut.out_data) < static_cast<size_t>(lanes * 8) || port_bits_of(dut.out_data) >= static_cast<size_t>(lanes * 8) + 64)
      throw subbit::Error("the Verilated post_processor's ports do not match the config's " + std::to_string(lanes) + " lanes of " +
                          std::to_string(acc_bits) + "-bit accumulators");
  }
  void edge() {
    dut.clk = 1;
    dut.eval();
    dut.clk = 0;
    dut.eval();
    ++cycles;
  }
  void drive(const Beat& b) {
    dut.first = b.first;
    dut.pool_max = b.pool_max;
    dut.pool_avg = b.pool_avg;
    dut.shift = static_cast<uint8_t>(b.shift);
    dut.relu = b.relu;
    dut.out_bits = static_cast<uint8_t>(b.out_bits);
    dut.out_signed = b.out_signed;
    for (int l = 0; l < lanes; ++l) {
      const Elem& e = b.lanes[l];
      set_field(dut.x, l * acc_bits, acc_bits, static_cast<uint32_t>(e.x));
      set_field(dut.mult, l * 32, 32, static_cast<uint32_t>(e.mult));
      set_field(dut.bias, l * 64, 32, static_cast<uint32_t>(static_cast<uint64_t>(e.bias)));
      set_field(dut.bias, l * 64 + 32, 32, static_cast<uint32_t>(static_cast<uint64_t>(e.bias) >> 32));
      set_field(dut.valid, l, 1, b.valid[l]);
      set_field(dut.last, l, 1, e.last);
    }
  }
  // Anything, while in_valid is low.
  void garbage(SplitMix64& rng) {
    dut.first = rng.coin();
    dut.pool_max = rng.coin();
    dut.pool_avg = rng.coin();
    dut.shift = static_cast<uint8_t>(rng.uniform(64));
    dut.relu = rng.coin();
    dut.out_bits = static_cast<uint8_t>(rng.uniform(16));
    dut.out_signed = rng.coin();
    for (int l = 0; l < lanes; ++l) {
      set_field(dut.x, l * acc_bits, acc_bits, static_cast<uint32_t>(rng.next()));
      set_field(dut.mult, l * 32, 32, static_cast<uint32_t>(rng.next()));
      set_field(dut.bias, l * 64, 32, static_cast<uint32_t>(rng.next()));
      set_field(dut.bias, l * 64 + 32, 32, static_cast<uint32_t>(rng.next()));
      set_field(dut.valid, l, 1, rng.coin());
      set_field(dut.last, l, 1, rng.coin());
    }
  }
};

struct Snapshot {
  std::vector<uint32_t> data;
  std::vector<bool> mask;
  uint32_t index = 0;
  bool operator==(const Snapshot& o) const { return data == o.data && mask == o.mask && index == o.index; }
};

// Runs commands of the mode(s) until at least `min_beats` beats went through. Returns false (after
// printing why) on a mismatch.
bool run(const char* name, const std::vector<Mode>& modes, int lanes, int acc_bits, uint64_t min_beats, uint64_t seed) {
  SplitMix64 rng(seed ^ 0x5EED);
  Generator gen(lanes, acc_bits, seed);
  Bench b(lanes, acc_bits);
  b.dut.clk = 0;
  b.dut.rst_n = 0;
  b.dut.in_valid = 0;
  b.dut.out_ready = 0;
  b.dut.eval();
  b.edge();
  b.edge();
  b.dut.rst_n = 1;

  std::deque<Beat> to_send, expected;
  uint64_t generated = 0, sent = 0, received = 0, outputs = 0, in_stalls = 0, out_stalls = 0;
  while (generated < min_beats) {
    const size_t before = to_send.size();
    gen.command(modes[rng.uniform(modes.size())], to_send);
    generated += to_send.size() - before;
  }
  const uint64_t total = generated;
  bool holding = false;  // in_valid was high and not taken: hold the beat
  bool stalled = false;  // out_valid was high and out_ready low: the output must hold
  Snapshot held;
  auto snapshot = [&] {
    Snapshot s;
    for (int l = 0; l < lanes; ++l) s.data.push_back(get_field(b.dut.out_data, l * 8, 8));
    for (int l = 0; l < lanes; ++l) s.mask.push_back(get_field(b.dut.out_mask, l, 1) != 0);
    s.index = b.dut.out_index;
    return s;
  };
  const uint64_t limit = 20 * total + 1000;
  while (received < total) {
    if (b.cycles > limit) {
      std::fprintf(stderr, "tb post_processor: %s: no progress after %llu cycles (%llu of %llu beats out)\n", name,
                   static_cast<unsigned long long>(b.cycles), static_cast<unsigned long long>(received), static_cast<unsigned long long>(total));
      return false;
    }
    const bool have = !to_send.empty();
    b.dut.in_valid = have && (holding || rng.uniform(4) != 0);
    if (b.dut.in_valid) b.drive(to_send.front());
    else b.garbage(rng);
    in_stalls += have && !b.dut.in_valid;
    b.dut.out_ready = rng.uniform(4) != 0;
    b.dut.eval();
    const bool fire_in = b.dut.in_valid && b.dut.in_ready, fire_out = b.dut.out_valid && b.dut.out_ready;
    if (stalled) {
      if (!b.dut.out_valid) {
        std::fprintf(stderr, "tb post_processor: %s: output beat %llu: out_valid dropped while out_ready was low\n", name,
                     static_cast<unsigned long long>(received));
        return false;
      }
      if (!(snapshot() == held)) {
        std::fprintf(stderr, "tb post_processor: %s: output beat %llu: out_data/out_mask/out_index changed while stalled (out_ready low)\n", name,
                     static_cast<unsigned long long>(received));
        return false;
      }
    }
    if (fire_out) {
      if (expected.empty()) {
        std::fprintf(stderr, "tb post_processor: %s: an output beat with no input beat for it (cycle %llu)\n", name, static_cast<unsigned long long>(b.cycles));
        return false;
      }
      const Beat& e = expected.front();
      const Snapshot s = snapshot();
      auto where = [&](int lane) {
        std::fprintf(stderr, "tb post_processor: %s: output beat %llu (command %d, %s%s), cycle %llu, lane %d: ", name,
                     static_cast<unsigned long long>(received), e.command, e.what.c_str(), e.first ? ", first beat" : "",
                     static_cast<unsigned long long>(b.cycles), lane);
      };
      for (int l = 0; l < lanes; ++l) {
        const bool m = s.mask[l];
        if (m != e.mask[l]) {
          where(l);
          std::fprintf(stderr, "out_mask RTL %d, reference %d (lane valid %d, last %d)\n", m, e.mask[l] ? 1 : 0, e.valid[l] ? 1 : 0, e.lanes[l].last ? 1 : 0);
          return false;
        }
      }
      if (s.index != e.index) {
        where(-1);
        std::fprintf(stderr, "out_index RTL %u, reference %u\n", s.index, e.index);
        return false;
      }
      for (int l = 0; l < lanes; ++l) {
        if (!e.mask[l]) continue;
        if (s.data[l] != static_cast<uint32_t>(e.out[l])) {
          where(l);
          std::fprintf(stderr, "out_data RTL 0x%02x, reference 0x%02x (output %u; lane x %lld, mult %d, bias %lld)\n", s.data[l], e.out[l],
                       e.index + static_cast<uint32_t>(std::count(e.mask.begin(), e.mask.begin() + l, true)), static_cast<long long>(e.lanes[l].x),
                       e.lanes[l].mult, static_cast<long long>(e.lanes[l].bias));
          return false;
        }
        ++outputs;
      }
      expected.pop_front();
      ++received;
    }
    stalled = b.dut.out_valid && !b.dut.out_ready;
    out_stalls += stalled;
    if (stalled) held = snapshot();
    if (fire_in) {
      expected.push_back(std::move(to_send.front()));
      to_send.pop_front();
      ++sent;
    }
    holding = b.dut.in_valid && !fire_in;
    b.edge();
  }
  std::printf("post_processor %d lanes %s: PASS %d commands, %llu beats, %llu outputs matched the model's post_*_tile in %llu cycles "
              "(%llu input stall cycles, %llu output stall cycles; %llu commands with empty lanes, %llu cut off mid-window, %llu windows across beats)\n",
              lanes, name, gen.commands(), static_cast<unsigned long long>(received), static_cast<unsigned long long>(outputs),
              static_cast<unsigned long long>(b.cycles), static_cast<unsigned long long>(in_stalls), static_cast<unsigned long long>(out_stalls),
              static_cast<unsigned long long>(gen.sparse()), static_cast<unsigned long long>(gen.cut_offs()),
              static_cast<unsigned long long>(gen.spanning()));
  return true;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONFIG [--beats N] [--seed S] [--mode conv|requant|add|maxpool|avgpool|mixed|all]\n", argv[0]);
    return 2;
  }
  uint64_t beats = 20000, seed = 1;
  std::string mode = "all";
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--beats") == 0) beats = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--mode") == 0) mode = argv[i + 1];
    else {
      std::fprintf(stderr, "tb post_processor: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  try {
    const subbit::ArchConfig cfg = subbit::load_arch_config(argv[1]);
    const int lanes = static_cast<int>(cfg.pe_array.cols), acc_bits = static_cast<int>(cfg.acc_bits);
    const Mode all[] = {Mode::Conv, Mode::Requant, Mode::Add, Mode::MaxPool, Mode::AvgPool};
    int ran = 0;
    for (int i = 0; i < 5; ++i) {
      if (mode != "all" && mode != mode_name(all[i])) continue;
      ++ran;
      if (!run(mode_name(all[i]), {all[i]}, lanes, acc_bits, beats, seed * 0x100 + i)) return 1;
    }
    if (mode == "all" || mode == "mixed") {
      ++ran;
      if (!run("mixed", std::vector<Mode>(all, all + 5), lanes, acc_bits, beats, seed * 0x100 + 5)) return 1;
    }
    if (ran == 0) {
      std::fprintf(stderr, "tb post_processor: unknown mode '%s' (conv, requant, add, maxpool, avgpool, mixed, all)\n", mode.c_str());
      return 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tb post_processor: %s\n", e.what());
    return 1;
  }
  return 0;
}
