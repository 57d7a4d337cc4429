// The DRAM subsystem as a TLM-2.0 target: functional data through b_transport, DMI and debug
// transport; error responses; nb_transport with back-pressure and slow responses; transactions
// spanning channels; and bandwidth of streaming vs random traces against the theoretical peak.
// One SystemC simulation per TEST.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "config/arch_config.h"
#include "dram/dram_system.h"
#include "dram/tag_extension.h"
#include "dram/trace.h"

namespace {

using namespace subbit::dram;
using namespace sc_core;
using namespace tlm;

const std::string kRoot = SUBBIT_SOURCE_DIR;

DramParams from_config(const char* file) {
  return DramParams::from_config(subbit::load_arch_config(kRoot + "/configs/" + file).dram);
}

// An initiator whose SC_THREAD runs a test body.
struct Thread : sc_module {
  SC_HAS_PROCESS(Thread);
  tlm_utils::simple_initiator_socket<Thread> socket;
  std::function<void(Thread&)> body;
  bool finished = false;
  Thread(sc_module_name n, std::function<void(Thread&)> b) : sc_module(n), socket("socket"), body(std::move(b)) {
    SC_THREAD(run);
  }
  void run() {
    body(*this);
    finished = true;
  }
  tlm_response_status access(tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len, unsigned width = 0,
                             const uint8_t* be = nullptr, unsigned be_len = 0) {
    tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(len);
    gp.set_streaming_width(width ? width : len);
    gp.set_byte_enable_ptr(const_cast<uint8_t*>(be));
    gp.set_byte_enable_length(be_len);
    gp.set_response_status(TLM_INCOMPLETE_RESPONSE);
    sc_time d = SC_ZERO_TIME;
    socket->b_transport(gp, d);
    return gp.get_response_status();
  }
};

TEST(DramSystem, BlockingTransportDmiAndDebugAreFunctional) {
  DramParams p = DramParams::from_preset("DDR4-2400R");
  DramSystem dram("dram", p);
  Thread t("t", [&](Thread& self) {
    std::vector<uint8_t> w(256), r(256);
    for (size_t i = 0; i < w.size(); ++i) w[i] = uint8_t(i * 13 + 1);
    // 256 B = 4 bursts in one row of one bank: ACT@0, WR at 16, 22, 28, 34 (tCCD_L), last data
    // ends 34 + CWL + BL/2 = 50 cycles.
    EXPECT_EQ(self.access(TLM_WRITE_COMMAND, 0x1000, w.data(), 256), TLM_OK_RESPONSE);
    EXPECT_EQ(sc_time_stamp(), dram.clock().time_of(50));
    EXPECT_EQ(self.access(TLM_READ_COMMAND, 0x1000, r.data(), 256), TLM_OK_RESPONSE);
    EXPECT_EQ(r, w);
    // DMI sees the same bytes, and writes through DMI are visible to transactions.
    tlm_generic_payload gp;
    gp.set_address(0x1000);
    tlm_dmi dmi;
    ASSERT_TRUE(self.socket->get_direct_mem_ptr(gp, dmi));
    EXPECT_EQ(dmi.get_start_address(), 0x1000u);
    EXPECT_EQ(dmi.get_end_address(), 0x1fffu);
    EXPECT_TRUE(dmi.is_read_write_allowed());
    EXPECT_EQ(std::memcmp(dmi.get_dmi_ptr(), w.data(), 256), 0);
    dmi.get_dmi_ptr()[0x200] = 0xAB;
    uint8_t one[64] = {};
    EXPECT_EQ(self.access(TLM_READ_COMMAND, 0x1200, one, 64), TLM_OK_RESPONSE);
    EXPECT_EQ(one[0], 0xAB);
    // Debug transport: zero time.
    const sc_time before = sc_time_stamp();
    uint8_t dbg[16];
    tlm_generic_payload g2;
    g2.set_command(TLM_READ_COMMAND);
    g2.set_address(0x1000);
    g2.set_data_ptr(dbg);
    g2.set_data_length(16);
    EXPECT_EQ(self.socket->transport_dbg(g2), 16u);
    EXPECT_EQ(std::memcmp(dbg, w.data(), 16), 0);
    EXPECT_EQ(sc_time_stamp(), before);
    // Byte enables: only enabled bytes are written.
    uint8_t ff[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const uint8_t be[2] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED};
    EXPECT_EQ(self.access(TLM_WRITE_COMMAND, 0x1000, ff, 8, 0, be, 2), TLM_OK_RESPONSE);
    uint8_t back[8];
    dram.read_bytes(0x1000, back, 8);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(back[i], i % 2 == 0 ? 0xff : w[size_t(i)]) << i;
    // Unaligned access spanning two bursts.
    uint8_t u[40];
    EXPECT_EQ(self.access(TLM_READ_COMMAND, 0x1000 + 50, u, 40), TLM_OK_RESPONSE);
    EXPECT_EQ(std::memcmp(u, w.data() + 50, 40), 0);
    // Errors.
    uint8_t x[64];
    EXPECT_EQ(self.access(TLM_READ_COMMAND, dram.capacity(), x, 64), TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(self.access(TLM_READ_COMMAND, dram.capacity() - 32, x, 64), TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(self.access(TLM_READ_COMMAND, 0, x, 64, 4), TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(self.access(TLM_READ_COMMAND, 0, x, 0), TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(self.access(TLM_IGNORE_COMMAND, 0, x, 64), TLM_OK_RESPONSE);
  });
  t.socket.bind(dram.socket);
  sc_start();
  EXPECT_TRUE(t.finished);
  const DramStats s = dram.stats();
  EXPECT_EQ(s.wr, 4u + 1);
  EXPECT_GE(s.rd, 4u + 1 + 2);
}

// Non-blocking initiator: many requests in flight, END_RESP sent 3 ns after each BEGIN_RESP
// (response exclusion), some requests with an annotated delay.
struct NbInitiator : sc_module, tlm_mm_interface {
  SC_HAS_PROCESS(NbInitiator);
  tlm_utils::simple_initiator_socket<NbInitiator> socket;
  struct Pl : tlm_generic_payload {
    explicit Pl(tlm_mm_interface* mm) : tlm_generic_payload(mm) {}
    uint8_t data[32];
    int index = 0;
  };
  std::vector<std::unique_ptr<Pl>> pls;
  uint64_t base = 0;
  int n = 0, sent = 0, responses = 0, max_outstanding = 0, outstanding = 0;
  bool req_open = false, resp_open = false, protocol_error = false, data_error = false;
  tlm_generic_payload* open_resp = nullptr;
  sc_event issue_ev, end_resp_ev;

  NbInitiator(sc_module_name nm, int count, uint64_t b) : sc_module(nm), socket("socket"), base(b), n(count) {
    socket.register_nb_transport_bw(this, &NbInitiator::bw);
    SC_METHOD(issue);
    sensitive << issue_ev;
    SC_METHOD(end_resp);
    sensitive << end_resp_ev;
    dont_initialize();
  }
  void free(tlm_generic_payload*) override {}
  void issue() {
    while (sent < n && !req_open) {
      pls.emplace_back(new Pl(this));
      Pl& p = *pls.back();
      p.index = sent;
      p.set_command(TLM_READ_COMMAND);
      p.set_address(base + uint64_t(sent) * 32);
      p.set_data_ptr(p.data);
      p.set_data_length(32);
      p.set_streaming_width(32);
      p.acquire();
      ++sent;
      ++outstanding;
      max_outstanding = std::max(max_outstanding, outstanding);
      tlm_phase ph = BEGIN_REQ;
      sc_time d = (sent % 7 == 0) ? sc_time(5, SC_NS) : SC_ZERO_TIME;
      const tlm_sync_enum s = socket->nb_transport_fw(p, ph, d);
      if (s == TLM_ACCEPTED) {
        req_open = true;
        return;
      }
      if (s != TLM_UPDATED || ph != END_REQ) protocol_error = true;
    }
  }
  tlm_sync_enum bw(tlm_generic_payload& gp, tlm_phase& ph, sc_time&) {
    if (ph == END_REQ) {
      if (!req_open) protocol_error = true;
      req_open = false;
      issue_ev.notify(SC_ZERO_TIME);
      return TLM_ACCEPTED;
    }
    if (ph == BEGIN_RESP) {
      if (resp_open) protocol_error = true;  // a second BEGIN_RESP before our END_RESP
      resp_open = true;
      open_resp = &gp;
      const Pl& p = static_cast<const Pl&>(gp);
      for (int i = 0; i < 32; ++i)
        if (p.data[i] != uint8_t(p.index * 32 + i)) data_error = true;
      end_resp_ev.notify(3, SC_NS);
      return TLM_ACCEPTED;
    }
    protocol_error = true;
    return TLM_COMPLETED;
  }
  void end_resp() {
    tlm_phase ph = END_RESP;
    sc_time d = SC_ZERO_TIME;
    tlm_generic_payload* gp = open_resp;
    resp_open = false;
    ++responses;
    --outstanding;
    if (socket->nb_transport_fw(*gp, ph, d) != TLM_COMPLETED) protocol_error = true;
    gp->release();
  }
};

TEST(DramSystem, NonBlockingBackPressureAndResponseExclusion) {
  DramParams p = DramParams::from_preset("LPDDR4-3200");
  p.request_buffer_size = 4;  // END_REQ must be withheld while the buffer is full
  DramSystem dram("dram", p);
  std::vector<uint8_t> pattern(300 * 32);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = uint8_t(i);
  dram.write_bytes(0x10000, pattern.data(), pattern.size());
  NbInitiator ini("ini", 300, 0x10000);
  ini.socket.bind(dram.socket);
  sc_start();
  EXPECT_EQ(ini.responses, 300);
  EXPECT_FALSE(ini.protocol_error);
  EXPECT_FALSE(ini.data_error);
  EXPECT_GT(ini.max_outstanding, 4);  // responses were pending while requests kept coming
  EXPECT_EQ(dram.transactions(), 300u);
  EXPECT_EQ(dram.stats().rd, 300u);
}

TEST(DramSystem, TransactionSpanningChannels) {
  DramParams p = from_config("large.yaml");  // 2 channels interleaved on 64 B
  DramSystem dram("dram", p);
  Thread t("t", [&](Thread& self) {
    std::vector<uint8_t> w(4096), r(4096);
    for (size_t i = 0; i < w.size(); ++i) w[i] = uint8_t(i ^ (i >> 8));
    EXPECT_EQ(self.access(TLM_WRITE_COMMAND, 0x40000, w.data(), 4096), TLM_OK_RESPONSE);
    EXPECT_EQ(self.access(TLM_READ_COMMAND, 0x40000, r.data(), 4096), TLM_OK_RESPONSE);
    EXPECT_EQ(r, w);
  });
  t.socket.bind(dram.socket);
  sc_start();
  EXPECT_TRUE(t.finished);
  EXPECT_EQ(dram.channel_stats(0).wr, 32u);
  EXPECT_EQ(dram.channel_stats(1).wr, 32u);
  EXPECT_EQ(dram.channel_stats(0).rd, 32u);
  EXPECT_EQ(dram.channel_stats(1).rd, 32u);
  EXPECT_EQ(dram.transactions(), 2u);
}

TEST(DramSystem, StatisticsPerAttributionTag) {
  // Transactions tagged 2 (two bursts of one row: a miss, then a hit), 5 (a write to another bank)
  // and one untagged read (another row of tag 2's bank: a conflict).
  DramParams p = DramParams::from_preset("DDR4-2400R");
  DramSystem dram("dram", p);
  const AddressMapper& m = dram.mapper();
  Thread t("t", [&](Thread& self) {
    std::vector<uint8_t> buf(128);
    auto tagged = [&](tlm_command cmd, uint64_t addr, unsigned len, uint32_t tag) {
      tlm_generic_payload gp;
      gp.set_command(cmd);
      gp.set_address(addr);
      gp.set_data_ptr(buf.data());
      gp.set_data_length(len);
      gp.set_streaming_width(len);
      gp.set_response_status(TLM_INCOMPLETE_RESPONSE);
      DramTagExtension ext(tag);
      gp.set_extension(&ext);
      sc_time d = SC_ZERO_TIME;
      self.socket->b_transport(gp, d);
      gp.clear_extension(&ext);
      EXPECT_EQ(gp.get_response_status(), TLM_OK_RESPONSE);
    };
    tagged(TLM_READ_COMMAND, m.encode(DramAddress{0, 0, 0, 7, 0}), 128, 2);
    tagged(TLM_WRITE_COMMAND, m.encode(DramAddress{0, 1, 0, 3, 0}), 64, 5);
    EXPECT_EQ(self.access(TLM_READ_COMMAND, m.encode(DramAddress{0, 0, 0, 8, 0}), buf.data(), 64), TLM_OK_RESPONSE);
  });
  t.socket.bind(dram.socket);
  sc_start();
  ASSERT_TRUE(t.finished);
  const std::vector<TagStats> tags = dram.tag_stats();
  ASSERT_EQ(tags.size(), 6u);  // tags 0..5
  EXPECT_EQ(tags[2].bytes_read, 128u);
  EXPECT_EQ(tags[2].reads, 2u);
  EXPECT_EQ(tags[2].row_misses, 1u);
  EXPECT_EQ(tags[2].row_hits, 1u);
  EXPECT_DOUBLE_EQ(tags[2].row_hit_rate(), 0.5);
  EXPECT_EQ(tags[5].bytes_written, 64u);
  EXPECT_EQ(tags[5].writes, 1u);
  EXPECT_EQ(tags[5].row_misses, 1u);
  for (size_t i : {0, 1, 3, 4}) EXPECT_EQ(tags[i].bytes() + tags[i].reads + tags[i].writes, 0u) << i;
  const TagStats u = dram.untagged_stats();
  EXPECT_EQ(u.bytes_read, 64u);
  EXPECT_EQ(u.row_conflicts, 1u);
  dram.reset_stats();
  EXPECT_TRUE(dram.tag_stats().empty());
}

// ------------------------------------------------------------------ bandwidth

ReplayResult replay(const char* config, const std::vector<TraceRequest>& t, uint32_t outstanding) {
  DramParams p = from_config(config);
  p.functional = false;
  ReplayHarness h(p, outstanding, "bw");
  return h.run(t);
}

void expect_refreshes(const ReplayResult& r, const DramParams& p) {
  // One REF per tREFI of simulated time (the trace starts at cycle 0).
  const double cycles = r.sim_time_ns * p.spec.clock_mhz / 1000.0;
  const uint64_t expected = uint64_t(cycles) / p.spec.tREFI;
  const uint64_t per_channel = r.stats.ref / p.channels;
  EXPECT_EQ(r.stats.ref % p.channels, 0u);  // channels refresh in step
  EXPECT_GE(per_channel + 1, expected);
  EXPECT_LE(per_channel, expected + 1);
}

TEST(DramBandwidth, StreamingReadsDefaultLpddr4) {
  const DramParams p = from_config("default.yaml");
  const ReplayResult r = replay("default.yaml", make_stream_trace(200000, p.spec.burst_bytes()), 64);
  EXPECT_EQ(r.requests, 200000u);
  EXPECT_EQ(r.errors, 0u);
  EXPECT_DOUBLE_EQ(r.peak_gbps, 6.4);
  EXPECT_GE(r.bandwidth_gbps, 0.90 * r.peak_gbps) << r.bandwidth_gbps;
  EXPECT_GE(r.row_hit_rate, 0.98);
  expect_refreshes(r, p);
}

TEST(DramBandwidth, StreamingReadsLargeDdr4TwoChannels) {
  const DramParams p = from_config("large.yaml");
  const ReplayResult r = replay("large.yaml", make_stream_trace(200000, p.spec.burst_bytes()), 128);
  EXPECT_DOUBLE_EQ(r.peak_gbps, 38.4);
  EXPECT_GE(r.bandwidth_gbps, 0.90 * r.peak_gbps) << r.bandwidth_gbps;
  EXPECT_GE(r.row_hit_rate, 0.98);
  expect_refreshes(r, p);
}

TEST(DramBandwidth, StreamingWritesLargeDdr4TwoChannels) {
  const DramParams p = from_config("large.yaml");
  const ReplayResult r = replay("large.yaml", make_stream_trace(200000, p.spec.burst_bytes(), true), 128);
  EXPECT_GE(r.bandwidth_gbps, 0.90 * r.peak_gbps) << r.bandwidth_gbps;
  EXPECT_EQ(r.stats.wr, 200000u);
}

TEST(DramBandwidth, RandomReadsDefaultLpddr4) {
  const DramParams p = from_config("default.yaml");
  const ReplayResult r =
      replay("default.yaml", make_random_trace(50000, p.spec.burst_bytes(), uint64_t(1) << 30, 7), 64);
  EXPECT_LE(r.bandwidth_gbps, 0.70 * r.peak_gbps) << r.bandwidth_gbps;
  EXPECT_LE(r.row_hit_rate, 0.02);
  EXPECT_GE(double(r.stats.row_misses + r.stats.row_conflicts) / double(r.requests), 0.98);
  EXPECT_GE(r.stats.act, uint64_t(0.98 * 50000));
}

TEST(DramBandwidth, RandomReadsLargeDdr4TwoChannels) {
  const DramParams p = from_config("large.yaml");
  const ReplayResult r =
      replay("large.yaml", make_random_trace(50000, p.spec.burst_bytes(), uint64_t(16) << 30, 11), 128);
  EXPECT_LE(r.bandwidth_gbps, 0.70 * r.peak_gbps) << r.bandwidth_gbps;
  EXPECT_LE(r.row_hit_rate, 0.02);
  EXPECT_GE(double(r.stats.row_misses + r.stats.row_conflicts) / double(r.requests), 0.98);
}

}  // namespace
