#include "dram/dram_system.h"

#include <cstring>

#include "config/arch_config.h"
#include "dram/tag_extension.h"
#include "quant/error.h"

namespace subbit::dram {

using namespace sc_core;
using namespace tlm;

DramParams DramParams::from_config(const DramConfig& c) {
  const DramSpec* s = find_dram_preset(c.preset);
  if (!s) throw Error("unknown DRAM preset '" + c.preset + "'");
  DramParams p;
  p.spec = *s;
  p.channels = c.channels;
  p.address_mapping = c.address_mapping;
  p.scheduler = c.scheduler;
  p.watermarks = Watermarks{c.write_high_watermark, c.write_low_watermark};
  p.cmd_arbiter = c.cmd_arbiter;
  p.page_policy = c.page_policy;
  p.request_buffer_size = c.request_buffer_size;
  return p;
}

DramParams DramParams::from_preset(const std::string& preset, uint32_t channels, const std::string& mapping) {
  const DramSpec* s = find_dram_preset(preset);
  if (!s) throw Error("unknown DRAM preset '" + preset + "'");
  DramParams p;
  p.spec = *s;
  p.channels = channels;
  p.address_mapping = mapping;
  return p;
}

DramSystem::DramSystem(sc_module_name name, const DramParams& p)
    : sc_module(name),
      socket("socket"),
      p_(p),
      mapper_(p.spec, p.channels, p.address_mapping),
      clock_(p.spec.clock_mhz),
      burst_bytes_(p.spec.burst_bytes()),
      delayed_("delayed") {
  check_spec(p.spec);
  socket.register_b_transport(this, &DramSystem::b_transport);
  socket.register_nb_transport_fw(this, &DramSystem::nb_transport_fw);
  socket.register_get_direct_mem_ptr(this, &DramSystem::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &DramSystem::transport_dbg);
  ControllerOptions o;
  o.scheduler = p.scheduler;
  o.watermarks = p.watermarks;
  o.cmd_arbiter = p.cmd_arbiter;
  o.page_policy = p.page_policy;
  o.request_buffer_size = p.request_buffer_size;
  o.refresh = p.refresh;
  o.command_log = p.command_log;
  for (uint32_t i = 0; i < p.channels; ++i)
    ctrl_.emplace_back(new Controller(("ch" + std::to_string(i)).c_str(), p.spec, o, i, this));
  SC_METHOD(delayed_req_method);
  sensitive << delayed_.get_event();
  dont_initialize();
  SC_METHOD(response_method);
  sensitive << resp_ev_;
  dont_initialize();
}

DramSystem::~DramSystem() = default;

// ---------------------------------------------------------------- functional access

void DramSystem::write_bytes(uint64_t addr, const void* src, size_t n) {
  if (addr > capacity() || n > capacity() - addr) throw Error("DRAM write beyond capacity");
  store_.write(addr, static_cast<const uint8_t*>(src), n);
}

void DramSystem::read_bytes(uint64_t addr, void* dst, size_t n) const {
  if (addr > capacity() || n > capacity() - addr) throw Error("DRAM read beyond capacity");
  store_.read(addr, static_cast<uint8_t*>(dst), n);
}

bool DramSystem::check(tlm_generic_payload& gp) const {
  const uint64_t a = gp.get_address();
  const uint64_t n = gp.get_data_length();
  if (n == 0) {
    gp.set_response_status(TLM_GENERIC_ERROR_RESPONSE);
    return false;
  }
  if (a >= capacity() || n > capacity() - a) {
    gp.set_response_status(TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_streaming_width() < n) {
    gp.set_response_status(TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  return true;
}

void DramSystem::functional(tlm_generic_payload& gp) {
  gp.set_dmi_allowed(p_.functional);
  if (!p_.functional) return;
  const uint64_t a = gp.get_address();
  const size_t n = gp.get_data_length();
  uint8_t* data = gp.get_data_ptr();
  const uint8_t* be = gp.get_byte_enable_ptr();
  const size_t be_len = be ? gp.get_byte_enable_length() : 0;
  if (gp.is_write()) {
    store_.write(a, data, n, be, be_len);
  } else if (gp.is_read()) {
    if (!be || be_len == 0) {
      store_.read(a, data, n);
    } else {
      std::vector<uint8_t> tmp(n);
      store_.read(a, tmp.data(), n);
      for (size_t i = 0; i < n; ++i)
        if (be[i % be_len]) data[i] = tmp[i];
    }
  }
}

unsigned DramSystem::transport_dbg(tlm_generic_payload& gp) {
  const uint64_t a = gp.get_address();
  if (!p_.functional || a >= capacity() || (gp.get_command() == TLM_IGNORE_COMMAND)) return 0;
  const size_t n = size_t(std::min<uint64_t>(gp.get_data_length(), capacity() - a));
  if (gp.is_write())
    store_.write(a, gp.get_data_ptr(), n);
  else
    store_.read(a, gp.get_data_ptr(), n);
  gp.set_response_status(TLM_OK_RESPONSE);
  return unsigned(n);
}

bool DramSystem::get_direct_mem_ptr(tlm_generic_payload& gp, tlm_dmi& dmi) {
  const uint64_t a = gp.get_address();
  if (!p_.functional || a >= capacity()) return false;
  const uint64_t base = a & ~(BackingStore::kPageBytes - 1);
  dmi.set_dmi_ptr(store_.page(base));
  dmi.set_start_address(base);
  dmi.set_end_address(std::min(base + BackingStore::kPageBytes, capacity()) - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(SC_ZERO_TIME);
  dmi.set_write_latency(SC_ZERO_TIME);
  return true;
}

// ---------------------------------------------------------------- transactions

uint32_t DramSystem::start(tlm_generic_payload& gp, bool nb) {
  uint32_t id;
  if (free_txn_ >= 0) {
    id = uint32_t(free_txn_);
    free_txn_ = txns_[id].next_free;
  } else {
    id = uint32_t(txns_.size());
    txns_.emplace_back();
  }
  Txn& t = txns_[id];
  const uint64_t a = gp.get_address();
  const uint64_t bb = burst_bytes_;
  t.gp = &gp;
  t.done = nullptr;
  t.next_addr = a & ~(bb - 1);
  t.end_addr = (a + gp.get_data_length() + bb - 1) & ~(bb - 1);
  t.pending = uint32_t((t.end_addr - t.next_addr) / bb);
  t.arrival_ps = clock_.now_ps();
  t.nb = nb;
  t.in_fw = false;
  t.accepted = false;
  t.write = gp.is_write();
  t.tag = 0;
  if (const DramTagExtension* e = gp.get_extension<DramTagExtension>(); e && e->tag != DramTagExtension::kNone)
    t.tag = uint16_t(std::min<uint32_t>(e->tag, 0xfffe) + 1);
  t.next_free = -1;
  if (nb && gp.has_mm()) gp.acquire();
  accept_q_.push_back(id);
  return id;
}

void DramSystem::feed() {
  if (feeding_) return;  // re-entered from a backward-path call below: the loop picks it up
  feeding_ = true;
  while (!accept_q_.empty()) {
    const uint32_t id = accept_q_.front();
    Txn& t = txns_[id];
    while (t.next_addr < t.end_addr) {
      const DramAddress a = mapper_.decode(t.next_addr);
      Controller& c = *ctrl_[a.channel];
      if (!c.can_accept()) {
        feeding_ = false;
        return;  // head-of-line blocked until that channel frees a slot
      }
      c.enqueue(mapper_.flat_bank(a), a.row, a.column, t.write, id, t.tag);
      t.next_addr += burst_bytes_;
    }
    accept_q_.pop_front();
    t.accepted = true;
    if (t.nb && !t.in_fw) {
      tlm_phase ph = END_REQ;
      sc_time d = SC_ZERO_TIME;
      socket->nb_transport_bw(*t.gp, ph, d);
    }
  }
  feeding_ = false;
}

void DramSystem::space_freed(uint32_t) {
  if (!accept_q_.empty()) feed();
}

void DramSystem::burst_done(uint32_t owner, Cycle) {
  if (--txns_[owner].pending == 0) complete(owner);
}

void DramSystem::complete(uint32_t id) {
  Txn& t = txns_[id];
  const uint64_t now = clock_.now_ps();
  const uint64_t lat_ps = now - t.arrival_ps;
  const uint64_t lat_cycles = clock_.now_cycle() - clock_.cycle_ceil_ps(t.arrival_ps);
  lat_all_.add(lat_cycles, lat_ps);
  (t.write ? lat_wr_ : lat_rd_).add(lat_cycles, lat_ps);
  ++completed_;
  (t.write ? bytes_wr_ : bytes_rd_) += t.gp->get_data_length();
  if (t.tag >= tag_bytes_.size()) tag_bytes_.resize(size_t(t.tag) + 1);
  (t.write ? tag_bytes_[t.tag].bytes_written : tag_bytes_[t.tag].bytes_read) += t.gp->get_data_length();
  t.gp->set_response_status(TLM_OK_RESPONSE);
  if (!t.nb) {
    t.done->notify();  // wakes the b_transport caller in this evaluation phase
    release(id);
    return;
  }
  if (resp_busy_ || !resp_q_.empty())
    resp_q_.push_back(id);
  else
    send_response(id);
}

void DramSystem::send_response(uint32_t id) {
  Txn& t = txns_[id];
  tlm_phase ph = BEGIN_RESP;
  sc_time d = SC_ZERO_TIME;
  const tlm_sync_enum s = socket->nb_transport_bw(*t.gp, ph, d);
  if (s == TLM_ACCEPTED || (s == TLM_UPDATED && ph == BEGIN_RESP)) {
    resp_busy_ = true;  // wait for END_RESP on the forward path
    resp_txn_ = id;
    return;
  }
  release(id);  // TLM_COMPLETED, or TLM_UPDATED with END_RESP
}

void DramSystem::release(uint32_t id) {
  Txn& t = txns_[id];
  tlm_generic_payload* gp = t.gp;
  const bool nb = t.nb;
  t.gp = nullptr;
  t.done = nullptr;
  t.next_free = free_txn_;
  free_txn_ = int32_t(id);
  if (nb && gp->has_mm()) gp->release();
}

void DramSystem::response_method() {
  while (!resp_busy_ && !resp_q_.empty()) {
    const uint32_t id = resp_q_.front();
    resp_q_.pop_front();
    send_response(id);
  }
}

void DramSystem::delayed_req_method() {
  while (tlm_generic_payload* gp = delayed_.get_next_transaction()) {
    tlm_phase ph = BEGIN_REQ;
    begin_req(*gp, ph, false);
    if (gp->has_mm()) gp->release();  // the reference taken when it was queued
  }
}

tlm_sync_enum DramSystem::begin_req(tlm_generic_payload& gp, tlm_phase& ph, bool in_fw) {
  functional(gp);
  const uint32_t id = start(gp, true);
  Txn& t = txns_[id];
  t.in_fw = in_fw;
  feed();
  t.in_fw = false;
  if (in_fw && t.accepted) {
    ph = END_REQ;
    return TLM_UPDATED;
  }
  return TLM_ACCEPTED;
}

tlm_sync_enum DramSystem::nb_transport_fw(tlm_generic_payload& gp, tlm_phase& ph, sc_time& delay) {
  if (ph == BEGIN_REQ) {
    if (!check(gp)) return TLM_COMPLETED;
    if ((gp.get_command() == TLM_IGNORE_COMMAND)) {
      gp.set_response_status(TLM_OK_RESPONSE);
      return TLM_COMPLETED;
    }
    if (delay > SC_ZERO_TIME) {
      if (gp.has_mm()) gp.acquire();
      delayed_.notify(gp, delay);
      return TLM_ACCEPTED;
    }
    return begin_req(gp, ph, true);
  }
  if (ph == END_RESP) {
    if (!resp_busy_ || txns_[resp_txn_].gp != &gp) {
      SC_REPORT_ERROR(name(), "END_RESP for a transaction without an outstanding BEGIN_RESP");
      return TLM_COMPLETED;
    }
    resp_busy_ = false;
    release(resp_txn_);
    if (!resp_q_.empty()) resp_ev_.notify(SC_ZERO_TIME);
    return TLM_COMPLETED;
  }
  SC_REPORT_ERROR(name(), "nb_transport_fw: unexpected phase (base protocol: BEGIN_REQ or END_RESP)");
  return TLM_COMPLETED;
}

void DramSystem::b_transport(tlm_generic_payload& gp, sc_time& delay) {
  if (delay > SC_ZERO_TIME) {
    wait(delay);
    delay = SC_ZERO_TIME;
  }
  if (!check(gp)) return;
  if ((gp.get_command() == TLM_IGNORE_COMMAND)) {
    gp.set_response_status(TLM_OK_RESPONSE);
    return;
  }
  functional(gp);
  sc_event done;
  const uint32_t id = start(gp, false);
  txns_[id].done = &done;
  feed();
  wait(done);
  gp.set_response_status(TLM_OK_RESPONSE);
}

// ---------------------------------------------------------------- statistics

DramStats DramSystem::stats() {
  DramStats s;
  for (auto& c : ctrl_) {
    c->sync();
    DramStats cs = c->stats();
    cs.active_cycles = c->active_cycles();
    s.add(cs);
  }
  return s;
}

std::vector<TagStats> DramSystem::tag_stats() const {
  std::vector<TagStats> all(tag_bytes_);  // by internal tag
  for (const auto& c : ctrl_) {
    const std::vector<TagStats>& ct = c->tag_stats();
    if (ct.size() > all.size()) all.resize(ct.size());
    for (size_t i = 0; i < ct.size(); ++i) all[i].add(ct[i]);
  }
  if (all.empty()) return {};
  return std::vector<TagStats>(all.begin() + 1, all.end());
}

TagStats DramSystem::untagged_stats() const {
  TagStats s;
  if (!tag_bytes_.empty()) s.add(tag_bytes_[0]);
  for (const auto& c : ctrl_)
    if (!c->tag_stats().empty()) s.add(c->tag_stats()[0]);
  return s;
}

void DramSystem::reset_stats() {
  for (auto& c : ctrl_) c->reset_stats();
  tag_bytes_.clear();
  lat_all_.clear();
  lat_rd_.clear();
  lat_wr_.clear();
  completed_ = bytes_rd_ = bytes_wr_ = 0;
}

}  // namespace subbit::dram
