// The RTL generator: from the architecture config the model reads, the configuration package
// (subbit_config_pkg.sv), the hard-wired XOR network of the config's M⊕ (xor_matrix_hardwired.sv,
// from the same generator as software/quant), and a file list. Every file's header names the
// config, its canonical hash and the command that made it.
#pragma once
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

}  // namespace subbit
