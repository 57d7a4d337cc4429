#include "energy/energy_model.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "config/yaml_loader.h"
#include "quant/error.h"
#include "quant/file_io.h"

namespace subbit::energy {

namespace {

// Errors as arch_config.cpp reports them: "<file>:<line>: field '<dotted.path>': expected ..., got ...";
// every key of a mapping is required, and an unknown key gets no "did you mean".
class Loader : public YamlLoader {
 public:
  explicit Loader(std::string src) : YamlLoader(std::move(src)) {}

  void check_map(const YAML::Node& n, const std::string& path, const std::vector<std::string>& keys) {
    YamlLoader::check_map(n, path, keys, /*all_required=*/true, /*suggest=*/false);
  }
  double number(const YAML::Node& v, const std::string& f, double lo, double hi, bool lo_open, const std::string& unit) {
    return number_in(v, f, lo, hi, lo_open, unit);
  }

  EnergyTable load(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) throw Error(src_ + ": expected a mapping with the energy-table fields, got an empty document");
    if (!root.IsMap()) throw Error(src_ + ":" + std::to_string(root.Mark().line + 1) + ": expected a mapping with the energy-table fields, got " + got(root));
    EnergyTable t;
    t.file = src_;
    check_map(root, "", {"name", "source", "technology_nm", "arithmetic", "sram", "logic", "leakage_uw"});
    t.name = text(root["name"], "name");
    t.source = text(root["source"], "source");
    t.technology_nm = number(root["technology_nm"], "technology_nm", 1, 1000, false, "nm");
    const YAML::Node a = root["arithmetic"];
    check_map(a, "arithmetic", {"int8_add_pj", "int32_add_pj", "int8_mult_pj", "int32_mult_pj"});
    t.int8_add_pj = number(a["int8_add_pj"], "arithmetic.int8_add_pj", 0, 1e6, true, "pJ");
    t.int32_add_pj = number(a["int32_add_pj"], "arithmetic.int32_add_pj", 0, 1e6, true, "pJ");
    t.int8_mult_pj = number(a["int8_mult_pj"], "arithmetic.int8_mult_pj", 0, 1e6, true, "pJ");
    t.int32_mult_pj = number(a["int32_mult_pj"], "arithmetic.int32_mult_pj", 0, 1e6, true, "pJ");
    const YAML::Node s = root["sram"];
    check_map(s, "sram", {"access_bits", "write_factor", "points"});
    const double bits = number(s["access_bits"], "sram.access_bits", 1, 4096, false, "bits");
    if (bits != std::floor(bits)) fail_at(s["access_bits"], "sram.access_bits", "expected an integer number of bits, got " + got(s["access_bits"]));
    t.sram_access_bits = static_cast<uint32_t>(bits);
    t.sram_write_factor = number(s["write_factor"], "sram.write_factor", 0, 100, true, "write energy / read energy");
    const YAML::Node pts = s["points"];
    if (!pts.IsSequence() || pts.size() < 2)
      fail_at(pts, "sram.points", "expected a list of at least two {capacity_kib, read_pj} points, got " + got(pts));
    for (size_t i = 0; i < pts.size(); ++i) {
      const std::string f = "sram.points[" + std::to_string(i) + "]";
      marks_[f] = pts[i].Mark();
      check_map(pts[i], f, {"capacity_kib", "read_pj"});
      SramPoint p{number(pts[i]["capacity_kib"], f + ".capacity_kib", 0, 1e9, true, "KiB"), number(pts[i]["read_pj"], f + ".read_pj", 0, 1e9, true, "pJ")};
      if (!t.sram.empty() && (p.capacity_kib <= t.sram.back().capacity_kib || p.read_pj < t.sram.back().read_pj))
        fail_at(pts[i]["capacity_kib"], f + ".capacity_kib",
                "expected capacities in ascending order with non-decreasing energies (after " + fmt(t.sram.back().capacity_kib) + " KiB, " +
                    fmt(t.sram.back().read_pj) + " pJ), got " + fmt(p.capacity_kib) + " KiB, " + fmt(p.read_pj) + " pJ");
      t.sram.push_back(p);
    }
    const YAML::Node l = root["logic"];
    check_map(l, "logic", {"xor2_pj", "register_bit_pj"});
    t.xor2_pj = number(l["xor2_pj"], "logic.xor2_pj", 0, 1e6, false, "pJ");
    t.register_bit_pj = number(l["register_bit_pj"], "logic.register_bit_pj", 0, 1e6, false, "pJ");
    const YAML::Node k = root["leakage_uw"];
    check_map(k, "leakage_uw", {"pe", "sram_per_kib", "decrypt_unit", "post_lane", "control"});
    t.leak_pe_uw = number(k["pe"], "leakage_uw.pe", 0, 1e9, false, "µW per PE");
    t.leak_sram_uw_per_kib = number(k["sram_per_kib"], "leakage_uw.sram_per_kib", 0, 1e9, false, "µW per KiB");
    t.leak_decrypt_unit_uw = number(k["decrypt_unit"], "leakage_uw.decrypt_unit", 0, 1e9, false, "µW per decryption unit");
    t.leak_post_lane_uw = number(k["post_lane"], "leakage_uw.post_lane", 0, 1e9, false, "µW per post-processing lane");
    t.leak_control_uw = number(k["control"], "leakage_uw.control", 0, 1e9, false, "µW");
    return t;
  }

 private:
  static std::string fmt(double v) { return fmt_g(v); }
};

}  // namespace

EnergyTable parse_energy_table(const std::string& text, const std::string& source_name) {
  return Loader(source_name).load(parse_yaml_document(text, source_name));
}

EnergyTable load_energy_table(const std::string& path) { return parse_energy_table(read_input_file(path, "an energy table (YAML)"), path); }

double add_pj(const EnergyTable& t, double bits) {
  return t.int8_add_pj * std::pow(bits / 8.0, std::log(t.int32_add_pj / t.int8_add_pj) / std::log(4.0));
}

double mult_pj(const EnergyTable& t, double a_bits, double b_bits) {
  return t.int8_mult_pj * std::pow(a_bits * b_bits / 64.0, std::log(t.int32_mult_pj / t.int8_mult_pj) / std::log(16.0));
}

double sram_access_pj(const EnergyTable& t, double capacity_kib) {
  const auto& p = t.sram;
  if (capacity_kib <= p.front().capacity_kib) return p.front().read_pj;  // no data below: the smallest array's energy
  size_t i = 0;
  while (i + 2 < p.size() && capacity_kib > p[i + 1].capacity_kib) ++i;  // segment [i, i+1]; the last one extrapolates
  const double f = std::log(capacity_kib / p[i].capacity_kib) / std::log(p[i + 1].capacity_kib / p[i].capacity_kib);
  return p[i].read_pj + f * (p[i + 1].read_pj - p[i].read_pj);
}

double sram_read_pj_per_bit(const EnergyTable& t, double capacity_kib) { return sram_access_pj(t, capacity_kib) / t.sram_access_bits; }

DramEnergy dram_energy(const dram::DramSpec& s) {
  DramEnergy e;
  const double tck = s.tck_ns();
  const double tRC = s.tRC * tck, tRAS = s.tRAS * tck, tRFC = s.tRFC * tck, tBurst = s.burst_cycles() * tck;
  for (const dram::PowerDomain& d : s.power) {
    const double n = s.devices * d.vdd;  // mA x V x ns = pJ
    e.act_pre_pj += n * (d.idd0 * tRC - (d.idd3n * tRAS + d.idd2n * (tRC - tRAS)));
    e.rd_pj += n * (d.idd4r - d.idd3n) * tBurst;
    e.wr_pj += n * (d.idd4w - d.idd3n) * tBurst;
    e.ref_pj += n * (d.idd5b - d.idd3n) * tRFC;
    e.precharged_mw += n * d.idd2n;  // mA x V = mW
    e.active_mw += n * d.idd3n;
  }
  return e;
}

void Breakdown::add(const Breakdown& o) {
  dram_dynamic += o.dram_dynamic, dram_background += o.dram_background;
  weight_sram += o.weight_sram, act_sram += o.act_sram, acc_sram += o.acc_sram;
  xor_decrypt += o.xor_decrypt, pe += o.pe, post += o.post, control += o.control, leakage += o.leakage;
}

EnergyReport compute_energy(const EnergyTable& t, const Hardware& hw, const std::vector<LayerStats>& stats,
                            const std::vector<DramCommands>& layer_dram, const DramCommands& inference) {
  EnergyReport r;
  const AccelParams& p = hw.accel;
  const double banks = std::max<uint32_t>(1, hw.banks);
  const double w_bit = sram_read_pj_per_bit(t, p.weight_buf_bytes / 1024.0 / banks);
  const double a_bit = sram_read_pj_per_bit(t, p.act_buf_bytes / 1024.0 / banks);
  const double c_bit = sram_read_pj_per_bit(t, p.acc_buf_bytes / 1024.0 / banks);
  const double wf = t.sram_write_factor;
  const double e_add = add_pj(t, p.acc_bits);
  const double e_mac8 = mult_pj(t, 8, 8) + e_add;
  const double e_alpha = mult_pj(t, p.alpha_bits, p.acc_bits) + e_add;
  const double e_requant = mult_pj(t, 32, p.acc_bits) + e_add;       // acc x 32-bit multiplier + bias (shift: free)
  const double e_pool = add_pj(t, p.act_bits);                         // one compare or add per window read
  const double e_resadd = 2 * mult_pj(t, p.act_bits, 32) + 2 * e_add;  // a x mult_a + b x mult_b + bias
  const double leak_uw = t.leak_pe_uw * p.pe_rows * p.pe_cols +
                         t.leak_sram_uw_per_kib * (p.weight_buf_bytes + p.act_buf_bytes + p.acc_buf_bytes) / 1024.0 +
                         t.leak_decrypt_unit_uw * p.decrypt_units + t.leak_post_lane_uw * p.post_lanes + t.leak_control_uw;
  double window_sum = 0;
  for (const LayerStats& s : stats) window_sum += static_cast<double>(s.window_cycles);
  r.seconds = window_sum / (p.clock_mhz * 1e6);
  if (hw.dram) {
    r.dram = dram_energy(*hw.dram);
    r.unattributed = inference;
    for (const DramCommands& c : layer_dram) {
      r.unattributed.act -= std::min(r.unattributed.act, c.act);
      r.unattributed.pre -= std::min(r.unattributed.pre, c.pre);
      r.unattributed.rd -= std::min(r.unattributed.rd, c.rd);
      r.unattributed.wr -= std::min(r.unattributed.wr, c.wr);
    }
  }
  // Background over the inference: every channel in precharged standby, except while a bank is open.
  const double channel_ns = r.seconds * 1e9 * hw.channels;
  const double active_ns = hw.dram ? std::min(channel_ns, inference.active_cycles * hw.dram->tck_ns()) : 0;
  const double background = hw.dram ? (r.dram.precharged_mw * (channel_ns - active_ns) + r.dram.active_mw * active_ns) : 0;  // mW x ns = pJ
  const double shared = hw.dram ? r.unattributed.act * r.dram.act_pre_pj + r.unattributed.rd * r.dram.rd_pj + r.unattributed.wr * r.dram.wr_pj +
                                       inference.ref * r.dram.ref_pj
                                 : 0;
  for (size_t i = 0; i < stats.size(); ++i) {
    const LayerStats& s = stats[i];
    Breakdown b;
    const double share = window_sum > 0 ? s.window_cycles / window_sum : 0;
    if (hw.dram) {
      const DramCommands c = i < layer_dram.size() ? layer_dram[i] : DramCommands{};
      b.dram_dynamic = c.act * r.dram.act_pre_pj + c.rd * r.dram.rd_pj + c.wr * r.dram.wr_pj + share * shared;
      b.dram_background = share * background;
    }
    b.weight_sram = w_bit * (s.weight_buf_read_bits + wf * s.weight_buf_write_bits);
    b.act_sram = a_bit * (s.act_buf_read_bits + wf * s.act_buf_write_bits);
    b.acc_sram = c_bit * (s.acc_buf_read_bits + wf * s.acc_buf_write_bits);
    b.xor_decrypt = t.xor2_pj * s.xor_gate_ops;
    b.pe = e_add * (s.pe_ops - s.int8_macs) + e_mac8 * s.int8_macs + e_alpha * s.alpha_mults;
    b.post = e_requant * s.requant_ops + e_pool * s.pool_ops + e_resadd * s.add_ops;
    b.control = t.register_bit_pj * (8.0 * (s.descriptor_bytes + s.matrix_bytes) + 32.0 * s.reg_accesses);
    b.leakage = leak_uw * s.window_cycles / p.clock_mhz;  // µW x µs = pJ
    r.layers.push_back(b);
    r.total.add(b);
  }
  return r;
}

}  // namespace subbit::energy
