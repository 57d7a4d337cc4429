// Linked into the SystemC programs of a sanitized build (SUBBIT_SANITIZE, scripts/test.sh
// --sanitize; docs/fuzzing.md, "SystemC under AddressSanitizer").
//
// Debian's SystemC 2.3.4 tells AddressSanitizer about its QuickThreads coroutine switches through
// weak references to __sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber, but only
// partly: a switch back to the main coroutine passes no stack (SystemC does not know the main
// stack's bounds) and a thread that ends switches away without any annotation. ASan is then left
// believing that the program, back on its real stack after sc_start(), runs on a finished
// coroutine's stack; it ignores __asan_handle_no_return for the next exception ("ASan is ignoring
// requested __asan_handle_no_return ... False positive error reports may follow"), the unwound
// frames keep their stack poison, and the next call that reuses that stack is reported as
// stack-use-after-scope (seen in trace.wrong_crc_fails, an expected error after a simulation).
//
// Definitions in the executable take precedence over libasan's for libsystemc's references. These
// do nothing, so ASan keeps the thread's real stack as the current stack: exceptions on it (every
// error path of the CLI and the tests) unpoison correctly. An exception thrown inside an SC_THREAD
// makes ASan print the warning above once and skip that cleanup on the coroutine's stack; none of
// the suite's simulations throws inside a thread body.
#include <cstddef>

extern "C" {

void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom, size_t size) {
  (void)bottom;
  (void)size;
  if (fake_stack_save) *fake_stack_save = nullptr;
}

void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** bottom_old, size_t* size_old) {
  (void)fake_stack_save;
  if (bottom_old) *bottom_old = nullptr;
  if (size_old) *size_old = 0;
}

}  // extern "C"
