// The accelerator's register map: the contract between the hardware (TLM model, RTL) and the
// driver. All registers are 32 bits, little-endian, at byte offsets from the register block base.
#pragma once
#include <cstdint>

namespace subbit::regs {

constexpr uint32_t kIdValue = 0x53424954;  // "SBIT"
constexpr uint32_t kVersionValue = 0x00010000;  // 1.0

enum : uint32_t {
  // Identification and read-only capabilities: the driver discovers the hardware from these.
  ID = 0x000,
  VERSION = 0x004,
  CAP_PE = 0x008,           // rows << 16 | cols
  CAP_DECRYPT = 0x00C,      // units << 24 | n_tap << 16 | n_out << 8 | n_in
  CAP_DECRYPT_FLAGS = 0x010,  // bit 0: programmable M⊕; bit 1: random fill (hard-wired); bit 2: streaming (decrypts on every pass, stores encrypted)
  XOR_SEED_LO = 0x014,      // hard-wired M⊕ seed
  XOR_SEED_HI = 0x018,
  CAP_WEIGHT_BUF = 0x01C,   // bytes (both halves)
  CAP_ACT_BUF = 0x020,      // bytes (both halves)
  CAP_ACC_BUF = 0x024,      // bytes (both halves)
  CAP_WIDTHS = 0x028,       // act_bits | acc_bits << 8 | alpha_bits << 16
  CAP_CLOCK_KHZ = 0x02C,
  CAP_FEATURES = 0x030,     // kFeature* bits
  CAP_DMA = 0x034,          // burst bytes << 16 | outstanding bursts
  CAP_PE_FLAGS = 0x038,     // bit 0: per-column adder trees (reduction-parallel dataflow); bits 15:8 activation lanes per PE row; bits 31:16 post-processing lanes
  CAP_MEM_PEAK_MBPS = 0x03C,       // device memory: JEDEC peak, MB/s (the platform's, for the mapper)
  CAP_MEM_SUSTAINED_MBPS = 0x040,  // device memory: sustained streaming bandwidth (refresh deducted), MB/s
  CAP_MEM_GEOMETRY = 0x048,        // device memory: bits 7:0 channels; bits 15:8 log2 of the channel interleave in bytes (0: one channel)
  CAP_MEM_LATENCY_NS = 0x044,      // device memory: bits 15:0 unloaded read latency, ns; bits 31:16 access granularity (burst), bytes

  // Control and status.
  CTRL = 0x100,             // write: bit 0 start, bit 1 clear done/irq, bit 2 clear error
  STATUS = 0x104,           // bit 0 busy, bit 1 done, bit 2 error
  ERROR_CODE = 0x108,       // kError* of the first failing descriptor
  ERROR_INDEX = 0x10C,      // index of that descriptor
  IRQ_ENABLE = 0x110,       // bit 0: raise the interrupt line on done or error
  DESC_ADDR_LO = 0x114,     // device address of the first layer descriptor
  DESC_ADDR_HI = 0x118,
  DESC_COUNT = 0x11C,
  DESC_DONE = 0x120,        // descriptors completed since start

  // Performance counters (read-only, 64-bit as LO/HI pairs, cleared at start).
  PERF_CYCLES_LO = 0x200,
  PERF_CYCLES_HI = 0x204,
  PERF_DRAM_READ_LO = 0x208,   // bytes
  PERF_DRAM_READ_HI = 0x20C,
  PERF_DRAM_WRITE_LO = 0x210,  // bytes
  PERF_DRAM_WRITE_HI = 0x214,
  PERF_PE_BUSY_LO = 0x218,     // cycles the PE array computed
  PERF_PE_BUSY_HI = 0x21C,
  PERF_MACS_LO = 0x220,        // useful multiply-accumulates (one per weight x activation)
  PERF_MACS_HI = 0x224,
  PERF_DECRYPTED_BITS_LO = 0x228,
  PERF_DECRYPTED_BITS_HI = 0x22C,

  REG_SPACE_BYTES = 0x1000,
};

enum : uint32_t {
  kFeatureBitPlanes = 1u << 0,
  kFeatureFlexor = 1u << 1,
  kFeatureSignedBinary = 1u << 2,
  kFeatureInt8 = 1u << 3,
  kFeatureZeroSkip = 1u << 4,
  kFeatureXnor = 1u << 5,
  kFeaturePool = 1u << 6,
  kFeatureAdd = 1u << 7,
};

enum : uint32_t {
  kErrorNone = 0,
  kErrorBadOpcode = 1,
  kErrorTileTooLarge = 2,     // a tile does not fit its buffer half
  kErrorDecryptorMismatch = 3,  // FleXOR layer whose N_in/N_out/M⊕ the decryptor cannot run
  kErrorBadDescriptor = 4,    // inconsistent shapes or fields
  kErrorBusError = 5,         // DRAM returned an error response
};

}  // namespace subbit::regs
