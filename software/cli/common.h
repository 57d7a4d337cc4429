// Helpers shared by the subcommands: input files, tables, number formatting.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "dataset/idx.h"
#include "netfile/network.h"

namespace subbit {
struct SafetensorsFile;
}

namespace subbit::cli {

// An input tensor file: safetensors with one tensor "input" (I8, U8 or I16) of the network's
// input shape [C, H, W], every value within the input type. Throws subbit::Error on mismatch.
std::vector<int16_t> load_input(const std::string& path, const Network& net);
// The same checks on a file already read (parse_safetensors: fuzzing, tests/fuzz); messages name f.path.
std::vector<int16_t> input_from_safetensors(const SafetensorsFile& f, const Network& net);
void save_input(const std::string& path, const std::vector<int16_t>& values, const Shape& shape);

// Dataset pixels (uint8) to the network's input type, docs/numerics.md section 1.
// CLI11 validator: a seed is a non-negative integer (CLI11 would wrap "-1" into an unsigned).
CLI::Validator non_negative_seed();

// --budget-memory SIZE and --budget-ops N (also SUBBIT_BUDGET_MEMORY / SUBBIT_BUDGET_OPS) on a
// subcommand that loads networks: they set ResourceBudget::process_default() before it runs.
void add_budget_options(CLI::App* cmd);

// One Fashion-MNIST image as the network's input; throws naming the images file when the shapes differ.
std::vector<int16_t> pixels_to_input(const ImageSet& set, int index, const Network& net, const std::string& where);

// Fixed-width text table.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void rule() { rows_.push_back({}); }
  std::string str() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string fmt(double v, int decimals);
std::string with_commas(int64_t v);

}  // namespace subbit::cli
