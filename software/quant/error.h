// One error type for bad input anywhere in SubBit: the message names the file, the field (layer,
// tensor, line) and what was expected.
#pragma once
#include <stdexcept>
#include <string>

namespace subbit {
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};
}  // namespace subbit
