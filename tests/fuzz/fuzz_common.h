// Shared by the libFuzzer targets of tests/fuzz (docs/fuzzing.md).
//
// What counts as a finding: a sanitizer report (ASan, UBSan; UB is fatal in this build), a crash,
// a hang or an out-of-memory, any exception other than subbit::Error escaping the code under test
// (it escapes LLVMFuzzerTestOneInput and std::terminate aborts), and a failed FUZZ_CHECK: a
// property the code promises (e.g. what a loader accepted, its consumer must accept too).
// subbit::Error is the expected rejection of a bad input.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>

#include "quant/error.h"

namespace subbit::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING at %s:%d: %s\n", file, line, what.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace subbit::fuzz

// A property of the code under test: abort (a finding) when it does not hold.
#define FUZZ_CHECK(cond, what)                                                               \
  do {                                                                                       \
    if (!(cond)) ::subbit::fuzz::fail(__FILE__, __LINE__, std::string("check failed: " #cond ": ") + (what)); \
  } while (0)

// Runs `stmt`; a subbit::Error it throws is reported as a finding (for code that must not reject
// what an earlier step accepted).
#define FUZZ_NO_ERROR(stmt)                                                                  \
  do {                                                                                       \
    try {                                                                                    \
      stmt;                                                                                  \
    } catch (const ::subbit::Error& e_) {                                                    \
      ::subbit::fuzz::fail(__FILE__, __LINE__, std::string(#stmt " threw subbit::Error after its input was accepted: ") + e_.what()); \
    }                                                                                        \
  } while (0)
