// The area model (docs/area.md): the area table's validation, the synthesis JSON (used only for
// its own config), scaling from the table's references, the SRAM capacity model, the shares.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "area/area_model.h"
#include "quant/error.h"
#include "rtlgen.h"

namespace subbit::area {
namespace {

const std::string kSrc = SUBBIT_SOURCE_DIR;

std::string read(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

ArchConfig preset(const std::string& name) { return load_arch_config(kSrc + "/configs/" + name + ".yaml"); }
AreaTable shipped() { return load_area_table(kSrc + "/configs/area/osu018.yaml"); }

const UnitArea& unit(const AreaReport& r, const std::string& name) {
  for (const UnitArea& u : r.units)
    if (u.name == name) return u;
  throw Error("no unit " + name);
}

// 1-based line of the first line of `text` that starts with `prefix`.
int line_of(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string l;
  for (int n = 1; std::getline(in, l); ++n)
    if (l.rfind(prefix, 0) == 0) return n;
  return -1;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const size_t i = s.find(from);
  EXPECT_NE(i, std::string::npos) << from;
  if (i != std::string::npos) s.replace(i, from.size(), to);
  return s;
}

std::string error_of(const std::string& text) {
  try {
    parse_area_table(text, "t.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The synthesis fixture (trimmed from scripts/synth.sh's default.json) with the config's current hash.
SynthAreas fixture_for(const ArchConfig& c) {
  SynthAreas s = load_synth_json(kSrc + "/tests/models/area_synth_default.json");
  s.config_hash = config_hash_text(config_hash(c));
  return s;
}

TEST(AreaTable, ShippedTableLoads) {
  const AreaTable t = shipped();
  EXPECT_EQ(t.name, "osu018-area");
  EXPECT_EQ(t.version, "1");
  EXPECT_EQ(t.technology_nm, 180);
  EXPECT_NE(t.liberty.find("osu018"), std::string::npos);
  ASSERT_EQ(t.logic.size(), 4u);
  EXPECT_EQ(t.logic[0].unit, "pe_array");
  EXPECT_EQ(t.logic[0].area_um2, 8601415);
  EXPECT_EQ(t.logic[0].quantity, 256);
  EXPECT_EQ(t.logic[3].unit, "xor_decryptor_programmable");
  EXPECT_GE(t.sram.size(), 2u);
  EXPECT_GT(t.bitcell_um2, 4.0);
  EXPECT_LT(t.bitcell_um2, 6.0);
}

TEST(AreaTable, BadTablesAreRejectedNamingFileLineAndField) {
  const std::string good = read(kSrc + "/configs/area/osu018.yaml");
  ASSERT_NO_THROW(parse_area_table(good, "t.yaml"));
  // A missing top-level field: no line (it is nowhere in the file).
  EXPECT_EQ(error_of(replace(good, "version: \"1\"\n", "")), "t.yaml: field 'version': missing required key");
  // A missing nested field: the line of its mapping's key.
  {
    const std::string bad = replace(good, "    quantity: 256\n", "");
    EXPECT_EQ(error_of(bad), "t.yaml:" + std::to_string(line_of(bad, "  pe_array:")) + ": field 'logic.pe_array.quantity': missing required key");
  }
  // An unknown key, with a suggestion.
  {
    const std::string bad = replace(good, "  bitcell_um2: 4.6", "  bitcel_um2: 4.6");
    EXPECT_EQ(error_of(bad), "t.yaml:" + std::to_string(line_of(bad, "  bitcel_um2:")) +
                                 ": field 'sram.bitcel_um2': unknown key (expected one of: bitcell_um2, bitcell_source, efficiency_source, points); did "
                                 "you mean 'bitcell_um2'?");
  }
  // Bad values.
  {
    const std::string bad = replace(good, "  bitcell_um2: 4.6", "  bitcell_um2: -1");
    EXPECT_EQ(error_of(bad), "t.yaml:" + std::to_string(line_of(bad, "  bitcell_um2:")) +
                                 ": field 'sram.bitcell_um2': expected a number > 0 and ≤ 1000 (µm² per bit cell), got \"-1\"");
  }
  {
    const std::string bad = replace(good, "    per: pe ", "    per: lane ");
    EXPECT_EQ(error_of(bad), "t.yaml:" + std::to_string(line_of(bad, "    per: lane")) +
                                 ": field 'logic.pe_array.per': expected pe (what pe_array scales with), got \"lane\"");
  }
  {
    const std::string bad = replace(good, "{capacity_kib: 8, efficiency: 0.50}", "{capacity_kib: 8, efficiency: 1.5}");
    EXPECT_EQ(error_of(bad), "t.yaml:" + std::to_string(line_of(bad, "    - {capacity_kib: 8,")) +
                                 ": field 'sram.points[1].efficiency': expected a number > 0 and ≤ 1 (bit-cell area / macro area), got \"1.5\"");
  }
  {
    const std::string bad = replace(good, "{capacity_kib: 64, efficiency: 0.65}", "{capacity_kib: 4, efficiency: 0.65}");
    EXPECT_EQ(error_of(bad), "t.yaml:" + std::to_string(line_of(bad, "    - {capacity_kib: 4,")) +
                                 ": field 'sram.points[2].capacity_kib': expected capacities in ascending order (after 8 KiB), got 4 KiB");
  }
  {
    const std::string bad = replace(good, "\"fnv1a64:caea1559b8ea0542\"", "\"caea1559\"");
    EXPECT_EQ(error_of(bad), "t.yaml:" + std::to_string(line_of(bad, "    config_hash: \"caea1559\"")) +
                                 ": field 'logic.xor_decryptor_programmable.config_hash': expected fnv1a64:<16 hex digits>, got \"caea1559\"");
  }
  EXPECT_EQ(error_of("name: [x\n"), "t.yaml:2: YAML syntax error: end of sequence flow not found");  // yaml-cpp marks the end
  EXPECT_EQ(error_of(""), "t.yaml: expected a mapping with the area-table fields, got an empty document");
  // A missing file names the path.
  try {
    load_area_table("/nonexistent/area.yaml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/area.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("area table"), std::string::npos) << e.what();
  }
}

TEST(AreaModel, ScaledDefaultEqualsItsOwnReferences) {
  const AreaReport r = compute_area(shipped(), preset("default"), nullptr);
  EXPECT_NEAR(unit(r, "pe_array").area_um2, 8601415, 1e-6);
  EXPECT_NEAR(unit(r, "post_processor").area_um2, 4983217, 1e-6);
  EXPECT_NEAR(unit(r, "xor_decryptor").area_um2, 28959, 1e-6);
  for (const char* n : {"pe_array", "post_processor", "xor_decryptor"}) {
    EXPECT_EQ(unit(r, n).source, "scaled") << n;
    EXPECT_FALSE(unit(r, n).detail.empty()) << n;
  }
  for (const char* n : {"weight_buffer", "activation_buffer", "accumulator_buffer"}) EXPECT_EQ(unit(r, n).source, "sram-model") << n;
  ASSERT_EQ(r.units.size(), 6u);
  EXPECT_NEAR(r.logic_um2, 8601415 + 4983217 + 28959, 1e-6);
}

TEST(AreaModel, ScalingLaws) {
  const AreaTable t = shipped();
  const ArchConfig base = preset("default");
  const AreaReport r0 = compute_area(t, base, nullptr);
  ArchConfig c = base;
  c.pe_array.rows *= 2;  // twice the PEs; the lanes stay
  AreaReport r = compute_area(t, c, nullptr);
  EXPECT_NEAR(unit(r, "pe_array").area_um2, 2 * unit(r0, "pe_array").area_um2, 1e-6);
  EXPECT_NEAR(unit(r, "post_processor").area_um2, unit(r0, "post_processor").area_um2, 1e-6);
  c = base;
  c.pe_array.cols *= 2;  // twice the PEs and twice the lanes
  r = compute_area(t, c, nullptr);
  EXPECT_NEAR(unit(r, "pe_array").area_um2, 2 * unit(r0, "pe_array").area_um2, 1e-6);
  EXPECT_NEAR(unit(r, "post_processor").area_um2, 2 * unit(r0, "post_processor").area_um2, 1e-6);
  c = base;
  c.decryptor.units *= 2;
  r = compute_area(t, c, nullptr);
  EXPECT_NEAR(unit(r, "xor_decryptor").area_um2, 2 * unit(r0, "xor_decryptor").area_um2, 1e-6);
  // A programmable matrix scales from the programmable reference: 1,146,875 µm² / 800 output bits.
  c = base;
  c.decryptor.matrix = XorMatrixKind::Programmable;
  r = compute_area(t, c, nullptr);
  EXPECT_NEAR(unit(r, "xor_decryptor").area_um2, 1146875.0 / 800 * base.decryptor.units * base.decryptor.n_out, 1e-6);
  // Twice a buffer's capacity: more than once and at most twice its area (bigger macros are more
  // efficient); the other buffers unchanged.
  c = base;
  c.buffers.weight_kib *= 2;
  r = compute_area(t, c, nullptr);
  EXPECT_GT(unit(r, "weight_buffer").area_um2, unit(r0, "weight_buffer").area_um2);
  EXPECT_LE(unit(r, "weight_buffer").area_um2, 2 * unit(r0, "weight_buffer").area_um2);
  EXPECT_NEAR(unit(r, "activation_buffer").area_um2, unit(r0, "activation_buffer").area_um2, 1e-6);
  // More banks: smaller macros, more periphery; single buffering: half the macros, same bits.
  c = base;
  c.buffers.banks *= 4;
  r = compute_area(t, c, nullptr);
  EXPECT_GT(unit(r, "weight_buffer").area_um2, unit(r0, "weight_buffer").area_um2);
  c = base;
  c.buffers.double_buffered = false;
  r = compute_area(t, c, nullptr);
  EXPECT_LT(unit(r, "weight_buffer").area_um2, unit(r0, "weight_buffer").area_um2);
  EXPECT_GT(unit(r, "weight_buffer").area_um2, 0.5 * unit(r0, "weight_buffer").area_um2);
  // Default weight buffer by hand: 64 KiB = 2 halves x 4 banks = 8 macros of 8 KiB at efficiency 0.50.
  EXPECT_NEAR(unit(r0, "weight_buffer").area_um2, 8 * 8 * 8192 * 4.6 / 0.50, 1e-3);
}

TEST(AreaModel, SramAreaIsMonotoneInCapacity) {
  const AreaTable t = shipped();
  double prev_area = 0, prev_per_bit = 1e30;
  for (double kib = 0.25; kib <= 8192; kib *= 1.5) {
    const double a = sram_macro_um2(t, kib), per_bit = a / (kib * 8192);
    EXPECT_GT(a, prev_area) << kib;
    EXPECT_LE(per_bit, prev_per_bit + 1e-12) << kib;
    EXPECT_GE(per_bit, t.bitcell_um2) << kib;  // efficiency ≤ 1
    prev_area = a, prev_per_bit = per_bit;
  }
  // Linear in log capacity between the points: 8 -> 64 KiB goes 0.50 -> 0.65, so 8·√8 ≈ 22.6 KiB is halfway.
  EXPECT_NEAR(sram_efficiency(t, 8 * std::sqrt(8.0)), 0.575, 1e-9);
  EXPECT_NEAR(sram_efficiency(t, 0.1), 0.30, 1e-12);    // clamped below the first point
  EXPECT_NEAR(sram_efficiency(t, 1e6), 0.72, 1e-12);    // and above the last
}

TEST(AreaModel, SharesSumToOneAndTheXorShareIsShown) {
  for (const char* p : {"default", "edge-membound", "large"}) {
    const AreaReport r = compute_area(shipped(), preset(p), nullptr);
    double sum = 0;
    for (const UnitArea& u : r.units) sum += u.area_um2 / r.total_um2;
    EXPECT_NEAR(sum, 1.0, 1e-12) << p;
    EXPECT_NEAR(r.total_um2, r.logic_um2 + r.sram_um2, 1e-6) << p;
    EXPECT_GT(r.xor_decrypt_share(), 0) << p;
    EXPECT_LT(r.xor_decrypt_share(), 0.05) << p;
    EXPECT_NEAR(r.xor_decrypt_share(), unit(r, "xor_decryptor").area_um2 / r.total_um2, 1e-15) << p;
  }
}

TEST(AreaModel, SynthesisJsonOfTheConfigIsUsed) {
  const ArchConfig c = preset("default");
  const SynthAreas s = fixture_for(c);
  const AreaReport r = compute_area(shipped(), c, &s);
  EXPECT_EQ(unit(r, "pe_array").source, "synthesis");
  EXPECT_EQ(unit(r, "pe_array").area_um2, 8601415);
  EXPECT_EQ(unit(r, "post_processor").source, "synthesis");
  EXPECT_EQ(unit(r, "post_processor").area_um2, 4983217);
  EXPECT_EQ(unit(r, "xor_decryptor").source, "synthesis");
  EXPECT_EQ(unit(r, "xor_decryptor").area_um2, 28959);
  EXPECT_NE(unit(r, "xor_decryptor").detail.find("area_synth_default.json (539 cells"), std::string::npos) << unit(r, "xor_decryptor").detail;
  // A JSON without a unit: that unit is scaled.
  SynthAreas partial = s;
  partial.area_um2.erase("pe_array");
  EXPECT_EQ(unit(compute_area(shipped(), c, &partial), "pe_array").source, "scaled");
}

TEST(AreaModel, SynthesisJsonOfAnotherConfigIsRefused) {
  const ArchConfig def = preset("default"), large = preset("large");
  const SynthAreas s = fixture_for(def);
  const std::string want = config_hash_text(config_hash(large));
  try {
    compute_area(shipped(), large, &s);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("area_synth_default.json: synthesis of another config"), std::string::npos) << m;
    EXPECT_NE(m.find(s.config_hash), std::string::npos) << m;
    EXPECT_NE(m.find(want), std::string::npos) << m;
    EXPECT_NE(m.find("scripts/synth.sh --config"), std::string::npos) << m;
  }
  // As measured (the hash written by synth.sh then), against a config that hashes differently.
  SynthAreas stale = load_synth_json(kSrc + "/tests/models/area_synth_default.json");
  stale.config_hash = "fnv1a64:0000000000000001";
  EXPECT_THROW(compute_area(shipped(), def, &stale), Error);
}

TEST(SynthJson, BadFilesNameTheFileAndField) {
  auto err = [](const std::string& text) {
    try {
      parse_synth_json(text, "s.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(err(R"({"design": "d", "library": "l", "units": {}})"), "s.json: field 'config_hash': missing (expected scripts/synth.sh's output)");
  EXPECT_EQ(err(R"({"config_hash": "x", "design": "d", "library": "l", "units": {}})"),
            "s.json: field 'config_hash': expected fnv1a64:<16 hex digits>, got \"x\"");
  const std::string head = R"({"config_hash": "fnv1a64:0123456789abcdef", "design": "d", "library": "l", )";
  EXPECT_EQ(err(head + R"("units": {"pe": {"status": "ok", "area": null}}})"),
            "s.json: field 'units.pe.area': null: synthesized without a liberty (generic cells), no area; rerun scripts/synth.sh with a liberty");
  EXPECT_EQ(err(head + R"("units": {"pe": {"status": "ok", "area": "big"}}})"), "s.json: field 'units.pe.area': expected a number of µm² ≥ 0, got \"big\"");
  EXPECT_EQ(err(head + R"("units": {"pe": {"status": "failed", "area": null}}})"), "(no error)");  // a failed unit has no area
  EXPECT_EQ(err(head + R"("units": []})"), "s.json: field 'units': expected an object of units, got a list");
  EXPECT_NE(err("{nope").find("s.json: not a JSON file"), std::string::npos);
  try {
    load_synth_json("/nonexistent/synth.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/synth.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace subbit::area
