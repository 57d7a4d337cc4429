// Self-contained HTML pages for reports (docs/reports.md): one file with its data, Chart.js and the
// page's own script inlined, so it opens anywhere with no network and no server.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace subbit::report {

// Chart.js as installed by Debian's libjs-chart.js, embedded at build time, and its version.
std::string_view chart_js();
std::string_view chart_js_version();
// The script of the run report page (software/report/run_report.js).
std::string_view run_report_js();

// "<" ">" "&" and quotes escaped for HTML text and attribute values.
std::string escape_html(std::string_view text);

// The page: `title`, a stylesheet, `body_html`, `data` as a JSON script element (id "data", read
// with JSON.parse(document.getElementById('data').textContent)), Chart.js, then `script`.
std::string html_page(const std::string& title, const std::string& body_html, const nlohmann::json& data, const std::string& script);

// Writes `content` to `path` through a temporary file and a rename, so a reader never sees half a
// file and an interrupted run leaves the old one. Throws subbit::Error naming the path.
void write_file_atomic(const std::string& path, const std::string& content);

// One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(std::string_view text);

}  // namespace subbit::report
