#include "report/html_page.h"

#include <cstdio>
#include <fstream>

#include "quant/error.h"
#include "report/chart_js_embed.h"
#include "report/run_report_js.h"

namespace subbit::report {

std::string_view chart_js() { return {reinterpret_cast<const char*>(kChartJs), sizeof kChartJs}; }
std::string_view chart_js_version() { return kChartJsVersion; }
std::string_view run_report_js() { return {reinterpret_cast<const char*>(kRunReportJs), sizeof kRunReportJs}; }

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// JSON inside <script>: "</" would end the element early and "<!--" would open a comment; both are
// escaped as JSON string escapes, which JSON.parse reads back unchanged.
std::string json_for_script(const nlohmann::json& data) {
  const std::string s = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else out += c;
  }
  return out;
}

const char* kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
.chart { position: relative; height: 380px; margin: 1em 0; }
.tall { height: 520px; }
.note { color: #555; font-size: 0.85em; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
)";

}  // namespace

std::string html_page(const std::string& title, const std::string& body_html, const nlohmann::json& data, const std::string& script) {
  std::string page;
  page.reserve(chart_js().size() + body_html.size() + script.size() + 4096);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape_html(title) + "</title>\n<style>";
  page += kStyle;
  page += "</style>\n</head>\n<body>\n";
  page += body_html;
  page += "\n<script type=\"application/json\" id=\"data\">" + json_for_script(data) + "</script>\n";
  page += "<!-- Chart.js " + std::string(chart_js_version()) + " (MIT license, https://www.chartjs.org), from Debian's libjs-chart.js -->\n<script>";
  page += chart_js();
  page += "</script>\n<script>\n\"use strict\";\n";
  page += script;
  page += "\n</script>\n</body>\n</html>\n";
  return page;
}

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw Error(path + ": cannot open for writing");
    f.write(content.data(), static_cast<std::streamsize>(content.size()));
    f.close();
    if (!f) {
      std::remove(tmp.c_str());
      throw Error(path + ": cannot write (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot replace the file");
  }
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace subbit::report
