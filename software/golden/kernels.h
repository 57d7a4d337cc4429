// The integer dot-product kernel shared by the golden reference and the TLM model's PE array.
#pragma once
#include <cstdint>

namespace subbit {

// acc[o * acc_stride + p] = sum_i w[o * k + i] * cols[p * k + i], for o < rows, p < count.
void dot_block(const int16_t* w, int k, int rows, const int16_t* cols, int count, int32_t* acc, int acc_stride);

}  // namespace subbit
