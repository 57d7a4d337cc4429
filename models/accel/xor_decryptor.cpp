#include "accel/xor_decryptor.h"

#include <algorithm>

#include "quant/weights.h"

namespace subbit {

using namespace sc_core;
using detail::ceil_div;

// ---------------------------------------------------------------- XOR decryption unit

XorDecryptor::XorDecryptor(sc_module_name name, const AccelParams& p, BufferHalves& shared)
    : sc_module(name), in("in"), out("out"), p_(p), period_(1e3 / p.clock_mhz, SC_NS),
      matrix_(XorMatrix::generate(p.n_out, p.n_in, p.fill, p.n_tap, p.xor_seed)), log_(shared.log), cosim_(&shared) {
  SC_THREAD(run);
}

sc_time XorDecryptor::schedule_load(TileJob& t, const sc_time& dma_start, const sc_time& dma_end) {
  const LayerDescriptor& d = *t.d;
  const uint64_t k = reduction_length(d);
  const uint64_t slices = (ceil_div((static_cast<uint64_t>(t.ws->o0) + t.ws->oc) * k, d.n_out) - t.ws->o0 * k / d.n_out) * d.q;
  const uint64_t cycles = ceil_div(slices, static_cast<uint64_t>(p_.decrypt_units));
  // It cannot finish before the last encrypted byte arrives; one cycle writes its last word.
  const sc_time start = std::max(dma_start, free_at_);
  free_at_ = std::max(start + period_ * static_cast<double>(cycles), dma_end) + period_;
  t.stats->decrypt_cycles += cycles + 1;  // and the cycle that writes its last word
  t.stats->decrypted_bits += slices * d.n_out;
  t.stats->xor_gate_ops += slices * xor_gates_per_slice(matrix_for(t));
  if (log_.on()) log_.record(start, "decrypt", t, "slices=" + std::to_string(slices), free_at_);
  return free_at_;
}

void XorDecryptor::run() {
  for (;;) {
    TileJob* t = in.read();
    const LayerDescriptor& d = *t->d;
    if (t->first_use && static_cast<Opcode>(d.opcode) == Opcode::Conv) {
      // The values: the same XOR network in either mode; the time was scheduled on load
      // (buffered) or is part of the PE array's passes (streaming).
      if (static_cast<WeightFormat>(d.weight_format) == WeightFormat::Flexor) {
        decrypt_weights(d, matrix_for(*t), *t->ws);
        if (cosim_->cosim) check_decryption(*t);
        // Stuck outputs: after the RTL check (whose fault-free decryptor must agree with the
        // fault-free M⊕), so the TLM and RTL PE arrays both see the forced bits.
        if (stuck_zero_ | stuck_one_) stuck_changed_ += force_decryptor_outputs(d, *t->ws, stuck_zero_, stuck_one_);
      }
      prepare_passes(d, *t->ws);  // how the PE array reads the (decrypted) weight half
    }
    const sc_time ready = period_ * t->times.ready;
    if (ready > sc_time_stamp()) wait(ready - sc_time_stamp());
    out.write(t);
  }
}

uint64_t force_decryptor_outputs(const LayerDescriptor& d, WeightSet& ws, uint64_t zero_mask, uint64_t one_mask) {
  const uint64_t n_out = d.n_out, planes = std::max<size_t>(1, ws.decrypted.size());
  const uint64_t slices = ws.decrypted_bits / planes / std::max<uint64_t>(1, n_out);
  uint64_t changed = 0;
  for (auto& plane : ws.decrypted)
    for (uint64_t r = 0; r < n_out && r < 64; ++r) {
      const bool zero = (zero_mask >> r) & 1, one = (one_mask >> r) & 1;
      if (!zero && !one) continue;
      for (uint64_t t = 0; t < slices; ++t) {
        const uint64_t b = t * n_out + r;
        changed += get_bit(plane.data(), b) != one;
        set_bit(plane.data(), b, one);
      }
    }
  return changed;
}

void XorDecryptor::check_decryption(TileJob& t) {
  // The RTL decryptor decrypts the same slices; the PE array then reads its bits.
  const ComputeCoreCosim::Decrypted rtl = cosim_->cosim->decrypt(*t.d, matrix_for(t), *t.ws);
  t.stats->rtl_decrypt_cycles += rtl.cycles;
  const uint64_t bits = t.ws->decrypted_bits / std::max<size_t>(1, t.ws->raw.size());
  for (size_t i = 0; i < rtl.planes.size() && cosim_->cosim_mismatch.empty(); ++i)
    for (uint64_t b = 0; b < bits; ++b) {
      const int r = (rtl.planes[i][b >> 3] >> (b & 7)) & 1, m = (t.ws->decrypted[i][b >> 3] >> (b & 7)) & 1;
      if (r != m) {
        cosim_->cosim_mismatch_descriptor = t.stats->index;
        cosim_->cosim_mismatch = "descriptor " + std::to_string(t.stats->index) + ", tile " + std::to_string(t.tile_index) + " (channels " +
                                 std::to_string(t.ws->o0) + "+" + std::to_string(t.ws->oc) + "): XOR decryption, plane " + std::to_string(i) +
                                 ", decrypted bit " + std::to_string(b) + " (slice " + std::to_string(b / t.d->n_out) + "): RTL " + std::to_string(r) +
                                 ", TLM " + std::to_string(m);
        break;
      }
    }
  t.ws->decrypted = rtl.planes;
}

}  // namespace subbit
