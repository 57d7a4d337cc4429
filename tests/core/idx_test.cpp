// The IDX reader on Fashion-MNIST (Debian's dataset-fashion-mnist) and on corrupt files.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>

#include "dataset/idx.h"
#include "util.h"

namespace {

using namespace subbit;
namespace fs = std::filesystem;

void be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::vector<uint8_t> idx3(uint32_t magic, uint32_t count, uint32_t rows, uint32_t cols, size_t pixels) {
  std::vector<uint8_t> b;
  be32(b, magic);
  be32(b, count);
  be32(b, rows);
  be32(b, cols);
  for (size_t i = 0; i < pixels; ++i) b.push_back(static_cast<uint8_t>(i * 7));
  return b;
}

std::vector<uint8_t> idx1(uint32_t magic, uint32_t count, size_t labels) {
  std::vector<uint8_t> b;
  be32(b, magic);
  be32(b, count);
  for (size_t i = 0; i < labels; ++i) b.push_back(static_cast<uint8_t>(i % 10));
  return b;
}

void write_gz(const std::string& path, const std::vector<uint8_t>& b) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, b.data(), static_cast<unsigned>(b.size())), static_cast<int>(b.size()));
  gzclose(f);
}

bool dataset_installed() { return fs::exists(std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz"); }

TEST(Idx, ReadsFirstFashionMnistTestImages) {
  if (!dataset_installed()) GTEST_SKIP() << kFashionMnistDir << " is not installed (./scripts/install-deps.sh)";
  const ImageSet s = load_fashion_mnist(kFashionMnistDir, true, 100);
  ASSERT_EQ(s.count, 100);
  EXPECT_EQ(s.rows, 28);
  EXPECT_EQ(s.cols, 28);
  ASSERT_EQ(s.pixels.size(), 100u * 784);
  ASSERT_EQ(s.labels.size(), 100u);
  std::vector<int> seen(10, 0);
  for (uint8_t l : s.labels) {
    ASSERT_LE(l, 9);
    ++seen[l];
  }
  int classes = 0;
  for (int c : seen) classes += c > 0;
  EXPECT_GE(classes, 8) << "the first 100 test images cover most classes";
  // Real images: not blank, with both dark background and bright pixels.
  for (int i = 0; i < 5; ++i) {
    const uint8_t* img = s.image(i);
    int dark = 0, bright = 0;
    for (int p = 0; p < 784; ++p) dark += img[p] == 0, bright += img[p] > 128;
    EXPECT_GT(dark, 50) << "image " << i;
    EXPECT_GT(bright, 20) << "image " << i;
  }
  EXPECT_EQ(s.image(1), s.pixels.data() + 784);
  // The limit is a prefix of the whole set.
  const ImageSet one = load_fashion_mnist(kFashionMnistDir, true, 1);
  EXPECT_EQ(one.labels[0], s.labels[0]);
  EXPECT_TRUE(std::equal(one.pixels.begin(), one.pixels.end(), s.pixels.begin()));
}

TEST(Idx, ReadsTheWholeTestSplit) {
  if (!dataset_installed()) GTEST_SKIP() << kFashionMnistDir << " is not installed";
  const ImageSet s = load_fashion_mnist(kFashionMnistDir, true, 0);
  EXPECT_EQ(s.count, 10000);
  std::vector<int> per_class(10, 0);
  for (uint8_t l : s.labels) ++per_class.at(l);
  for (int c : per_class) EXPECT_EQ(c, 1000);  // Fashion-MNIST's test split is balanced
}

class IdxFiles : public ::testing::Test {
 protected:
  void SetUp() override { dir = scratch.path(); }
  std::string img() const { return dir + "/t10k-images-idx3-ubyte"; }
  std::string lbl() const { return dir + "/t10k-labels-idx1-ubyte"; }
  ct::ScratchDir scratch;
  std::string dir;
};

TEST_F(IdxFiles, PlainAndGzippedSmallFiles) {
  ct::write_bytes(img(), idx3(0x803, 3, 2, 4, 24));
  ct::write_bytes(lbl(), idx1(0x801, 3, 3));
  ImageSet s = load_fashion_mnist(dir, true, 0);
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(s.rows, 2);
  EXPECT_EQ(s.cols, 4);
  EXPECT_EQ(s.labels, (std::vector<uint8_t>{0, 1, 2}));
  EXPECT_EQ(s.image(2)[0], static_cast<uint8_t>(16 * 7));
  s = load_fashion_mnist(dir, true, 2);
  EXPECT_EQ(s.count, 2);
  EXPECT_EQ(s.pixels.size(), 16u);
  s = load_fashion_mnist(dir, true, 10);
  EXPECT_EQ(s.count, 3);
  // The gzipped variant wins when both exist.
  write_gz(img() + ".gz", idx3(0x803, 1, 1, 1, 1));
  write_gz(lbl() + ".gz", idx1(0x801, 1, 1));
  s = load_fashion_mnist(dir, true, 0);
  EXPECT_EQ(s.count, 1);
}

TEST_F(IdxFiles, BadMagic) {
  ct::write_bytes(img(), idx3(0x802, 3, 2, 4, 24));
  ct::write_bytes(lbl(), idx1(0x801, 3, 3));
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), img(), "magic 0x00000803");
  ct::write_bytes(img(), idx3(0x803, 3, 2, 4, 24));
  ct::write_bytes(lbl(), idx1(0x803, 3, 3));
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), lbl(), "magic 0x00000801");
}

TEST_F(IdxFiles, WrongCounts) {
  // Header says 4 images, the file holds 3.
  ct::write_bytes(img(), idx3(0x803, 4, 2, 4, 24));
  ct::write_bytes(lbl(), idx1(0x801, 3, 3));
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), img(), "header says 4 images of 2x4 but the file holds 24 pixel bytes");
  // Labels: header count differs from the images'.
  ct::write_bytes(img(), idx3(0x803, 3, 2, 4, 24));
  ct::write_bytes(lbl(), idx1(0x801, 2, 2));
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), lbl(), "expected 3 labels");
  ct::write_bytes(lbl(), idx1(0x801, 4, 4));
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), lbl(), "expected 3 labels");
  // Labels: header right, one label too many.
  ct::write_bytes(lbl(), idx1(0x801, 3, 4));
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), lbl(), "expected 3 labels");
  // Labels: header right, one label missing.
  ct::write_bytes(lbl(), idx1(0x801, 3, 2));
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), lbl(), "expected 3 labels");
  // A count whose product overflows 32 bits must not pass.
  ct::write_bytes(img(), idx3(0x803, 0x40000000, 4096, 4096, 24));
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), img(), "header says");
  // Too short for a header at all.
  ct::write_bytes(img(), {0, 0, 8});
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), img(), "not an IDX3");
  // Zero rows.
  ct::write_bytes(img(), idx3(0x803, 3, 0, 4, 0));
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), img(), "header says");
}

TEST_F(IdxFiles, CorruptGzipAndMissingFiles) {
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, true, 0), dir + "/t10k-images-idx3-ubyte[.gz]: not found");
  // A gzip stream cut in half.
  std::vector<uint8_t> full = idx3(0x803, 100, 28, 28, 78400);
  write_gz(img() + ".gz", full);
  std::vector<uint8_t> gz = ct::read_bytes(img() + ".gz");
  gz.resize(gz.size() / 2);
  ct::write_bytes(img() + ".gz", gz);
  ct::write_bytes(lbl(), idx1(0x801, 100, 100));
  const std::string what = ct::error_of([&] { load_fashion_mnist(dir, true, 0); });
  EXPECT_NE(what.find(img() + ".gz"), std::string::npos) << what;
  EXPECT_SUBBIT_ERROR(load_fashion_mnist(dir, false, 0), dir + "/train-images-idx3-ubyte[.gz]: not found");
}

}  // namespace
