#!/usr/bin/env python3
"""Checks the files of one `subbit report -o DIR` (docs/reports.md) against each other.

  check_report.py DIR [--trace FILE] [--html]

report.json: the run's JSON with per-layer energy; layers.csv: a row per layer and a total row whose
cycles are the JSON's; area.csv: the JSON's area units; timeline.trace.json: Chrome trace events, one
"X" event per activity-log line of the first inference (the first inference's lines of --trace FILE
when given). --html: headless Chromium opens report.html; the page's #status must read "ok" with the
five charts drawn, each with points, and Chromium must log nothing from the page's console.
Exit 1 with the reason on the first failed check."""
import csv, json, os, re, subprocess, sys, tempfile

def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)

def main():
    d = sys.argv[1]
    args = sys.argv[2:]
    run = json.load(open(os.path.join(d, "report.json")))
    layers = run["layers"]
    if not layers:
        fail("report.json has no layers")
    if len(run["energy"]["layers"]) != len(layers):
        fail("energy layers differ from layers")
    rows = list(csv.DictReader(open(os.path.join(d, "layers.csv"))))
    if len(rows) != len(layers) + 1 or rows[-1]["layer"] != "total":
        fail(f"layers.csv: expected {len(layers)} layer rows and a total row, got {len(rows)} rows")
    for row, layer, energy in zip(rows, layers, run["energy"]["layers"]):
        if row["layer"] != layer["name"] or int(row["cycles"]) != layer["cycles"]:
            fail(f"layers.csv row {row['layer']}: cycles {row['cycles']} vs report.json {layer['name']} {layer['cycles']}")
        if abs(float(row["energy_nj"]) * 1e3 - energy["total_pj"]) > 1e-6 * max(1.0, energy["total_pj"]):
            fail(f"layers.csv row {row['layer']}: energy {row['energy_nj']} nJ vs report.json {energy['total_pj']} pJ")
    if int(rows[-1]["cycles"]) != run["cycles"]:
        fail("layers.csv total cycles differ from report.json")
    area_rows = list(csv.DictReader(open(os.path.join(d, "area.csv"))))
    if "area" in run:
        units = run["area"]["units"]
        if len(area_rows) != len(units) + 1:
            fail(f"area.csv: expected {len(units)} unit rows and a total, got {len(area_rows)}")
        if abs(float(area_rows[-1]["area_um2"]) - run["area"]["total_um2"]) > 1e-6 * run["area"]["total_um2"]:
            fail("area.csv total differs from report.json")
    trace = json.load(open(os.path.join(d, "timeline.trace.json")))
    events = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    threads = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"}
    if not events:
        fail("timeline.trace.json has no events")
    if not {"pe", "post", "store"} <= threads:
        fail(f"timeline threads {sorted(threads)} lack pe/post/store")
    names = {l["name"] for l in layers}
    for e in events:
        if e["dur"] < 0 or e["ts"] < 0 or e["name"] not in names:
            fail(f"bad trace event {e}")
    if "--trace" in args:
        lines = [l for l in open(args[args.index("--trace") + 1]) if not l.startswith("#")]
        first_end = max(e["ts"] + e["dur"] for e in events) * 1000.0
        firsts = [l for l in lines if float(l.split()[1]) <= first_end + 1e-6]
        if len(firsts) != len(events) or len(lines) <= len(events) and run["images"] > 1:
            fail(f"--trace has {len(lines)} lines, {len(firsts)} in the first inference; the report's timeline {len(events)} events")
    if "--html" in args:
        html = os.path.join(os.path.abspath(d), "report.html")
        with tempfile.TemporaryDirectory() as profile:
            r = subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
                                "--enable-logging=stderr", "--v=0", "--window-size=1280,4000", "--dump-dom", "file://" + html],
                               capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"chromium exited with {r.returncode}: {r.stderr[-2000:]}")
        m = re.search(r'<div id="status" data-status="([a-z]+)">([^<]*)</div>', r.stdout)
        if not m:
            fail("report.html: no #status element in the rendered page")
        if m.group(1) != "ok":
            fail(f"report.html did not render: {m.group(2)}")
        charts = dict(c.split(":") for c in re.findall(r"[a-z]+-chart:\d+", m.group(2)))
        want = ["energy-chart", "roofline-chart", "latency-chart", "timeline-chart"] + (["area-chart"] if "area" in run else [])
        for c in want:
            if int(charts.get(c, 0)) < 1:
                fail(f"report.html: chart {c} missing or empty ({m.group(2)})")
        console = [l for l in r.stderr.splitlines() if "CONSOLE" in l]
        if console:
            fail("report.html logged to the console: " + " | ".join(console[:5]))
        if "<canvas" not in r.stdout or "Chart.js" not in open(html).read():
            fail("report.html has no canvas or no inlined Chart.js")
        if re.search(r'<script[^>]+src=|<link[^>]+href="http', open(html).read()):
            fail("report.html loads something from outside the page")
    print(f"ok: {len(layers)} layers, {len(events)} timeline events" + (", page rendered" if "--html" in args else ""))

main()
