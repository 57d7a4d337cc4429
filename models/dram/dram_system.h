// The DRAM subsystem as a SystemC TLM-2.0 target (base protocol, generic payload).
//
//   socket --> front end (splits each transaction into bursts, routes each burst to its channel by
//              the address mapping, applies back-pressure when a channel's buffer is full)
//          --> one Controller per channel (controller.h)
//
// Supported: b_transport, nb_transport_fw (BEGIN_REQ / END_RESP; END_REQ is returned at once
// (TLM_UPDATED) when the request fits, else sent later on the backward path), get_direct_mem_ptr
// (4 KiB page regions, read/write, zero latency) and transport_dbg. Transactions may have any
// length; a transaction completes when its last burst's data transfer ends. Responses may come
// out of order. Errors: TLM_ADDRESS_ERROR_RESPONSE beyond capacity, TLM_BURST_ERROR_RESPONSE for
// streaming width < length, TLM_GENERIC_ERROR_RESPONSE for zero length.
//
// Data is functional (BackingStore): a write's data is stored and a read's data copied out when the
// request is accepted, so every access sees all writes accepted before it.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "dram/address_mapper.h"
#include "dram/backing_store.h"
#include "dram/controller.h"
#include "dram/dram_spec.h"
#include "dram/stats.h"

namespace subbit {
struct DramConfig;
}

namespace subbit::dram {

struct DramParams {
  DramSpec spec;
  uint32_t channels = 1;
  std::string address_mapping = "RoBaRaCoCh";
  SchedulerKind scheduler = SchedulerKind::FrFcfs;
  Watermarks watermarks;  // scheduler fr-fcfs-wm: write high/low watermarks ({0, 0}: defaults)
  CmdArbiterKind cmd_arbiter = CmdArbiterKind::Oldest;
  PagePolicyKind page_policy = PagePolicyKind::Open;
  uint32_t request_buffer_size = 32;  // bursts per channel
  bool refresh = true;
  bool functional = true;  // store data (off: reads leave the payload's data untouched)
  bool command_log = false;

  static DramParams from_config(const DramConfig& c);
  static DramParams from_preset(const std::string& preset, uint32_t channels = 1,
                                const std::string& mapping = "RoBaRaCoCh");
  double peak_gbps() const { return spec.peak_gbps() * channels; }
};

class DramSystem : public sc_core::sc_module, private ControllerOwner {
 public:
  SC_HAS_PROCESS(DramSystem);
  tlm_utils::simple_target_socket<DramSystem> socket;

  DramSystem(sc_core::sc_module_name name, const DramParams& p);
  ~DramSystem() override;

  const DramParams& params() const { return p_; }
  const AddressMapper& mapper() const { return mapper_; }
  uint64_t capacity() const { return mapper_.capacity(); }
  uint32_t burst_bytes() const { return burst_bytes_; }
  const DramClock& clock() const { return clock_; }

  // Zero-time functional access (loaders, checkers). Throws subbit::Error beyond capacity.
  void write_bytes(uint64_t addr, const void* src, size_t n);
  void read_bytes(uint64_t addr, void* dst, size_t n) const;

  // Statistics, summed over channels (refresh brought up to the current time when idle).
  DramStats stats();
  const DramStats& channel_stats(uint32_t ch) const { return ctrl_[ch]->stats(); }
  // Per transaction, from its arrival at the DRAM system (BEGIN_REQ, or the b_transport call after
  // its annotated delay) to its response: includes any wait for request-buffer space.
  const LatencyStats& latency() const { return lat_all_; }
  const LatencyStats& read_latency() const { return lat_rd_; }
  const LatencyStats& write_latency() const { return lat_wr_; }
  uint64_t transactions() const { return completed_; }
  uint64_t bytes_read() const { return bytes_rd_; }
  uint64_t bytes_written() const { return bytes_wr_; }
  // Per attribution tag (DramTagExtension; index = tag), summed over channels; tags without
  // traffic are zero. untagged_stats(): transactions without the extension.
  std::vector<TagStats> tag_stats() const;
  TagStats untagged_stats() const;
  void reset_stats();

  Controller& channel(uint32_t ch) { return *ctrl_[ch]; }
  uint32_t channels() const { return uint32_t(ctrl_.size()); }

 private:
  struct Txn {
    tlm::tlm_generic_payload* gp = nullptr;
    sc_core::sc_event* done = nullptr;  // b_transport waiter
    uint64_t next_addr = 0, end_addr = 0;  // bursts not yet handed to a controller
    uint64_t arrival_ps = 0;
    uint32_t pending = 0;  // bursts not yet finished
    bool nb = false;
    bool in_fw = false;     // its nb_transport_fw BEGIN_REQ call is on the stack
    bool accepted = false;  // all bursts handed over (request phase over)
    bool write = false;
    uint16_t tag = 0;  // internal attribution tag: DramTagExtension tag + 1, 0 untagged
    int32_t next_free = -1;
  };

  // TLM interface
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp);

  // ControllerOwner
  void burst_done(uint32_t owner, Cycle t) override;
  void space_freed(uint32_t channel) override;

  bool check(tlm::tlm_generic_payload& gp) const;  // sets the error response; false on error
  void functional(tlm::tlm_generic_payload& gp);
  uint32_t start(tlm::tlm_generic_payload& gp, bool nb);  // new Txn in the accept queue
  tlm::tlm_sync_enum begin_req(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, bool in_fw);
  void feed();
  void complete(uint32_t id);
  void send_response(uint32_t id);
  void release(uint32_t id);
  void delayed_req_method();
  void response_method();

  DramParams p_;
  AddressMapper mapper_;
  DramClock clock_;
  uint32_t burst_bytes_;
  std::vector<std::unique_ptr<Controller>> ctrl_;
  BackingStore store_;

  std::deque<Txn> txns_;  // stable references
  int32_t free_txn_ = -1;
  std::deque<uint32_t> accept_q_;  // transactions whose bursts are being handed to controllers
  bool feeding_ = false;
  std::deque<uint32_t> resp_q_;  // nb responses waiting for the response channel
  bool resp_busy_ = false;       // a BEGIN_RESP awaits END_RESP
  uint32_t resp_txn_ = 0;
  sc_core::sc_event resp_ev_;
  tlm_utils::peq_with_get<tlm::tlm_generic_payload> delayed_;  // BEGIN_REQ with a timing annotation

  LatencyStats lat_all_, lat_rd_, lat_wr_;
  uint64_t completed_ = 0, bytes_rd_ = 0, bytes_wr_ = 0;
  std::vector<TagStats> tag_bytes_;  // by internal tag: bytes_read / bytes_written only
};

}  // namespace subbit::dram
