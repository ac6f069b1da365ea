#!/usr/bin/env python3
"""The report of `make bench`: from what scripts/bench/guest.sh printed in
the test VM (one build/bench/<release>.raw per kernel) to

  build/bench/<release>.json   every run, and the aggregates below
  build/bench/<release>.md     the tables of that kernel
  docs/performance-<line>.svg    ratios to getppid and the tax, as a chart
  docs/performance.md          the results section, between its markers

usage: scripts/bench/report.py [--out DIR] [--docs DIR] RAW...

Only ratios within one boot mean anything under TCG: every figure here is
either a ratio inside one `xyz bench` run (to its getppid), or a comparison
of runs of the same boot, cycle by cycle (the tax), and then a median over
the cycles.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

MODES = ["direct", "table", "ftrace", "kprobe", "tracepoint"]
TARGETS = {
    "syscall": 1.15,      # syscall door in ftrace mode, x getppid
    "int80_excess": 0.15,  # int80 door ratio - getppid int80 ratio
    "ioctl": 1.6,         # ioctl door, x getppid
    "tax": 5.0,           # % on other syscalls, default mode
    "scaling": 1.8,       # 2 threads / 1 thread
    "scaling_rel": 0.95,  # a door's scaling / getppid's, same boot
}

# (bin, row name in xyz bench) -> label, in table order
DOOR_ROWS = [
    ("xyz", "getppid (syscall)", "getppid, `syscall` (the anchor)"),
    ("xyz", "getppid (int80)", "getppid, `int $0x80` from 64-bit"),
    ("xyz32", "getppid (int80)", "getppid, `int $0x80` from 32-bit"),
    ("xyz32", "getppid (libc)", "getppid, 32-bit glibc (vDSO `sysenter`)"),
    ("xyz", "read 1 B (syscall)", "read 1 B of /dev/zero, `syscall`"),
    ("xyz", "ENOSYS (syscall)", "an unused number (ENOSYS), `syscall`"),
    ("xyz", "clock_gettime (vdso)", "clock_gettime (vDSO)"),
    ("xyz", "raw mmap (INFO)", "**xyz** the shared page read in place (seqcount, counters)"),
    ("xyz32", "raw mmap (INFO)", "**xyz** the shared page read in place, 32-bit"),
    ("xyz", "mmap (INFO)", "libxyz `xyz_info(XYZ_VIA_MMAP)` (the vDSO door)"),
    ("xyz32", "mmap (INFO)", "libxyz `xyz_info(XYZ_VIA_MMAP)` from 32-bit"),
    ("xyz", "INFO via syscall", "libxyz INFO through the `syscall` door"),
    ("xyz", "INFO via ioctl", "libxyz INFO through `ioctl`"),
    ("xyz", "raw syscall", "**xyz** `syscall` instruction"),
    ("xyz", "raw int80", "**xyz** `int $0x80` from 64-bit"),
    ("xyz32", "raw int80", "**xyz** `int $0x80` from 32-bit (xyz32)"),
    ("xyz", "raw ioctl", "**xyz** `ioctl`"),
    ("xyz32", "raw ioctl", "**xyz** `ioctl` from 32-bit (`int $0x80`, compat_ioctl)"),
    ("xyz", "syscall", "libxyz `xyz_syscall()` (glibc `syscall()`)"),
    ("xyz", "asm", "libxyz `xyz_syscall_asm()`"),
    ("xyz", "int80", "libxyz `xyz_int80()` from 64-bit"),
    ("xyz32", "int80", "libxyz `xyz_int80()` from 32-bit"),
    ("xyz32", "syscall", "libxyz `xyz_syscall()` from 32-bit (vDSO `sysenter`)"),
    ("xyz", "ioctl", "libxyz `xyz_ioctl()`"),
    ("xyz32", "ioctl", "libxyz `xyz_ioctl()` from 32-bit"),
] + [("xyz", "uring, batch %d" % k, "libxyz io_uring batch of %d, per call" % k)
     for k in (1, 8, 32, 128)] + [
    ("xyz", "OP_NOP, batch %d" % k, "io_uring `IORING_OP_NOP` batch of %d, per op" % k)
    for k in (1, 8, 32, 128)]

TAX_ROWS = [
    ("getppid (syscall)", "getppid, `syscall`"),
    ("read 1 B (syscall)", "read 1 B of /dev/zero, `syscall`"),
    ("getppid (int80)", "getppid, `int $0x80` (ia32 dispatch)"),
    ("ENOSYS (syscall)", "an unused number (ENOSYS)"),
    ("clock_gettime (vdso)", "clock_gettime"),
]

# chart: (bin, row, short label)
CHART_ROWS = [
    ("xyz", "raw mmap (INFO)", "mmap INFO"),
    ("xyz", "raw syscall", "syscall"),
    ("xyz", "asm", "syscall (libxyz)"),
    ("xyz", "raw int80", "int80 (64)"),
    ("xyz32", "raw int80", "int80 (32)"),
    ("xyz", "raw ioctl", "ioctl"),
    ("xyz", "getppid (int80)", "getppid int80"),
    ("xyz", "read 1 B (syscall)", "read 1 B"),
    ("xyz", "ENOSYS (syscall)", "ENOSYS"),
]

USER_ROW = "user loop (no kernel)"

CHART_TAX = [
    ("getppid (syscall)", "getppid"),
    ("read 1 B (syscall)", "read 1 B"),
    ("getppid (int80)", "getppid int80"),
    ("ENOSYS (syscall)", "ENOSYS"),
    ("clock_gettime (vdso)", "clock_gettime"),
]


def quartiles(values):
    v = sorted(values)
    if len(v) < 2:
        return (v[0], v[0]) if v else (None, None)
    q = statistics.quantiles(v, n=4, method="inclusive")
    return q[0], q[2]


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def series_of(kver):
    """A kernel's matrix line, as the trace references name it: its series,
    with +debNN and a flavour where it has them (6.12+deb12, 6.12+deb13,
    6.12+deb13-rt, 7.2+deb14)."""
    m = re.match(r"(\d+\.\d+)", kver)
    if not m:
        return kver
    deb = re.search(r"\+(deb\d+)(?:-([a-z]+))?-(?:amd64|arm64)$", kver)
    if not deb:
        return m.group(1)
    return m.group(1) + "+" + deb.group(1) + ("-" + deb.group(2) if deb.group(2) else "")


# ---------------------------------------------------------------- parsing

def parse_raw(path):
    data = {"env": {}, "host": {}, "modes": {}, "runs": [], "errors": []}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("BENCHENV "):
                _, key, *rest = line.split(" ", 2)
                data["env"][key] = rest[0] if rest else ""
            elif line.startswith("BENCHHOST "):
                _, key, *rest = line.split(" ", 2)
                data["host"][key] = rest[0] if rest else ""
            elif line.startswith("BENCHMODE "):
                _, mode, what, *rest = line.split(" ", 3)
                data["modes"][mode] = {"result": what,
                                       "detail": rest[0] if rest else ""}
            elif line.startswith("BENCHERR"):
                data["errors"].append(line)
            elif line.startswith("BENCH "):
                parts = line.split(" ", 6)
                if len(parts) < 7:
                    data["errors"].append("truncated: " + line[:200])
                    continue
                _, kind, cycle, state, binary, load, text = parts
                try:
                    result = json.loads(text)
                except ValueError as e:
                    data["errors"].append("bad JSON (%s): %s" % (e, line[:200]))
                    continue
                busy = {}
                for item in filter(None, load.split(",")):
                    cpu, _, val = item.partition("=")
                    try:
                        busy[cpu] = float(val)
                    except ValueError:
                        pass
                data["runs"].append({"kind": kind, "cycle": int(cycle),
                                     "state": state, "bin": binary,
                                     "busy": busy, "result": result})
    return data


def rows_of(run):
    return {r["door"]: r for r in run["result"]["rows"]}


def other_busy(run):
    """Busy fraction of the CPUs the run was not pinned to (max)."""
    cpu = run["result"].get("cpu", -1)
    vals = [v for k, v in run["busy"].items() if k != "cpu%d" % cpu]
    return max(vals) if vals and cpu >= 0 else None


# ------------------------------------------------------------ aggregation

def aggregate(data):
    runs = data["runs"]
    modes = [m for m in MODES if data["modes"].get(m, {}).get("result") == "loads"]
    agg = {"modes": modes}

    # NOP through every door, per mode: medians over the cycles
    doors = {}
    for mode in modes:
        by_cycle = {}
        for run in runs:
            if run["kind"] == "doors" and run["state"] == mode:
                by_cycle.setdefault(run["cycle"], {})[run["bin"]] = rows_of(run)
        table = {}
        for binary, name, _ in DOOR_ROWS:
            meds, p99s, ratios, anchors = [], [], [], []
            for cycle, bins in sorted(by_cycle.items()):
                row = bins.get(binary, {}).get(name)
                if not row or not row.get("available"):
                    continue
                meds.append(row["median_ns"])
                p99s.append(row["p99_ns"])
                ratios.append(row["ratio"])
                if binary == "xyz":
                    anchors.append(row["ratio"])
                else:
                    # to the anchor through the getppid int80 of both runs
                    g64 = bins.get("xyz", {}).get("getppid (int80)")
                    if g64 and g64.get("available"):
                        anchors.append(row["ratio"] * g64["ratio"])
            if not meds:
                continue
            table[binary + ":" + name] = {
                "median_ns": med(meds), "p99_ns": med(p99s),
                "ratio": med(ratios), "anchor_ratio": med(anchors),
                "anchor_min": min(anchors) if anchors else None,
                "anchor_max": max(anchors) if anchors else None,
                "cycles": len(meds),
            }
        doors[mode] = table
    agg["doors"] = doors

    # the tax: each loaded state against the unloaded state of its cycle,
    # each state's figure the median over its processes. Each process's time
    # is first divided by its own "user loop" (no kernel, no hook): a host
    # that is busy for a while slows every row of a run alike, and that
    # division takes it out; the raw figures are kept too.
    def state_ns(kind_state, normalized):
        out = {}
        for run in runs:
            if run["kind"] != "tax" or run["state"] != kind_state:
                continue
            rows = rows_of(run)
            ref = rows.get(USER_ROW)
            if normalized and not (ref and ref.get("available")):
                continue
            for name, row in rows.items():
                if row.get("available"):
                    v = row["median_ns"] / ref["median_ns"] if normalized else row["median_ns"]
                    out.setdefault(run["cycle"], {}).setdefault(name, []).append(v)
        return {c: {n: med(v) for n, v in rows.items()} for c, rows in out.items()}
    unloaded_raw = state_ns("unloaded", False)
    agg["tax_unloaded_ns"] = {name: med([u.get(name) for u in unloaded_raw.values()])
                              for name, _ in TAX_ROWS}
    # how much one process differs from the next, unloaded: the noise floor
    spread = {}
    for run in runs:
        if run["kind"] == "tax" and run["state"] == "unloaded":
            row = rows_of(run).get("getppid (syscall)")
            if row and row.get("available"):
                spread.setdefault(run["cycle"], []).append(row["median_ns"])
    devs = [100 * (x / med(v) - 1) for v in spread.values() if len(v) > 1 for x in v]
    agg["process_spread_pct"] = (max(abs(d) for d in devs) if devs else None)
    agg["process_spread_typical_pct"] = (med([abs(d) for d in devs]) if devs else None)

    def tax_of(normalized):
        unloaded = state_ns("unloaded", normalized)
        tax = {}
        for mode in modes:
            loaded = state_ns(mode, normalized)
            per = {}
            for cycle, rows in loaded.items():
                u = unloaded.get(cycle)
                if not u:
                    continue
                for name, _ in TAX_ROWS:
                    if rows.get(name) and u.get(name):
                        per.setdefault(name, []).append(100 * (rows[name] / u[name] - 1))
            tax[mode] = {}
            for name, pcts in per.items():
                q1, q3 = quartiles(pcts)
                tax[mode][name] = {"pct": med(pcts), "min": min(pcts), "max": max(pcts),
                                   "q1": q1, "q3": q3, "cycles": len(pcts)}
        return tax
    agg["tax"] = tax_of(True)
    agg["tax_raw"] = tax_of(False)
    if not any(agg["tax"].values()):
        agg["tax"] = agg["tax_raw"]     # an xyz without the user loop row

    # ECHO by size
    echo = {}
    for run in runs:
        if run["kind"] != "echo":
            continue
        res = run["result"]
        size = res["size"] if res["op"] == "echo" else 0
        for name, row in rows_of(run).items():
            if row.get("kind") == "xyz" and row.get("available"):
                e = echo.setdefault(name, {}).setdefault(str(size),
                                                         {"ns": [], "ratio": []})
                e["ns"].append(row["median_ns"])
                e["ratio"].append(row["ratio"])
    agg["echo_mode"] = next((r["state"] for r in runs if r["kind"] == "echo"), None)
    agg["echo"] = {door: {size: {"ns": med(v["ns"]), "ratio": med(v["ratio"]),
                                 "reps": len(v["ns"])}
                          for size, v in sizes.items()}
                   for door, sizes in echo.items()}
    for door, sizes in agg["echo"].items():
        if "4096" in sizes and "65536" in sizes:
            d_ns = sizes["65536"]["ns"] - sizes["4096"]["ns"]
            d_ratio = sizes["65536"]["ratio"] - sizes["4096"]["ratio"]
            sizes["ns_per_byte"] = d_ns / (65536 - 4096)
            sizes["ratio_per_kib"] = d_ratio * 1024 / (65536 - 4096)

    # scaling
    scaling = {}
    for run in runs:
        if run["kind"] != "scaling":
            continue
        agg["scaling_mode"] = run["state"]
        agg["scaling_threads"] = run["result"].get("threads")
        agg["scaling_cpus"] = run["result"].get("cpus")
        for name, row in rows_of(run).items():
            if row.get("available"):
                scaling[name] = {k: row.get(k) for k in
                                 ("tput1_per_s", "tputn_per_s", "scaling",
                                  "scaling_min", "scaling_max")}
    agg["scaling"] = scaling

    # the vCPUs of this boot against each other (getppid, unloaded)
    percpu = {}
    for run in runs:
        if run["kind"] == "cpucheck":
            row = rows_of(run).get("getppid (syscall)")
            if row and row.get("available"):
                percpu.setdefault(run["state"], []).append(row["median_ns"])
    agg["cpucheck_ns"] = {cpu: med(v) for cpu, v in sorted(percpu.items())}

    # noise: how busy the other vCPU was, the timer against the batches
    busy = [other_busy(r) for r in runs if r["kind"] != "scaling"]
    busy = [b for b in busy if b is not None]
    agg["other_cpu_busy"] = {"median": med(busy), "max": max(busy) if busy else None,
                             "runs_over_10pct": sum(b > 0.10 for b in busy),
                             "runs": len(busy)}
    batch = [row["median_ns"] * row["iterations"] for r in runs
             if r["kind"] != "scaling" for row in r["result"]["rows"]
             if row.get("available")]
    res = [r["result"].get("clock_res_ns", 0) for r in runs]
    clock = [row["median_ns"] for r in runs if r["kind"] != "scaling"
             for row in r["result"]["rows"]
             if row["door"] == "clock_gettime (vdso)" and row.get("available")]
    agg["timer"] = {"clock_res_ns": max(res) if res else None,
                    "clock_read_ns": max(clock) if clock else None,
                    "min_batch_ns": min(batch) if batch else None,
                    "min_iterations": min((row["iterations"] for r in runs
                                           for row in r["result"]["rows"]
                                           if row.get("available")), default=None)}
    return agg


# ---------------------------------------------------------------- targets

def targets(agg, default):
    """[(what, threshold text, {mode: (value text, ok)}), ...]"""
    doors, tax = agg["doors"], agg["tax"]
    out = []

    def cell(mode, key, fmt, limit, transform=None):
        row = doors.get(mode, {}).get(key)
        if not row or row.get("anchor_ratio") is None:
            return None
        v = row["anchor_ratio"] if transform is None else transform(mode, row)
        if v is None:
            return None
        return (fmt % v, v <= limit)

    def per_mode(fn):
        return {m: fn(m) for m in agg["modes"]}

    out.append(("`syscall` door / getppid (bare instruction, same run)",
                "<= %.2f (in ftrace)" % TARGETS["syscall"],
                per_mode(lambda m: cell(m, "xyz:raw syscall", "%.2f", TARGETS["syscall"]))))
    out.append(("... through libxyz `xyz_syscall()` (glibc `syscall()`)",
                "<= %.2f (in ftrace)" % TARGETS["syscall"],
                per_mode(lambda m: cell(m, "xyz:syscall", "%.2f", TARGETS["syscall"]))))

    def excess(binary):
        def f(mode, row):
            g = doors[mode].get(binary + ":getppid (int80)")
            if not g:
                return None
            return row["anchor_ratio"] - g["anchor_ratio"]
        return f
    for binary, label in (("xyz32", "from 32-bit"), ("xyz", "from 64-bit")):
        out.append(("`int $0x80` door - getppid `int $0x80`, %s (getppid units)" % label,
                    "<= +%.2f" % TARGETS["int80_excess"],
                    per_mode(lambda m, b=binary: cell(m, b + ":raw int80", "%+.2f",
                                                       TARGETS["int80_excess"],
                                                       excess(b)))))
    out.append(("... through libxyz `xyz_int80()` from 32-bit",
                "<= +%.2f" % TARGETS["int80_excess"],
                per_mode(lambda m: cell(m, "xyz32:int80", "%+.2f", TARGETS["int80_excess"],
                                        excess("xyz32")))))
    out.append(("`ioctl` door / getppid (bare instruction, same run)",
                "<= %.1f" % TARGETS["ioctl"],
                per_mode(lambda m: cell(m, "xyz:raw ioctl", "%.2f", TARGETS["ioctl"]))))
    for name, label in (("getppid (syscall)", "getppid"),
                        ("read 1 B (syscall)", "read 1 B")):
        def taxcell(m, name=name):
            t = tax.get(m, {}).get(name)
            if not t:
                return None
            return ("%+.1f %%" % t["pct"], t["pct"] <= TARGETS["tax"])
        out.append(("tax on %s" % label, "<= %.0f %% (default mode: %s)"
                    % (TARGETS["tax"], default), per_mode(taxcell)))
    sc = agg["scaling"]
    rows = {}
    for name, label in (("asm", "raw syscall"), ("ioctl", "ioctl")):
        if name in sc and sc[name]["scaling"] is not None:
            rows[label] = ("%.2f x" % sc[name]["scaling"],
                           sc[name]["scaling"] >= TARGETS["scaling"])
    out.append(("2 threads / 1 thread, NOP (%s)" % ", ".join(rows),
                ">= %.1f x" % TARGETS["scaling"],
                {agg.get("scaling_mode", default): (
                    ", ".join(v[0] for v in rows.values()),
                    all(v[1] for v in rows.values())) if rows else None}))
    rel = scaling_relative(sc)
    if rel:
        worst = min(rel, key=rel.get)
        out.append(("every door's 2-thread scaling / getppid's (worst: %s)" % worst,
                    ">= %.2f" % TARGETS["scaling_rel"],
                    {agg.get("scaling_mode", default): (
                        "%.2f" % rel[worst], rel[worst] >= TARGETS["scaling_rel"])}))
    return out


def scaling_relative(sc):
    """Each door row's scaling over getppid's in the same run (issue 17:
    the doors must not make CPUs contend more than a plain system call)."""
    base = sc.get("getppid (syscall)", {}).get("scaling")
    if not base:
        return {}
    return {name: r["scaling"] / base for name, r in sc.items()
            if r.get("scaling") is not None and name not in SCALING_BASELINES}


# vm-run.sh's XYZ_ACCEL values as QEMU options
ACCEL_NAMES = {"tcg-multi": "tcg,thread=multi", "tcg": "tcg,thread=single"}


# The rows of a scaling run that are not xyz doors.
SCALING_BASELINES = ("getppid (syscall)", "getppid (int80)", "clock_gettime (vdso)",
                     "user loop (no kernel)", "read 1 B (syscall)", "ENOSYS (syscall)",
                     "OP_NOP, batch 1", "OP_NOP, batch 8", "OP_NOP, batch 32",
                     "OP_NOP, batch 128")


# --------------------------------------------------------------- markdown

def fmt_ns(v):
    return "-" if v is None else "%.0f" % v


def fmt_ratio(v):
    return "-" if v is None else "%.2f" % v


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(head))) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def kernel_markdown(kver, data, agg, chart=None, level="###"):
    env, modes = data["env"], agg["modes"]
    default = data["modes"].get("auto", {}).get("detail", "?")
    vdso = env.get("clocksource") == "tsc"
    L = []
    L.append("%s %s\n" % (level, kver))
    refused = {m: v for m, v in data["modes"].items() if v["result"] == "refused"}
    loads = [m for m, v in data["modes"].items() if v["result"] == "loads" and m != "auto"]
    L.append("Guest: %s, %s vCPUs, clocksource `%s`%s. Modes that load: %s; `auto` picks **%s**."
             % (env.get("cpu", "?"), env.get("cpus", "?"), env.get("clocksource", "?"),
                "" if vdso else " (so clock_gettime is a real system call here, the vDSO "
                "falls back to the kernel, and reading the HPET is slow under TCG)",
                ", ".join(loads) or "none", default))
    for m, v in refused.items():
        msg = v["detail"].split("| ", 1)[-1].strip()
        L.append("`hook=%s` refuses to load, as it must: \"%s\"" % (m, msg))
    L.append("")
    if chart:
        L.append("![ratios to getppid and the tax on %s](%s)\n" % (kver, chart))

    cycles = max([r["cycles"] for m in modes for r in agg["doors"][m].values()] or [0])
    L.append("**NOP through every door: ratio to getppid (`syscall`) of the same run**, median over "
             "%d cycles, ns in parentheses. **xyz** rows are the bare instruction, timed exactly like "
             "the getppid rows; libxyz rows add the library's dispatch. 32-bit rows are brought to "
             "the anchor through getppid `int $0x80` of the 64-bit run.\n" % cycles)
    rows = []
    for binary, name, label in DOOR_ROWS:
        cells = []
        for m in modes:
            r = agg["doors"][m].get(binary + ":" + name)
            cells.append("-" if not r else "%s (%s)" % (fmt_ratio(r["anchor_ratio"]),
                                                        fmt_ns(r["median_ns"])))
        if any(c != "-" for c in cells):
            rows.append([label] + cells)
    L.append(md_table(["door"] + ["`hook=%s`" % m for m in modes], rows))
    L.append("")

    L.append("**The tax on other system calls**: loaded / unloaded - 1 of each call's time over the "
             "user loop of its own run; each state the median of %s processes, paired cycle by "
             "cycle; median over the cycles, interquartile range in parentheses, and the same "
             "from the raw times (not divided by the user loop). Unloaded ns for scale.\n"
             % env.get("settings", "").partition("tax_runs=")[2].split(" ")[0])
    rows = []
    for name, label in TAX_ROWS:
        if name == "clock_gettime (vdso)":
            label = ("clock_gettime, vDSO (control: no kernel entry)" if vdso else
                     "clock_gettime (a system call here: `%s`)" % env.get("clocksource"))
        cells = [fmt_ns(agg["tax_unloaded_ns"].get(name))]
        for m in modes:
            t = agg["tax"].get(m, {}).get(name)
            raw = agg.get("tax_raw", {}).get(m, {}).get(name)
            cells.append("-" if not t else "%+.1f %% (%+.1f..%+.1f)%s" % (
                t["pct"], t["q1"], t["q3"], "; raw %+.1f %%" % raw["pct"] if raw else ""))
        rows.append([label] + cells)
    L.append(md_table(["system call", "unloaded ns"] + ["`hook=%s`" % m for m in modes], rows))
    L.append("")

    if agg["echo"]:
        L.append("**ECHO by size** (`hook=%s`): ratio to getppid of the same run, ns in "
                 "parentheses; the copy cost is the slope from 4 KiB to 64 KiB.\n"
                 % agg.get("echo_mode"))
        sizes = ["0", "64", "4096", "65536"]
        rows = []
        for door, label in (("raw syscall", "**xyz** `syscall`"), ("raw ioctl", "**xyz** `ioctl`"),
                            ("asm", "libxyz `xyz_syscall_asm()`"), ("ioctl", "libxyz `xyz_ioctl()`")):
            e = agg["echo"].get(door)
            if not e:
                continue
            cells = ["-" if s not in e else "%s (%s)" % (fmt_ratio(e[s]["ratio"]), fmt_ns(e[s]["ns"]))
                     for s in sizes]
            per = "-" if "ns_per_byte" not in e else "%.2f ns/B, %.1f getppid per KiB" % (
                e["ns_per_byte"], e["ratio_per_kib"])
            rows.append([label] + cells + [per])
        L.append(md_table(["door", "NOP", "64 B", "4 KiB", "64 KiB", "copy cost"], rows))
        L.append("")

    if agg["scaling"]:
        L.append("**Throughput, 1 thread against %s** (`hook=%s`, one thread pinned per vCPU): "
                 "median over rounds, min..max in parentheses.\n"
                 % (agg.get("scaling_threads"), agg.get("scaling_mode")))
        rows = []
        rel = scaling_relative(agg["scaling"])
        for name, r in agg["scaling"].items():
            rows.append([name, "%.0f" % r["tput1_per_s"], "%.0f" % r["tputn_per_s"],
                         "%.2f x (%.2f..%.2f)" % (r["scaling"], r["scaling_min"], r["scaling_max"]),
                         "%.2f" % rel[name] if name in rel else ""])
        L.append(md_table(["row", "calls/s, 1 thread",
                           "calls/s, %s threads" % agg.get("scaling_threads"), "scaling",
                           "/ getppid's"], rows))
        L.append("")

    L.append("**Targets** (✓ met, ✗ missed):\n")
    rows = []
    for what, limit, cells in targets(agg, default):
        cols = []
        for m in modes:
            c = cells.get(m)
            cols.append("" if not c else "%s %s" % (c[0], "✓" if c[1] else "✗"))
        rows.append([what, limit] + cols)
    L.append(md_table(["target", "limit"] + ["`hook=%s`" % m for m in modes], rows))
    L.append("")

    L.append("<details><summary>%s, per mode: median, p99, spread</summary>\n" % kver)
    for m in modes:
        L.append("`hook=%s`: median and p99 of the batch means, median over the cycles; "
                 "ratio to getppid (`syscall`); spread: min..max of that ratio over the cycles.\n" % m)
        rows = []
        for binary, name, label in DOOR_ROWS:
            r = agg["doors"][m].get(binary + ":" + name)
            if not r:
                continue
            rows.append([label, fmt_ns(r["median_ns"]), fmt_ns(r["p99_ns"]),
                         fmt_ratio(r["anchor_ratio"]),
                         "%s..%s" % (fmt_ratio(r["anchor_min"]), fmt_ratio(r["anchor_max"]))])
        L.append(md_table(["door", "median ns", "p99 ns", "ratio", "spread"], rows))
        L.append("")
    L.append("</details>\n")

    cc = agg.get("cpucheck_ns") or {}
    if len(cc) > 1:
        lo = min(cc.values())
        L.append("vCPUs in this boot: getppid (unloaded) takes %s; every latency run was pinned "
                 "to `%s`.\n" % (", ".join("%.0f ns on %s (%+.0f %%)" % (v, c, 100 * (v / lo - 1))
                                         for c, v in cc.items()),
                                "cpu" + env.get("settings", "cpu=0").partition("cpu=")[2].split(" ")[0]))
    nb, tm = agg["other_cpu_busy"], agg["timer"]
    L.append("Noise: one process's getppid differs from the median of the processes of its state "
             "and cycle by %.1f %% typically, %.1f %% at worst (unloaded). The other vCPU was busy "
             "%.0f %% of the time in the median run (worst %.0f %%, %d of %d runs over 10 %%). "
             "Timer: `CLOCK_MONOTONIC` resolution %s ns, a clock read costs at most %s ns, the "
             "shortest median batch took %.2f ms (%s calls or more per batch): timer and clock "
             "reads stay under %.2f %% of every batch."
             % (agg.get("process_spread_typical_pct") or 0, agg.get("process_spread_pct") or 0,
                100 * (nb["median"] or 0), 100 * (nb["max"] or 0), nb["runs_over_10pct"],
                nb["runs"], fmt_ns(tm["clock_res_ns"]), fmt_ns(tm.get("clock_read_ns")),
                (tm["min_batch_ns"] or 0) / 1e6, tm["min_iterations"],
                100 * ((tm["clock_res_ns"] or 0) + (tm.get("clock_read_ns") or 0))
                / (tm["min_batch_ns"] or 1)))
    if data["errors"]:
        L.append("\nErrors during the run:\n")
        L += ["    " + e for e in data["errors"]]
    L.append("")
    return "\n".join(L)


# ------------------------------------------------------------------ chart

def chart(kver, agg, path, workdir):
    modes = agg["modes"]
    dat = os.path.join(workdir, "chart-%s.dat" % kver)
    with open(dat, "w") as f:
        for binary, name, label in CHART_ROWS:
            vals = []
            for m in modes:
                r = agg["doors"][m].get(binary + ":" + name)
                if r and r["anchor_ratio"] is not None:
                    vals += ["%.3f" % r["anchor_ratio"], "%.3f" % r["anchor_min"],
                             "%.3f" % r["anchor_max"]]
                else:
                    vals += ["NaN"] * 3
            f.write('"%s" %s\n' % (label, " ".join(vals)))
    tax = os.path.join(workdir, "chart-%s-tax.dat" % kver)
    with open(tax, "w") as f:
        for name, label in CHART_TAX:
            vals = []
            for m in modes:
                t = agg["tax"].get(m, {}).get(name)
                vals += (["%.2f" % t["pct"], "%.2f" % t["q1"], "%.2f" % t["q3"]]
                         if t else ["NaN"] * 3)
            f.write('"%s" %s\n' % (label, " ".join(vals)))
    # a bar far above the others (an unused number under kprobe) is cut
    taxmax = 60
    over = ["%s under %s: %+.0f %%" % (label, m, agg["tax"][m][name]["pct"])
            for name, label in CHART_TAX for m in modes
            if agg["tax"].get(m, {}).get(name) and agg["tax"][m][name]["pct"] > taxmax]
    title = ("The tax: what every other system call pays with the module loaded "
             "(over the user loop; bars: IQR)")
    gp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chart.gp")
    cmd = ["gnuplot", "-e", "dat='%s'; tax='%s'; out='%s'; kver='%s'; modes='%s'; "
           "taxmax=%d; taxnote='%s'; taxtitle='%s'"
           % (dat, tax, path, kver, " ".join(modes), taxmax,
              ("off the scale: " + ", ".join(over)) if over else "", title), gp]
    subprocess.run(cmd, check=True)


# ------------------------------------------------------------------- docs

BEGIN = "<!-- BEGIN bench results: generated by scripts/bench/report.py, do not edit -->"
END = "<!-- END bench results -->"


def update_doc(doc, body):
    text = open(doc).read() if os.path.exists(doc) else "# Performance\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN not in text or END not in text:
        text += "\n" + BEGIN + "\n" + END + "\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(doc + ".tmp", "w") as f:
        f.write(head + BEGIN + "\n" + body.rstrip("\n") + "\n" + END + tail)
    os.replace(doc + ".tmp", doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--docs", default="docs")
    ap.add_argument("--seconds", help="wall time of make bench, for the record")
    ap.add_argument("raw", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    sections, summary, host = [], [], {}
    for raw in args.raw:
        data = parse_raw(raw)
        kver = data["env"].get("kernel") or os.path.basename(raw).rsplit(".", 1)[0]
        if not data["runs"]:
            print("bench-report: no results in %s" % raw, file=sys.stderr)
            return 1
        agg = aggregate(data)
        host = host or data["host"]
        svg_name = "performance-%s.svg" % series_of(kver)
        chart(kver, agg, os.path.join(args.docs, svg_name), args.out)
        with open(os.path.join(args.out, kver + ".json"), "w") as f:
            json.dump({"kernel": kver, "env": data["env"], "host": data["host"],
                       "modes": data["modes"], "aggregate": agg, "errors": data["errors"],
                       "runs": data["runs"]}, f, indent=1)
        with open(os.path.join(args.out, kver + ".md"), "w") as f:
            f.write(kernel_markdown(kver, data, agg, chart="../../docs/" + svg_name, level="#"))
        sections.append(kernel_markdown(kver, data, agg, chart=svg_name))
        default = data["modes"].get("auto", {}).get("detail", "?")
        summary.append((kver, agg, default))

    L = ["## Results\n"]
    L.append("Generated by `make bench`%s. Host: %s, %s, `%s`. Each kernel: one boot, and one more "
             "for the throughput of 1 thread against 2 (`%s`: with one host thread for both vCPUs "
             "nothing can scale).\n"
             % (" in %s s" % args.seconds if args.seconds else "",
                host.get("cpu", "?"), host.get("qemu", "?"), host.get("accel", "?"),
                ACCEL_NAMES.get(host.get("scaling_accel"), host.get("scaling_accel", "?"))))
    # the decision table first: tax and door speed per mode, every kernel
    L.append("### The decision in one table\n")
    L.append("Per mode: the tax on getppid, a 1-byte read and an unused number (what every other "
             "program pays; median over the cycles), and the doors against getppid of the same run "
             "(bare instructions).\n")
    rows = []
    for kver, agg, default in summary:
        for m in agg["modes"]:
            t = agg["tax"].get(m, {})
            d = agg["doors"].get(m, {})

            def pct(name):
                x = t.get(name)
                return "-" if not x else "%+.1f %%" % x["pct"]
            a = d.get("xyz:raw syscall")
            i = d.get("xyz:raw ioctl")
            e32 = d.get("xyz32:raw int80")
            g32 = d.get("xyz32:getppid (int80)")
            rows.append([series_of(kver), "`%s`%s" % (m, " (auto)" if m == default else ""),
                         pct("getppid (syscall)"), pct("read 1 B (syscall)"),
                         pct("ENOSYS (syscall)"),
                         fmt_ratio(a and a["anchor_ratio"]),
                         "-" if not (e32 and g32) else "%+.2f" % (e32["anchor_ratio"] - g32["anchor_ratio"]),
                         fmt_ratio(i and i["anchor_ratio"])])
    L.append(md_table(["kernel", "hook", "tax getppid", "tax read 1 B", "tax ENOSYS",
                       "`syscall` door", "`int $0x80` door - getppid (32-bit)", "`ioctl` door"], rows))
    L.append("")
    L += sections
    update_doc(os.path.join(args.docs, "performance.md"), "\n".join(L))
    print("bench-report: %s, %s" % (os.path.join(args.docs, "performance.md"),
                                    ", ".join(os.path.join(args.out, k + ".json")
                                              for k, _, _ in summary)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
