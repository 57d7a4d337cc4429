#!/usr/bin/env bash
# Synthesis figures of the hand-written RTL units for one architecture config: yosys maps each unit
# (flattened, on its own) to the OSU 0.18 um standard cells of Debian's qflow-tech-osu018, or to
# yosys's generic cells where no liberty is installed, and the script writes cells, flip-flops and
# area per unit as JSON (docs/rtl.md, "Synthesis").
#
#   scripts/synth.sh --config configs/default.yaml [--units a,b,c] [--build-dir build]
#                    [--liberty FILE|none] [--out build/synth/default.json] [--jobs N]
#                    [--mem-ff-max-bits N]
#
# The RTL is generated afresh with BUILD/subbit rtlgen into OUT's work folder (OUT without .json),
# which also keeps every unit's yosys scripts and logs. Units come from the generated files.f (a
# hand-written file rtl/NAME.sv that declares module NAME); the default is all of them except the
# memory wrappers (rtl/sram*.sv) and compute_core, whose SRAM area comes from the capacity model.
# Exit status: 0 when every unit synthesized, 1 when one failed (named on stderr; the JSON is still
# written), 2 on bad arguments.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v python3 >/dev/null || { echo "synth.sh: python3 is required" >&2; exit 2; }
SUBBIT_SYNTH_REPO="$(dirname "$here")" exec python3 - "$@" <<'PY'
import argparse, concurrent.futures, datetime, hashlib, json, os, re, shutil, subprocess, sys, time

REPO = os.environ["SUBBIT_SYNTH_REPO"]
OSU_LIBERTY = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib"
OSU_PACKAGE = "qflow-tech-osu018"
OSU_NAME = "OSU 0.18 um osu018_stdcells.lib from Debian qflow-tech-osu018"
GENERIC_NAME = "yosys generic cells"
DEFAULT_EXCLUDED = {"compute_core": "excluded by default: its buffers would be synthesized with the core "
                                    "(ask for it with --units compute_core)"}
MEMORY_WRAPPER = re.compile(r"^sram")
GENERIC_FF = re.compile(r"^\$_(DFF|DFFE|SDFF|SDFFE|SDFFCE|ALDFF|ALDFFE|DFFSR|DFFSRE)_")
GENERIC_LATCH = re.compile(r"^\$_(DLATCH|DLATCHSR|SR)_")
MEMORY_CELL = {"$mem", "$mem_v2"}


def die(msg, code=2):
    print(f"synth.sh: {msg}", file=sys.stderr)
    sys.exit(code)


def parse_args():
    ap = argparse.ArgumentParser(prog="synth.sh", description="Synthesize the RTL units of one config with yosys; write cells, flip-flops and area per unit as JSON.")
    ap.add_argument("--config", required=True, help="architecture config YAML (e.g. configs/default.yaml)")
    ap.add_argument("--build-dir", default=None, help="build tree holding the subbit binary (default: build/ of the repository)")
    ap.add_argument("--units", default=None, help="comma-separated units (default: every unit but memory wrappers and compute_core)")
    ap.add_argument("--liberty", default=None, help=f"liberty file (default: {OSU_LIBERTY} if installed); 'none' for yosys generic cells")
    ap.add_argument("--out", default=None, help="JSON to write (default: BUILD/synth/CONFIGNAME.json)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="units synthesized at once (default 1, so the times are per unit alone)")
    ap.add_argument("--mem-ff-max-bits", type=int, default=4096, help="inferred memories of at most this many bits become flip-flops; larger ones stay $mem cells, reported apart (default 4096)")
    a = ap.parse_args()
    if a.jobs < 1:
        die("--jobs must be at least 1")
    if a.mem_ff_max_bits < 0:
        die("--mem-ff-max-bits must be >= 0")
    return a


def resolve_input(path, what):
    """A path as given (relative to the working directory), else relative to the repository."""
    for cand in (path, os.path.join(REPO, path)):
        if os.path.isfile(cand):
            return os.path.abspath(cand)
    die(f"{what} not found: {path}")


def run(cmd, **kw):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, **kw)


def tool_version(cmd):
    try:
        r = run(cmd)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return None


def dpkg_version(pkg):
    try:
        r = run(["dpkg-query", "-W", "-f=${Status} ${Version}", pkg])
    except OSError:
        return None
    m = re.match(r"install ok installed (\S+)", r.stdout)
    return m.group(1) if m else None


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def parse_liberty(path):
    """Cell name -> (area, 'ff' | 'latch' | None) and the library's name."""
    text = open(path, encoding="utf-8", errors="replace").read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    m = re.search(r"\blibrary\s*\(\s*\"?([\w.-]+)\"?\s*\)", text)
    libname = m.group(1) if m else None
    cells = {}
    starts = [(m.start(), m.group(1)) for m in re.finditer(r"\bcell\s*\(\s*\"?([\w$.\[\]-]+)\"?\s*\)\s*\{", text)]
    for i, (pos, name) in enumerate(starts):
        body = text[pos:starts[i + 1][0] if i + 1 < len(starts) else len(text)]
        am = re.search(r"\barea\s*:\s*([0-9.eE+-]+)", body)
        kind = "ff" if re.search(r"\bff\s*\(", body) else "latch" if re.search(r"\blatch\s*\(", body) else None
        cells[name] = (float(am.group(1)) if am else None, kind)
    return libname, cells


def choose_library(arg):
    if arg is not None and arg.lower() == "none":
        return None
    if arg is not None:
        path = os.path.abspath(arg)
        if not os.path.isfile(path):
            die(f"liberty file not found: {arg}")
    elif os.path.isfile(OSU_LIBERTY):
        path = OSU_LIBERTY
    else:
        return None
    libname, cells = parse_liberty(path)
    if not cells:
        die(f"no cells found in liberty file {path}")
    installed = os.path.realpath(path) == os.path.realpath(OSU_LIBERTY)
    osu = libname == "osu018_stdcells"
    return {
        "path": path, "cells": cells, "libname": libname,
        "name": OSU_NAME if osu else f"liberty {os.path.basename(path)} (library {libname})",
        "package": (OSU_PACKAGE if osu else None),
        "package_version": dpkg_version(OSU_PACKAGE) if installed else None,
        "sha256": sha256(path),
    }


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def read_files_f(path):
    base = os.path.dirname(path)
    files = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("//") or line.startswith("#"):
            continue
        files.append(line if os.path.isabs(line) else os.path.join(base, line))
    return files


def discover(files, gen_dir):
    """Units (hand-written rtl/NAME.sv declaring module NAME) and, per file, the modules it declares."""
    gen_dir = os.path.realpath(gen_dir)
    info = []
    for f in files:
        try:
            text = strip_comments(open(f, encoding="utf-8", errors="replace").read())
        except OSError as e:
            die(f"files.f names a file that cannot be read: {f} ({e.strerror})")
        mods = re.findall(r"^\s*module\s+(?:automatic\s+|static\s+)?([A-Za-z_]\w*)", text, flags=re.M)
        generated = os.path.dirname(os.path.realpath(f)) == gen_dir
        info.append({"path": f, "text": text, "modules": mods, "generated": generated})
    units = {}
    for e in info:
        name = os.path.splitext(os.path.basename(e["path"]))[0]
        if not e["generated"] and name in e["modules"]:
            units[name] = e["path"]
    return units, info


def files_for(unit, info):
    """Generated files, then the hand-written files the unit needs (its own and, transitively, every
    file declaring a module its text names), in files.f order: one half-written unit elsewhere in
    rtl/ does not stop the others."""
    owner = {}
    for i, e in enumerate(info):
        for m in e["modules"]:
            owner.setdefault(m, i)
    words = [set(re.findall(r"[A-Za-z_]\w*", e["text"])) for e in info]
    need = set()
    todo = [owner[unit]]
    while todo:
        i = todo.pop()
        if i in need:
            continue
        need.add(i)
        todo += [owner[w] for w in words[i] if w in owner and owner[w] not in need]
    return [e["path"] for i, e in enumerate(info) if e["generated"] or i in need]


def il_int(v):
    m = re.fullmatch(r"(\d+)'([01xz]+)", v)
    if m:
        return int(m.group(2).replace("x", "0").replace("z", "0"), 2)
    return int(v)


def memories_in_il(path):
    """The $mem_v2 cells of a flattened RTLIL file: name, words, width, ports."""
    mems, cur = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            s = line.strip()
            if s.startswith("cell "):
                parts = s.split()
                cur = {"cell": parts[2], "params": {}} if parts[1] in MEMORY_CELL else None
                if cur is not None:
                    mems.append(cur)
            elif s == "end":
                cur = None
            elif cur is not None and s.startswith("parameter "):
                parts = s.split(None, 2)
                if len(parts) == 3:
                    cur["params"][parts[1].lstrip("\\")] = parts[2]
    out = []
    for m in mems:
        p = m["params"]
        try:
            words, width = il_int(p["SIZE"]), il_int(p["WIDTH"])
        except (KeyError, ValueError):
            continue
        memid = p.get("MEMID", m["cell"]).strip('"').replace("\\\\", "\\").lstrip("\\")
        out.append({"name": memid, "words": words, "width": width, "bits": words * width,
                    "read_ports": il_int(p["RD_PORTS"]) if "RD_PORTS" in p else None,
                    "write_ports": il_int(p["WR_PORTS"]) if "WR_PORTS" in p else None})
    return out


def yosys_error(log_text, stderr):
    for src in (stderr, log_text):
        lines = [l.strip() for l in src.splitlines() if l.strip().startswith("ERROR")]
        if lines:
            return lines[-1]
    tail = [l for l in (stderr or log_text).splitlines() if l.strip()]
    return tail[-1].strip() if tail else "yosys failed"


def run_yosys(script, log):
    r = run(["yosys", "-q", "-l", log, "-p", script])
    text = open(log, encoding="utf-8", errors="replace").read() if os.path.exists(log) else ""
    return r.returncode, text, r.stderr


def synth_unit(unit, files, work, lib, mem_max_bits):
    t0 = time.monotonic()
    res = {"status": "failed", "files": files}
    il = os.path.join(work, f"{unit}.coarse.il")
    p1 = (f"read_verilog -sv {' '.join(files)}; synth -flatten -top {unit} -run :fine; "
          f"write_rtlil {il}")
    rc, log1, err = run_yosys(p1, os.path.join(work, f"{unit}.coarse.log"))
    res["yosys"] = [p1]
    if rc != 0:
        res.update(error=yosys_error(log1, err), log=os.path.join(work, f"{unit}.coarse.log"),
                   seconds=round(time.monotonic() - t0, 2))
        return res

    mems = memories_in_il(il)
    shapes = sorted({(m["words"], m["width"]) for m in mems if m["bits"] <= mem_max_bits})
    for m in mems:
        m["mapped_to"] = "flip-flops" if m["bits"] <= mem_max_bits else "$mem_v2 cell (kept; not in cells, flip_flops or area)"
    stat_json = os.path.join(work, f"{unit}.stat.json")
    stat_txt = os.path.join(work, f"{unit}.stat.txt")
    lib_opt = f" -liberty {lib['path']}" if lib else ""
    # synth's own fine stage, except that memory_map takes only the small memories.
    cmds = [f"read_rtlil {il}", f"hierarchy -top {unit}", "opt -fast -full"]
    cmds += [f"memory_map t:$mem_v2 r:SIZE={w} %i r:WIDTH={b} %i" for w, b in shapes]
    cmds += ["opt -full", "techmap", "opt -fast", "abc -fast", "opt -fast", "hierarchy -check", "check"]
    if lib:
        cmds += [f"dfflibmap -liberty {lib['path']}", f"abc -liberty {lib['path']}", "opt_clean"]
    cmds += [f"tee -q -o {stat_json} stat -json{lib_opt}", f"tee -q -o {stat_txt} stat{lib_opt}"]
    p2 = "; ".join(cmds)
    res["yosys"].append(p2)
    log2_path = os.path.join(work, f"{unit}.log")
    rc, log2, err = run_yosys(p2, log2_path)
    res["log"] = log2_path
    res["seconds"] = round(time.monotonic() - t0, 2)
    if rc != 0:
        res["error"] = yosys_error(log2, err)
        return res
    res["warnings"] = sum(1 for l in (log1 + log2).splitlines() if l.startswith("Warning:"))

    raw = open(stat_json, encoding="utf-8").read()
    stat = json.loads(raw[raw.index("{"):])
    section = stat.get("design") or next(iter(stat.get("modules", {}).values()), {})
    by_type = dict(sorted(section.get("num_cells_by_type", {}).items()))
    cells = {t: n for t, n in by_type.items() if t not in MEMORY_CELL}
    ff = latches = 0
    unmapped = {}
    for t, n in cells.items():
        kind = None
        if lib and t in lib["cells"]:
            kind = lib["cells"][t][1]
        elif GENERIC_FF.match(t):
            kind = "ff"
        elif GENERIC_LATCH.match(t):
            kind = "latch"
        if lib and t not in lib["cells"]:
            unmapped[t] = n
        elif not lib and not t.startswith("$_"):
            unmapped[t] = n
        ff += n if kind == "ff" else 0
        latches += n if kind == "latch" else 0
    area = None
    if lib:
        txt = open(stat_txt, encoding="utf-8", errors="replace").read()
        found = re.findall(r"Chip area for (?:top )?module '\\?([^']+)':\s*([0-9.eE+-]+)", txt)
        for name, val in found:
            if name.lstrip("\\") == unit:
                area = float(val)
        if area is None:  # fall back to the liberty's cell areas
            area = sum(n * (lib["cells"][t][0] or 0.0) for t, n in cells.items() if t in lib["cells"])
        area = round(area, 3)
    kept = [m for m in mems if m["bits"] > mem_max_bits]
    res.update(status="ok", cells=sum(cells.values()), cells_by_type=cells, flip_flops=ff,
               latches=latches, area=area, memories=mems, memory_bits=sum(m["bits"] for m in kept))
    if unmapped:
        res["unmapped_cells"] = unmapped
    return res


def atomic_write_json(path, obj):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main():
    a = parse_args()
    config = resolve_input(a.config, "config file")
    cfg_name = os.path.splitext(os.path.basename(config))[0]
    build = os.path.abspath(a.build_dir) if a.build_dir else os.path.join(REPO, "build")
    if not os.path.isdir(build):
        die(f"build directory not found: {a.build_dir or build} (build first: scripts/build.sh)")
    out = os.path.abspath(a.out) if a.out else os.path.join(build, "synth", f"{cfg_name}.json")
    if not out.endswith(".json"):
        die(f"--out must name a .json file: {a.out}")
    if shutil.which("yosys") is None:
        die("yosys not found on PATH (scripts/install-deps.sh installs it)")
    lib = choose_library(a.liberty)

    subbit = os.path.join(build, "subbit")
    if not os.access(subbit, os.X_OK):
        if not any(os.path.exists(os.path.join(build, f)) for f in ("build.ninja", "Makefile")):
            die(f"no subbit binary in {build} and no build system there (build first: scripts/build.sh)")
        print(f"synth.sh: building subbit in {build}", file=sys.stderr)
        r = run(["cmake", "--build", build, "--target", "subbit"])
        if r.returncode != 0 or not os.access(subbit, os.X_OK):
            sys.stderr.write(r.stdout[-4000:] + r.stderr[-4000:])
            die(f"could not build {subbit}", 1)

    work = out[:-len(".json")]
    gen = os.path.join(work, "rtl")
    shutil.rmtree(gen, ignore_errors=True)
    os.makedirs(gen)
    r = run([subbit, "rtlgen", "--config", config, "-o", gen, "--rtl-dir", os.path.join(REPO, "rtl")])
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        die(f"subbit rtlgen failed on {a.config}", 2)
    header = open(os.path.join(gen, "subbit_config_pkg.sv"), encoding="utf-8").read(4000)
    m = re.search(r"design '([^']*)'", header)
    design = m.group(1) if m else None
    m = re.search(r"canonical config hash ([\w:]+)", header)
    cfg_hash = m.group(1) if m else None

    files = read_files_f(os.path.join(gen, "files.f"))
    listed = {os.path.realpath(f) for f in files}
    rtl_dir = os.path.join(REPO, "rtl")
    # Files in rtl/ that rtlgen's unit list (files.f) does not name yet: read after the listed ones,
    # synthesized only when named in --units.
    unlisted_files = [os.path.join(rtl_dir, f) for f in sorted(os.listdir(rtl_dir))
                      if f.endswith(".sv") and not f.startswith(".") and os.path.isfile(os.path.join(rtl_dir, f))
                      and os.path.realpath(os.path.join(rtl_dir, f)) not in listed]
    units, info = discover(files + unlisted_files, gen)
    unlisted = {u for u, f in units.items() if f in unlisted_files}
    if not units:
        die(f"no units found in {os.path.join(gen, 'files.f')}")
    excluded = {}
    for u in units:
        if u in unlisted:
            excluded[u] = "not in files.f (rtlgen's unit list): skipped unless named in --units"
        elif MEMORY_WRAPPER.match(u):
            excluded[u] = ("memory wrapper: skipped by default, its area comes from the SRAM capacity "
                           "model (ask for it with --units; its memories then stay $mem_v2 cells)")
        elif u in DEFAULT_EXCLUDED:
            excluded[u] = DEFAULT_EXCLUDED[u]
    if a.units:
        chosen = [u.strip() for u in a.units.split(",") if u.strip()]
        if not chosen:
            die("--units names no unit")
        unknown = [u for u in chosen if u not in units]
        if unknown:
            die(f"unknown unit{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                f"(units of {a.config}: {', '.join(sorted(units))})")
        chosen = list(dict.fromkeys(chosen))
        excluded = {u: why for u, why in excluded.items() if u not in chosen}
        not_chosen = [u for u in units if u not in chosen and u not in excluded]
    else:
        chosen = [u for u in units if u not in excluded]
        not_chosen = []

    print(f"synth.sh: {a.config} (design {design}, {cfg_hash}); library: "
          f"{lib['name'] if lib else GENERIC_NAME}; {len(chosen)} unit(s)", file=sys.stderr)
    t_all = time.monotonic()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        def one(u):
            r = synth_unit(u, files_for(u, info), work, lib, a.mem_ff_max_bits)
            print(f"synth.sh: {u}: {r['status']} ({r.get('seconds', 0):.1f} s)", file=sys.stderr, flush=True)
            return r
        futs = {u: ex.submit(one, u) for u in chosen}
        for u in chosen:
            results[u] = futs[u].result()
    failed = [u for u in chosen if results[u]["status"] != "ok"]

    git = run(["git", "-C", REPO, "rev-parse", "HEAD"]) if shutil.which("git") else None
    dirty = run(["git", "-C", REPO, "status", "--porcelain", "--", "rtl"]) if git and git.returncode == 0 else None
    doc = {
        "config": a.config,
        "config_path": config,
        "design": design,
        "config_hash": cfg_hash,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "source": {"git_commit": git.stdout.strip() if git and git.returncode == 0 else None,
                   "rtl_modified": bool(dirty.stdout.strip()) if dirty else None},
        "tools": {"yosys": tool_version(["yosys", "-V"]), "abc": "yosys-abc (built into yosys)",
                  "subbit_rtlgen": subbit, "python": sys.version.split()[0]},
        "library": lib["name"] if lib else GENERIC_NAME,
        "liberty": ({"path": lib["path"], "library": lib["libname"], "package": lib["package"],
                     "package_version": lib["package_version"], "sha256": lib["sha256"]} if lib else None),
        "area_unit": "um^2" if lib else None,
        "notes": ([] if lib else [("--liberty none" if a.liberty else
                                   f"no liberty found ({OSU_LIBERTY}; install {OSU_PACKAGE} or pass --liberty)")
                                  + ": cells are yosys's generic gates and area is null"]) + [
            "each unit is synthesized on its own and flattened (its submodules are counted in it)",
            f"memory policy: inferred memories of at most {a.mem_ff_max_bits} bits are mapped to flip-flops; "
            "larger ones stay $mem_v2 cells, listed under memories and counted in memory_bits, not in cells, "
            "flip_flops or area (SRAM area comes from the capacity model); memory wrappers (rtl/sram*.sv) "
            "and compute_core are skipped unless named in --units",
            "flip_flops counts single-bit flip-flop cells; cells counts every cell but memories"],
        "flow": ("per unit, two yosys runs: (1) read_verilog -sv FILES; synth -flatten -top UNIT -run :fine "
                 "(synth's begin and coarse stages); write_rtlil; (2) synth's fine stage (memory_map only on "
                 "small memories)" + ("; dfflibmap -liberty LIB; abc -liberty LIB; opt_clean; stat -liberty LIB"
                                      if lib else "; stat") + ". The exact commands are under units.UNIT.yosys."),
        "generated_rtl": gen,
        "work_dir": work,
        "jobs": a.jobs,
        "seconds": round(time.monotonic() - t_all, 2),
        "units": results,
        "skipped": {**excluded, **{u: "not named in --units" for u in not_chosen}},
        "failed": failed,
    }
    atomic_write_json(out, doc)

    rows = [("unit", "cells", "flip-flops", "area um^2" if lib else "area", "mem bits", "time s")]
    for u in chosen:
        r = results[u]
        if r["status"] == "ok":
            rows.append((u, str(r["cells"]), str(r["flip_flops"]),
                         f"{r['area']:.0f}" if r["area"] is not None else "-",
                         str(r["memory_bits"]), f"{r['seconds']:.1f}"))
        else:
            rows.append((u, "FAILED", "", "", "", f"{r.get('seconds', 0):.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print(f"{design} ({a.config}), {lib['name'] if lib else GENERIC_NAME}")
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip())
    for u, why in doc["skipped"].items():
        print(f"skipped {u}: {why}")
    print(f"wrote {out}")
    for u in failed:
        print(f"synth.sh: unit {u} failed to synthesize: {results[u].get('error')} (log: {results[u].get('log')})",
              file=sys.stderr)
    if failed:
        sys.exit(1)


main()
PY
