// DRAM trace replay: DRAMSys .stl traces, an initiator that issues each request at its cycle with a
// bounded number of outstanding requests, and a harness that runs a trace through a DramSystem and
// reports bandwidth, latency, row-hit rate and command counts.
//
// .stl format (one request per line):   <cycle>: read|write 0x<hex address> [0x<hex data>]
//   cycle = DRAM controller clock cycle (tCK of the configured preset), non-decreasing; each
//   request moves one burst (spec.burst_bytes(): 64 B DDR4, 32 B LPDDR4); an optional data field
//   (DRAMSys writes) is accepted and ignored; blank lines and '#' comments are allowed.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

#include "dram/clock.h"
#include "dram/dram_system.h"
#include "dram/stats.h"

namespace subbit::dram {

struct TraceRequest {
  uint64_t cycle = 0;
  uint64_t address = 0;
  uint32_t line = 0;  // source line (0 for generated traces)
  bool write = false;
};

// The largest cycle a trace line may name: 10^12 DRAM cycles (625 s at 1600 MHz) stay far inside
// SystemC's 64-bit picosecond time.
constexpr uint64_t kMaxTraceCycle = 1000000000000ull;

// Throw subbit::Error "<name>:<line>: expected ..., got "<text>"" on a malformed line.
std::vector<TraceRequest> parse_stl(const std::string& text, const std::string& name);
std::vector<TraceRequest> load_stl(const std::string& path);
std::string format_stl(const std::vector<TraceRequest>& trace);
// Throws subbit::Error naming the line of the first address at or beyond `capacity`.
void check_trace(const std::vector<TraceRequest>& trace, uint64_t capacity, const std::string& name);

// Generated traces, all requests at cycle 0 (the outstanding limit paces them).
// Sequential bursts from `start`.
std::vector<TraceRequest> make_stream_trace(uint64_t n, uint32_t burst_bytes, bool write = false, uint64_t start = 0);
// Two sequential streams interleaved evenly (a copy-like pattern): request i writes when
// floor((i + 1) * write_fraction) > floor(i * write_fraction) (1/3: read, read, write, ...); reads
// stream from address 0, writes from capacity / 2.
std::vector<TraceRequest> make_read_write_stream_trace(uint64_t n, uint32_t burst_bytes, uint64_t capacity,
                                                       double write_fraction);
// Uniformly random burst-aligned addresses below `capacity`; a `write_fraction` of them writes.
std::vector<TraceRequest> make_random_trace(uint64_t n, uint32_t burst_bytes, uint64_t capacity, uint64_t seed,
                                            double write_fraction = 0.0);

struct ReplayResult {
  uint64_t requests = 0, reads = 0, writes = 0, bytes = 0, errors = 0;
  double sim_time_ns = 0;     // trace cycle 0 -> last response
  double bandwidth_gbps = 0;  // bytes / sim_time
  double peak_gbps = 0;       // channels x data rate x bus width
  double mean_latency_ns = 0, p99_latency_ns = 0, max_latency_ns = 0;  // accept -> response
  double row_hit_rate = 0;
  DramStats stats;
  double wall_seconds = 0;  // host time spent in sc_start
  std::vector<uint64_t> done_cycle;  // per request, when recorded: response cycle (trace cycle scale)
};

// Initiator: issues trace requests over nb_transport (base protocol) from a payload pool.
class TraceReplayer : public sc_core::sc_module, private tlm::tlm_mm_interface {
 public:
  SC_HAS_PROCESS(TraceReplayer);
  tlm_utils::simple_initiator_socket<TraceReplayer> socket;

  TraceReplayer(sc_core::sc_module_name name, uint32_t request_bytes, uint32_t max_outstanding, uint32_t clock_mhz);
  ~TraceReplayer() override;

  // Replays `trace` (kept by pointer) with its cycle 0 at DRAM cycle `base`.
  void start(const std::vector<TraceRequest>* trace, Cycle base, bool record);
  bool finished() const { return completed_ == n_; }
  uint64_t last_done_ps() const { return last_done_ps_; }
  uint64_t errors() const { return errors_; }
  const std::vector<uint64_t>& done_cycle() const { return done_; }

 private:
  struct Payload : tlm::tlm_generic_payload {
    explicit Payload(tlm::tlm_mm_interface* mm) : tlm::tlm_generic_payload(mm) {}
    uint64_t index = 0;
    std::vector<uint8_t> buf;
  };
  void free(tlm::tlm_generic_payload* gp) override;
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
  void issue_method() { pump(); }
  void pump();
  void response(tlm::tlm_generic_payload& gp);

  uint32_t bytes_;
  uint32_t max_outstanding_;
  DramClock clock_;
  const std::vector<TraceRequest>* trace_ = nullptr;
  Cycle base_ = 0;
  uint64_t n_ = 0, next_ = 0, completed_ = 0, outstanding_ = 0, errors_ = 0;
  uint64_t last_done_ps_ = 0;
  bool record_ = false;
  bool req_open_ = false;  // BEGIN_REQ sent, END_REQ not yet received
  tlm::tlm_generic_payload* open_gp_ = nullptr;
  bool in_pump_ = false, again_ = false;
  std::vector<std::unique_ptr<Payload>> all_;
  std::vector<Payload*> free_;
  std::vector<uint64_t> done_;
  sc_core::sc_event issue_ev_;
};

// A DramSystem plus a TraceReplayer. Construct before sc_start (elaboration); run() may be called
// several times in one process (each run continues simulated time).
class ReplayHarness {
 public:
  ReplayHarness(const DramParams& p, uint32_t max_outstanding = 64, const std::string& name = "replay");
  ~ReplayHarness();
  // Runs the whole trace inside sc_start() and returns its results (statistics of this run only).
  ReplayResult run(const std::vector<TraceRequest>& trace, bool record_completions = false);
  DramSystem& dram() { return *dram_; }

 private:
  std::unique_ptr<DramSystem> dram_;
  std::unique_ptr<TraceReplayer> player_;
};

}  // namespace subbit::dram
