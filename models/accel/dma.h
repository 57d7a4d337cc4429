// DMA engine: moves bytes between device memory (a TLM-2.0 target, the DRAM model) and on-chip
// buffers in bursts, keeping up to `outstanding` bursts in flight (one worker thread each), so
// DRAM bank parallelism and row hits show in the transfer time.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace subbit {

class DmaEngine : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DmaEngine> socket;

  DmaEngine(sc_core::sc_module_name name, int burst_bytes, int outstanding);

  struct Segment {
    uint64_t addr;
    uint8_t* data;
    uint64_t bytes;
  };
  // Blocking transfers; call from an SC_THREAD. All segments of one call are in flight together
  // (adjacent ones merged). Return false on a bus error response.
  // `tag`: attribution tag carried to the memory on every burst (dram::DramTagExtension; the
  // accelerator passes the layer index); kNoTag sends none.
  static constexpr uint32_t kNoTag = ~uint32_t(0);
  bool read(const std::vector<Segment>& segments, uint32_t tag = kNoTag) { return transfer(segments, false, tag); }
  bool write(const std::vector<Segment>& segments, uint32_t tag = kNoTag) { return transfer(segments, true, tag); }
  bool read(uint64_t addr, uint8_t* dst, uint64_t bytes, uint32_t tag = kNoTag) { return transfer({{addr, dst, bytes}}, false, tag); }
  bool write(uint64_t addr, const uint8_t* src, uint64_t bytes, uint32_t tag = kNoTag) {
    return transfer({{addr, const_cast<uint8_t*>(src), bytes}}, true, tag);
  }

  // The command-queue view: start() queues a transfer's bursts behind those already queued and
  // returns at once; complete() blocks until it is done (false on a bus error). A unit can keep
  // several transfers in flight, so it does not pay the memory latency once per transfer.
  struct Job;
  using Handle = std::shared_ptr<Job>;
  Handle start(const std::vector<Segment>& segments, bool write, uint32_t tag = kNoTag);
  bool complete(const Handle& h);

  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t bursts() const { return bursts_; }
  sc_core::sc_time busy_time() const { return busy_; }  // time with at least one burst in flight

  struct Job {
    uint64_t remaining = 0, bytes = 0;
    bool write = false, error = false;
    uint32_t tag = kNoTag;
    sc_core::sc_event done;
  };

 private:
  struct Burst {
    Job* job;
    uint64_t addr;
    uint8_t* data;
    uint32_t bytes;
    bool write;
  };
  bool transfer(const std::vector<Segment>& segments, bool write, uint32_t tag);
  void worker();

  int burst_bytes_;
  std::deque<Burst> queue_;
  sc_core::sc_event work_;
  int in_flight_ = 0;
  sc_core::sc_time busy_since_;
  sc_core::sc_time busy_;
  uint64_t bytes_read_ = 0, bytes_written_ = 0, bursts_ = 0;
};

}  // namespace subbit
