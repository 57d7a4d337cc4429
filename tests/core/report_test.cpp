// The report library (software/report): activity-log parsing, Chrome trace events, CSV and the HTML
// page's escaping. The whole report is checked end to end by tests/acceptance/report.sh.
#include <gtest/gtest.h>

#include <sstream>

#include "quant/error.h"
#include "report/html_page.h"
#include "report/run_report.h"

namespace subbit::report {
namespace {

TEST(ActivityLog, ParsesUnitsLayersAndDetail) {
  std::istringstream in("# start_ns end_ns unit layer rows ch detail\n"
                        "158 381 load-weights layer=0 rows=0+6 ch=0+16 bytes=592\n"
                        "381 959 pe layer=2 rows=0+6 ch=0+16 macs=67200 effectual=67032\n");
  const std::vector<TimelineEvent> e = parse_activity_log(in, "log");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].unit, "load-weights");
  EXPECT_EQ(e[0].layer, 0);
  EXPECT_DOUBLE_EQ(e[0].start_ns, 158);
  EXPECT_EQ(e[1].layer, 2);
  EXPECT_EQ(e[1].detail, "rows=0+6 ch=0+16 macs=67200 effectual=67032");
}

TEST(ActivityLog, MalformedLinesAreNamed) {
  for (const char* bad : {"12 pe layer=0\n", "20 10 pe layer=0\n", "1 2 pe layer=x\n"}) {
    std::istringstream in(std::string("# header\n") + bad);
    try {
      parse_activity_log(in, "trace.log");
      FAIL() << "accepted: " << bad;
    } catch (const Error& err) {
      EXPECT_NE(std::string(err.what()).find("trace.log:2:"), std::string::npos) << err.what();
    }
  }
}

TEST(ChromeTrace, OneThreadPerUnitInPipelineOrderAndMicroseconds) {
  const std::vector<TimelineEvent> events = {{1000, 3000, "store", 1, "bytes=8"}, {0, 2000, "pe", 0, "macs=1"}, {500, 700, "pe", 1, ""}};
  const nlohmann::json t = chrome_trace(events, {"conv1", "fc"}, "net");
  std::map<std::string, int> tid;
  int x = 0;
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") tid[e["args"]["name"]] = e["tid"];
    if (e["ph"] == "X") ++x;
  }
  EXPECT_EQ(x, 3);
  EXPECT_LT(tid.at("pe"), tid.at("store"));  // pipeline order, not order of appearance
  const auto& first = t["traceEvents"].back();
  EXPECT_EQ(first["name"], "fc");
  EXPECT_DOUBLE_EQ(first["ts"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(first["dur"].get<double>(), 0.2);
  EXPECT_EQ(first["tid"], tid.at("pe"));
}

TEST(Csv, FieldsAreQuotedOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("conv1"), "conv1");
  EXPECT_EQ(csv_field("a, b"), "\"a, b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
}

TEST(LayersCsv, RowPerLayerAndTotal) {
  const nlohmann::json run = {{"clock_mhz", 500.0},
                              {"cycles", 300},
                              {"macs", 10},
                              {"layers", {{{"name", "conv, 1"}, {"op", "conv"}, {"cycles", 100}, {"macs", 10}}, {{"name", "fc"}, {"op", "conv"}, {"cycles", 200}}}},
                              {"energy", {{"layers", {{{"total_pj", 2000.0}, {"pe_pj", 500.0}}, {{"total_pj", 1000.0}}}}, {"total", {{"total_pj", 3000.0}}}}}};
  const std::string csv = layers_csv(run);
  std::istringstream in(csv);
  std::string header, l1, l2, total;
  std::getline(in, header), std::getline(in, l1), std::getline(in, l2), std::getline(in, total);
  EXPECT_EQ(l1.rfind("\"conv, 1\",conv,,100,0.2,10,", 0), 0u) << l1;
  EXPECT_EQ(l1.substr(l1.rfind(',') + 1), "2");  // energy_nj
  EXPECT_EQ(total.rfind("total,,,300,0.6,", 0), 0u) << total;
  EXPECT_EQ(total.substr(total.rfind(',') + 1), "3");
}

TEST(HtmlPage, DataCannotCloseItsScriptElement) {
  const nlohmann::json data = {{"name", "</script><script>alert(1)</script><!--"}};
  const std::string page = html_page("t <b>", "<p>body</p>", data, "const x = 1;");
  EXPECT_EQ(page.find("</script><script>alert(1)"), std::string::npos);
  EXPECT_EQ(page.find("<!--\""), std::string::npos);
  EXPECT_NE(page.find("\\u003c/script\\u003e"), std::string::npos);
  EXPECT_NE(page.find("<title>t &lt;b&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find(std::string(chart_js()).substr(0, 200)), std::string::npos);  // Chart.js inlined
  EXPECT_FALSE(chart_js_version().empty());
}

}  // namespace
}  // namespace subbit::report
