// Fault injection on the simulated platform (subbit run --inject): applies a fault::Injection to
// device memory and to the accelerator, so the accelerator computes on what a faulty memory or
// decryptor would give it (docs/fault-injection.md).
//   weights, params: the stored bits flip in device memory once, after the driver has loaded the
//                    network (a persistent corruption every inference then reads);
//   activations:     bits flip on write-back, in the DMA's write bursts on their way to memory
//                    (each inference draws its own flips; every later read sees them);
//   decryptor:       outputs of the XOR network stuck at 0 or 1 (XorDecryptor::set_stuck_at).
// Which bits flip depends only on the seed, the tensors and the inference index, never on timing.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "driver/hal.h"
#include "fault/fault.h"
#include "runtime/lowering.h"
#include "system/sim_system.h"

namespace subbit {

class PlatformFaults {
 public:
  PlatformFaults(fault::Injection& inj, SimSystem& sys) : inj_(inj), sys_(sys) {
    sys.accel.decryptor().set_stuck_at(inj.stuck().zero, inj.stuck().one);
  }

  // Call once the network is in device memory (host thread). Flips the weight and parameter bits
  // there, after checking that device memory holds exactly the network's bytes. Returns an error
  // message, or "" on success.
  std::string corrupt_memory(driver::Hal& h, const LoweredNetwork& L) {
    for (const fault::FlipSet* f : {inj_.weights(), inj_.params()}) {
      if (!f) continue;
      for (size_t i = 0; i < f->tensors.size(); ++i) {
        const fault::Tensor& t = f->tensors[i];
        const uint64_t addr = device_addr(L, t);
        std::vector<uint8_t> bytes(t.bytes);
        if (!addr || h.read_mem(addr, bytes.data(), bytes.size()) != driver::Status::Ok)
          return "fault injection: cannot read " + t.kind + " of layer '" + t.layer + "' from device memory";
        if (!std::equal(bytes.begin(), bytes.end(), fault::tensor_bytes(inj_.network(), t)))
          return "fault injection: device memory at " + std::to_string(addr) + " does not hold the " + t.kind + " of layer '" + t.layer + "'";
        fault::flip(bytes.data(), f->bits[i]);
        if (h.write_mem(addr, bytes.data(), bytes.size()) != driver::Status::Ok)
          return "fault injection: cannot write " + t.kind + " of layer '" + t.layer + "' to device memory";
        memory_flips_ += f->bits[i].size();
      }
    }
    ranges_.clear();
    if (inj_.has_activations()) {
      const std::vector<fault::Tensor>& ts = inj_.activations().tensors;
      for (size_t i = 0; i < ts.size(); ++i) ranges_.push_back({L.node_addr.at(static_cast<size_t>(ts[i].node)), ts[i].bytes, i});
      std::sort(ranges_.begin(), ranges_.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
      sys_.bus.write_hook = [this](uint64_t addr, uint8_t* data, size_t n) { on_write(addr, data, n); };
    }
    return "";
  }

  // Call before inference i starts: draws its activation flips (the golden reference's replica
  // reads the same ones from the Injection).
  void begin(uint64_t inference) { inj_.begin(inference); }

  uint64_t memory_flips() const { return memory_flips_; }           // weight/parameter bits flipped in device memory
  uint64_t activation_flips_applied() const { return act_applied_; }  // activation bits flipped in write bursts

 private:
  struct Range {
    uint64_t begin, bytes;
    size_t tensor;
  };

  static uint64_t device_addr(const LoweredNetwork& L, const fault::Tensor& t) {
    for (size_t j = 0; j < L.descriptor_node.size(); ++j) {
      if (L.descriptor_node[j] != t.node) continue;
      const LayerDescriptor& d = L.descriptors[j];
      if (t.kind == "weights") return d.weight_addr;
      if (t.kind == "signs") return d.signs_addr;
      if (t.kind == "alpha") return d.alpha_addr;
      if (t.kind == "mult") return d.mult_addr;
      if (t.kind == "bias") return d.bias_addr;
    }
    return 0;
  }

  void on_write(uint64_t addr, uint8_t* data, size_t n) {
    const fault::FlipSet& acts = inj_.activations();
    for (const Range& r : ranges_) {
      if (r.begin >= addr + n) break;
      if (r.begin + r.bytes <= addr) continue;
      const uint64_t lo = (std::max(addr, r.begin) - r.begin) * 8, hi = (std::min<uint64_t>(addr + n, r.begin + r.bytes) - r.begin) * 8;
      const std::vector<uint64_t>& bits = acts.bits[r.tensor];
      for (auto it = std::lower_bound(bits.begin(), bits.end(), lo); it != bits.end() && *it < hi; ++it) {
        data[r.begin + (*it >> 3) - addr] ^= static_cast<uint8_t>(1u << (*it & 7));
        ++act_applied_;
      }
    }
  }

  fault::Injection& inj_;
  SimSystem& sys_;
  std::vector<Range> ranges_;
  uint64_t memory_flips_ = 0, act_applied_ = 0;
};

}  // namespace subbit
