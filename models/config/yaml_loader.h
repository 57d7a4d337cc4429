// The YAML loaders' shared error reporting (architecture config, energy table, area table):
// every error is "<file>:<line>: field '<dotted.path>': <what was expected>, got <what was there>",
// the line being that of the field's key. Header-only; each loader derives from YamlLoader and adds
// its own typed readers.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "quant/error.h"

namespace subbit {

class YamlLoader {
 public:
  explicit YamlLoader(std::string source) : src_(std::move(source)) {}

  const std::string& source() const { return src_; }

  // Levenshtein distance, for "did you mean" on unknown keys.
  static size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    return prev[b.size()];
  }

  static std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
    std::string out;
    for (const auto& s : v) {
      if (!out.empty()) out += sep;
      out += s;
    }
    return out;
  }

  // What a node holds, for "got ..." in messages.
  static std::string got(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) return "nothing";
    if (n.IsScalar()) return "\"" + n.Scalar() + "\"";
    if (n.IsSequence()) return "a list";
    if (n.IsMap()) return "a mapping";
    return "an unsupported value";
  }

  // %g: 1e+06, 0.5, 8.
  static std::string fmt_g(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
  }

  static std::string field(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

  // Where `key` is written inside mapping `map`.
  static YAML::Mark key_mark(const YAML::Node& map, const std::string& key) {
    for (auto it = map.begin(); it != map.end(); ++it)
      if (it->first.IsScalar() && it->first.Scalar() == key) return it->first.Mark();
    return YAML::Mark::null_mark();
  }

  [[noreturn]] void fail(const YAML::Mark& m, const std::string& field, const std::string& what) const {
    std::string loc = src_;
    if (!m.is_null()) loc += ":" + std::to_string(m.line + 1);
    throw Error(loc + ": field '" + field + "': " + what);
  }
  // Errors about a value are reported at the line of its key (an empty value's own mark points
  // past it; a nested mapping starts on the next line).
  [[noreturn]] void fail_at(const YAML::Node& n, const std::string& field, const std::string& what) const {
    const auto it = marks_.find(field);
    fail(it != marks_.end() ? it->second : n.Mark(), field, what);
  }

  // Records where `field` is written (check_map does it for every key it checks).
  void set_mark(const std::string& field, const YAML::Mark& m) { marks_[field] = m; }

  // `n` (at `path`) must be a mapping whose keys are all in `keys`; no duplicates. `all_required`:
  // every key of `keys` must be present (a missing one is reported at the mapping's own key);
  // `suggest`: "did you mean" on an unknown key within edit distance 2.
  void check_map(const YAML::Node& n, const std::string& path, const std::vector<std::string>& keys, bool all_required = false,
                 bool suggest = true) {
    if (!n.IsMap()) fail_at(n, path, "expected a mapping with keys " + join(keys) + ", got " + got(n));
    std::set<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      const YAML::Node k = it->first;
      const std::string name = k.IsScalar() ? k.Scalar() : std::string("?");
      const std::string f = field(path, name);
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
        std::string msg = "unknown key (expected one of: " + join(keys) + ")";
        if (suggest) {
          std::string best;
          size_t best_d = 3;
          for (const auto& c : keys) {
            const size_t d = edit_distance(name, c);
            if (d < best_d) best_d = d, best = c;
          }
          if (!best.empty()) msg += "; did you mean '" + best + "'?";
        }
        fail(k.Mark(), f, msg);
      }
      if (!seen.insert(name).second) fail(k.Mark(), f, "duplicate key");
      marks_[f] = k.Mark();
    }
    if (all_required)
      for (const auto& k : keys)
        if (!seen.count(k)) {
          const auto m = marks_.find(path);  // the line of the mapping's key; none at the top level
          fail(path.empty() ? YAML::Mark::null_mark() : m != marks_.end() ? m->second : n.Mark(), field(path, k), "missing required key");
        }
  }

  // The value of `key` in mapping `map`; a missing required key is an error at `at`, the line of
  // the mapping's own key (no line for the top level).
  YAML::Node get(const YAML::Node& map, const std::string& path, const std::string& key, bool required, const YAML::Mark& at) {
    const YAML::Node v = map[key];
    if (!v.IsDefined() && required) fail(at, field(path, key), "missing required key");
    return v;
  }

  std::string scalar(const YAML::Node& v, const std::string& f, const std::string& expected) {
    if (!v.IsScalar()) fail_at(v, f, expected + ", got " + got(v));
    return v.Scalar();
  }

  std::string text(const YAML::Node& v, const std::string& f) {
    if (!v.IsScalar() || v.Scalar().empty()) fail_at(v, f, "expected a non-empty string, got " + got(v));
    return v.Scalar();
  }

  // A finite number in [lo, hi] (lo_open: > lo): "expected a number ≥ lo and ≤ hi (unit)".
  double number_in(const YAML::Node& v, const std::string& f, double lo, double hi, bool lo_open, const std::string& unit) {
    const std::string expected = std::string("expected a number ") + (lo_open ? "> " : "≥ ") + fmt_g(lo) + " and ≤ " + fmt_g(hi) + " (" + unit + ")";
    if (!v.IsScalar()) fail_at(v, f, expected + ", got " + got(v));
    const std::string s = v.Scalar();
    char* end = nullptr;
    errno = 0;
    const double x = s.empty() ? NAN : std::strtod(s.c_str(), &end);
    if (s.empty() || errno == ERANGE || *end != '\0' || !std::isfinite(x) || x < lo || (lo_open && x == lo) || x > hi)
      fail_at(v, f, expected + ", got " + got(v));
    return x;
  }

 protected:
  std::string src_;
  std::map<std::string, YAML::Mark> marks_;  // dotted field -> where its key is written
};

// The document in `text`; a syntax error is "<source>:<line>: YAML syntax error: ...".
inline YAML::Node parse_yaml_document(const std::string& text, const std::string& source_name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::string loc = source_name;
    if (!e.mark.is_null()) loc += ":" + std::to_string(e.mark.line + 1);
    throw Error(loc + ": YAML syntax error: " + e.msg);
  }
}

}  // namespace subbit
