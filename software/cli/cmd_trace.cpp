// Register-level trace tests (the NVDLA trace-test idea): a small text script of memory loads,
// register writes and reads, interrupt waits and CRC checks of device memory, run on the model
// without the driver.
//   subbit trace-gen --network F [--config C] -o DIR   writes DIR/image.bin, DIR/input.bin, DIR/test.trace
//   subbit trace-run DIR/test.trace [--config C]       replays it; exit status 1 on any failed check
//
// Script lines (# starts a comment):
//   load ADDR FILE              raw bytes of FILE (relative to the script) at device address ADDR
//   write REG VALUE             register write; REG is a name (CTRL, DESC_ADDR_LO, ...) or an offset
//   read REG VALUE [MASK]       register read, checked: (read & MASK) == VALUE
//   wait_irq MICROSECONDS       wait for the interrupt line (device time); fails on timeout
//   crc ADDR LENGTH CRC32 [NAME]  CRC-32 (IEEE, as zlib) of device memory, checked
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/platform.h"
#include "golden/golden.h"
#include "hwif/registers.h"
#include "netgen/netgen.h"
#include "quant/error.h"
#include "system/arch_params.h"

namespace subbit::cli {

namespace {

const std::map<std::string, uint32_t>& register_names() {
  using namespace regs;
  static const std::map<std::string, uint32_t> names = {
      {"ID", ID}, {"VERSION", VERSION}, {"CAP_PE", CAP_PE}, {"CAP_DECRYPT", CAP_DECRYPT}, {"CAP_DECRYPT_FLAGS", CAP_DECRYPT_FLAGS},
      {"XOR_SEED_LO", XOR_SEED_LO}, {"XOR_SEED_HI", XOR_SEED_HI}, {"CAP_WEIGHT_BUF", CAP_WEIGHT_BUF}, {"CAP_ACT_BUF", CAP_ACT_BUF},
      {"CAP_ACC_BUF", CAP_ACC_BUF}, {"CAP_WIDTHS", CAP_WIDTHS}, {"CAP_CLOCK_KHZ", CAP_CLOCK_KHZ}, {"CAP_FEATURES", CAP_FEATURES},
      {"CAP_DMA", CAP_DMA}, {"CTRL", CTRL}, {"STATUS", STATUS}, {"ERROR_CODE", ERROR_CODE}, {"ERROR_INDEX", ERROR_INDEX},
      {"IRQ_ENABLE", IRQ_ENABLE}, {"DESC_ADDR_LO", DESC_ADDR_LO}, {"DESC_ADDR_HI", DESC_ADDR_HI}, {"DESC_COUNT", DESC_COUNT},
      {"DESC_DONE", DESC_DONE}, {"PERF_CYCLES_LO", PERF_CYCLES_LO}, {"PERF_CYCLES_HI", PERF_CYCLES_HI}};
  return names;
}

struct Step {
  int line = 0;
  std::string op;
  uint64_t a = 0, b = 0, c = 0;
  uint64_t mask = 0xFFFFFFFF;
  std::vector<uint8_t> data;
  std::string text;  // register or check name, for messages
};

uint64_t parse_number(const std::string& tok, const std::string& where, const char* what) {
  try {
    size_t used = 0;
    const uint64_t v = std::stoull(tok, &used, 0);
    if (used == tok.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error(where + ": " + what + ": expected a number (decimal or 0x hex), got '" + tok + "'");
}

std::vector<Step> parse_script(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open trace script");
  const std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.find_last_of('/'));
  std::vector<Step> steps;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = line.substr(0, line.find('#'));
    std::istringstream ss(line);
    std::vector<std::string> tok;
    for (std::string t; ss >> t;) tok.push_back(t);
    if (tok.empty()) continue;
    const std::string where = path + ":" + std::to_string(n);
    Step s;
    s.line = n;
    s.op = tok[0];
    auto need = [&](size_t lo, size_t hi, const char* usage) {
      if (tok.size() < lo || tok.size() > hi) throw Error(where + ": expected '" + usage + "'");
    };
    auto reg = [&](const std::string& t) -> uint64_t {
      const auto it = register_names().find(t);
      if (it != register_names().end()) return it->second;
      const uint64_t off = parse_number(t, where, "register");
      if (off % 4 || off >= regs::REG_SPACE_BYTES) throw Error(where + ": register offset " + t + " is not a 32-bit register of the block");
      return off;
    };
    if (s.op == "load") {
      need(3, 3, "load ADDR FILE");
      s.a = parse_number(tok[1], where, "address");
      s.text = dir + "/" + tok[2];
      std::ifstream f(s.text, std::ios::binary);
      if (!f) throw Error(where + ": cannot open '" + s.text + "'");
      s.data.assign(std::istreambuf_iterator<char>(f), {});
    } else if (s.op == "write") {
      need(3, 3, "write REG VALUE");
      s.text = tok[1];
      s.a = reg(tok[1]);
      s.b = parse_number(tok[2], where, "value");
    } else if (s.op == "read") {
      need(3, 4, "read REG VALUE [MASK]");
      s.text = tok[1];
      s.a = reg(tok[1]);
      s.b = parse_number(tok[2], where, "value");
      if (tok.size() == 4) s.mask = parse_number(tok[3], where, "mask");
    } else if (s.op == "wait_irq") {
      need(2, 2, "wait_irq MICROSECONDS");
      s.a = parse_number(tok[1], where, "timeout");
    } else if (s.op == "crc") {
      need(4, 5, "crc ADDR LENGTH CRC32 [NAME]");
      s.a = parse_number(tok[1], where, "address");
      s.b = parse_number(tok[2], where, "length");
      s.c = parse_number(tok[3], where, "crc");
      s.text = tok.size() == 5 ? tok[4] : "";
    } else {
      throw Error(where + ": unknown command '" + s.op + "', expected load, write, read, wait_irq or crc");
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

uint32_t crc_of(const uint8_t* p, size_t n) { return static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0), p, static_cast<uInt>(n))); }

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) throw Error(path + ": write failed");
}

}  // namespace

void register_trace(CLI::App& app) {
  struct GenArgs {
    PlatformOptions platform;
    std::string network, out;
    uint64_t seed = 1;
  };
  auto g = std::make_shared<GenArgs>();
  CLI::App* gen = app.add_subcommand("trace-gen", "Write a register-level trace test (memory image, script, CRCs from golden)");
  add_budget_options(gen);
  gen->add_option("--network", g->network, "network file")->required();
  gen->add_option("--config", g->platform.config, "architecture config")->capture_default_str();
  gen->add_option("--input-seed", g->seed, "seed of the random input")->capture_default_str();
  gen->add_option("-o,--output", g->out, "directory to write (must exist)")->required();
  gen->callback([g]() {
    const Network net = load_network(g->network);
    const AccelParams p = accel_params(load_arch_config(g->platform.config));
    const LoweredNetwork L = lower_network(net, hw_caps(p), SimSystem::kMemBase, g->network);
    // One image spanning every segment; gaps (activation buffers) are zero.
    uint64_t lo = UINT64_MAX, hi = 0;
    for (const auto& s : L.image) lo = std::min(lo, s.addr), hi = std::max(hi, s.addr + s.bytes.size());
    std::vector<uint8_t> image(hi - lo, 0);
    for (const auto& s : L.image) std::copy(s.bytes.begin(), s.bytes.end(), image.begin() + (s.addr - lo));
    write_file(g->out + "/image.bin", image);
    const std::vector<int16_t> x = random_input(net, g->seed);
    std::vector<uint8_t> in(x.size());
    values_to_bytes(x.data(), x.size(), in.data());
    write_file(g->out + "/input.bin", in);
    GoldenModel golden(net);
    golden.run(x.data());
    std::ofstream t(g->out + "/test.trace");
    t << "# SubBit register-level trace: " << net.name << " (" << g->network << "), config " << g->platform.config << ", input seed "
      << g->seed << "\n# CRCs come from the golden reference.\n";
    t << "read ID " << hex(regs::kIdValue) << "\nread VERSION " << hex(regs::kVersionValue) << " 0xffff0000\n";
    t << "load " << hex(lo) << " image.bin\nload " << hex(L.input_addr) << " input.bin\n";
    t << "write IRQ_ENABLE 1\nwrite DESC_ADDR_LO " << hex(L.desc_addr & 0xFFFFFFFF) << "\nwrite DESC_ADDR_HI " << hex(L.desc_addr >> 32) << "\n";
    t << "write DESC_COUNT " << L.descriptors.size() << "\nwrite CTRL 1\nwait_irq 1000000\n";
    t << "read STATUS 0x2 0x7\nread ERROR_CODE 0\nread DESC_DONE " << L.descriptors.size() << "\n";
    for (size_t i = 1; i < net.nodes.size(); ++i) {
      if (net.nodes[i].op == Op::Flatten) continue;
      std::vector<uint8_t> bytes(net.nodes[i].shape.numel());
      values_to_bytes(golden.output(i).data(), bytes.size(), bytes.data());
      t << "crc " << hex(L.node_addr[i]) << " " << bytes.size() << " " << hex(crc_of(bytes.data(), bytes.size())) << " " << net.nodes[i].name << "\n";
    }
    if (!t) throw Error(g->out + "/test.trace: write failed");
    std::printf("wrote %s/test.trace (%zu descriptors, %zu-byte image)\n", g->out.c_str(), L.descriptors.size(), image.size());
  });

  struct RunArgs {
    PlatformOptions platform;
    std::string script;
  };
  auto r = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand("trace-run", "Replay a register-level trace on the TLM model (no driver); exit 1 on a failed check");
  run->add_option("script", r->script, "trace script")->required();
  add_platform_options(*run, r->platform);
  run->callback([r]() {
    const std::vector<Step> steps = parse_script(r->script);  // every line checked before simulating
    Platform plat = make_platform(r->platform);
    std::vector<std::string> failures;
    int checks = 0;
    plat.system->host.program = [&](HostCpu& h) {
      for (const Step& s : steps) {
        const std::string where = r->script + ":" + std::to_string(s.line);
        if (s.op == "load") {
          if (h.write_mem(s.a, s.data.data(), s.data.size()) != driver::Status::Ok) failures.push_back(where + ": load outside device memory");
        } else if (s.op == "write") {
          h.write_reg(static_cast<uint32_t>(s.a), static_cast<uint32_t>(s.b));
        } else if (s.op == "read") {
          uint32_t v = 0;
          h.read_reg(static_cast<uint32_t>(s.a), &v);
          ++checks;
          if ((v & s.mask) != s.b) failures.push_back(where + ": " + s.text + " reads " + hex(v) + " (masked " + hex(v & s.mask) + "), expected " + hex(s.b));
        } else if (s.op == "wait_irq") {
          ++checks;
          if (h.wait_irq(s.a) != driver::Status::Ok) {
            failures.push_back(where + ": no interrupt within " + std::to_string(s.a) + " us");
            return;
          }
        } else if (s.op == "crc") {
          std::vector<uint8_t> bytes(s.b);
          ++checks;
          if (h.read_mem(s.a, bytes.data(), bytes.size()) != driver::Status::Ok) {
            failures.push_back(where + ": crc range outside device memory");
            continue;
          }
          const uint32_t crc = crc_of(bytes.data(), bytes.size());
          if (crc != s.c) failures.push_back(where + ": CRC of " + (s.text.empty() ? hex(s.a) : "'" + s.text + "'") + " is " + hex(crc) + ", expected " + hex(s.c));
        }
      }
    };
    sc_core::sc_start();
    for (const auto& f : failures) std::printf("FAIL %s\n", f.c_str());
    std::printf("%s: %d checks, %zu failed (%s)\n", r->script.c_str(), checks, failures.size(), plat.description.c_str());
    if (!failures.empty()) throw Error(r->script + ": " + std::to_string(failures.size()) + " check(s) failed");
  });
}

}  // namespace subbit::cli
