#include "accel/pe_array.h"

#include <algorithm>

namespace subbit {

using namespace sc_core;
using detail::cycles_between;

// ---------------------------------------------------------------- PE array

PeArray::PeArray(sc_module_name name, const AccelParams& p, BufferHalves& halves, const XorDecryptor& decryptor)
    : sc_module(name), in("in"), out("out"), p_(p), period_(1e3 / p.clock_mhz, SC_NS), halves_(halves), decryptor_(decryptor) {
  SC_THREAD(run);
}

void PeArray::run() {
  sc_time idle_since = SC_ZERO_TIME;  // end of the previous conv tile
  PeGeometry g;
  g.rows = p_.pe_rows, g.cols = p_.pe_cols, g.zero_skip = p_.zero_skip;
  g.streaming_decrypt = p_.streaming_decrypt, g.decrypt_units = p_.decrypt_units;
  for (;;) {
    TileJob* t = in.read();
    if (static_cast<Opcode>(t->d->opcode) == Opcode::Conv) {
      halves_.acc.wait();
      const sc_time layer_start = period_ * static_cast<double>(t->stats->start_cycle);
      if (idle_since < layer_start) idle_since = layer_start;
      t->stats->pe_wait_cycles += cycles_between(idle_since, sc_time_stamp(), period_);
      g.xor_gates_per_slice = p_.streaming_decrypt ? xor_gates_per_slice(decryptor_.matrix_for(*t)) : 0;
      const PeTileResult r = pe_conv_tile(*t->d, *t->ws, t->y0, t->rows, t->act->data(), t->iy0, t->ih, g, cols_, t->acc);
      uint64_t cycles = r.cycles;
      if (halves_.cosim) {
        // The RTL core runs the tile (PE array and post-processing); its outputs must equal the TLM
        // model's, and the platform waits the RTL's cycles.
        t->rtl = halves_.cosim->conv(*t->d, *t->ws, t->y0, t->rows, t->act->data(), t->iy0, t->ih);
        t->has_rtl = true;
        std::vector<uint8_t> tlm_out;
        post_conv_tile(*t->d, *t->ws, t->rows, t->acc, tlm_out);
        check_cosim_tile(halves_, *t, t->rtl.out, tlm_out);
        t->stats->tlm_pe_cycles += r.cycles;
        t->stats->cosim = true;
        cycles = t->rtl.pe_cycles;
      }
      const sc_time t0 = sc_time_stamp();
      t->times.pe_start = t0 / period_;
      wait(period_ * static_cast<double>(cycles));
      t->times.pe_end = sc_time_stamp() / period_;
      t->times.pe_stall = static_cast<double>(r.decrypt_stall);
      if (halves_.log.on()) halves_.log.record(t0, "pe", *t, "macs=" + std::to_string(r.macs) + " effectual=" + std::to_string(r.effectual));
      idle_since = sc_time_stamp();
      t->stats->pe_cycles += cycles;
      t->stats->decrypt_stall_cycles += r.decrypt_stall;
      t->stats->macs += r.macs;
      t->stats->pe_ops += r.ops;
      t->stats->effectual_ops += r.effectual;
      t->stats->decrypted_bits += r.decrypted_bits;
      t->stats->xor_gate_ops += r.xor_gate_ops;
      const PeTileTraffic tr = pe_tile_traffic(*t->d, *t->ws, static_cast<uint64_t>(t->rows) * t->d->out_w, g, p_.act_bits, p_.acc_bits, p_.alpha_bits,
                                               r.decrypted_bits);
      t->stats->weight_buf_read_bits += tr.weight_read_bits;
      t->stats->act_buf_read_bits += tr.act_read_bits;
      t->stats->acc_buf_write_bits += tr.acc_write_bits;
      t->stats->acc_buf_read_bits += tr.acc_read_bits;
      t->stats->alpha_mults += tr.alpha_mults;
      if (static_cast<WeightFormat>(t->d->weight_format) == WeightFormat::Int8) t->stats->int8_macs += r.ops;
      t->act.reset();
      if (t->act_last) halves_.act.post();  // input rows consumed
      if (t->last_use) halves_.weight.post();
    }
    out.write(t);
  }
}

}  // namespace subbit
