// subbit netgen NETWORK [options] -o FILE: seeded synthetic networks in any scheme.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "netgen/netgen.h"
#include "quant/error.h"

namespace subbit::cli {

void register_netgen(CLI::App& app) {
  struct Args {
    NetgenOptions opt;
    std::string scheme = "binary", fill = "tap", out, input_out;
    double bits = 0;
    bool all_layers = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("netgen", "Write a seeded synthetic network (real shapes, any weight scheme)");
  add_budget_options(cmd);
  cmd->add_option("network", a->opt.network, "lenet5 | resnet20 | resnet18 | mlp | ffn | fc")->required();
  cmd->add_option("-o,--output", a->out, "network file to write (.safetensors)")->required();
  cmd->add_option("--scheme", a->scheme, "int8 | binary | bcq | uniform | ternary | signed_binary | flexor")->capture_default_str();
  cmd->add_option("--q", a->opt.q, "bit planes for bcq, uniform (= bits) and flexor")->capture_default_str();
  cmd->add_option("--bits", a->bits, "flexor: bits per weight (sets n_in = bits * n_out / q, e.g. 0.8 with n_out 20 -> n_in 16)");
  cmd->add_option("--n-in", a->opt.n_in, "flexor: encrypted bits per slice")->capture_default_str();
  cmd->add_option("--n-out", a->opt.n_out, "flexor: decrypted bits per slice")->capture_default_str();
  cmd->add_option("--n-tap", a->opt.n_tap, "flexor: ones per row of M (tap fill)")->capture_default_str();
  cmd->add_option("--fill", a->fill, "flexor: M fill, tap | random")->capture_default_str();
  cmd->add_option("--xor-seed", a->opt.xor_seed, "flexor: seed of M (a hard-wired decryptor's seed)")->capture_default_str();
  cmd->add_flag("--explicit-matrix", a->opt.explicit_matrix, "flexor: store M as a tensor (programmable decryptor)");
  cmd->add_option("--region", a->opt.region, "signed_binary: region length along K")->capture_default_str();
  cmd->add_option("--density", a->opt.density, "signed_binary: fraction of non-zero weights")->capture_default_str();
  cmd->add_option("--act-bits", a->opt.act_bits, "hidden activation bits (1 = signed {-1,+1}, XNOR-popcount)")->capture_default_str();
  cmd->add_flag("--all-layers", a->all_layers, "quantize the first and last layers too (default: int8)");
  cmd->add_option("--tokens", a->opt.tokens, "ffn: tokens")->capture_default_str();
  cmd->add_option("--in-features", a->opt.in_features, "fc: input features")->capture_default_str();
  cmd->add_option("--out-features", a->opt.out_features, "fc: output features")->capture_default_str();
  cmd->add_option("--seed", a->opt.seed, "seed of the weights")->capture_default_str();
  cmd->add_option("--input-out", a->input_out, "also write a seeded random input tensor file");
  cmd->callback([a]() {
    a->opt.scheme = parse_scheme(a->scheme, "netgen --scheme");
    if (a->fill != "tap" && a->fill != "random") throw Error("netgen --fill: expected tap or random, got '" + a->fill + "'");
    a->opt.fill = a->fill == "tap" ? XorFill::Tap : XorFill::Random;
    a->opt.int8_first_last = !a->all_layers;
    if (a->opt.scheme == Scheme::Ternary) a->opt.q = 2;
    if (a->bits > 0) {
      if (a->opt.scheme != Scheme::Flexor) throw Error("netgen --bits: only for --scheme flexor");
      const double n_in = a->bits * a->opt.n_out / a->opt.q;
      a->opt.n_in = static_cast<int>(n_in + 0.5);
      if (std::abs(n_in - a->opt.n_in) > 1e-9)
        throw Error("netgen --bits " + std::to_string(a->bits) + ": bits * n_out / q = " + std::to_string(n_in) + " is not an integer n_in");
    }
    const Network net = make_network(a->opt);
    save_network(a->out, net);
    if (!a->input_out.empty()) save_input(a->input_out, random_input(net, a->opt.seed), net.input().shape);
    std::printf("wrote %s: %s, %zu nodes, %s weights, %.3f bits/weight (sub-byte layers %.3f), %s weight bytes\n", a->out.c_str(),
                net.name.c_str(), net.nodes.size(), with_commas(static_cast<int64_t>(net.weight_count())).c_str(), net.bits_per_weight(),
                net.sub_byte_bits_per_weight(), with_commas(static_cast<int64_t>(net.stored_weight_bytes())).c_str());
  });
}

}  // namespace subbit::cli
