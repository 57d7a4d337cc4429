#include "cli/common.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "netfile/safetensors.h"
#include "quant/error.h"

namespace subbit::cli {

std::vector<int16_t> load_input(const std::string& path, const Network& net) { return input_from_safetensors(read_safetensors(path), net); }

std::vector<int16_t> input_from_safetensors(const SafetensorsFile& f, const Network& net) {
  const std::string& path = f.path;
  const auto it = f.tensors.find("input");
  if (it == f.tensors.end() || f.tensors.size() != 1) throw Error(path + ": expected exactly one tensor, named 'input'");
  const TensorEntry& t = it->second;
  const Shape& s = net.input().shape;
  const std::vector<int64_t> want{s.c, s.h, s.w};
  if (t.shape != want) {
    std::string got;
    for (int64_t d : t.shape) got += (got.empty() ? "" : ", ") + std::to_string(d);
    throw Error(path + ": tensor 'input' has shape [" + got + "], expected [" + std::to_string(s.c) + ", " + std::to_string(s.h) + ", " +
                std::to_string(s.w) + "] (the network's input)");
  }
  std::vector<int16_t> v(t.numel());
  const uint8_t* p = f.bytes(t);
  for (size_t i = 0; i < v.size(); ++i) {
    switch (t.dtype) {
      case DType::I8: v[i] = static_cast<int8_t>(p[i]); break;
      case DType::U8: v[i] = p[i]; break;
      case DType::I16: std::memcpy(&v[i], p + 2 * i, 2); break;
      default: throw Error(path + ": tensor 'input' has dtype " + dtype_name(t.dtype) + ", expected I8, U8 or I16");
    }
    const ActType& a = net.input().out;
    if (v[i] < a.lo() || v[i] > a.hi() || (a.is_signed && a.bits == 1 && v[i] == 0))
      throw Error(path + ": tensor 'input' element " + std::to_string(i) + " = " + std::to_string(v[i]) + " is outside the input type " + a.to_string());
  }
  return v;
}

void save_input(const std::string& path, const std::vector<int16_t>& values, const Shape& shape) {
  TensorToWrite t{"input", DType::I16, {shape.c, shape.h, shape.w}, {}};
  t.bytes.resize(values.size() * 2);
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  write_safetensors(path, {}, {t});
}

CLI::Validator non_negative_seed() {
  return CLI::Validator(
      [](std::string& v) { return v.find_first_not_of("0123456789") == std::string::npos && !v.empty() ? std::string() : "expected a non-negative integer seed, got '" + v + "'"; },
      "SEED");
}

std::vector<int16_t> pixels_to_input(const ImageSet& set, int index, const Network& net, const std::string& where) {
  const ActType& t = net.input().out;
  const Shape& s = net.input().shape;
  if (s.c != 1 || s.h != 28 || s.w != 28)
    throw Error(where + ": the network's input is " + s.to_string() + ", expected 1x28x28 for Fashion-MNIST");
  if (t.bits != 8) throw Error(where + ": the network's input type is " + t.to_string() + ", expected u8 or s8 for Fashion-MNIST");
  // The images must have the network's shape: reading 784 bytes of a larger image would take its
  // first rows as the picture, of a smaller one would read past it.
  if (set.rows != static_cast<int>(s.h) || set.cols != static_cast<int>(s.w))
    throw Error(set.source + ": images are " + std::to_string(set.rows) + "x" + std::to_string(set.cols) + ", expected 28x28 (Fashion-MNIST, the input of " +
                where + ")");
  const uint8_t* pixels = set.image(index);
  std::vector<int16_t> v(784);
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.is_signed ? pixels[i] >> 1 : pixels[i];
  return v;
}

std::string Table::str() const {
  std::vector<size_t> width;
  for (const auto& r : rows_)
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  size_t total = 0;
  for (size_t w : width) total += w + 2;
  std::string out;
  for (size_t ri = 0; ri < rows_.size(); ++ri) {
    const auto& r = rows_[ri];
    if (r.empty()) {
      out += std::string(total, '-') + "\n";
      continue;
    }
    for (size_t i = 0; i < r.size(); ++i) {
      const bool left = i == 0;
      const std::string pad(width[i] - r[i].size(), ' ');
      out += left ? r[i] + pad : pad + r[i];
      out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
    if (ri == 0) out += std::string(total, '-') + "\n";
  }
  return out;
}

std::string fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string with_commas(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return (v < 0 ? "-" : "") + s;
}

void add_budget_options(CLI::App* cmd) {
  auto memory = std::make_shared<uint64_t>(ResourceBudget::process_default().memory_bytes);
  auto ops = std::make_shared<double>(static_cast<double>(ResourceBudget::process_default().ops));
  cmd->add_option("--budget-memory", *memory, "host memory one inference may need, e.g. 16GiB (docs/network-format.md, resource budget)")
      ->transform(CLI::AsSizeValue(true))
      ->envname("SUBBIT_BUDGET_MEMORY")
      ->capture_default_str();
  cmd->add_option("--budget-ops", *ops, "operations one inference may need, e.g. 1e12")
      ->check(CLI::Range(1.0, 1.8e19))
      ->envname("SUBBIT_BUDGET_OPS")
      ->capture_default_str();
  cmd->parse_complete_callback([memory, ops]() {
    ResourceBudget::process_default().memory_bytes = *memory;
    ResourceBudget::process_default().ops = static_cast<uint64_t>(*ops);
  });
}

}  // namespace subbit::cli
