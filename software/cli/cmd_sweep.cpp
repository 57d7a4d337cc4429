// subbit sweep SWEEP.yaml -o DIR: a grid of points (configs × grid values × networks × schemes), each
// one `subbit run --json` in a child process of this binary, -j at a time; resumable; merged into
// results.csv / results.json / pareto.html. --slurm writes a job array instead; --point K runs one
// point (an array task); --merge only merges. docs/sweep.md.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/area_report.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/energy_report.h"
#include "cli/sweep.h"
#include "config/arch_config.h"
#include "netgen/netgen.h"
#include "quant/error.h"
#include "quant/file_io.h"
#include "report/html_page.h"

extern char** environ;

namespace subbit::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int sig) { g_stop = sig; }

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool exists(const std::string& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

void remove_file(const std::string& p) {
  std::error_code ec;
  fs::remove(p, ec);
}

// The last non-empty line of a child's stderr ("subbit: error: ..."), for the tables.
std::string last_line(const std::string& text) {
  std::string line, last;
  std::istringstream in(text);
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

struct Sweep {
  sweep::SweepSpec spec;
  std::vector<sweep::Point> points;
  std::string dir;  // absolute
  std::map<std::string, std::string> file_hash;   // trained networks and base configs
  std::map<std::string, std::string> energy_tables;  // base config -> its energy table
  std::map<std::string, std::string> area_tables;    // base config -> its area table (the point's config sits elsewhere)

  std::string point_dir(const sweep::Point& p) const { return dir + "/points/" + p.id; }

  std::string hash_of(const std::string& path) {
    auto it = file_hash.find(path);
    if (it == file_hash.end()) it = file_hash.emplace(path, sweep::fnv1a64(read_text(path))).first;
    return it->second;
  }

  // The arguments of the point's `subbit run` (after the program).
  std::vector<std::string> run_args(const sweep::Point& p) {
    const std::string& base = spec.configs[p.config];
    auto et = energy_tables.find(base);
    if (et == energy_tables.end()) et = energy_tables.emplace(base, fs::absolute(find_energy_table(base)).lexically_normal().string()).first;
    auto at = area_tables.find(base);
    if (at == area_tables.end()) at = area_tables.emplace(base, fs::absolute(find_area_table(base)).lexically_normal().string()).first;
    std::vector<std::string> a = {"run", "--json", "--config", point_dir(p) + "/config.yaml", "--network", p.network_file, "--energy-table", et->second,
                                  "--area-table", at->second, "--mapper", spec.run.mapper, "--memory", spec.run.memory};
    if (!spec.run.dataset.empty()) {
      a.insert(a.end(), {"--dataset", spec.run.dataset, "--images", std::to_string(spec.run.images)});
      if (!spec.run.data_dir.empty()) a.insert(a.end(), {"--data-dir", spec.run.data_dir});
    } else {
      a.insert(a.end(), {"--random-input", std::to_string(spec.run.seed)});
    }
    return a;
  }

  // What the point is: when it changes, an old result is stale.
  json identity(const sweep::Point& p) {
    const sweep::NetworkEntry& e = spec.networks[p.network];
    json grid = json::object();
    for (const auto& [f, v] : p.overrides) grid[f] = v;
    json net = {{"label", p.label}, {"file", p.network_file}, {"scheme", p.scheme}};
    if (e.generate.empty()) net["fnv1a64"] = hash_of(e.file);
    else net["generate"] = e.generate, net["seed"] = e.seed;
    return {{"id", p.id},
            {"index", p.index},
            {"sweep", spec.name},
            {"config", spec.configs[p.config]},
            {"config_fnv1a64", hash_of(spec.configs[p.config])},
            {"grid", grid},
            {"network", net},
            {"run", run_args(p)}};
  }

  // The point's config.yaml; `error` gets the loader's message when the combination is invalid.
  std::string config_yaml(const sweep::Point& p, std::string* error) {
    const std::string& base = spec.configs[p.config];
    std::string overrides;
    for (const auto& [f, v] : p.overrides) overrides += (overrides.empty() ? "" : ", ") + f + "=" + v;
    std::string text = "# subbit sweep '" + spec.name + "', point " + p.id + ": " + base + (overrides.empty() ? "" : " with " + overrides) + "\n";
    error->clear();
    try {
      text += sweep::apply_overrides(read_input_file(base, "an architecture config (YAML)"), p.overrides, base);
      (void)parse_arch_config(text, point_dir(p) + "/config.yaml");
    } catch (const Error& e) {
      *error = e.what();
    }
    return text;
  }

  // Generates the point's network if it is a missing generated one (temporary name, then rename).
  void ensure_network(const sweep::Point& p) {
    const sweep::NetworkEntry& e = spec.networks[p.network];
    if (e.generate.empty() || exists(p.network_file)) return;
    fs::create_directories(fs::path(p.network_file).parent_path());
    const std::string tmp = p.network_file + ".tmp." + std::to_string(::getpid());
    try {
      const Network net = make_network(sweep::netgen_options(e.generate, p.scheme, e.seed));
      save_network(tmp, net);
    } catch (const Error& ex) {
      remove_file(tmp);
      throw Error(spec.source + ": networks[" + std::to_string(p.network) + "]: cannot generate " + e.generate + " " + p.scheme + ": " + ex.what());
    }
    if (std::rename(tmp.c_str(), p.network_file.c_str()) != 0) {
      remove_file(tmp);
      throw Error(p.network_file + ": cannot write the generated network: " + std::strerror(errno));
    }
    std::fprintf(stderr, "sweep: generated %s\n", p.network_file.c_str());
  }

  std::map<std::string, json> net_info_cache;
  json network_info(const std::string& file) {
    auto it = net_info_cache.find(file);
    if (it != net_info_cache.end()) return it->second;
    const Network net = load_network(file);
    double bits = net.sub_byte_bits_per_weight();
    if (!(bits > 0)) bits = net.bits_per_weight();
    return net_info_cache[file] = json{{"model", net.name}, {"bits_per_weight", bits}};
  }

  // Writes the point's directory: config.yaml, point.json; drops a result or error of another spec.
  void prepare(const sweep::Point& p) {
    ensure_network(p);
    const std::string d = point_dir(p);
    fs::create_directories(d);
    const json id = identity(p);
    const std::string pj = d + "/point.json";
    bool same = false;
    if (exists(pj)) {
      try {
        same = json::parse(read_text(pj)).at("spec") == id;
      } catch (const std::exception&) {
      }
    }
    if (!same) {
      remove_file(d + "/result.json");
      remove_file(d + "/error.txt");
    }
    std::string err;
    const std::string yaml = config_yaml(p, &err);
    if (!exists(d + "/config.yaml") || read_text(d + "/config.yaml") != yaml) report::write_file_atomic(d + "/config.yaml", yaml);
    const std::string text = json{{"spec", id}, {"network_info", network_info(p.network_file)}}.dump(2) + "\n";
    if (!same || read_text(pj) != text) report::write_file_atomic(pj, text);
  }

  // Finished: a result.json under a point.json of the current spec.
  bool done(const sweep::Point& p) {
    const std::string d = point_dir(p);
    if (!exists(d + "/result.json") || !exists(d + "/point.json")) return false;
    try {
      return json::parse(read_text(d + "/point.json")).at("spec") == identity(p);
    } catch (const std::exception&) {
      return false;
    }
  }

  json record(const sweep::Point& p) {
    const sweep::NetworkEntry& e = spec.networks[p.network];
    const std::string d = point_dir(p);
    json grid = json::object();
    for (const auto& [f, v] : p.overrides) grid[f] = v;
    json r = {{"id", p.id},
              {"config", spec.config_names[p.config]},
              {"config_file", spec.configs[p.config]},
              {"grid", grid},
              {"network", p.label},
              {"model", e.generate.empty() ? json() : json(e.generate)},
              {"scheme", p.scheme.empty() ? json() : json(p.scheme)},
              {"network_file", p.network_file},
              {"bits_per_weight", nullptr}};
    for (const char* k : {"cycles", "latency_us", "inferences_per_s", "pe_utilization", "roofline_fraction", "dram_bytes", "energy_uj",
                          "xor_decrypt_energy_share", "area_mm2", "xor_decrypt_area_share", "accuracy", "measured_accuracy", "golden_match", "error"})
      r[k] = nullptr;
    bool current = false;
    try {
      const json pj = json::parse(read_text(d + "/point.json"));
      current = pj.at("spec") == identity(p);
      if (current) {
        r["bits_per_weight"] = pj.at("network_info").at("bits_per_weight");
        r["model"] = pj.at("network_info").at("model");
      }
    } catch (const std::exception&) {
    }
    std::string status = "missing";
    if (current && exists(d + "/result.json")) {
      try {
        const json res = json::parse(read_text(d + "/result.json"));
        auto num = [&](const json& o, const char* k) { return o.is_object() && o.contains(k) && o[k].is_number() ? o[k] : json(); };
        for (const char* k : {"cycles", "latency_us", "inferences_per_s", "pe_utilization", "roofline_fraction"}) r[k] = num(res, k);
        r["dram_bytes"] = res.at("dram_read_bytes").get<uint64_t>() + res.at("dram_write_bytes").get<uint64_t>();
        if (res.contains("energy")) r["energy_uj"] = num(res["energy"], "per_inference_uj"), r["xor_decrypt_energy_share"] = num(res["energy"], "xor_decrypt_share");
        if (res.contains("area")) r["area_mm2"] = num(res["area"], "total_mm2"), r["xor_decrypt_area_share"] = num(res["area"], "xor_decrypt_share");
        r["measured_accuracy"] = num(res, "accuracy");
        r["golden_match"] = res.value("golden_match", false);
        status = "ok";
      } catch (const std::exception& ex) {
        status = "failed", r["error"] = d + "/result.json: unreadable (" + std::string(ex.what()) + ")";
      }
    } else if (current && exists(d + "/error.txt")) {
      status = "failed", r["error"] = last_line(read_text(d + "/error.txt"));
    }
    if (e.report_accuracy >= 0) r["accuracy"] = e.report_accuracy;
    else r["accuracy"] = r["measured_accuracy"];
    r["status"] = status;
    return r;
  }

  // results.json, results.csv, pareto.html from what the points hold; returns the records.
  std::vector<json> merge() {
    std::vector<json> records;
    for (const sweep::Point& p : points) records.push_back(record(p));
    sweep::mark_pareto(records);
    fs::create_directories(dir);
    report::write_file_atomic(dir + "/results.json", json{{"sweep", spec.to_json()}, {"points", records}}.dump(2) + "\n");
    report::write_file_atomic(dir + "/results.csv", sweep::results_csv(spec, records));
    report::write_file_atomic(dir + "/pareto.html", sweep::pareto_html(spec, records));
    return records;
  }
};

// Runs the points `todo` (indices), `jobs` child processes at a time. Returns false if interrupted.
bool run_points(Sweep& s, const std::vector<size_t>& todo, int jobs, size_t* failed) {
  struct Running {
    size_t point;
    pid_t pid;
    std::chrono::steady_clock::time_point t0;
  };
  const bool terminal = isatty(fileno(stderr)) != 0;
  std::vector<Running> running;
  size_t next = 0, finished = 0;
  auto show = [&](const sweep::Point& p, const std::string& what, double secs) {
    if (terminal) {
      const int width = 40, filled = static_cast<int>(finished * width / std::max<size_t>(todo.size(), 1));
      std::fprintf(stderr, "\r[%s%s] %zu/%zu  %zu failed", std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), finished, todo.size(), *failed);
      if (finished == todo.size()) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr, "sweep: [%zu/%zu] point %s %s: %s (%.1f s)\n", finished, todo.size(), p.id.c_str(), what.c_str(), p.label.c_str(), secs);
    }
    std::fflush(stderr);
  };
  auto finish = [&](const Running& r, int status) {
    const sweep::Point& p = s.points[r.point];
    const std::string d = s.point_dir(p);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.t0).count();
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok) {
      try {
        ok = json::parse(read_text(d + "/result.json.tmp")).contains("cycles");
      } catch (const std::exception&) {
        ok = false;
      }
    }
    if (ok && std::rename((d + "/result.json.tmp").c_str(), (d + "/result.json").c_str()) == 0) {
      remove_file(d + "/error.txt");
    } else if (g_stop) {  // stopped by the interruption (Ctrl-C reaches the children too): unfinished, not failed
      remove_file(d + "/result.json.tmp");
      remove_file(d + "/error.txt.tmp");
      return;
    } else {
      std::string err = read_text(d + "/error.txt.tmp");
      if (WIFSIGNALED(status)) err += "subbit sweep: the run was killed by signal " + std::to_string(WTERMSIG(status)) + "\n";
      else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) err += "subbit sweep: the run printed no result\n";
      report::write_file_atomic(d + "/error.txt", err);
      ++*failed;
      ok = false;
    }
    remove_file(d + "/result.json.tmp");
    remove_file(d + "/error.txt.tmp");
    ++finished;
    show(p, ok ? "ok" : "FAILED", secs);
  };
  auto start = [&](size_t k) {
    const sweep::Point& p = s.points[k];
    const std::string d = s.point_dir(p);
    std::string cfg_error;
    (void)s.config_yaml(p, &cfg_error);
    const auto t0 = std::chrono::steady_clock::now();
    if (!cfg_error.empty()) {  // an invalid combination: a failed point, no process
      report::write_file_atomic(d + "/error.txt", "subbit: error: " + cfg_error + "\n");
      ++*failed;
      ++finished;
      show(p, "FAILED (invalid config)", 0);
      return;
    }
    std::vector<std::string> args = s.run_args(p);
    args.insert(args.begin(), "subbit");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, (d + "/result.json.tmp").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, (d + "/error.txt.tmp").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      report::write_file_atomic(d + "/error.txt", std::string("subbit sweep: cannot start the run: ") + std::strerror(rc) + "\n");
      ++*failed;
      ++finished;
      show(p, "FAILED", 0);
      return;
    }
    running.push_back({k, pid, t0});
  };

  while (!g_stop && (next < todo.size() || !running.empty())) {
    while (!g_stop && running.size() < static_cast<size_t>(jobs) && next < todo.size()) start(todo[next++]);
    bool reaped = false;
    for (size_t i = 0; i < running.size();) {
      int st = 0;
      const pid_t r = ::waitpid(running[i].pid, &st, WNOHANG);
      if (r == running[i].pid) {
        const Running done = running[i];
        running.erase(running.begin() + static_cast<long>(i));
        finish(done, st);
        reaped = true;
      } else {
        ++i;
      }
    }
    if (!reaped && !running.empty()) {
      const timespec ts{0, 20 * 1000 * 1000};
      nanosleep(&ts, nullptr);
    }
  }
  const bool interrupted = g_stop != 0;
  if (interrupted) {  // stop the children; their points stay unfinished, finished ones intact
    for (const Running& r : running) ::kill(r.pid, SIGTERM);
    for (const Running& r : running) {
      int st = 0;
      while (::waitpid(r.pid, &st, 0) < 0 && errno == EINTR) {
      }
      const std::string d = s.point_dir(s.points[r.point]);
      remove_file(d + "/result.json.tmp");
      remove_file(d + "/error.txt.tmp");
    }
    if (terminal) std::fprintf(stderr, "\n");
  }
  return !interrupted;
}

// Ctrl-C / SIGTERM set g_stop for the whole command (preparation included), so nothing is left half-written.
struct SignalGuard {
  struct sigaction old_int {}, old_term {};
  SignalGuard() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    g_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
  }
};

[[noreturn]] void interrupted_exit(const std::string& what) {
  std::fprintf(stderr, "sweep: interrupted %s; finished points are kept; rerun the same command to resume\n", what.c_str());
  std::exit(130);
}

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("subbit") : p.string();
}

int parse_count(const std::string& text, const std::string& what, long lo, long hi) {
  long v = 0;
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() < 10;
  if (digits) v = std::stol(text);
  if (!digits || v < lo || v > hi) throw Error(what + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + text + "'");
  return static_cast<int>(v);
}

}  // namespace

void register_sweep(CLI::App& app) {
  struct Args {
    std::string spec, out, jobs, point;
    bool slurm = false, merge = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("sweep", "Run a grid of configs x networks x schemes in parallel, resumably; CSV/JSON tables and Pareto plots");
  add_budget_options(cmd);
  cmd->add_option("sweep_file", a->spec, "sweep file (YAML; docs/sweep.md)")->required();
  cmd->add_option("-o,--output", a->out, "output folder (points/, networks/, results.csv, results.json, pareto.html)")->required();
  cmd->add_option("-j,--jobs", a->jobs, "points run at once (default: the online CPUs)");
  auto* slurm = cmd->add_flag("--slurm", a->slurm, "write DIR/sweep.slurm (a job array), DIR/merge.slurm and DIR/submit.sh; generate the networks and points; run nothing");
  auto* point = cmd->add_option("--point", a->point, "run only point K (0-based; what a Slurm array task runs)");
  auto* merge = cmd->add_flag("--merge", a->merge, "only merge the finished points into the tables (names the missing ones)");
  slurm->excludes(point)->excludes(merge);
  point->excludes(merge);
  cmd->callback([a]() {
    const long cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
    const int jobs = a->jobs.empty() ? static_cast<int>(cpus) : parse_count(a->jobs, "sweep --jobs: expected a number of processes from ", 1, 4096);
    const SignalGuard guard;
    // The children (`subbit run`) get this command's resource budget (--budget-memory/--budget-ops).
    setenv("SUBBIT_BUDGET_MEMORY", std::to_string(ResourceBudget::process_default().memory_bytes).c_str(), 1);
    setenv("SUBBIT_BUDGET_OPS", std::to_string(ResourceBudget::process_default().ops).c_str(), 1);
    Sweep s;
    s.spec = sweep::load_sweep(a->spec);
    s.dir = fs::absolute(a->out).lexically_normal().string();
    while (s.dir.size() > 1 && s.dir.back() == '/') s.dir.pop_back();
    s.points = sweep::expand(s.spec, s.dir);
    const size_t n = s.points.size();
    std::error_code ec;
    if (exists(s.dir) && !fs::is_directory(s.dir, ec)) throw Error(s.dir + ": exists and is not a directory, expected the sweep's output folder (-o)");

    if (a->merge) {
      const std::vector<json> records = s.merge();
      std::string missing;
      size_t n_missing = 0, n_failed = 0;
      for (const json& r : records) {
        if (r["status"] == "missing") missing += (n_missing++ ? ", " : "") + r["id"].get<std::string>();
        n_failed += r["status"] == "failed";
      }
      std::printf("sweep %s: merged %zu of %zu points (%zu failed) into %s/results.csv, results.json, pareto.html\n", s.spec.name.c_str(), n - n_missing, n, n_failed,
                  s.dir.c_str());
      if (n_missing) std::fprintf(stderr, "sweep --merge: %zu points missing (no result of the current spec): %s\n", n_missing, missing.c_str());
      return;
    }

    if (!a->point.empty()) {
      if (n == 0) throw Error("sweep --point: the sweep has no points");
      const size_t k = static_cast<size_t>(parse_count(a->point, "sweep --point: expected a point index from ", 0, static_cast<long>(n) - 1));
      const sweep::Point& p = s.points[k];
      s.prepare(p);
      if (g_stop) interrupted_exit("while preparing point " + p.id);
      if (s.done(p)) {
        std::printf("sweep %s: point %s already done, skipped\n", s.spec.name.c_str(), p.id.c_str());
        return;
      }
      size_t failed = 0;
      if (!run_points(s, {k}, 1, &failed)) interrupted_exit("running point " + p.id);
      if (failed) throw Error("point " + p.id + " failed: " + last_line(read_text(s.point_dir(p) + "/error.txt")) + " (" + s.point_dir(p) + "/error.txt)");
      std::printf("sweep %s: point %s done (%s)\n", s.spec.name.c_str(), p.id.c_str(), s.point_dir(p).c_str());
      return;
    }

    for (const sweep::Point& p : s.points) {
      s.prepare(p);
      if (g_stop) interrupted_exit("while preparing the points");
    }

    if (a->slurm) {
      const std::string exe = self_exe();
      const std::string spec_abs = fs::absolute(a->spec).lexically_normal().string();
      fs::create_directories(s.dir + "/slurm");
      report::write_file_atomic(s.dir + "/sweep.slurm", sweep::slurm_array_script(exe, spec_abs, s.dir, s.spec.name, n));
      report::write_file_atomic(s.dir + "/merge.slurm", sweep::slurm_merge_script(exe, spec_abs, s.dir, s.spec.name));
      report::write_file_atomic(s.dir + "/submit.sh", sweep::slurm_submit_script());
      for (const char* f : {"/sweep.slurm", "/merge.slurm", "/submit.sh"})
        fs::permissions(s.dir + f, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add, ec);
      std::printf("sweep %s: %zu points prepared in %s/points; submit with %s/submit.sh (job array 0-%zu, then the merge)\n", s.spec.name.c_str(), n,
                  s.dir.c_str(), s.dir.c_str(), n ? n - 1 : 0);
      return;
    }

    std::vector<size_t> todo;
    for (const sweep::Point& p : s.points)
      if (!s.done(p)) todo.push_back(p.index);
    const size_t skipped = n - todo.size();
    std::fprintf(stderr, "sweep %s: %zu points; %zu already done (skipped), %zu to run, %d at a time\n", s.spec.name.c_str(), n, skipped, todo.size(),
                 std::min<int>(jobs, static_cast<int>(std::max<size_t>(todo.size(), 1))));
    const auto t0 = std::chrono::steady_clock::now();
    size_t failed = 0;
    const bool complete = run_points(s, todo, jobs, &failed);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::vector<json> records = s.merge();
    if (!complete) interrupted_exit("(tables written, the unfinished points missing)");
    std::string failed_ids;
    size_t on_front = 0;
    for (const json& r : records) {
      if (r["status"] != "ok") failed_ids += (failed_ids.empty() ? "" : ", ") + r["id"].get<std::string>();
      on_front += r["pareto_energy_latency"].get<bool>();
    }
    std::printf("sweep %s: %zu points (%zu run in %.1f s, %zu skipped), %zu on the energy-latency Pareto front; %s/results.csv, results.json, pareto.html\n",
                s.spec.name.c_str(), n, todo.size(), wall, skipped, on_front, s.dir.c_str());
    if (!failed_ids.empty())
      throw Error("sweep " + s.spec.name + ": points not ok: " + failed_ids + " (their error.txt under " + s.dir + "/points/; the tables list them as failed)");
  });
}

}  // namespace subbit::cli
