// libFuzzer target: the DRAMSys .stl trace parser (models/dram/trace.h, parse_stl). subbit::Error
// is the expected rejection. Properties of an accepted trace: cycles never decrease and stay
// within kMaxTraceCycle; format_stl() of it parses back to the same requests; check_trace() only
// ever rejects with subbit::Error.
#include <cstdint>
#include <string>
#include <vector>

#include "dram/trace.h"
#include "fuzz_common.h"

using namespace subbit;
using namespace subbit::dram;

int sc_main(int, char**) { return 0; }  // libsystemc needs the symbol; libFuzzer owns main()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<TraceRequest> t;
  try {
    t = parse_stl(text, "fuzz.stl");
  } catch (const Error&) {
    return 0;
  }
  for (size_t i = 0; i < t.size(); ++i) {
    FUZZ_CHECK(t[i].cycle <= kMaxTraceCycle, "cycle bound");
    FUZZ_CHECK(i == 0 || t[i].cycle >= t[i - 1].cycle, "cycles do not decrease");
    FUZZ_CHECK(t[i].line >= 1, "line numbers start at 1");
  }
  std::vector<TraceRequest> back;
  FUZZ_NO_ERROR(back = parse_stl(format_stl(t), "fuzz.stl(formatted)"));
  FUZZ_CHECK(back.size() == t.size(), "format_stl round trip: request count");
  for (size_t i = 0; i < t.size(); ++i)
    FUZZ_CHECK(back[i].cycle == t[i].cycle && back[i].address == t[i].address && back[i].write == t[i].write,
               "format_stl round trip: request " + std::to_string(i));
  try {
    check_trace(t, uint64_t{1} << 30, "fuzz.stl");
  } catch (const Error&) {
  }
  return 0;
}
