// The accelerator: register block, command processor, DMA engine, XOR decryption unit, binary-code
// PE array, post-processing unit and double-buffered on-chip buffers, as SystemC modules.
//
// Tiles flow through latency-insensitive FIFOs: command processor (loads) -> decryptor -> PE array
// -> post-processing -> command processor (stores). Each unit waits only for its input FIFO and
// the buffer half it needs (semaphores model the double buffering), then annotates the time its
// own work takes, so stalls come from real contention: DMA waiting on DRAM, the PE array waiting on
// decryption or on a free accumulator half.
#pragma once
#include <systemc>
#include <tlm>

#include <array>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "accel/accel_params.h"
#include "accel/compute.h"
#include "accel/dma.h"
#include "accel/pe_array.h"
#include "accel/post_processor.h"
#include "accel/register_block.h"
#include "accel/tile.h"
#include "accel/xor_decryptor.h"

namespace subbit {

class Accelerator : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Accelerator);
  RegisterBlock regs;   // regs.socket: host bus target; regs.irq: interrupt
  DmaEngine dma;        // dma.socket: to device memory
  sc_core::sc_out<bool> irq;

  Accelerator(sc_core::sc_module_name name, const AccelParams& p);

  const AccelParams& params() const { return p_; }
  const std::vector<LayerStats>& layer_stats() const { return stats_; }
  // Log every unit operation to `out` (nullptr: off).
  void set_activity_log(std::ostream* out) { halves_.log.set(out); }
  // --fidelity rtl: `cosim` computes every tile in place of the TLM units (nullptr: off).
  void set_cosim(ComputeCoreCosim* cosim) { halves_.cosim = cosim; }
  // The first tile whose co-simulated outputs differed from the TLM model's ("" when none did).
  const std::string& cosim_mismatch() const { return halves_.cosim_mismatch; }
  uint32_t cosim_mismatch_descriptor() const { return halves_.cosim_mismatch_descriptor; }
  uint64_t cycle() const;
  XorDecryptor& decryptor() { return decryptor_; }  // fault injection: stuck-at outputs

 private:
  void control();  // fetches descriptors, runs layers
  void loader();          // issues DMA loads of weights and activation rows into buffer halves
  void load_complete();   // waits for them, in tile order
  void storer();          // issues DMA stores of post-processed tiles
  void store_complete();  // waits for them; marks rows stored
  uint32_t check_descriptor(const LayerDescriptor& d) const;
  void plan_layer(const LayerDescriptor& d, LayerStats& st, std::vector<TileJob*>& tiles);
  void wait_for_input(uint32_t layer, uint64_t addr, const LayerDescriptor& d, int iy0, int ih);
  void attribute(uint64_t start_cycle);  // fills each layer's window_cycles and bound_cycles from tiles_
  double now_cycles() const { return sc_core::sc_time_stamp() / period_; }

  AccelParams p_;
  sc_core::sc_time period_;
  BufferHalves halves_;
  sc_core::sc_fifo<TileJob*> to_load_, loading_, loaded_, decrypted_, computed_, processed_, storing_;
  XorDecryptor decryptor_;
  PeArray pe_;
  PostProcessor post_;
  sc_core::sc_event progress_event_;
  std::vector<LayerProgress> progress_;
  uint32_t layers_done_ = 0;
  bool bus_error_ = false;
  uint32_t bus_error_layer_ = 0;  // the first descriptor whose transfer failed
  void note_bus_error(uint32_t layer) {
    if (!bus_error_ || layer < bus_error_layer_) bus_error_layer_ = layer;
    bus_error_ = true;
  }
  std::vector<LayerStats> stats_;
  std::vector<LayerDescriptor> descs_;
  std::vector<TileTimes> tiles_;  // every stored tile of the running inference, in pipeline order
  LoadedRows last_act_;  // the input rows the loader loaded last
};

}  // namespace subbit
