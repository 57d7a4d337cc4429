// A structure-aware libFuzzer mutator for network files (fuzz_netfile, fuzz_golden).
//
// Byte mutations of a safetensors file mostly break its container (the 8-byte length, the JSON
// header, the data offsets), and the graph is JSON inside a JSON string, so plain mutations seldom
// reach the loader's graph checks or the golden reference. Half of the time this mutator instead
// opens the container, mutates one part - the graph text, one tensor's bytes, one tensor's shape
// (its bytes resized to match) or the metadata - and writes a consistent container again (offsets
// recomputed); the other half it leaves to libFuzzer's own mutations and cross-overs. Inputs stay
// real network files, so every reproducer loads with `subbit inspect`.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace subbit::fuzz {

struct Container {
  nlohmann::json header;                             // object; tensor entries and __metadata__
  std::vector<std::pair<std::string, std::vector<uint8_t>>> tensors;  // in data order
};

inline bool open_container(const uint8_t* data, size_t size, Container& c) {
  if (size < 8) return false;
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | data[i];
  if (n > size - 8) return false;
  c.header = nlohmann::json::parse(data + 8, data + 8 + n, nullptr, false);
  if (!c.header.is_object()) return false;
  const uint8_t* body = data + 8 + n;
  const size_t body_size = size - 8 - n;
  std::vector<std::pair<uint64_t, std::string>> order;
  for (auto it = c.header.begin(); it != c.header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const auto& v = it.value();
    if (!v.is_object() || !v.contains("data_offsets")) return false;
    const auto& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned()) return false;
    const uint64_t b = off[0].get<uint64_t>(), e = off[1].get<uint64_t>();
    if (b > e || e > body_size) return false;
    order.emplace_back(b, it.key());
  }
  std::sort(order.begin(), order.end());
  for (const auto& [b, name] : order) {
    const uint64_t e = c.header[name]["data_offsets"][1].get<uint64_t>();
    c.tensors.emplace_back(name, std::vector<uint8_t>(body + b, body + e));
  }
  return true;
}

// Writes the container with offsets recomputed; 0 if it does not fit in max_size.
inline size_t write_container(Container& c, uint8_t* out, size_t max_size) {
  uint64_t offset = 0;
  for (auto& [name, bytes] : c.tensors) {
    c.header[name]["data_offsets"] = {offset, offset + bytes.size()};
    offset += bytes.size();
  }
  const std::string text = c.header.dump();
  const size_t total = 8 + text.size() + offset;
  if (total > max_size) return 0;
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));
  std::memcpy(out + 8, text.data(), text.size());
  size_t at = 8 + text.size();
  for (const auto& t : c.tensors) {
    if (!t.second.empty()) std::memcpy(out + at, t.second.data(), t.second.size());
    at += t.second.size();
  }
  return total;
}

// Mutates `s` in place with libFuzzer's byte mutations (up to max_len bytes).
inline void mutate_string(std::string& s, size_t max_len) {
  std::vector<uint8_t> buf(s.begin(), s.end());
  buf.resize(std::max(max_len, buf.size()));
  const size_t n = LLVMFuzzerMutate(buf.data(), s.size(), buf.size());
  s.assign(buf.begin(), buf.begin() + n);
}

inline size_t dtype_bytes(const std::string& d) {
  if (d == "U8" || d == "I8") return 1;
  if (d == "U16" || d == "I16") return 2;
  if (d == "U32" || d == "I32" || d == "F32") return 4;
  if (d == "I64") return 8;
  return 1;
}

// Mutates one part of an opened container; false when nothing was changed.
inline bool mutate_part(Container& c, std::minstd_rand& rng, size_t max_size) {
  const unsigned what = rng() % 8;
  static nlohmann::json none;
  nlohmann::json& meta = c.header.contains("__metadata__") ? c.header["__metadata__"] : none;
  if (what < 4 && meta.is_object() && meta.contains("subbit.graph") && meta["subbit.graph"].is_string()) {
    std::string g = meta["subbit.graph"].get<std::string>();
    mutate_string(g, g.size() + 64);
    meta["subbit.graph"] = g;  // nlohmann escapes it; invalid UTF-8 is replaced when dumped
  } else if (what < 6 && !c.tensors.empty()) {
    auto& bytes = c.tensors[rng() % c.tensors.size()].second;
    if (!bytes.empty()) LLVMFuzzerMutate(bytes.data(), bytes.size(), bytes.size());
  } else if (what < 7 && !c.tensors.empty()) {
    auto& [name, bytes] = c.tensors[rng() % c.tensors.size()];
    nlohmann::json& shape = c.header[name]["shape"];
    if (shape.is_array() && !shape.empty() && shape[0].is_number_unsigned()) {
      const size_t i = rng() % shape.size();
      uint64_t d = shape[i].get<uint64_t>();
      d = rng() % 2 ? d + 1 + rng() % 4 : (d > 0 ? d - 1 : 0);
      if (d > 4096) d = 4096;
      shape[i] = d;
      uint64_t numel = 1;
      for (const auto& x : shape) numel *= x.is_number_unsigned() ? x.get<uint64_t>() : 1;
      const nlohmann::json& dt = c.header[name]["dtype"];
      const size_t want = numel * dtype_bytes(dt.is_string() ? dt.get<std::string>() : "U8");
      if (want > max_size) return false;
      bytes.resize(want, static_cast<uint8_t>(rng()));
    }
  } else if (meta.is_object()) {
    std::string m = meta.dump();
    mutate_string(m, m.size() + 32);
    nlohmann::json j = nlohmann::json::parse(m, nullptr, false);
    if (j.is_discarded()) return false;
    c.header["__metadata__"] = j;
  } else {
    return false;
  }
  return true;
}

inline size_t mutate_network_file(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  std::minstd_rand rng(seed);
  Container c;
  if (rng() % 2 == 0 || !open_container(data, size, c)) return LLVMFuzzerMutate(data, size, max_size);
  std::vector<uint8_t> out(max_size);
  size_t n = 0;
  try {
    if (mutate_part(c, rng, max_size)) n = write_container(c, out.data(), max_size);
  } catch (const nlohmann::json::exception&) {  // e.g. a mutated graph string that is not UTF-8
    n = 0;
  }
  if (n == 0) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, out.data(), n);
  return n;
}

}  // namespace subbit::fuzz
