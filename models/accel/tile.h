// What the accelerator's units pass each other and count: tile jobs with the timestamps each
// stage stamps on them, per-layer statistics and the bottleneck categories, the buffer halves and
// the on-demand activity log.
#pragma once
#include <systemc>

#include <array>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "accel/compute.h"
#include "accel/cosim.h"
#include "accel/dma.h"

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
  // Activity counters for the energy model (docs/energy.md, "Counters"): exact event counts.
  // On-chip buffer traffic in bits, per buffer of the config's `buffers` section.
  uint64_t weight_buf_write_bits = 0, weight_buf_read_bits = 0;
  uint64_t act_buf_write_bits = 0, act_buf_read_bits = 0;
  uint64_t acc_buf_write_bits = 0, acc_buf_read_bits = 0;  // accumulators, and outputs staged for the store
  uint64_t int8_macs = 0;    // of pe_ops: int8 multiply-accumulates (int8 weights); the rest are add/sub
  uint64_t alpha_mults = 0;  // α scalings of a pass's partial sums: one per output per pass (not int8)
  uint64_t requant_ops = 0, pool_ops = 0, add_ops = 0;  // post-processing: requantized outputs, pooling window reads, residual adds
  uint64_t descriptor_fetches = 0, descriptor_bytes = 0, matrix_bytes = 0;  // command processor fetches
  uint64_t reg_accesses = 0;  // 32-bit register reads/writes: the host's while the layers run (last layer) and the unit's own
  std::array<double, kBoundCount> bound_cycles{};  // the window split by what bounded it
  // Co-simulation (--fidelity rtl): what the TLM model predicts for the PE array and post-processing
  // (pe_cycles and post_cycles are then the RTL's, which the platform waited), and the decryptor's
  // cycles in the RTL beside the TLM's decrypt_cycles.
  uint64_t tlm_pe_cycles = 0, tlm_post_cycles = 0, rtl_decrypt_cycles = 0;
  bool cosim = false;
  uint64_t cycles() const { return end_cycle - start_cycle; }
  Bound bound() const;  // the largest share of bound_cycles
};

// When each stage handled one tile (in accelerator cycles), for the bottleneck attribution.
struct TileTimes {
  double issued = 0, w_start = 0, w_end = 0, dep_start = 0, dep_end = 0, a_start = 0, a_end = 0;
  double ready = 0;  // weights decrypted and activations loaded
  double pe_start = 0, pe_end = 0, pe_stall = 0, post_start = 0, post_end = 0, store_start = 0, store_end = 0;
  bool conv = false;
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
  uint32_t tile_index = 0;  // within the layer, in issue order
  CosimTile rtl;            // co-simulation: the RTL core's outputs and cycles for this tile
  bool has_rtl = false;
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
  ComputeCoreCosim* cosim = nullptr;  // --fidelity rtl: the RTL computes the tiles
  std::string cosim_mismatch;         // the first tile whose RTL outputs differ from the TLM model's
  uint32_t cosim_mismatch_descriptor = 0;
};

// Co-simulation check: records the first element where the RTL's tile outputs differ from the TLM
// model's, naming the descriptor, the tile, the element and both values.
void check_cosim_tile(BufferHalves& h, const TileJob& t, const std::vector<uint8_t>& rtl, const std::vector<uint8_t>& tlm);

namespace detail {
inline uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
inline uint64_t cycles_between(const sc_core::sc_time& a, const sc_core::sc_time& b, const sc_core::sc_time& period) {
  return static_cast<uint64_t>((b - a) / period + 0.5);
}
}  // namespace detail

}  // namespace subbit
