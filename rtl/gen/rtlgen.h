// The RTL generator: from the architecture config the model reads, the configuration package
// (subbit_config_pkg.sv), the hard-wired XOR network of the config's M⊕ (xor_matrix_hardwired.sv,
// from the same generator as software/quant), and a file list. Every file's header names the
// config, its canonical hash and the command that made it.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "config/arch_config.h"

namespace subbit {

struct GeneratedFile {
  std::string name;  // file name inside the output directory
  std::string text;
};

// FNV-1a 64 of the canonical YAML (arch_config_to_yaml): equal configs hash equal whatever their
// layout, comments or omitted defaults.
uint64_t config_hash(const ArchConfig& c);

// The generated files, in compile order (package first). `command` is recorded in each header;
// `rtl_dir`, when given, adds the hand-written RTL (every unit, in dependency order) to files.f.
std::vector<GeneratedFile> generate_rtl(const ArchConfig& c, const std::string& command, const std::string& rtl_dir = "");

// The hand-written RTL units, in dependency order (file names in rtl/).
const std::vector<std::string>& rtl_units();

// Writes generate_rtl's files into `dir` (each written beside, then renamed, so a failed run leaves
// the previous file whole). Returns the paths written.
std::vector<std::string> write_rtl(const ArchConfig& c, const std::string& dir, const std::string& command, const std::string& rtl_dir = "");

// The compute core's buffer sizes for a config (compute_core.sv takes them from the package; the
// co-simulation transactor checks tiles against them). The weight and operand buffers hold the
// PE array's view (decrypted, one word per reduction step; im2col operands), not the packed bytes
// the config's buffers hold.
struct CoreGeometry {
  int rows = 16, cols = 16, act_lanes = 1, acc_bits = 32, kidx_bits = 16;
  bool reduction_tree = true;
  uint64_t wbuf_words = 0;   // weight-buffer words
  uint64_t abuf_bytes = 0;   // activation operand bytes
  uint64_t acc_entries = 0;  // accumulators
  uint64_t dir_entries = 8192, scale_words = 2048, channels = 4096;
  int awb() const { return std::max(rows * act_lanes, cols); }                        // operand word bytes
  int op_word_bits() const { return 8 + kidx_bits; }                                    // output-parallel lane
  int wb_bits() const { return std::max(cols * op_word_bits(), rows * cols); }          // weight word
  int ld_bits() const { return std::max(wb_bits(), awb() * 8); }                        // load word
  uint64_t abuf_words() const { return abuf_bytes / static_cast<uint64_t>(awb()); }
};
CoreGeometry core_geometry(const ArchConfig& c);

// What the RTL of a config depends on (the package's constants and the hard-wired network, without
// the headers): two configs with equal signatures have the same RTL.
std::string rtl_signature(const ArchConfig& c);

}  // namespace subbit
