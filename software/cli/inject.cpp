#include "cli/inject.h"

#include "cli/common.h"
#include "quant/error.h"

namespace subbit::cli {

void add_inject_options(CLI::App& cmd, InjectOptions& o) {
  cmd.add_option("--inject", o.specs,
                 "inject faults, TARGET:FIELD=VALUE[,...] (repeatable, one per target): weights|params|activations with ber=P or count=N "
                 "[,layers=A+B]; decryptor with stuck-at-0=N|@R+R, stuck-at-1=N|@R+R (docs/fault-injection.md)")
      ->type_name("SPEC")
      ->allow_extra_args(false);
  cmd.add_option("--inject-seed", o.seed, "seed of the fault positions (default 1)")->type_name("SEED");
}

std::unique_ptr<fault::Injection> make_injection(const InjectOptions& o, const Network& net, int decryptor_n_out, const std::string& command) {
  const std::string option = command + " --inject";
  uint64_t seed = 1;
  if (!o.seed.empty()) {
    if (o.seed.find_first_not_of("0123456789") != std::string::npos || o.seed.size() > 19)
      throw Error(command + " --inject-seed: expected a non-negative integer seed, got '" + o.seed + "'");
    seed = std::stoull(o.seed);
    if (o.specs.empty()) throw Error(command + " --inject-seed: no --inject given (nothing to seed)");
  }
  if (o.specs.empty()) return nullptr;
  return std::make_unique<fault::Injection>(fault::make_campaign(o.specs, seed, net, option), net, decryptor_n_out);
}

namespace {

uint64_t column_weight_sum(const XorMatrix& m) {
  uint64_t n = 0;
  for (uint32_t r : m.rows()) n += static_cast<uint64_t>(__builtin_popcount(r));
  return n;
}

}  // namespace

nlohmann::json faults_json(const fault::Injection& inj) {
  using nlohmann::json;
  const Network& net = inj.network();
  json j = {{"seed", inj.campaign().seed}, {"specs", json::array()}, {"tensors", json::array()}, {"layers", json::array()}};
  for (const auto& s : inj.campaign().specs) j["specs"].push_back(s.text);
  uint64_t totals[2] = {0, 0};
  for (int k = 0; k < 2; ++k) {
    const fault::FlipSet* f = k == 0 ? inj.weights() : inj.params();
    if (!f) continue;
    for (size_t i = 0; i < f->tensors.size(); ++i) {
      const auto& t = f->tensors[i];
      j["tensors"].push_back({{"target", k == 0 ? "weights" : "params"}, {"layer", t.layer}, {"tensor", t.kind}, {"bits", t.bytes * 8}, {"flipped", f->bits[i].size()}});
    }
    totals[k] = f->flipped;
    j[k == 0 ? "weights" : "params"] = {{"bits", f->domain_bits}, {"flipped", f->flipped}};
  }
  if (inj.has_activations()) {
    const fault::FlipSet& a = inj.activations();
    uint64_t total = 0;
    for (size_t i = 0; i < a.tensors.size(); ++i) {
      const auto& t = a.tensors[i];
      j["tensors"].push_back({{"target", "activations"}, {"layer", t.layer}, {"tensor", "output"}, {"bits", t.bytes * 8},
                              {"flipped", inj.activation_totals()[i]}, {"flipped_last_inference", a.bits[i].size()}});
      total += inj.activation_totals()[i];
    }
    j["activations"] = {{"bits_per_inference", a.domain_bits}, {"inferences", inj.inferences()}, {"flipped", total}};
  }
  if (inj.campaign().find(fault::Target::Decryptor)) {
    json z = json::array(), o = json::array();
    for (int r = 0; r < 64; ++r) {
      if ((inj.stuck().zero >> r) & 1) z.push_back(r);
      if ((inj.stuck().one >> r) & 1) o.push_back(r);
    }
    uint64_t changed = 0;
    for (uint64_t c : inj.stuck_changed()) changed += c;
    j["decryptor"] = {{"n_out", inj.decryptor_n_out()}, {"stuck_at_0", z}, {"stuck_at_1", o}, {"decrypted_bits_changed", changed}};
  }
  uint64_t changed = 0;
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const Node& n = net.nodes[i];
    if (!n.has_weights()) continue;
    const QuantWeights& w = n.weights;
    json l = {{"layer", n.name}, {"scheme", scheme_name(w.scheme)}, {"weights", w.numel()}, {"weights_changed", inj.weights_changed()[i]}};
    if (w.scheme == Scheme::Flexor) {
      // Expected decrypted bits per flipped encrypted bit: the mean column weight of M⊕.
      l.update({{"n_in", w.flexor.n_in}, {"n_out", w.flexor.n_out},
                {"mean_column_weight", static_cast<double>(column_weight_sum(w.flexor.matrix)) / w.flexor.n_in}});
      if (inj.campaign().find(fault::Target::Decryptor)) l["stuck_changed"] = inj.stuck_changed()[i];
    }
    changed += inj.weights_changed()[i];
    j["layers"].push_back(l);
  }
  j["weights_changed"] = changed;
  j["flipped"] = totals[0] + totals[1];
  return j;
}

std::string faults_text(const fault::Injection& inj) {
  const Network& net = inj.network();
  auto n = [](uint64_t v) { return with_commas(static_cast<int64_t>(v)); };
  std::string s = "fault injection: " + inj.campaign().str() + "\n";
  Table t({"target", "layer", "tensor", "stored bits", "bits flipped"});
  bool rows = false;
  for (int k = 0; k < 2; ++k) {
    const fault::FlipSet* f = k == 0 ? inj.weights() : inj.params();
    if (!f) continue;
    for (size_t i = 0; i < f->tensors.size(); ++i)
      t.add({k == 0 ? "weights" : "params", f->tensors[i].layer, f->tensors[i].kind, n(f->tensors[i].bytes * 8), n(f->bits[i].size())});
    rows = true;
  }
  if (inj.has_activations()) {
    const fault::FlipSet& a = inj.activations();
    for (size_t i = 0; i < a.tensors.size(); ++i)
      t.add({"activations", a.tensors[i].layer, "output", n(a.tensors[i].bytes * 8) + " x " + std::to_string(inj.inferences()), n(inj.activation_totals()[i])});
    rows = true;
  }
  if (rows) s += "\n" + t.str();
  if (inj.has_activations())
    s += "activations: flipped on write-back to device memory, drawn per inference; stored bits x inferences, flips summed over them\n";
  if (inj.campaign().find(fault::Target::Decryptor))
    s += "decryptor: " + (inj.decryptor_n_out() ? inj.stuck().str() + " of N_out = " + std::to_string(inj.decryptor_n_out()) + " (every slice, every unit)"
                                                 : std::string("the network has no FleXOR layer; no output to stick")) + "\n";
  if (inj.weights() || inj.params() || inj.stuck().any()) {
    Table l({"layer", "scheme", "weights", "weights changed", "by stuck outputs"});
    for (size_t i = 0; i < net.nodes.size(); ++i) {
      const Node& nd = net.nodes[i];
      if (!nd.has_weights()) continue;
      l.add({nd.name, scheme_name(nd.weights.scheme), n(nd.weights.numel()), n(inj.weights_changed()[i]),
             nd.weights.scheme == Scheme::Flexor && inj.stuck().any() ? n(inj.stuck_changed()[i]) : "-"});
    }
    s += "\neffective weights W[o][k] that differ from the fault-free network's:\n" + l.str();
  }
  return s;
}

}  // namespace subbit::cli
