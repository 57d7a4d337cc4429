// The RTL generator: what it writes for a config, the canonical hash, and the hard-wired network
// against the matrix the model and the trainer use.
#include <gtest/gtest.h>

#include <regex>

#include "config/arch_config.h"
#include "quant/xor_matrix.h"
#include "rtlgen.h"

namespace {

using subbit::ArchConfig;

const std::string kRoot = SUBBIT_SOURCE_DIR;

std::string file(const std::vector<subbit::GeneratedFile>& files, const std::string& name) {
  for (const auto& f : files)
    if (f.name == name) return f.text;
  return "";
}

TEST(RtlGen, EveryFileNamesItsConfigHashAndCommand) {
  const ArchConfig c = subbit::load_arch_config(kRoot + "/configs/default.yaml");
  const auto files = subbit::generate_rtl(c, "subbit rtlgen --config X -o Y", "/src/rtl");
  ASSERT_EQ(files.size(), 3u);
  char hash[32];
  std::snprintf(hash, sizeof hash, "fnv1a64:%016llx", static_cast<unsigned long long>(subbit::config_hash(c)));
  for (const auto& f : files) {
    EXPECT_NE(f.text.find(kRoot + "/configs/default.yaml"), std::string::npos) << f.name;
    if (f.name == "files.f") continue;
    EXPECT_NE(f.text.find(hash), std::string::npos) << f.name;
    EXPECT_NE(f.text.find("Command: subbit rtlgen --config X -o Y"), std::string::npos) << f.name;
  }
  EXPECT_NE(file(files, "subbit_config_pkg.sv").find("localparam int DECRYPT_UNITS = 7;"), std::string::npos);
  EXPECT_NE(file(files, "files.f").find("/src/rtl/xor_decryptor.sv"), std::string::npos);
}

TEST(RtlGen, HashIgnoresLayoutAndDefaultsButNotValues) {
  const ArchConfig a = subbit::load_arch_config(kRoot + "/configs/default.yaml");
  // The same design written out canonically (every default explicit, no comments) hashes the same.
  const ArchConfig b = subbit::parse_arch_config(subbit::arch_config_to_yaml(a), "canonical.yaml");
  EXPECT_EQ(subbit::config_hash(a), subbit::config_hash(b));
  ArchConfig c = a;
  c.decryptor.units = 8;
  EXPECT_NE(subbit::config_hash(a), subbit::config_hash(c));
}

TEST(RtlGen, HardwiredNetworkIsTheModelsMatrix) {
  const ArchConfig c = subbit::load_arch_config(kRoot + "/configs/default.yaml");
  const std::string text = file(subbit::generate_rtl(c, "cmd"), "xor_matrix_hardwired.sv");
  const subbit::XorMatrix m = subbit::XorMatrix::generate(20, 16, subbit::XorFill::Tap, 2, c.decryptor.seed);
  // assign y[r] = x[a] ^ x[b]; -> row r's taps
  const std::regex line(R"(assign y\[(\d+)\] = ([^;]+);)");
  int rows = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it, ++rows) {
    const int r = std::stoi((*it)[1]);
    uint32_t taps = 0;
    const std::string terms = (*it)[2];
    const std::regex bit(R"(x\[(\d+)\])");
    for (auto jt = std::sregex_iterator(terms.begin(), terms.end(), bit); jt != std::sregex_iterator(); ++jt) taps |= 1u << std::stoi((*jt)[1]);
    EXPECT_EQ(taps, m.row(r)) << "row " << r;
  }
  EXPECT_EQ(rows, 20);
}

}  // namespace
