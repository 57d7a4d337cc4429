// Accelerator architecture configuration: the one validated YAML loader that the SystemC model,
// the RTL generator, the reports and the tests all use. Every field, its range and its default are
// documented in docs/config.md; presets live in configs/*.yaml.
//
// load_arch_config() throws subbit::Error on any problem, naming file, line, the dotted field path,
// what was expected and what was found, e.g.
//   configs/x.yaml:12: field 'pe_array.rows': expected a positive integer ≤ 256, got "abc"
// Unknown keys are errors (they catch typos); a missing required key is named.
#pragma once
#include <cstdint>
#include <string>

#include "dram/dram_spec.h"

namespace subbit {

enum class XorMatrixKind { Hardwired, Programmable };
const char* xor_matrix_kind_name(XorMatrixKind k);  // "hardwired", "programmable"

struct PeArrayConfig {
  uint32_t rows = 0;            // 1..256
  uint32_t cols = 0;            // 1..256
  uint32_t act_lanes = 1;       // activation lanes per PE row (position groups across the columns), power of two <= cols, <= 64
  bool reduction_tree = true;   // per-column adder trees: the reduction-parallel dataflow
};

enum class DecryptMode { Buffered, Streaming };
const char* decrypt_mode_name(DecryptMode m);  // "buffered", "streaming"

// FleXOR XOR-gate decryption units (docs/domain.md section 2).
struct DecryptorConfig {
  uint32_t units = 0;  // parallel decryption units, 1..256
  uint32_t n_in = 0;   // encrypted bits per slice, 1..32, <= n_out
  uint32_t n_out = 0;  // decrypted bits per slice, 1..64
  uint32_t n_tap = 0;  // XOR inputs per output bit, 1..n_in
  XorMatrixKind matrix = XorMatrixKind::Hardwired;
  // buffered: decrypts on load, keeps decrypted planes in the weight buffer; streaming: keeps the
  // encrypted planes and decrypts them on every pass into the PE array.
  DecryptMode mode = DecryptMode::Buffered;
  uint64_t seed = 0;  // generator seed of the hard-wired matrix (ignored when programmable)
};

struct BufferConfig {
  uint32_t weight_kib = 0;       // 1..65536
  uint32_t activation_kib = 0;   // 1..65536
  uint32_t accumulator_kib = 0;  // 1..65536
  uint32_t banks = 1;            // SRAM banks per buffer, power of two 1..64
  bool double_buffered = true;
};

struct DramConfig {
  dram::Standard standard = dram::Standard::LPDDR4;
  std::string preset;              // a name from dram_presets(), of that standard
  uint32_t channels = 1;           // power of two 1..16
  std::string address_mapping = "RoBaRaCoCh";
  dram::SchedulerKind scheduler = dram::SchedulerKind::FrFcfs;
  // Scheduler fr-fcfs-wm: queued writes (per channel) at which writes start draining, and down to
  // which they drain; 0 <= low < high <= request_buffer_size (the loader fills in the defaults).
  uint32_t write_high_watermark = 0, write_low_watermark = 0;
  dram::CmdArbiterKind cmd_arbiter = dram::CmdArbiterKind::Oldest;  // command-bus arbitration
  dram::PagePolicyKind page_policy = dram::PagePolicyKind::Open;
  uint32_t request_buffer_size = 32;  // per channel, 1..1024
};

struct ArchConfig {
  std::string name;
  double clock_mhz = 0;  // accelerator clock, (0, 5000]
  PeArrayConfig pe_array;
  uint32_t act_bits = 8;    // max activation bits, 1..16
  uint32_t acc_bits = 32;   // accumulator width, 8..64
  uint32_t alpha_bits = 8;  // BCQ scale-factor (alpha) bits, 1..32
  DecryptorConfig decryptor;
  BufferConfig buffers;
  DramConfig dram;
  std::string source;  // file it was loaded from (or the name given to parse_arch_config)

  const dram::DramSpec& dram_spec() const;  // the preset's spec
};

ArchConfig load_arch_config(const std::string& path);
// Same rules for YAML text; `source_name` stands for the file name in messages.
ArchConfig parse_arch_config(const std::string& yaml_text, const std::string& source_name);
// Canonical YAML (every field, defaults written out); parse_arch_config() reads it back unchanged.
std::string arch_config_to_yaml(const ArchConfig& c);

}  // namespace subbit
