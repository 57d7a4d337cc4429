#include "area/area_model.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "config/yaml_loader.h"
#include "quant/error.h"
#include "quant/file_io.h"
#include "rtlgen.h"

namespace subbit::area {

const std::vector<LogicUnitRule> kLogicUnits = {
    {"pe_array", "pe"},
    {"post_processor", "post_lane"},
    {"xor_decryptor_hardwired", "decryptor_output_bit"},
    {"xor_decryptor_programmable", "decryptor_output_bit"},
};

namespace {

// 8601415 -> "8,601,415"; below 100 with `decimals` digits.
std::string num(double v, int decimals = 0) {
  char b[64];
  if (std::fabs(v) < 100 && decimals > 0) {
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
    return b;
  }
  std::snprintf(b, sizeof b, "%.0f", v);
  std::string s = b, out;
  const size_t start = (s[0] == '-') ? 1 : 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > start && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

bool is_hash_text(const std::string& s) {
  if (s.size() != 8 + 16 || s.compare(0, 8, "fnv1a64:") != 0) return false;
  for (size_t i = 8; i < s.size(); ++i)
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// Errors as the other loaders report them: "<file>:<line>: field '<dotted.path>': expected ..., got ...";
// every key is required, unknown keys are refused.
class Loader : public YamlLoader {
 public:
  explicit Loader(std::string src) : YamlLoader(std::move(src)) {}

  void check_map(const YAML::Node& n, const std::string& path, const std::vector<std::string>& keys) {
    YamlLoader::check_map(n, path, keys, /*all_required=*/true, /*suggest=*/true);
  }

  AreaTable load(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) throw Error(src_ + ": expected a mapping with the area-table fields, got an empty document");
    if (!root.IsMap())
      throw Error(src_ + ":" + std::to_string(root.Mark().line + 1) + ": expected a mapping with the area-table fields, got " + got(root));
    AreaTable t;
    t.file = src_;
    check_map(root, "", {"name", "version", "source", "technology_nm", "liberty", "sram", "logic"});
    t.name = text(root["name"], "name");
    t.version = text(root["version"], "version");
    t.source = text(root["source"], "source");
    t.technology_nm = number_in(root["technology_nm"], "technology_nm", 1, 100000, false, "nm");
    t.liberty = text(root["liberty"], "liberty");

    const YAML::Node s = root["sram"];
    check_map(s, "sram", {"bitcell_um2", "bitcell_source", "efficiency_source", "points"});
    t.bitcell_um2 = number_in(s["bitcell_um2"], "sram.bitcell_um2", 0, 1000, true, "µm² per bit cell");
    t.bitcell_source = text(s["bitcell_source"], "sram.bitcell_source");
    t.efficiency_source = text(s["efficiency_source"], "sram.efficiency_source");
    const YAML::Node pts = s["points"];
    if (!pts.IsSequence() || pts.size() < 2)
      fail_at(pts, "sram.points", "expected a list of at least two {capacity_kib, efficiency} points, got " + got(pts));
    for (size_t i = 0; i < pts.size(); ++i) {
      const std::string f = "sram.points[" + std::to_string(i) + "]";
      set_mark(f, pts[i].Mark());
      check_map(pts[i], f, {"capacity_kib", "efficiency"});
      SramPoint p{number_in(pts[i]["capacity_kib"], f + ".capacity_kib", 0, 1e9, true, "KiB"),
                  number_in(pts[i]["efficiency"], f + ".efficiency", 0, 1, true, "bit-cell area / macro area")};
      if (!t.sram.empty() && p.capacity_kib <= t.sram.back().capacity_kib)
        fail_at(pts[i]["capacity_kib"], f + ".capacity_kib",
                "expected capacities in ascending order (after " + fmt_g(t.sram.back().capacity_kib) + " KiB), got " + fmt_g(p.capacity_kib) + " KiB");
      t.sram.push_back(p);
    }

    const YAML::Node l = root["logic"];
    std::vector<std::string> units;
    for (const LogicUnitRule& r : kLogicUnits) units.push_back(r.unit);
    check_map(l, "logic", units);
    for (const LogicUnitRule& r : kLogicUnits) {
      const std::string f = std::string("logic.") + r.unit;
      const YAML::Node u = l[r.unit];
      check_map(u, f, {"per", "area_um2", "quantity", "config", "config_hash", "command"});
      LogicReference ref;
      ref.unit = r.unit;
      ref.per = text(u["per"], f + ".per");
      if (ref.per != r.per) fail_at(u["per"], f + ".per", std::string("expected ") + r.per + " (what " + r.unit + " scales with), got " + got(u["per"]));
      ref.area_um2 = number_in(u["area_um2"], f + ".area_um2", 0, 1e13, true, "µm²");
      ref.quantity = number_in(u["quantity"], f + ".quantity", 0, 1e9, true, std::string("number of ") + r.per + " in the reference config");
      ref.config = text(u["config"], f + ".config");
      ref.config_hash = text(u["config_hash"], f + ".config_hash");
      if (!is_hash_text(ref.config_hash))
        fail_at(u["config_hash"], f + ".config_hash", "expected fnv1a64:<16 hex digits>, got " + got(u["config_hash"]));
      ref.command = text(u["command"], f + ".command");
      t.logic.push_back(ref);
    }
    return t;
  }
};

[[noreturn]] void synth_fail(const std::string& file, const std::string& field, const std::string& what) {
  throw Error(file + ": field '" + field + "': " + what);
}

std::string json_got(const nlohmann::json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return "\"" + v.get<std::string>() + "\"";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "a list";
  return v.dump();
}

const LogicReference& reference(const AreaTable& t, const std::string& unit) {
  for (const LogicReference& r : t.logic)
    if (r.unit == unit) return r;
  throw Error(t.file + ": no logic reference for " + unit);
}

}  // namespace

AreaTable parse_area_table(const std::string& text, const std::string& source_name) {
  return Loader(source_name).load(parse_yaml_document(text, source_name));
}

AreaTable load_area_table(const std::string& path) { return parse_area_table(read_input_file(path, "an area table (YAML)"), path); }

double sram_efficiency(const AreaTable& t, double capacity_kib) {
  const auto& p = t.sram;
  if (capacity_kib <= p.front().capacity_kib) return p.front().efficiency;
  if (capacity_kib >= p.back().capacity_kib) return p.back().efficiency;
  size_t i = 0;
  while (capacity_kib > p[i + 1].capacity_kib) ++i;
  const double f = std::log(capacity_kib / p[i].capacity_kib) / std::log(p[i + 1].capacity_kib / p[i].capacity_kib);
  return p[i].efficiency + f * (p[i + 1].efficiency - p[i].efficiency);
}

double sram_macro_um2(const AreaTable& t, double capacity_kib) {
  return capacity_kib * 1024 * 8 * t.bitcell_um2 / sram_efficiency(t, capacity_kib);
}

std::string config_hash_text(uint64_t hash) {
  char b[32];
  std::snprintf(b, sizeof b, "fnv1a64:%016llx", static_cast<unsigned long long>(hash));
  return b;
}

SynthAreas parse_synth_json(const std::string& text, const std::string& file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": not a JSON file (expected scripts/synth.sh's output): " + e.what());
  }
  if (!j.is_object()) throw Error(file + ": expected a JSON object (scripts/synth.sh's output), got " + json_got(j));
  SynthAreas s;
  s.file = file;
  auto str = [&](const char* key) {
    if (!j.contains(key)) synth_fail(file, key, "missing (expected scripts/synth.sh's output)");
    if (!j[key].is_string()) synth_fail(file, key, "expected a string, got " + json_got(j[key]));
    return j[key].get<std::string>();
  };
  s.config_hash = str("config_hash");
  if (!is_hash_text(s.config_hash)) synth_fail(file, "config_hash", "expected fnv1a64:<16 hex digits>, got \"" + s.config_hash + "\"");
  s.design = str("design");
  s.library = str("library");
  if (!j.contains("units")) synth_fail(file, "units", "missing (expected scripts/synth.sh's output)");
  const nlohmann::json& units = j["units"];
  if (!units.is_object()) synth_fail(file, "units", "expected an object of units, got " + json_got(units));
  for (auto it = units.begin(); it != units.end(); ++it) {
    const std::string f = "units." + it.key();
    const nlohmann::json& u = it.value();
    if (!u.is_object()) synth_fail(file, f, "expected an object, got " + json_got(u));
    if (!u.contains("status") || !u["status"].is_string()) synth_fail(file, f + ".status", "expected a string, got " + json_got(u.value("status", nlohmann::json())));
    if (u["status"] != "ok") continue;  // failed units carry no area
    const nlohmann::json a = u.value("area", nlohmann::json());
    if (a.is_null())
      synth_fail(file, f + ".area", "null: synthesized without a liberty (generic cells), no area; rerun scripts/synth.sh with a liberty");
    if (!a.is_number() || a.get<double>() < 0) synth_fail(file, f + ".area", "expected a number of µm² ≥ 0, got " + json_got(a));
    s.area_um2[it.key()] = a.get<double>();
    if (u.contains("cells") && u["cells"].is_number_integer()) s.cells[it.key()] = u["cells"].get<long long>();
  }
  return s;
}

SynthAreas load_synth_json(const std::string& path) { return parse_synth_json(read_input_file(path, "a synthesis JSON (scripts/synth.sh)"), path); }

AreaReport compute_area(const AreaTable& t, const ArchConfig& c, const SynthAreas* synth) {
  const std::string hash = config_hash_text(config_hash(c));
  if (synth && synth->config_hash != hash)
    throw Error(synth->file + ": synthesis of another config: its config_hash is " + synth->config_hash + " (design '" + synth->design + "'), the config " +
                c.source + " (design '" + c.name + "') hashes to " + hash + "; synthesize this config with scripts/synth.sh --config " + c.source);
  AreaReport r;
  auto logic = [&](const std::string& name, const std::string& ref_unit, double quantity, const std::string& quantity_text) {
    UnitArea u;
    u.name = name;
    if (synth && synth->area_um2.count(name)) {
      u.area_um2 = synth->area_um2.at(name);
      u.source = "synthesis";
      const auto cells = synth->cells.find(name);
      u.detail = synth->file + " (" + (cells != synth->cells.end() ? num(double(cells->second)) + " cells, " : std::string()) + synth->library + ")";
    } else {
      const LogicReference& ref = reference(t, ref_unit);
      const double per = ref.area_um2 / ref.quantity;
      u.area_um2 = per * quantity;
      u.source = "scaled";
      u.detail = num(per) + " µm² per " + ref.per + " × " + quantity_text + " (" + ref.unit + " reference: " + num(ref.area_um2) + " µm² / " +
                 num(ref.quantity) + " on " + ref.config.substr(0, ref.config.find(' ')) + ")";
    }
    r.units.push_back(u);
    return u.area_um2;
  };
  const double rows = c.pe_array.rows, cols = c.pe_array.cols;
  logic("pe_array", "pe_array", rows * cols,
        num(rows * cols) + " PEs (" + num(rows) + " × " + num(cols) + ", reduction tree included)");
  logic("post_processor", "post_processor", cols, num(cols) + " requant lanes (one per column)");
  const bool prog = c.decryptor.matrix == XorMatrixKind::Programmable;
  r.xor_decrypt_um2 = logic("xor_decryptor", prog ? "xor_decryptor_programmable" : "xor_decryptor_hardwired",
                            double(c.decryptor.units) * c.decryptor.n_out,
                            num(c.decryptor.units * c.decryptor.n_out) + " (" + num(c.decryptor.units) + " lanes × " + num(c.decryptor.n_out) + ", " +
                                (prog ? "programmable" : "hard-wired") + ", " + num(c.decryptor.n_in) + " → " + num(c.decryptor.n_out) + ")");
  for (const double a : {r.units[0].area_um2, r.units[1].area_um2, r.units[2].area_um2}) r.logic_um2 += a;

  auto buffer = [&](const std::string& name, uint32_t kib) {
    const uint32_t halves = c.buffers.double_buffered ? 2 : 1;
    const uint32_t macros = halves * c.buffers.banks;
    const double macro_kib = double(kib) / macros;
    UnitArea u;
    u.name = name;
    u.sram = true;
    u.source = "sram-model";
    u.area_um2 = macros * sram_macro_um2(t, macro_kib);
    const double eff = sram_efficiency(t, macro_kib);
    char b[64];
    std::snprintf(b, sizeof b, "%g", macro_kib);
    u.detail = num(kib) + " KiB as " + (halves == 2 ? "2 halves × " : "") + num(c.buffers.banks) + " banks = " + num(macros) + " macros of " + b +
               " KiB; " + YamlLoader::fmt_g(t.bitcell_um2) + " µm²/bit cell ÷ array efficiency " + YamlLoader::fmt_g(std::round(eff * 1000) / 1000) +
               " = " + YamlLoader::fmt_g(std::round(t.bitcell_um2 / eff * 100) / 100) + " µm²/bit";
    r.units.push_back(u);
    r.sram_um2 += u.area_um2;
  };
  buffer("weight_buffer", c.buffers.weight_kib);
  buffer("activation_buffer", c.buffers.activation_kib);
  buffer("accumulator_buffer", c.buffers.accumulator_kib);
  r.total_um2 = r.logic_um2 + r.sram_um2;
  return r;
}

}  // namespace subbit::area
