#include "dram/trace.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <cstring>
#include <cctype>
#include <string_view>

#include "quant/error.h"
#include "quant/file_io.h"

namespace subbit::dram {

using namespace sc_core;
using namespace tlm;

// ---------------------------------------------------------------- .stl parsing

namespace {

const char* kForm = "expected '<cycle>: read|write 0x<hex address>'";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string shorten(const std::string& s) { return s.size() > 80 ? s.substr(0, 77) + "..." : s; }

}  // namespace

std::vector<TraceRequest> parse_stl(const std::string& text, const std::string& name) {
  std::vector<TraceRequest> out;
  out.reserve(text.size() / 24);
  size_t pos = 0;
  uint32_t line_no = 0;
  uint64_t prev_cycle = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    ++line_no;
    const char* p = text.data() + pos;
    const char* end = text.data() + eol;
    const char* hash = static_cast<const char*>(memchr(p, '#', size_t(end - p)));
    if (hash) end = hash;
    const std::string_view raw(text.data() + pos, eol - pos);
    pos = eol + 1;
    auto fail = [&](const std::string& what) {
      std::string l(raw);
      while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.pop_back();
      throw Error(name + ":" + std::to_string(line_no) + ": " + what + ", got \"" + shorten(l) + "\"");
    };
    while (p < end && is_space(*p)) ++p;
    while (end > p && is_space(end[-1])) --end;
    if (p == end) continue;  // blank or comment
    // cycle
    if (*p < '0' || *p > '9') fail(std::string(kForm) + ": a cycle number first");
    uint64_t cycle = 0;
    while (p < end && *p >= '0' && *p <= '9') {
      const uint64_t d = uint64_t(*p - '0');
      if (cycle > (~uint64_t(0) - d) / 10) fail(std::string(kForm) + ": the cycle number is too large");
      cycle = cycle * 10 + d;
      ++p;
    }
    // SystemC time is 64-bit picoseconds: a cycle near 2^64 wrapped it and hung the replay.
    if (cycle > kMaxTraceCycle) fail("expected a cycle ≤ 10^12 (about 10 minutes of DRAM time)");
    while (p < end && is_space(*p)) ++p;
    if (p == end || *p != ':') fail(std::string(kForm) + ": ':' after the cycle number");
    ++p;
    while (p < end && is_space(*p)) ++p;
    // command
    const char* w = p;
    while (p < end && !is_space(*p)) ++p;
    std::string cmd(w, size_t(p - w));
    for (char& c : cmd) c = char(std::tolower(static_cast<unsigned char>(c)));
    bool write;
    if (cmd == "read")
      write = false;
    else if (cmd == "write")
      write = true;
    else
      fail(std::string(kForm) + ": read or write after the cycle");
    while (p < end && is_space(*p)) ++p;
    // address
    if (end - p < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
      fail(std::string(kForm) + ": a hex address starting with 0x after " + cmd);
    p += 2;
    uint64_t addr = 0;
    int digits = 0;
    while (p < end && std::isxdigit(static_cast<unsigned char>(*p))) {
      const char c = *p++;
      const uint64_t v = uint64_t(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
      if (++digits > 16) fail(std::string(kForm) + ": the address has more than 64 bits");
      addr = (addr << 4) | v;
    }
    if (digits == 0 || (p < end && !is_space(*p)))
      fail(std::string(kForm) + ": a hex address starting with 0x after " + cmd);
    while (p < end && is_space(*p)) ++p;
    // optional data field (DRAMSys), ignored
    if (p < end) {
      if (end - p < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
        fail(std::string(kForm) + ": nothing after the address except an optional 0x<hex data> field");
      for (const char* q = p + 2; q < end; ++q)
        if (!std::isxdigit(static_cast<unsigned char>(*q)))
          fail(std::string(kForm) + ": nothing after the address except an optional 0x<hex data> field");
    }
    if (!out.empty() && cycle < prev_cycle)
      fail("expected a cycle ≥ " + std::to_string(prev_cycle) + " (cycles must not decrease)");
    prev_cycle = cycle;
    out.push_back(TraceRequest{cycle, addr, line_no, write});
  }
  return out;
}

std::vector<TraceRequest> load_stl(const std::string& path) {
  return parse_stl(read_input_file(path, "a DRAMSys .stl trace"), path);
}

std::string format_stl(const std::vector<TraceRequest>& trace) {
  std::string out;
  out.reserve(trace.size() * 28);
  char buf[64];
  for (const TraceRequest& r : trace) {
    std::snprintf(buf, sizeof buf, "%llu: %s 0x%llx\n", static_cast<unsigned long long>(r.cycle),
                  r.write ? "write" : "read", static_cast<unsigned long long>(r.address));
    out += buf;
  }
  return out;
}

void check_trace(const std::vector<TraceRequest>& trace, uint64_t capacity, const std::string& name) {
  for (size_t i = 0; i < trace.size(); ++i)
    if (trace[i].address >= capacity) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s:%u: expected an address below the DRAM capacity 0x%llx (%llu MiB), got 0x%llx",
                    name.c_str(), trace[i].line ? trace[i].line : unsigned(i + 1),
                    static_cast<unsigned long long>(capacity), static_cast<unsigned long long>(capacity >> 20),
                    static_cast<unsigned long long>(trace[i].address));
      throw Error(buf);
    }
}

std::vector<TraceRequest> make_stream_trace(uint64_t n, uint32_t burst_bytes, bool write, uint64_t start) {
  std::vector<TraceRequest> t(n);
  for (uint64_t i = 0; i < n; ++i) t[i] = TraceRequest{0, start + i * burst_bytes, 0, write};
  return t;
}

std::vector<TraceRequest> make_read_write_stream_trace(uint64_t n, uint32_t burst_bytes, uint64_t capacity,
                                                       double write_fraction) {
  std::vector<TraceRequest> t(n);
  uint64_t r = 0, w = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const bool write = uint64_t(double(i + 1) * write_fraction) > uint64_t(double(i) * write_fraction);
    t[i] = TraceRequest{0, write ? capacity / 2 + (w++) * burst_bytes : (r++) * burst_bytes, 0, write};
  }
  return t;
}

std::vector<TraceRequest> make_random_trace(uint64_t n, uint32_t burst_bytes, uint64_t capacity, uint64_t seed,
                                            double write_fraction) {
  std::vector<TraceRequest> t(n);
  uint64_t s = seed;
  auto next = [&]() {  // splitmix64
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  const uint64_t bursts = capacity / burst_bytes;
  const uint64_t wlim = uint64_t(write_fraction * 18446744073709551615.0);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t a = (next() % bursts) * burst_bytes;
    const bool w = write_fraction > 0 && next() <= wlim;
    t[i] = TraceRequest{0, a, 0, w};
  }
  return t;
}

// ---------------------------------------------------------------- replayer

TraceReplayer::TraceReplayer(sc_module_name name, uint32_t request_bytes, uint32_t max_outstanding, uint32_t clock_mhz)
    : sc_module(name),
      socket("socket"),
      bytes_(request_bytes),
      max_outstanding_(max_outstanding),
      clock_(clock_mhz) {
  if (max_outstanding == 0) throw Error("trace replay: at least one outstanding request is needed");
  socket.register_nb_transport_bw(this, &TraceReplayer::nb_transport_bw);
  SC_METHOD(issue_method);
  sensitive << issue_ev_;
}

TraceReplayer::~TraceReplayer() = default;

void TraceReplayer::start(const std::vector<TraceRequest>* trace, Cycle base, bool record) {
  if (!finished()) throw Error("trace replay: previous trace still running");
  trace_ = trace;
  base_ = base;
  n_ = trace->size();
  next_ = completed_ = outstanding_ = errors_ = 0;
  last_done_ps_ = clock_.ps(base);
  record_ = record;
  done_.assign(record ? n_ : 0, 0);
  if (sc_start_of_simulation_invoked()) issue_ev_.notify(SC_ZERO_TIME);  // else: initialization runs it
}

void TraceReplayer::free(tlm_generic_payload* gp) {
  gp->reset();
  free_.push_back(static_cast<Payload*>(gp));
}

void TraceReplayer::pump() {
  if (!trace_) return;
  if (in_pump_) {
    again_ = true;
    return;
  }
  in_pump_ = true;
  do {
    again_ = false;
    while (next_ < n_ && !req_open_ && outstanding_ < max_outstanding_) {
      const TraceRequest& r = (*trace_)[next_];
      const uint64_t t = clock_.ps(base_ + r.cycle);
      if (t > clock_.now_ps()) {
        issue_ev_.notify(clock_.delay_until_ps(t));
        break;
      }
      Payload* p;
      if (free_.empty()) {
        all_.emplace_back(new Payload(this));
        p = all_.back().get();
        p->buf.assign(bytes_, 0);
      } else {
        p = free_.back();
        free_.pop_back();
      }
      p->acquire();
      p->index = next_++;
      p->set_command(r.write ? TLM_WRITE_COMMAND : TLM_READ_COMMAND);
      p->set_address(r.address);
      p->set_data_ptr(p->buf.data());
      p->set_data_length(bytes_);
      p->set_streaming_width(bytes_);
      p->set_byte_enable_ptr(nullptr);
      p->set_byte_enable_length(0);
      p->set_dmi_allowed(false);
      p->set_response_status(TLM_INCOMPLETE_RESPONSE);
      ++outstanding_;
      tlm_phase ph = BEGIN_REQ;
      sc_time d = SC_ZERO_TIME;
      const tlm_sync_enum s = socket->nb_transport_fw(*p, ph, d);
      if (s == TLM_ACCEPTED || (s == TLM_UPDATED && ph == BEGIN_REQ)) {
        req_open_ = true;  // wait for END_REQ
        open_gp_ = p;
        break;
      }
      if (s == TLM_COMPLETED) response(*p);  // error or ignore: finished at once
      // TLM_UPDATED with END_REQ: accepted, go on
    }
  } while (again_);
  in_pump_ = false;
}

void TraceReplayer::response(tlm_generic_payload& gp) {
  const Payload& p = static_cast<const Payload&>(gp);
  if (!gp.is_response_ok()) ++errors_;
  --outstanding_;
  ++completed_;
  last_done_ps_ = clock_.now_ps();
  if (record_) done_[p.index] = clock_.now_cycle() - base_;
  gp.release();
}

tlm_sync_enum TraceReplayer::nb_transport_bw(tlm_generic_payload& gp, tlm_phase& ph, sc_time&) {
  if (ph == END_REQ) {
    req_open_ = false;
    pump();
    return TLM_ACCEPTED;
  }
  if (ph == BEGIN_RESP) {
    if (req_open_ && open_gp_ == &gp) req_open_ = false;  // BEGIN_RESP implies END_REQ
    response(gp);
    pump();
    return TLM_COMPLETED;
  }
  SC_REPORT_ERROR(name(), "nb_transport_bw: unexpected phase");
  return TLM_COMPLETED;
}

// ---------------------------------------------------------------- harness

ReplayHarness::ReplayHarness(const DramParams& p, uint32_t max_outstanding, const std::string& name) {
  dram_.reset(new DramSystem((name + "_dram").c_str(), p));
  player_.reset(new TraceReplayer((name + "_player").c_str(), p.spec.burst_bytes(), max_outstanding, p.spec.clock_mhz));
  player_->socket.bind(dram_->socket);
}

ReplayHarness::~ReplayHarness() = default;

ReplayResult ReplayHarness::run(const std::vector<TraceRequest>& trace, bool record) {
  DramSystem& d = *dram_;
  check_trace(trace, d.capacity(), "trace");
  d.reset_stats();
  const DramClock& clk = d.clock();
  const Cycle base = clk.now_cycle();
  player_->start(&trace, base, record);
  const auto w0 = std::chrono::steady_clock::now();
  sc_start();
  const auto w1 = std::chrono::steady_clock::now();
  if (!player_->finished()) throw Error("trace replay: the simulation stopped before the trace finished");

  ReplayResult r;
  r.requests = trace.size();
  for (const TraceRequest& q : trace) (q.write ? r.writes : r.reads)++;
  r.bytes = r.requests * d.burst_bytes();
  r.errors = player_->errors();
  r.sim_time_ns = double(player_->last_done_ps() - clk.ps(base)) / 1000.0;
  r.peak_gbps = d.params().peak_gbps();
  r.bandwidth_gbps = r.sim_time_ns > 0 ? double(r.bytes) / r.sim_time_ns : 0.0;
  const LatencyStats& lat = d.latency();
  r.mean_latency_ns = lat.mean_ps() / 1000.0;
  r.p99_latency_ns = clk.ns(lat.percentile_cycles(0.99));
  r.max_latency_ns = clk.ns(lat.max_cycles());
  r.stats = d.stats();
  r.row_hit_rate = r.stats.row_hit_rate();
  r.wall_seconds = std::chrono::duration<double>(w1 - w0).count();
  if (record) r.done_cycle = player_->done_cycle();
  return r;
}

}  // namespace subbit::dram
