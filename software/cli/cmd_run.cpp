// subbit run: full inferences on the TLM model through the driver, with a performance report.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/platform.h"
#include "dataset/idx.h"
#include "driver/driver.h"
#include "golden/golden.h"
#include "netgen/netgen.h"
#include "quant/error.h"

namespace subbit::cli {

namespace {

struct LayerRow {
  std::string name, op;
  uint64_t cycles = 0, macs = 0, dram_bytes = 0, weight_bytes = 0, pe_cycles = 0, decrypt_cycles = 0;
  double bound = 0;  // roofline cycles
};

const char* opcode_name(Opcode op) {
  switch (op) {
    case Opcode::Conv: return "conv";
    case Opcode::MaxPool: return "maxpool";
    case Opcode::AvgPool: return "avgpool";
    case Opcode::Add: return "add";
    case Opcode::Requant: return "requant";
  }
  return "?";
}

// A progress bar for long runs at a terminal; logs and pipes (CI, table.py) get none.
void progress(int done, int total) {
  static const bool terminal = isatty(fileno(stderr)) != 0;
  if (!terminal || total < 20) return;
  const int width = 40, filled = done * width / total;
  std::fprintf(stderr, "\r[%s%s] %d/%d", std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), done, total);
  if (done == total) std::fprintf(stderr, "\n");
}

}  // namespace

void register_run(CLI::App& app) {
  struct Args {
    PlatformOptions platform;
    std::string network, input, dataset, data_dir = kFashionMnistDir;
    int images = 1;
    uint64_t random_seed = 1;
    bool json = false;
    double timeout_ms = 10000;
    std::string trace;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("run", "Run full inferences on the TLM model of the accelerator, through the driver");
  add_platform_options(*cmd, a->platform);
  cmd->add_option("--network", a->network, "network file")->required();
  auto* in = cmd->add_option("--input", a->input, "input tensor file");
  auto* rnd = cmd->add_option("--random-input", a->random_seed, "seeded random input (the default, seed 1)");
  auto* ds = cmd->add_option("--dataset", a->dataset, "fashion-mnist (test split)");
  in->excludes(rnd)->excludes(ds);
  rnd->excludes(ds);
  cmd->add_option("--images", a->images, "images from the dataset")->capture_default_str();
  cmd->add_option("--data-dir", a->data_dir, "dataset directory")->capture_default_str();
  cmd->add_option("--timeout-ms", a->timeout_ms, "device-time limit per inference")->capture_default_str();
  cmd->add_flag("--json", a->json, "print JSON");
  cmd->add_option("--trace", a->trace, "write a transaction log of unit activity (one line per load, decrypt, PE, post, store)");
  cmd->callback([a]() {
    const Network net = load_network(a->network);
    std::vector<std::vector<int16_t>> inputs;
    std::vector<int> labels;
    if (!a->dataset.empty()) {
      if (a->dataset != "fashion-mnist") throw Error("run --dataset: expected fashion-mnist, got '" + a->dataset + "'");
      if (a->images < 1) throw Error("run --images: expected a positive count");
      const ImageSet set = load_fashion_mnist(a->data_dir, true, a->images);
      for (int i = 0; i < set.count; ++i) inputs.push_back(pixels_to_input(set.image(i), net, a->network)), labels.push_back(set.labels[i]);
    } else if (!a->input.empty()) {
      inputs.push_back(load_input(a->input, net));
    } else {
      inputs.push_back(random_input(net, a->random_seed));
    }
    Platform plat = make_platform(a->platform);
    SimSystem& sys = *plat.system;
    std::ofstream trace;
    if (!a->trace.empty()) {
      trace.open(a->trace, std::ios::trunc);
      if (!trace) throw Error(a->trace + ": cannot open for writing (--trace)");
      trace << "# start_ns end_ns unit layer rows ch detail\n";
      sys.accel.set_activity_log(&trace);
    }
    GoldenModel golden(net);
    const size_t out_n = net.output().shape.numel();
    std::vector<int16_t> out(out_n);
    int correct = 0, mismatched = 0;
    std::string first_mismatch;
    std::vector<int> predictions;
    driver::Counters first{};
    MemoryCounters dram_first;
    uint64_t total_cycles = 0;
    std::vector<LayerStats> stats;
    std::string failure;
    const auto wall0 = std::chrono::steady_clock::now();
    sys.host.program = [&](HostCpu& h) {
      driver::Driver drv(h);
      driver::LoadedNetwork ln;
      if (drv.open() != driver::Status::Ok || drv.load_network(net, &ln) != driver::Status::Ok) {
        failure = drv.message();
        return;
      }
      for (size_t i = 0; i < inputs.size(); ++i) {
        const MemoryCounters before = sys.memory().counters();
        const driver::Status s = drv.run(ln, inputs[i].data(), out.data(), static_cast<uint64_t>(a->timeout_ms * 1000));
        if (s != driver::Status::Ok) {
          failure = std::string(driver::status_name(s)) + ": " + drv.message();
          return;
        }
        driver::Counters c;
        drv.read_counters(&c);
        if (i == 0) first = c, stats = sys.accel.layer_stats(), dram_first = sys.memory().counters().minus(before);
        total_cycles += c.cycles;
        predictions.push_back(argmax_lowest(out.data(), out_n));
        if (!labels.empty()) correct += predictions.back() == labels[i];
        golden.run(inputs[i].data());
        bool same = true;
        for (size_t e = 0; e < out_n && same; ++e) same = out[e] == golden.output()[e];
        if (!same) {
          ++mismatched;
          // Name the first layer that differs.
          std::vector<int16_t> v;
          for (size_t n = 1; n < net.nodes.size() && first_mismatch.empty(); ++n) {
            v.resize(net.nodes[n].shape.numel());
            drv.read_node(ln, net, n, v.data());
            for (size_t e = 0; e < v.size(); ++e)
              if (v[e] != golden.output(n)[e]) {
                first_mismatch = "image " + std::to_string(i) + ", layer '" + net.nodes[n].name + "' element " + std::to_string(e) +
                                 ": accelerator " + std::to_string(v[e]) + ", golden " + std::to_string(golden.output(n)[e]);
                break;
              }
          }
        }
        progress(static_cast<int>(i + 1), static_cast<int>(inputs.size()));
      }
    };
    sc_core::sc_start();
    if (!failure.empty()) throw Error(a->network + ": " + failure);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

    const AccelParams& p = sys.accel.params();
    const double peak_macs = static_cast<double>(p.pe_rows) * p.pe_cols;
    const double dram_bytes_per_cycle = sys.memory().peak_bytes_per_ns() * 1e3 / p.clock_mhz;
    std::vector<LayerRow> rows;
    LayerRow total{"total", "", 0, 0, 0, 0, 0, 0, 0};
    for (const LayerStats& s : stats) {
      LayerRow r;
      const int node = plat_descriptor_node(net, s.index);
      r.name = node >= 0 ? net.nodes[node].name : "?";
      r.op = opcode_name(s.op);
      r.cycles = s.cycles();
      r.macs = s.macs;
      r.dram_bytes = s.dram_read_bytes + s.dram_write_bytes;
      r.weight_bytes = s.weight_read_bytes;
      r.pe_cycles = s.pe_cycles;
      r.decrypt_cycles = s.decrypt_cycles;
      r.bound = std::max(s.macs / peak_macs, r.dram_bytes / dram_bytes_per_cycle);
      total.cycles += r.cycles, total.macs += r.macs, total.dram_bytes += r.dram_bytes, total.weight_bytes += r.weight_bytes;
      total.pe_cycles += r.pe_cycles, total.decrypt_cycles += r.decrypt_cycles, total.bound += r.bound;
      rows.push_back(r);
    }
    const double latency_us = first.cycles / p.clock_mhz;
    const double mean_cycles = static_cast<double>(total_cycles) / inputs.size();
    nlohmann::json j = {{"network", a->network},
                        {"name", net.name},
                        {"platform", plat.description},
                        {"images", inputs.size()},
                        {"cycles", first.cycles},
                        {"mean_cycles", mean_cycles},
                        {"latency_us", latency_us},
                        {"inferences_per_s", 1e6 / latency_us},
                        {"macs", first.macs},
                        {"pe_utilization", first.macs / (peak_macs * first.cycles)},
                        {"dram_read_bytes", first.dram_read_bytes},
                        {"dram_write_bytes", first.dram_write_bytes},
                        {"weight_read_bytes", total.weight_bytes},
                        {"decrypted_bits", first.decrypted_bits},
                        {"roofline_cycles", total.bound},
                        {"roofline_fraction", total.bound / first.cycles},
                        {"golden_match", mismatched == 0},
                        {"golden_mismatches", mismatched},
                        {"wall_s", wall},
                        {"predictions", predictions}};
    if (!labels.empty()) j["accuracy"] = 100.0 * correct / inputs.size();
    if (dram_first.has_rows) {
      const uint64_t n = dram_first.row_hits + dram_first.row_misses + dram_first.row_conflicts;
      j["dram"] = {{"act", dram_first.act}, {"pre", dram_first.pre}, {"rd", dram_first.rd}, {"wr", dram_first.wr}, {"ref", dram_first.ref},
                   {"row_hits", dram_first.row_hits}, {"row_misses", dram_first.row_misses}, {"row_conflicts", dram_first.row_conflicts},
                   {"row_hit_rate", n ? static_cast<double>(dram_first.row_hits) / n : 0.0}};
    }
    if (!first_mismatch.empty()) j["first_mismatch"] = first_mismatch;
    j["layers"] = nlohmann::json::array();
    for (const auto& r : rows)
      j["layers"].push_back({{"name", r.name}, {"op", r.op}, {"cycles", r.cycles}, {"macs", r.macs}, {"dram_bytes", r.dram_bytes},
                             {"weight_bytes", r.weight_bytes}, {"pe_cycles", r.pe_cycles}, {"decrypt_cycles", r.decrypt_cycles},
                             {"utilization", r.cycles ? r.macs / (peak_macs * r.cycles) : 0.0}, {"roofline_cycles", r.bound},
                             {"roofline_fraction", r.cycles ? r.bound / r.cycles : 0.0}});
    if (a->json) {
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      Table t({"layer", "op", "cycles", "MACs", "util %", "DRAM B", "weight B", "roofline", "achieved %"});
      for (const auto& r : rows)
        t.add({r.name, r.op, with_commas(static_cast<int64_t>(r.cycles)), with_commas(static_cast<int64_t>(r.macs)),
               r.macs ? fmt(100.0 * r.macs / (peak_macs * r.cycles), 1) : "-", with_commas(static_cast<int64_t>(r.dram_bytes)),
               r.weight_bytes ? with_commas(static_cast<int64_t>(r.weight_bytes)) : "", with_commas(static_cast<int64_t>(std::ceil(r.bound))),
               fmt(100.0 * r.bound / std::max<uint64_t>(r.cycles, 1), 1)});
      t.rule();
      t.add({"total", "", with_commas(static_cast<int64_t>(first.cycles)), with_commas(static_cast<int64_t>(first.macs)),
             fmt(100.0 * first.macs / (peak_macs * first.cycles), 1), with_commas(static_cast<int64_t>(first.dram_read_bytes + first.dram_write_bytes)),
             with_commas(static_cast<int64_t>(total.weight_bytes)), with_commas(static_cast<int64_t>(std::ceil(total.bound))),
             fmt(100.0 * total.bound / first.cycles, 1)});
      std::printf("%s on %s\n\n%s\n", net.name.c_str(), plat.description.c_str(), t.str().c_str());
      std::printf("latency %.1f us at %.0f MHz (%.0f inferences/s); PE utilization %.1f%%; roofline %s cycles, achieved %.1f%%\n", latency_us,
                  p.clock_mhz, 1e6 / latency_us, 100.0 * first.macs / (peak_macs * first.cycles), with_commas(static_cast<int64_t>(total.bound)).c_str(),
                  100.0 * total.bound / first.cycles);
      std::printf("DRAM: %s bytes read, %s written; weights %s bytes (stored encrypted), %s bits decrypted\n",
                  with_commas(static_cast<int64_t>(first.dram_read_bytes)).c_str(), with_commas(static_cast<int64_t>(first.dram_write_bytes)).c_str(),
                  with_commas(static_cast<int64_t>(total.weight_bytes)).c_str(), with_commas(static_cast<int64_t>(first.decrypted_bits)).c_str());
      if (dram_first.has_rows) {
        const uint64_t n = dram_first.row_hits + dram_first.row_misses + dram_first.row_conflicts;
        std::printf("DRAM commands: ACT %s, RD %s, WR %s, PRE %s, REF %s; row hits %.1f%% (%s hits, %s misses, %s conflicts)\n",
                    with_commas(static_cast<int64_t>(dram_first.act)).c_str(), with_commas(static_cast<int64_t>(dram_first.rd)).c_str(),
                    with_commas(static_cast<int64_t>(dram_first.wr)).c_str(), with_commas(static_cast<int64_t>(dram_first.pre)).c_str(),
                    with_commas(static_cast<int64_t>(dram_first.ref)).c_str(), n ? 100.0 * dram_first.row_hits / n : 0.0,
                    with_commas(static_cast<int64_t>(dram_first.row_hits)).c_str(), with_commas(static_cast<int64_t>(dram_first.row_misses)).c_str(),
                    with_commas(static_cast<int64_t>(dram_first.row_conflicts)).c_str());
      }
      if (!labels.empty()) std::printf("Fashion-MNIST: %d/%zu correct, accuracy %.2f%%\n", correct, inputs.size(), 100.0 * correct / inputs.size());
      std::printf("golden reference: %s\n", mismatched == 0 ? ("every output matched (" + std::to_string(inputs.size()) + " inputs)").c_str()
                                                            : (std::to_string(mismatched) + " mismatched; first: " + first_mismatch).c_str());
      std::printf("simulated %zu inference(s) in %.2f s wall\n", inputs.size(), wall);
    }
    if (mismatched) throw Error(a->network + ": the accelerator disagreed with the golden reference (" + first_mismatch + ")");
  });
}

}  // namespace subbit::cli
