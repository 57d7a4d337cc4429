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

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "accel/accel_params.h"
#include "accel/compute.h"
#include "accel/dma.h"
#include "accel/register_block.h"

namespace subbit {

// Time each unit spent on one descriptor, and what it moved and computed.
struct LayerStats {
  uint32_t index = 0;
  Opcode op = Opcode::Conv;
  uint64_t start_cycle = 0, end_cycle = 0;
  uint64_t tiles = 0;
  uint64_t load_cycles = 0, decrypt_cycles = 0, pe_cycles = 0, post_cycles = 0, store_cycles = 0;
  uint64_t pe_wait_cycles = 0;  // PE array idle inside the layer (waiting for data or a free half)
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0, weight_read_bytes = 0;
  uint64_t macs = 0, pe_ops = 0, effectual_ops = 0, decrypted_bits = 0;
  uint64_t cycles() const { return end_cycle - start_cycle; }
};

struct TileJob {
  const LayerDescriptor* d = nullptr;
  LayerStats* stats = nullptr;
  uint32_t y0 = 0, rows = 0;
  std::shared_ptr<WeightSet> ws;   // conv: the weights; requant: mult/bias
  bool first_use = false;          // the tile that loads ws
  bool last_use = false;           // the tile after which ws's buffer half is free
  int iy0 = 0, ih = 0;
  std::vector<uint8_t> act, act2;  // activation-buffer half contents
  std::vector<int32_t> acc;        // accumulator-buffer half contents
  std::vector<uint8_t> out;        // post-processed bytes [channel][rows][out_w]
  std::shared_ptr<const XorMatrix> matrix;  // a programmable decryptor's M⊕ for this layer
  bool last_of_layer = false;
};

// Which output rows of a layer are in device memory: the read-after-write check that lets the next
// layer start while this one drains.
struct LayerProgress {
  uint64_t out_begin = 0, out_end = 0;
  uint32_t out_c = 0, out_h = 0, out_w = 0;
  std::vector<uint32_t> row_channels;  // channels stored per output row
  uint32_t rows_complete = 0;          // leading rows with every channel stored
  bool done = false;
};

// On-demand activity log (subbit run --trace): one line per unit operation,
//   <start ns> <end ns> <unit> layer=<descriptor> rows=<y0>+<n> ch=<o0>+<n> <detail>
// Costs nothing when no stream is set.
class ActivityLog {
 public:
  void set(std::ostream* out) { out_ = out; }
  bool on() const { return out_ != nullptr; }
  void record(const sc_core::sc_time& start, const char* unit, const TileJob& t, const std::string& detail);

 private:
  std::ostream* out_ = nullptr;
};

struct BufferHalves {
  sc_core::sc_semaphore weight{2}, act{2}, acc{2};
  ActivityLog log;  // shared by the units
};

class XorDecryptor : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(XorDecryptor);
  sc_core::sc_fifo_in<TileJob*> in;
  sc_core::sc_fifo_out<TileJob*> out;
  XorDecryptor(sc_core::sc_module_name name, const AccelParams& p, ActivityLog& log);
  // A programmable decryptor loads its matrix per layer; a hard-wired one has the seed's.
  void set_matrix(const XorMatrix& m) { matrix_ = m; }
  const XorMatrix& matrix() const { return matrix_; }

 private:
  void run();
  AccelParams p_;
  sc_core::sc_time period_;
  XorMatrix matrix_;
  ActivityLog& log_;
};

class PeArray : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(PeArray);
  sc_core::sc_fifo_in<TileJob*> in;
  sc_core::sc_fifo_out<TileJob*> out;
  PeArray(sc_core::sc_module_name name, const AccelParams& p, BufferHalves& halves);

 private:
  void run();
  AccelParams p_;
  sc_core::sc_time period_;
  BufferHalves& halves_;
  std::vector<int16_t> cols_;
};

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
  uint64_t cycle() const;

 private:
  void control();  // fetches descriptors, runs layers
  void loader();   // DMA loads of weights and activation rows into buffer halves
  void storer();   // DMA stores of post-processed tiles
  uint32_t check_descriptor(const LayerDescriptor& d) const;
  void plan_layer(const LayerDescriptor& d, LayerStats& st, std::vector<TileJob*>& tiles);
  void wait_for_input(uint32_t layer, uint64_t addr, const LayerDescriptor& d, int iy0, int ih);

  AccelParams p_;
  sc_core::sc_time period_;
  BufferHalves halves_;
  sc_core::sc_fifo<TileJob*> to_load_, loaded_, decrypted_, computed_, processed_;
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
};

}  // namespace subbit
