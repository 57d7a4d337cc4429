#include "accel/accelerator.h"

#include <algorithm>
#include <cstring>

#include "hwif/registers.h"

namespace subbit {

using namespace sc_core;

using detail::ceil_div;

// ---------------------------------------------------------------- accelerator

Accelerator::Accelerator(sc_module_name name, const AccelParams& p)
    : sc_module(name),
      regs("regs", p),
      dma("dma", p.dma_burst_bytes, p.dma_outstanding),
      irq("irq"),
      p_(p),
      period_(1e3 / p.clock_mhz, SC_NS),
      to_load_("to_load", 4),
      loading_("loading", 4),
      loaded_("loaded", 2),
      decrypted_("decrypted", 2),
      computed_("computed", 2),
      processed_("processed", 2),
      storing_("storing", 4),
      decryptor_("decryptor", p, halves_),
      pe_("pe_array", p, halves_, decryptor_),
      post_("post", p, halves_) {
  regs.irq(irq);
  decryptor_.in(loaded_);
  decryptor_.out(decrypted_);
  pe_.in(decrypted_);
  pe_.out(computed_);
  post_.in(computed_);
  post_.out(processed_);
  SC_THREAD(control);
  SC_THREAD(loader);
  SC_THREAD(load_complete);
  SC_THREAD(storer);
  SC_THREAD(store_complete);
}

uint64_t Accelerator::cycle() const { return static_cast<uint64_t>(sc_time_stamp() / period_ + 0.5); }

uint32_t Accelerator::check_descriptor(const LayerDescriptor& d) const {
  using namespace regs;
  const auto op = static_cast<Opcode>(d.opcode);
  if (d.opcode < 1 || d.opcode > 5) return kErrorBadOpcode;
  if (!d.in_c || !d.in_h || !d.in_w || !d.out_c || !d.out_h || !d.out_w) return kErrorBadDescriptor;
  for (uint32_t bits : {d.in_bits, d.out_bits, op == Opcode::Add ? d.in2_bits : 8u})
    if (bits < 1 || bits > static_cast<uint32_t>(p_.act_bits)) return kErrorBadDescriptor;
  if (op == Opcode::Conv || op == Opcode::MaxPool || op == Opcode::AvgPool) {
    if (!d.kh || !d.kw || !d.sh || !d.sw || d.ph >= d.kh || d.pw >= d.kw || d.in_h + 2 * d.ph < d.kh || d.in_w + 2 * d.pw < d.kw)
      return kErrorBadDescriptor;
    if (d.out_h != (d.in_h + 2 * d.ph - d.kh) / d.sh + 1 || d.out_w != (d.in_w + 2 * d.pw - d.kw) / d.sw + 1) return kErrorBadDescriptor;
    if (op != Opcode::Conv && d.out_c != d.in_c) return kErrorBadDescriptor;
  } else if (d.out_c != d.in_c || d.out_h != d.in_h || d.out_w != d.in_w) {
    return kErrorBadDescriptor;
  }
  if (d.shift > 62) return kErrorBadDescriptor;
  if (!d.tile_rows || d.tile_rows > d.out_h) return kErrorBadDescriptor;
  if (op == Opcode::Conv) {
    if (!d.tile_channels || d.tile_channels > d.out_c) return kErrorBadDescriptor;
    switch (static_cast<WeightFormat>(d.weight_format)) {
      case WeightFormat::Int8: break;
      case WeightFormat::SignedBinary:
        if (!d.region) return kErrorBadDescriptor;
        break;
      case WeightFormat::Flexor:
        // A hard-wired decryptor has one slice shape; a programmable one takes any N_in up to its
        // width (the unused matrix columns are zero) at its N_out.
        if (d.n_out != static_cast<uint32_t>(p_.n_out) || d.n_in > static_cast<uint32_t>(p_.n_in) || d.n_in < 1 ||
            (!p_.programmable_matrix && d.n_in != static_cast<uint32_t>(p_.n_in)))
          return kErrorDecryptorMismatch;
        [[fallthrough]];
      case WeightFormat::BitPlanes:
        if (d.q < 1 || d.q > 8 || ((d.flags & kDescTernary) && d.q != 2)) return kErrorBadDescriptor;
        break;
      default: return kErrorBadDescriptor;
    }
  }
  if (op == Opcode::Conv) {
    // The dataflow must be one the array is built for: column groups need an activation lane
    // each and must split the columns evenly; the reduction-parallel one needs the adder trees.
    const uint32_t groups = std::max<uint32_t>(1, d.col_groups);
    if (d.dataflow > static_cast<uint8_t>(Dataflow::ReductionParallel)) return kErrorBadDescriptor;
    if (static_cast<Dataflow>(d.dataflow) == Dataflow::ReductionParallel && (!p_.reduction_tree || groups != 1)) return kErrorBadDescriptor;
    if (groups & (groups - 1) || groups > static_cast<uint32_t>(p_.act_lanes) || p_.pe_cols % groups) return kErrorBadDescriptor;
  }
  const WeightStorage storage = p_.streaming_decrypt ? WeightStorage::AsStored : WeightStorage::Decrypted;
  const TileFootprint f = tile_footprint(d, d.tile_rows, op == Opcode::Conv ? d.tile_channels : d.out_c, storage);
  if (f.weight > p_.weight_buf_bytes / 2 || f.act > p_.act_buf_bytes / 2 || f.acc > p_.acc_buf_bytes / 2) return kErrorTileTooLarge;
  return kErrorNone;
}

void Accelerator::plan_layer(const LayerDescriptor& d, LayerStats& st, std::vector<TileJob*>& tiles) {
  const auto op = static_cast<Opcode>(d.opcode);
  const uint32_t row_tiles = static_cast<uint32_t>(ceil_div(d.out_h, d.tile_rows));
  auto make_tile = [&](uint32_t r, std::shared_ptr<WeightSet> ws, bool first, bool last) {
    auto* t = new TileJob;
    t->act = std::make_shared<std::vector<uint8_t>>();
    t->d = &d;
    t->stats = &st;
    t->y0 = r * d.tile_rows;
    t->rows = std::min(d.tile_rows, d.out_h - t->y0);
    tile_input_rows(d, t->y0, t->rows, t->iy0, t->ih);
    t->ws = std::move(ws);
    t->first_use = first;
    t->last_use = last;
    t->tile_index = static_cast<uint32_t>(tiles.size());
    tiles.push_back(t);
  };
  auto make_ws = [&](uint32_t o0, uint32_t oc) {
    auto ws = std::make_shared<WeightSet>();
    ws->o0 = o0;
    ws->oc = oc;
    ws->ranges = weight_ranges(d, o0, oc);
    return ws;
  };
  if (op == Opcode::Conv) {
    const uint32_t ch_tiles = static_cast<uint32_t>(ceil_div(d.out_c, d.tile_channels));
    auto channel_tile = [&](uint32_t c) { return make_ws(c * d.tile_channels, std::min(d.tile_channels, d.out_c - c * d.tile_channels)); };
    if ((d.flags & kDescChannelsOuter) || ch_tiles == 1) {
      for (uint32_t c = 0; c < ch_tiles; ++c) {
        auto ws = channel_tile(c);
        for (uint32_t r = 0; r < row_tiles; ++r) make_tile(r, ws, r == 0, r + 1 == row_tiles);
      }
    } else {
      // Rows outer: each row tile's input rows load once and serve every channel tile.
      for (uint32_t r = 0; r < row_tiles; ++r)
        for (uint32_t c = 0; c < ch_tiles; ++c) {
          make_tile(r, channel_tile(c), true, true);
          TileJob* t = tiles.back();
          if (c > 0) t->act = tiles[tiles.size() - 2]->act;
          t->act_first = c == 0;
          t->act_last = c + 1 == ch_tiles;
        }
    }
  } else if (op == Opcode::Requant) {
    auto ws = std::make_shared<WeightSet>();
    ws->oc = (d.flags & kDescPerTensor) ? 1 : d.out_c;
    ws->ranges.mult = ByteRange{d.mult_addr, 4ull * ws->oc, 0};
    ws->ranges.bias = ByteRange{d.bias_addr, 8ull * ws->oc, 0};
    for (uint32_t r = 0; r < row_tiles; ++r) make_tile(r, ws, r == 0, r + 1 == row_tiles);
  } else {
    for (uint32_t r = 0; r < row_tiles; ++r) make_tile(r, nullptr, false, false);
  }
  tiles.back()->last_of_layer = true;
  st.tiles = tiles.size();
}

void Accelerator::wait_for_input(uint32_t layer, uint64_t addr, const LayerDescriptor& d, int iy0, int ih) {
  const uint64_t begin = addr, end = addr + static_cast<uint64_t>(d.in_c) * d.in_h * d.in_w;
  for (uint32_t j = layer; j-- > 0;) {
    const LayerProgress& p = progress_[j];
    if (p.done || p.out_end <= begin || p.out_begin >= end) continue;
    // Row by row when the tensor is the producer's output as it is; otherwise (e.g. a flattened
    // view) the whole producer layer.
    const bool by_rows = p.out_begin == begin && p.out_c == d.in_c && p.out_h == d.in_h && p.out_w == d.in_w;
    while (!(p.done || (by_rows && p.rows_complete >= static_cast<uint32_t>(iy0 + ih)))) wait(progress_event_);
  }
}

// Issues each tile's loads in order: its weights when it is the first to use them (once a weight
// half is free), then, once the rows it reads are stored and an activation half is free, its input
// rows. Transfers stay in flight while the next tile's are issued; load_complete() waits for them.
void Accelerator::loader() {
  std::vector<DmaEngine::Segment> segs;
  for (;;) {
    TileJob* t = to_load_.read();
    const LayerDescriptor& d = *t->d;
    const auto op = static_cast<Opcode>(d.opcode);
    TileTimes& tt = t->times;
    tt.conv = op == Opcode::Conv;
    if (t->first_use) {
      if (op == Opcode::Conv) halves_.weight.wait();
      tt.w_start = now_cycles();
      WeightSet& ws = *t->ws;
      segs.clear();
      // The small per-channel runs (α, signs, mult, bias) first, the planes last: the transfer then
      // ends in a stream of row hits, which an FR-FCFS controller does not overtake with the next
      // transfer's, so transfers finish in the order they were issued.
      ws.alpha.resize(ws.ranges.alpha.size() * ws.oc);
      for (size_t i = 0; i < ws.ranges.alpha.size(); ++i) segs.push_back({ws.ranges.alpha[i].addr, ws.alpha.data() + i * ws.oc, ws.oc});
      ws.signs.assign(ws.ranges.signs.bytes + kBitPad, 0);
      segs.push_back({ws.ranges.signs.addr, ws.signs.data(), ws.ranges.signs.bytes});
      ws.mult.resize(ws.oc);
      ws.bias.resize(ws.oc);
      segs.push_back({ws.ranges.mult.addr, reinterpret_cast<uint8_t*>(ws.mult.data()), 4ull * ws.oc});
      segs.push_back({ws.ranges.bias.addr, reinterpret_cast<uint8_t*>(ws.bias.data()), 8ull * ws.oc});
      ws.raw.resize(ws.ranges.planes.size());
      for (size_t i = 0; i < ws.ranges.planes.size(); ++i) {
        ws.raw[i].assign(ws.ranges.planes[i].bytes + kBitPad, 0);
        segs.push_back({ws.ranges.planes[i].addr, ws.raw[i].data(), ws.ranges.planes[i].bytes});
      }
      t->w_dma = dma.start(segs, false, t->stats->index);
    } else {
      tt.w_start = tt.w_end = now_cycles();
    }
    tt.dep_start = now_cycles();
    if (!t->act_first) {  // the rows the previous tile loaded are still in the half
      tt.dep_end = tt.a_start = now_cycles();
      loading_.write(t);
      continue;
    }
    wait_for_input(t->stats->index, d.in_addr, d, t->iy0, t->ih);
    if (op == Opcode::Add) wait_for_input(t->stats->index, d.in2_addr, d, t->iy0, t->ih);
    tt.dep_end = now_cycles();
    halves_.act.wait();
    tt.a_start = now_cycles();
    segs.clear();
    const uint64_t row_bytes = static_cast<uint64_t>(t->ih) * d.in_w;
    t->act->resize(row_bytes * d.in_c);
    // Line-buffer reuse: input rows the previous row tile of this layer loaded (a convolution's or
    // pooling window's overlap) are still in the other half; they are copied on chip and only the
    // new rows come from DRAM.
    int fresh = t->iy0;
    if (op != Opcode::Add && last_act_.act && last_act_.layer == t->stats->index && t->iy0 >= last_act_.iy0 &&
        t->iy0 < last_act_.iy0 + last_act_.ih) {
      fresh = std::min(last_act_.iy0 + last_act_.ih, t->iy0 + t->ih);
      t->reuse = last_act_;  // copied when the rows have arrived (load_complete)
      t->reuse_rows = fresh - t->iy0;
    }
    const uint64_t fresh_bytes = static_cast<uint64_t>(t->iy0 + t->ih - fresh) * d.in_w;
    for (uint32_t c = 0; fresh_bytes && c < d.in_c; ++c)
      segs.push_back({d.in_addr + (static_cast<uint64_t>(c) * d.in_h + fresh) * d.in_w,
                      t->act->data() + c * row_bytes + static_cast<uint64_t>(fresh - t->iy0) * d.in_w, fresh_bytes});
    t->act_loaded_bytes = fresh_bytes * d.in_c;
    last_act_ = {t->stats->index, t->iy0, t->ih, t->act};
    if (op == Opcode::Add) {
      t->act2.resize(row_bytes * d.in_c);
      for (uint32_t c = 0; c < d.in_c; ++c)
        segs.push_back({d.in2_addr + (static_cast<uint64_t>(c) * d.in_h + t->iy0) * d.in_w, t->act2.data() + c * row_bytes, row_bytes});
    }
    t->a_dma = dma.start(segs, false, t->stats->index);
    loading_.write(t);
  }
}

// Waits for each tile's transfers in order; a buffered decryptor expands the weights as they
// stream in. Then the tile moves on to the decryptor's output (the PE array's input).
void Accelerator::load_complete() {
  for (;;) {
    TileJob* t = loading_.read();
    TileTimes& tt = t->times;
    sc_time decrypted = SC_ZERO_TIME;
    if (t->w_dma) {
      if (!dma.complete(t->w_dma)) note_bus_error(t->stats->index);
      t->w_dma.reset();
      tt.w_end = now_cycles();
      const LayerDescriptor& d = *t->d;
      const uint64_t bytes = t->ws->ranges.total_bytes();
      if (static_cast<Opcode>(d.opcode) == Opcode::Conv && static_cast<WeightFormat>(d.weight_format) == WeightFormat::Flexor && !p_.streaming_decrypt) {
        // The buffer holds the decrypted planes (and the per-channel runs as loaded).
        const uint64_t before = t->stats->decrypted_bits;
        decrypted = decryptor_.schedule_load(*t, period_ * tt.w_start, sc_time_stamp());
        uint64_t plane_bytes = 0;
        for (const ByteRange& r : t->ws->ranges.planes) plane_bytes += r.bytes;
        t->stats->weight_buf_write_bits += (bytes - plane_bytes) * 8 + (t->stats->decrypted_bits - before);
      } else {
        t->stats->weight_buf_write_bits += bytes * 8;
      }
      t->stats->weight_read_bytes += bytes;
      t->stats->dram_read_bytes += bytes;
      t->stats->load_cycles += static_cast<uint64_t>(tt.w_end - tt.w_start + 0.5);
      if (halves_.log.on()) halves_.log.record(period_ * tt.w_start, "load-weights", *t, "bytes=" + std::to_string(bytes));
    }
    if (t->reuse.act) {  // the previous row tile's loads completed before this one's
      const LayerDescriptor& d = *t->d;
      const uint64_t row_bytes = static_cast<uint64_t>(t->ih) * d.in_w, prev_rows = static_cast<uint64_t>(t->reuse.ih) * d.in_w;
      const uint64_t from = static_cast<uint64_t>(t->iy0 - t->reuse.iy0) * d.in_w, keep = static_cast<uint64_t>(t->reuse_rows) * d.in_w;
      for (uint32_t c = 0; c < d.in_c; ++c) std::memcpy(t->act->data() + c * row_bytes, t->reuse.act->data() + c * prev_rows + from, keep);
      t->stats->act_buf_read_bits += keep * d.in_c * 8;  // the kept rows, copied from the other half
      t->reuse = {};
    }
    if (t->a_dma) {
      if (!dma.complete(t->a_dma)) note_bus_error(t->stats->index);
      t->a_dma.reset();
      t->stats->dram_read_bytes += t->act_loaded_bytes + t->act2.size();
      t->stats->act_buf_write_bits += (t->act->size() + t->act2.size()) * 8;  // loaded and kept rows
      if (halves_.log.on()) halves_.log.record(period_ * tt.a_start, "load-act", *t, "bytes=" + std::to_string(t->act_loaded_bytes + t->act2.size()));
    }
    tt.a_end = now_cycles();
    tt.ready = std::max(tt.a_end, decrypted / period_);
    t->stats->load_cycles += static_cast<uint64_t>(tt.a_end - tt.a_start + 0.5);
    loaded_.write(t);
  }
}

// Issues each post-processed tile's store (one run per output channel); store_complete() waits.
void Accelerator::storer() {
  std::vector<DmaEngine::Segment> segs;
  for (;;) {
    TileJob* t = processed_.read();
    const LayerDescriptor& d = *t->d;
    t->times.store_start = now_cycles();
    const uint32_t o0 = static_cast<Opcode>(d.opcode) == Opcode::Conv ? t->ws->o0 : 0;
    const uint32_t channels = static_cast<uint32_t>(t->out.size() / (static_cast<size_t>(t->rows) * d.out_w));
    const uint64_t bytes = static_cast<uint64_t>(t->rows) * d.out_w;
    segs.clear();
    for (uint32_t c = 0; c < channels; ++c)
      segs.push_back({d.out_addr + (static_cast<uint64_t>(o0 + c) * d.out_h + t->y0) * d.out_w, t->out.data() + c * bytes, bytes});
    t->s_dma = dma.start(segs, true, t->stats->index);
    storing_.write(t);
  }
}

// Marks rows stored as their transfers finish: what later layers' loads wait for.
void Accelerator::store_complete() {
  for (;;) {
    TileJob* t = storing_.read();
    const LayerDescriptor& d = *t->d;
    if (!dma.complete(t->s_dma)) note_bus_error(t->stats->index);
    t->s_dma.reset();
    t->times.store_end = now_cycles();
    tiles_.push_back(t->times);
    t->stats->store_cycles += static_cast<uint64_t>(t->times.store_end - t->times.store_start + 0.5);
    t->stats->dram_write_bytes += t->out.size();
    t->stats->acc_buf_read_bits += t->out.size() * 8;  // the staged outputs, read by the store
    if (halves_.log.on()) halves_.log.record(period_ * t->times.store_start, "store", *t, "bytes=" + std::to_string(t->out.size()));
    const uint32_t channels = static_cast<uint32_t>(t->out.size() / (static_cast<size_t>(t->rows) * d.out_w));
    LayerProgress& lp = progress_[t->stats->index];
    for (uint32_t y = t->y0; y < t->y0 + t->rows; ++y) lp.row_channels[y] += channels;
    while (lp.rows_complete < lp.out_h && lp.row_channels[lp.rows_complete] == lp.out_c) ++lp.rows_complete;
    if (t->last_of_layer) {
      lp.done = true;
      t->stats->end_cycle = cycle();
      ++layers_done_;
      regs.set_reg(regs::DESC_DONE, layers_done_);
    }
    delete t;
    progress_event_.notify(SC_ZERO_TIME);
  }
}

void Accelerator::control() {
  using namespace regs;
  for (;;) {
    wait(regs.start_event());
    regs.set_busy();
    const uint64_t start = cycle();
    const uint64_t read0 = dma.bytes_read(), write0 = dma.bytes_written(), regs0 = regs.accesses();
    const uint64_t desc_addr = regs.reg(DESC_ADDR_LO) | static_cast<uint64_t>(regs.reg(DESC_ADDR_HI)) << 32;
    const uint32_t count = regs.reg(DESC_COUNT);
    descs_.assign(count, LayerDescriptor{});
    stats_.assign(count, LayerStats{});
    progress_.assign(count, LayerProgress{});
    layers_done_ = 0;
    tiles_.clear();
    last_act_ = {};
    bus_error_ = false;
    uint32_t error = kErrorNone, error_index = 0, issued = 0;
    // Layer i+1 is fetched and its tiles issued while layer i still runs; the loader holds each
    // tile until the input rows it reads have been stored (wait_for_input).
    for (uint32_t i = 0; i < count; ++i) {
      LayerDescriptor& d = descs_[i];
      LayerStats& st = stats_[i];
      st.index = i;
      st.start_cycle = cycle();
      if (!dma.read(desc_addr + static_cast<uint64_t>(i) * kDescriptorBytes, reinterpret_cast<uint8_t*>(&d), sizeof(LayerDescriptor), i)) {
        error = kErrorBusError;
      } else {
        error = check_descriptor(d);
      }
      st.dram_read_bytes += sizeof(LayerDescriptor);
      ++st.descriptor_fetches;
      st.descriptor_bytes += sizeof(LayerDescriptor);
      std::shared_ptr<const XorMatrix> matrix;
      if (error == kErrorNone && static_cast<Opcode>(d.opcode) == Opcode::Conv && static_cast<WeightFormat>(d.weight_format) == WeightFormat::Flexor &&
          p_.programmable_matrix) {
        // A programmable decryptor loads the layer's M⊕ (N_out x N_in 0/1 bytes), one row a cycle.
        std::vector<uint8_t> m(static_cast<size_t>(d.n_out) * d.n_in);
        st.matrix_bytes += m.size();
        if (!dma.read(d.matrix_addr, m.data(), m.size(), i)) error = kErrorBusError;
        else if (std::any_of(m.begin(), m.end(), [](uint8_t v) { return v > 1; })) error = kErrorBadDescriptor;
        else matrix = std::make_shared<const XorMatrix>(XorMatrix::from_bytes(static_cast<int>(d.n_out), static_cast<int>(d.n_in), m.data()));
        wait(period_ * static_cast<double>(d.n_out));
      }
      if (error != kErrorNone) {
        error_index = i;
        break;
      }
      st.op = static_cast<Opcode>(d.opcode);
      LayerProgress& lp = progress_[i];
      lp.out_begin = d.out_addr;
      lp.out_end = d.out_addr + static_cast<uint64_t>(d.out_c) * d.out_h * d.out_w;
      lp.out_c = d.out_c, lp.out_h = d.out_h, lp.out_w = d.out_w;
      lp.row_channels.assign(d.out_h, 0);
      wait(period_ * static_cast<double>(p_.layer_setup_cycles));
      std::vector<TileJob*> tiles;
      plan_layer(d, st, tiles);
      for (TileJob* t : tiles) t->matrix = matrix;
      ++issued;
      for (TileJob* t : tiles) {
        t->times.issued = now_cycles();
        to_load_.write(t);
      }
    }
    while (layers_done_ < issued) wait(progress_event_);
    uint64_t pe_busy = 0, macs = 0, bits = 0;
    for (uint32_t i = 0; i < issued; ++i) pe_busy += stats_[i].pe_cycles, macs += stats_[i].macs, bits += stats_[i].decrypted_bits;
    if (bus_error_ && (error == kErrorNone || bus_error_layer_ <= error_index)) error = kErrorBusError, error_index = bus_error_layer_;
    regs.set_counter(PERF_CYCLES_LO, cycle() - start);
    regs.set_counter(PERF_DRAM_READ_LO, dma.bytes_read() - read0);
    regs.set_counter(PERF_DRAM_WRITE_LO, dma.bytes_written() - write0);
    regs.set_counter(PERF_PE_BUSY_LO, pe_busy);
    regs.set_counter(PERF_MACS_LO, macs);
    regs.set_counter(PERF_DECRYPTED_BITS_LO, bits);
    stats_.resize(issued);
    // Register accesses: each layer's DESC_DONE update, the six 64-bit counters and finish()'s
    // three writes, and the host's accesses while the layers ran (status polls), on the last layer.
    for (LayerStats& s : stats_) s.reg_accesses += 1;
    if (!stats_.empty()) stats_.back().reg_accesses += 6 * 2 + 3 + (regs.accesses() - regs0);
    attribute(start);
    regs.finish(error, error_index);
  }
}

// ---------------------------------------------------------------- bottleneck attribution

// Splits every layer's window by what the compute unit was doing or waiting for, the way a
// profiler splits stall reasons. The compute unit is the PE array for conv tiles and the
// post-processing unit for pooling, add and requant tiles. While it works, the time is its own
// ("pe"; "decrypt" for cycles a streaming decryptor held it back). While it idles, the time goes to
// whatever the next tile it will take is waiting for: its DMA loads ("dram"), the layer it reads
// ("dependency"), its decryption ("decrypt"), a free accumulator half (the post-processing or store
// in front of it), or its descriptor ("control").
void Accelerator::attribute(uint64_t start_cycle) {
  double prev = static_cast<double>(start_cycle);
  for (LayerStats& st : stats_) {
    st.window_cycles = st.end_cycle - static_cast<uint64_t>(prev);
    st.bound_cycles.fill(0);
    prev = static_cast<double>(st.end_cycle);
  }
  if (tiles_.empty() || stats_.empty()) return;
  const size_t n = tiles_.size();
  auto main_start = [&](const TileTimes& t) { return t.conv ? t.pe_start : t.post_start; };
  std::vector<double> first_unstarted(n);  // running max of main_start: monotonic, for the search
  for (size_t i = 0; i < n; ++i) first_unstarted[i] = std::max(i ? first_unstarted[i - 1] : 0.0, main_start(tiles_[i]));
  std::vector<size_t> conv;
  for (size_t i = 0; i < n; ++i)
    if (tiles_[i].conv) conv.push_back(i);
  // Units work in order, so each one's busy intervals are sorted: binary search them.
  auto busy = [&](const std::vector<size_t>& idx, double m, double TileTimes::*s, double TileTimes::*e) -> const TileTimes* {
    auto it = std::upper_bound(idx.begin(), idx.end(), m, [&](double v, size_t i) { return v < tiles_[i].*s; });
    if (it == idx.begin()) return nullptr;
    const TileTimes& t = tiles_[*(it - 1)];
    return m < t.*e ? &t : nullptr;
  };
  std::vector<size_t> all(n);
  for (size_t i = 0; i < n; ++i) all[i] = i;
  auto classify = [&](double m) {
    if (const TileTimes* t = busy(conv, m, &TileTimes::pe_start, &TileTimes::pe_end)) return m >= t->pe_end - t->pe_stall ? Bound::Decrypt : Bound::Pe;
    const TileTimes* post = busy(all, m, &TileTimes::post_start, &TileTimes::post_end);
    if (post && !post->conv) return Bound::Post;
    const bool storing = busy(all, m, &TileTimes::store_start, &TileTimes::store_end) != nullptr;
    const size_t i = static_cast<size_t>(std::upper_bound(first_unstarted.begin(), first_unstarted.end(), m) - first_unstarted.begin());
    if (i == n) return post ? Bound::Post : storing ? Bound::Store : Bound::Control;  // the pipeline drains
    const TileTimes& t = tiles_[i];
    if (m < t.issued) return Bound::Control;
    if (m < t.dep_start) return Bound::Dram;  // its weights, or the loads in front of it
    if (m < t.dep_end) return Bound::Dependency;
    if (m < t.a_end) return Bound::Dram;
    if (m < t.ready) return Bound::Decrypt;
    return post ? Bound::Post : storing ? Bound::Store : Bound::Control;  // a free accumulator half or FIFO slot
  };
  std::vector<double> cuts{static_cast<double>(start_cycle)};
  for (const LayerStats& st : stats_) cuts.push_back(static_cast<double>(st.end_cycle));
  const double first = cuts.front(), last = cuts.back();
  for (const TileTimes& t : tiles_)
    for (double v : {t.issued, t.w_start, t.w_end, t.dep_start, t.dep_end, t.a_start, t.a_end, t.ready, t.pe_start, t.pe_end, t.pe_end - t.pe_stall,
                     t.post_start, t.post_end, t.store_start, t.store_end})
      if (v > first && v < last) cuts.push_back(v);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  size_t layer = 0;
  for (size_t c = 0; c + 1 < cuts.size(); ++c) {
    const double a = cuts[c], b = cuts[c + 1];
    while (layer + 1 < stats_.size() && a >= static_cast<double>(stats_[layer].end_cycle)) ++layer;
    stats_[layer].bound_cycles[static_cast<size_t>(classify((a + b) / 2))] += b - a;
  }
}

}  // namespace subbit
