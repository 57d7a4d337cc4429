// subbit map: the driver's mapping of every layer and the cost model's prediction, without
// simulating; with --layer, the loop nest and the search's best candidates for one layer.
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "accel/accel_params.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "config/arch_config.h"
#include "quant/error.h"
#include "runtime/lowering.h"
#include "runtime/roofline.h"
#include "system/arch_params.h"

namespace subbit::cli {

namespace {
const char* unit_name(Unit u) {
  static const char* names[] = {"dram", "decrypt", "pe", "post", "store"};
  return names[static_cast<size_t>(u)];
}
}  // namespace

void register_map(CLI::App& app) {
  struct Args {
    std::string config = "configs/default.yaml", network, mapper = "search", layer;
    int candidates = 10;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("map", "Show how the driver maps each layer (dataflow, tiles, loop order) and the predicted cycles");
  add_budget_options(cmd);
  cmd->add_option("--config", a->config, "architecture config (YAML)")->capture_default_str();
  cmd->add_option("--network", a->network, "network file")->required();
  cmd->add_option("--mapper", a->mapper, "search | greedy")->capture_default_str();
  cmd->add_option("--layer", a->layer, "one layer: its loop nest and the search's ranked candidates");
  cmd->add_option("--candidates", a->candidates, "candidates to list with --layer")->capture_default_str();
  cmd->add_flag("--json", a->json, "print JSON");
  cmd->callback([a]() {
    if (a->mapper != "search" && a->mapper != "greedy") throw Error("map --mapper: expected search or greedy, got '" + a->mapper + "'");
    const ArchConfig cfg = load_arch_config(a->config);
    const HwCaps hw = hw_caps(accel_params(cfg));
    const Network net = load_network(a->network);
    const LoweredNetwork L = lower_network(net, hw, 0x1000, a->network, a->mapper == "greedy" ? MapperKind::Greedy : MapperKind::Search);
    nlohmann::json j = {{"network", a->network}, {"config", a->config}, {"mapper", L.mapper}, {"layers", nlohmann::json::array()}};
    Table t({"layer", "op", "mapping", "tiles", "predicted", "bound", "DRAM B", "roofline", "pred. achieved %"});
    double total = 0, roof_total = 0;
    bool found = a->layer.empty();
    const CostModel model(hw);
    PipelineState pipeline;  // replayed layer by layer, so a layer's candidates start where lowering started them
    for (size_t i = 0; i < L.descriptors.size(); ++i) {
      const LayerDescriptor& d = L.descriptors[i];
      const Node& n = net.nodes[static_cast<size_t>(L.descriptor_node[i])];
      const CostEstimate& c = L.predicted[i];
      const Roofline roof = layer_roofline(d, hw);
      total += c.cycles, roof_total += roof.cycles();
      t.add({n.name, op_name(n.op), L.mappings[i].str(), std::to_string(c.tiles), with_commas(std::llround(c.cycles)), unit_name(c.bound),
             with_commas(static_cast<int64_t>(c.dram_bytes)), with_commas(std::llround(std::ceil(roof.cycles()))), fmt(100.0 * roof.cycles() / c.cycles, 1)});
      j["layers"].push_back({{"name", n.name}, {"mapping", L.mappings[i].str()}, {"predicted_cycles", c.cycles}, {"bound", unit_name(c.bound)},
                             {"dram_bytes", c.dram_bytes}, {"tiles", c.tiles}, {"roofline_cycles", roof.cycles()}});
      if (n.name != a->layer) {
        model.replay(d, L.mappings[i], layer_context(net, L, i, d, L.descriptor_node[i]), pipeline);
        continue;
      }
      found = true;
      std::printf("%s (%s): %s\n%s\n", n.name.c_str(), op_name(n.op), L.mappings[i].str().c_str(), L.mappings[i].loop_nest(d, hw).c_str());
      if (a->mapper != "search") continue;
      const SearchMapper search(hw);
      LayerContext ctx = layer_context(net, L, i, d, L.descriptor_node[i]);
      ctx.pipeline = &pipeline;
      Table ct({"rank", "mapping", "predicted", "DRAM B", "tiles", "dram", "decrypt", "pe", "post", "store", "bound", "legal"});
      int rank = 0;
      for (const auto& r : search.rank(d, ctx)) {
        if (rank >= a->candidates) break;
        const bool legal = search.model().illegal(d, r.mapping).empty();
        ct.add({std::to_string(++rank), r.mapping.str(), with_commas(std::llround(r.cost.cycles)), with_commas(static_cast<int64_t>(r.cost.dram_bytes)),
                std::to_string(r.cost.tiles), with_commas(std::llround(r.cost.unit_cycles[0])), with_commas(std::llround(r.cost.unit_cycles[1])),
                with_commas(std::llround(r.cost.unit_cycles[2])), with_commas(std::llround(r.cost.unit_cycles[3])),
                with_commas(std::llround(r.cost.unit_cycles[4])), unit_name(r.cost.bound), legal ? "yes" : "no"});
      }
      std::printf("%s\npredicted: the tile pipeline replayed from the layers before (the first %d by the closed form);\n"
                  "dram .. store: each unit's busy cycles by the closed form\n",
                  ct.str().c_str(), 24);
      model.replay(d, L.mappings[i], ctx, pipeline);
    }
    if (!found) throw Error(a->network + ": no layer named '" + a->layer + "'");
    if (!a->layer.empty()) return;
    j["predicted_cycles"] = total;
    j["roofline_cycles"] = roof_total;
    if (a->json) {
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    t.rule();
    t.add({"total", "", L.mapper + " mapper", "", with_commas(std::llround(total)), "", "", with_commas(std::llround(std::ceil(roof_total))),
           fmt(100.0 * roof_total / total, 1)});
    std::printf("%s on %s (%s)\n\n%s", net.name.c_str(), cfg.name.c_str(), a->config.c_str(), t.str().c_str());
  });
}

}  // namespace subbit::cli
