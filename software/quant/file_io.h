// Reading a whole input file with an error that says what was wrong with the path: missing, a
// directory, or unreadable, and what was expected there. Header-only: models/ uses it without
// linking subbit_core.
#pragma once
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "quant/error.h"

namespace subbit {

// Throws subbit::Error "<path>: ..., expected <what>" unless `path` is a readable regular file.
inline void check_input_file(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) throw Error(path + ": no such file, expected " + what);
  if (fs::is_directory(st)) throw Error(path + ": is a directory, expected " + what);
  if (!fs::is_regular_file(st)) throw Error(path + ": not a regular file, expected " + what);
}

// The file's bytes, after check_input_file.
inline std::string read_input_file(const std::string& path, const std::string& what) {
  check_input_file(path, what);
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open " + what);
  std::stringstream ss;
  ss << f.rdbuf();
  if (f.bad()) throw Error(path + ": cannot read " + what);
  return ss.str();
}

}  // namespace subbit
