#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "accel/dma.h"

#include "dram/tag_extension.h"

namespace subbit {

using namespace sc_core;

DmaEngine::DmaEngine(sc_module_name name, int burst_bytes, int outstanding) : sc_module(name), socket("socket"), burst_bytes_(burst_bytes) {
  for (int i = 0; i < outstanding; ++i) sc_spawn(sc_bind(&DmaEngine::worker, this), sc_gen_unique_name("worker"));
}

DmaEngine::Handle DmaEngine::start(const std::vector<Segment>& segments, bool write, uint32_t tag) {
  auto job = std::make_shared<Job>();
  job->write = write;
  job->tag = tag;
  auto issue = [&](uint64_t addr, uint8_t* data, uint64_t bytes) {
    // Bursts are aligned to the burst size, as a memory controller wants them.
    for (uint64_t a = addr; a < addr + bytes;) {
      const uint64_t end = std::min(addr + bytes, (a / burst_bytes_ + 1) * burst_bytes_);
      queue_.push_back(Burst{job.get(), a, data + (a - addr), static_cast<uint32_t>(end - a), write});
      ++job->remaining;
      a = end;
    }
    job->bytes += bytes;
  };
  // Merge segments adjacent both in memory and in the buffer (e.g. whole-height row tiles).
  size_t i = 0;
  while (i < segments.size()) {
    Segment s = segments[i++];
    while (i < segments.size() && segments[i].addr == s.addr + s.bytes && segments[i].data == s.data + s.bytes) s.bytes += segments[i++].bytes;
    if (s.bytes) issue(s.addr, s.data, s.bytes);
  }
  if (job->remaining) work_.notify(SC_ZERO_TIME);
  return job;
}

bool DmaEngine::complete(const Handle& h) {
  if (!h) return true;
  if (h->remaining) wait(h->done);
  if (h->bytes) {
    (h->write ? bytes_written_ : bytes_read_) += h->bytes;
    h->bytes = 0;  // counted once
  }
  return !h->error;
}

bool DmaEngine::transfer(const std::vector<Segment>& segments, bool write, uint32_t tag) {
  return complete(start(segments, write, tag));
}

void DmaEngine::worker() {
  tlm::tlm_generic_payload gp;
  auto* tag = new dram::DramTagExtension;  // owned by gp; its tag is set per burst
  gp.set_extension(tag);
  for (;;) {
    while (queue_.empty()) wait(work_);
    const Burst b = queue_.front();
    queue_.pop_front();
    if (in_flight_++ == 0) busy_since_ = sc_time_stamp();
    gp.set_command(b.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(b.addr);
    gp.set_data_ptr(b.data);
    gp.set_data_length(b.bytes);
    gp.set_streaming_width(b.bytes);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    tag->tag = b.job->tag;
    sc_time delay = SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    wait(delay);
    ++bursts_;
    if (--in_flight_ == 0) busy_ += sc_time_stamp() - busy_since_;
    if (gp.is_response_error()) b.job->error = true;
    if (--b.job->remaining == 0) b.job->done.notify(SC_ZERO_TIME);
  }
}

}  // namespace subbit
