// IDX files (the MNIST family's format), plain or gzipped: Debian's dataset-fashion-mnist.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace subbit {

struct ImageSet {
  int count = 0, rows = 0, cols = 0;
  std::string source;  // the images file
  std::vector<uint8_t> pixels;  // count x rows x cols
  std::vector<uint8_t> labels;  // count
  const uint8_t* image(int i) const { return pixels.data() + static_cast<size_t>(i) * rows * cols; }
};

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Reads `limit` (or all, if limit <= 0) images and labels of the test ("t10k") or train split.
// Throws subbit::Error naming the file and what was expected.
ImageSet load_fashion_mnist(const std::string& dir, bool test_split, int limit);
// The checks and the split of load_fashion_mnist() on an images file and a labels file already in
// memory (decompressed); the paths stand for the files in messages (fuzzing, tests/fuzz).
ImageSet parse_idx(const std::vector<uint8_t>& images, const std::string& images_path, const std::vector<uint8_t>& labels,
                   const std::string& labels_path, int limit);

}  // namespace subbit
