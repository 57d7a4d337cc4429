// The presets a build co-simulates: each a Verilated compute core and decryptor (tb/CMakeLists.txt).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "rtl_cosim.h"

namespace subbit::cosim {

struct CosimPreset {
  std::string name;
  std::string signature;  // rtl_signature of the config it was Verilated from
  std::unique_ptr<CoreRunner> (*core)(int lanes, const CosimOptions& opt);
  std::unique_ptr<DecryptRunner> (*decryptor)(int units, int n_in, int n_out, bool programmable);
};
const std::vector<CosimPreset>& cosim_registry();

}  // namespace subbit::cosim
