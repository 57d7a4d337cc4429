// The energy model (docs/energy.md): a hand calculation of one layer from its counters and the
// table's values, the accelerator's activity counters against what the mapping implies, and the
// energy table's validation.
#include <gtest/gtest.h>

#include <cmath>

#include "energy/energy_model.h"
#include "harness.h"
#include "hwif/tiling.h"
#include "netgen/netgen.h"
#include "quant/error.h"
#include "system/arch_params.h"

namespace subbit::test {
namespace {

// The shipped 45 nm values, written out.
const char* kTable = R"(name: test-45nm
technology_nm: 45
source: "Horowitz ISSCC 2014"
arithmetic: {int8_add_pj: 0.03, int32_add_pj: 0.1, int8_mult_pj: 0.2, int32_mult_pj: 3.1}
sram:
  access_bits: 64
  write_factor: 1.0
  points:
    - {capacity_kib: 8, read_pj: 10}
    - {capacity_kib: 32, read_pj: 20}
    - {capacity_kib: 1024, read_pj: 100}
logic: {xor2_pj: 0.0019, register_bit_pj: 0.00125}
leakage_uw: {pe: 2.0, sram_per_kib: 5.0, decrypt_unit: 0.5, post_lane: 5.0, control: 20.0}
)";

std::string error_of(const std::string& text) {
  try {
    energy::parse_energy_table(text, "bad.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

// One conv layer on the default hardware (16x16 PEs, 64/128/32 KiB buffers in 4 banks, one
// LPDDR4-3200 channel), energy worked out by hand from the counters below and the table above.
TEST(EnergyModel, HandCalculationOfOneLayer) {
  const energy::EnergyTable t = energy::parse_energy_table(kTable, "test.yaml");
  energy::Hardware hw;  // AccelParams defaults: 500 MHz, 16x16, acc 32 bits, α 8 bits, 1 decryption unit, 16 post lanes
  hw.banks = 4;
  hw.dram = dram::find_dram_preset("LPDDR4-3200");
  LayerStats s;
  s.window_cycles = 1000;  // 2 µs at 500 MHz
  s.weight_buf_read_bits = 6400, s.weight_buf_write_bits = 3200;
  s.act_buf_read_bits = 12800, s.act_buf_write_bits = 6400;
  s.acc_buf_read_bits = 6400, s.acc_buf_write_bits = 6400;
  s.xor_gate_ops = 100000;
  s.pe_ops = 50000, s.effectual_ops = 40000, s.alpha_mults = 1000;
  s.requant_ops = 500;
  s.descriptor_bytes = 64, s.reg_accesses = 10;
  const energy::DramCommands layer{8, 8, 90, 50, 0, 0};
  const energy::DramCommands inference{10, 10, 100, 50, 1, 1600};  // 1600 DRAM cycles x 0.625 ns = 1 µs with a bank open
  const energy::EnergyReport r = energy::compute_energy(t, hw, {s}, {layer}, inference);
  ASSERT_EQ(r.layers.size(), 1u);
  const energy::Breakdown& b = r.layers[0];

  // DRAM per command, DRAMPower's formulas over VDD1 (1.8 V) and VDD2 (1.1 V), tCK 0.625 ns:
  // ACT+PRE = 0.625 (1.1 (45*97 - 30*68 - 27*29) + 1.8 (3.5*97 - 2.25*68 - 2*29)) = 1060.125 + 144.5625
  EXPECT_NEAR(r.dram.act_pre_pj, 1204.6875, 1e-9);
  EXPECT_NEAR(r.dram.rd_pj, 1.1 * (275 - 30) * 8 * 0.625, 1e-9);                          // 1347.5
  EXPECT_NEAR(r.dram.wr_pj, 1.1 * (210 - 30) * 8 * 0.625, 1e-9);                          // 990
  EXPECT_NEAR(r.dram.ref_pj, (1.1 * (90 - 30) + 1.8 * (10 - 2.25)) * 448 * 0.625, 1e-9);  // 22386
  EXPECT_NEAR(r.dram.precharged_mw, 1.1 * 27 + 1.8 * 2, 1e-12);                            // 33.3
  EXPECT_NEAR(r.dram.active_mw, 1.1 * 30 + 1.8 * 2.25, 1e-12);                             // 37.05
  // The layer's own commands, plus (one layer: all of) the untagged ones: 2 ACT, 10 RD, the REF.
  const double shared = 2 * 1204.6875 + 10 * 1347.5 + 22386;
  EXPECT_NEAR(b.dram_dynamic, 8 * 1204.6875 + 90 * 1347.5 + 50 * 990 + shared, 1e-6);  // 218682.875
  // Background: 2 µs, 1 µs of it with a bank open.
  EXPECT_NEAR(b.dram_background, 33.3 * 1000 + 37.05 * 1000, 1e-6);  // 70350
  // SRAM per 64-bit access, one bank: weights 16 KiB -> 10 + 10 ln(2)/ln(4) = 15 pJ; activations
  // 32 KiB -> 20 pJ; accumulators 8 KiB -> 10 pJ; per bit / 64, writes as reads.
  EXPECT_NEAR(b.weight_sram, 15.0 / 64 * (6400 + 3200), 1e-9);  // 2250
  EXPECT_NEAR(b.act_sram, 20.0 / 64 * (12800 + 6400), 1e-9);    // 6000
  EXPECT_NEAR(b.acc_sram, 10.0 / 64 * (6400 + 6400), 1e-9);     // 2000
  EXPECT_NEAR(b.xor_decrypt, 0.0019 * 100000, 1e-9);            // 190
  // PE: a 32-bit add per issued op (0.1 pJ); α: an 8 x 32-bit multiply, 0.2 (256/64)^log16(15.5) =
  // 0.2 sqrt(15.5) = 0.787401 pJ, plus the add.
  EXPECT_NEAR(b.pe, 50000 * 0.1 + 1000 * (0.2 * std::sqrt(15.5) + 0.1), 1e-6);  // 5887.401
  EXPECT_NEAR(b.post, 500 * (3.1 + 0.1), 1e-9);                                // requant: 32 x 32 multiply + add
  EXPECT_NEAR(b.control, 0.00125 * (64 * 8 + 10 * 32), 1e-12);                 // 1.04
  // Leakage: (2*256 + 5*224 + 0.5 + 5*16 + 20) µW x 2 µs.
  EXPECT_NEAR(b.leakage, 1732.5 * 2, 1e-9);
  const double total = 218682.875 + 70350 + 2250 + 6000 + 2000 + 190 + 5887.401 + 1600 + 1.04 + 3465;
  EXPECT_NEAR(b.total(), total, 1e-3);
  EXPECT_NEAR(r.total.total(), total, 1e-3);
  EXPECT_NEAR(r.seconds, 2e-6, 1e-15);
}

TEST(EnergyModel, DerivedActionEnergiesThroughHorowitzPoints) {
  const energy::EnergyTable t = energy::parse_energy_table(kTable, "test.yaml");
  EXPECT_NEAR(energy::add_pj(t, 8), 0.03, 1e-12);
  EXPECT_NEAR(energy::add_pj(t, 32), 0.1, 1e-12);
  EXPECT_NEAR(energy::mult_pj(t, 8, 8), 0.2, 1e-12);
  EXPECT_NEAR(energy::mult_pj(t, 32, 32), 3.1, 1e-12);
  EXPECT_NEAR(energy::sram_access_pj(t, 8), 10, 1e-12);
  EXPECT_NEAR(energy::sram_access_pj(t, 32), 20, 1e-12);
  EXPECT_NEAR(energy::sram_access_pj(t, 1024), 100, 1e-12);
  EXPECT_NEAR(energy::sram_access_pj(t, 2), 10, 1e-12);  // clamped below the smallest point
  EXPECT_NEAR(energy::sram_access_pj(t, 181.019336), 60, 1e-4);  // geometric midpoint of 32 KiB and 1 MiB
}

TEST(EnergyModel, ShippedTableLoads) {
  const energy::EnergyTable t = energy::load_energy_table(std::string(SUBBIT_SOURCE_DIR) + "/" + energy::kDefaultEnergyTable);
  EXPECT_EQ(t.technology_nm, 45);
  EXPECT_NE(t.source.find("Horowitz"), std::string::npos);
  EXPECT_EQ(t.int8_add_pj, 0.03);
  EXPECT_EQ(t.int32_mult_pj, 3.1);
  ASSERT_EQ(t.sram.size(), 3u);
  EXPECT_EQ(t.sram[2].read_pj, 100);
}

TEST(EnergyModel, BadTablesAreRejectedNamingFileAndField) {
  std::string e = error_of(replaced(kTable, "int8_add_pj: 0.03", "int8_add_pj: -1"));
  EXPECT_NE(e.find("bad.yaml:4: field 'arithmetic.int8_add_pj': expected a number > 0"), std::string::npos) << e;
  EXPECT_NE(e.find("got \"-1\""), std::string::npos) << e;
  e = error_of(replaced(kTable, "int8_add_pj: 0.03, ", ""));
  EXPECT_NE(e.find("bad.yaml:4: field 'arithmetic.int8_add_pj': missing required key"), std::string::npos) << e;
  e = error_of(replaced(kTable, "xor2_pj:", "xor_pj:"));
  EXPECT_NE(e.find("bad.yaml:12: field 'logic.xor_pj': unknown key"), std::string::npos) << e;
  e = error_of(replaced(kTable, "capacity_kib: 32,", "capacity_kib: 4,"));
  EXPECT_NE(e.find("bad.yaml:10: field 'sram.points[1].capacity_kib': expected capacities in ascending order"), std::string::npos) << e;
  e = error_of(replaced(kTable, "access_bits: 64", "access_bits: wide"));
  EXPECT_NE(e.find("field 'sram.access_bits': expected a number"), std::string::npos) << e;
  e = error_of(replaced(kTable, "source: \"Horowitz ISSCC 2014\"\n", ""));
  EXPECT_NE(e.find("bad.yaml: field 'source': missing required key"), std::string::npos) << e;
  e = error_of("arithmetic: [1, 2");
  EXPECT_NE(e.find("bad.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;
  e = error_of("");
  EXPECT_NE(e.find("bad.yaml: expected a mapping"), std::string::npos) << e;
}

// The counters of a FleXOR LeNet-5 on the default DRAM: what the mapping implies, exactly.
TEST(EnergyCounters, FlexorLeNetCountersMatchTheMapping) {
  NetgenOptions o;
  o.network = "lenet5";
  o.scheme = Scheme::Flexor;
  o.tokens = 8;
  const Network net = make_network(o);
  const ArchConfig cfg = load_arch_config(std::string(SUBBIT_SOURCE_DIR) + "/configs/default.yaml");
  const AccelParams p = accel_params(cfg);
  const RunResult r = run_and_compare(net, random_input(net, 7), p, nullptr, nullptr, std::make_unique<DramMemoryModel>(cfg));
  ASSERT_EQ(r.error, regs::kErrorNone);
  ASSERT_EQ(r.mismatch, "");
  ASSERT_EQ(r.memory.tags.size(), r.layers.size());
  const XorMatrix m = XorMatrix::generate(p.n_out, p.n_in, p.fill, p.n_tap, p.xor_seed);
  int flexor_layers = 0;
  uint64_t tag_act = 0, tag_rd = 0, tag_wr = 0;
  for (const LayerStats& s : r.layers) {
    const LayerDescriptor& d = r.lowered.descriptors.at(s.index);
    const uint64_t positions = static_cast<uint64_t>(d.out_h) * d.out_w, outputs = positions * d.out_c;
    SCOPED_TRACE("layer " + std::to_string(s.index));
    EXPECT_EQ(s.descriptor_fetches, 1u);
    EXPECT_EQ(s.descriptor_bytes, sizeof(LayerDescriptor));
    EXPECT_GE(s.reg_accesses, 1u);
    EXPECT_GE(s.pe_ops, s.effectual_ops);
    EXPECT_LE(s.pe_ops, s.pe_cycles * p.pe_rows * p.pe_cols);
    const TagCounters& t = r.memory.tags[s.index];
    EXPECT_GE(t.rd * 32, s.dram_read_bytes);  // 32 B bursts cover the layer's reads
    EXPECT_GE(t.act, t.row_misses + t.row_conflicts);
    tag_act += t.act, tag_rd += t.rd, tag_wr += t.wr;
    if (static_cast<Opcode>(d.opcode) != Opcode::Conv) {
      EXPECT_EQ(s.decrypted_bits, 0u);
      EXPECT_EQ(s.weight_buf_read_bits, 0u);
      continue;
    }
    EXPECT_EQ(s.requant_ops, outputs);
    const uint64_t passes = pe_passes(d), k = reduction_length(d);
    const bool int8 = static_cast<WeightFormat>(d.weight_format) == WeightFormat::Int8;
    EXPECT_EQ(s.alpha_mults, int8 ? 0 : passes * outputs);  // int8 weights need no α
    if (int8) {
      EXPECT_EQ(s.int8_macs, s.pe_ops);
    }
    // Accumulators: every pass writes each output, the outputs are staged as bytes for the store.
    EXPECT_EQ(s.acc_buf_write_bits, passes * outputs * p.acc_bits + outputs * 8);
    EXPECT_EQ(s.acc_buf_read_bits, passes * outputs * p.acc_bits + outputs * 8);
    if (static_cast<WeightFormat>(d.weight_format) != WeightFormat::Flexor) continue;
    ++flexor_layers;
    // Weight loads: once per channel tile, or once per tile when row tiles are outer over several
    // channel tiles; each decrypts the slices covering its channels, in every plane.
    const uint64_t row_tiles = (d.out_h + d.tile_rows - 1) / d.tile_rows, ch_tiles = (d.out_c + d.tile_channels - 1) / d.tile_channels;
    const uint64_t loads = (d.flags & kDescChannelsOuter) || ch_tiles == 1 ? 1 : row_tiles;
    uint64_t bits = 0;
    for (uint64_t c = 0; c < ch_tiles; ++c) {
      const uint64_t o0 = c * d.tile_channels, oc = std::min<uint64_t>(d.tile_channels, d.out_c - o0);
      bits += loads * d.q * ((((o0 + oc) * k + d.n_out - 1) / d.n_out) - o0 * k / d.n_out) * d.n_out;
    }
    EXPECT_EQ(s.decrypted_bits, bits);
    EXPECT_GE(s.decrypted_bits, loads * d.q * d.out_c * k);  // every weight of every plane, per load
    EXPECT_EQ(s.xor_gate_ops, s.decrypted_bits / d.n_out * xor_gates_per_slice(m));
    EXPECT_EQ(s.xor_gate_ops, s.decrypted_bits * (p.n_tap - 1));  // a tap fill: N_tap inputs per output bit
    // The weight buffer holds the decrypted planes: what the PE array reads of it.
    if (static_cast<Dataflow>(d.dataflow) == Dataflow::ReductionParallel) {
      EXPECT_EQ(s.weight_buf_read_bits, row_tiles * passes * d.out_c * (k + p.alpha_bits));
    }
    EXPECT_GE(s.weight_buf_write_bits, s.decrypted_bits);
  }
  EXPECT_GT(flexor_layers, 0);
  EXPECT_LE(tag_act, r.memory.act);
  EXPECT_LE(tag_rd, r.memory.rd);
  EXPECT_LE(tag_wr, r.memory.wr);
  EXPECT_GT(r.memory.active_cycles, 0u);
  // And the energy of those counters: every layer's XOR share is the gate count's.
  const energy::EnergyTable t = energy::parse_energy_table(kTable, "test.yaml");
  energy::Hardware hw;
  hw.accel = p, hw.banks = cfg.buffers.banks, hw.dram = &cfg.dram_spec();
  std::vector<energy::DramCommands> layer_dram;
  for (const LayerStats& s : r.layers) {
    const TagCounters& tc = r.memory.tags[s.index];
    layer_dram.push_back({tc.act, tc.pre, tc.rd, tc.wr, 0, 0});
  }
  const energy::EnergyReport e = energy::compute_energy(
      t, hw, r.layers, layer_dram, {r.memory.act, r.memory.pre, r.memory.rd, r.memory.wr, r.memory.ref, r.memory.active_cycles});
  for (size_t i = 0; i < r.layers.size(); ++i) EXPECT_DOUBLE_EQ(e.layers[i].xor_decrypt, 0.0019 * r.layers[i].xor_gate_ops);
  EXPECT_GT(e.total.dram(), 0);
  EXPECT_GT(e.total.total(), e.total.dram());
}

}  // namespace
}  // namespace subbit::test
