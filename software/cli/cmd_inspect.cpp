// subbit inspect FILE [--json]: per-layer table and network totals.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"

namespace subbit::cli {

namespace {

std::string scheme_label(const Node& n) {
  const QuantWeights& w = n.weights;
  std::string s = scheme_name(w.scheme);
  if (w.scheme == Scheme::Bcq || w.scheme == Scheme::Uniform) s += " q=" + std::to_string(w.q);
  if (w.scheme == Scheme::Flexor)
    s += " q=" + std::to_string(w.q) + " " + std::to_string(w.flexor.n_in) + "/" + std::to_string(w.flexor.n_out) +
         (w.flexor.explicit_matrix ? " M:tensor" : " M:seed " + std::to_string(w.flexor.seed));
  if (w.scheme == Scheme::SignedBinary) s += " region=" + std::to_string(w.region);
  return s;
}

}  // namespace

void register_inspect(CLI::App& app) {
  struct Args {
    std::string file;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("inspect", "Per-layer table of a network file: op, shapes, scheme, bits/weight, bytes, MACs");
  add_budget_options(cmd);
  cmd->add_option("file", a->file, "network file")->required();
  cmd->add_flag("--json", a->json, "print JSON instead of a table");
  cmd->callback([a]() {
    const Network net = load_network(a->file);
    nlohmann::json j = {{"file", a->file}, {"network", net.name}, {"layers", nlohmann::json::array()}};
    Table t({"layer", "op", "input", "output", "out type", "scheme", "bits/w", "weights", "stored B", "MACs"});
    for (const Node& n : net.nodes) {
      const std::string in = n.inputs.empty() ? "" : net.nodes[n.inputs[0]].shape.to_string();
      nlohmann::json l = {{"name", n.name}, {"op", op_name(n.op)}, {"output_shape", {n.shape.c, n.shape.h, n.shape.w}}, {"out_type", n.out.to_string()}};
      if (!n.inputs.empty()) l["input_shape"] = {net.nodes[n.inputs[0]].shape.c, net.nodes[n.inputs[0]].shape.h, net.nodes[n.inputs[0]].shape.w};
      std::vector<std::string> row{n.name, op_name(n.op), in, n.shape.to_string(), n.out.to_string(), "", "", "", "", ""};
      if (n.has_weights()) {
        const QuantWeights& w = n.weights;
        row[5] = scheme_label(n);
        row[6] = fmt(w.bits_per_weight(), 3);
        row[7] = with_commas(static_cast<int64_t>(w.numel()));
        row[8] = with_commas(static_cast<int64_t>(w.stored_bytes()));
        row[9] = with_commas(net.macs(n));
        l["scheme"] = scheme_name(w.scheme);
        l["scheme_detail"] = scheme_label(n);
        l["bits_per_weight"] = w.bits_per_weight();
        l["weights"] = w.numel();
        l["stored_bytes"] = w.stored_bytes();
        l["macs"] = net.macs(n);
      }
      t.add(row);
      j["layers"].push_back(l);
    }
    t.rule();
    t.add({"total", "", "", "", "", "", fmt(net.bits_per_weight(), 3), with_commas(static_cast<int64_t>(net.weight_count())),
           with_commas(static_cast<int64_t>(net.stored_weight_bytes())), with_commas(net.total_macs())});
    j["totals"] = {{"weights", net.weight_count()},
                   {"stored_weight_bytes", net.stored_weight_bytes()},
                   {"bits_per_weight", net.bits_per_weight()},
                   {"sub_byte_bits_per_weight", net.sub_byte_bits_per_weight()},
                   {"macs", net.total_macs()}};
    const ResourceUse use = net.resource_use();
    j["resources"] = {{"memory_bytes", use.memory_bytes()}, {"activation_bytes", use.activation_bytes}, {"scratch_bytes", use.scratch_bytes},
                      {"expanded_weight_bytes", use.weight_bytes}, {"ops", use.ops}};
    if (a->json) {
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("%s: network '%s', input %s %s\n\n%s\n", a->file.c_str(), net.name.c_str(), net.input().shape.to_string().c_str(),
                net.input().out.to_string().c_str(), t.str().c_str());
    std::printf("bits/weight over all layers %.3f, over sub-byte layers %.3f (first/last int8 layers excluded)\n", net.bits_per_weight(),
                net.sub_byte_bits_per_weight());
    std::printf("one inference needs %s (resource budget: docs/network-format.md)\n", use.to_string().c_str());
  });
}

}  // namespace subbit::cli
