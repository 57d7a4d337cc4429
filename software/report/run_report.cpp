#include "report/run_report.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "quant/error.h"
#include "report/html_page.h"

namespace subbit::report {

std::vector<TimelineEvent> parse_activity_log(std::istream& in, const std::string& source) {
  std::vector<TimelineEvent> events;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    TimelineEvent e;
    if (!(ls >> e.start_ns >> e.end_ns >> e.unit) || e.end_ns < e.start_ns)
      throw Error(source + ":" + std::to_string(n) + ": expected 'start_ns end_ns unit layer=L ...' with end_ns >= start_ns, got '" + line + "'");
    std::string word, rest;
    while (ls >> word) {
      if (word.rfind("layer=", 0) == 0 && e.layer < 0) {
        try {
          e.layer = std::stoi(word.substr(6));
        } catch (const std::exception&) {
          throw Error(source + ":" + std::to_string(n) + ": field 'layer': expected a layer index, got '" + word + "'");
        }
      } else {
        rest += (rest.empty() ? "" : " ") + word;
      }
    }
    e.detail = rest;
    events.push_back(std::move(e));
  }
  return events;
}

namespace {

std::string layer_name(const std::vector<std::string>& names, int layer) {
  if (layer >= 0 && static_cast<size_t>(layer) < names.size() && !names[static_cast<size_t>(layer)].empty()) return names[static_cast<size_t>(layer)];
  return layer >= 0 ? "layer " + std::to_string(layer) : "-";
}

// Units in pipeline order, so the timeline reads top to bottom as data flows.
const std::vector<std::string> kUnitOrder = {"load-weights", "decrypt", "load-act", "pe", "post", "store"};

std::vector<std::string> units_of(const std::vector<TimelineEvent>& events) {
  std::vector<std::string> units;
  for (const std::string& u : kUnitOrder)
    for (const TimelineEvent& e : events)
      if (e.unit == u) {
        units.push_back(u);
        break;
      }
  for (const TimelineEvent& e : events)
    if (std::find(units.begin(), units.end(), e.unit) == units.end()) units.push_back(e.unit);
  return units;
}

// Descriptor index -> layer name, from the run's "layers" (each with "index").
std::vector<std::string> names_by_index(const nlohmann::json& run) {
  std::vector<std::string> names;
  for (const auto& l : run.value("layers", nlohmann::json::array())) {
    const size_t i = l.value("index", names.size());
    if (i >= names.size()) names.resize(i + 1);
    names[i] = l.value("name", "");
  }
  return names;
}

std::string num(double v) {
  std::ostringstream s;
  s.precision(12);
  s << v;
  return s.str();
}

const std::vector<std::pair<std::string, std::string>> kEnergyParts = {
    {"dram_dynamic_pj", "DRAM dynamic"}, {"dram_background_pj", "DRAM background"}, {"weight_sram_pj", "weight SRAM"},
    {"act_sram_pj", "activation SRAM"},  {"acc_sram_pj", "accumulator SRAM"},       {"xor_decrypt_pj", "XOR decryption"},
    {"pe_pj", "PE array"},               {"post_pj", "post-processing"},            {"control_pj", "control"},
    {"leakage_pj", "leakage"}};

}  // namespace

nlohmann::json chrome_trace(const std::vector<TimelineEvent>& events, const std::vector<std::string>& layer_names,
                            const std::string& process_name) {
  const std::vector<std::string> units = units_of(events);
  nlohmann::json ev = nlohmann::json::array();
  ev.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 0}, {"args", {{"name", process_name}}}});
  for (size_t t = 0; t < units.size(); ++t) {
    ev.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", t + 1}, {"args", {{"name", units[t]}}}});
    ev.push_back({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", 1}, {"tid", t + 1}, {"args", {{"sort_index", t}}}});
  }
  for (const TimelineEvent& e : events) {
    const size_t tid = static_cast<size_t>(std::find(units.begin(), units.end(), e.unit) - units.begin()) + 1;
    ev.push_back({{"name", layer_name(layer_names, e.layer)},
                  {"cat", e.unit},
                  {"ph", "X"},
                  {"ts", e.start_ns / 1000.0},
                  {"dur", (e.end_ns - e.start_ns) / 1000.0},
                  {"pid", 1},
                  {"tid", tid},
                  {"args", {{"layer", e.layer}, {"detail", e.detail}}}});
  }
  return {{"traceEvents", ev}, {"displayTimeUnit", "ns"}, {"otherData", {{"source", "subbit run --report (first inference)"}}}};
}

std::string layers_csv(const nlohmann::json& run) {
  std::ostringstream out;
  out << "layer,op,mapping,cycles,latency_us,macs,utilization,roofline_cycles,roofline_fraction,roofline_kind,bound,predicted_cycles,"
         "dram_bytes,weight_bytes,compulsory_bytes,dram_row_hit_rate";
  for (const auto& [key, label] : kEnergyParts) out << "," << key.substr(0, key.size() - 3) << "_nj";
  out << ",energy_nj\n";
  const double mhz = run.value("clock_mhz", 0.0);
  const nlohmann::json& layers = run.at("layers");
  const nlohmann::json elayers = run.contains("energy") ? run["energy"].value("layers", nlohmann::json::array()) : nlohmann::json::array();
  auto energy_cells = [&](const nlohmann::json& e) {
    std::string s;
    for (const auto& [key, label] : kEnergyParts) s += "," + (e.is_object() && e.contains(key) ? num(e[key].get<double>() * 1e-3) : std::string());
    s += "," + (e.is_object() && e.contains("total_pj") ? num(e["total_pj"].get<double>() * 1e-3) : std::string());
    return s;
  };
  for (size_t i = 0; i < layers.size(); ++i) {
    const nlohmann::json& l = layers[i];
    const double cycles = l.value("cycles", 0.0);
    out << csv_field(l.value("name", "")) << "," << csv_field(l.value("op", "")) << ","
        << csv_field(l.contains("mapping") ? l["mapping"].value("text", "") : "") << "," << num(cycles) << ","
        << (mhz > 0 ? num(cycles / mhz) : "") << "," << num(l.value("macs", 0.0)) << "," << num(l.value("utilization", 0.0)) << ","
        << num(l.value("roofline_cycles", 0.0)) << "," << num(l.value("roofline_fraction", 0.0)) << ","
        << (l.value("roofline_memory_cycles", 0.0) >= l.value("roofline_compute_cycles", 0.0) ? "memory" : "compute") << ","
        << csv_field(l.value("bound", "")) << "," << num(l.value("predicted_cycles", 0.0)) << "," << num(l.value("dram_bytes", 0.0)) << ","
        << num(l.value("weight_bytes", 0.0)) << "," << num(l.value("compulsory_bytes", 0.0)) << ","
        << (l.contains("dram") ? num(l["dram"].value("row_hit_rate", 0.0)) : "")
        << energy_cells(i < elayers.size() ? elayers[i] : nlohmann::json()) << "\n";
  }
  const double cycles = run.value("cycles", 0.0);
  out << "total,,," << num(cycles) << "," << (mhz > 0 ? num(cycles / mhz) : "") << "," << num(run.value("macs", 0.0)) << ","
      << num(run.value("pe_utilization", 0.0)) << "," << num(run.value("roofline_cycles", 0.0)) << "," << num(run.value("roofline_fraction", 0.0))
      << ",," << csv_field(run.value("bound", "")) << "," << num(run.value("predicted_cycles", 0.0)) << ","
      << num(run.value("dram_read_bytes", 0.0) + run.value("dram_write_bytes", 0.0)) << "," << num(run.value("weight_read_bytes", 0.0)) << ",,"
      << (run.contains("dram") ? num(run["dram"].value("row_hit_rate", 0.0)) : "")
      << energy_cells(run.contains("energy") ? run["energy"].value("total", nlohmann::json()) : nlohmann::json()) << "\n";
  return out.str();
}

std::string area_csv(const nlohmann::json& run) {
  std::ostringstream out;
  out << "unit,area_um2,share,source,detail\n";
  if (!run.contains("area")) return out.str();
  for (const auto& u : run["area"].value("units", nlohmann::json::array()))
    out << csv_field(u.value("name", "")) << "," << num(u.value("area_um2", 0.0)) << "," << num(u.value("share", 0.0)) << ","
        << csv_field(u.value("source", "")) << "," << csv_field(u.value("detail", "")) << "\n";
  out << "total," << num(run["area"].value("total_um2", 0.0)) << ",1,,\n";
  return out.str();
}

std::string report_html(const nlohmann::json& run, const std::vector<TimelineEvent>& events, const std::vector<std::string>& layer_names) {
  // The page's data: the run's JSON without the per-image predictions (up to 10,000 numbers nobody
  // plots), and the timeline as compact rows [start_ns, end_ns, unit, layer].
  nlohmann::json data = run;
  data.erase("predictions");
  const std::vector<std::string> units = units_of(events);
  nlohmann::json rows = nlohmann::json::array();
  for (const TimelineEvent& e : events)
    rows.push_back({e.start_ns, e.end_ns, std::find(units.begin(), units.end(), e.unit) - units.begin(), e.layer, e.detail});
  data["timeline"] = {{"units", units}, {"layer_names", layer_names}, {"events", rows}};
  data["energy_parts"] = nlohmann::json::array();
  for (const auto& [key, label] : kEnergyParts) data["energy_parts"].push_back({key, label});

  const std::string title = run.value("name", std::string("network")) + " on " + run.value("platform", std::string("?"));
  std::string body = "<h1>" + escape_html(title) + "</h1>\n";
  body += "<p class=\"note\">" + escape_html(run.value("network", std::string())) + " &middot; " +
          escape_html(run.value("config", std::string())) + " &middot; first inference of " + std::to_string(run.value("images", 1)) +
          " &middot; written by subbit " + escape_html(run.value("command", std::string("run --report"))) + "</p>\n";
  body += R"(<div id="status" data-status="pending">rendering</div>
<h2>Summary</h2><table id="summary"></table>
<h2>Energy per layer</h2><p class="note">Stacked by component (nJ, first inference). Activity counters &times; the energy table named in the summary (docs/energy.md).</p>
<div class="chart tall"><canvas id="energy-chart"></canvas></div>
<h2>Area</h2><p class="note">Per unit (mm&sup2;). Logic from synthesis or scaled from a synthesized reference, SRAM from the capacity model (docs/area.md).</p>
<div class="chart"><canvas id="area-chart"></canvas></div>
<h2>Roofline</h2><p class="note">Every layer with MACs: achieved MACs per cycle against operational intensity (MACs per compulsory DRAM byte: each weight, input and output moved once). Roofs: the array's peak and the DRAM's JEDEC peak bandwidth. Hollow markers: the layer's own bound (multi-plane layers need one pass per plane).</p>
<div class="chart tall"><canvas id="roofline-chart"></canvas></div>
<h2>Latency per layer</h2><p class="note">Cycles of each layer's window against its roofline bound.</p>
<div class="chart"><canvas id="latency-chart"></canvas></div>
<h2>Unit timeline</h2><p class="note">When each unit was busy during the first inference, coloured by layer (also in timeline.trace.json for Perfetto, ui.perfetto.dev).</p>
<div class="chart tall"><canvas id="timeline-chart"></canvas></div>
<h2>Layers</h2><table id="layers"></table>
<h2>Area by unit</h2><table id="area"></table>
)";
  return html_page(title, body, data, std::string(run_report_js()));
}

void prepare_report_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir)) throw Error(dir + ": cannot create the report directory" + (ec ? " (" + ec.message() + ")" : std::string()));
}

void write_run_report(const std::string& dir, const nlohmann::json& run, const std::vector<TimelineEvent>& events) {
  namespace fs = std::filesystem;
  prepare_report_dir(dir);
  const std::vector<std::string> names = names_by_index(run);
  const fs::path d(dir);
  write_file_atomic((d / "report.json").string(), run.dump(2) + "\n");
  write_file_atomic((d / "layers.csv").string(), layers_csv(run));
  write_file_atomic((d / "area.csv").string(), area_csv(run));
  write_file_atomic((d / "timeline.trace.json").string(), chrome_trace(events, names, run.value("name", std::string("subbit"))).dump() + "\n");
  write_file_atomic((d / "report.html").string(), report_html(run, events, names));
}

}  // namespace subbit::report
