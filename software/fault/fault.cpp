#include "fault/fault.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "golden/golden.h"
#include "quant/error.h"
#include "quant/prng.h"

namespace subbit::fault {

namespace {

constexpr const char* kSyntax = "expected TARGET:FIELD=VALUE[,FIELD=VALUE...] with TARGET weights, params, activations or decryptor "
                                "(e.g. weights:ber=1e-4, activations:count=10, decryptor:stuck-at-0=2)";

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

bool all_digits(const std::string& s) { return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos; }

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : sep) + e;
  return s;
}

bool is_layer(const Node& n) { return n.op != Op::Input && n.op != Op::Flatten; }

// The layers a target's tensors live in: what layers= may name.
bool target_has(Target t, const Node& n) {
  switch (t) {
    case Target::Weights: return n.has_weights();
    case Target::Params: return n.has_weights() || n.op == Op::Requant;
    case Target::Activations: return is_layer(n);
    case Target::Decryptor: return false;
  }
  return false;
}

double uniform01(SplitMix64& g) { return static_cast<double>((g.next() >> 11) + 1) * 0x1.0p-53; }  // (0, 1]

}  // namespace

const char* target_name(Target t) {
  switch (t) {
    case Target::Weights: return "weights";
    case Target::Params: return "params";
    case Target::Activations: return "activations";
    case Target::Decryptor: return "decryptor";
  }
  return "?";
}

Spec parse_spec(const std::string& text, const std::string& option) {
  const std::string where = option + " '" + text + "'";
  auto fail = [&](const std::string& msg) -> void { throw Error(where + ": " + msg); };
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) fail(kSyntax);
  Spec s;
  s.text = text;
  const std::string target = text.substr(0, colon);
  bool found = false;
  for (Target t : {Target::Weights, Target::Params, Target::Activations, Target::Decryptor})
    if (target == target_name(t)) s.target = t, found = true;
  if (!found) fail("unknown target '" + target + "' (expected weights, params, activations or decryptor)");
  const bool memory = s.target != Target::Decryptor;
  const char* fields = memory ? "ber, count or layers" : "stuck-at-0 or stuck-at-1";
  std::vector<std::string> seen;
  bool has_ber = false;
  for (const std::string& f : split(text.substr(colon + 1), ',')) {
    const size_t eq = f.find('=');
    if (f.empty()) fail("empty field (fields are separated by ',')");
    if (eq == std::string::npos || eq == 0 || eq + 1 == f.size())
      fail("field '" + f + "' needs a value: expected FIELD=VALUE with FIELD " + fields);
    const std::string key = f.substr(0, eq), value = f.substr(eq + 1);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) fail("field '" + key + "' given twice");
    seen.push_back(key);
    if (memory && key == "ber") {
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (end != value.c_str() + value.size() || !std::isfinite(v) || v < 0 || v > 1)
        fail("ber=" + value + ": expected a bit-error rate, a number from 0 to 1 (e.g. 1e-4)");
      s.ber = v;
      has_ber = true;
    } else if (memory && key == "count") {
      if (!all_digits(value)) fail("count=" + value + ": expected a number of bits to flip, a non-negative integer");
      s.count = std::stoull(value);
      s.has_count = true;
    } else if (memory && key == "layers") {
      for (const std::string& l : split(value, '+')) {
        if (l.empty()) fail("layers=" + value + ": expected layer names joined by '+' (e.g. conv2+fc1)");
        if (std::find(s.layers.begin(), s.layers.end(), l) != s.layers.end()) fail("layers=" + value + ": layer '" + l + "' given twice");
        s.layers.push_back(l);
      }
    } else if (!memory && (key == "stuck-at-0" || key == "stuck-at-1")) {
      const int v = key.back() - '0';
      const std::string expected = key + "=" + value + ": expected a number of outputs (chosen by --inject-seed) or @R+R... (outputs R of M⊕, e.g. @0+7)";
      if (value[0] == '@') {
        for (const std::string& r : split(value.substr(1), '+')) {
          if (!all_digits(r) || r.size() > 4) fail(expected);
          const int out = std::stoi(r);
          if (std::find(s.stuck_at[v].begin(), s.stuck_at[v].end(), out) != s.stuck_at[v].end()) fail(key + "=" + value + ": output " + r + " given twice");
          s.stuck_at[v].push_back(out);
        }
      } else {
        if (!all_digits(value) || value.size() > 4) fail(expected);
        s.stuck_count[v] = std::stoi(value);
      }
    } else {
      fail("unknown field '" + key + "' for " + target + " (expected " + fields + ")");
    }
  }
  if (memory) {
    if (has_ber && s.has_count) fail("give ber or count, not both");
    if (!has_ber && !s.has_count) fail(target + " needs ber=P (a probability per stored bit) or count=N (exactly N distinct bits)");
  } else {
    for (int v = 0; v < 2; ++v)
      for (int r : s.stuck_at[v])
        if (std::find(s.stuck_at[1 - v].begin(), s.stuck_at[1 - v].end(), r) != s.stuck_at[1 - v].end())
          fail("output " + std::to_string(r) + " cannot be stuck at 0 and at 1");
  }
  return s;
}

const Spec* Campaign::find(Target t) const {
  for (const Spec& s : specs)
    if (s.target == t) return &s;
  return nullptr;
}

std::string Campaign::str() const {
  std::string s;
  for (const Spec& e : specs) s += (s.empty() ? "" : " ") + e.text;
  return s + " (seed " + std::to_string(seed) + ")";
}

Campaign make_campaign(const std::vector<std::string>& texts, uint64_t seed, const Network& net, const std::string& option) {
  Campaign c;
  c.seed = seed;
  c.option = option;
  for (const std::string& t : texts) {
    Spec s = parse_spec(t, option);
    if (const Spec* prev = c.find(s.target))
      throw Error(option + " '" + t + "': a second " + target_name(s.target) + " spec (one per target; the first was '" + prev->text + "')");
    std::vector<std::string> names;
    for (const Node& n : net.nodes)
      if (target_has(s.target, n)) names.push_back(n.name);
    for (const std::string& l : s.layers)
      if (std::find(names.begin(), names.end(), l) == names.end())
        throw Error(option + " '" + t + "': layers: '" + l + "' is not a layer of network '" + net.name + "' with " + target_name(s.target) +
                    " (expected " + (names.empty() ? std::string("none: the network has no such layer") : join(names, ", ")) + ")");
    c.specs.push_back(std::move(s));
  }
  return c;
}

std::vector<Tensor> tensors_for(const Network& net, Target t, const std::vector<std::string>& layers) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const Node& n = net.nodes[i];
    if (!target_has(t, n)) continue;
    if (!layers.empty() && std::find(layers.begin(), layers.end(), n.name) == layers.end()) continue;
    auto add = [&](const char* kind, uint64_t bytes) {
      if (bytes) out.push_back(Tensor{static_cast<int>(i), n.name, kind, bytes});
    };
    const QuantWeights& w = n.weights;
    switch (t) {
      case Target::Weights:
        if (w.scheme == Scheme::Int8) add("weights", w.int8.size());
        else if (w.scheme == Scheme::SignedBinary) add("weights", w.mask.size()), add("signs", w.signs.size());
        else add("weights", w.planes.size());
        break;
      case Target::Params:
        if (n.has_weights()) add("alpha", w.alpha.size());
        add("mult", n.rq.mult.size() * sizeof(int32_t));
        add("bias", n.rq.bias.size() * sizeof(int64_t));
        break;
      case Target::Activations: add("activations", n.shape.numel()); break;
      case Target::Decryptor: break;
    }
  }
  return out;
}

const uint8_t* tensor_bytes(const Network& net, const Tensor& t) { return tensor_bytes(const_cast<Network&>(net), t); }

uint8_t* tensor_bytes(Network& net, const Tensor& t) {
  Node& n = net.nodes.at(static_cast<size_t>(t.node));
  QuantWeights& w = n.weights;
  if (t.kind == "weights") {
    if (w.scheme == Scheme::Int8) return reinterpret_cast<uint8_t*>(w.int8.data());
    return w.scheme == Scheme::SignedBinary ? w.mask.data() : w.planes.data();
  }
  if (t.kind == "signs") return w.signs.data();
  if (t.kind == "alpha") return w.alpha.data();
  if (t.kind == "mult") return reinterpret_cast<uint8_t*>(n.rq.mult.data());
  if (t.kind == "bias") return reinterpret_cast<uint8_t*>(n.rq.bias.data());
  throw Error("fault injection: tensor '" + t.kind + "' of layer '" + t.layer + "' is not stored in the network");
}

uint64_t stream_seed(uint64_t seed, Target t, uint64_t inference) {
  SplitMix64 a(seed ^ (0xD1B54A32D192ED03ULL * (static_cast<uint64_t>(t) + 1)));
  SplitMix64 b(a.next() ^ (0x8CB92BA72F3D8DD7ULL * (inference + 1)));
  return b.next();
}

std::vector<uint64_t> sample_positions(uint64_t bits, double ber, bool exact, uint64_t count, uint64_t seed) {
  SplitMix64 g(seed);
  std::vector<uint64_t> pos;
  if (exact) {
    // Floyd: count distinct values of [0, bits), each subset equally likely.
    if (count > bits) throw Error("cannot flip " + std::to_string(count) + " distinct bits of " + std::to_string(bits));
    std::unordered_set<uint64_t> chosen;
    chosen.reserve(count * 2);
    for (uint64_t j = bits - count; j < bits; ++j) {
      const uint64_t t = g.uniform(j + 1);
      chosen.insert(chosen.count(t) ? j : t);
    }
    pos.assign(chosen.begin(), chosen.end());
    std::sort(pos.begin(), pos.end());
    return pos;
  }
  if (ber <= 0 || bits == 0) return pos;
  if (ber >= 1) {
    pos.resize(bits);
    for (uint64_t i = 0; i < bits; ++i) pos[i] = i;
    return pos;
  }
  // Gaps between flips are geometric: P(gap = k) = (1 - p)^k p, k = floor(ln U / ln(1 - p)).
  const double l = std::log1p(-ber);
  uint64_t next = 0;
  for (;;) {
    const double gap = std::floor(std::log(uniform01(g)) / l);
    if (gap >= static_cast<double>(bits - next)) break;
    next += static_cast<uint64_t>(gap);
    pos.push_back(next++);
    if (next >= bits) break;
  }
  return pos;
}

FlipSet sample(const std::vector<Tensor>& tensors, const Spec& s, uint64_t seed, const std::string& where) {
  FlipSet f;
  f.tensors = tensors;
  f.bits.resize(tensors.size());
  for (const Tensor& t : tensors) f.domain_bits += t.bytes * 8;
  if (s.has_count && s.count > f.domain_bits)
    throw Error(where + " '" + s.text + "': count=" + std::to_string(s.count) + " is more than the " + std::to_string(f.domain_bits) + " bits of " +
                target_name(s.target) + (s.layers.empty() ? "" : " in layers " + join(s.layers, "+")));
  const std::vector<uint64_t> pos = sample_positions(f.domain_bits, s.ber, s.has_count, s.count, seed);
  size_t ti = 0;
  uint64_t base = 0;
  for (uint64_t p : pos) {
    while (p >= base + tensors[ti].bytes * 8) base += tensors[ti++].bytes * 8;
    f.bits[ti].push_back(p - base);
  }
  f.flipped = pos.size();
  return f;
}

void flip(uint8_t* bytes, const std::vector<uint64_t>& bits) {
  for (uint64_t b : bits) bytes[b >> 3] ^= static_cast<uint8_t>(1u << (b & 7));
}

void flip_values(int16_t* values, bool is_signed, const std::vector<uint64_t>& bits) {
  for (uint64_t b : bits) {
    const uint8_t byte = static_cast<uint8_t>((values[b >> 3] & 0xFF) ^ (1u << (b & 7)));
    values[b >> 3] = is_signed ? static_cast<int8_t>(byte) : byte;
  }
}

std::string StuckAt::str() const {
  std::string s;
  for (int v = 0; v < 2; ++v) {
    const uint64_t m = v ? one : zero;
    if (!m) continue;
    std::string list;
    for (int r = 0; r < 64; ++r)
      if ((m >> r) & 1) list += (list.empty() ? "" : ", ") + std::to_string(r);
    s += (s.empty() ? "" : " ") + std::string("stuck-at-") + char('0' + v) + " outputs [" + list + "]";
  }
  return s.empty() ? "none" : s;
}

StuckAt pick_stuck_at(const Spec& s, int n_out, uint64_t seed, const std::string& where) {
  StuckAt st;
  if (n_out < 1 || n_out > 64) throw Error(where + " '" + s.text + "': the decryptor has no outputs to stick (N_out = " + std::to_string(n_out) + ")");
  for (int v = 0; v < 2; ++v)
    for (int r : s.stuck_at[v]) {
      if (r >= n_out)
        throw Error(where + " '" + s.text + "': stuck-at-" + std::to_string(v) + ": output " + std::to_string(r) + " does not exist (the decryptor's M⊕ has N_out = " +
                    std::to_string(n_out) + " outputs, 0.." + std::to_string(n_out - 1) + ")");
      (v ? st.one : st.zero) |= uint64_t{1} << r;
    }
  std::vector<int> free;
  for (int r = 0; r < n_out; ++r)
    if (!(((st.zero | st.one) >> r) & 1)) free.push_back(r);
  const int want = s.stuck_count[0] + s.stuck_count[1];
  if (want > static_cast<int>(free.size()))
    throw Error(where + " '" + s.text + "': " + std::to_string(want) + " stuck outputs asked for, the decryptor has " + std::to_string(free.size()) +
                " (N_out = " + std::to_string(n_out) + (free.size() < static_cast<size_t>(n_out) ? ", less the explicit ones)" : ")"));
  SplitMix64 g(stream_seed(seed, Target::Decryptor));
  for (int t = 0; t < want; ++t) {  // partial Fisher-Yates over the free outputs
    const size_t j = static_cast<size_t>(t) + g.uniform(free.size() - t);
    std::swap(free[t], free[j]);
    (t < s.stuck_count[0] ? st.zero : st.one) |= uint64_t{1} << free[t];
  }
  return st;
}

uint64_t decrypt_with_stuck_at(QuantWeights& w, const StuckAt& s) {
  if (w.scheme != Scheme::Flexor) return 0;
  const uint64_t n = w.numel(), n_out = static_cast<uint64_t>(w.flexor.n_out);
  std::vector<uint8_t> planes;
  uint64_t changed = 0;
  for (int i = 0; i < w.q; ++i) {
    std::vector<uint8_t> bits = w.plane_bits(i);
    for (uint64_t r = 0; r < n_out; ++r) {
      const bool zero = (s.zero >> r) & 1, one = (s.one >> r) & 1;
      if (!zero && !one) continue;
      for (uint64_t e = r; e < n; e += n_out) {
        changed += get_bit(bits.data(), e) != one;
        set_bit(bits.data(), e, one);
      }
    }
    planes.insert(planes.end(), bits.begin(), bits.end());
  }
  w.scheme = Scheme::Bcq;
  w.planes = std::move(planes);
  w.flexor = FlexorSpec{};
  return changed;
}

uint64_t weights_changed(const QuantWeights& a, const QuantWeights& b) {
  const std::vector<int16_t> x = a.effective(), y = b.effective();
  uint64_t n = 0;
  for (size_t i = 0; i < std::min(x.size(), y.size()); ++i) n += x[i] != y[i];
  return n;
}

Injection::Injection(Campaign c, const Network& net, int decryptor_n_out) : c_(std::move(c)), net_(net), faulted_(net), n_out_(decryptor_n_out) {
  stuck_changed_.assign(net.nodes.size(), 0);
  weights_changed_.assign(net.nodes.size(), 0);
  for (Target t : {Target::Weights, Target::Params}) {
    const Spec* s = c_.find(t);
    if (!s) continue;
    FlipSet& f = t == Target::Weights ? weights_ : params_;
    f = sample(tensors_for(net, t, s->layers), *s, stream_seed(c_.seed, t), c_.option);
    for (size_t i = 0; i < f.tensors.size(); ++i) flip(tensor_bytes(faulted_, f.tensors[i]), f.bits[i]);
  }
  if (const Spec* s = c_.find(Target::Decryptor)) {
    if (n_out_ == 0)
      for (const Node& n : net.nodes)
        if (n.has_weights() && n.weights.scheme == Scheme::Flexor) {
          if (n_out_ && n.weights.flexor.n_out != n_out_)
            throw Error(c_.option + " '" + s->text + "': the network's FleXOR layers have different N_out (" + std::to_string(n_out_) + ", " +
                        std::to_string(n.weights.flexor.n_out) + "); one decryptor cannot run them");
          n_out_ = n.weights.flexor.n_out;
        }
    if (n_out_) stuck_ = pick_stuck_at(*s, n_out_, c_.seed, c_.option);
    for (size_t i = 0; i < faulted_.nodes.size(); ++i)
      if (faulted_.nodes[i].has_weights()) stuck_changed_[i] = decrypt_with_stuck_at(faulted_.nodes[i].weights, stuck_);
  }
  if (c_.find(Target::Weights) || c_.find(Target::Params) || stuck_.any())
    for (size_t i = 0; i < net.nodes.size(); ++i)
      if (net.nodes[i].has_weights()) weights_changed_[i] = fault::weights_changed(net.nodes[i].weights, faulted_.nodes[i].weights);
  if (const Spec* s = c_.find(Target::Activations)) {
    acts_.tensors = tensors_for(net, Target::Activations, s->layers);
    acts_.bits.resize(acts_.tensors.size());
    act_totals_.assign(acts_.tensors.size(), 0);
    for (const Tensor& t : acts_.tensors) acts_.domain_bits += t.bytes * 8;
    if (s->has_count && s->count > acts_.domain_bits) sample(acts_.tensors, *s, 0, c_.option);  // throws naming the spec
  }
}

void Injection::begin(uint64_t inference) {
  if (begun_ && inference == inference_) return;
  begun_ = true;
  inference_ = inference;
  const Spec* s = c_.find(Target::Activations);
  if (!s) return;
  ++inferences_;
  acts_ = sample(acts_.tensors, *s, stream_seed(c_.seed, Target::Activations, inference), c_.option);
  for (size_t i = 0; i < acts_.tensors.size(); ++i) act_totals_[i] += acts_.bits[i].size();
}

void Injection::hook(GoldenModel& g) const {
  if (!has_activations()) {
    g.after_node = nullptr;
    return;
  }
  std::vector<int> index(net_.nodes.size(), -1);
  for (size_t i = 0; i < acts_.tensors.size(); ++i) index[static_cast<size_t>(acts_.tensors[i].node)] = static_cast<int>(i);
  g.after_node = [this, index](size_t node, std::vector<int16_t>& v) {
    const int i = index[node];
    if (i >= 0) flip_values(v.data(), net_.nodes[node].out.is_signed, acts_.bits[static_cast<size_t>(i)]);
  };
}

}  // namespace subbit::fault
