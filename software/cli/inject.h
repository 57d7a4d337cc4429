// --inject SPEC / --inject-seed N of `subbit run` and `subbit golden`: parsing, and the report of
// what was flipped (docs/fault-injection.md).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "fault/fault.h"

namespace subbit::cli {

struct InjectOptions {
  std::vector<std::string> specs;
  std::string seed;  // empty: 1
};
void add_inject_options(CLI::App& cmd, InjectOptions& o);

// nullptr without --inject. decryptor_n_out: the hardware decryptor's N_out (0: the network's).
// Throws subbit::Error naming `command`'s option and the bad field.
std::unique_ptr<fault::Injection> make_injection(const InjectOptions& o, const Network& net, int decryptor_n_out, const std::string& command);

// What was injected: per tensor the stored bits and the flips, per layer the effective weights that
// changed, activation flips per inference, the stuck decryptor outputs.
nlohmann::json faults_json(const fault::Injection& inj);
std::string faults_text(const fault::Injection& inj);

}  // namespace subbit::cli
