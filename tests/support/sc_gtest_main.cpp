// GoogleTest entry point for test binaries that link SystemC: libsystemc provides main() and calls
// sc_main(), so the tests run from here. gtest_discover_tests runs each test in its own process,
// which keeps SystemC's one-elaboration-per-process rule.
#include <gtest/gtest.h>
#include <systemc>

int sc_main(int argc, char* argv[]) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
