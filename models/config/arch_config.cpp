#include "config/arch_config.h"
#include "config/yaml_loader.h"

#include <cstdint>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "dram/address_mapper.h"
#include "dram/policies.h"
#include "quant/error.h"
#include "quant/file_io.h"

namespace subbit {

const char* decrypt_mode_name(DecryptMode m) { return m == DecryptMode::Streaming ? "streaming" : "buffered"; }

const char* xor_matrix_kind_name(XorMatrixKind k) {
  return k == XorMatrixKind::Hardwired ? "hardwired" : "programmable";
}

const dram::DramSpec& ArchConfig::dram_spec() const {
  const dram::DramSpec* s = dram::find_dram_preset(dram.preset);
  if (!s) throw Error(source + ": unknown DRAM preset '" + dram.preset + "'");
  return *s;
}

namespace {

// Unsigned decimal or 0x-hex digits (no sign); false if empty, malformed or above 2^64 - 1.
bool parse_magnitude(const char* p, unsigned long long* v) {
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  if (!*p) return false;
  for (const char* q = p; *q; ++q)
    if (!(base == 16 ? std::isxdigit(static_cast<unsigned char>(*q)) : std::isdigit(static_cast<unsigned char>(*q))))
      return false;
  errno = 0;
  *v = std::strtoull(p, nullptr, base);
  return errno != ERANGE;
}

bool parse_int(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  const char* p = s.c_str();
  bool neg = false;
  if (*p == '+' || *p == '-') neg = *p++ == '-';
  unsigned long long v = 0;
  if (!parse_magnitude(p, &v) || v > (neg ? 0x8000000000000000ULL : 0x7fffffffffffffffULL)) return false;
  *out = neg ? (v == 0x8000000000000000ULL ? INT64_MIN : -static_cast<int64_t>(v)) : static_cast<int64_t>(v);
  return true;
}

bool parse_u64(const std::string& s, uint64_t* out) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  unsigned long long v = 0;
  if (!parse_magnitude(s.c_str(), &v)) return false;
  *out = v;
  return true;
}

class Loader : public YamlLoader {
 public:
  explicit Loader(std::string source) : YamlLoader(std::move(source)) {}

  static std::string range_text(int64_t lo, int64_t hi) {
    if (lo == 1) return "a positive integer ≤ " + std::to_string(hi);
    return "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  }

  uint32_t integer(const YAML::Node& v, const std::string& f, int64_t lo, int64_t hi, const std::string& note = "") {
    const std::string expected = "expected " + range_text(lo, hi) + note;
    const std::string s = scalar(v, f, expected);
    int64_t x;
    if (!parse_int(s, &x) || x < lo || x > hi) fail_at(v, f, expected + ", got " + got(v));
    return uint32_t(x);
  }

  uint32_t pow2(const YAML::Node& v, const std::string& f, int64_t lo, int64_t hi) {
    const std::string expected = "expected a power of two from " + std::to_string(lo) + " to " + std::to_string(hi);
    const std::string s = scalar(v, f, expected);
    int64_t x;
    if (!parse_int(s, &x) || x < lo || x > hi || (x & (x - 1)) != 0) fail_at(v, f, expected + ", got " + got(v));
    return uint32_t(x);
  }

  // A number in (0, hi], or [lo, hi] when lo > 0.
  double number(const YAML::Node& v, const std::string& f, double hi, const std::string& unit, double lo = 0) {
    const std::string expected = (lo > 0 ? "expected a number ≥ " + std::to_string(int64_t(lo)) : std::string("expected a number > 0")) + " and ≤ " +
                                 std::to_string(int64_t(hi)) + " (" + unit + ")";
    const std::string s = scalar(v, f, expected);
    char* end = nullptr;
    errno = 0;
    const double x = s.empty() ? NAN : std::strtod(s.c_str(), &end);
    if (s.empty() || errno == ERANGE || *end != '\0' || !std::isfinite(x) || x <= 0 || x < lo || x > hi)
      fail_at(v, f, expected + ", got " + got(v));
    return x;
  }

  bool boolean(const YAML::Node& v, const std::string& f) {
    const std::string s = scalar(v, f, "expected true or false");
    if (s == "true") return true;
    if (s == "false") return false;
    fail_at(v, f, "expected true or false, got " + got(v));
  }

  // One of `choices` (exact spelling); returns its index.
  size_t choice(const YAML::Node& v, const std::string& f, const std::vector<std::string>& choices) {
    const std::string expected = "expected one of " + join(choices);
    const std::string s = scalar(v, f, expected);
    for (size_t i = 0; i < choices.size(); ++i)
      if (s == choices[i]) return i;
    fail_at(v, f, expected + ", got " + got(v));
  }

  std::string name(const YAML::Node& v, const std::string& f) {
    const std::string expected = "expected a name of 1 to 64 letters, digits, '_', '-' or '.'";
    const std::string s = scalar(v, f, expected);
    bool ok = !s.empty() && s.size() <= 64;
    for (char c : s) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
    if (!ok) fail_at(v, f, expected + ", got " + got(v));
    return s;
  }

  ArchConfig load(const YAML::Node& root) {
    ArchConfig c;
    c.source = src_;
    if (!root.IsDefined() || root.IsNull())
      throw Error(src_ + ": expected a mapping with the architecture fields, got an empty document");
    if (!root.IsMap())
      throw Error(src_ + ":" + std::to_string(root.Mark().line + 1) +
                  ": expected a mapping with the architecture fields at the top level, got " + got(root));
    const YAML::Mark top = YAML::Mark::null_mark();
    check_map(root, "", {"name", "clock_mhz", "pe_array", "act_bits", "acc_bits", "alpha_bits", "decryptor",
                         "buffers", "dram"});
    c.name = name(get(root, "", "name", true, top), "name");
    // At least 1 MHz: a slower clock's period would overflow SystemC's 64-bit picosecond time
    // within one inference.
    c.clock_mhz = number(get(root, "", "clock_mhz", true, top), "clock_mhz", 5000, "MHz", 1);

    const YAML::Node pe = get(root, "", "pe_array", true, top);
    const YAML::Mark pe_at = key_mark(root, "pe_array");
    check_map(pe, "pe_array", {"rows", "cols", "act_lanes", "reduction_tree"});
    c.pe_array.rows = integer(get(pe, "pe_array", "rows", true, pe_at), "pe_array.rows", 1, 256);
    c.pe_array.cols = integer(get(pe, "pe_array", "cols", true, pe_at), "pe_array.cols", 1, 256);
    if (YAML::Node v = pe["act_lanes"]; v.IsDefined()) {
      c.pe_array.act_lanes = pow2(v, "pe_array.act_lanes", 1, 64);
      if (c.pe_array.act_lanes > c.pe_array.cols)
        fail_at(v, "pe_array.act_lanes", "expected at most pe_array.cols = " + std::to_string(c.pe_array.cols) + " lanes, got " + got(v));
    }
    if (YAML::Node v = pe["reduction_tree"]; v.IsDefined()) c.pe_array.reduction_tree = boolean(v, "pe_array.reduction_tree");

    c.act_bits = integer(get(root, "", "act_bits", true, top), "act_bits", 1, 16);
    c.acc_bits = integer(get(root, "", "acc_bits", true, top), "acc_bits", 8, 64);
    if (YAML::Node v = get(root, "", "alpha_bits", false, top); v.IsDefined())
      c.alpha_bits = integer(v, "alpha_bits", 1, 32);

    const YAML::Node dec = get(root, "", "decryptor", true, top);
    const YAML::Mark dec_at = key_mark(root, "decryptor");
    check_map(dec, "decryptor", {"units", "n_in", "n_out", "n_tap", "matrix", "mode", "seed"});
    DecryptorConfig& d = c.decryptor;
    d.units = integer(get(dec, "decryptor", "units", true, dec_at), "decryptor.units", 1, 256);
    d.n_out = integer(get(dec, "decryptor", "n_out", true, dec_at), "decryptor.n_out", 1, 64);
    d.n_in = integer(get(dec, "decryptor", "n_in", true, dec_at), "decryptor.n_in", 1, std::min<int64_t>(32, d.n_out),
                     d.n_out < 32 ? " (n_in ≤ n_out = " + std::to_string(d.n_out) + ")" : "");
    d.n_tap = integer(get(dec, "decryptor", "n_tap", true, dec_at), "decryptor.n_tap", 1, d.n_in,
                      " (n_tap ≤ n_in = " + std::to_string(d.n_in) + ")");
    d.matrix = choice(get(dec, "decryptor", "matrix", true, dec_at), "decryptor.matrix", {"hardwired", "programmable"}) == 0
                   ? XorMatrixKind::Hardwired
                   : XorMatrixKind::Programmable;
    if (YAML::Node v = dec["mode"]; v.IsDefined())
      d.mode = choice(v, "decryptor.mode", {"buffered", "streaming"}) == 0 ? DecryptMode::Buffered : DecryptMode::Streaming;
    {
      const YAML::Node v = dec["seed"];
      if (!v.IsDefined() && d.matrix == XorMatrixKind::Hardwired)
        fail(dec_at, "decryptor.seed", "missing required key (a hard-wired matrix is generated from its seed)");
      if (v.IsDefined()) {
        const std::string expected = "expected a non-negative integer < 2^64";
        const std::string s = scalar(v, "decryptor.seed", expected);
        if (!parse_u64(s, &d.seed)) fail_at(v, "decryptor.seed", expected + ", got " + got(v));
      }
    }

    const YAML::Node buf = get(root, "", "buffers", true, top);
    const YAML::Mark buf_at = key_mark(root, "buffers");
    check_map(buf, "buffers", {"weight_kib", "activation_kib", "accumulator_kib", "banks", "double_buffered"});
    BufferConfig& b = c.buffers;
    b.weight_kib = integer(get(buf, "buffers", "weight_kib", true, buf_at), "buffers.weight_kib", 1, 65536);
    b.activation_kib = integer(get(buf, "buffers", "activation_kib", true, buf_at), "buffers.activation_kib", 1, 65536);
    b.accumulator_kib = integer(get(buf, "buffers", "accumulator_kib", true, buf_at), "buffers.accumulator_kib", 1, 65536);
    if (YAML::Node v = buf["banks"]; v.IsDefined()) b.banks = pow2(v, "buffers.banks", 1, 64);
    if (YAML::Node v = buf["double_buffered"]; v.IsDefined()) b.double_buffered = boolean(v, "buffers.double_buffered");

    const YAML::Node dr = get(root, "", "dram", true, top);
    const YAML::Mark dr_at = key_mark(root, "dram");
    check_map(dr, "dram", {"standard", "preset", "channels", "address_mapping", "scheduler", "write_high_watermark",
                           "write_low_watermark", "cmd_arbiter", "page_policy", "request_buffer_size"});
    DramConfig& m = c.dram;
    m.standard = choice(get(dr, "dram", "standard", true, dr_at), "dram.standard", {"DDR4", "LPDDR4"}) == 0
                     ? dram::Standard::DDR4
                     : dram::Standard::LPDDR4;
    {
      const YAML::Node v = get(dr, "dram", "preset", true, dr_at);
      const std::string names = dram::dram_preset_names(m.standard);
      const std::string expected =
          std::string(m.standard == dram::Standard::LPDDR4 ? "expected an " : "expected a ") +
          dram::standard_name(m.standard) + " preset (one of " + names + ")";
      m.preset = scalar(v, "dram.preset", expected);
      const dram::DramSpec* s = dram::find_dram_preset(m.preset);
      if (!s) fail_at(v, "dram.preset", expected + ", got " + got(v));
      if (s->standard != m.standard)
        fail_at(v, "dram.preset", expected + ", got " + got(v) + " (" + (s->standard == dram::Standard::LPDDR4 ? "an " : "a ") +
                    dram::standard_name(s->standard) + " preset)");
    }
    m.channels = pow2(get(dr, "dram", "channels", true, dr_at), "dram.channels", 1, 16);
    if (YAML::Node v = dr["address_mapping"]; v.IsDefined()) {
      m.address_mapping = scalar(v, "dram.address_mapping", "expected an address mapping such as RoBaRaCoCh");
      const std::string err = dram::AddressMapper::validate(*dram::find_dram_preset(m.preset), m.channels, m.address_mapping);
      if (!err.empty()) fail_at(v, "dram.address_mapping", err);
    } else {
      const std::string err = dram::AddressMapper::validate(*dram::find_dram_preset(m.preset), m.channels, m.address_mapping);
      if (!err.empty()) fail(dr_at, "dram.address_mapping", "the default mapping does not fit: " + err);
    }
    if (YAML::Node v = dr["scheduler"]; v.IsDefined())
      m.scheduler = std::array<dram::SchedulerKind, 3>{dram::SchedulerKind::FrFcfs, dram::SchedulerKind::Fcfs,
                                                       dram::SchedulerKind::FrFcfsWm}[choice(v, "dram.scheduler", {"fr-fcfs", "fcfs", "fr-fcfs-wm"})];
    if (YAML::Node v = dr["cmd_arbiter"]; v.IsDefined())
      m.cmd_arbiter = choice(v, "dram.cmd_arbiter", {"oldest", "column-first"}) == 0 ? dram::CmdArbiterKind::Oldest
                                                                                     : dram::CmdArbiterKind::ColumnFirst;
    if (YAML::Node v = dr["page_policy"]; v.IsDefined())
      m.page_policy = choice(v, "dram.page_policy", {"open", "closed"}) == 0 ? dram::PagePolicyKind::Open
                                                                            : dram::PagePolicyKind::Closed;
    if (YAML::Node v = dr["request_buffer_size"]; v.IsDefined())
      m.request_buffer_size = integer(v, "dram.request_buffer_size", 1, 1024);
    {
      const YAML::Node hi = dr["write_high_watermark"], lo = dr["write_low_watermark"];
      if (m.scheduler != dram::SchedulerKind::FrFcfsWm) {
        if (hi.IsDefined() || lo.IsDefined())
          fail_at(hi.IsDefined() ? hi : lo, hi.IsDefined() ? "dram.write_high_watermark" : "dram.write_low_watermark",
                  std::string("expected only with scheduler fr-fcfs-wm (write draining), got it with scheduler ") +
                      dram::scheduler_name(m.scheduler));
      } else {
        dram::Watermarks w = dram::default_watermarks(m.request_buffer_size);
        if (hi.IsDefined())
          w.high = integer(hi, "dram.write_high_watermark", 1, m.request_buffer_size, " (dram.request_buffer_size)");
        if (lo.IsDefined())
          w.low = integer(lo, "dram.write_low_watermark", 0, int64_t(w.high) - 1, " (below dram.write_high_watermark)");
        else
          w.low = std::min(w.low, w.high - 1);
        m.write_high_watermark = w.high;
        m.write_low_watermark = w.low;
      }
    }
    return c;
  }

};

}  // namespace

ArchConfig parse_arch_config(const std::string& text, const std::string& source_name) {
  return Loader(source_name).load(parse_yaml_document(text, source_name));
}

ArchConfig load_arch_config(const std::string& path) {
  return parse_arch_config(read_input_file(path, "an architecture config (YAML)"), path);
}

std::string arch_config_to_yaml(const ArchConfig& c) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << c.name;
  e << YAML::Key << "clock_mhz" << YAML::Value << c.clock_mhz;
  e << YAML::Key << "pe_array" << YAML::Value << YAML::BeginMap << YAML::Key << "rows" << YAML::Value << c.pe_array.rows
    << YAML::Key << "cols" << YAML::Value << c.pe_array.cols << YAML::Key << "act_lanes" << YAML::Value << c.pe_array.act_lanes
    << YAML::Key << "reduction_tree" << YAML::Value << c.pe_array.reduction_tree << YAML::EndMap;
  e << YAML::Key << "act_bits" << YAML::Value << c.act_bits;
  e << YAML::Key << "acc_bits" << YAML::Value << c.acc_bits;
  e << YAML::Key << "alpha_bits" << YAML::Value << c.alpha_bits;
  e << YAML::Key << "decryptor" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "units" << YAML::Value << c.decryptor.units;
  e << YAML::Key << "n_in" << YAML::Value << c.decryptor.n_in;
  e << YAML::Key << "n_out" << YAML::Value << c.decryptor.n_out;
  e << YAML::Key << "n_tap" << YAML::Value << c.decryptor.n_tap;
  e << YAML::Key << "matrix" << YAML::Value << xor_matrix_kind_name(c.decryptor.matrix);
  e << YAML::Key << "mode" << YAML::Value << decrypt_mode_name(c.decryptor.mode);
  e << YAML::Key << "seed" << YAML::Value << c.decryptor.seed;
  e << YAML::EndMap;
  e << YAML::Key << "buffers" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "weight_kib" << YAML::Value << c.buffers.weight_kib;
  e << YAML::Key << "activation_kib" << YAML::Value << c.buffers.activation_kib;
  e << YAML::Key << "accumulator_kib" << YAML::Value << c.buffers.accumulator_kib;
  e << YAML::Key << "banks" << YAML::Value << c.buffers.banks;
  e << YAML::Key << "double_buffered" << YAML::Value << c.buffers.double_buffered;
  e << YAML::EndMap;
  e << YAML::Key << "dram" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "standard" << YAML::Value << dram::standard_name(c.dram.standard);
  e << YAML::Key << "preset" << YAML::Value << c.dram.preset;
  e << YAML::Key << "channels" << YAML::Value << c.dram.channels;
  e << YAML::Key << "address_mapping" << YAML::Value << c.dram.address_mapping;
  e << YAML::Key << "scheduler" << YAML::Value << dram::scheduler_name(c.dram.scheduler);
  if (c.dram.scheduler == dram::SchedulerKind::FrFcfsWm) {
    e << YAML::Key << "write_high_watermark" << YAML::Value << c.dram.write_high_watermark;
    e << YAML::Key << "write_low_watermark" << YAML::Value << c.dram.write_low_watermark;
  }
  e << YAML::Key << "cmd_arbiter" << YAML::Value << dram::cmd_arbiter_name(c.dram.cmd_arbiter);
  e << YAML::Key << "page_policy" << YAML::Value << dram::page_policy_name(c.dram.page_policy);
  e << YAML::Key << "request_buffer_size" << YAML::Value << c.dram.request_buffer_size;
  e << YAML::EndMap;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace subbit
