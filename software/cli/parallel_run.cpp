#include "cli/parallel_run.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "quant/error.h"

namespace subbit::cli {

namespace {

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3);  // the parent is gone
    off += static_cast<size_t>(n);
  }
}

std::string read_file_fd(int fd) {
  std::string s;
  if (fd < 0 || ::lseek(fd, 0, SEEK_SET) < 0) return s;
  char b[4096];
  for (ssize_t n; (n = ::read(fd, b, sizeof b)) > 0 || (n < 0 && errno == EINTR);)
    if (n > 0) s.append(b, static_cast<size_t>(n));
  return s;
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

ParallelRun::ParallelRun(int jobs, size_t images, std::function<void(int, int)> progress)
    : jobs_(jobs), images_(images), end_(images), progress_(std::move(progress)) {
  if (const char* f = std::getenv("SUBBIT_JOBS_TEST_FAULT")) {
    const std::string s = f;
    const size_t colon = s.find(':');
    if (colon != std::string::npos) fault_kind_ = s.substr(0, colon), fault_image_ = std::atol(s.c_str() + colon + 1);
  }
  if (jobs_ <= 1) return;
  auto share = [&](int k) { return images * static_cast<size_t>(k) / static_cast<size_t>(jobs_); };
  end_ = share(1);
  std::cout.flush();
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  for (int k = 1; k < jobs_; ++k) {
    Worker w;
    w.begin = share(k), w.end = share(k + 1);
    int p[2];
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/subbit-jobs-XXXXXX";
    if (::pipe(p) != 0 || (w.err_fd = ::mkstemp(tmpl.data())) < 0) {
      kill_all();
      throw Error(std::string("run --jobs: cannot create a worker's pipe or stderr file: ") + std::strerror(errno));
    }
    ::unlink(tmpl.c_str());
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(p[0]), ::close(p[1]), ::close(w.err_fd);
      kill_all();
      throw Error(std::string("run --jobs: fork failed: ") + std::strerror(errno));
    }
    if (pid == 0) {  // the worker
#ifdef __linux__
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
      if (::getppid() != parent) _exit(3);
      worker_ = true;
      begin_ = w.begin, end_ = w.end;
      ::close(p[0]);
      out_fd_ = p[1];
      for (Worker& o : workers_) ::close(o.fd), ::close(o.err_fd);
      workers_.clear();
      ::dup2(w.err_fd, 2);
      ::close(w.err_fd);
      const int null = ::open("/dev/null", O_WRONLY);  // the report is the parent's
      if (null >= 0) ::dup2(null, 1), ::close(null);
      std::signal(SIGPIPE, SIG_DFL);
      return;
    }
    ::close(p[1]);
    w.pid = pid, w.fd = p[0];
    workers_.push_back(std::move(w));
  }
}

ParallelRun::~ParallelRun() {
  if (!worker_) kill_all();
}

void ParallelRun::kill_all() {
  for (Worker& w : workers_) {
    if (w.pid > 0) {
      ::kill(w.pid, SIGKILL);
      while (::waitpid(w.pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      w.pid = -1;
    }
    if (w.fd >= 0) ::close(w.fd), w.fd = -1;
    if (w.err_fd >= 0) ::close(w.err_fd), w.err_fd = -1;
  }
}

void ParallelRun::image_done(const ImageResult& result) {
  if (worker_) {
    ImageResult r = result;
    if (fault_image_ >= 0 && static_cast<size_t>(fault_image_) == r.index && fault_kind_ == "mismatch") {
      faked_mismatch_ = true;
      if (r.first_mismatch.empty()) r.first_mismatch = "image " + std::to_string(r.index) + ": test mismatch (SUBBIT_JOBS_TEST_FAULT)";
    } else if (faked_mismatch_ && r.first_mismatch.empty()) {
      r.first_mismatch = "image " + std::to_string(fault_image_) + ": test mismatch (SUBBIT_JOBS_TEST_FAULT)";
    } else if (fault_image_ >= 0 && static_cast<size_t>(fault_image_) == r.index) {
      if (fault_kind_ == "crash") {
        std::signal(SIGSEGV, SIG_DFL);
        std::raise(SIGSEGV);
      }
      std::fprintf(stderr, "subbit: error: test fault (SUBBIT_JOBS_TEST_FAULT=%s:%ld)\n", fault_kind_.c_str(), fault_image_);
      std::fflush(stderr);
      _exit(1);
    }
    r.mismatched += faked_mismatch_;
    char head[160];
    std::snprintf(head, sizeof head, "%zu %d %llu %d %d %d ", r.index, r.prediction, static_cast<unsigned long long>(r.cycles), r.mismatched,
                  r.clean_differ, r.clean_top1);
    write_all(out_fd_, head + one_line(r.first_mismatch) + "\n");
    return;
  }
  ++own_done_;
  if (jobs_ > 1) drain(false);
  report_progress();
}

void ParallelRun::report_progress() {
  int done = own_done_;
  for (const Worker& w : workers_) done += static_cast<int>(w.results.size());
  if (done == shown_) return;
  shown_ = done;
  if (progress_) progress_(done, static_cast<int>(images_));
}

void ParallelRun::worker_exit(const std::string& failure) {
  if (!failure.empty()) {
    std::fprintf(stderr, "%s\n", failure.c_str());
    std::fflush(stderr);
    _exit(1);
  }
  write_all(out_fd_, "done\n");
  ::close(out_fd_);
  _exit(0);
}

void ParallelRun::parse(Worker& w) {
  size_t start = 0;
  for (size_t nl; (nl = w.buf.find('\n', start)) != std::string::npos; start = nl + 1) {
    const std::string line = w.buf.substr(start, nl - start);
    if (line == "done") {
      w.done = true;
      continue;
    }
    ImageResult r;
    unsigned long long cycles = 0;
    int used = 0;
    if (std::sscanf(line.c_str(), "%zu %d %llu %d %d %d %n", &r.index, &r.prediction, &cycles, &r.mismatched, &r.clean_differ, &r.clean_top1, &used) < 6)
      continue;  // not ours: describe_failure reports the missing images
    r.cycles = cycles;
    r.first_mismatch = line.substr(static_cast<size_t>(used));
    w.results.push_back(std::move(r));
  }
  w.buf.erase(0, start);
}

void ParallelRun::drain(bool block) {
  std::vector<pollfd> fds;
  std::vector<Worker*> who;
  for (Worker& w : workers_)
    if (!w.eof) fds.push_back({w.fd, POLLIN, 0}), who.push_back(&w);
  if (fds.empty()) return;
  int n;
  while ((n = ::poll(fds.data(), fds.size(), block ? -1 : 0)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return;
  for (size_t i = 0; i < fds.size(); ++i) {
    if (!fds[i].revents) continue;
    Worker& w = *who[i];
    char b[65536];
    ssize_t r;
    while ((r = ::read(w.fd, b, sizeof b)) < 0 && errno == EINTR) {
    }
    if (r <= 0) {
      w.eof = true;
      continue;
    }
    w.buf.append(b, static_cast<size_t>(r));
    parse(w);
  }
}

std::string ParallelRun::describe_failure(Worker& w, int status) {
  const size_t k = static_cast<size_t>(&w - workers_.data()) + 1;
  const size_t image = w.begin + w.results.size();
  std::string msg = read_file_fd(w.err_fd);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  const std::string prefix = "subbit: error: ";
  if (msg.compare(0, prefix.size(), prefix) == 0) msg.erase(0, prefix.size());
  std::string what = "run --jobs: worker " + std::to_string(k) + " (images " + std::to_string(w.begin) + "-" + std::to_string(w.end - 1) + ")";
  if (WIFSIGNALED(status))
    what += " was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    what += " failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
  else
    what += " stopped without reporting every image";
  what += image < w.end ? " at image " + std::to_string(image) : " after its last image";
  if (!msg.empty()) what += ": " + msg;
  return what;
}

MergedResults ParallelRun::collect() {
  MergedResults m;
  if (jobs_ <= 1) return m;
  for (;;) {
    bool open = false;
    for (Worker& w : workers_) {
      if (!w.eof) {
        open = true;
        continue;
      }
      if (w.pid <= 0) continue;
      int status = 0;
      while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
      }
      w.pid = -1;
      const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && w.done && w.results.size() == w.end - w.begin;
      if (!ok) {
        const std::string what = describe_failure(w, status);
        kill_all();
        throw Error(what);
      }
    }
    if (!open) break;
    drain(true);
    report_progress();
  }
  for (Worker& w : workers_) {
    for (size_t i = 0; i < w.results.size(); ++i)
      if (w.results[i].index != w.begin + i) {
        kill_all();
        throw Error("run --jobs: worker sent image " + std::to_string(w.results[i].index) + " where image " + std::to_string(w.begin + i) + " was due");
      }
    if (!w.results.empty()) {
      const ImageResult& last = w.results.back();
      m.mismatched += last.mismatched, m.clean_differ += last.clean_differ, m.clean_top1 += last.clean_top1;
      if (m.first_mismatch.empty()) m.first_mismatch = last.first_mismatch;
    }
    m.images.insert(m.images.end(), w.results.begin(), w.results.end());
  }
  kill_all();  // closes the descriptors; every worker is reaped
  return m;
}

}  // namespace subbit::cli
