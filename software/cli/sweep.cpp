#include "cli/sweep.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "config/arch_config.h"
#include "config/yaml_loader.h"
#include "quant/error.h"
#include "quant/file_io.h"
#include "report/html_page.h"

namespace subbit::sweep {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kSchemeHelp = {"int8", "binary", "bcqN", "uniformN", "ternary", "signed_binary", "flexorB"};
std::string join_schemes() { return YamlLoader::join(kSchemeHelp); }

bool parse_uint(const std::string& s, uint64_t* v) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  *v = std::stoull(s);
  return true;
}

std::string resolve(const std::string& base_dir, const std::string& p) {
  fs::path q(p);
  if (q.is_relative()) q = fs::path(base_dir.empty() ? "." : base_dir) / q;
  return fs::absolute(q).lexically_normal().string();
}

class SweepLoader : public YamlLoader {
 public:
  SweepLoader(std::string source, std::string base_dir) : YamlLoader(std::move(source)), base_(std::move(base_dir)) {}

  // A non-empty list at `f`.
  void list(const YAML::Node& v, const std::string& f, const std::string& what) {
    if (!v.IsSequence() || v.size() == 0) fail_at(v, f, "expected a non-empty list of " + what + ", got " + (v.IsSequence() ? "an empty list" : got(v)));
  }

  // An existing regular file named at `f`, resolved against the sweep file's folder.
  std::string file(const YAML::Node& v, const std::string& f, const std::string& what) {
    const std::string p = text(v, f);
    const std::string r = resolve(base_, p);
    std::error_code ec;
    if (!fs::is_regular_file(r, ec))
      fail_at(v, f, "expected " + what + ", got \"" + p + "\" (" + (fs::exists(r, ec) ? "not a regular file: " : "no such file: ") + r + ")");
    return r;
  }

  SweepSpec load(const YAML::Node& root) {
    SweepSpec s;
    s.source = src_;
    if (!root.IsDefined() || root.IsNull()) throw Error(src_ + ": expected a mapping with configs, networks (and name, grid, run), got an empty document");
    if (!root.IsMap()) throw Error(src_ + ":" + std::to_string(root.Mark().line + 1) + ": expected a mapping with configs, networks (and name, grid, run) at the top level, got " + got(root));
    const YAML::Mark top = YAML::Mark::null_mark();
    check_map(root, "", {"name", "configs", "grid", "networks", "run"});
    if (const YAML::Node v = root["name"]; v.IsDefined()) {
      s.name = text(v, "name");
    } else {
      s.name = fs::path(src_).stem().string();
    }

    const YAML::Node cf = get(root, "", "configs", true, top);
    list(cf, "configs", "architecture config files");
    for (size_t i = 0; i < cf.size(); ++i) {
      const std::string f = "configs[" + std::to_string(i) + "]";
      set_mark(f, cf[i].Mark());
      const std::string path = file(cf[i], f, "an architecture config file (YAML)");
      if (std::find(s.configs.begin(), s.configs.end(), path) != s.configs.end()) fail_at(cf[i], f, "expected each config once, got \"" + cf[i].Scalar() + "\" again");
      try {
        s.config_names.push_back(load_arch_config(path).name);
      } catch (const Error& e) {
        fail_at(cf[i], f, std::string("expected a valid architecture config: ") + e.what());
      }
      s.configs.push_back(path);
    }

    if (const YAML::Node g = root["grid"]; g.IsDefined()) {
      if (!g.IsMap()) fail_at(g, "grid", "expected a mapping of dotted config fields to lists of values, got " + got(g));
      std::set<std::string> seen;
      for (auto it = g.begin(); it != g.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
        const std::string f = "grid." + key;
        set_mark(f, it->first.Mark());
        if (!seen.insert(key).second) fail(it->first.Mark(), f, "duplicate key");
        const YAML::Node vals = it->second;
        list(vals, f, "values");
        GridAxis axis{key, {}};
        for (size_t i = 0; i < vals.size(); ++i) {
          if (!vals[i].IsScalar()) fail_at(vals, f, "expected a list of values (scalars), got " + got(vals[i]) + " as item " + std::to_string(i + 1));
          if (std::find(axis.values.begin(), axis.values.end(), vals[i].Scalar()) != axis.values.end())
            fail_at(vals, f, "expected distinct values, got \"" + vals[i].Scalar() + "\" twice");
          axis.values.push_back(vals[i].Scalar());
        }
        check_grid_field(axis, s.configs.front(), f, vals);
        s.grid.push_back(std::move(axis));
      }
    }

    const YAML::Node nw = get(root, "", "networks", true, top);
    list(nw, "networks", "networks (each file: or generate:)");
    for (size_t i = 0; i < nw.size(); ++i) {
      const std::string p = "networks[" + std::to_string(i) + "]";
      set_mark(p, nw[i].Mark());
      const YAML::Node n = nw[i];
      check_map(n, p, {"file", "generate", "schemes", "label", "accuracy", "seed"});
      NetworkEntry e;
      const bool has_file = n["file"].IsDefined(), has_gen = n["generate"].IsDefined();
      if (has_file == has_gen) fail(n.Mark(), p, has_file ? "expected either file or generate, got both" : "expected a key file (a trained network) or generate (a netgen model)");
      if (const YAML::Node v = n["label"]; v.IsDefined()) e.label = text(v, p + ".label");
      if (has_file) {
        for (const char* k : {"schemes", "seed"})
          if (n[k].IsDefined()) fail_at(n[k], p + "." + k, "expected only with generate (a trained network has its own scheme and weights)");
        e.file = file(n["file"], p + ".file", "a network file (.safetensors)");
        if (const YAML::Node v = n["accuracy"]; v.IsDefined()) {
          e.accuracy = file(v, p + ".accuracy", "a training report (JSON)");
          nlohmann::json r;
          try {
            std::ifstream in(e.accuracy);
            r = nlohmann::json::parse(in);
          } catch (const std::exception& ex) {
            fail_at(v, p + ".accuracy", "expected a training report (JSON), got " + e.accuracy + " (" + ex.what() + ")");
          }
          if (!r.is_object() || !r.contains("pytorch_integer_accuracy") || !r["pytorch_integer_accuracy"].is_number())
            fail_at(v, p + ".accuracy", "expected a training report with a number pytorch_integer_accuracy (scripts/train/train.py --report), got " + e.accuracy);
          e.report_accuracy = r["pytorch_integer_accuracy"].get<double>();
          if (r.contains("scheme") && r["scheme"].is_string()) {
            e.report_scheme = r["scheme"].get<std::string>();
            if (e.report_scheme == "flexor" && r.contains("bits") && r["bits"].is_number()) e.report_scheme += fmt_g(r["bits"].get<double>());
            if (e.report_scheme == "bcq" && r.contains("q") && r["q"].is_number()) e.report_scheme += std::to_string(r["q"].get<int>());
          }
        }
      } else {
        if (n["accuracy"].IsDefined()) fail_at(n["accuracy"], p + ".accuracy", "expected only with file (a trained network's report); a generated network has random weights");
        const std::vector<std::string>& models = netgen_networks();
        e.generate = scalar(n["generate"], p + ".generate", "expected a netgen model (one of " + join(models) + ")");
        if (std::find(models.begin(), models.end(), e.generate) == models.end())
          fail_at(n["generate"], p + ".generate", "expected a netgen model (one of " + join(models) + "), got " + got(n["generate"]));
        if (const YAML::Node v = n["seed"]; v.IsDefined())
          if (!v.IsScalar() || !parse_uint(v.Scalar(), &e.seed)) fail_at(v, p + ".seed", "expected a non-negative integer seed, got " + got(v));
        const YAML::Node sc = n["schemes"];
        if (!sc.IsDefined()) fail(n.Mark(), p + ".schemes", "missing required key (the weight schemes to generate " + e.generate + " in)");
        list(sc, p + ".schemes", "weight schemes (" + join(kSchemeHelp) + ")");
        for (size_t k = 0; k < sc.size(); ++k) {
          const std::string name = sc[k].IsScalar() ? sc[k].Scalar() : "";
          try {
            (void)netgen_options(e.generate, name, e.seed);
          } catch (const Error& ex) {
            fail_at(sc, p + ".schemes", std::string(ex.what()) + ", got " + got(sc[k]));
          }
          if (std::find(e.schemes.begin(), e.schemes.end(), name) != e.schemes.end())
            fail_at(sc, p + ".schemes", "expected distinct schemes, got \"" + name + "\" twice");
          e.schemes.push_back(name);
        }
      }
      s.networks.push_back(std::move(e));
    }

    if (const YAML::Node r = root["run"]; r.IsDefined()) {
      check_map(r, "run", {"images", "dataset", "data_dir", "mapper", "memory", "seed"});
      RunOptions& o = s.run;
      if (const YAML::Node v = r["dataset"]; v.IsDefined()) {
        o.dataset = scalar(v, "run.dataset", "expected fashion-mnist");
        if (o.dataset != "fashion-mnist") fail_at(v, "run.dataset", "expected fashion-mnist, got " + got(v));
      }
      if (const YAML::Node v = r["images"]; v.IsDefined()) {
        uint64_t n = 0;
        if (!v.IsScalar() || !parse_uint(v.Scalar(), &n) || n < 1 || n > 10000) fail_at(v, "run.images", "expected a positive integer ≤ 10000, got " + got(v));
        if (n > 1 && o.dataset.empty()) fail_at(v, "run.images", "expected 1 without run.dataset (one seeded random input), got " + got(v));
        o.images = static_cast<int>(n);
      }
      if (const YAML::Node v = r["data_dir"]; v.IsDefined()) {
        if (o.dataset.empty()) fail_at(v, "run.data_dir", "expected only with run.dataset");
        o.data_dir = resolve(base_, text(v, "run.data_dir"));
      }
      if (const YAML::Node v = r["mapper"]; v.IsDefined()) {
        o.mapper = scalar(v, "run.mapper", "expected search or greedy");
        if (o.mapper != "search" && o.mapper != "greedy") fail_at(v, "run.mapper", "expected search or greedy, got " + got(v));
      }
      if (const YAML::Node v = r["memory"]; v.IsDefined()) {
        o.memory = scalar(v, "run.memory", "expected dram or ideal");
        if (o.memory != "dram" && o.memory != "ideal") fail_at(v, "run.memory", "expected dram or ideal, got " + got(v));
      }
      if (const YAML::Node v = r["seed"]; v.IsDefined()) {
        if (!o.dataset.empty()) fail_at(v, "run.seed", "expected only without run.dataset (the seed of the random input)");
        if (!v.IsScalar() || !parse_uint(v.Scalar(), &o.seed)) fail_at(v, "run.seed", "expected a non-negative integer seed, got " + got(v));
      }
    }
    return s;
  }

 private:
  // A grid field must be a config field: applied to the first base config with its first value,
  // the loader must not call it unknown (or find a mapping's place taken by a value).
  void check_grid_field(const GridAxis& axis, const std::string& config, const std::string& f, const YAML::Node& vals) {
    std::string msg;
    try {
      const std::string yaml = apply_overrides(read_input_file(config, "an architecture config (YAML)"), {{axis.field, axis.values.front()}}, config);
      (void)parse_arch_config(yaml, config + " with " + axis.field + "=" + axis.values.front());
      return;
    } catch (const Error& e) {
      msg = e.what();
    }
    const std::string tag = "field '" + axis.field + "': ";
    const size_t at = msg.find(tag);
    const bool not_a_field = msg.find("is not a mapping") != std::string::npos ||
                             (at != std::string::npos && (msg.compare(at + tag.size(), 11, "unknown key") == 0 || msg.compare(at + tag.size(), 18, "expected a mapping") == 0));
    // A value the loader rejects is a failed point, not a bad sweep file (another base config or
    // value may be fine).
    if (not_a_field) fail_at(vals, f, "expected an architecture config field (docs/config.md), got '" + axis.field + "': " + msg);
  }

  std::string base_;
};

}  // namespace

NetgenOptions netgen_options(const std::string& model, const std::string& scheme, uint64_t seed) {
  NetgenOptions o;
  o.network = model;
  o.seed = seed;
  auto suffix_int = [&](const std::string& prefix, int lo, int hi) {
    uint64_t q = 0;
    if (!parse_uint(scheme.substr(prefix.size()), &q) || q < static_cast<uint64_t>(lo) || q > static_cast<uint64_t>(hi))
      throw Error("expected a weight scheme (" + join_schemes() + "), " + prefix + "N with N from " + std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<int>(q);
  };
  if (scheme == "int8") {
    o.scheme = Scheme::Int8;
  } else if (scheme == "binary") {
    o.scheme = Scheme::Binary;
  } else if (scheme == "ternary") {
    o.scheme = Scheme::Ternary, o.q = 2;
  } else if (scheme == "signed_binary") {
    o.scheme = Scheme::SignedBinary;
  } else if (scheme.rfind("bcq", 0) == 0) {
    o.scheme = Scheme::Bcq, o.q = suffix_int("bcq", 1, 8);
  } else if (scheme.rfind("uniform", 0) == 0) {
    o.scheme = Scheme::Uniform, o.q = suffix_int("uniform", 2, 8);
  } else if (scheme.rfind("flexor", 0) == 0) {
    o.scheme = Scheme::Flexor;
    const std::string b = scheme.substr(6);
    char* end = nullptr;
    const double bits = b.empty() ? NAN : std::strtod(b.c_str(), &end);
    const double n_in = bits * o.n_out / o.q;
    o.n_in = static_cast<int>(std::lround(n_in));
    if (b.empty() || *end != '\0' || !std::isfinite(bits) || bits <= 0 || bits > 1 || std::abs(n_in - o.n_in) > 1e-9 || o.n_in < 1)
      throw Error("expected a weight scheme (" + join_schemes() + "), flexorB with B bits per weight in (0, 1] and B × 20 an integer (n_in of n_out 20)");
  } else {
    throw Error("expected a weight scheme (" + join_schemes() + ")");
  }
  return o;
}

nlohmann::json SweepSpec::to_json() const {
  nlohmann::json j = {{"source", fs::absolute(source).lexically_normal().string()}, {"name", name}, {"configs", configs}, {"config_names", config_names}};
  j["grid"] = nlohmann::json::array();
  for (const GridAxis& a : grid) j["grid"].push_back({{"field", a.field}, {"values", a.values}});
  j["networks"] = nlohmann::json::array();
  for (const NetworkEntry& e : networks) {
    nlohmann::json n = {{"label", e.label}};
    if (!e.file.empty()) n["file"] = e.file;
    if (!e.accuracy.empty()) n["accuracy"] = e.accuracy, n["report_accuracy"] = e.report_accuracy;
    if (!e.generate.empty()) n["generate"] = e.generate, n["schemes"] = e.schemes, n["seed"] = e.seed;
    j["networks"].push_back(n);
  }
  j["run"] = {{"images", run.images}, {"dataset", run.dataset}, {"data_dir", run.data_dir}, {"mapper", run.mapper}, {"memory", run.memory}, {"seed", run.seed}};
  return j;
}

SweepSpec parse_sweep(const std::string& yaml_text, const std::string& source, const std::string& base_dir) {
  return SweepLoader(source, base_dir).load(parse_yaml_document(yaml_text, source));
}

SweepSpec load_sweep(const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  return parse_sweep(read_input_file(path, "a sweep file (YAML)"), path, dir.empty() ? "." : dir);
}

std::string point_id(size_t index, size_t count) {
  size_t digits = 1;
  for (size_t n = count > 0 ? count - 1 : 0; n >= 10; n /= 10) ++digits;
  std::string s = std::to_string(index);
  return std::string(std::max<size_t>(4, digits) - std::min(s.size(), std::max<size_t>(4, digits)), '0') + s;
}

std::vector<Point> expand(const SweepSpec& spec, const std::string& out_dir) {
  // Grid combinations: an odometer, the last field turning fastest.
  std::vector<std::vector<std::pair<std::string, std::string>>> combos(1);
  for (const GridAxis& a : spec.grid) {
    std::vector<std::vector<std::pair<std::string, std::string>>> next;
    for (const auto& c : combos)
      for (const std::string& v : a.values) {
        next.push_back(c);
        next.back().emplace_back(a.field, v);
      }
    combos = std::move(next);
  }
  std::vector<Point> points;
  for (size_t c = 0; c < spec.configs.size(); ++c)
    for (const auto& combo : combos)
      for (size_t n = 0; n < spec.networks.size(); ++n) {
        const NetworkEntry& e = spec.networks[n];
        const std::vector<std::string> schemes = e.generate.empty() ? std::vector<std::string>{e.report_scheme} : e.schemes;
        for (const std::string& s : schemes) {
          Point p;
          p.index = points.size();
          p.config = c;
          p.overrides = combo;
          p.network = n;
          p.scheme = s;
          if (e.generate.empty()) {
            p.network_file = e.file;
            p.label = e.label.empty() ? fs::path(e.file).stem().string() : e.label;
          } else {
            p.network_file = (fs::path(out_dir) / "networks" / (e.generate + "_" + s + (e.seed != 1 ? "_s" + std::to_string(e.seed) : "") + ".safetensors")).string();
            p.label = (e.label.empty() ? e.generate : e.label) + " " + s;
          }
          points.push_back(std::move(p));
        }
      }
  for (Point& p : points) p.id = point_id(p.index, points.size());
  return points;
}

std::string apply_overrides(const std::string& base_yaml, const std::vector<std::pair<std::string, std::string>>& overrides, const std::string& source) {
  YAML::Node root = parse_yaml_document(base_yaml, source);
  if (!root.IsMap()) throw Error(source + ": expected a mapping with the architecture fields at the top level");
  for (const auto& [field, value] : overrides) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t dot; (dot = field.find('.', start)) != std::string::npos; start = dot + 1) parts.push_back(field.substr(start, dot - start));
    parts.push_back(field.substr(start));
    YAML::Node n = root;
    std::string path;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      path += (path.empty() ? "" : ".") + parts[i];
      YAML::Node child = n[parts[i]];
      if (!child.IsDefined() || child.IsNull()) {
        n[parts[i]] = YAML::Node(YAML::NodeType::Map);
        child = n[parts[i]];
      } else if (!child.IsMap()) {
        throw Error(source + ": field '" + path + "' is not a mapping, so it has no field '" + field + "'");
      }
      n.reset(child);
    }
    n[parts.back()] = value;
  }
  YAML::Emitter e;
  e << root;
  return std::string(e.c_str()) + "\n";
}

std::vector<bool> pareto_front(const std::vector<std::pair<double, double>>& pts) {
  std::vector<bool> front(pts.size(), false);
  auto valid = [](const std::pair<double, double>& p) { return !std::isnan(p.first) && !std::isnan(p.second); };
  for (size_t i = 0; i < pts.size(); ++i) {
    if (!valid(pts[i])) continue;
    bool dominated = false;
    for (size_t j = 0; j < pts.size() && !dominated; ++j)
      dominated = j != i && valid(pts[j]) && pts[j].first <= pts[i].first && pts[j].second <= pts[i].second &&
                  (pts[j].first < pts[i].first || pts[j].second < pts[i].second);
    front[i] = !dominated;
  }
  return front;
}

void mark_pareto(std::vector<nlohmann::json>& records) {
  auto value = [](const nlohmann::json& r, const char* key, double sign) {
    if (r.value("status", "") != "ok" || !r.contains(key) || !r[key].is_number()) return std::nan("");
    return sign * r[key].get<double>();
  };
  struct Front {
    const char* name;
    const char* x;
    double sx;
    const char* y;
    double sy;
  };
  for (const Front f : {Front{"pareto_energy_latency", "latency_us", 1, "energy_uj", 1}, Front{"pareto_area_latency", "latency_us", 1, "area_mm2", 1},
                        Front{"pareto_accuracy_energy", "energy_uj", 1, "accuracy", -1}, Front{"pareto_accuracy_latency", "latency_us", 1, "accuracy", -1}}) {
    std::vector<std::pair<double, double>> pts;
    for (const auto& r : records) pts.emplace_back(value(r, f.x, f.sx), value(r, f.y, f.sy));
    const std::vector<bool> on = pareto_front(pts);
    for (size_t i = 0; i < records.size(); ++i) records[i][f.name] = static_cast<bool>(on[i]);
  }
}

namespace {

const std::vector<std::string> kMetricColumns = {"network", "model", "scheme", "bits_per_weight", "cycles", "latency_us", "inferences_per_s",
                                                 "pe_utilization", "roofline_fraction", "dram_bytes", "energy_uj", "xor_decrypt_energy_share",
                                                 "area_mm2", "xor_decrypt_area_share", "accuracy", "measured_accuracy", "pareto_energy_latency",
                                                 "pareto_area_latency", "pareto_accuracy_energy", "pareto_accuracy_latency", "status", "error"};

std::string cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// Record `r`'s value in column i of csv_columns(): grid fields (after id and config) live in its
// "grid" object, the rest at the top level; null when absent.
const nlohmann::json& column_value(const SweepSpec& spec, const std::vector<std::string>& cols, const nlohmann::json& r, size_t i) {
  static const nlohmann::json none;
  const bool grid = i >= 2 && i < 2 + spec.grid.size();
  const nlohmann::json* obj = grid ? (r.contains("grid") ? &r["grid"] : nullptr) : &r;
  return obj && obj->contains(cols[i]) ? (*obj)[cols[i]] : none;
}

}  // namespace

std::vector<std::string> csv_columns(const SweepSpec& spec) {
  std::vector<std::string> c = {"id", "config"};
  for (const GridAxis& a : spec.grid) c.push_back(a.field);
  c.insert(c.end(), kMetricColumns.begin(), kMetricColumns.end());
  return c;
}

std::string results_csv(const SweepSpec& spec, const std::vector<nlohmann::json>& records) {
  const std::vector<std::string> cols = csv_columns(spec);
  std::string out;
  for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + report::csv_field(cols[i]);
  out += "\n";
  for (const auto& r : records) {
    for (size_t i = 0; i < cols.size(); ++i) {
      out += (i ? "," : "") + report::csv_field(cell(column_value(spec, cols, r, i)));
    }
    out += "\n";
  }
  return out;
}

std::string pareto_html(const SweepSpec& spec, const std::vector<nlohmann::json>& records) {
  const std::vector<std::string> cols = csv_columns(spec);
  size_t ok = 0;
  for (const auto& r : records) ok += r.value("status", "") == "ok";
  std::string body = "<h1>Sweep " + report::escape_html(spec.name) + "</h1>\n<p class=\"note\">" + std::to_string(records.size()) + " points, " +
                     std::to_string(ok) + " ok; sweep file " + report::escape_html(spec.source) +
                     ". Pareto-optimal points (lowest cost, highest accuracy) are joined by the line; hover a point for its id, network and "
                     "config. Tables: results.csv, results.json.</p>\n<div id=\"status\" data-status=\"pending\" class=\"note\">rendering</div>\n"
                     "<div class=\"grid\">\n";
  const char* charts[][2] = {{"energy_latency", "Energy vs. latency"}, {"area_latency", "Area vs. latency"},
                             {"accuracy_energy", "Accuracy vs. energy"}, {"accuracy_latency", "Accuracy vs. latency"}};
  for (const auto& c : charts)
    body += std::string("<div id=\"box_") + c[0] + "\"><h2>" + c[1] + "</h2><p class=\"note\" id=\"note_" + c[0] +
            "\"></p><div class=\"chart\"><canvas id=\"chart_" + c[0] + "\"></canvas></div></div>\n";
  body += "</div>\n<h2>Points</h2>\n<p class=\"note\">Click a column header to sort.</p>\n<div style=\"overflow-x: auto\"><table id=\"points\"><thead><tr>";
  for (const std::string& c : cols) body += "<th>" + report::escape_html(c) + "</th>";
  body += "</tr></thead><tbody>\n";
  for (const auto& r : records) {
    body += "<tr>";
    for (size_t i = 0; i < cols.size(); ++i) {
      const nlohmann::json* v = &column_value(spec, cols, r, i);
      std::string t = cell(*v);
      if (v->is_number_float()) {
        char b[32];
        std::snprintf(b, sizeof b, "%.4g", v->get<double>());
        t = b;
      }
      body += "<td>" + report::escape_html(t) + "</td>";
    }
    body += "</tr>\n";
  }
  body += "</tbody></table></div>\n";
  nlohmann::json data = {{"name", spec.name}, {"points", records}};
  const std::string script = R"JS(
const data = JSON.parse(document.getElementById('data').textContent);
const charts = [
  {id: 'energy_latency', x: 'latency_us', y: 'energy_uj', front: 'pareto_energy_latency', xl: 'latency per inference (µs)', yl: 'energy per inference (µJ)'},
  {id: 'area_latency', x: 'latency_us', y: 'area_mm2', front: 'pareto_area_latency', xl: 'latency per inference (µs)', yl: 'area (mm²)'},
  {id: 'accuracy_energy', x: 'energy_uj', y: 'accuracy', front: 'pareto_accuracy_energy', xl: 'energy per inference (µJ)', yl: 'accuracy (%)'},
  {id: 'accuracy_latency', x: 'latency_us', y: 'accuracy', front: 'pareto_accuracy_latency', xl: 'latency per inference (µs)', yl: 'accuracy (%)'},
];
const drawn = [];
function describe(r) {
  let s = r.id + ' ' + r.network + ' | ' + r.config;
  if (r.grid) for (const k of Object.keys(r.grid)) s += ' ' + k + '=' + r.grid[k];
  return s;
}
for (const c of charts) {
  const pts = data.points.filter(r => r.status === 'ok' && typeof r[c.x] === 'number' && typeof r[c.y] === 'number');
  const note = document.getElementById('note_' + c.id);
  if (pts.length === 0) {
    note.textContent = 'No point has both ' + c.x + ' and ' + c.y + (c.y === 'accuracy' ? ' (accuracy needs a trained network with its report, or run.dataset).' : '.');
    document.getElementById('chart_' + c.id).parentNode.style.display = 'none';
    continue;
  }
  const xy = r => ({x: r[c.x], y: r[c.y], label: describe(r)});
  const front = pts.filter(r => r[c.front]).map(xy).sort((a, b) => a.x - b.x || a.y - b.y);
  note.textContent = pts.length + ' points, ' + front.length + ' on the Pareto front.';
  drawn.push(c.id + ':' + pts.length);
  new Chart(document.getElementById('chart_' + c.id), {
    type: 'scatter',
    data: {datasets: [
      {label: 'Pareto front', data: front, showLine: true, borderColor: '#d62728', backgroundColor: '#d62728', pointRadius: 5},
      {label: 'points', data: pts.map(xy), borderColor: '#1f77b4', backgroundColor: 'rgba(31,119,180,0.5)', pointRadius: 4},
    ]},
    options: {
      animation: false, maintainAspectRatio: false,
      plugins: {tooltip: {callbacks: {label: ctx => ctx.raw.label + ': (' + ctx.raw.x.toPrecision(4) + ', ' + ctx.raw.y.toPrecision(4) + ')'}}},
      scales: {x: {title: {display: true, text: c.xl}}, y: {title: {display: true, text: c.yl}}},
    },
  });
}
// Sortable table: numbers numerically, empty cells last.
const table = document.getElementById('points');
table.querySelectorAll('th').forEach((th, col) => {
  th.style.cursor = 'pointer';
  th.addEventListener('click', () => {
    const asc = th.dataset.dir !== 'asc';
    table.querySelectorAll('th').forEach(h => { delete h.dataset.dir; });
    th.dataset.dir = asc ? 'asc' : 'desc';
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const key = row => row.cells[col].textContent;
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      if (x === '' || y === '') return (x === '') - (y === '');
      const nx = Number(x), ny = Number(y);
      const d = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
      return asc ? d : -d;
    });
    rows.forEach(r => body.appendChild(r));
  });
});
// For tests (headless Chromium): what was drawn.
const statusEl = document.getElementById('status');
statusEl.dataset.status = 'ok';
statusEl.textContent = 'charts drawn: ' + (drawn.join(' ') || 'none');
)JS";
  return report::html_page("Sweep " + spec.name, body, data, script);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

namespace {
std::string job_name(const std::string& name) {
  std::string s = "subbit-sweep-";
  for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
  return s;
}
}  // namespace

std::string slurm_array_script(const std::string& subbit, const std::string& spec, const std::string& dir, const std::string& name, size_t points) {
  return "#!/bin/bash\n"
         "# subbit sweep --slurm: one array task per sweep point (docs/sweep.md). Submit with submit.sh, which\n"
         "# queues merge.slurm to run after every task. A finished point is skipped when a task is rerun.\n"
         "#SBATCH --job-name=" + job_name(name) + "\n"
         "#SBATCH --array=0-" + std::to_string(points == 0 ? 0 : points - 1) + "\n"
         "#SBATCH --ntasks=1\n"
         "#SBATCH --cpus-per-task=1\n"
         "#SBATCH --output=" + dir + "/slurm/point-%a.out\n"
         "set -euo pipefail\n"
         "exec " + shell_quote(subbit) + " sweep " + shell_quote(spec) + " -o " + shell_quote(dir) + " --point \"$SLURM_ARRAY_TASK_ID\"\n";
}

std::string slurm_merge_script(const std::string& subbit, const std::string& spec, const std::string& dir, const std::string& name) {
  return "#!/bin/bash\n"
         "# subbit sweep --slurm: merges the points' results into results.csv, results.json and pareto.html.\n"
         "#SBATCH --job-name=" + job_name(name) + "-merge\n"
         "#SBATCH --ntasks=1\n"
         "#SBATCH --cpus-per-task=1\n"
         "#SBATCH --output=" + dir + "/slurm/merge.out\n"
         "set -euo pipefail\n"
         "exec " + shell_quote(subbit) + " sweep " + shell_quote(spec) + " -o " + shell_quote(dir) + " --merge\n";
}

std::string slurm_submit_script() {
  return "#!/bin/sh\n"
         "# Submits the sweep's job array, then the merge to run after it (whether or not every point succeeded).\n"
         "set -eu\n"
         "cd \"$(dirname \"$0\")\"\n"
         "mkdir -p slurm\n"
         "array=$(sbatch --parsable sweep.slurm)\n"
         "array=${array%%;*}  # --parsable prints JOBID or JOBID;CLUSTER\n"
         "merge=$(sbatch --parsable --dependency=afterany:\"$array\" merge.slurm)\n"
         "echo \"submitted job array $array and merge job ${merge%%;*}\"\n";
}

std::string fnv1a64(const std::string& bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
  return b;
}

}  // namespace subbit::sweep
