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
#include "accel/register_block.h"

namespace subbit {

// What bounds a stretch of a layer's time: the unit the pipeline was waiting on (see attribute()).
enum class Bound { Dram, Decrypt, Pe, Post, Store, Dependency, Control, Count };
const char* bound_name(Bound b);  // "dram", "decrypt", "pe", "post", "store", "dependency", "control"
constexpr size_t kBoundCount = static_cast<size_t>(Bound::Count);

// Time each unit spent on one descriptor, and what it moved and computed.
struct LayerStats {
  uint32_t index = 0;
  Opcode op = Opcode::Conv;
  uint64_t start_cycle = 0, end_cycle = 0;  // descriptor issued; its last tile stored
  // The layer's share of the inference: from the previous layer's end to its own (layers overlap,
  // so these windows, not end - start, add up to the inference's cycles).
  uint64_t window_cycles = 0;
  uint64_t tiles = 0;
  uint64_t load_cycles = 0, decrypt_cycles = 0, pe_cycles = 0, post_cycles = 0, store_cycles = 0;
  uint64_t pe_wait_cycles = 0;  // PE array idle inside the layer (waiting for data or a free half)
  uint64_t decrypt_stall_cycles = 0;  // PE cycles spent waiting for a streaming decryptor
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0, weight_read_bytes = 0;
  uint64_t macs = 0, pe_ops = 0, effectual_ops = 0;
  uint64_t decrypted_bits = 0, xor_gate_ops = 0;  // XOR network activity (output bits, 2-input gate operations)
  std::array<double, kBoundCount> bound_cycles{};  // the window split by what bounded it
  uint64_t cycles() const { return end_cycle - start_cycle; }
  Bound bound() const;  // the largest share of bound_cycles
};

// When each stage handled one tile (in accelerator cycles), for the bottleneck attribution.
struct TileTimes {
  double issued = 0, w_start = 0, w_end = 0, dep_start = 0, dep_end = 0, a_start = 0, a_end = 0;
  double ready = 0;  // weights decrypted and activations loaded
  double pe_start = 0, pe_end = 0, pe_stall = 0, post_start = 0, post_end = 0, store_start = 0, store_end = 0;
  bool weights = false, conv = false;
  uint32_t layer = 0;
};

// Input rows a tile loaded: what the next row tile of the layer can keep (line-buffer reuse).
struct LoadedRows {
  uint32_t layer = 0;
  int iy0 = 0, ih = 0;
  std::shared_ptr<std::vector<uint8_t>> act;
};

struct TileJob {
  const LayerDescriptor* d = nullptr;
  LayerStats* stats = nullptr;
  uint32_t y0 = 0, rows = 0;
  std::shared_ptr<WeightSet> ws;   // conv: the weights; requant: mult/bias
  bool first_use = false;          // the tile that loads ws
  bool last_use = false;           // the tile after which ws's buffer half is free
  int iy0 = 0, ih = 0;
  // Activation-buffer half contents. Tiles of one row tile walked rows-outer share them: the first
  // loads the rows, the last frees the half.
  std::shared_ptr<std::vector<uint8_t>> act;
  std::vector<uint8_t> act2;
  bool act_first = true, act_last = true;
  uint64_t act_loaded_bytes = 0;  // of act, what came from DRAM (the rest was reused on chip)
  std::vector<int32_t> acc;        // accumulator-buffer half contents
  std::vector<uint8_t> out;        // post-processed bytes [channel][rows][out_w]
  std::shared_ptr<const XorMatrix> matrix;  // a programmable decryptor's M⊕ for this layer
  bool last_of_layer = false;
  LoadedRows reuse;  // the previous row tile's input rows, whose first reuse_rows rows this tile keeps
  int reuse_rows = 0;
  TileTimes times;
  DmaEngine::Handle w_dma, a_dma, s_dma;  // transfers in flight
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
  // One operation from `start` to `end` (default: now).
  void record(const sc_core::sc_time& start, const char* unit, const TileJob& t, const std::string& detail,
              const sc_core::sc_time& end = sc_core::sc_time_stamp());

 private:
  std::ostream* out_ = nullptr;
};

struct BufferHalves {
  sc_core::sc_semaphore weight{2}, act{2}, acc{2};
  ActivityLog log;  // shared by the units
};

// The XOR decryption unit. Buffered (decryptor.mode: buffered) it sits on the load path: it
// expands the encrypted planes as the DMA streams them in and writes decrypted planes to the weight
// buffer, once per load. Streaming, it sits between the weight buffer (which keeps the encrypted
// planes) and the PE array and decrypts on every pass; the PE array's timing then includes its rate.
class XorDecryptor : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(XorDecryptor);
  sc_core::sc_fifo_in<TileJob*> in;
  sc_core::sc_fifo_out<TileJob*> out;
  XorDecryptor(sc_core::sc_module_name name, const AccelParams& p, ActivityLog& log);
  // A programmable decryptor loads its matrix per layer; a hard-wired one has the seed's.
  void set_matrix(const XorMatrix& m) { matrix_ = m; }
  const XorMatrix& matrix() const { return matrix_; }
  const XorMatrix& matrix_for(const TileJob& t) const { return t.matrix ? *t.matrix : matrix_; }
  // Buffered: the loader streamed a tile's encrypted weights in over [dma_start, dma_end]; returns
  // when their decryption ends (it runs beside the transfer, one slice per unit per cycle, after the
  // previous load's decryption) and counts its activity.
  sc_core::sc_time schedule_load(TileJob& t, const sc_core::sc_time& dma_start, const sc_core::sc_time& dma_end);

 private:
  void run();
  AccelParams p_;
  sc_core::sc_time period_;
  XorMatrix matrix_;
  ActivityLog& log_;
  sc_core::sc_time free_at_ = sc_core::SC_ZERO_TIME;  // buffered: end of the last scheduled decryption
};

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
