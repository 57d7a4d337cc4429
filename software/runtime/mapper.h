// Mapping layers onto the accelerator. A mapping is a value (as Timeloop writes one): which loop of
// the layer runs across PE rows, which across PE columns and which in time (the dataflow), the tile
// each buffer half holds, and the order the tiles are walked in. A cost model predicts what a
// mapping costs on the hardware the driver discovered; a mapper picks one per layer.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hwif/caps.h"
#include "hwif/descriptor.h"
#include "hwif/tiling.h"

namespace subbit {

struct LayerMapping {
  Dataflow dataflow = Dataflow::OutputParallel;
  uint32_t col_groups = 1;  // output-parallel: position groups across the columns
  uint32_t tile_rows = 1;   // output rows per tile
  uint32_t tile_channels = 1;  // output channels per tile (conv)
  bool channels_outer = false;  // tile loop: channel tiles outer (weights loaded once each)

  void apply(LayerDescriptor& d) const;
  static LayerMapping of(const LayerDescriptor& d);
  std::string str() const;  // one line, e.g. "output-parallel g4, tile 8 rows x 16 ch, rows outer"
  // The loop nest per level: DRAM tiles, buffer tiles, spatial PE rows/columns, time.
  std::string loop_nest(const LayerDescriptor& d, const HwCaps& hw) const;
  bool operator==(const LayerMapping& o) const;
};

const char* dataflow_name(Dataflow df);  // "output-parallel", "reduction-parallel"

// The units a predicted or simulated layer is split over (the order of the model's Bound).
enum class Unit { Dram, Decrypt, Pe, Post, Store, Count };

struct CostEstimate {
  double cycles = 0;       // predicted cycles of the layer's window (see CostModel)
  uint64_t dram_bytes = 0;  // bytes the mapping moves
  std::array<double, static_cast<size_t>(Unit::Count)> unit_cycles{};  // busy cycles per unit
  uint64_t tiles = 0;
  Unit bound = Unit::Pe;  // the busiest unit
  // After the loader, PE array, post-processing and storer finish the layer's last tile: the
  // cycles until it is stored (what the next layer's window starts with).
  std::array<double, 4> tail{};
};

// The accelerator's tile pipeline after the layers mapped so far, in cycles from the start of the
// inference: when each unit and each buffer half is free again, what the memory has reserved, and
// when each row of recent layers' outputs was stored. CostModel::replay() starts a layer from it.
struct PipelineState {
  double loader = 0, load_done = 0, pe = 0, post = 0, storer = 0, store_done = 0, decryptor = 0, control = 0;
  double end = 0;  // the last layer's last store
  std::array<double, 2> weight_half{}, act_half{}, acc_half{};
  std::vector<std::pair<double, double>> memory_busy;  // reserved [start, end) intervals, sorted
  struct Output {
    uint64_t addr = 0, bytes = 0;
    uint32_t c = 0, h = 0, w = 0;
    std::vector<double> row_done;  // when every channel of the row was stored
    double done = 0;
  };
  std::vector<Output> outputs;  // the most recent layers' outputs
};

// What the cost model knows of a layer besides its descriptor.
struct LayerContext {
  // Zero-skipping layers: non-zero weights per output channel, per PE pass (empty: dense).
  std::vector<std::vector<uint32_t>> effectual;
  // The layer before it in the descriptor list, its mapping and cost (null for the first layer),
  // and whether this layer reads that one's output (then it waits for the rows it needs).
  const LayerDescriptor* prev = nullptr;
  LayerMapping prev_mapping;
  CostEstimate prev_cost;
  bool reads_prev = false;
  // The pipeline before this layer: with it, costs come from replaying the layer's tiles.
  const PipelineState* pipeline = nullptr;
};

// Analytic cost of a mapping from the hardware's capability registers: DMA transfers at the
// DRAM's sustained bandwidth plus its latency per transfer, buffered decryption beside the weight
// transfers, the PE array's passes under the dataflow (the same rules as the model,
// docs/accelerator.md), post-processing lanes, stores; units overlap through double buffering, so
// a layer takes its busiest unit's time plus the part of its first and last tile that nothing hides.
class CostModel {
 public:
  explicit CostModel(const HwCaps& hw) : hw_(hw) {}
  // Empty when `m` fits the buffers and the array supports its dataflow; else why not.
  std::string illegal(const LayerDescriptor& d, const LayerMapping& m) const;
  // Unit totals and a closed-form window (fast; the search's first pass).
  CostEstimate cost(const LayerDescriptor& d, const LayerMapping& m, const LayerContext& ctx) const;
  // Replays the layer's tiles through the pipeline in `state` (loads issued in order as buffer
  // halves free and input rows are stored, the memory as one shared server at the sustained
  // bandwidth with its latency, the PE array, post-processing and stores in order) and advances it.
  // Returns the layer's window: from the previous layer's last store to its own.
  double replay(const LayerDescriptor& d, const LayerMapping& m, const LayerContext& ctx, PipelineState& state) const;
  WeightStorage storage() const { return hw_.streaming_decrypt ? WeightStorage::AsStored : WeightStorage::Decrypted; }
  const HwCaps& hw() const { return hw_; }

 private:
  HwCaps hw_;
};

class Mapper {
 public:
  virtual ~Mapper() = default;
  virtual const char* name() const = 0;
  // Throws subbit::Error (prefixed with `where`) when no mapping fits the buffers.
  virtual LayerMapping map(const LayerDescriptor& d, const LayerContext& ctx, const std::string& where) const = 0;
};

// The first chooser SubBit had: output-parallel only, the widest channel tile (a multiple of the PE
// columns) that fits, then as many rows as fit, then the loop order that moves fewer DRAM bytes.
// Kept as the baseline the search is measured against.
class GreedyMapper : public Mapper {
 public:
  explicit GreedyMapper(const HwCaps& hw) : model_(hw) {}
  const char* name() const override { return "greedy"; }
  LayerMapping map(const LayerDescriptor& d, const LayerContext& ctx, const std::string& where) const override;

 private:
  CostModel model_;
};

// Searches dataflow (output-parallel with every column grouping the array has lanes for,
// reduction-parallel when it has adder trees), channel tile, row tile and loop order, and takes
// the fewest predicted cycles; predictions within 1% are ties, which go to fewer DRAM bytes, then
// fewer tiles, then the first found. Deterministic.
class SearchMapper : public Mapper {
 public:
  explicit SearchMapper(const HwCaps& hw) : model_(hw) {}
  const char* name() const override { return "search"; }
  LayerMapping map(const LayerDescriptor& d, const LayerContext& ctx, const std::string& where) const override;
  const CostModel& model() const { return model_; }
  struct Ranked {
    LayerMapping mapping;
    CostEstimate cost;
    bool legal = true;
  };
  // Every candidate the search considers, best first (as map() ranks them).
  std::vector<Ranked> rank(const LayerDescriptor& d, const LayerContext& ctx) const;

 private:
  CostModel model_;
};

enum class MapperKind { Search, Greedy };
std::unique_ptr<Mapper> make_mapper(MapperKind kind, const HwCaps& hw);

}  // namespace subbit
