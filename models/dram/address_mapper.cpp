#include "dram/address_mapper.h"

#include <cctype>

#include "quant/error.h"

namespace subbit::dram {

namespace {

uint32_t log2u(uint64_t v) {
  uint32_t n = 0;
  while ((uint64_t(1) << n) < v) ++n;
  return n;
}

const char* kNames[] = {"Ro", "Ba", "Bg", "Ra", "Co", "Ch"};

}  // namespace

std::string AddressMapper::parse(const DramSpec& spec, uint32_t channels, const std::string& mapping,
                                 std::vector<Piece>* pieces, uint32_t* total_bits) {
  const std::string got = ", got \"" + mapping + "\"";
  if (channels == 0 || (channels & (channels - 1)) != 0)
    return "expected a power-of-two channel count for an address mapping" + got;
  uint32_t full[kFields];
  full[Ro] = log2u(spec.rows);
  full[Ba] = log2u(spec.banks_per_group);
  full[Bg] = log2u(spec.bank_groups);
  full[Ra] = 0;
  full[Co] = log2u(spec.bursts_per_row());
  full[Ch] = log2u(channels);
  const uint32_t offset = log2u(spec.burst_bytes());

  // Tokenise: two-letter field names, optional width digits, optional separators.
  struct Tok {
    int field;
    int width;  // -1: none written
  };
  std::vector<Tok> toks;
  size_t i = 0;
  while (i < mapping.size()) {
    const char c = mapping[i];
    if (c == ' ' || c == '-' || c == '_' || c == '|' || c == ',' || c == '\t') {
      ++i;
      continue;
    }
    if (i + 1 >= mapping.size() || !std::isalpha(static_cast<unsigned char>(c)) ||
        !std::isalpha(static_cast<unsigned char>(mapping[i + 1])))
      return "expected field names Ro, Ba, Bg, Ra, Co, Ch (e.g. RoBaRaCoCh or Ro16 Ba2 Co7 Bg2 Ch1); unexpected '" +
             std::string(1, c) + "' at position " + std::to_string(i + 1) + got;
    const std::string name{char(std::toupper(static_cast<unsigned char>(c))),
                           char(std::tolower(static_cast<unsigned char>(mapping[i + 1])))};
    int field = -1;
    for (int f = 0; f < kFields; ++f)
      if (name == kNames[f]) field = f;
    if (field < 0)
      return "expected field names Ro, Ba, Bg, Ra, Co, Ch (e.g. RoBaRaCoCh); unknown field '" +
             mapping.substr(i, 2) + "' at position " + std::to_string(i + 1) + got;
    i += 2;
    int width = -1;
    if (i < mapping.size() && std::isdigit(static_cast<unsigned char>(mapping[i]))) {
      width = 0;
      while (i < mapping.size() && std::isdigit(static_cast<unsigned char>(mapping[i])) && width < 100)
        width = width * 10 + (mapping[i++] - '0');
    }
    toks.push_back({field, width});
  }
  if (toks.empty()) return "expected an address mapping such as RoBaRaCoCh" + got;
  size_t with_width = 0;
  for (const Tok& t : toks) with_width += t.width >= 0;
  if (with_width != 0 && with_width != toks.size())
    return "expected either no widths (RoBaRaCoCh) or a width on every field (Ro16 Ba2 Co7 Bg2 Ch1)" + got;

  std::string widths_note;
  for (int f = 0; f < kFields; ++f) {
    if (f == Ra) continue;
    if (!widths_note.empty()) widths_note += " ";
    widths_note += std::string(kNames[f]) + std::to_string(full[f]);
  }
  widths_note = " (" + spec.name + " x " + std::to_string(channels) + " channel" + (channels > 1 ? "s" : "") +
                ": " + widths_note + ")";

  // Expand into pieces MSB-first: (field, width).
  std::vector<std::pair<int, uint32_t>> seq;
  if (with_width == 0) {
    bool seen[kFields] = {};
    for (const Tok& t : toks) {
      if (seen[t.field])
        return std::string("expected each field at most once in a named mapping, field ") + kNames[t.field] +
               " appears twice" + got;
      seen[t.field] = true;
    }
    for (int f : {Ro, Co})
      if (!seen[f]) return std::string("expected field ") + kNames[f] + " in the mapping" + got;
    if (!seen[Ba] && (full[Ba] > 0 || (!seen[Bg] && full[Bg] > 0)))
      return std::string("expected field Ba in the mapping") + got;
    if (!seen[Ch] && full[Ch] > 0)
      return "expected field Ch in the mapping (" + std::to_string(channels) + " channels)" + got;
    for (const Tok& t : toks) {
      if (t.field == Ba && !seen[Bg]) {
        seq.push_back({Ba, full[Ba]});
        seq.push_back({Bg, full[Bg]});
      } else {
        seq.push_back({t.field, full[t.field]});
      }
    }
  } else {
    uint32_t sum[kFields] = {};
    for (const Tok& t : toks) {
      sum[t.field] += uint32_t(t.width);
      seq.push_back({t.field, uint32_t(t.width)});
    }
    for (int f = 0; f < kFields; ++f)
      if (sum[f] != full[f])
        return std::string("expected the widths of ") + kNames[f] + " to add up to " + std::to_string(full[f]) +
               widths_note + ", they add up to " + std::to_string(sum[f]) + got;
  }

  uint32_t total = offset;
  for (auto& s : seq) total += s.second;
  if (total > 48) return "expected at most 48 address bits" + got;
  if (pieces) {
    pieces->clear();
    uint32_t remaining[kFields];
    for (int f = 0; f < kFields; ++f) remaining[f] = full[f];
    uint32_t bit = total;  // walk from the MSB down
    for (auto& s : seq) {
      const auto [field, width] = s;
      bit -= width;
      remaining[field] -= width;
      if (width == 0) continue;
      pieces->push_back(Piece{uint8_t(field), uint8_t(bit), uint8_t(width), uint8_t(remaining[field]),
                              (uint64_t(1) << width) - 1});
    }
  }
  if (total_bits) *total_bits = total;
  return "";
}

std::string AddressMapper::validate(const DramSpec& spec, uint32_t channels, const std::string& mapping) {
  return parse(spec, channels, mapping, nullptr, nullptr);
}

AddressMapper::AddressMapper(const DramSpec& spec, uint32_t channels, const std::string& mapping)
    : channels_(channels), banks_per_group_(spec.banks_per_group), text_(mapping) {
  const std::string err = parse(spec, channels, mapping, &pieces_, &total_bits_);
  if (!err.empty()) throw Error("address mapping: " + err);
  offset_bits_ = log2u(spec.burst_bytes());
}

uint64_t AddressMapper::encode(const DramAddress& a) const {
  const uint32_t f[kFields] = {a.row, a.bank, a.bankgroup, 0, a.column, a.channel};
  uint64_t addr = 0;
  for (const Piece& p : pieces_) addr |= uint64_t((f[p.field] >> p.field_lsb) & p.mask) << p.addr_lsb;
  return addr;
}

std::string AddressMapper::describe() const {
  std::string out;
  for (const Piece& p : pieces_) {
    out += kNames[p.field];
    out += "[" + std::to_string(p.addr_lsb + p.width - 1);
    if (p.width > 1) out += ":" + std::to_string(p.addr_lsb);
    out += "] ";
  }
  out += "offset[" + std::to_string(offset_bits_ - 1) + ":0]";
  return out;
}

}  // namespace subbit::dram
