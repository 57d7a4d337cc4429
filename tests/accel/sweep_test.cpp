// subbit sweep's testable parts (software/cli/sweep.h, docs/sweep.md): the sweep file's checks and
// messages, grid expansion order and ids, config overrides, Pareto fronts, CSV, Slurm scripts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "cli/sweep.h"
#include "quant/error.h"

namespace subbit::sweep {
namespace {

const std::string kSrc = SUBBIT_SOURCE_DIR;

SweepSpec parse(const std::string& yaml) { return parse_sweep(yaml, "s.yaml", kSrc); }

std::string error_of(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Sweep, GridExpansionOrderAndIds) {
  const SweepSpec s = parse(
      "configs: [configs/default.yaml, configs/large.yaml]\n"
      "grid:\n"
      "  buffers.weight_kib: [32, 64]\n"
      "  pe_array.rows: [8, 16, 32]\n"
      "networks:\n"
      "  - generate: lenet5\n"
      "    schemes: [int8, flexor0.8]\n"
      "  - file: networks/mlp_binary.safetensors\n"
      "    label: mlp trained\n");
  EXPECT_EQ(s.name, "s");
  const std::vector<Point> p = expand(s, "/out");
  ASSERT_EQ(p.size(), 2u * 2 * 3 * 3);
  // configs outermost, then the grid (first field outer), then networks, then schemes.
  EXPECT_EQ(p[0].id, "0000");
  EXPECT_EQ(p[0].config, 0u);
  EXPECT_EQ(p[0].overrides, (std::vector<std::pair<std::string, std::string>>{{"buffers.weight_kib", "32"}, {"pe_array.rows", "8"}}));
  EXPECT_EQ(p[0].label, "lenet5 int8");
  EXPECT_EQ(p[0].network_file, "/out/networks/lenet5_int8.safetensors");
  EXPECT_EQ(p[1].scheme, "flexor0.8");
  EXPECT_EQ(p[2].label, "mlp trained");
  EXPECT_EQ(p[2].network_file, kSrc + "/networks/mlp_binary.safetensors");
  EXPECT_EQ(p[3].overrides[1].second, "16");
  EXPECT_EQ(p[3].overrides[0].second, "32");
  EXPECT_EQ(p[9].overrides[0].second, "64");
  EXPECT_EQ(p[9].overrides[1].second, "8");
  EXPECT_EQ(p[18].config, 1u);
  EXPECT_EQ(p[35].id, "0035");
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i].index, i);
  EXPECT_EQ(point_id(7, 10), "0007");
  EXPECT_EQ(point_id(9999, 10000), "9999");
  EXPECT_EQ(point_id(42, 10001), "00042");
  EXPECT_EQ(point_id(10000, 10001), "10000");
}

TEST(Sweep, NoGridIsOnePointPerNetwork) {
  const SweepSpec s = parse("configs: [configs/default.yaml]\nnetworks:\n  - generate: mlp\n    schemes: [binary]\n    seed: 7\n");
  const std::vector<Point> p = expand(s, "d");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(p[0].overrides.empty());
  EXPECT_EQ(p[0].network_file, "d/networks/mlp_binary_s7.safetensors");
}

TEST(Sweep, SchemeNamesMapToNetgenOptions) {
  EXPECT_EQ(netgen_options("lenet5", "int8", 1).scheme, Scheme::Int8);
  EXPECT_EQ(netgen_options("lenet5", "bcq2", 1).q, 2);
  EXPECT_EQ(netgen_options("lenet5", "ternary", 1).q, 2);
  const NetgenOptions f = netgen_options("lenet5", "flexor0.6", 3);
  EXPECT_EQ(f.scheme, Scheme::Flexor);
  EXPECT_EQ(f.n_in, 12);
  EXPECT_EQ(f.n_out, 20);
  EXPECT_EQ(f.seed, 3u);
  EXPECT_EQ(netgen_options("lenet5", "signed_binary", 1).scheme, Scheme::SignedBinary);
  EXPECT_THROW(netgen_options("lenet5", "flexor0.33", 1), Error);
  EXPECT_THROW(netgen_options("lenet5", "flexor2", 1), Error);
  EXPECT_THROW(netgen_options("lenet5", "bcq", 1), Error);
  EXPECT_THROW(netgen_options("lenet5", "int4", 1), Error);
}

TEST(Sweep, SpecErrorsNameFileLineFieldAndExpectation) {
  const std::string net = "networks:\n  - generate: lenet5\n    schemes: [int8]\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"configs: [configs/default.yaml]\n" + net + "colour: red\n",
       "s.yaml:5: field 'colour': unknown key (expected one of: name, configs, grid, networks, run)"},
      {net, "s.yaml: field 'configs': missing required key"},
      {"configs: []\n" + net, "s.yaml:1: field 'configs': expected a non-empty list of architecture config files, got an empty list"},
      {"configs: [configs/nope.yaml]\n" + net, "s.yaml:1: field 'configs[0]': expected an architecture config file (YAML), got \"configs/nope.yaml\" (no such file: "},
      {"configs: [configs/default.yaml]\nnetworks: []\n", "s.yaml:2: field 'networks': expected a non-empty list of networks"},
      {"configs: [configs/default.yaml]\nnetworks:\n  - generate: lenet6\n    schemes: [int8]\n",
       "s.yaml:3: field 'networks[0].generate': expected a netgen model (one of lenet5, resnet20, resnet18, mlp, ffn, fc), got \"lenet6\""},
      {"configs: [configs/default.yaml]\nnetworks:\n  - generate: lenet5\n    schemes: [int8, flexor0.33]\n",
       "s.yaml:4: field 'networks[0].schemes': expected a weight scheme (int8, binary, bcqN, uniformN, ternary, signed_binary, flexorB), flexorB"},
      {"configs: [configs/default.yaml]\nnetworks:\n  - generate: lenet5\n    schemes: [int4]\n",
       "s.yaml:4: field 'networks[0].schemes': expected a weight scheme (int8, binary, bcqN, uniformN, ternary, signed_binary, flexorB), got \"int4\""},
      {"configs: [configs/default.yaml]\nnetworks:\n  - generate: lenet5\n", "s.yaml:3: field 'networks[0].schemes': missing required key"},
      {"configs: [configs/default.yaml]\nnetworks:\n  - label: x\n", "field 'networks[0]': expected a key file (a trained network) or generate"},
      {"configs: [configs/default.yaml]\nnetworks:\n  - file: networks/mlp_binary.safetensors\n    schemes: [int8]\n",
       "s.yaml:4: field 'networks[0].schemes': expected only with generate"},
      {"configs: [configs/default.yaml]\nnetworks:\n  - file: networks/mlp_binary.safetensors\n    accuracy: configs/default.yaml\n",
       "s.yaml:4: field 'networks[0].accuracy': expected a training report (JSON)"},
      {"configs: [configs/default.yaml]\ngrid:\n  pe_array.rowz: [8]\n" + net,
       "s.yaml:3: field 'grid.pe_array.rowz': expected an architecture config field (docs/config.md), got 'pe_array.rowz': "},
      {"configs: [configs/default.yaml]\ngrid:\n  name.x: [8]\n" + net, "s.yaml:3: field 'grid.name.x': expected an architecture config field"},
      {"configs: [configs/default.yaml]\ngrid:\n  pe_array: [8]\n" + net, "s.yaml:3: field 'grid.pe_array': expected an architecture config field"},
      {"configs: [configs/default.yaml]\ngrid:\n  pe_array.rows: []\n" + net, "s.yaml:3: field 'grid.pe_array.rows': expected a non-empty list of values, got an empty list"},
      {"configs: [configs/default.yaml]\ngrid:\n  pe_array.rows: [8, 8]\n" + net, "s.yaml:3: field 'grid.pe_array.rows': expected distinct values, got \"8\" twice"},
      {"configs: [configs/default.yaml]\n" + net + "run:\n  images: 5\n", "s.yaml:6: field 'run.images': expected 1 without run.dataset"},
      {"configs: [configs/default.yaml]\n" + net + "run:\n  mapper: best\n", "s.yaml:6: field 'run.mapper': expected search or greedy, got \"best\""},
      {"configs: [configs/default.yaml]\n" + net + "run:\n  dataset: mnist\n", "s.yaml:6: field 'run.dataset': expected fashion-mnist, got \"mnist\""},
      {"configs: [configs/default.yaml\n", "YAML syntax error"},
      {"", "s.yaml: expected a mapping with configs, networks"},
  };
  for (const auto& [yaml, want] : cases) EXPECT_NE(error_of(yaml).find(want), std::string::npos) << "got: " << error_of(yaml) << "\nwanted: " << want;
}

TEST(Sweep, InvalidValueOfARealFieldIsNotASpecError) {
  // 300 rows is out of range: those points fail with the loader's message; the sweep file is fine.
  EXPECT_NO_THROW(parse("configs: [configs/default.yaml]\ngrid:\n  pe_array.rows: [8, 300]\nnetworks:\n  - generate: lenet5\n    schemes: [int8]\n"));
}

TEST(Sweep, ApplyOverrides) {
  const std::string y = apply_overrides("a: 1\nb:\n  c: 2\n", {{"b.c", "5"}, {"d.e", "x y"}, {"a", "true"}}, "t.yaml");
  EXPECT_NE(y.find("c: 5"), std::string::npos) << y;
  EXPECT_NE(y.find("d:\n  e: x y"), std::string::npos) << y;
  EXPECT_NE(y.find("a: true"), std::string::npos) << y;
  EXPECT_THROW(apply_overrides("a: 1\n", {{"a.b", "2"}}, "t.yaml"), Error);
}

TEST(Sweep, ParetoFrontWithTiesAndNaN) {
  const double nan = std::nan("");
  // (1,5) (2,2) (5,1) on the front; (3,3) dominated by (2,2); (2,2) twice: both on it; (1,6)
  // dominated by (1,5) (equal x, larger y); NaN never.
  const std::vector<std::pair<double, double>> pts = {{1, 5}, {2, 2}, {5, 1}, {3, 3}, {2, 2}, {1, 6}, {nan, 0}, {0, nan}};
  EXPECT_EQ(pareto_front(pts), (std::vector<bool>{true, true, true, false, true, false, false, false}));
  EXPECT_TRUE(pareto_front({}).empty());
  EXPECT_EQ(pareto_front({{4, 4}}), std::vector<bool>{true});
}

TEST(Sweep, MarkParetoMaximizesAccuracy) {
  using nlohmann::json;
  std::vector<json> r = {
      {{"status", "ok"}, {"latency_us", 10.0}, {"energy_uj", 5.0}, {"accuracy", 90.0}, {"area_mm2", nullptr}},
      {{"status", "ok"}, {"latency_us", 20.0}, {"energy_uj", 4.0}, {"accuracy", 92.0}, {"area_mm2", nullptr}},
      {{"status", "ok"}, {"latency_us", 30.0}, {"energy_uj", 6.0}, {"accuracy", 91.0}, {"area_mm2", nullptr}},
      {{"status", "failed"}, {"latency_us", 1.0}, {"energy_uj", 1.0}, {"accuracy", 99.0}},
  };
  mark_pareto(r);
  EXPECT_TRUE(r[0]["pareto_energy_latency"]);
  EXPECT_TRUE(r[1]["pareto_energy_latency"]);
  EXPECT_FALSE(r[2]["pareto_energy_latency"]);
  EXPECT_FALSE(r[3]["pareto_energy_latency"]);  // not ok: never on a front
  EXPECT_FALSE(r[0]["pareto_accuracy_energy"]);  // (5 µJ, 90%) dominated by (4 µJ, 92%)
  EXPECT_TRUE(r[1]["pareto_accuracy_energy"]);
  EXPECT_TRUE(r[0]["pareto_accuracy_latency"]);
  EXPECT_TRUE(r[1]["pareto_accuracy_latency"]);
  EXPECT_FALSE(r[2]["pareto_accuracy_latency"]);
  for (const auto& x : r) EXPECT_FALSE(x["pareto_area_latency"]);  // no area known
}

TEST(Sweep, CsvQuotesAndEmptyCells) {
  const SweepSpec s = parse("configs: [configs/default.yaml]\ngrid:\n  buffers.weight_kib: [32]\nnetworks:\n  - generate: lenet5\n    schemes: [int8]\n");
  nlohmann::json r = {{"id", "0000"}, {"config", "edge-16x16"}, {"grid", {{"buffers.weight_kib", "32"}}}, {"network", "lenet5 \"big\", v2"},
                      {"cycles", 67156}, {"latency_us", 134.5}, {"accuracy", nullptr}, {"status", "ok"}, {"pareto_energy_latency", true}};
  const std::string csv = results_csv(s, {r});
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(header.rfind("id,config,buffers.weight_kib,network,model,scheme,bits_per_weight,cycles,latency_us,", 0), 0u) << header;
  const std::string row = csv.substr(csv.find('\n') + 1);
  EXPECT_EQ(row.rfind("0000,edge-16x16,32,\"lenet5 \"\"big\"\", v2\",,,,67156,134.5,", 0), 0u) << row;
  EXPECT_NE(row.find(",true,"), std::string::npos);
  EXPECT_EQ(std::count(row.begin(), row.end(), '\n'), 1);
}

TEST(Sweep, SlurmScripts) {
  const std::string a = slurm_array_script("/b/subbit", "/s/sw eep.yaml", "/d", "my sweep", 12);
  EXPECT_NE(a.find("#SBATCH --array=0-11\n"), std::string::npos) << a;
  EXPECT_NE(a.find("#SBATCH --job-name=subbit-sweep-my_sweep\n"), std::string::npos) << a;
  EXPECT_NE(a.find("exec '/b/subbit' sweep '/s/sw eep.yaml' -o '/d' --point \"$SLURM_ARRAY_TASK_ID\"\n"), std::string::npos) << a;
  const std::string m = slurm_merge_script("/b/subbit", "/s/x.yaml", "/d", "x");
  EXPECT_NE(m.find("exec '/b/subbit' sweep '/s/x.yaml' -o '/d' --merge\n"), std::string::npos) << m;
  const std::string sub = slurm_submit_script();
  EXPECT_NE(sub.find("sbatch --parsable sweep.slurm"), std::string::npos);
  EXPECT_NE(sub.find("--dependency=afterany:\"$array\" merge.slurm"), std::string::npos);
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

}  // namespace
}  // namespace subbit::sweep
