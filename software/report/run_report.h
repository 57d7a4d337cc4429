// The report of one `subbit run --report DIR` / `subbit report -o DIR` (docs/reports.md): the run's
// JSON as report.json, per-layer, energy and area tables as CSV, one self-contained HTML page with
// plots, and the unit timeline of the first inference in the Chrome trace-event format (Perfetto).
// No SystemC here: everything is computed from the run's JSON and its activity log.
#pragma once
#include <nlohmann/json.hpp>

#include <istream>
#include <string>
#include <vector>

namespace subbit::report {

// One line of the accelerator's activity log (`subbit run --trace`): a unit busy on a layer from
// start_ns to end_ns.
struct TimelineEvent {
  double start_ns = 0, end_ns = 0;
  std::string unit;    // load-weights, load-act, decrypt, pe, post, store, ...
  int layer = -1;      // descriptor index, -1 when the line names none
  std::string detail;  // the rest of the line (rows=, ch=, bytes=, macs=, ...)
};

// Parses the activity log format ("# start_ns end_ns unit layer=L rest..."; '#' lines skipped).
// Throws subbit::Error naming `source` and the line on a malformed line.
std::vector<TimelineEvent> parse_activity_log(std::istream& in, const std::string& source);

// The events as Chrome trace-event JSON (one thread per unit, complete "X" events in µs with the
// layer's name and the detail as args), which Perfetto and chrome://tracing open.
// `layer_names[i]`: the name of layer (descriptor) i.
nlohmann::json chrome_trace(const std::vector<TimelineEvent>& events, const std::vector<std::string>& layer_names,
                            const std::string& process_name);

// layers.csv: one row per layer and a total row (latency, utilization, roofline, bound, DRAM bytes and
// row hits, energy by component), from the run's JSON.
std::string layers_csv(const nlohmann::json& run);
// area.csv: one row per unit (absent "area": a header only).
std::string area_csv(const nlohmann::json& run);

// The HTML page: summary, stacked energy bars per layer, area breakdown, roofline chart (every layer a
// point, with its own bound), per-layer latency against the bound, the unit timeline, and tables.
std::string report_html(const nlohmann::json& run, const std::vector<TimelineEvent>& events, const std::vector<std::string>& layer_names);

// Creates `dir` (and its parents) if missing; throws subbit::Error naming it when it cannot. Called
// before simulating, so a bad -o fails at once.
void prepare_report_dir(const std::string& dir);

// Writes report.json, layers.csv, area.csv, report.html and timeline.trace.json into `dir` (created
// if missing), each atomically. Throws subbit::Error naming the path on failure.
void write_run_report(const std::string& dir, const nlohmann::json& run, const std::vector<TimelineEvent>& events);

}  // namespace subbit::report
