// The XOR decryption unit (FleXOR): y = M⊕ · x (mod 2) per slice, hard-wired or programmable M⊕,
// buffered (on the load path) or streaming (on every pass into the PE array).
#pragma once
#include <systemc>

#include <vector>

#include "accel/accel_params.h"
#include "accel/tile.h"

namespace subbit {

// The XOR decryption unit. Buffered (decryptor.mode: buffered) it sits on the load path: it
// expands the encrypted planes as the DMA streams them in and writes decrypted planes to the weight
// buffer, once per load. Streaming, it sits between the weight buffer (which keeps the encrypted
// planes) and the PE array and decrypts on every pass; the PE array's timing then includes its rate.
class XorDecryptor : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(XorDecryptor);
  sc_core::sc_fifo_in<TileJob*> in;
  sc_core::sc_fifo_out<TileJob*> out;
  XorDecryptor(sc_core::sc_module_name name, const AccelParams& p, BufferHalves& shared);
  // A programmable decryptor loads its matrix per layer; a hard-wired one has the seed's.
  void set_matrix(const XorMatrix& m) { matrix_ = m; }
  const XorMatrix& matrix() const { return matrix_; }
  const XorMatrix& matrix_for(const TileJob& t) const { return t.matrix ? *t.matrix : matrix_; }
  // Buffered: the loader streamed a tile's encrypted weights in over [dma_start, dma_end]; returns
  // when their decryption ends (it runs beside the transfer, one slice per unit per cycle, after the
  // previous load's decryption) and counts its activity.
  sc_core::sc_time schedule_load(TileJob& t, const sc_core::sc_time& dma_start, const sc_core::sc_time& dma_end);
  // Fault injection (subbit run --inject decryptor:...): outputs of the XOR network stuck at 0 or
  // 1. Bit r of a mask is output r of M⊕ (row r), in every slice, every unit, every mode. The
  // stuck values reach the weight buffer (buffered) or the PE array (streaming) in place of y[r].
  void set_stuck_at(uint64_t zero_mask, uint64_t one_mask) { stuck_zero_ = zero_mask, stuck_one_ = one_mask; }
  // Decrypted bits whose value a stuck output changed, over every load so far.
  uint64_t stuck_changed_bits() const { return stuck_changed_; }

 private:
  void run();
  void check_decryption(TileJob& t);  // --fidelity rtl: the RTL decryptor on the same slices
  AccelParams p_;
  sc_core::sc_time period_;
  XorMatrix matrix_;
  ActivityLog& log_;
  BufferHalves* cosim_;  // the shared state that holds the co-simulation (when cosim_->cosim is set)
  sc_core::sc_time free_at_ = sc_core::SC_ZERO_TIME;  // buffered: end of the last scheduled decryption
  uint64_t stuck_zero_ = 0, stuck_one_ = 0, stuck_changed_ = 0;
};

// Forces decryptor outputs in a weight set's decrypted slices (slice t of plane i holds bits
// t * N_out + r, r = 0 .. N_out - 1): bit r of zero_mask / one_mask forces y[r] to 0 / 1 in every
// slice. Returns the decrypted bits whose value changed.
uint64_t force_decryptor_outputs(const LayerDescriptor& d, WeightSet& ws, uint64_t zero_mask, uint64_t one_mask);

}  // namespace subbit
