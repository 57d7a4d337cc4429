// Attribution tag of a TLM transaction to the DRAM system: the DRAM counts each tag's bytes, bursts
// and row-buffer outcomes (DramSystem::tag_stats()). The accelerator's DMA tags every transfer
// with the index of the layer (descriptor) it belongs to, so `subbit run` can report DRAM traffic
// and row-hit rate per layer even though layers overlap in time. Transactions without the
// extension count as untagged.
//
// Header-only, so initiators need not link the DRAM model. The payload owns the extension (set it
// with gp.set_extension(new DramTagExtension(t)) once and update `tag`; the payload frees it).
#pragma once
#include <cstdint>
#include <tlm>

namespace subbit::dram {

class DramTagExtension : public tlm::tlm_extension<DramTagExtension> {
 public:
  static constexpr uint32_t kNone = ~uint32_t(0);  // "untagged": DmaEngine leaves the tag off
  explicit DramTagExtension(uint32_t t = kNone) : tag(t) {}
  tlm::tlm_extension_base* clone() const override { return new DramTagExtension(tag); }
  void copy_from(const tlm::tlm_extension_base& e) override { tag = static_cast<const DramTagExtension&>(e).tag; }

  uint32_t tag;  // kNone: untagged
};

}  // namespace subbit::dram
