// subbit sweep (docs/sweep.md): the testable parts of a design-space sweep. The sweep file and its
// checks, the grid of points (base configs × grid values × networks × schemes) with stable ids, a
// point's config (the base config with the grid's overrides), the result tables (CSV, JSON), the
// Pareto fronts, the HTML page and the Slurm scripts. Running the points is cmd_sweep.cpp's.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "netgen/netgen.h"

namespace subbit::sweep {

struct GridAxis {
  std::string field;                // dotted config field, e.g. buffers.weight_kib
  std::vector<std::string> values;  // YAML scalars as written
};

struct NetworkEntry {
  std::string file;                  // a trained network (resolved path), or empty
  std::string generate;              // a netgen model, or empty
  std::vector<std::string> schemes;  // generate: scheme names (sweep_schemes())
  std::string label;                 // empty: the file's stem, or "<model> <scheme>"
  std::string accuracy;              // a training report (resolved path), or empty
  double report_accuracy = -1;       // its pytorch_integer_accuracy (-1: none)
  std::string report_scheme;         // its scheme ("flexor0.8"), or empty
  uint64_t seed = 1;                 // generate: seed of the weights
};

struct RunOptions {
  int images = 1;
  std::string dataset;   // empty: a seeded random input
  std::string data_dir;  // empty: run's default
  std::string mapper = "search";
  std::string memory = "dram";
  uint64_t seed = 1;  // --random-input
};

struct SweepSpec {
  std::string source;                // the sweep file as given
  std::string name;
  std::vector<std::string> configs;  // resolved paths
  std::vector<std::string> config_names;  // each config's `name`
  std::vector<GridAxis> grid;
  std::vector<NetworkEntry> networks;
  RunOptions run;
  nlohmann::json to_json() const;
};

// The sweep file's text; `base_dir` resolves its relative paths. Every problem throws subbit::Error
// "<source>:<line>: field '<path>': <expected>, got <found>", including those that read files: the
// configs and networks exist (the configs load), grid fields are config fields (applied to the first
// config, the loader knows them), training reports hold pytorch_integer_accuracy.
SweepSpec parse_sweep(const std::string& yaml_text, const std::string& source, const std::string& base_dir);
SweepSpec load_sweep(const std::string& path);

// Scheme names of `networks: - generate:` and their netgen options: int8, binary, bcqN, uniformN,
// ternary, signed_binary, flexorB (B bits per weight, e.g. flexor0.8 = n_in 16 of n_out 20).
// Throws subbit::Error "expected ..." (without a location) on an unknown name.
NetgenOptions netgen_options(const std::string& model, const std::string& scheme, uint64_t seed);

struct Point {
  size_t index = 0;
  std::string id;  // zero-padded index
  size_t config = 0;  // index into SweepSpec::configs
  std::vector<std::pair<std::string, std::string>> overrides;  // grid field -> value
  size_t network = 0;  // index into SweepSpec::networks
  std::string scheme;  // generate: the scheme; trained: the report's scheme or empty
  std::string label;
  std::string network_file;  // trained: the file; generated: <out>/networks/<model>_<scheme>[_s<seed>].safetensors
};

// Every point, in id order: base configs (outermost) × grid combinations (first grid field outer,
// last inner, values in file order) × networks × schemes (innermost).
std::vector<Point> expand(const SweepSpec& spec, const std::string& out_dir);
// Zero-padded: at least 4 digits, more when count needs them.
std::string point_id(size_t index, size_t count);

// `base_yaml` with each dotted field set to its value (keys created as needed), as YAML text. Throws
// subbit::Error when a path runs through a non-mapping value.
std::string apply_overrides(const std::string& base_yaml, const std::vector<std::pair<std::string, std::string>>& overrides,
                            const std::string& source);

// The Pareto front of (x, y), both minimized: front[i] is true unless some point j is ≤ in both and
// < in one. Points with a NaN coordinate are never on it and dominate nothing. Equal points are all
// on the front (none dominates the other).
std::vector<bool> pareto_front(const std::vector<std::pair<double, double>>& points);

// Sets "pareto_energy_latency", "pareto_area_latency", "pareto_accuracy_energy" and
// "pareto_accuracy_latency" on every record (false where the point is not ok or lacks a value).
void mark_pareto(std::vector<nlohmann::json>& records);

// The CSV table: a header and one row per record (columns in csv_columns(spec) order).
std::vector<std::string> csv_columns(const SweepSpec& spec);
std::string results_csv(const SweepSpec& spec, const std::vector<nlohmann::json>& records);
// The self-contained Pareto page (report::html_page).
std::string pareto_html(const SweepSpec& spec, const std::vector<nlohmann::json>& records);

// Slurm: a job array over `points` points, each task `subbit sweep SPEC -o DIR --point $SLURM_ARRAY_TASK_ID`;
// the merge job; and the submit script chaining them (absolute paths expected).
std::string slurm_array_script(const std::string& subbit, const std::string& spec, const std::string& dir, const std::string& name, size_t points);
std::string slurm_merge_script(const std::string& subbit, const std::string& spec, const std::string& dir, const std::string& name);
std::string slurm_submit_script();

// Shell single-quoting.
std::string shell_quote(const std::string& s);

// FNV-1a 64 of a string, as 16 hex digits (to notice edited inputs).
std::string fnv1a64(const std::string& bytes);

}  // namespace subbit::sweep
