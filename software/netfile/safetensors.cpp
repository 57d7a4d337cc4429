#include "netfile/safetensors.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "quant/error.h"
#include "quant/file_io.h"

namespace subbit {

namespace {
struct DTypeName {
  DType dtype;
  const char* name;
  size_t size;
};
constexpr DTypeName kDTypes[] = {{DType::U8, "U8", 1},   {DType::I8, "I8", 1},   {DType::U16, "U16", 2},
                                 {DType::I16, "I16", 2}, {DType::U32, "U32", 4}, {DType::I32, "I32", 4},
                                 {DType::I64, "I64", 8}, {DType::F32, "F32", 4}};
}  // namespace

const char* dtype_name(DType d) {
  for (const auto& e : kDTypes)
    if (e.dtype == d) return e.name;
  return "?";
}
size_t dtype_size(DType d) {
  for (const auto& e : kDTypes)
    if (e.dtype == d) return e.size;
  return 0;
}

size_t TensorEntry::numel() const {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

namespace {

// The 8-byte little-endian header length, checked against the `file_size` bytes of the whole file.
uint64_t header_length(const uint8_t len_bytes[8], uint64_t file_size, const std::string& path) {
  auto fail = [&](const std::string& msg) -> void { throw Error(path + ": " + msg); };
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
  if (header_len > file_size - 8)
    fail("header length " + std::to_string(header_len) + " exceeds the " + std::to_string(file_size - 8) + " bytes after it (truncated file?)");
  if (header_len > kMaxSafetensorsHeader) fail("header length " + std::to_string(header_len) + " exceeds the 64 MiB limit");
  return header_len;
}

// The JSON header: metadata and tensor entries, each checked against a data section of
// `data_size` bytes (filled in by the caller).
SafetensorsFile parse_header(const std::string& header, uint64_t data_size, const std::string& path) {
  auto fail = [&](const std::string& msg) -> void { throw Error(path + ": " + msg); };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number beyond double
    fail(std::string("header is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail("header must be a JSON object");

  SafetensorsFile f;
  f.path = path;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail("__metadata__ must be an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail("__metadata__['" + m.key() + "'] must be a string");
        f.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + name + "'";
    if (!v.is_object()) fail(where + ": entry must be an object with dtype, shape, data_offsets");
    for (const char* key : {"dtype", "shape", "data_offsets"})
      if (!v.contains(key)) fail(where + ": missing field '" + key + "'");
    TensorEntry t;
    bool known = false;
    if (v["dtype"].is_string())
      for (const auto& e : kDTypes)
        if (v["dtype"].get<std::string>() == e.name) t.dtype = e.dtype, known = true;
    if (!known) fail(where + ": dtype " + v["dtype"].dump() + " is not one of U8, I8, U16, I16, U32, I32, I64, F32");
    if (!v["shape"].is_array()) fail(where + ": shape must be an array of non-negative integers");
    uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) fail(where + ": shape must be an array of non-negative integers, got " + v["shape"].dump());
      const uint64_t dim = d.get<uint64_t>();
      if (dim > data_size || (dim != 0 && numel > data_size / dim))
        fail(where + ": shape " + v["shape"].dump() + " holds more elements than the file's " + std::to_string(data_size) + " data bytes");
      numel *= dim;
      t.shape.push_back(static_cast<int64_t>(dim));
    }
    const auto& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      fail(where + ": data_offsets must be [begin, end] with non-negative integers");
    const uint64_t b = off[0].get<uint64_t>(), e = off[1].get<uint64_t>();
    if (b > e) fail(where + ": data_offsets [" + std::to_string(b) + ", " + std::to_string(e) + "] has begin > end");
    if (e > data_size)
      fail(where + ": data_offsets end " + std::to_string(e) + " is beyond the data section (" + std::to_string(data_size) + " bytes)");
    const uint64_t want = numel * dtype_size(t.dtype);
    if (e - b != want)
      fail(where + ": data_offsets span " + std::to_string(e - b) + " bytes, but dtype " + dtype_name(t.dtype) + " and shape " +
           v["shape"].dump() + " need " + std::to_string(want));
    t.begin = b;
    t.end = e;
    f.tensors.emplace(name, std::move(t));
  }

  // safetensors' own rule: the tensors tile the data section exactly, no overlap and no hole.
  std::vector<std::pair<size_t, const std::string*>> order;
  for (const auto& [name, t] : f.tensors) order.emplace_back(t.begin, &name);
  // By (begin, end), so the report does not depend on where the names live in memory.
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : f.tensors.at(*a.second).end < f.tensors.at(*b.second).end;
  });
  size_t cursor = 0;
  const std::string* prev = nullptr;
  for (const auto& [begin, name] : order) {
    const TensorEntry& t = f.tensors.at(*name);
    if (begin < cursor) fail("tensor '" + *name + "' overlaps tensor '" + *prev + "' (begins at " + std::to_string(begin) + ", before " + std::to_string(cursor) + ")");
    if (begin > cursor) fail("data section has a hole of " + std::to_string(begin - cursor) + " bytes before tensor '" + *name + "'");
    cursor = t.end;
    prev = name;
  }
  if (cursor != data_size)
    fail("data section is " + std::to_string(data_size) + " bytes but the tensors cover " + std::to_string(cursor) + " (trailing bytes)");

  return f;
}

}  // namespace

SafetensorsFile read_safetensors(const std::string& path) {
  auto fail = [&](const std::string& msg) -> void { throw Error(path + ": " + msg); };
  check_input_file(path, "a network file (.safetensors)");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open file");
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  if (!in || end < 0) fail("cannot read the file (a directory?)");  // tellg() is -1 for a directory
  const uint64_t file_size = static_cast<uint64_t>(end);
  in.seekg(0);
  if (file_size < 8) fail("file is " + std::to_string(file_size) + " bytes, too short for a safetensors header length (8 bytes)");
  uint8_t len_bytes[8];
  in.read(reinterpret_cast<char*>(len_bytes), 8);
  if (!in) fail("cannot read the 8-byte header length");
  const uint64_t header_len = header_length(len_bytes, file_size, path);
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  if (!in) fail("could not read the " + std::to_string(header_len) + "-byte header");

  const uint64_t data_size = file_size - 8 - header_len;
  SafetensorsFile f = parse_header(header, data_size, path);
  f.data.resize(data_size);  // bounded by the file size checked above
  in.read(reinterpret_cast<char*>(f.data.data()), static_cast<std::streamsize>(data_size));
  if (!in) fail("could not read the data section");
  return f;
}

SafetensorsFile parse_safetensors(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size < 8)
    throw Error(name + ": file is " + std::to_string(size) + " bytes, too short for a safetensors header length (8 bytes)");
  const uint64_t header_len = header_length(bytes, size, name);
  const std::string header(reinterpret_cast<const char*>(bytes) + 8, header_len);
  const uint64_t data_size = size - 8 - header_len;
  SafetensorsFile f = parse_header(header, data_size, name);
  f.data.assign(bytes + 8 + header_len, bytes + size);
  return f;
}

void write_safetensors(const std::string& path, const std::map<std::string, std::string>& metadata,
                       const std::vector<TensorToWrite>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  size_t offset = 0;
  for (const auto& t : tensors) {
    size_t numel = 1;
    for (int64_t d : t.shape) numel *= static_cast<size_t>(d);
    if (numel * dtype_size(t.dtype) != t.bytes.size())
      throw Error(path + ": tensor '" + t.name + "' has " + std::to_string(t.bytes.size()) + " bytes, shape needs " +
                  std::to_string(numel * dtype_size(t.dtype)));
    if (header.contains(t.name)) throw Error(path + ": tensor '" + t.name + "' written twice");
    header[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');  // align the data section to 8 bytes

  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot open '" + tmp + "' for writing");
    uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i));
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : tensors) out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      throw Error(path + ": write failed (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot rename '" + tmp + "' into place");
  }
}

}  // namespace subbit
