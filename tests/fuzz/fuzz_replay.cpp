// libFuzzer target: replay of short .stl traces on the DRAM model (models/dram: trace.h
// ReplayHarness, DramSystem, Controller) under SystemC.
//
// SystemC elaborates once per process (sc_start cannot be re-run on a fresh design, and Debian's
// SystemC 2.3.4 cannot reset its simulation context), so the harness elaborates a few small DRAM
// systems once, on the first input, and every input replays on one of them; ReplayHarness::run()
// is built for this (each run continues simulated time, statistics are per run). Bank state left
// by earlier inputs carries over, so a finding is reproduced by replaying its file alone in a new
// process (scripts/fuzz.sh replay --repro FILE); it usually is, since every run starts after all
// earlier traffic has drained.
//
// Caps (the harness's, not findings): at most 256 requests and trace cycles up to 20,000, so an
// execution simulates at most a few tens of microseconds. Addresses beyond the capacity are first
// refused by check_trace() (subbit::Error, expected), then folded into the capacity and replayed.
//
// Properties: run() completes every request without error responses (for burst-aligned requests
// within capacity), issues exactly one column command per request, classifies each as a row hit,
// miss or conflict, and never finishes a request before its trace cycle.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dram/dram_system.h"
#include "dram/trace.h"
#include "fuzz_common.h"

using namespace subbit;
using namespace subbit::dram;

int sc_main(int, char**) { return 0; }  // libsystemc needs the symbol; libFuzzer owns main()

namespace {

constexpr size_t kMaxRequests = 256;
constexpr uint64_t kMaxCycle = 20000;

struct Systems {
  std::vector<std::unique_ptr<ReplayHarness>> h;
  Systems() {
    // LPDDR4-3200, one channel, FR-FCFS, open page (configs/default.yaml's memory).
    DramParams a = DramParams::from_preset("LPDDR4-3200", 1, "RoBaRaCoCh");
    a.functional = false;
    h.emplace_back(new ReplayHarness(a, 64, "lp4"));
    // DDR4-2400R, two channels, FCFS, closed page, tiny request buffers and few outstanding
    // requests: back-pressure on every path.
    DramParams b = DramParams::from_preset("DDR4-2400R", 2, "RoBaCoBgCh");
    b.scheduler = SchedulerKind::Fcfs;
    b.page_policy = PagePolicyKind::Closed;
    b.request_buffer_size = 2;
    h.emplace_back(new ReplayHarness(b, 3, "ddr4"));
    // LPDDR4 with data stored (functional) and one outstanding request.
    DramParams c = DramParams::from_preset("LPDDR4-3200", 1, "RoBaRaCoCh");
    h.emplace_back(new ReplayHarness(c, 1, "lp4f"));
  }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Systems systems;  // elaborated once (first input)
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<TraceRequest> t;
  try {
    t = parse_stl(text, "fuzz.stl");
  } catch (const Error&) {
    return 0;
  }
  if (t.empty() || t.size() > kMaxRequests || t.back().cycle > kMaxCycle) return 0;

  unsigned pick = 0;
  for (size_t i = 0; i < size; ++i) pick += data[i];
  ReplayHarness& h = *systems.h[pick % systems.h.size()];
  const uint64_t cap = h.dram().capacity();
  const uint32_t burst = h.dram().burst_bytes();
  try {
    check_trace(t, cap, "fuzz.stl");
  } catch (const Error&) {
    for (TraceRequest& r : t) r.address %= cap;  // refused as expected; replay it folded in
  }
  bool clean = true;  // every request a whole burst inside the capacity
  for (const TraceRequest& r : t) clean = clean && r.address % burst == 0 && r.address + burst <= cap;

  ReplayResult r;
  FUZZ_NO_ERROR(r = h.run(t, true));
  FUZZ_CHECK(r.requests == t.size(), "every request replayed");
  FUZZ_CHECK(r.reads + r.writes == r.requests, "reads + writes");
  FUZZ_CHECK(r.done_cycle.size() == t.size(), "a completion per request");
  for (size_t i = 0; i < t.size(); ++i) FUZZ_CHECK(r.done_cycle[i] >= t[i].cycle, "request " + std::to_string(i) + " done before issued");
  if (clean) {
    FUZZ_CHECK(r.errors == 0, "error responses: " + std::to_string(r.errors));
    FUZZ_CHECK(r.stats.bursts() == t.size(), "bursts " + std::to_string(r.stats.bursts()) + " for " + std::to_string(t.size()) + " requests");
    FUZZ_CHECK(r.stats.row_hits + r.stats.row_misses + r.stats.row_conflicts == r.stats.bursts(), "row outcome per burst");
  }
  return 0;
}
