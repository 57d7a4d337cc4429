// Physical address -> (channel, bank group, bank, row, column) bit-field mapping.
//
// A mapping lists fields from the most to the least significant address bit; the byte offset
// inside one burst (log2(burst bytes) bits) is always the lowest and is not written. Fields:
//   Ro row, Ba bank (within its group), Bg bank group, Ra rank (one rank: 0 bits), Co column
//   (burst index within a row: log2(columns / BL) bits), Ch channel.
// Two forms:
//   - named, without widths, e.g. "RoBaRaCoCh": each field at most once, full width. If Bg is not
//     written, the bank-group bits sit directly below Ba (Ba covers group and bank).
//   - bit-field, every field with its width, e.g. "Ro16 Ba2 Co5 Bg2 Co2 Ch1": a field may be split
//     into several pieces (the first piece holds its most significant bits); the widths of each
//     field add up to its full width; zero-width fields may be left out.
// Separators (space, '-', '_', '|', ',') are optional.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "dram/dram_spec.h"

namespace subbit::dram {

struct DramAddress {
  uint32_t channel = 0;
  uint32_t bankgroup = 0;
  uint32_t bank = 0;  // within its bank group
  uint32_t row = 0;
  uint32_t column = 0;  // burst index within the row
};

class AddressMapper {
 public:
  // Throws subbit::Error with the message of validate() if the mapping is invalid.
  AddressMapper(const DramSpec& spec, uint32_t channels, const std::string& mapping);

  // Empty if `mapping` is valid for this device and channel count; otherwise what was expected,
  // e.g. `expected each field at most once in a named mapping, got "RoRoBaCo"`.
  static std::string validate(const DramSpec& spec, uint32_t channels, const std::string& mapping);

  DramAddress decode(uint64_t addr) const {
    uint32_t f[kFields] = {0, 0, 0, 0, 0, 0};
    for (const Piece& p : pieces_) f[p.field] |= uint32_t((addr >> p.addr_lsb) & p.mask) << p.field_lsb;
    return DramAddress{f[Ch], f[Bg], f[Ba], f[Ro], f[Co]};
  }
  uint64_t encode(const DramAddress& a) const;  // burst-aligned address (offset 0)
  // Flat bank index within a channel: bankgroup * banks_per_group + bank.
  uint32_t flat_bank(const DramAddress& a) const { return a.bankgroup * banks_per_group_ + a.bank; }

  uint64_t capacity() const { return uint64_t(1) << total_bits_; }  // bytes, all channels
  uint32_t offset_bits() const { return offset_bits_; }
  uint32_t channels() const { return channels_; }
  const std::string& text() const { return text_; }
  std::string describe() const;  // e.g. "Ro[33:18] Ba[17:16] Co[15:9] Bg[8:7] Ch[6] offset[5:0]"

 private:
  enum Field : uint8_t { Ro, Ba, Bg, Ra, Co, Ch, kFields };
  struct Piece {
    uint8_t field;
    uint8_t addr_lsb;
    uint8_t width;
    uint8_t field_lsb;
    uint64_t mask;
  };
  static std::string parse(const DramSpec& spec, uint32_t channels, const std::string& mapping,
                           std::vector<Piece>* pieces, uint32_t* total_bits);
  std::vector<Piece> pieces_;
  uint32_t total_bits_ = 0;
  uint32_t offset_bits_ = 0;
  uint32_t channels_ = 1;
  uint32_t banks_per_group_ = 1;
  std::string text_;
};

}  // namespace subbit::dram
