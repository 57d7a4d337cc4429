// The binary-code PE array: both dataflows (docs/accelerator.md, "Dataflow"), every weight scheme,
// timed by pe_tile_timing().
#pragma once
#include <systemc>

#include <vector>

#include "accel/accel_params.h"
#include "accel/tile.h"
#include "accel/xor_decryptor.h"

namespace subbit {

class PeArray : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(PeArray);
  sc_core::sc_fifo_in<TileJob*> in;
  sc_core::sc_fifo_out<TileJob*> out;
  PeArray(sc_core::sc_module_name name, const AccelParams& p, BufferHalves& halves, const XorDecryptor& decryptor);

 private:
  void run();
  AccelParams p_;
  sc_core::sc_time period_;
  BufferHalves& halves_;
  const XorDecryptor& decryptor_;
  std::vector<int16_t> cols_;
};

}  // namespace subbit
