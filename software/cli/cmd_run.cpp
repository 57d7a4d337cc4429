// subbit run: full inferences on the TLM model through the driver, with a performance report.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/area_report.h"
#include "cli/energy_report.h"
#include "cli/inject.h"
#include "cli/parallel_run.h"
#include "cli/platform.h"
#include "dataset/idx.h"
#include "driver/driver.h"
#include "golden/golden.h"
#include "netgen/netgen.h"
#include "quant/error.h"
#include "report/run_report.h"
#include "runtime/roofline.h"
#include "rtl_cosim.h"
#include "system/platform_faults.h"

namespace subbit::cli {

namespace {

struct LayerRow {
  std::string name, op, mapping;
  uint64_t cycles = 0, macs = 0, dram_bytes = 0, weight_bytes = 0;
  double predicted = 0;
  const TagCounters* dram = nullptr;  // the DRAM's own count of the layer's traffic (tagged by the DMA)
  Roofline roof;
  const LayerStats* stats = nullptr;
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

namespace {

// `subbit run` and `subbit report` share their options and their code: report is run with -o DIR in
// place of --report DIR (docs/reports.md).
void register_run_command(CLI::App& app, bool report_command) {
  struct Args {
    PlatformOptions platform;
    std::string network, input, dataset, data_dir = kFashionMnistDir;
    int images = 1;
    int jobs = 1;
    uint64_t random_seed = 1;
    bool json = false;
    double timeout_ms = 10000;
    std::string trace;
    std::string mapper = "search";
    std::string fidelity = "tlm";
    cosim::CosimOptions cosim;
    InjectOptions inject;
    std::string energy_table;  // empty: find_energy_table()
    std::string area_table;    // empty: find_area_table()
    std::string synth;         // scripts/synth.sh JSON; empty: scaled estimates
    std::string report_dir;    // --report / report -o: write the report files there
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = report_command
                      ? app.add_subcommand("report", "Run inferences like `run` and write an evaluation report (JSON, CSV, HTML with plots, "
                                                     "Chrome trace) into a directory")
                      : app.add_subcommand("run", "Run full inferences on the TLM model of the accelerator, through the driver");
  if (report_command)
    cmd->add_option("-o,--output", a->report_dir, "directory for report.html, report.json, layers.csv, area.csv, timeline.trace.json")->required();
  else
    cmd->add_option("--report", a->report_dir, "also write the evaluation report (report.html, report.json, CSV, timeline.trace.json) into this directory");
  add_budget_options(cmd);
  add_platform_options(*cmd, a->platform);
  cmd->add_option("--network", a->network, "network file")->required();
  auto* in = cmd->add_option("--input", a->input, "input tensor file");
  auto* rnd = cmd->add_option("--random-input", a->random_seed, "seeded random input (the default, seed 1)")->check(non_negative_seed());
  auto* ds = cmd->add_option("--dataset", a->dataset, "fashion-mnist (test split)");
  in->excludes(rnd)->excludes(ds);
  rnd->excludes(ds);
  cmd->add_option("--images", a->images, "images from the dataset")->capture_default_str();
  cmd->add_option("--data-dir", a->data_dir, "dataset directory")->capture_default_str();
  cmd->add_option("--jobs", a->jobs, "worker processes the images are spread over (clamped to the image count; not with --trace, --fidelity rtl, --inject)")
      ->capture_default_str();
  cmd->add_option("--timeout-ms", a->timeout_ms, "device-time limit per inference")->capture_default_str();
  cmd->add_flag("--json", a->json, "print JSON");
  cmd->add_option("--mapper", a->mapper, "how the driver maps layers: search (the cost-model search) | greedy (widest tile first)")
      ->capture_default_str();
  cmd->add_option("--fidelity", a->fidelity,
                  "tlm: the TLM model computes; rtl: the Verilated compute core and decryptor compute every tile, checked against the TLM model")
      ->capture_default_str();
  cmd->add_option("--vcd", a->cosim.vcd, "--fidelity rtl: write the compute core's waveform to this VCD file");
  cmd->add_option("--vcd-from", a->cosim.vcd_from, "first core cycle in the VCD")->capture_default_str();
  cmd->add_option("--vcd-cycles", a->cosim.vcd_cycles, "core cycles in the VCD (0: to the end; a 16x16 core writes about 30 kB a cycle)")
      ->capture_default_str();
  cmd->add_option("--trace", a->trace, "write a transaction log of unit activity (one line per load, decrypt, PE, post, store)");
  add_inject_options(*cmd, a->inject);
  cmd->add_option("--energy-table", a->energy_table, "per-action energy table for the energy report (YAML; docs/energy.md; default: energy/45nm.yaml beside the config, else the shipped configs/energy/45nm.yaml)");
  cmd->add_option("--area-table", a->area_table, "area table for the area report (YAML; docs/area.md; default: area/osu018.yaml beside the config, else the shipped configs/area/osu018.yaml)");
  cmd->add_option("--synth", a->synth, "the config's synthesis JSON (scripts/synth.sh) for the area report's logic units (default: none, scaled from the area table)");
  cmd->callback([a]() {
    if (a->mapper != "search" && a->mapper != "greedy") throw Error("run --mapper: expected search or greedy, got '" + a->mapper + "'");
    const MapperKind mapper = a->mapper == "greedy" ? MapperKind::Greedy : MapperKind::Search;
    if (!std::isfinite(a->timeout_ms) || a->timeout_ms <= 0 || a->timeout_ms > 1e12)
      throw Error("run --timeout-ms: expected a number of milliseconds > 0 and ≤ 1e12, got " + std::to_string(a->timeout_ms));
    if (a->fidelity != "tlm" && a->fidelity != "rtl") throw Error("run --fidelity: expected tlm or rtl, got '" + a->fidelity + "'");
    const bool rtl = a->fidelity == "rtl";
    if (!rtl && !a->cosim.vcd.empty()) throw Error("run --vcd: the waveform is the RTL's; add --fidelity rtl");
    if (a->jobs < 1) throw Error("run --jobs: expected a positive number of worker processes, got " + std::to_string(a->jobs));
    if (a->jobs > 1 && (!a->trace.empty() || rtl || !a->inject.specs.empty()))
      throw Error(std::string("run --jobs: ") + (!a->trace.empty() ? "--trace" : rtl ? "--fidelity rtl" : "--inject") +
                  " runs in one process only (its log, RTL counts or fault totals span every image); use --jobs 1");
    if (!a->report_dir.empty()) report::prepare_report_dir(a->report_dir);
    const Network net = load_network(a->network);
    const energy::EnergyTable energy_table = energy::load_energy_table(a->energy_table.empty() ? find_energy_table(a->platform.config) : a->energy_table);
    const area::AreaTable area_table = area::load_area_table(a->area_table.empty() ? find_area_table(a->platform.config) : a->area_table);
    const std::optional<area::SynthAreas> synth_areas = a->synth.empty() ? std::nullopt : std::optional<area::SynthAreas>(area::load_synth_json(a->synth));
    std::vector<std::vector<int16_t>> inputs;
    std::vector<int> labels;
    if (!a->dataset.empty()) {
      if (a->dataset != "fashion-mnist") throw Error("run --dataset: expected fashion-mnist, got '" + a->dataset + "'");
      if (a->images < 1) throw Error("run --images: expected a positive count");
      const ImageSet set = load_fashion_mnist(a->data_dir, true, a->images);
      for (int i = 0; i < set.count; ++i) inputs.push_back(pixels_to_input(set, i, net, a->network)), labels.push_back(set.labels[i]);
    } else if (!a->input.empty()) {
      inputs.push_back(load_input(a->input, net));
    } else {
      inputs.push_back(random_input(net, a->random_seed));
    }
    // --jobs: fork the workers before SystemC elaborates anything (parallel_run.h); this process
    // simulates the first share, a worker its own share and then exits.
    ParallelRun par(static_cast<int>(std::min<size_t>(static_cast<size_t>(a->jobs), inputs.size())), inputs.size(), progress);
    Platform plat = make_platform(a->platform);
    const area::AreaReport area_report = area::compute_area(area_table, plat.config, synth_areas ? &*synth_areas : nullptr);
    SimSystem& sys = *plat.system;
    std::unique_ptr<cosim::RtlCosim> core_cosim;
    if (rtl) {
      core_cosim = cosim::make_rtl_cosim(plat.config, a->cosim);
      sys.accel.set_cosim(core_cosim.get());
    }
    std::ofstream trace;
    if (!a->trace.empty()) {
      trace.open(a->trace, std::ios::trunc);
      if (!trace) throw Error(a->trace + ": cannot open for writing (--trace)");
      trace << "# start_ns end_ns unit layer rows ch detail\n";
      sys.accel.set_activity_log(&trace);
    }
    // The report's timeline: the first inference's activity, logged in memory (beside --trace's file,
    // which gets every inference).
    std::ostringstream report_log;
    std::string timeline_text;
    const bool report = !a->report_dir.empty();
    if (report) sys.accel.set_activity_log(&report_log);
    // --inject: the outputs must match the golden reference under the same faults (a mismatch there
    // is a model bug); differences from the fault-free reference are what the faults did.
    const std::unique_ptr<fault::Injection> inj = make_injection(a->inject, net, sys.accel.params().n_out, "run");
    std::unique_ptr<PlatformFaults> faults = inj ? std::make_unique<PlatformFaults>(*inj, sys) : nullptr;
    std::unique_ptr<GoldenModel> clean = inj ? std::make_unique<GoldenModel>(net) : nullptr;
    int clean_differ = 0, clean_top1 = 0;
    GoldenModel golden(inj ? inj->faulted() : net);
    if (inj) inj->hook(golden);
    const size_t out_n = net.output().shape.numel();
    std::vector<int16_t> out(out_n);
    int correct = 0, mismatched = 0;
    std::string first_mismatch;
    std::vector<int> predictions;
    driver::Counters first{};
    MemoryCounters dram_first;
    uint64_t total_cycles = 0;
    std::vector<LayerStats> stats;
    LoweredNetwork lowered;
    HwCaps caps;
    std::string failure;
    const auto wall0 = std::chrono::steady_clock::now();
    sys.host.program = [&](HostCpu& h) {
      driver::Driver drv(h);
      driver::LoadedNetwork ln;
      if (drv.open() != driver::Status::Ok || drv.load_network(net, &ln, mapper) != driver::Status::Ok) {
        failure = drv.message();
        return;
      }
      lowered = ln.lowered;
      caps = drv.caps();
      if (faults && !(failure = faults->corrupt_memory(h, ln.lowered)).empty()) return;
      for (size_t i = par.begin(); i < par.end(); ++i) {
        if (faults) faults->begin(i);
        const MemoryCounters before = sys.memory().counters();
        const driver::Status s = drv.run(ln, inputs[i].data(), out.data(), static_cast<uint64_t>(a->timeout_ms * 1000));
        if (s != driver::Status::Ok) {
          failure = std::string(driver::status_name(s)) + ": " + drv.message();
          return;
        }
        driver::Counters c;
        drv.read_counters(&c);
        if (i == 0) first = c, stats = sys.accel.layer_stats(), dram_first = sys.memory().counters().minus(before);
        if (i == 0 && report) {
          timeline_text = report_log.str();
          if (!a->trace.empty()) trace << timeline_text;
          sys.accel.set_activity_log(a->trace.empty() ? nullptr : &trace);
        }
        total_cycles += c.cycles;
        predictions.push_back(argmax_lowest(out.data(), out_n));
        if (!labels.empty()) correct += predictions.back() == labels[i];
        golden.run(inputs[i].data());
        if (clean) {
          clean->run(inputs[i].data());
          clean_differ += !std::equal(out.begin(), out.end(), clean->output().begin());
          clean_top1 += predictions.back() != clean->top1();
        }
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
        par.image_done({i, predictions.back(), c.cycles, mismatched, clean_differ, clean_top1, first_mismatch});
      }
    };
    sc_core::sc_start();
    if (par.worker()) par.worker_exit(failure.empty() ? "" : a->network + ": " + failure);
    if (!failure.empty()) throw Error(a->network + ": " + failure);
    if (par.jobs() > 1) {  // the workers' images, after this process's share: image order
      const MergedResults m = par.collect();
      for (const ImageResult& r : m.images) {
        predictions.push_back(r.prediction);
        total_cycles += r.cycles;
        if (!labels.empty()) correct += r.prediction == labels.at(r.index);
      }
      mismatched += m.mismatched, clean_differ += m.clean_differ, clean_top1 += m.clean_top1;
      if (first_mismatch.empty()) first_mismatch = m.first_mismatch;
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::string cosim_mismatch;
    if (rtl && !sys.accel.cosim_mismatch().empty()) {
      const int node = plat_descriptor_node(net, sys.accel.cosim_mismatch_descriptor());
      cosim_mismatch = "layer '" + (node >= 0 ? net.nodes[node].name : std::string("?")) + "', " + sys.accel.cosim_mismatch();
    }

    const AccelParams& p = sys.accel.params();
    const double peak_macs = static_cast<double>(p.pe_rows) * p.pe_cols;
    std::vector<LayerRow> rows;
    LayerRow total;
    total.name = "total";
    double total_bound = 0, total_predicted = 0;
    std::array<double, kBoundCount> total_causes{};
    for (const LayerStats& s : stats) {
      LayerRow r;
      const int node = plat_descriptor_node(net, s.index);
      const LayerDescriptor& d = lowered.descriptors.at(s.index);
      r.name = node >= 0 ? net.nodes[node].name : "?";
      r.op = opcode_name(s.op);
      r.mapping = s.op == Opcode::Conv ? lowered.mappings.at(s.index).str() : "tile " + std::to_string(d.tile_rows) + " rows";
      r.cycles = s.window_cycles;
      r.macs = s.macs;
      r.dram_bytes = s.dram_read_bytes + s.dram_write_bytes;
      r.weight_bytes = s.weight_read_bytes;
      r.predicted = lowered.predicted.at(s.index).cycles;
      r.roof = layer_roofline(d, caps);
      r.stats = &s;
      if (s.index < dram_first.tags.size()) r.dram = &dram_first.tags[s.index];
      total.cycles += r.cycles, total.macs += r.macs, total.dram_bytes += r.dram_bytes, total.weight_bytes += r.weight_bytes;
      total_bound += r.roof.cycles();
      total_predicted += r.predicted;
      for (size_t b = 0; b < kBoundCount; ++b) total_causes[b] += s.bound_cycles[b];
      rows.push_back(r);
    }
    auto shares = [](const std::array<double, kBoundCount>& c) {
      nlohmann::json j = nlohmann::json::object();
      double sum = 0;
      for (double v : c) sum += v;
      for (size_t b = 0; b < kBoundCount; ++b) j[bound_name(static_cast<Bound>(b))] = sum > 0 ? c[b] / sum : 0.0;
      return j;
    };
    auto top = [](const std::array<double, kBoundCount>& c) {
      const size_t b = static_cast<size_t>(std::max_element(c.begin(), c.end()) - c.begin());
      double sum = 0;
      for (double v : c) sum += v;
      return std::string(bound_name(static_cast<Bound>(b))) + " " + fmt(sum > 0 ? 100.0 * c[b] / sum : 0.0, 0) + "%";
    };
    auto error_pct = [](double predicted, uint64_t simulated) { return simulated ? 100.0 * (predicted - simulated) / simulated : 0.0; };
    const double latency_us = first.cycles / p.clock_mhz;
    const double mean_cycles = static_cast<double>(total_cycles) / inputs.size();
    nlohmann::json j = {{"network", a->network},
                        {"name", net.name},
                        {"config", a->platform.config},
                        {"platform", plat.description},
                        {"clock_mhz", p.clock_mhz},
                        {"peak_macs_per_cycle", peak_macs},
                        {"dram_peak_bytes_per_cycle", caps.mem_peak_gbps * 1e3 / caps.clock_mhz},
                        {"mapper", lowered.mapper},
                        {"images", inputs.size()},
                        {"cycles", first.cycles},
                        {"mean_cycles", mean_cycles},
                        {"predicted_cycles", total_predicted},
                        {"latency_us", latency_us},
                        {"inferences_per_s", 1e6 / latency_us},
                        {"macs", first.macs},
                        {"pe_utilization", first.macs / (peak_macs * first.cycles)},
                        {"dram_read_bytes", first.dram_read_bytes},
                        {"dram_write_bytes", first.dram_write_bytes},
                        {"weight_read_bytes", total.weight_bytes},
                        {"weight_bytes", lowered.weight_bytes},
                        {"decrypted_bits", first.decrypted_bits},
                        {"roofline_cycles", total_bound},
                        {"roofline_fraction", total_bound / first.cycles},
                        {"bound", top(total_causes)},
                        {"bound_shares", shares(total_causes)},
                        {"golden_match", mismatched == 0},
                        {"golden_mismatches", mismatched},
                        {"wall_s", wall},
                        {"predictions", predictions}};
    if (!labels.empty()) j["accuracy"] = 100.0 * correct / inputs.size();
    if (rtl) {
      j["fidelity"] = "rtl";
      j["rtl_match"] = cosim_mismatch.empty();
      if (!cosim_mismatch.empty()) j["rtl_first_mismatch"] = cosim_mismatch;
      j["rtl_clock_cycles"] = core_cosim->rtl_cycles();
      j["rtl_cycles_per_s"] = core_cosim->rtl_cycles() / std::max(wall, 1e-9);
    }
    if (dram_first.has_rows) {
      const uint64_t n = dram_first.row_hits + dram_first.row_misses + dram_first.row_conflicts;
      j["dram"] = {{"act", dram_first.act}, {"pre", dram_first.pre}, {"rd", dram_first.rd}, {"wr", dram_first.wr}, {"ref", dram_first.ref},
                   {"row_hits", dram_first.row_hits}, {"row_misses", dram_first.row_misses}, {"row_conflicts", dram_first.row_conflicts},
                   {"row_hit_rate", n ? static_cast<double>(dram_first.row_hits) / n : 0.0}};
    }
    if (!first_mismatch.empty()) j["first_mismatch"] = first_mismatch;
    std::vector<std::string> layer_names;
    for (const auto& r : rows) layer_names.push_back(r.name);
    const energy::EnergyReport energy = run_energy_model(energy_table, plat.config, p, stats, dram_first);
    j["energy"] = energy_json(energy_table, energy, layer_names, stats);
    j["area"] = area_json(area_table, area_report);
    if (inj) {
      j["faults"] = faults_json(*inj);
      j["faults"].update({{"golden_reference", "faulted"}, {"fault_free_output_differences", clean_differ}, {"fault_free_top1_changes", clean_top1}});
    }
    j["layers"] = nlohmann::json::array();
    for (const auto& r : rows) {
      const LayerStats& s = *r.stats;
      const LayerMapping& m = lowered.mappings.at(s.index);
      const CostEstimate& pc = lowered.predicted.at(s.index);
      nlohmann::json mj = {{"text", r.mapping}, {"tile_rows", m.tile_rows}};
      if (s.op == Opcode::Conv)
        mj.update({{"dataflow", dataflow_name(m.dataflow)}, {"col_groups", m.col_groups}, {"tile_channels", m.tile_channels}, {"channels_outer", m.channels_outer}});
      j["layers"].push_back({{"name", r.name},
                             {"index", s.index},
                             {"op", r.op},
                             {"mapping", mj},
                             {"cycles", r.cycles},
                             {"span_cycles", s.cycles()},
                             {"predicted_cycles", r.predicted},
                             {"prediction_error", error_pct(r.predicted, r.cycles) / 100.0},
                             {"predicted_bound", std::array<const char*, 5>{"dram", "decrypt", "pe", "post", "store"}[static_cast<size_t>(pc.bound)]},
                             {"macs", r.macs},
                             {"out_shape", {lowered.descriptors.at(s.index).out_c, lowered.descriptors.at(s.index).out_h, lowered.descriptors.at(s.index).out_w}},
                             {"positions", lowered.descriptors.at(s.index).out_h * lowered.descriptors.at(s.index).out_w},
                             {"dram_bytes", r.dram_bytes},
                             {"weight_bytes", r.weight_bytes},
                             {"compulsory_bytes", r.roof.compulsory_bytes},
                             {"tiles", s.tiles},
                             {"pe_cycles", s.pe_cycles},
                             {"decrypt_cycles", s.decrypt_cycles},
                             {"decrypt_stall_cycles", s.decrypt_stall_cycles},
                             {"decrypted_bits", s.decrypted_bits},
                             {"xor_gate_ops", s.xor_gate_ops},
                             {"utilization", r.cycles ? r.macs / (peak_macs * r.cycles) : 0.0},
                             {"roofline_cycles", r.roof.cycles()},
                             {"roofline_compute_cycles", r.roof.compute_cycles},
                             {"roofline_memory_cycles", r.roof.memory_cycles},
                             {"roofline_fraction", r.cycles ? r.roof.cycles() / r.cycles : 0.0},
                             {"bound", bound_name(s.bound())},
                             {"bound_shares", shares(s.bound_cycles)}});
      if (r.dram)  // as the DRAM counted the layer's tagged bursts
        j["layers"].back()["dram"] = {{"bytes_read", r.dram->bytes_read}, {"bytes_written", r.dram->bytes_written},
                                      {"row_hits", r.dram->row_hits}, {"row_misses", r.dram->row_misses},
                                      {"row_conflicts", r.dram->row_conflicts}, {"row_hit_rate", r.dram->row_hit_rate()}};
      if (rtl) {
        const uint64_t tlm_c = s.tlm_pe_cycles + s.tlm_post_cycles, rtl_c = s.pe_cycles + s.post_cycles;
        j["layers"].back().update({{"rtl_pe_cycles", s.pe_cycles}, {"tlm_pe_cycles", s.tlm_pe_cycles}, {"rtl_post_cycles", s.post_cycles},
                                   {"tlm_post_cycles", s.tlm_post_cycles}, {"rtl_decrypt_cycles", s.rtl_decrypt_cycles},
                                   {"rtl_tlm_difference", rtl_c ? (static_cast<double>(tlm_c) - static_cast<double>(rtl_c)) / static_cast<double>(rtl_c) : 0.0}});
      }
    }
    if (report) {
      std::istringstream log(timeline_text);
      report::write_run_report(a->report_dir, j, report::parse_activity_log(log, "activity log"));
      if (a->json)  // the text report names it at its end
        std::fprintf(stderr, "report: %s/report.html (also report.json, layers.csv, area.csv, timeline.trace.json)\n", a->report_dir.c_str());
    }
    if (a->json) {
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      Table t({"layer", "op", "mapping", "cycles", "predicted", "err %", "util %", "DRAM B", "row hit %", "roofline", "achieved %", "bound"});
      for (const auto& r : rows)
        t.add({r.name, r.op, r.mapping, with_commas(static_cast<int64_t>(r.cycles)), with_commas(static_cast<int64_t>(std::llround(r.predicted))),
               fmt(error_pct(r.predicted, r.cycles), 1), r.macs ? fmt(100.0 * r.macs / (peak_macs * std::max<uint64_t>(r.cycles, 1)), 1) : "-",
               with_commas(static_cast<int64_t>(r.dram_bytes)), r.dram ? fmt(100.0 * r.dram->row_hit_rate(), 1) : "-",
               with_commas(static_cast<int64_t>(std::ceil(r.roof.cycles()))) + (r.roof.memory_bound() ? " m" : " c"),
               fmt(100.0 * r.roof.cycles() / std::max<uint64_t>(r.cycles, 1), 1), top(r.stats->bound_cycles)});
      t.rule();
      t.add({"total", "", lowered.mapper + " mapper", with_commas(static_cast<int64_t>(first.cycles)), with_commas(static_cast<int64_t>(std::llround(total_predicted))),
             fmt(error_pct(total_predicted, first.cycles), 1), fmt(100.0 * first.macs / (peak_macs * first.cycles), 1),
             with_commas(static_cast<int64_t>(first.dram_read_bytes + first.dram_write_bytes)),
             dram_first.has_rows ? fmt(100.0 * dram_first.row_hits / std::max<uint64_t>(1, dram_first.row_hits + dram_first.row_misses + dram_first.row_conflicts), 1) : "-",
             with_commas(static_cast<int64_t>(std::ceil(total_bound))),
             fmt(100.0 * total_bound / first.cycles, 1), top(total_causes)});
      std::printf("%s on %s\n\n%s\n", net.name.c_str(), plat.description.c_str(), t.str().c_str());
      std::printf("cycles: each layer's window, from the previous layer's end to its own (layers overlap); predicted: the mapper's cost model\n");
      std::printf("roofline: max(MACs at the array's peak, compulsory bytes at the DRAM's JEDEC peak); m/c: memory/compute bound\n");
      std::printf("DRAM B: bytes the layer's DMA transfers moved; row hit %%: the DRAM's row-buffer hits over the layer's bursts (DMA tags each with its layer)\n");
      std::printf("bound: what the compute unit was busy with or waiting for, largest share of the window\n\n");
      std::printf("latency %.1f us at %.0f MHz (%.0f inferences/s); PE utilization %.1f%%; roofline %s cycles, achieved %.1f%%\n", latency_us,
                  p.clock_mhz, 1e6 / latency_us, 100.0 * first.macs / (peak_macs * first.cycles), with_commas(static_cast<int64_t>(total_bound)).c_str(),
                  100.0 * total_bound / first.cycles);
      std::printf("DRAM: %s bytes read, %s written; weights %s bytes read (stored %s), %s bits decrypted\n",
                  with_commas(static_cast<int64_t>(first.dram_read_bytes)).c_str(), with_commas(static_cast<int64_t>(first.dram_write_bytes)).c_str(),
                  with_commas(static_cast<int64_t>(total.weight_bytes)).c_str(), with_commas(static_cast<int64_t>(lowered.weight_bytes)).c_str(),
                  with_commas(static_cast<int64_t>(first.decrypted_bits)).c_str());
      if (dram_first.has_rows) {
        const uint64_t n = dram_first.row_hits + dram_first.row_misses + dram_first.row_conflicts;
        std::printf("DRAM commands: ACT %s, RD %s, WR %s, PRE %s, REF %s; row hits %.1f%% (%s hits, %s misses, %s conflicts)\n",
                    with_commas(static_cast<int64_t>(dram_first.act)).c_str(), with_commas(static_cast<int64_t>(dram_first.rd)).c_str(),
                    with_commas(static_cast<int64_t>(dram_first.wr)).c_str(), with_commas(static_cast<int64_t>(dram_first.pre)).c_str(),
                    with_commas(static_cast<int64_t>(dram_first.ref)).c_str(), n ? 100.0 * dram_first.row_hits / n : 0.0,
                    with_commas(static_cast<int64_t>(dram_first.row_hits)).c_str(), with_commas(static_cast<int64_t>(dram_first.row_misses)).c_str(),
                    with_commas(static_cast<int64_t>(dram_first.row_conflicts)).c_str());
      }
      std::printf("\n%s\n", energy_text(energy_table, energy, layer_names).c_str());
      std::printf("%s\n", area_text(area_table, area_report).c_str());
      if (!labels.empty()) std::printf("Fashion-MNIST: %d/%zu correct, accuracy %.2f%%\n", correct, inputs.size(), 100.0 * correct / inputs.size());
      if (inj)
        std::printf("\n%s\nfault-free golden reference: %d of %zu outputs differ, top-1 changed on %d\n", faults_text(*inj).c_str(), clean_differ,
                    inputs.size(), clean_top1);
      std::printf("golden reference%s: %s\n", inj ? " with the same faults" : "", mismatched == 0 ? ("every output matched (" + std::to_string(inputs.size()) + " inputs)").c_str()
                                                            : (std::to_string(mismatched) + " mismatched; first: " + first_mismatch).c_str());
      if (rtl) {
        Table ct({"layer", "op", "TLM decrypt", "RTL decrypt", "TLM PE", "RTL PE", "TLM post", "RTL post", "TLM total", "RTL total", "diff %"});
        uint64_t tt = 0, rt = 0;
        for (const auto& r : rows) {
          const LayerStats& s = *r.stats;
          const uint64_t tlm_c = s.tlm_pe_cycles + s.tlm_post_cycles, rtl_c = s.pe_cycles + s.post_cycles;
          tt += tlm_c, rt += rtl_c;
          auto n = [](uint64_t v) { return with_commas(static_cast<int64_t>(v)); };
          ct.add({r.name, r.op, n(s.decrypt_cycles), n(s.rtl_decrypt_cycles), n(s.tlm_pe_cycles), n(s.pe_cycles), n(s.tlm_post_cycles), n(s.post_cycles), n(tlm_c), n(rtl_c),
                  fmt(rtl_c ? 100.0 * (static_cast<double>(tlm_c) - static_cast<double>(rtl_c)) / static_cast<double>(rtl_c) : 0.0, 2)});
        }
        ct.rule();
        ct.add({"total", "", "", "", "", "", "", "", with_commas(static_cast<int64_t>(tt)), with_commas(static_cast<int64_t>(rt)),
                fmt(rt ? 100.0 * (static_cast<double>(tt) - static_cast<double>(rt)) / static_cast<double>(rt) : 0.0, 2)});
        std::printf("\nco-simulation: the Verilated compute core and decryptor computed every tile (first inference's cycles, summed over the layer's "
                    "tiles; total: PE array and post-processing)\n\n%s\n",
                    ct.str().c_str());
        std::printf("RTL vs TLM: %s\n", cosim_mismatch.empty() ? "every tile's outputs matched" : ("MISMATCH: " + cosim_mismatch).c_str());
        std::printf("RTL clock cycles simulated: %s (loads included), %.0f cycles/s\n", with_commas(static_cast<int64_t>(core_cosim->rtl_cycles())).c_str(),
                    core_cosim->rtl_cycles() / std::max(wall, 1e-9));
      }
      std::printf("simulated %zu inference(s) in %.2f s wall\n", inputs.size(), wall);
      if (report)
        std::printf("report: %s/report.html (also report.json, layers.csv, area.csv, timeline.trace.json)\n", a->report_dir.c_str());
    }
    if (!cosim_mismatch.empty()) throw Error(a->network + ": the RTL disagreed with the TLM model (" + cosim_mismatch + ")");
    if (mismatched)
      throw Error(a->network + ": the accelerator disagreed with the golden reference" + (inj ? " under the same faults" : "") + " (" + first_mismatch + ")");
  });
}

}  // namespace

void register_run(CLI::App& app) { register_run_command(app, false); }
void register_report(CLI::App& app) { register_run_command(app, true); }

}  // namespace subbit::cli
