#include "accel/post_processor.h"

#include <algorithm>

#include "hwif/tiling.h"

namespace subbit {

using namespace sc_core;
using detail::ceil_div;

// ---------------------------------------------------------------- post-processing

PostProcessor::PostProcessor(sc_module_name name, const AccelParams& p, BufferHalves& halves)
    : sc_module(name), in("in"), out("out"), p_(p), period_(1e3 / p.clock_mhz, SC_NS), halves_(halves) {
  SC_THREAD(run);
}

void PostProcessor::run() {
  for (;;) {
    TileJob* t = in.read();
    const LayerDescriptor& d = *t->d;
    PostResult r;
    switch (static_cast<Opcode>(d.opcode)) {
      case Opcode::Conv: r = post_conv_tile(d, *t->ws, t->rows, t->acc, t->out); break;
      case Opcode::MaxPool:
      case Opcode::AvgPool: r = post_pool_tile(d, t->y0, t->rows, t->act->data(), t->iy0, t->ih, t->out); break;
      case Opcode::Add: r = post_add_tile(d, t->rows, t->act->data(), t->act2.data(), t->out); break;
      case Opcode::Requant: r = post_requant_tile(d, t->rows, t->act->data(), t->ws->mult, t->ws->bias, t->out); break;
    }
    // `post_lanes` elements (or window reads, for pooling) per cycle, through its pipeline.
    uint64_t cycles = post_cycles(r.ops, p_.post_lanes);
    if (halves_.cosim) {
      if (!t->has_rtl) {  // pooling, add, requant: the RTL core runs them here
        switch (static_cast<Opcode>(d.opcode)) {
          case Opcode::MaxPool:
          case Opcode::AvgPool: t->rtl = halves_.cosim->pool(d, t->y0, t->rows, t->act->data(), t->iy0, t->ih); break;
          case Opcode::Add: t->rtl = halves_.cosim->add(d, t->rows, t->act->data(), t->act2.data()); break;
          case Opcode::Requant: t->rtl = halves_.cosim->requant(d, t->rows, t->act->data(), t->ws->mult, t->ws->bias); break;
          case Opcode::Conv: break;
        }
      }
      check_cosim_tile(halves_, *t, t->rtl.out, t->out);
      t->out = t->rtl.out;
      t->stats->tlm_post_cycles += cycles;
      t->stats->cosim = true;
      cycles = t->rtl.post_cycles;
    }
    const sc_time t0 = sc_time_stamp();
    t->times.post_start = t0 / period_;
    wait(period_ * static_cast<double>(cycles));
    t->times.post_end = sc_time_stamp() / period_;
    if (halves_.log.on()) halves_.log.record(t0, "post", *t, "outputs=" + std::to_string(r.outputs));
    t->stats->post_cycles += cycles;
    // Energy counters: what each element operation does, and the buffers it reads; outputs are
    // staged in the accumulator buffer for the store.
    switch (static_cast<Opcode>(d.opcode)) {
      case Opcode::Conv: t->stats->requant_ops += r.outputs; break;  // accumulators read: pe_tile_traffic
      case Opcode::MaxPool: t->stats->pool_ops += r.ops, t->stats->act_buf_read_bits += r.ops * 8; break;
      case Opcode::AvgPool:
        t->stats->pool_ops += r.ops, t->stats->requant_ops += r.outputs, t->stats->act_buf_read_bits += r.ops * 8;
        break;
      case Opcode::Add: t->stats->add_ops += r.outputs, t->stats->act_buf_read_bits += 2 * r.outputs * 8; break;
      case Opcode::Requant: t->stats->requant_ops += r.outputs, t->stats->act_buf_read_bits += r.outputs * 8; break;
    }
    t->stats->acc_buf_write_bits += t->out.size() * 8;
    if (static_cast<Opcode>(d.opcode) == Opcode::Conv) {
      std::vector<int32_t>().swap(t->acc);
      halves_.acc.post();
    } else {
      halves_.act.post();
    }
    out.write(t);
  }
}

}  // namespace subbit
