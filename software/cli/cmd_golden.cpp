// subbit golden: the bit-exact integer reference on an input file, a random input or Fashion-MNIST.
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/inject.h"
#include "dataset/idx.h"
#include "golden/golden.h"
#include "netgen/netgen.h"
#include "quant/error.h"

namespace subbit::cli {

void register_golden(CLI::App& app) {
  struct Args {
    std::string network, input, dataset, data_dir = kFashionMnistDir;
    int images = 100;
    uint64_t random_seed = 0;
    bool json = false, print_output = false;
    InjectOptions inject;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("golden", "Run the bit-exact golden reference (integer C++ inference)");
  add_budget_options(cmd);
  cmd->add_option("--network", a->network, "network file")->required();
  auto* in = cmd->add_option("--input", a->input, "input tensor file (safetensors, tensor 'input' [C,H,W])");
  auto* rnd = cmd->add_option("--random-input", a->random_seed, "use a seeded random input")->check(non_negative_seed());
  auto* ds = cmd->add_option("--dataset", a->dataset, "fashion-mnist (test split)");
  in->excludes(rnd)->excludes(ds);
  rnd->excludes(ds);
  cmd->add_option("--images", a->images, "images from the dataset")->capture_default_str();
  cmd->add_option("--data-dir", a->data_dir, "dataset directory")->capture_default_str();
  cmd->add_flag("--print-output", a->print_output, "print the output tensor (single input)");
  cmd->add_flag("--json", a->json, "print JSON");
  add_inject_options(*cmd, a->inject);
  cmd->callback([a]() {
    const Network net = load_network(a->network);
    // --inject: the network with the faults applied to its stored bytes (what the accelerator
    // reads from device memory), activation flips after every layer.
    const std::unique_ptr<fault::Injection> inj = make_injection(a->inject, net, 0, "golden");
    GoldenModel model(inj ? inj->faulted() : net);
    if (inj) inj->hook(model);
    using clock = std::chrono::steady_clock;
    nlohmann::json j = {{"network", a->network}, {"name", net.name}, {"macs", net.total_macs()}};
    if (!a->dataset.empty()) {
      if (a->dataset != "fashion-mnist") throw Error("golden --dataset: expected fashion-mnist, got '" + a->dataset + "'");
      if (a->images < 1) throw Error("golden --images: expected a positive count");
      const ImageSet set = load_fashion_mnist(a->data_dir, true, a->images);
      int correct = 0;
      std::vector<int> predictions;
      std::vector<int16_t> x;
      const auto t0 = clock::now();
      for (int i = 0; i < set.count; ++i) {
        x = pixels_to_input(set, i, net, a->network);
        if (inj) inj->begin(static_cast<uint64_t>(i));
        model.run(x.data());
        predictions.push_back(model.top1());
        correct += predictions.back() == set.labels[i];
      }
      const double secs = std::chrono::duration<double>(clock::now() - t0).count();
      j["images"] = set.count;
      j["correct"] = correct;
      j["accuracy"] = 100.0 * correct / set.count;
      j["ms_per_image"] = 1e3 * secs / set.count;
      j["predictions"] = predictions;
      if (inj) j["faults"] = faults_json(*inj);
      if (a->json) {
        std::printf("%s\n", j.dump(2).c_str());
        return;
      }
      if (inj) std::printf("%s\n", faults_text(*inj).c_str());
      std::printf("golden %s on Fashion-MNIST test: %d/%d correct, accuracy %.2f%%, %.3f ms/image (%.2f GMAC/s)\n", net.name.c_str(), correct,
                  set.count, 100.0 * correct / set.count, 1e3 * secs / set.count, net.total_macs() * set.count / secs / 1e9);
      return;
    }
    std::vector<int16_t> x;
    if (!a->input.empty()) x = load_input(a->input, net);
    else x = random_input(net, a->random_seed);
    const auto t0 = clock::now();
    if (inj) inj->begin(0);
    model.run(x.data());
    const double secs = std::chrono::duration<double>(clock::now() - t0).count();
    const auto& out = model.output();
    j["top1"] = model.top1();
    j["ms"] = secs * 1e3;
    j["output"] = out;
    if (inj) j["faults"] = faults_json(*inj);
    if (a->json) {
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    if (inj) std::printf("%s\n", faults_text(*inj).c_str());
    std::printf("golden %s: top-1 class %d (value %d of %zu outputs), %.2f ms, %.2f GMAC/s\n", net.name.c_str(), model.top1(), out[model.top1()],
                out.size(), secs * 1e3, net.total_macs() / secs / 1e9);
    if (a->print_output) {
      for (size_t i = 0; i < out.size(); ++i) std::printf("%d%c", out[i], (i + 1) % 16 == 0 || i + 1 == out.size() ? '\n' : ' ');
    }
  });
}

}  // namespace subbit::cli
