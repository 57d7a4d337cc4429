#include "runtime/mapper.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <tuple>

#include "hwif/registers.h"
#include "quant/error.h"

namespace subbit {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Candidates (best by the closed form) that the search replays through the pipeline.
constexpr size_t kReplayed = 24;
// Relative width of the bands within which predicted cycles count as equal.
constexpr double kTieBand = 0.01;

bool is_conv(const LayerDescriptor& d) { return static_cast<Opcode>(d.opcode) == Opcode::Conv; }

// What the cost of every mapping of one layer shares, computed once per layer.
struct LayerFacts {
  uint64_t k = 0;               // reduction length
  uint64_t weight_bytes = 0;    // the whole layer's weight ranges as stored
  uint32_t passes = 1;
  bool flexor = false, skipping = false;
  uint64_t weight_bits = 1;     // bits per weight the PE array reads (reduction-parallel reloads)
  // Zero-skipping, output-parallel: per column-group width, sum over groups and passes of the
  // busiest column's non-zero count (what the PE array spends instead of K).
  std::vector<std::pair<uint64_t, double>> skip_steps;
};

LayerFacts layer_facts(const LayerDescriptor& d, const LayerContext& ctx, const HwCaps& hw) {
  LayerFacts f;
  if (!is_conv(d)) return f;
  f.k = reduction_length(d);
  f.weight_bytes = weight_ranges(d, 0, d.out_c).total_bytes();
  f.passes = pe_passes(d);
  const auto fmt = static_cast<WeightFormat>(d.weight_format);
  f.flexor = fmt == WeightFormat::Flexor;
  f.skipping = (d.flags & kDescZeroSkip) && (hw.features & regs::kFeatureZeroSkip) && !ctx.effectual.empty();
  f.weight_bits = pe_weight_bits(d);
  if (f.skipping)
    for (uint32_t groups = 1; groups <= static_cast<uint32_t>(std::max(1, hw.act_lanes)); groups *= 2) {
      const uint64_t lc = std::max<uint64_t>(1, hw.pe_cols / groups);
      double sum = 0;
      for (const auto& eff : ctx.effectual)
        for (uint64_t j = 0; j < eff.size(); j += lc) sum += *std::max_element(eff.begin() + j, eff.begin() + std::min<uint64_t>(eff.size(), j + lc));
      f.skip_steps.emplace_back(lc, sum);
    }
  return f;
}

struct Rates {
  double bytes_per_cycle;  // sustained DRAM bandwidth
  double latency;          // cycles from a transfer's start to its first data
};

Rates rates(const HwCaps& hw) {
  return Rates{hw.mem_sustained_gbps * 1e3 / hw.clock_mhz, hw.mem_latency_ns * hw.clock_mhz / 1e3};
}

// Cycles of one conv tile on the PE array: the model's pe_tile_timing() with expected values where
// it uses exact ones (slices straddling channels, the busiest column when zero-skipping).
double pe_tile_cycles(const LayerDescriptor& d, const LayerMapping& m, const LayerFacts& f, const HwCaps& hw, uint64_t positions, uint64_t channels) {
  const uint64_t k = f.k;
  const bool streaming = hw.streaming_decrypt && f.flexor;
  const double units = std::max(1, hw.decrypt_units);
  // Slices a streaming decryptor expands to deliver `len` consecutive elements of one channel
  // (the expected count over the slice alignments).
  auto slices_per_channel = [&](uint64_t len) { return (static_cast<double>(len) - 1) / d.n_out + 1; };
  double cycles = 0;
  if (m.dataflow == Dataflow::OutputParallel) {
    const uint64_t groups = std::max<uint32_t>(1, m.col_groups);
    const uint64_t lc = std::max<uint64_t>(1, hw.pe_cols / groups), lr = static_cast<uint64_t>(hw.pe_rows) * groups;
    const double pg = static_cast<double>(ceil_div(positions, lr));
    const uint64_t full = channels / lc, rest = channels % lc;
    const double column_groups = static_cast<double>(full + (rest ? 1 : 0));
    double per_pass = 0;  // every column group's K steps (fewer when zero-skipping) and its drain cycle
    if (streaming) {
      // A decryptor slower than the columns sets the pace of a group.
      const double supply_full = std::ceil(lc * slices_per_channel(k) / units), supply_rest = std::ceil(rest * slices_per_channel(k) / units);
      per_pass = full * (std::max<double>(supply_full, k) + 1) + (rest ? std::max<double>(supply_rest, k) + 1 : 0);
    } else {
      per_pass = column_groups * (static_cast<double>(k) + 1);
      if (f.skipping)
        for (const auto& [width, sum] : f.skip_steps)
          if (width == lc) per_pass = (sum * static_cast<double>(channels) / d.out_c) / f.passes + column_groups;
    }
    cycles = pg * f.passes * per_pass;
  } else {
    const uint64_t rows = hw.pe_rows, cols = hw.pe_cols;
    const uint64_t kc = ceil_div(k, rows), kr_last = k - (kc - 1) * rows;
    const uint64_t cg = ceil_div(channels, cols), n_last = channels - (cg - 1) * cols;
    auto reload = [&](uint64_t kr, uint64_t n) -> double {
      if (streaming) return std::ceil(n * slices_per_channel(kr) / units);
      return static_cast<double>(rp_reload_cycles(kr, f.weight_bits, hw.pe_rows));
    };
    auto chunk = [&](uint64_t kr, uint64_t n) { return std::max<double>(static_cast<double>(positions), reload(kr, n)); };
    const double per_pass = static_cast<double>((kc - 1) * (cg - 1)) * chunk(rows, cols) + static_cast<double>(cg - 1) * chunk(kr_last, cols) +
                            static_cast<double>(kc - 1) * chunk(rows, n_last) + chunk(kr_last, n_last);
    // Each block waits for the next chunk's load: the first chunk's load comes before the blocks and
    // the last block only streams its positions.
    const uint64_t kr0 = std::min(rows, k), n0 = std::min(cols, channels);
    cycles = f.passes * per_pass - chunk(kr0, n0) + static_cast<double>(positions) + reload(kr0, n0);
  }
  return cycles + static_cast<double>(pe_pipeline_depth(m.dataflow, hw.pe_rows));
}

// Element operations the post-processing unit performs for a tile of `rows` output rows.
double post_ops(const LayerDescriptor& d, uint64_t rows, uint64_t channels) {
  const double outputs = static_cast<double>(rows) * d.out_w * channels;
  switch (static_cast<Opcode>(d.opcode)) {
    case Opcode::MaxPool:
    case Opcode::AvgPool:
      // Window reads, less those that fall in the padding.
      return outputs * d.kh * d.kw * (static_cast<double>(d.in_h) / (d.in_h + 2.0 * d.ph)) * (static_cast<double>(d.in_w) / (d.in_w + 2.0 * d.pw));
    default: return outputs;
  }
}

struct TileCost {
  double load_w = 0, decrypt = 0, load_a = 0, pe = 0, post = 0, store = 0;
  uint64_t w_bytes = 0, a_bytes = 0, out_bytes = 0;
};

// A channel tile's weights are separate runs (planes, then α per plane, signs, mult and bias in
// arrays of their own): each switch to another run opens another DRAM row, which costs about a
// precharge and an activate, some two thirds of the unloaded read latency, in which the bus idles.
double weight_run_switches(const LayerDescriptor& d) {
  const auto fmt = static_cast<WeightFormat>(d.weight_format);
  const double planes = fmt == WeightFormat::BitPlanes || fmt == WeightFormat::Flexor ? d.q : 1;
  return 2 + (fmt == WeightFormat::Int8 ? 0 : planes) + (fmt == WeightFormat::SignedBinary ? 1 : 0) + planes - 1;
}
double row_switch(const Rates& r) { return r.latency * 2 / 3; }

// Bytes the memory bus carries for `segments` separate runs of `len` bytes: each run costs whole
// bursts (the expected count over alignments).
double bus_bytes(double segments, double len, double burst) { return len <= 0 ? 0 : segments * ((len - 1) / burst + 1) * burst; }

// The share of the memory channels that runs of `len` bytes, `pitch` bytes apart, reach: CHW rows
// of one tile sit a channel plane apart, and a plane that is a multiple of the interleave times
// the channel count puts every row on the same channel.
double channel_share(const HwCaps& hw, uint64_t pitch, uint64_t len) {
  const uint64_t channels = static_cast<uint64_t>(std::max(1, hw.mem_channels)), il = hw.mem_interleave_bytes;
  if (channels <= 1 || il == 0 || len >= il * channels || pitch % il) return 1.0;
  const uint64_t step = (pitch / il) % channels;
  const uint64_t starts = step == 0 ? 1 : channels / std::gcd(step, channels);
  const uint64_t span = ceil_div(len, il);
  return static_cast<double>(std::min(channels, starts * span)) / static_cast<double>(channels);
}

TileCost tile_cost(const LayerDescriptor& d, const LayerMapping& m, const LayerFacts& f, const HwCaps& hw, const Rates& r, uint64_t rows,
                   uint64_t channels) {
  TileCost t;
  const bool conv = is_conv(d);
  const auto op = static_cast<Opcode>(d.opcode);
  const double burst = std::max(1, hw.mem_burst_bytes);
  // Rows after the first tile's overlap the previous window: about rows x stride are new.
  const uint64_t window = std::min<uint64_t>(d.in_h, (rows - 1) * d.sh + d.kh);
  const uint64_t ih = (op == Opcode::Add || op == Opcode::Requant) ? rows : rows == d.out_h ? window : std::min<uint64_t>(window, rows * d.sh);
  const double inputs = op == Opcode::Add ? 2 : 1;
  t.a_bytes = ih * d.in_c * d.in_w * static_cast<uint64_t>(inputs);
  // Activations are CHW: a tile reads one run per input channel (one run in all when it spans
  // whole channel planes) and writes one per output channel.
  const double a_bus = ih == d.in_h ? inputs * bus_bytes(1, static_cast<double>(d.in_c * d.in_h * d.in_w), burst)
                                    : bus_bytes(inputs * d.in_c, static_cast<double>(ih * d.in_w), burst) /
                                          channel_share(hw, static_cast<uint64_t>(d.in_h) * d.in_w, ih * d.in_w);
  t.load_a = r.latency + a_bus / r.bytes_per_cycle;
  t.out_bytes = rows * d.out_w * channels;
  const double o_bus = rows == d.out_h ? bus_bytes(1, static_cast<double>(t.out_bytes), burst)
                                       : bus_bytes(channels, static_cast<double>(rows * d.out_w), burst) /
                                             channel_share(hw, static_cast<uint64_t>(d.out_h) * d.out_w, rows * d.out_w);
  t.store = r.latency + o_bus / r.bytes_per_cycle;
  t.post = static_cast<double>(post_cycles(static_cast<uint64_t>(std::ceil(std::max(1.0, post_ops(d, rows, channels)))), hw.post_lanes));
  if (conv) {
    t.w_bytes = static_cast<uint64_t>(std::ceil(static_cast<double>(f.weight_bytes) * channels / d.out_c));
    t.load_w = r.latency + bus_bytes(1, static_cast<double>(t.w_bytes), burst) / r.bytes_per_cycle + weight_run_switches(d) * row_switch(r);
    if (f.flexor && !hw.streaming_decrypt) {
      t.decrypt = std::ceil((static_cast<double>(channels) * f.k / d.n_out + 1) * d.q / std::max(1, hw.decrypt_units));
      t.load_w = std::max(t.load_w, t.decrypt) + 1;
    }
    t.pe = pe_tile_cycles(d, m, f, hw, rows * d.out_w, channels);
  }
  return t;
}

CostEstimate estimate(const LayerDescriptor& d, const LayerMapping& m, const LayerContext& ctx, const LayerFacts& f, const HwCaps& hw) {
  CostEstimate e;
  const Rates r = rates(hw);
  const bool conv = is_conv(d);
  const uint64_t rows = m.tile_rows, ch = conv ? m.tile_channels : d.out_c;
  const uint64_t nr = ceil_div(d.out_h, rows), nc = ceil_div(d.out_c, ch);
  const uint64_t last_rows = d.out_h - (nr - 1) * rows, last_ch = d.out_c - (nc - 1) * ch;
  // Four kinds of tile: full or last in rows, full or last in channels.
  const TileCost kinds[2][2] = {{tile_cost(d, m, f, hw, r, rows, ch), tile_cost(d, m, f, hw, r, rows, last_ch)},
                                {tile_cost(d, m, f, hw, r, last_rows, ch), tile_cost(d, m, f, hw, r, last_rows, last_ch)}};
  const double count[2][2] = {{static_cast<double>((nr - 1) * (nc - 1)), static_cast<double>(nr - 1)},
                              {static_cast<double>(nc - 1), 1.0}};
  // Weights load once per channel tile walked channels-outer (or when one tile spans the rows),
  // else once per tile; input rows load once per row tile walked rows-outer, else once per tile.
  const bool reload_weights = conv && !m.channels_outer && nc > 1;
  double load = 0, decrypt = 0, pe = 0, post = 0, store = 0, bytes = kDescriptorBytes, load_bus = 0, store_bus = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      const TileCost& t = kinds[i][j];
      const double n = count[i][j];
      const double w_loads = !conv ? 0 : reload_weights ? n : (i == 1 ? n : 0);  // channels-outer: count each channel tile once (its last row tile)
      const double a_loads = reload_weights ? (j == 1 ? n : 0) : n;  // rows outer: a row tile's input serves all its channel tiles
      load += a_loads * t.load_a + w_loads * t.load_w;
      load_bus += a_loads * (t.load_a - r.latency) + w_loads * std::max(0.0, t.load_w - r.latency - (t.decrypt > 0 ? 1 : 0));
      store_bus += n * (t.store - r.latency);
      decrypt += w_loads * t.decrypt;
      pe += n * t.pe;
      post += n * t.post;
      store += n * t.store;
      bytes += a_loads * static_cast<double>(t.a_bytes) + n * static_cast<double>(t.out_bytes) + w_loads * static_cast<double>(t.w_bytes);
    }
  // Loads and stores share the memory: their transfer times (bursts at the sustained bandwidth,
  // without the latency each one waits) add up.
  const double dram = load_bus + store_bus;
  e.unit_cycles = {std::max(load, dram), decrypt, pe, post, store};
  e.dram_bytes = static_cast<uint64_t>(bytes);
  e.tiles = nr * nc;
  e.bound = static_cast<Unit>(std::max_element(e.unit_cycles.begin(), e.unit_cycles.end()) - e.unit_cycles.begin());
  // The window from the previous layer's end to this one's, as a flow shop: tiles of consecutive
  // layers pass the loader, PE array, post-processing and storer in order. Each stage X bounds it:
  // X starts this layer when it has finished the previous one (that layer's tail after X before its
  // end) and the first tile has reached X, works sum_X, and the last tile then still needs the
  // stages after X. The first tile's input waits for the rows it reads: when those are the rows
  // the previous layer stores last, its act load starts at that layer's end.
  const TileCost& first = kinds[nr == 1 ? 1 : 0][nc == 1 ? 1 : 0];
  const TileCost& last = kinds[1][1];
  e.tail = {last.pe + last.post + last.store, last.post + last.store, last.store, 0.0};
  const double w_first = conv ? first.load_w : 0.0;
  constexpr double kNever = -1e300;
  double dep = kNever;
  std::array<double, 4> prev_tail{};
  if (ctx.prev) {
    prev_tail = ctx.prev_cost.tail;
    if (ctx.reads_prev) {
      const LayerDescriptor& p = *ctx.prev;
      const LayerMapping& pm = ctx.prev_mapping;
      const bool as_rows = p.out_c == d.in_c && p.out_h == d.in_h && p.out_w == d.in_w;
      const uint64_t p_nc = is_conv(p) ? ceil_div(p.out_c, pm.tile_channels) : 1;
      const bool rows_progress = as_rows && (!pm.channels_outer || p_nc == 1);
      int iy0 = 0, ih = 0;
      tile_input_rows(d, 0, static_cast<uint32_t>(rows), iy0, ih);
      const uint64_t p_rows = std::max<uint32_t>(1, pm.tile_rows), p_nr = ceil_div(p.out_h, p_rows);
      if (!rows_progress || ceil_div(static_cast<uint64_t>(iy0 + ih), p_rows) >= p_nr) {
        dep = 0;
      } else {
        // Ready when the producer stores the row tile holding the last row it needs: roughly that
        // share of the producer's window before its end.
        const double remaining = static_cast<double>(p_nr - ceil_div(static_cast<uint64_t>(iy0 + ih), p_rows)) / p_nr;
        dep = -remaining * ctx.prev_cost.cycles;
      }
    }
  } else {
    dep = r.latency + 16 + kDescriptorBytes / r.bytes_per_cycle;  // the first descriptor's fetch and setup
  }
  // The first tile's loads: weights need no producer; activations wait for it.
  const double loader_free = -prev_tail[0];
  const double act_start = std::max(loader_free + w_first, dep);
  const double at_pe = std::max(act_start + first.load_a, loader_free + first.load_w);
  const double sums[4] = {std::max(load, dram), conv ? pe : 0.0, post, store};
  const double arrive[4] = {loader_free, at_pe, at_pe + (conv ? first.pe : 0.0), at_pe + (conv ? first.pe : 0.0) + first.post};
  double window = 0;
  for (int x = 0; x < 4; ++x) {
    const double start = x == 0 ? std::max(loader_free, dep - w_first) : std::max(-prev_tail[x], arrive[x]);
    window = std::max(window, start + sums[x] + e.tail[x]);
  }
  e.cycles = window;
  return e;
}

// ---------------------------------------------------------------- pipeline replay

// The memory as one server: a transfer of `busy` cycles of bus time issued at `start` takes the
// first free stretches from then on; it is done when its last byte moved, and no sooner than the
// latency after its issue plus its own bus time.
double reserve_memory(PipelineState& s, double start, double busy, double latency) {
  auto& v = s.memory_busy;
  double t = start, left = busy, fill_end = start;
  auto it = std::lower_bound(v.begin(), v.end(), start, [](const std::pair<double, double>& iv, double x) { return iv.second <= x; });
  std::vector<std::pair<double, double>> added;
  while (left > 0) {
    const double gap_end = it == v.end() ? 1e300 : it->first;
    t = std::max(t, it == v.begin() ? t : std::prev(it)->second);
    if (t < gap_end) {
      const double take = std::min(left, gap_end - t);
      added.emplace_back(t, t + take);
      left -= take;
      fill_end = t + take;
      t += take;
    }
    if (left > 0 && it != v.end()) t = std::max(t, it->second), ++it;
  }
  for (const auto& iv : added) v.insert(std::upper_bound(v.begin(), v.end(), iv), iv);
  // Merge touching intervals so the list stays short.
  std::vector<std::pair<double, double>> merged;
  for (const auto& iv : v) {
    if (!merged.empty() && iv.first <= merged.back().second + 1e-9) merged.back().second = std::max(merged.back().second, iv.second);
    else merged.push_back(iv);
  }
  v.swap(merged);
  return std::max(fill_end, start + latency + busy);
}

size_t take_half(std::array<double, 2>& halves, double& t) {
  const size_t i = halves[0] <= halves[1] ? 0 : 1;
  t = std::max(t, halves[i]);
  halves[i] = 1e300;  // held until released
  return i;
}

// When rows [y0, y0 + n) of the tensor at `addr` were stored (0 when no recent layer wrote it).
double input_ready(const PipelineState& s, uint64_t addr, uint64_t bytes, uint32_t c, uint32_t h, uint32_t w, int y0, int n) {
  for (auto it = s.outputs.rbegin(); it != s.outputs.rend(); ++it) {
    if (it->addr >= addr + bytes || it->addr + it->bytes <= addr) continue;
    if (it->addr != addr || it->c != c || it->h != h || it->w != w) return it->done;  // another view: the whole layer
    double t = 0;
    for (int y = y0; y < y0 + n; ++y) t = std::max(t, it->row_done[static_cast<size_t>(y)]);
    return t;
  }
  return 0;
}

double replay_layer(const LayerDescriptor& d, const LayerMapping& m, const LayerFacts& f, const HwCaps& hw, PipelineState& s) {
  const Rates r = rates(hw);
  const bool conv = is_conv(d);
  const auto op = static_cast<Opcode>(d.opcode);
  const double burst = std::max(1, hw.mem_burst_bytes);
  const uint32_t rows = m.tile_rows, ch = conv ? m.tile_channels : d.out_c;
  const uint32_t nr = static_cast<uint32_t>(ceil_div(d.out_h, rows)), nc = static_cast<uint32_t>(ceil_div(d.out_c, ch));
  const double prev_end = s.end;
  // Prune memory reservations no future transfer can reach.
  const double horizon = std::min(s.loader, s.storer);
  auto& busy = s.memory_busy;
  busy.erase(busy.begin(), std::lower_bound(busy.begin(), busy.end(), horizon, [](const std::pair<double, double>& iv, double x) { return iv.second < x; }));
  // The command processor fetches the descriptor (and a programmable decryptor's matrix) first.
  s.control += r.latency + kDescriptorBytes / r.bytes_per_cycle + 16;
  if (f.flexor && hw.programmable_matrix) s.control += d.n_out;
  s.loader = std::max(s.loader, s.control);
  PipelineState::Output out;
  out.addr = d.out_addr, out.c = d.out_c, out.h = d.out_h, out.w = d.out_w;
  out.bytes = static_cast<uint64_t>(d.out_c) * d.out_h * d.out_w;
  out.row_done.assign(d.out_h, 0);
  const uint64_t in_bytes = static_cast<uint64_t>(d.in_c) * d.in_h * d.in_w;
  struct WeightSlot {
    size_t half = 0;
    double ready = 0;
  };
  WeightSlot ws{};
  struct ActSlot {
    size_t half = 0;
    double ready = 0;
  };
  ActSlot as{};
  const bool channels_outer = !conv || m.channels_outer || nc == 1;
  int prev_rows_begin = -1, prev_rows_end = -1;
  auto tile = [&](uint32_t ri, uint32_t ci, bool w_first, bool w_last, bool a_first, bool a_last) {
    const uint32_t y0 = ri * rows, n_rows = std::min(rows, d.out_h - y0);
    const uint32_t o0 = ci * ch, n_ch = conv ? std::min(ch, d.out_c - o0) : d.out_c;
    double t = s.loader;
    if (w_first && conv) {
      ws.half = take_half(s.weight_half, t);
      const double w_bytes = std::ceil(static_cast<double>(f.weight_bytes) * n_ch / d.out_c);
      ws.ready = reserve_memory(s, t, bus_bytes(1, w_bytes, burst) / r.bytes_per_cycle + weight_run_switches(d) * row_switch(r), r.latency);
      if (f.flexor && !hw.streaming_decrypt) {
        const uint64_t k = f.k;
        const double slices = static_cast<double>((ceil_div((static_cast<uint64_t>(o0) + n_ch) * k, d.n_out) - o0 * k / d.n_out) * d.q);
        const double start = std::max(t, s.decryptor);
        s.decryptor = std::max(start + std::ceil(slices / std::max(1, hw.decrypt_units)), ws.ready) + 1;
        ws.ready = s.decryptor;
      }
    } else if (w_first) {
      ws.ready = reserve_memory(s, t, bus_bytes(1, 12.0 * (op == Opcode::Requant ? d.out_c : 0), burst) / r.bytes_per_cycle, r.latency);
    }
    if (a_first) {
      int iy0 = 0, ih = 0;
      tile_input_rows(d, y0, n_rows, iy0, ih);
      t = std::max(t, input_ready(s, d.in_addr, in_bytes, d.in_c, d.in_h, d.in_w, iy0, ih));
      if (op == Opcode::Add) t = std::max(t, input_ready(s, d.in2_addr, in_bytes, d.in_c, d.in_h, d.in_w, iy0, ih));
      as.half = take_half(s.act_half, t);
      const double inputs = op == Opcode::Add ? 2 : 1;
      // Rows the previous row tile loaded are reused on chip (the model's line-buffer reuse).
      int fresh = iy0;
      if (op != Opcode::Add && prev_rows_end > iy0 && iy0 >= prev_rows_begin) fresh = std::min(prev_rows_end, iy0 + ih);
      prev_rows_begin = iy0, prev_rows_end = iy0 + ih;
      ih = iy0 + ih - fresh;
      const uint64_t run = static_cast<uint64_t>(ih) * d.in_w;
      const double a_bus = ih == 0 ? 0.0 : static_cast<uint32_t>(ih) == d.in_h ? inputs * bus_bytes(1, static_cast<double>(in_bytes), burst)
                                                              : bus_bytes(inputs * d.in_c, static_cast<double>(run), burst) /
                                                                    channel_share(hw, static_cast<uint64_t>(d.in_h) * d.in_w, run);
      as.ready = reserve_memory(s, t, a_bus / r.bytes_per_cycle, r.latency);
    }
    s.loader = t;
    s.load_done = std::max({s.load_done, ws.ready, as.ready});  // loads complete in tile order
    const double ready = s.load_done;
    double pe_end = 0;
    size_t acc = 0;
    if (conv) {
      double start = std::max(s.pe, ready);
      acc = take_half(s.acc_half, start);
      pe_end = start + pe_tile_cycles(d, m, f, hw, static_cast<uint64_t>(n_rows) * d.out_w, n_ch);
      s.pe = pe_end;
      if (a_last) s.act_half[as.half] = pe_end;
      if (w_last) s.weight_half[ws.half] = pe_end;
    } else {
      pe_end = s.pe = std::max(s.pe, ready);  // passes the PE array
    }
    const double post_start = std::max(s.post, pe_end);
    s.post = post_start + static_cast<double>(post_cycles(static_cast<uint64_t>(std::ceil(std::max(1.0, post_ops(d, n_rows, n_ch)))), hw.post_lanes));
    if (conv) s.acc_half[acc] = s.post;
    else s.act_half[as.half] = s.post;
    s.storer = std::max(s.storer, s.post);
    const uint64_t run = static_cast<uint64_t>(n_rows) * d.out_w;
    const double o_bus = n_rows == d.out_h ? bus_bytes(1, static_cast<double>(run * n_ch), burst)
                                           : bus_bytes(n_ch, static_cast<double>(run), burst) / channel_share(hw, static_cast<uint64_t>(d.out_h) * d.out_w, run);
    s.store_done = std::max(s.store_done, reserve_memory(s, s.storer, o_bus / r.bytes_per_cycle, r.latency));
    for (uint32_t y = y0; y < y0 + n_rows; ++y) out.row_done[y] = std::max(out.row_done[y], s.store_done);
  };
  if (channels_outer) {
    for (uint32_t ci = 0; ci < nc; ++ci)
      for (uint32_t ri = 0; ri < nr; ++ri) tile(ri, ci, ri == 0, ri + 1 == nr, true, true);
  } else {
    for (uint32_t ri = 0; ri < nr; ++ri)
      for (uint32_t ci = 0; ci < nc; ++ci) tile(ri, ci, true, true, ci == 0, ci + 1 == nc);
  }
  out.done = s.store_done;
  s.end = std::max(s.end, s.store_done);
  s.outputs.push_back(std::move(out));
  if (s.outputs.size() > 8) s.outputs.erase(s.outputs.begin());
  return s.end - prev_end;
}

}  // namespace

const char* dataflow_name(Dataflow df) { return df == Dataflow::ReductionParallel ? "reduction-parallel" : "output-parallel"; }

void LayerMapping::apply(LayerDescriptor& d) const {
  d.tile_rows = tile_rows;
  d.tile_channels = is_conv(d) ? tile_channels : d.out_c;
  d.dataflow = static_cast<uint8_t>(dataflow);
  d.col_groups = static_cast<uint8_t>(col_groups);
  d.flags = channels_outer ? (d.flags | kDescChannelsOuter) : (d.flags & ~kDescChannelsOuter);
}

LayerMapping LayerMapping::of(const LayerDescriptor& d) {
  LayerMapping m;
  m.dataflow = static_cast<Dataflow>(d.dataflow);
  m.col_groups = std::max<uint32_t>(1, d.col_groups);
  m.tile_rows = d.tile_rows;
  m.tile_channels = d.tile_channels;
  m.channels_outer = (d.flags & kDescChannelsOuter) != 0;
  return m;
}

bool LayerMapping::operator==(const LayerMapping& o) const {
  return std::tie(dataflow, col_groups, tile_rows, tile_channels, channels_outer) ==
         std::tie(o.dataflow, o.col_groups, o.tile_rows, o.tile_channels, o.channels_outer);
}

std::string LayerMapping::str() const {
  std::ostringstream s;
  s << dataflow_name(dataflow);
  if (dataflow == Dataflow::OutputParallel && col_groups > 1) s << " g" << col_groups;
  s << ", tile " << tile_rows << " rows x " << tile_channels << " ch, " << (channels_outer ? "channels outer" : "rows outer");
  return s.str();
}

std::string LayerMapping::loop_nest(const LayerDescriptor& d, const HwCaps& hw) const {
  std::ostringstream s;
  const uint64_t k = is_conv(d) ? reduction_length(d) : 0;
  const uint64_t nr = ceil_div(d.out_h, tile_rows), nc = is_conv(d) ? ceil_div(d.out_c, tile_channels) : 1;
  const char* outer = channels_outer ? "k_tile" : "y_tile";
  const char* inner = channels_outer ? "y_tile" : "k_tile";
  s << "DRAM:   for " << outer << " in [0:" << (channels_outer ? nc : nr) << ")  for " << inner << " in [0:" << (channels_outer ? nr : nc) << ")\n";
  s << "buffer: tile = " << tile_rows << " rows x " << d.out_w << " cols (P = " << tile_rows * d.out_w << " positions) x "
    << (is_conv(d) ? tile_channels : d.out_c) << " channels";
  if (!is_conv(d)) return s.str() + "  (post-processing only)\n";
  s << ", K = " << k << "\n";
  if (dataflow == Dataflow::OutputParallel) {
    const uint32_t g = std::max<uint32_t>(1, col_groups);
    s << "time:   for p_grp in [0:P/" << hw.pe_rows * g << ")  for k_grp in [0:" << tile_channels << "/" << hw.pe_cols / g << ")  for kk in [0:K)\n";
    s << "space:  PE rows <- " << hw.pe_rows << " positions";
    if (g > 1) s << ", PE columns <- " << g << " position groups x " << hw.pe_cols / g << " channels\n";
    else s << ", PE columns <- " << hw.pe_cols << " channels\n";
  } else {
    s << "time:   for k_grp in [0:" << tile_channels << "/" << hw.pe_cols << ")  for c_chunk in [0:K/" << hw.pe_rows << ")  for p in [0:P)\n";
    s << "space:  PE rows <- " << hw.pe_rows << " reduction elements (adder tree per column), PE columns <- " << hw.pe_cols << " channels\n";
  }
  return s.str();
}

std::string CostModel::illegal(const LayerDescriptor& d, const LayerMapping& m) const {
  const bool conv = is_conv(d);
  if (m.tile_rows < 1 || m.tile_rows > d.out_h) return "tile rows " + std::to_string(m.tile_rows) + " outside [1, " + std::to_string(d.out_h) + "]";
  if (conv) {
    if (m.tile_channels < 1 || m.tile_channels > d.out_c)
      return "tile channels " + std::to_string(m.tile_channels) + " outside [1, " + std::to_string(d.out_c) + "]";
    const uint32_t g = m.col_groups;
    if (m.dataflow == Dataflow::ReductionParallel && !hw_.reduction_tree) return "the PE array has no adder trees (reduction-parallel)";
    if (m.dataflow == Dataflow::ReductionParallel && g != 1) return "the reduction-parallel dataflow has no column groups";
    if (g < 1 || (g & (g - 1)) || g > static_cast<uint32_t>(hw_.act_lanes) || hw_.pe_cols % g)
      return std::to_string(g) + " column groups: the array has " + std::to_string(hw_.act_lanes) + " activation lane(s) per row and " +
             std::to_string(hw_.pe_cols) + " columns";
  }
  const TileFootprint f = tile_footprint(d, m.tile_rows, conv ? m.tile_channels : d.out_c, storage());
  if (f.weight > hw_.weight_half() || f.act > hw_.act_half() || f.acc > hw_.acc_half())
    return "a tile needs " + std::to_string(f.weight) + " weight, " + std::to_string(f.act) + " activation and " + std::to_string(f.acc) +
           " accumulator bytes; buffer halves hold " + std::to_string(hw_.weight_half()) + ", " + std::to_string(hw_.act_half()) + " and " +
           std::to_string(hw_.acc_half());
  return "";
}

CostEstimate CostModel::cost(const LayerDescriptor& d, const LayerMapping& m, const LayerContext& ctx) const {
  return estimate(d, m, ctx, layer_facts(d, ctx, hw_), hw_);
}

double CostModel::replay(const LayerDescriptor& d, const LayerMapping& m, const LayerContext& ctx, PipelineState& state) const {
  return replay_layer(d, m, layer_facts(d, ctx, hw_), hw_, state);
}

LayerMapping GreedyMapper::map(const LayerDescriptor& d, const LayerContext&, const std::string& where) const {
  const HwCaps& hw = model_.hw();
  LayerMapping m;
  uint32_t channels = d.out_c;
  auto fits = [&](uint32_t rows, uint32_t ch) {
    const TileFootprint f = tile_footprint(d, rows, ch, model_.storage());
    return f.weight <= hw.weight_half() && f.act <= hw.act_half() && f.acc <= hw.acc_half();
  };
  if (is_conv(d)) {
    while (channels > 1 && !fits(1, channels)) {
      const uint32_t half = std::max<uint32_t>(1, channels / 2);
      channels = half >= static_cast<uint32_t>(hw.pe_cols) ? half / hw.pe_cols * hw.pe_cols : half;
    }
  }
  m.tile_channels = channels;
  m.tile_rows = 1;
  if (const std::string why = model_.illegal(d, m); !why.empty()) throw Error(where + ": no tile fits the buffers: one output row: " + why);
  while (m.tile_rows < d.out_h && fits(m.tile_rows + 1, channels)) ++m.tile_rows;
  if (is_conv(d) && channels < d.out_c) {
    // Rows outer reloads every channel tile's weights per row tile; channels outer reloads the
    // input rows per channel tile: take the one that moves fewer bytes.
    const uint32_t rows = m.tile_rows;
    const uint64_t row_tiles = ceil_div(d.out_h, rows), ch_tiles = ceil_div(d.out_c, channels);
    uint64_t weights = 0;
    for (uint32_t o0 = 0; o0 < d.out_c; o0 += channels) weights += weight_ranges(d, o0, std::min(channels, d.out_c - o0)).total_bytes();
    uint64_t acts = 0;
    for (uint32_t y0 = 0; y0 < d.out_h; y0 += rows) {
      int iy0, ih;
      tile_input_rows(d, y0, std::min(rows, d.out_h - y0), iy0, ih);
      acts += static_cast<uint64_t>(ih) * d.in_c * d.in_w;
    }
    m.channels_outer = weights + acts * ch_tiles < weights * row_tiles + acts;
  }
  return m;
}

namespace {

// Distinct tile sizes for splitting `total` into n tiles of whole `unit`s, n = 1, 2, ...: each
// tiling's smallest tile size that gives it.
std::vector<uint32_t> tile_sizes(uint32_t total, uint32_t unit, uint32_t max_size) {
  std::vector<uint32_t> sizes;
  const uint32_t units = static_cast<uint32_t>(ceil_div(total, unit));
  for (uint32_t n = 1; n <= units; ++n) {
    const uint32_t size = std::min<uint32_t>(total, static_cast<uint32_t>(ceil_div(units, n)) * unit);
    if (size <= max_size && (sizes.empty() || sizes.back() != size)) sizes.push_back(size);
  }
  return sizes;
}

// The most output rows whose input window fits `act_half` and whose accumulators fit `acc_half`.
uint32_t max_rows(const LayerDescriptor& d, uint32_t channels, uint64_t act_half, uint64_t acc_half) {
  uint32_t lo = 0, hi = d.out_h;
  while (lo < hi) {
    const uint32_t mid = (lo + hi + 1) / 2;
    if (act_footprint(d, mid) <= act_half && acc_footprint(d, mid, channels) <= acc_half) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

}  // namespace

std::vector<SearchMapper::Ranked> SearchMapper::rank(const LayerDescriptor& d, const LayerContext& ctx) const {
  const HwCaps& hw = model_.hw();
  const LayerFacts facts = layer_facts(d, ctx, hw);
  std::vector<Ranked> all;
  std::vector<LayerMapping> dataflows;
  if (is_conv(d)) {
    for (uint32_t g = 1; g <= static_cast<uint32_t>(std::max(1, hw.act_lanes)) && static_cast<int>(g) <= hw.pe_cols; g *= 2)
      if (hw.pe_cols % g == 0) {
        LayerMapping m;
        m.col_groups = g;
        dataflows.push_back(m);
      }
    if (hw.reduction_tree) {
      LayerMapping m;
      m.dataflow = Dataflow::ReductionParallel;
      dataflows.push_back(m);
    }
  } else {
    dataflows.push_back(LayerMapping{});
  }
  for (const LayerMapping& base : dataflows) {
    std::vector<uint32_t> channel_sizes{d.out_c};
    if (is_conv(d)) {
      const uint32_t unit = base.dataflow == Dataflow::OutputParallel ? std::max(1, hw.pe_cols / static_cast<int>(base.col_groups)) : hw.pe_cols;
      channel_sizes = tile_sizes(d.out_c, unit, d.out_c);
      if (channel_sizes.back() > unit) channel_sizes.push_back(unit);  // and below one column group, halving
      for (uint32_t c = unit / 2; c >= 1; c /= 2) channel_sizes.push_back(std::min(c, d.out_c));
    }
    for (uint32_t ch : channel_sizes) {
      if (is_conv(d) && weight_buffer_bytes_bound(d, ch, model_.storage()) > hw.weight_half()) continue;
      const uint32_t rows_max = max_rows(d, is_conv(d) ? ch : 0, hw.act_half(), hw.acc_half());
      if (rows_max < 1) continue;
      const uint64_t nc = ceil_div(d.out_c, ch);
      for (uint32_t rows : tile_sizes(d.out_h, 1, rows_max)) {
        const uint64_t nr = ceil_div(d.out_h, rows);
        for (bool outer : {false, true}) {
          if (outer && (nc == 1 || nr == 1)) continue;
          LayerMapping m = base;
          m.tile_channels = ch;
          m.tile_rows = rows;
          m.channels_outer = outer;
          all.push_back({m, estimate(d, m, ctx, facts, hw), true});
        }
      }
    }
  }
  auto by_cost = [](const Ranked& a, const Ranked& b) {
    // Predictions closer than the model can tell apart (kTieBand) are ties, decided by fewer DRAM
    // bytes, then fewer tiles.
    const double ca = std::floor(std::log(std::max(1.0, a.cost.cycles)) / std::log1p(kTieBand));
    const double cb = std::floor(std::log(std::max(1.0, b.cost.cycles)) / std::log1p(kTieBand));
    return std::tie(ca, a.cost.dram_bytes, a.cost.tiles) < std::tie(cb, b.cost.dram_bytes, b.cost.tiles);
  };
  std::stable_sort(all.begin(), all.end(), by_cost);
  if (ctx.pipeline) {
    // The closed form ranks; the best of it are replayed through the pipeline and re-ranked.
    const size_t n = std::min<size_t>(all.size(), kReplayed);
    for (size_t i = 0; i < n; ++i) {
      PipelineState state = *ctx.pipeline;
      all[i].cost.cycles = replay_layer(d, all[i].mapping, facts, hw, state);
    }
    std::stable_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), by_cost);
  }
  return all;
}

LayerMapping SearchMapper::map(const LayerDescriptor& d, const LayerContext& ctx, const std::string& where) const {
  for (const Ranked& c : rank(d, ctx))
    if (model_.illegal(d, c.mapping).empty()) return c.mapping;
  // Nothing fits: report the smallest tile's needs.
  LayerMapping smallest;
  smallest.tile_channels = 1;
  throw Error(where + ": no tile fits the buffers: one output row x 1 channel: " + model_.illegal(d, smallest));
}

std::unique_ptr<Mapper> make_mapper(MapperKind kind, const HwCaps& hw) {
  if (kind == MapperKind::Greedy) return std::make_unique<GreedyMapper>(hw);
  return std::make_unique<SearchMapper>(hw);
}

}  // namespace subbit
