// libFuzzer target: the IDX reader (software/dataset, Fashion-MNIST files) and the CLI's
// conversion of its images into a network input (software/cli/common.h, pixels_to_input).
//
// Input layout (tests/fuzz/make_seeds.cpp writes seeds in it):
//   byte 0       flags: bit 0 = read through files and zlib (load_fashion_mnist on a temp
//                directory: plain or gzipped bytes), else parse_idx() in memory; bits 1..7 = limit + 1
//                (0 and 1: all images)
//   bytes 1..4   n, little-endian: the images file is the next min(n, rest) bytes
//   the rest     the labels file
// subbit::Error is the expected rejection. Properties of an accepted set: sizes match the header
// and the limit; pixels_to_input() accepts it for a 1x28x28 u8/s8 network exactly when the images
// are 28x28, refuses other networks with subbit::Error, and gives values within the input type.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "cli/common.h"
#include "dataset/idx.h"
#include "fuzz_common.h"

using namespace subbit;

namespace {

Network input_only(Shape s, ActType t) {
  Network net;
  net.name = "input_only";
  Node n;
  n.name = "input";
  n.op = Op::Input;
  n.shape = s;
  n.out = t;
  net.nodes.push_back(n);
  return net;
}

const std::string& temp_dir() {
  static const std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string d = std::string(base && *base ? base : "/tmp") + "/subbit_fuzz_idx_" + std::to_string(getpid());
    mkdir(d.c_str(), 0700);
    return d;
  }();
  return dir;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  FUZZ_CHECK(f != nullptr, "cannot write " + path);
  if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const uint8_t flags = data[0];
  const uint32_t n = uint32_t(data[1]) | uint32_t(data[2]) << 8 | uint32_t(data[3]) << 16 | uint32_t(data[4]) << 24;
  const size_t rest = size - 5;
  const size_t img_len = n < rest ? n : rest;
  const std::vector<uint8_t> img(data + 5, data + 5 + img_len), lbl(data + 5 + img_len, data + size);
  const int limit = (flags >> 1) - 1;

  std::optional<ImageSet> set;
  try {
    if (flags & 1) {
      const std::string dir = temp_dir();
      write_file(dir + "/t10k-images-idx3-ubyte.gz", img);  // gzread reads plain bytes too
      write_file(dir + "/t10k-labels-idx1-ubyte.gz", lbl);
      set.emplace(load_fashion_mnist(dir, true, limit));
    } else {
      set.emplace(parse_idx(img, "images", lbl, "labels", limit));
    }
  } catch (const Error&) {
    return 0;
  }
  const ImageSet& s = *set;
  FUZZ_CHECK(s.count >= 0 && s.rows > 0 && s.cols > 0, "positive dimensions");
  FUZZ_CHECK(limit <= 0 || s.count <= limit, "limit honoured");
  FUZZ_CHECK(s.pixels.size() == static_cast<size_t>(s.count) * s.rows * s.cols, "pixel bytes");
  FUZZ_CHECK(s.labels.size() == static_cast<size_t>(s.count), "labels");

  static const Network u8 = input_only({1, 28, 28}, ActType{8, false, 1.0 / 255});
  static const Network s8 = input_only({1, 28, 28}, ActType{8, true, 1.0 / 127});
  static const Network u4 = input_only({1, 28, 28}, ActType{4, false, 1.0 / 15});
  static const Network wide = input_only({1, 32, 32}, ActType{8, false, 1.0 / 255});
  static const Network rgb = input_only({3, 28, 28}, ActType{8, false, 1.0 / 255});
  const bool fits = s.rows == 28 && s.cols == 28;
  for (int i = 0; i < s.count && i < 3; ++i) {
    for (const Network* net : {&u8, &s8}) {
      std::vector<int16_t> x;
      try {
        x = cli::pixels_to_input(s, i, *net, "fuzz");
      } catch (const Error&) {
        FUZZ_CHECK(!fits, "28x28 images refused for a 1x28x28 8-bit network");
        continue;
      }
      FUZZ_CHECK(fits, "images that are not 28x28 accepted");
      FUZZ_CHECK(x.size() == 784, "784 values");
      const ActType& t = net->input().out;
      for (int16_t v : x) FUZZ_CHECK(v >= t.lo() && v <= t.hi(), "value within " + t.to_string());
    }
    for (const Network* net : {&u4, &wide, &rgb}) {
      bool refused = false;
      try {
        (void)cli::pixels_to_input(s, i, *net, "fuzz");
      } catch (const Error&) {
        refused = true;
      }
      FUZZ_CHECK(refused, "pixels_to_input accepted a network that is not 1x28x28 8-bit");
    }
  }
  return 0;
}
