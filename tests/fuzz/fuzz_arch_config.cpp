// libFuzzer target: the architecture config loader (YAML text -> ArchConfig, models/config) through
// parse_arch_config(). subbit::Error is the expected rejection; a yaml-cpp exception or any other
// escaping the loader is a finding. Properties of an accepted config: the canonical YAML it
// writes parses back to the same canonical YAML; its DRAM preset and address mapping are usable
// (DramParams::from_config, AddressMapper), and the mapping decodes and re-encodes addresses; its
// consumers accept it: the accelerator's parameters (accel_params) and the RTL generator
// (core_geometry, generate_rtl), whose signature and hash agree for the config and its canonical
// form.
//
// yaml-cpp (Debian's shared library) is not instrumented: libFuzzer's coverage sees the loader,
// not the YAML parser's insides.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/arch_config.h"
#include "rtlgen.h"
#include "system/arch_params.h"
#include "dram/address_mapper.h"
#include "dram/dram_system.h"
#include "fuzz_common.h"

using namespace subbit;

int sc_main(int, char**) { return 0; }  // libsystemc needs the symbol; libFuzzer owns main()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<ArchConfig> cfg;
  try {
    cfg.emplace(parse_arch_config(text, "fuzz.yaml"));
  } catch (const Error&) {
    return 0;
  }
  std::string yaml;
  FUZZ_NO_ERROR(yaml = arch_config_to_yaml(*cfg));
  std::optional<ArchConfig> again;
  FUZZ_NO_ERROR(again.emplace(parse_arch_config(yaml, "fuzz.yaml(canonical)")));
  FUZZ_CHECK(arch_config_to_yaml(*again) == yaml, "canonical YAML does not read back unchanged:\n" + yaml);

  FUZZ_NO_ERROR((void)cfg->dram_spec());
  dram::DramParams p;
  FUZZ_NO_ERROR(p = dram::DramParams::from_config(cfg->dram));
  std::optional<dram::AddressMapper> m;
  FUZZ_NO_ERROR(m.emplace(p.spec, p.channels, p.address_mapping));
  const uint64_t cap = m->capacity();
  FUZZ_CHECK(cap > 0 && (cap & (cap - 1)) == 0, "capacity is a power of two");
  uint64_t h = 1469598103934665603ull;  // FNV-1a of the input picks the addresses
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  const uint64_t offset_mask = (uint64_t{1} << m->offset_bits()) - 1;
  for (uint64_t a : {uint64_t{0}, cap - 1, h % cap, (h >> 7) % cap}) {
    const dram::DramAddress d = m->decode(a);
    FUZZ_CHECK(d.channel < p.channels, "decoded channel in range");
    FUZZ_CHECK(m->encode(d) == (a & ~offset_mask), "encode(decode(a)) == a without the burst offset");
  }

  FUZZ_NO_ERROR((void)accel_params(*cfg));
  FUZZ_NO_ERROR((void)core_geometry(*cfg));
  std::vector<GeneratedFile> rtl;
  FUZZ_NO_ERROR(rtl = generate_rtl(*cfg, "fuzz"));
  FUZZ_CHECK(!rtl.empty(), "generated RTL");
  FUZZ_CHECK(rtl_signature(*cfg) == rtl_signature(*again) && config_hash(*cfg) == config_hash(*again),
             "RTL signature or hash differs between a config and its canonical form");
  return 0;
}
