#include "quant/numerics.h"

namespace subbit {

std::string ActType::to_string() const { return (is_signed ? "s" : "u") + std::to_string(bits); }

}  // namespace subbit
