#include "dataset/idx.h"

#include <zlib.h>

#include <memory>

#include "quant/error.h"

namespace subbit {

namespace {

// The whole (decompressed) file; gzread reads plain files too.
std::vector<uint8_t> read_maybe_gz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(path + ": cannot open (install dataset-fashion-mnist: ./scripts/install-deps.sh)");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> guard(f, gzclose);
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  if (n < 0) throw Error(path + ": corrupt gzip stream");
  return out;
}

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}

std::string find_file(const std::string& dir, const std::string& stem) {
  for (const char* ext : {".gz", ""}) {
    const std::string p = dir + "/" + stem + ext;
    if (gzFile f = gzopen(p.c_str(), "rb")) {
      gzclose(f);
      return p;
    }
  }
  throw Error(dir + "/" + stem + "[.gz]: not found (install dataset-fashion-mnist: ./scripts/install-deps.sh)");
}

}  // namespace

ImageSet load_fashion_mnist(const std::string& dir, bool test_split, int limit) {
  const std::string prefix = test_split ? "t10k" : "train";
  const std::string img_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string lbl_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  const auto img = read_maybe_gz(img_path);
  const auto lbl = read_maybe_gz(lbl_path);
  return parse_idx(img, img_path, lbl, lbl_path, limit);
}

ImageSet parse_idx(const std::vector<uint8_t>& img, const std::string& img_path, const std::vector<uint8_t>& lbl,
                   const std::string& lbl_path, int limit) {
  if (img.size() < 16 || be32(img, 0) != 0x00000803) throw Error(img_path + ": not an IDX3 unsigned-byte file (magic 0x00000803 expected)");
  if (lbl.size() < 8 || be32(lbl, 0) != 0x00000801) throw Error(lbl_path + ": not an IDX1 unsigned-byte file (magic 0x00000801 expected)");
  ImageSet s;
  const uint32_t count = be32(img, 4), rows = be32(img, 8), cols = be32(img, 12);
  if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096 || img.size() - 16 != static_cast<uint64_t>(count) * rows * cols)
    throw Error(img_path + ": header says " + std::to_string(count) + " images of " + std::to_string(rows) + "x" + std::to_string(cols) +
                " but the file holds " + std::to_string(img.size() - 16) + " pixel bytes");
  if (be32(lbl, 4) != count || lbl.size() - 8 != count) throw Error(lbl_path + ": expected " + std::to_string(count) + " labels");
  s.count = limit > 0 ? std::min<int>(limit, static_cast<int>(count)) : static_cast<int>(count);
  s.rows = static_cast<int>(rows);
  s.source = img_path;
  s.cols = static_cast<int>(cols);
  s.pixels.assign(img.begin() + 16, img.begin() + 16 + static_cast<size_t>(s.count) * rows * cols);
  s.labels.assign(lbl.begin() + 8, lbl.begin() + 8 + s.count);
  return s;
}

}  // namespace subbit
