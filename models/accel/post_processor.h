// Post-processing: requantization, ReLU, saturation, max and average pooling, residual add.
#pragma once
#include <systemc>

#include <vector>

#include "accel/accel_params.h"
#include "accel/tile.h"

namespace subbit {

class PostProcessor : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(PostProcessor);
  sc_core::sc_fifo_in<TileJob*> in;
  sc_core::sc_fifo_out<TileJob*> out;
  PostProcessor(sc_core::sc_module_name name, const AccelParams& p, BufferHalves& halves);

 private:
  void run();
  AccelParams p_;
  sc_core::sc_time period_;
  BufferHalves& halves_;
};

}  // namespace subbit
