// subbit run --jobs N: the images of a run spread over N processes (SystemC elaborates once per
// process, so each share needs a process of its own). The parent forks N-1 workers before any
// SystemC elaboration and simulates share 0 itself (it holds image 0, whose per-layer statistics the
// report shows); each worker simulates a contiguous share of the images and writes one line per image
// to a pipe (prediction, cycles, its running golden-reference counts); the parent merges them in
// image order, so the report is that of a serial run. docs/accelerator.md, "Parallel runs".
//
// Test hook (tests/acceptance/jobs.sh only): SUBBIT_JOBS_TEST_FAULT=crash:I | fail:I | mismatch:I makes
// the worker that holds image I (not the first share's process) kill itself with SIGSEGV, exit with an
// error, or report image I as a golden-reference mismatch, just before reporting image I.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace subbit::cli {

struct ImageResult {
  size_t index = 0;
  int prediction = 0;
  uint64_t cycles = 0;
  // Running counts over the process's share up to this image, and its first golden mismatch.
  int mismatched = 0, clean_differ = 0, clean_top1 = 0;
  std::string first_mismatch;
};

struct MergedResults {
  std::vector<ImageResult> images;  // the workers' images, in image order (share 0 excluded)
  int mismatched = 0, clean_differ = 0, clean_top1 = 0;
  std::string first_mismatch;  // the first worker's (in image order) first mismatch
};

class ParallelRun {
 public:
  // jobs ≥ 1, already clamped to images. With jobs > 1, forks the workers (call before any SystemC
  // elaboration, with nothing pending on stdout); in a worker, returns with that worker's share.
  // progress(done, total) is called in the parent as images complete anywhere.
  ParallelRun(int jobs, size_t images, std::function<void(int, int)> progress);
  ~ParallelRun();  // kills and reaps workers still running (an error in the parent's share)
  ParallelRun(const ParallelRun&) = delete;
  ParallelRun& operator=(const ParallelRun&) = delete;

  int jobs() const { return jobs_; }
  bool worker() const { return worker_; }
  size_t begin() const { return begin_; }  // this process's share of the images
  size_t end() const { return end_; }

  // After each image of this process's share: a worker sends it to the parent; the parent counts it
  // and drains what the workers have sent so far (progress).
  void image_done(const ImageResult& r);
  // Worker only, after its simulation: reports success (failure empty) or the failure, then _exits.
  [[noreturn]] void worker_exit(const std::string& failure);
  // Parent only, after its own share: waits for every worker and returns their results. Throws
  // subbit::Error naming the worker, the image and the worker's message if one failed or died.
  MergedResults collect();

 private:
  struct Worker {
    pid_t pid = -1;
    int fd = -1;         // read end of its result pipe
    int err_fd = -1;     // its stderr: an unlinked temporary file
    size_t begin = 0, end = 0;
    std::string buf;     // bytes not yet parsed into lines
    std::vector<ImageResult> results;
    bool done = false;   // sent its "done" line
    bool eof = false;
  };
  void drain(bool block);
  void parse(Worker& w);
  std::string describe_failure(Worker& w, int status);
  void kill_all();
  void report_progress();

  int jobs_ = 1;
  bool worker_ = false;
  size_t images_ = 0, begin_ = 0, end_ = 0;
  int out_fd_ = -1;  // worker: write end of its pipe
  int own_done_ = 0, shown_ = 0;
  bool faked_mismatch_ = false;
  long fault_image_ = -1;
  std::string fault_kind_;
  std::function<void(int, int)> progress_;
  std::vector<Worker> workers_;
};

}  // namespace subbit::cli
