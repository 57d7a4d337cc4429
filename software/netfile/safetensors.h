// The safetensors container (8-byte little-endian header length, JSON header, raw bytes), read
// defensively: every offset, size and dtype is checked against the file before anything is
// allocated from it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace subbit {

enum class DType { U8, I8, U16, I16, U32, I32, I64, F32 };
const char* dtype_name(DType d);
size_t dtype_size(DType d);

struct TensorEntry {
  DType dtype = DType::U8;
  std::vector<int64_t> shape;
  size_t begin = 0;  // byte offsets into the data section
  size_t end = 0;
  size_t numel() const;
};

struct SafetensorsFile {
  std::string path;
  std::map<std::string, std::string> metadata;
  std::map<std::string, TensorEntry> tensors;
  std::vector<uint8_t> data;  // the data section

  const uint8_t* bytes(const TensorEntry& t) const { return data.data() + t.begin; }
};

// Header length is capped; anything bigger is not a network file.
constexpr uint64_t kMaxSafetensorsHeader = 64ull << 20;

// Throws subbit::Error naming the file and the offending tensor or field.
SafetensorsFile read_safetensors(const std::string& path);
// The same checks on a whole file already in memory; `name` stands for the path in messages and
// becomes SafetensorsFile::path (fuzzing, tests/fuzz).
SafetensorsFile parse_safetensors(const uint8_t* bytes, size_t size, const std::string& name);

struct TensorToWrite {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;  // little-endian, numel * dtype_size bytes
};

// Writes to PATH.tmp and renames over PATH, so a failure never leaves a half-written file.
void write_safetensors(const std::string& path, const std::map<std::string, std::string>& metadata,
                       const std::vector<TensorToWrite>& tensors);

}  // namespace subbit
