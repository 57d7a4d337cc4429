// Architecture config loader: both presets load with their documented values; a corpus of bad
// configs (each written to a temp file) gives exactly the expected message naming file, line and
// field.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "config/arch_config.h"
#include "dram/address_mapper.h"
#include "dram/dram_system.h"
#include "quant/error.h"

namespace {

using subbit::ArchConfig;
using subbit::Error;
using subbit::load_arch_config;

const std::string kRoot = SUBBIT_SOURCE_DIR;

// A valid config; the bad-config cases edit one of its lines (numbers in the comments).
const std::vector<std::string> kBase = {
    "name: test-accel",               // 1
    "clock_mhz: 500",                 // 2
    "pe_array:",                      // 3
    "  rows: 16",                     // 4
    "  cols: 16",                     // 5
    "act_bits: 8",                    // 6
    "acc_bits: 32",                   // 7
    "alpha_bits: 8",                  // 8
    "decryptor:",                     // 9
    "  units: 1",                     // 10
    "  n_in: 16",                     // 11
    "  n_out: 20",                    // 12
    "  n_tap: 2",                     // 13
    "  matrix: hardwired",            // 14
    "  seed: 1",                      // 15
    "buffers:",                       // 16
    "  weight_kib: 64",               // 17
    "  activation_kib: 128",          // 18
    "  accumulator_kib: 32",          // 19
    "  banks: 4",                     // 20
    "  double_buffered: true",        // 21
    "dram:",                          // 22
    "  standard: LPDDR4",             // 23
    "  preset: LPDDR4-3200",          // 24
    "  channels: 1",                  // 25
    "  address_mapping: RoBaRaCoCh",  // 26
    "  scheduler: fr-fcfs",           // 27
    "  page_policy: open",            // 28
    "  request_buffer_size: 32",      // 29
};

std::string text_with(int line, const std::string& replacement, bool remove = false) {
  std::string out;
  for (size_t i = 0; i < kBase.size(); ++i) {
    if (int(i) + 1 == line) {
      if (!remove) out += replacement + "\n";
    } else {
      out += kBase[i] + "\n";
    }
  }
  return out;
}

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/subbit_cfg_" + std::to_string(::getpid()) + "_" + name + ".yaml";
}

// Writes `text` to a temp file, loads it and returns the error message ("" if it loaded).
std::string load_error(const std::string& text, std::string* path_out) {
  const std::string path = temp_path("case");
  {
    std::ofstream f(path);
    f << text;
  }
  *path_out = path;
  try {
    load_arch_config(path);
  } catch (const Error& e) {
    std::remove(path.c_str());
    return e.what();
  }
  std::remove(path.c_str());
  return "";
}

TEST(ArchConfig, DefaultPresetLoads) {
  const ArchConfig c = load_arch_config(kRoot + "/configs/default.yaml");
  EXPECT_EQ(c.name, "edge-16x16");
  EXPECT_EQ(c.clock_mhz, 500);
  EXPECT_EQ(c.pe_array.rows, 16u);
  EXPECT_EQ(c.pe_array.cols, 16u);
  EXPECT_EQ(c.act_bits, 8u);
  EXPECT_EQ(c.acc_bits, 32u);
  EXPECT_EQ(c.alpha_bits, 8u);
  EXPECT_EQ(c.decryptor.units, 7u);
  EXPECT_EQ(c.pe_array.act_lanes, 1u);
  EXPECT_TRUE(c.pe_array.reduction_tree);
  EXPECT_EQ(c.decryptor.mode, subbit::DecryptMode::Buffered);
  EXPECT_EQ(c.decryptor.n_in, 16u);
  EXPECT_EQ(c.decryptor.n_out, 20u);
  EXPECT_EQ(c.decryptor.n_tap, 2u);
  EXPECT_EQ(c.decryptor.matrix, subbit::XorMatrixKind::Hardwired);
  EXPECT_EQ(c.decryptor.seed, 1u);
  EXPECT_EQ(c.buffers.weight_kib, 64u);
  EXPECT_EQ(c.buffers.activation_kib, 128u);
  EXPECT_EQ(c.buffers.accumulator_kib, 32u);
  EXPECT_TRUE(c.buffers.double_buffered);
  EXPECT_EQ(c.dram.standard, subbit::dram::Standard::LPDDR4);
  EXPECT_EQ(c.dram.preset, "LPDDR4-3200");
  EXPECT_EQ(c.dram.channels, 1u);
  EXPECT_EQ(c.dram.scheduler, subbit::dram::SchedulerKind::FrFcfs);
  EXPECT_EQ(c.dram.page_policy, subbit::dram::PagePolicyKind::Open);
  EXPECT_EQ(c.dram_spec().name, "LPDDR4-3200");
  EXPECT_DOUBLE_EQ(c.dram_spec().peak_gbps(), 6.4);
}

TEST(ArchConfig, LargePresetLoads) {
  const ArchConfig c = load_arch_config(kRoot + "/configs/large.yaml");
  EXPECT_EQ(c.name, "large-64x64");
  EXPECT_EQ(c.clock_mhz, 1000);
  EXPECT_EQ(c.pe_array.rows, 64u);
  EXPECT_EQ(c.pe_array.cols, 64u);
  EXPECT_EQ(c.decryptor.units, 40u);
  EXPECT_EQ(c.pe_array.act_lanes, 4u);
  EXPECT_EQ(c.decryptor.matrix, subbit::XorMatrixKind::Programmable);
  EXPECT_EQ(c.dram.standard, subbit::dram::Standard::DDR4);
  EXPECT_EQ(c.dram.preset, "DDR4-2400R");
  EXPECT_EQ(c.dram.channels, 2u);
  EXPECT_EQ(c.dram.address_mapping, "RoBaCoBgCh");
  EXPECT_EQ(c.dram.request_buffer_size, 64u);
  const subbit::dram::AddressMapper m(c.dram_spec(), c.dram.channels, c.dram.address_mapping);
  EXPECT_EQ(m.describe(), "Ro[33:18] Ba[17:16] Co[15:9] Bg[8:7] Ch[6] offset[5:0]");
  EXPECT_EQ(m.capacity(), uint64_t(16) << 30);
}

TEST(ArchConfig, BaseTextLoadsAndDefaultsApply) {
  // The corpus base is valid; optional keys fall back to their defaults.
  std::string path;
  EXPECT_EQ(load_error(text_with(0, ""), &path), "");
  std::string t = text_with(29, "", true);  // request_buffer_size
  t = t.substr(0, t.find("  scheduler"));   // drop scheduler, page_policy too
  t += "  page_policy: closed\n";
  const ArchConfig c = subbit::parse_arch_config(t, "mem.yaml");
  EXPECT_EQ(c.dram.request_buffer_size, 32u);
  EXPECT_EQ(c.dram.scheduler, subbit::dram::SchedulerKind::FrFcfs);
  EXPECT_EQ(c.dram.page_policy, subbit::dram::PagePolicyKind::Closed);
}

TEST(ArchConfig, CommandArbiterAndWriteDrainFields) {
  // Defaults: oldest-first arbitration (DRAMSys's CmdMuxOldest), FR-FCFS without write draining.
  const ArchConfig d = subbit::parse_arch_config(text_with(0, ""), "d.yaml");
  EXPECT_EQ(d.dram.cmd_arbiter, subbit::dram::CmdArbiterKind::Oldest);
  EXPECT_EQ(d.dram.write_high_watermark, 0u);
  // fr-fcfs-wm without watermarks: 3/4 and 1/4 of the request buffer.
  const ArchConfig w = subbit::parse_arch_config(text_with(27, "  scheduler: fr-fcfs-wm"), "w.yaml");
  EXPECT_EQ(w.dram.scheduler, subbit::dram::SchedulerKind::FrFcfsWm);
  EXPECT_EQ(w.dram.write_high_watermark, 24u);
  EXPECT_EQ(w.dram.write_low_watermark, 8u);
  // Explicit values and column-first arbitration; both survive the YAML round trip and reach DramParams.
  const ArchConfig e = subbit::parse_arch_config(
      text_with(27, "  scheduler: fr-fcfs-wm\n  write_high_watermark: 12\n  write_low_watermark: 0\n  cmd_arbiter: column-first"),
      "e.yaml");
  EXPECT_EQ(e.dram.write_high_watermark, 12u);
  EXPECT_EQ(e.dram.write_low_watermark, 0u);
  EXPECT_EQ(e.dram.cmd_arbiter, subbit::dram::CmdArbiterKind::ColumnFirst);
  const std::string y = subbit::arch_config_to_yaml(e);
  EXPECT_NE(y.find("write_high_watermark: 12"), std::string::npos) << y;
  EXPECT_NE(y.find("cmd_arbiter: column-first"), std::string::npos) << y;
  EXPECT_EQ(subbit::arch_config_to_yaml(subbit::parse_arch_config(y, "rt.yaml")), y);
  const subbit::dram::DramParams p = subbit::dram::DramParams::from_config(e.dram);
  EXPECT_EQ(p.watermarks.high, 12u);
  EXPECT_EQ(p.watermarks.low, 0u);
  EXPECT_EQ(p.cmd_arbiter, subbit::dram::CmdArbiterKind::ColumnFirst);
  // Only a high watermark given: the low one defaults below it.
  const ArchConfig h = subbit::parse_arch_config(text_with(27, "  scheduler: fr-fcfs-wm\n  write_high_watermark: 4"), "h.yaml");
  EXPECT_EQ(h.dram.write_high_watermark, 4u);
  EXPECT_EQ(h.dram.write_low_watermark, 3u);
}

TEST(ArchConfig, YamlRoundTrip) {
  for (const char* f : {"/configs/default.yaml", "/configs/large.yaml", "/configs/edge-membound.yaml"}) {
    const ArchConfig a = load_arch_config(kRoot + f);
    const ArchConfig b = subbit::parse_arch_config(subbit::arch_config_to_yaml(a), "roundtrip.yaml");
    EXPECT_EQ(subbit::arch_config_to_yaml(a), subbit::arch_config_to_yaml(b)) << f;
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.clock_mhz, b.clock_mhz);
    EXPECT_EQ(a.dram.address_mapping, b.dram.address_mapping);
    EXPECT_EQ(a.decryptor.matrix, b.decryptor.matrix);
  }
}

struct BadCase {
  const char* what;
  int line;               // line of kBase to replace (0: use `text` verbatim)
  const char* replacement;  // nullptr: delete the line
  const char* expected;   // message after "<path>"
  int line2 = 0;          // optional second edit
  const char* replacement2 = nullptr;
};

const BadCase kBad[] = {
    {"not a number", 4, "  rows: abc", ":4: field 'pe_array.rows': expected a positive integer ≤ 256, got \"abc\""},
    {"zero", 4, "  rows: 0", ":4: field 'pe_array.rows': expected a positive integer ≤ 256, got \"0\""},
    {"too large", 5, "  cols: 300", ":5: field 'pe_array.cols': expected a positive integer ≤ 256, got \"300\""},
    {"fraction", 5, "  cols: 16.5", ":5: field 'pe_array.cols': expected a positive integer ≤ 256, got \"16.5\""},
    {"missing nested key", 5, nullptr, ":3: field 'pe_array.cols': missing required key"},
    {"missing top-level key", 1, nullptr, ": field 'name': missing required key"},
    {"typo in nested key", 5, "  colls: 16",
     ":5: field 'pe_array.colls': unknown key (expected one of: rows, cols, act_lanes, reduction_tree); did you mean 'cols'?"},
    {"typo in top-level key", 6, "act_bit: 8",
     ":6: field 'act_bit': unknown key (expected one of: name, clock_mhz, pe_array, act_bits, acc_bits, alpha_bits, "
     "decryptor, buffers, dram); did you mean 'act_bits'?"},
    {"unknown key", 8, "fancy_mode: on",
     ":8: field 'fancy_mode': unknown key (expected one of: name, clock_mhz, pe_array, act_bits, acc_bits, "
     "alpha_bits, decryptor, buffers, dram)"},
    {"duplicate key", 5, "  rows: 8", ":5: field 'pe_array.rows': duplicate key"},
    {"negative clock", 2, "clock_mhz: -5", ":2: field 'clock_mhz': expected a number ≥ 1 and ≤ 5000 (MHz), got \"-5\""},
    {"clock not a number", 2, "clock_mhz: fast",
     ":2: field 'clock_mhz': expected a number ≥ 1 and ≤ 5000 (MHz), got \"fast\""},
    // Issue 11: a clock this slow overflowed SystemC's picosecond time and hung the run.
    {"absurdly slow clock", 2, "clock_mhz: 1e-9", ":2: field 'clock_mhz': expected a number ≥ 1 and ≤ 5000 (MHz), got \"1e-9\""},
    {"empty value", 2, "clock_mhz:", ":2: field 'clock_mhz': expected a number ≥ 1 and ≤ 5000 (MHz), got nothing"},
    {"act bits", 6, "act_bits: 17", ":6: field 'act_bits': expected a positive integer ≤ 16, got \"17\""},
    {"acc bits", 7, "acc_bits: 4", ":7: field 'acc_bits': expected an integer from 8 to 64, got \"4\""},
    {"n_in above n_out", 11, "  n_in: 24",
     ":11: field 'decryptor.n_in': expected a positive integer ≤ 20 (n_in ≤ n_out = 20), got \"24\""},
    {"n_tap above n_in", 13, "  n_tap: 17",
     ":13: field 'decryptor.n_tap': expected a positive integer ≤ 16 (n_tap ≤ n_in = 16), got \"17\""},
    {"matrix kind", 14, "  matrix: hardwire",
     ":14: field 'decryptor.matrix': expected one of hardwired, programmable, got \"hardwire\""},
    {"seed missing", 15, nullptr,
     ":9: field 'decryptor.seed': missing required key (a hard-wired matrix is generated from its seed)"},
    {"negative seed", 15, "  seed: -1", ":15: field 'decryptor.seed': expected a non-negative integer < 2^64, got \"-1\""},
    {"list instead of number", 10, "  units: [1, 2]", ":10: field 'decryptor.units': expected a positive integer ≤ 256, got a list"},
    {"banks not a power of two", 20, "  banks: 3", ":20: field 'buffers.banks': expected a power of two from 1 to 64, got \"3\""},
    {"bool", 21, "  double_buffered: yes", ":21: field 'buffers.double_buffered': expected true or false, got \"yes\""},
    {"buffer size", 17, "  weight_kib: 100000",
     ":17: field 'buffers.weight_kib': expected a positive integer ≤ 65536, got \"100000\""},
    {"standard", 23, "  standard: DDR5", ":23: field 'dram.standard': expected one of DDR4, LPDDR4, got \"DDR5\""},
    {"preset of another standard", 24, "  preset: DDR4-2400R",
     ":24: field 'dram.preset': expected an LPDDR4 preset (one of LPDDR4-3200), got \"DDR4-2400R\" (a DDR4 preset)"},
    {"unknown preset", 24, "  preset: LPDDR4-4266",
     ":24: field 'dram.preset': expected an LPDDR4 preset (one of LPDDR4-3200), got \"LPDDR4-4266\""},
    {"channels", 25, "  channels: 3", ":25: field 'dram.channels': expected a power of two from 1 to 16, got \"3\""},
    {"mapping: unknown field", 26, "  address_mapping: RoBaXxCo",
     ":26: field 'dram.address_mapping': expected field names Ro, Ba, Bg, Ra, Co, Ch (e.g. RoBaRaCoCh); unknown "
     "field 'Xx' at position 5, got \"RoBaXxCo\""},
    {"mapping: repeated field", 26, "  address_mapping: RoBaCoRo",
     ":26: field 'dram.address_mapping': expected each field at most once in a named mapping, field Ro appears "
     "twice, got \"RoBaCoRo\""},
    {"mapping: missing column", 26, "  address_mapping: RoBaCh",
     ":26: field 'dram.address_mapping': expected field Co in the mapping, got \"RoBaCh\""},
    {"mapping: widths", 26, "  address_mapping: Ro16 Ba3 Co5",
     ":26: field 'dram.address_mapping': expected the widths of Co to add up to 6 (LPDDR4-3200 x 1 channel: Ro16 "
     "Ba3 Bg0 Co6 Ch0), they add up to 5, got \"Ro16 Ba3 Co5\""},
    {"mapping: channel bits", 25, "  channels: 2",
     ":26: field 'dram.address_mapping': expected field Ch in the mapping (2 channels), got \"RoBaRaCo\"", 26,
     "  address_mapping: RoBaRaCo"},
    {"scheduler", 27, "  scheduler: frfcfs",
     ":27: field 'dram.scheduler': expected one of fr-fcfs, fcfs, fr-fcfs-wm, got \"frfcfs\""},
    {"command arbiter", 28, "  page_policy: open\n  cmd_arbiter: strict",
     ":29: field 'dram.cmd_arbiter': expected one of oldest, column-first, got \"strict\""},
    {"watermark without write draining", 27, "  scheduler: fr-fcfs\n  write_high_watermark: 8",
     ":28: field 'dram.write_high_watermark': expected only with scheduler fr-fcfs-wm (write draining), got it with "
     "scheduler fr-fcfs"},
    {"high watermark above the buffer", 27, "  scheduler: fr-fcfs-wm\n  write_high_watermark: 40",
     ":28: field 'dram.write_high_watermark': expected a positive integer ≤ 32 (dram.request_buffer_size), got \"40\""},
    {"low watermark not below the high one", 27,
     "  scheduler: fr-fcfs-wm\n  write_high_watermark: 8\n  write_low_watermark: 8",
     ":29: field 'dram.write_low_watermark': expected an integer from 0 to 7 (below dram.write_high_watermark), got \"8\""},
    {"page policy", 28, "  page_policy: opened",
     ":28: field 'dram.page_policy': expected one of open, closed, got \"opened\""},
    {"request buffer", 29, "  request_buffer_size: 0",
     ":29: field 'dram.request_buffer_size': expected a positive integer ≤ 1024, got \"0\""},
    {"act lanes above the columns", 5, "  cols: 16\n  act_lanes: 32",
     ":6: field 'pe_array.act_lanes': expected at most pe_array.cols = 16 lanes, got \"32\""},
    {"act lanes not a power of two", 5, "  cols: 16\n  act_lanes: 3",
     ":6: field 'pe_array.act_lanes': expected a power of two from 1 to 64, got \"3\""},
    {"reduction tree not a boolean", 5, "  cols: 16\n  reduction_tree: maybe",
     ":6: field 'pe_array.reduction_tree': expected true or false, got \"maybe\""},
    {"unknown decrypt mode", 14, "  matrix: hardwired\n  mode: stream",
     ":15: field 'decryptor.mode': expected one of buffered, streaming, got \"stream\""},
    {"name with space", 1, "name: my accel",
     ":1: field 'name': expected a name of 1 to 64 letters, digits, '_', '-' or '.', got \"my accel\""},
    {"scalar instead of mapping", 9, "decryptor: 4",
     ":9: field 'decryptor': expected a mapping with keys units, n_in, n_out, n_tap, matrix, mode, seed, got \"4\""},
};

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, GivesExpectedMessage) {
  const BadCase& c = GetParam();
  std::string text = text_with(c.line, c.replacement ? c.replacement : "", c.replacement == nullptr);
  if (std::string(c.what) == "scalar instead of mapping") {
    // drop the decryptor's nested lines too
    std::string out;
    for (size_t i = 0; i < kBase.size(); ++i) {
      if (i + 1 == 9)
        out += std::string(c.replacement) + "\n";
      else if (i + 1 < 10 || i + 1 > 15)
        out += kBase[i] + "\n";
    }
    text = out;
  }
  if (c.line2) {
    std::string out;
    size_t start = 0;
    for (int ln = 1; start < text.size(); ++ln) {
      const size_t eol = text.find('\n', start);
      out += (ln == c.line2 ? std::string(c.replacement2) : text.substr(start, eol - start)) + "\n";
      start = eol + 1;
    }
    text = out;
  }
  std::string path;
  const std::string msg = load_error(text, &path);
  EXPECT_EQ(msg, path + c.expected) << c.what;
}

std::string case_name(const ::testing::TestParamInfo<BadCase>& info) {
  std::string s = info.param.what;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadConfig, ::testing::ValuesIn(kBad), case_name);

TEST(ArchConfig, YamlSyntaxErrorNamesFileAndLine) {
  std::string path;
  const std::string msg = load_error(text_with(4, "  rows: [16"), &path);
  EXPECT_EQ(msg.rfind(path + ":", 0), 0u) << msg;
  EXPECT_NE(msg.find("YAML syntax error"), std::string::npos) << msg;
}

TEST(ArchConfig, EmptyDocument) {
  std::string path;
  const std::string msg = load_error("# nothing here\n", &path);
  EXPECT_EQ(msg, path + ": expected a mapping with the architecture fields, got an empty document");
}

TEST(ArchConfig, TopLevelList) {
  std::string path;
  const std::string msg = load_error("- a\n- b\n", &path);
  EXPECT_EQ(msg, path + ":1: expected a mapping with the architecture fields at the top level, got a list");
}

TEST(ArchConfig, MissingFile) {
  try {
    load_arch_config("/nonexistent/dir/x.yaml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/dir/x.yaml: no such file, expected an architecture config (YAML)");
  }
  try {
    load_arch_config("/tmp");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/tmp: is a directory, expected an architecture config (YAML)");
  }
}

TEST(ArchConfig, ProgrammableMatrixNeedsNoSeed) {
  // With the seed present it is accepted (and ignored by the model); without it, no error.
  const ArchConfig c = subbit::parse_arch_config(text_with(14, "  matrix: programmable"), "p.yaml");
  EXPECT_EQ(c.decryptor.matrix, subbit::XorMatrixKind::Programmable);
  std::string t = text_with(15, "", true);
  t.replace(t.find("hardwired"), 9, "programmable");
  EXPECT_EQ(subbit::parse_arch_config(t, "p.yaml").decryptor.matrix, subbit::XorMatrixKind::Programmable);
}

TEST(ArchConfig, BitFieldMappingAccepted) {
  const ArchConfig c = subbit::parse_arch_config(text_with(26, "  address_mapping: Ro16 Ba3 Co4 Co2"), "m.yaml");
  EXPECT_EQ(c.dram.address_mapping, "Ro16 Ba3 Co4 Co2");
}

}  // namespace
