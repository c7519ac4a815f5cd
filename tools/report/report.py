#!/usr/bin/env python3
"""`make report`: runs the measurements, turns them into tables and gnuplot
plots, and writes build/report/report.md and index.html (docs/report.md).

    tools/report/report.py [--build DIR] [--out DIR] [--quick] [--jobs N]
    tools/report/report.py --render-only [--data DIR] [--out DIR] [--no-plots]
    tools/report/report.py --list [--quick]      (the measurement commands)

Phases:
  measure  every command of plan() (the CLI's perf / gemm / embed, the
           benchmarks bench_float and bench_dynatran), each record with the
           exact command line, into OUT/data/<group>.jsonl; a run that
           fails (exit status, no JSON, "ok" not true) fails the report.
  render   OUT/data -> OUT/tables/<plot>.dat (the numbers of each plot),
           OUT/plots/<plot>.gp and .png (gnuplot), OUT/report.md and
           OUT/index.html.
Python standard library only; gnuplot for the plots. Exit status: 0 ok,
1 a measurement or the rendering failed, 2 bad arguments.
"""
import argparse
import datetime
import html
import json
import math
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

CONFIGS = ["tiny", "edge", "server"]
DEMO = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
# The DynaTran operating point of docs/dynatran.md (bench_model checks its claim).
DT_TAU, DT_SITES = "0.06", "ln,ffn_mid"
CLOCK_MHZ = 700.0
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class ReportError(Exception):
    pass


# ------------------------------------------------------------------ plan

def plan(build, quick):
    """The measurement commands: (group, id, argv, meta, exclusive)."""
    cli = f"{build}/bin/acceltran"
    batch = 1 if quick else 4
    runs = []

    def add(group, rid, argv, exclusive=False, **meta):
        runs.append({"group": group, "id": rid, "argv": argv, "meta": meta, "exclusive": exclusive})

    # The CPU float reference first and alone: it is timed on the host.
    add("float", "float", [f"{build}/tools/bench/bench_float", "--json", "--seconds", "1" if quick else "3"],
        exclusive=True)
    # 1, 2, 6: MiniLM at sequence 128 on each configuration (fmodel), dense and DynaTran.
    for c in CONFIGS:
        base = [cli, "perf", "--model", "minilm", "--batch", str(batch), "--seq", "128", "--config", c]
        add("perf", f"perf-{c}-dense", base + ["--json"], config=c, variant="dense")
        add("perf", f"perf-{c}-dynatran", base + ["--tau", DT_TAU, "--prune-sites", DT_SITES, "--json"],
            config=c, variant="dynatran")
    # 6: GEMM shapes of the model (per sequence and for a batch of 4) on each configuration.
    shapes = [(128, 384, 384), (128, 1536, 384), (128, 384, 1536), (512, 512, 512)]
    if quick:
        shapes = shapes[:2]
    for c in CONFIGS:
        for m, n, k in shapes:
            add("gemm", f"gemm-{c}-{m}x{n}x{k}", [cli, "gemm", "--backend", "fmodel", "--config", c, "--json",
                                                 str(m), str(n), str(k)], config=c, shape=f"{m}x{n}x{k}")
    # 7: the same points on fmodel and on the RTL (tiny), which calibrate the fmodel's cycle model.
    cal = [("gemm 64x64x64", ["gemm", "--json", "64", "64", "64"]),
           ("gemm 128x128x128", ["gemm", "--json", "128", "128", "128"]),
           ("gemm 256x256x256", ["gemm", "--json", "256", "256", "256"]),
           ("gemm 128x768x384", ["gemm", "--json", "128", "768", "384"]),
           ("gemm 128x384x1536", ["gemm", "--json", "128", "384", "1536"]),
           ("gemm 256x256x256, A 50% zeros", ["gemm", "--sparsity", "0.5", "--json", "256", "256", "256"]),
           ("perf bert-tiny, 1 x 128", ["perf", "--model", "bert-tiny", "--seq", "128", "--json"]),
           ("embed, the 3 demo sentences", ["embed", "--json"] + DEMO)]
    if not quick:  # the tiny point of sections 1 and 2, one sequence (about 4 minutes on the RTL)
        cal.append(("perf minilm, 1 x 128", ["perf", "--model", "minilm", "--seq", "128", "--json"]))
    for i, (label, args) in enumerate(cal):
        for be in ("fmodel", "rtl"):
            add("calib", f"calib-{i}-{be}", [cli, args[0], "--backend", be, "--config", "tiny"] + args[1:],
                point=label, backend=be)
    # 3, 4: DynaTran against top-k (tools/bench/bench_dynatran.c), when it is built.
    dyn = f"{build}/tools/bench/bench_dynatran"
    if os.path.exists(dyn):
        add("dynatran", "dynatran", [dyn], multi="dynatran")
    return runs


def cmd_str(argv):
    return " ".join(shlex.quote(a) for a in argv)


def json_lines(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def run_one(r, env):
    t0 = time.time()
    try:
        p = subprocess.run(r["argv"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    except OSError as e:  # not built, not executable
        return r, [], f"cannot run it: {e.strerror} (make report builds it)", time.time() - t0, []
    wall = time.time() - t0
    objs = json_lines(p.stdout)
    err = None
    if p.returncode != 0:
        err = f"exit status {p.returncode}"
    elif r["meta"].get("multi"):
        objs = [o for o in objs if o.get("bench") == r["meta"]["multi"]]
        if not objs:
            err = f"no {{\"bench\":\"{r['meta']['multi']}\"}} line in its output"
    elif not objs:
        err = "no JSON line in its output"
    elif objs[-1].get("ok") is False:
        err = "JSON says ok false: " + json.dumps(objs[-1].get("error", objs[-1]))[:300]
    recs = []
    if err is None:
        keep = objs if r["meta"].get("multi") else objs[-1:]
        for o in keep:
            o.pop("embeddings", None)  # 384 floats a sentence: not used by the report
            recs.append({"id": r["id"], "cmd": cmd_str(r["argv"]), "wall_s": round(wall, 2),
                         "meta": {k: v for k, v in r["meta"].items() if k != "multi"}, "result": o})
    tail = (p.stderr.strip().splitlines() or p.stdout.strip().splitlines() or [""])[-5:]
    return r, recs, err, wall, tail


def measure(args, out):
    data = os.path.join(out, "data")
    os.makedirs(data, exist_ok=True)
    for f in os.listdir(data):
        if f.endswith(".jsonl"):
            os.remove(os.path.join(data, f))
    runs = plan(args.build, args.quick)
    env = dict(os.environ)
    env.setdefault("BUILD", args.build)
    if args.quick:  # the benchmarks' own quick mode (bench_model, bench_device convention)
        env["ACCELTRAN_BENCH_QUICK"] = "1"
    groups, failures, log = {}, [], []
    t_start = time.time()

    def done(res):
        r, recs, err, wall, tail = res
        status = "ok" if err is None else "FAILED: " + err
        line = f"report: [{wall:7.1f} s] {r['id']}: {status}"
        print(line, flush=True)
        log.append({"id": r["id"], "cmd": cmd_str(r["argv"]), "wall_s": round(wall, 2), "status": status})
        if err is not None:
            failures.append((r, err, tail))
            for t in tail:
                print("    " + t, flush=True)
        groups.setdefault(r["group"], []).extend(recs)

    for r in [r for r in runs if r["exclusive"]]:
        print(f"report: running {r['id']} alone: {cmd_str(r['argv'])}", flush=True)
        done(run_one(r, env))
    rest = [r for r in runs if not r["exclusive"]]
    # The longest first, so the pool ends together.
    rest.sort(key=lambda r: (r["group"] != "dynatran", r["meta"].get("backend") != "rtl"))
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        for res in ex.map(lambda r: run_one(r, env), rest):
            done(res)
    order = {r["id"]: i for i, r in enumerate(runs)}
    for g, recs in groups.items():
        recs.sort(key=lambda x: order[x["id"]])
        with open(os.path.join(data, f"{g}.jsonl"), "w") as f:
            for rec in recs:
                f.write(json.dumps(rec, sort_keys=True) + "\n")
    dyn = f"{args.build}/tools/bench/bench_dynatran"
    with open(os.path.join(data, "runs.json"), "w") as f:
        json.dump({"runs": log, "measure_wall_s": round(time.time() - t_start, 1), "quick": args.quick,
                   "jobs": args.jobs, "bench_dynatran": os.path.exists(dyn)}, f, indent=1)
    if failures:
        for r, err, tail in failures:
            print(f"report: FAILED {r['id']} ({err}): {cmd_str(r['argv'])}", file=sys.stderr)
        raise ReportError(f"{len(failures)} measurement(s) failed")


# ------------------------------------------------------------------ machine

def sh(argv):
    try:
        return subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True).stdout.strip()
    except OSError:
        return ""


def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1048576:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    osname = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    commit = sh(["git", "rev-parse", "HEAD"]) or "unknown"
    dirty = bool(sh(["git", "status", "--porcelain", "--untracked-files=no"]))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": osname, "kernel": platform.release(),
            "commit": commit, "dirty": dirty, "branch": sh(["git", "rev-parse", "--abbrev-ref", "HEAD"]),
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


# ------------------------------------------------------------------ data

def read_jsonl(path):
    """Records of one data file; a line that is not a JSON object is an error (file:line)."""
    recs = []
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                o = json.loads(line)
            except json.JSONDecodeError as e:
                raise ReportError(f"{path}:{i}: not JSON ({e.msg})")
            if not isinstance(o, dict) or "result" not in o or "cmd" not in o:
                raise ReportError(f"{path}:{i}: not a report record (needs cmd and result)")
            recs.append(o)
    return recs


def load_data(data):
    d = {}
    for g in ("float", "perf", "gemm", "calib", "dynatran"):
        p = os.path.join(data, f"{g}.jsonl")
        d[g] = read_jsonl(p) if os.path.exists(p) else None
    p = os.path.join(data, "runs.json")
    d["runs"] = json.load(open(p)) if os.path.exists(p) else {}
    return d


def need(d, g):
    if d[g] is None:
        raise ReportError(f"no {g}.jsonl in the data folder (run the measurements: make report)")
    return d[g]


def num(rec, key):
    v = rec["result"].get(key)
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise ReportError(f"{rec['id']}: key {key} missing or not a number (command: {rec['cmd']})")
    return v


def by_meta(recs, **kw):
    out = [r for r in recs if all(r["meta"].get(k) == v for k, v in kw.items())]
    if len(out) != 1:
        raise ReportError(f"expected one record with {kw}, found {len(out)}")
    return out[0]


# ------------------------------------------------------------------ tables
# Each returns a Table: columns (name, unit), rows (lists), commands.

class Table:
    def __init__(self, name, columns, rows, commands, title=""):
        self.name, self.columns, self.rows, self.commands, self.title = name, columns, rows, commands, title


def fmt(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "NaN"
    if isinstance(v, float):
        return f"{v:.10g}"
    return str(v)


def t_cycles_by_unit(d):
    perf = need(d, "perf")
    units = ["gemm", "softmax", "layernorm", "dma", "idle"]
    rows, cmds = [], []
    for c in CONFIGS:
        r = by_meta(perf, config=c, variant="dense")
        u = r["result"].get("cycles_by_unit") or {}
        if sorted(u) != sorted(units):
            raise ReportError(f"{r['id']}: cycles_by_unit has {sorted(u)}, want {units}")
        cyc = num(r, "cycles")
        if sum(u.values()) != cyc:
            raise ReportError(f"{r['id']}: cycles_by_unit sums to {sum(u.values())}, cycles is {cyc}")
        rows.append([c] + [u[k] / 1e6 for k in units] + [cyc / 1e6] + [u[k] / cyc for k in units])
        cmds.append(r["cmd"])
    cols = [("config", "")] + [(k, "Mcycles") for k in units] + [("total", "Mcycles")] + \
           [(k + "_share", "") for k in units]
    return Table("cycles_by_unit", cols, rows, cmds)


def gpu_measured(results_dir):
    """A committed measured GPU run: docs/results/gpu*.json from `make bench-gpu` on a CUDA device
    (device_kind cuda), MiniLM at sequence 128: the best fp32 and fp16 throughput and its energy."""
    found = []
    if not os.path.isdir(results_dir):
        return found
    for f in sorted(os.listdir(results_dir)):
        if not (f.startswith("gpu") and f.endswith(".json")):
            continue
        try:
            j = json.load(open(os.path.join(results_dir, f)))
        except (OSError, json.JSONDecodeError):
            continue
        if j.get("bench") != "gpu_bert" or j.get("device_kind") != "cuda":
            continue
        for prec in ("fp32", "fp16"):
            rs = [r for r in j.get("results", []) if r.get("model") == "minilm" and r.get("seq") == 128
                  and r.get("precision") == prec and isinstance(r.get("seq_per_s"), (int, float))]
            if rs:
                b = max(rs, key=lambda r: r["seq_per_s"])
                found.append({"label": f"GPU {j.get('device', '?')} {prec} (batch {b.get('batch')})",
                              "sps": b["seq_per_s"], "mj": b.get("energy_mj_per_seq"),
                              "source": f"docs/results/{f}"})
    return found


def t_throughput(d, results_dir):
    perf, flt = need(d, "perf"), need(d, "float")
    rows, cmds = [], []
    for c in CONFIGS:
        rd, rt = by_meta(perf, config=c, variant="dense"), by_meta(perf, config=c, variant="dynatran")
        b = num(rd, "batch")
        rows.append([f"{c} (fmodel)", num(rd, "sequences_per_second"), num(rt, "sequences_per_second"),
                     num(rd, "energy_mj") / b, num(rt, "energy_mj") / num(rt, "batch"),
                     "measured (device cycles at 700 MHz; energy: estimate, docs/energy.md)"])
        cmds += [rd["cmd"], rt["cmd"]]
    f = flt[0]
    res = f["result"]
    for key, label in (("single_thread_sps", "CPU fp32 1 thread"),
                       ("threaded_sps", f"CPU fp32 {res.get('threads', '?')} threads")):
        rows.append([label, num(f, key), None, None, None,
                     f"measured in this run (bench_float, batch {res.get('batch')}); energy not measured"])
    cmds.append(f["cmd"])
    gpu = gpu_measured(results_dir)
    for g in gpu:
        rows.append([g["label"], g["sps"], None, g["mj"], None, "measured, " + g["source"]])
    if not gpu:
        rows.append(["GPU", None, None, None, None,
                     "not measured: no measured GPU run in docs/results/"])
    cols = [("system", ""), ("dense", "sentences/s"), ("DynaTran", "sentences/s"), ("dense", "mJ/sentence"),
            ("DynaTran", "mJ/sentence"), ("status", "")]
    return Table("throughput_energy", cols, rows, cmds)


# Public figures, never measured here (a separate, labelled row; shared/REFERENCES.md).
PUBLIC_GPU = [["all-MiniLM-L6-v2 on a V100 (public figure)", 14200, "SBERT documentation, via shared/REFERENCES.md"]]


def dyn_points(d):
    recs = d["dynatran"] or []
    return [r for r in recs if r["result"].get("kind") == "point"]


def group_key(res):
    return (res.get("method"), res.get("sites"))


def group_label(res):
    m = res.get("method")
    name = {"tau": "DynaTran (tau)", "topk": "top-k"}.get(m, str(m))
    return f"{name}, sites {res.get('sites')}"


def point_label(res):
    v = f"k {res.get('k')}" if res.get("method") == "topk" else f"tau {res.get('tau')}"
    return f"{group_label(res)}, {v}"


def t_dynatran(d):
    pts = dyn_points(d)
    rows = []
    for r in pts:
        x = r["result"]
        rows.append([group_label(x), x.get("tau"), x.get("k"), num(r, "skipped"),
                     num(r, "mean_cos"), num(r, "min_cos"), x.get("sim_err_max"), x.get("sim_err_mean"),
                     x.get("cycles"), x.get("cycles_ratio")])
    rows.sort(key=lambda row: (row[0], row[3]))
    cols = [("group", ""), ("tau", ""), ("k", ""), ("skipped", "fraction of MACs"), ("mean_cos", ""),
            ("min_cos", ""), ("sim_err_max", ""), ("sim_err_mean", ""), ("cycles", ""), ("cycles_ratio", "")]
    cmds = sorted({r["cmd"] for r in pts})
    return Table("dynatran_topk", cols, rows, cmds)


def pick_points(pts):
    """Per (method, sites): the point with the most skipped MACs at mean cosine >= 0.99 (else the
    point with the highest mean cosine but no skip beyond the baseline's)."""
    groups = {}
    for r in pts:
        groups.setdefault(group_key(r["result"]), []).append(r["result"])
    out = []
    for g in sorted(groups, key=lambda k: (str(k[0]), str(k[1]))):
        ps = groups[g]
        ok = [p for p in ps if p["mean_cos"] >= 0.99 and (p.get("tau") or p.get("k"))]
        pick = max(ok, key=lambda p: p["skipped"]) if ok else max(ps, key=lambda p: p["mean_cos"])
        out.append(pick)
    return out


def t_sparsity(d):
    recs = d["dynatran"] or []
    sp = [r for r in recs if r["result"].get("kind") == "sparsity"]
    picks = pick_points(dyn_points(d))
    rows = []
    for p in picks:
        for r in sp:
            x = r["result"]
            if (x.get("method"), x.get("sites"), x.get("tau"), x.get("k")) != \
                    (p.get("method"), p.get("sites"), p.get("tau"), p.get("k")):
                continue
            el = num(r, "elements")
            rows.append([point_label(p), x.get("site"),
                         num(r, "layer"), num(r, "zeros"), el, num(r, "zeros") / el if el else 0.0])
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    cols = [("point", ""), ("site", ""), ("layer", ""), ("zeros", ""), ("elements", ""),
            ("zero_fraction", "")]
    cmds = sorted({r["cmd"] for r in sp})
    return Table("sparsity", cols, rows, cmds), picks


def t_sparsity_pivot(t):
    """The sparsity table as one row per (point, site), a column per layer (for reading)."""
    layers = sorted({r[2] for r in t.rows})
    cells = {}
    for r in t.rows:
        cells.setdefault((r[0], r[1]), {})[r[2]] = r[5]
    rows = [[p, s] + [cells[(p, s)].get(L) for L in layers] for (p, s) in cells]
    return Table("sparsity_by_layer", [("point", ""), ("site", "")] + [(f"layer {L}", "zero fraction")
                                                                       for L in layers], rows, t.commands)


def read_synth(build, results_dir):
    """The last `make synth` summary (build/synth/summary.tsv), else the committed snapshot's raw
    summary (docs/results/synth-tiny.md). Returns (rows, source text)."""
    p = os.path.join(build, "synth", "summary.tsv")
    if os.path.exists(p):
        text = open(p).read()
        when = datetime.datetime.fromtimestamp(os.path.getmtime(p), datetime.timezone.utc)
        src = f"{p}, written by the last `make synth` on {when:%Y-%m-%d %H:%M} UTC"
    else:
        md = os.path.join(results_dir, "synth-tiny.md")
        if not os.path.exists(md):
            raise ReportError(f"no {p} and no {md}: no synthesis summary to read")
        full = open(md).read()
        m = re.search(r"^module\tcells\t.*?(?=^```)", full, re.M | re.S)
        if not m:
            raise ReportError(f"{md}: no raw summary block (module<TAB>cells...)")
        text = m.group(0)
        dm = re.search(r"\*\*Date\*\*: ([^\n]*)", full)
        src = (f"no {p} (no `make synth` in this build): the committed snapshot docs/results/synth-tiny.md, "
               f"synthesized {dm.group(1).rstrip('.') if dm else '(date not given)'}")
    lines = [ln.split("\t") for ln in text.strip().splitlines()]
    head = lines[0]
    want = ["module", "area_um2", "memory_um2", "cells", "flip_flops"]
    if any(w not in head for w in want):
        raise ReportError(f"synthesis summary: header {head} lacks one of {want}")
    rows = []
    for ln in lines[1:]:
        if len(ln) != len(head):
            raise ReportError(f"synthesis summary: row {ln} has {len(ln)} fields, header {len(head)}")
        rec = dict(zip(head, ln))
        try:
            rows.append({"module": rec["module"], "area": float(rec["area_um2"]), "mem": float(rec["memory_um2"]),
                         "cells": int(rec["cells"]), "ffs": int(rec["flip_flops"])})
        except ValueError:
            raise ReportError(f"synthesis summary: bad number in {ln}")
    return rows, src


def t_area(synth):
    rows = [[r["module"], r["area"], r["mem"], r["area"] + r["mem"], r["cells"], r["ffs"]]
            for r in sorted(synth, key=lambda r: r["area"] + r["mem"])]
    cols = [("module", ""), ("logic", "um^2"), ("memory", "um^2"), ("total", "um^2"), ("cells", ""),
            ("flip_flops", "")]
    return Table("area_modules", cols, rows, ["make synth   # CONFIG=tiny; not run by make report"])


def t_area_acceltran(synth, ref):
    by = {r["module"]: r for r in synth}
    scale = (ref["scale_to_nm"] / ref["node_nm"]) ** 2
    rows = []
    for m in ref["modules"]:
        if len(m["ours"]) > 1:
            raise ReportError(f"acceltran_area.json: {m['name']} names {len(m['ours'])} modules, at most one")
        o = by.get(m["ours"][0]) if m["ours"] else None
        if m["ours"] and o is None:
            raise ReportError(f"acceltran_area.json: {m['ours'][0]} is not in the synthesis summary")
        logic, mem = (o["area"], o["mem"]) if o else (None, None)
        rows.append([m["name"], m["um2"], m["um2"] * scale, logic, mem,
                     logic / (m["um2"] * scale) if logic is not None else None,
                     " / ".join(m["ours"]) or "none", m["note"]])
    cols = [("AccelTran module", ""), ("14 nm", "um^2"), (f"scaled x{scale:.1f}", "um^2"),
            ("ours logic", "um^2"), ("ours memory", "um^2"), ("ratio logic/scaled", ""), ("ours", ""),
            ("what differs", "")]
    return Table("area_acceltran", cols, rows, ["make synth   # CONFIG=tiny; not run by make report"]), scale


def roof_points(d, config):
    pts = []
    for r in need(d, "perf"):
        if r["meta"]["config"] == config:
            v = "dense" if r["meta"]["variant"] == "dense" else f"DynaTran tau {DT_TAU} {DT_SITES}"
            pts.append((f"perf minilm {v}", f"perf minilm, {v}", r))
    for r in need(d, "gemm"):
        if r["meta"]["config"] == config:
            pts.append((f"gemm {r['meta']['shape']}", "gemm fmodel", r))
    if config == "tiny":
        for r in need(d, "calib"):
            kind = "rtl" if r["meta"]["backend"] == "rtl" else "fmodel"
            pts.append((f"{r['meta']['point']} ({kind})", f"calibration {kind}", r))
    return pts


def t_roofline(d, config):
    rows, cmds, peak, bpc = [], [], None, None
    for label, series, r in roof_points(d, config):
        x = r["result"]
        if "peak_macs_per_cycle" not in x:  # embed --json has no roofline keys
            continue
        p, b = num(r, "peak_macs_per_cycle"), num(r, "bytes_per_cycle")
        if peak is not None and (p != peak or abs(b - bpc) > 1e-9):
            raise ReportError(f"{r['id']}: peak {p} / {b} B/cycle differ from the other {config} runs")
        peak, bpc = p, b
        macs, cyc, by = num(r, "macs"), num(r, "cycles"), num(r, "dram_bytes")
        rows.append([series, label, macs / by, macs / cyc, macs, by, cyc, num(r, "roofline_ratio")])
        cmds.append(r["cmd"])
    if peak is None:
        raise ReportError(f"no run with roofline keys on {config}")
    cols = [("series", ""), ("run", ""), ("intensity", "MACs/DRAM byte"), ("performance", "MACs/cycle"),
            ("macs", ""), ("dram_bytes", ""), ("cycles", ""), ("roofline_ratio", "")]
    return Table(f"roofline_{config}", cols, rows, cmds), peak, bpc


def t_calib(d):
    cal = need(d, "calib")
    rows, cmds, labels = [], [], []
    for r in cal:
        if r["meta"]["point"] not in labels:
            labels.append(r["meta"]["point"])
    for lab in labels:
        f, t = by_meta(cal, point=lab, backend="fmodel"), by_meta(cal, point=lab, backend="rtl")
        cf, ct = num(f, "cycles"), num(t, "cycles")
        gf, gt = f["result"].get("compute_cycles"), t["result"].get("compute_cycles")
        ef, et = f["result"].get("energy_mj"), t["result"].get("energy_mj")
        rows.append([lab, cf, ct, cf / ct - 1, gf, gt, (gf / gt - 1) if gf and gt else None,
                     (ef / et - 1) if ef and et else None])
        cmds += [f["cmd"], t["cmd"]]
    cols = [("point", ""), ("fmodel", "cycles"), ("rtl", "cycles"), ("cycles error", "fmodel/rtl - 1"),
            ("fmodel GEMM_BUSY", "cycles"), ("rtl GEMM_BUSY", "cycles"), ("GEMM_BUSY error", "fmodel/rtl - 1"),
            ("energy error", "fmodel/rtl - 1")]
    return Table("fmodel_vs_rtl", cols, rows, cmds)


def write_dat(t, folder, blocks=None):
    """TSV, a '# ' header of column names with units; `blocks` (a key per row) separates gnuplot data
    blocks (two blank lines) where the key changes."""
    path = os.path.join(folder, t.name + ".dat")
    with open(path, "w") as f:
        f.write("# " + "\t".join(f"{n} ({u})" if u else n for n, u in t.columns) + "\n")
        first, prev = True, None
        for row in t.rows:
            k = blocks(row) if blocks else None
            if blocks and not first and k != prev:
                f.write("\n\n")
            first, prev = False, k
            f.write("\t".join(fmt(v) for v in row) + "\n")
    return path


# ------------------------------------------------------------------ gnuplot

GP_HEAD = """set terminal pngcairo size {w},{h} enhanced font "DejaVu Sans,11"
set output "{png}"
set datafile separator "\\t"
set datafile missing "NaN"
set grid
set xtics noenhanced
set ytics noenhanced
set key {key}
set title "{title}"
"""


def gp_esc(s):
    return s.replace("_", "\\\\_").replace('"', "'")


def gp_cycles(dat, png, t):
    return GP_HEAD.format(w=900, h=560, png=png, key="outside right top", title=gp_esc(
        "all-MiniLM-L6-v2, batch %s x 128 tokens: device cycles by unit (fmodel, dense)" % t.batch)) + f"""
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.6
set ylabel "device cycles per batch (millions; 1 Mcycle = 1.43 ms at 700 MHz)"
set xlabel "configuration"
set yrange [0:*]
plot "{dat}" using 2:xtic(1) title "GEMM", "" using 3 title "softmax", "" using 4 title "layer-norm", \\
     "" using 5 title "DMA only", "" using 6 title "idle"
"""


def gp_roofline(dat, png, config, peak, bpc, series, rows):
    ridge = peak / bpc
    xs = [r[2] for r in rows] + [ridge]
    ys = [r[3] for r in rows]
    xlo = 10 ** math.floor(math.log10(min(xs) / 2))
    xhi = 10 ** math.ceil(math.log10(max(xs) * 4))
    ylo = 10 ** math.floor(math.log10(min(ys + [bpc * xlo]) / 2))
    s = GP_HEAD.format(w=900, h=620, png=png, key="bottom right", title=gp_esc(
        f"roofline, {config}: {peak:g} MACs/cycle peak, {bpc:.4g} B/cycle at 700 MHz"))
    s += f"""set logscale xy
set xtics enhanced
set ytics enhanced
set format x "10^{{%L}}"
set format y "10^{{%L}}"
set xlabel "arithmetic intensity (MACs per DRAM byte)"
set ylabel "performance (MACs per device cycle)"
set xrange [{xlo:g}:{xhi:g}]
set yrange [{ylo:g}:{peak * 4:g}]
roof(x) = (x * {bpc:.6g} < {peak:g}) ? x * {bpc:.6g} : {peak:g}
set arrow from {ridge:.6g}, graph 0 to {ridge:.6g}, {peak:g} nohead dashtype 3 lc rgb "#808080"
set label "ridge {ridge:.0f} MACs/B" at {ridge:.6g}, {peak * 1.6:g} center font ",9"
set samples 2000
"""
    parts = [f'roof(x) with lines lw 2 lc rgb "#000000" title "roof: min({peak:g}, {bpc:.4g} x intensity)"']
    pt = [7, 5, 9, 11, 13]
    for i, (idx, name) in enumerate(series):
        # open markers for the runs that coincide with another series (rtl with fmodel, DynaTran with dense)
        style = "pt 6 ps 2.6 lw 2" if "rtl" in name else "pt 4 ps 2.4 lw 2" if "DynaTran" in name \
            else f"pt {pt[i % len(pt)]} ps 1.6"
        parts.append(f'"{dat}" index {idx} using 3:4 with points {style} title "{gp_esc(name)}"')
    s += "plot " + ", \\\n     ".join(parts) + "\n"
    return s


def gp_dynatran(dat, png, groups):
    s = GP_HEAD.format(w=950, h=600, png=png, key="bottom left", title=gp_esc(
        "DynaTran (threshold tau) against top-k: skipped MACs and fidelity (66 sentences, fmodel tiny)"))
    s += """set xlabel "skipped MACs (fraction of the dense MACs, MAC-weighted)"
set ylabel "cosine of the int16 embedding to the fp32 one"
set yrange [*:1.005]
"""
    parts = []
    for i, g in enumerate(groups):
        parts.append(f'"{dat}" index {i} using 4:5 with linespoints lw 2 pt 7 lc {i + 1} title "{gp_esc(g)}: mean"')
        parts.append(f'"{dat}" index {i} using 4:6 with linespoints lw 1 dt 2 pt 6 lc {i + 1} title "{gp_esc(g)}: min"')
    s += "plot " + ", \\\n     ".join(parts) + "\n"
    return s


def gp_sparsity(dat, png, points, sites_by_point):
    n = len(points)
    s = GP_HEAD.format(w=420 * max(1, n) + 100, h=520, png=png, key="top left", title="")
    s += f'unset title\nset multiplot layout 1,{max(1, n)} title "{gp_esc("zeros per site and layer (fraction of the site outputs)")}"\n'
    s += 'set xlabel "layer"\nset ylabel "zero fraction"\nset yrange [0:1.05]\nset xtics 1\n'
    blk = 0
    for p in points:
        s += f'set title "{gp_esc(p)}" font ",10"\n'
        parts = []
        for j, site in enumerate(sites_by_point[p]):
            parts.append(f'"{dat}" index {blk} using 3:6 with linespoints lw 2 pt 7 lc {j + 1} title "{gp_esc(site)}"')
            blk += 1
        s += "plot " + ", \\\n     ".join(parts) + "\n"
    s += "unset multiplot\n"
    return s


def gp_area(dat, png, nrows):
    s = GP_HEAD.format(w=1000, h=max(500, 26 * nrows + 120), png=png, key="bottom right", title=gp_esc(
        "area per module on sky130_fd_sc_hd cells (tiny; memories at 9.6305 um^2 per bit)"))
    s += f"""set logscale x
set xtics enhanced
set format x "10^{{%L}}"
set xlabel "area (um^2, log scale)"
set xrange [10:1e8]
set yrange [-0.7:{nrows - 0.3}]
set style fill solid 0.85 border -1
set grid x
plot "{dat}" using 2:($0-0.2):(10):2:($0-0.38):($0-0.02):ytic(1) with boxxyerror title "logic + flip-flops", \\
     "{dat}" using 3:($0+0.2):(10):3:($0+0.02):($0+0.38) with boxxyerror title "memory (SRAM model)"
"""
    return s


def gp_calib(dat, png, rows):
    errs = [abs(v) for r in rows for v in (r[3], r[6]) if isinstance(v, float)]
    lim = max(6.0, math.ceil(120 * max(errs + [0])))
    s = GP_HEAD.format(w=1000, h=600, png=png, key="bottom left", title=gp_esc(
        "fmodel cycle estimate against the Verilated RTL (tiny)"))
    s += f"""set ylabel "fmodel / rtl - 1 (percent)"
set style fill solid 0.85 border -1
set xtics rotate by -25
set offsets 0.5, 0.5, 0.5, 0.5
set yrange [-{lim:g}:{lim:g}]
set arrow from graph 0, first 5 to graph 1, first 5 nohead dt 2 lc rgb "#c00000"
set arrow from graph 0, first -5 to graph 1, first -5 nohead dt 2 lc rgb "#c00000"
set label "+-5 %%: the bound of tests/e2e/test\\\\_infer\\\\_rtl on the model" at graph 0.98, first -5 right offset 0,-0.9 font ",9" tc rgb "#c00000"
set xzeroaxis lt -1
plot "{dat}" using ($0-0.2):(100*$4):($0-0.38):($0-0.02):(0):(100*$4):xtic(1) with boxxyerror title "device cycles (CNT\\\\_BUSY)", \\
     "{dat}" using ($0+0.2):(100*$7):($0+0.02):($0+0.38):(0):(100*$7) with boxxyerror title "GEMM\\\\_BUSY", \\
     "{dat}" using ($0-0.2):(100*$4):(sprintf("%+.2f", 100*$4)) with labels offset 0,0.8 font ",8" notitle
"""
    return s.replace("%%", "%")


# ------------------------------------------------------------------ report text

class Section:
    def __init__(self, title, paras=(), plots=(), tables=(), commands=(), missing=None):
        self.title, self.paras, self.plots, self.tables = title, list(paras), list(plots), list(tables)
        self.commands, self.missing = list(commands), missing


def cell(v, col):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        name = col[0]
        if "error" in name:
            return f"{100 * v:+.2f} %"
        if name.endswith("_share") or name.startswith("ratio"):
            return f"{v:.3f}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) >= 1:
            return f"{v:.4g}"
        return f"{v:.4g}"
    return str(v)


def table_rows(t, limit=None):
    head = [f"{n} ({u})" if u else n for n, u in t.columns]
    rows = [[cell(v, t.columns[i]) for i, v in enumerate(r)] for r in t.rows]
    return head, rows[:limit] if limit else rows


def render_md(meta, sections, path):
    L = [f"# acceltran report", ""]
    L += [f"- {k}: {v}" for k, v in meta]
    L.append("")
    for i, s in enumerate(sections, 1):
        L += [f"## {i}. {s.title}", ""]
        if s.missing:
            L += [f"**{s.missing}**", ""]
        for p in s.paras:
            L += [p, ""]
        for png in s.plots:
            L += [f"![{s.title}](plots/{png})", ""]
        for t in s.tables:
            head, rows = table_rows(t)
            if t.title:
                L += [t.title, ""]
            L.append("| " + " | ".join(head) + " |")
            L.append("|" + "---|" * len(head))
            L += ["| " + " | ".join(r).replace("\n", " ") + " |" for r in rows]
            L += ["", f"Numbers: `tables/{t.name}.dat`.", ""]
        if s.commands:
            L += ["Reproduce:", "", "```sh"] + s.commands + ["```", ""]
    open(path, "w").write("\n".join(L))


def render_html(meta, sections, path):
    e = html.escape
    H = ["<!doctype html><html><head><meta charset='utf-8'><title>acceltran report</title><style>",
         "body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}"
         "table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}"
         "td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}td:first-child,th{text-align:left}"
         "pre{background:#f4f4f4;padding:0.5em;overflow-x:auto}img{max-width:100%}.missing{color:#a00}",
         "</style></head><body><h1>acceltran report</h1><ul>"]
    H += [f"<li>{e(k)}: {e(str(v))}</li>" for k, v in meta]
    H.append("</ul>")
    for i, s in enumerate(sections, 1):
        H.append(f"<h2>{i}. {e(s.title)}</h2>")
        if s.missing:
            H.append(f"<p class='missing'><b>{e(s.missing)}</b></p>")
        H += [f"<p>{md_inline(p)}</p>" for p in s.paras]
        H += [f"<p><img src='plots/{e(p)}' alt='{e(s.title)}'></p>" for p in s.plots]
        for t in s.tables:
            head, rows = table_rows(t)
            if t.title:
                H.append(f"<p>{md_inline(t.title)}</p>")
            H.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>")
            H += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
            H.append(f"</table><p>Numbers: <a href='tables/{t.name}.dat'>tables/{t.name}.dat</a></p>")
        if s.commands:
            H.append("<p>Reproduce:</p><pre>" + e("\n".join(s.commands)) + "</pre>")
    H.append("</body></html>")
    open(path, "w").write("\n".join(H))


def md_inline(p):
    s = html.escape(p)
    s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", s)
    return s


def uniq(xs):
    out = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


# ------------------------------------------------------------------ render

def render(args, out):
    data = args.data or os.path.join(out, "data")
    tables = os.path.join(out, "tables")
    plots = os.path.join(out, "plots")
    os.makedirs(tables, exist_ok=True)
    os.makedirs(plots, exist_ok=True)
    results_dir = os.path.join(ROOT, "docs", "results")
    d = load_data(data)
    gp_jobs = []  # (script path, png)
    sections = []

    def gp(name, text):
        p = os.path.join(plots, name + ".gp")
        open(p, "w").write(text)
        gp_jobs.append((p, os.path.join(plots, name + ".png")))
        return name + ".png"

    def rel(p):
        return os.path.relpath(p, ROOT) if os.path.isabs(p) else p

    def plot_cmd(name):
        return f"gnuplot {rel(os.path.join(plots, name + '.gp'))}   # from the repository root"

    # 1. cycles by unit
    t1 = t_cycles_by_unit(d)
    t1.batch = by_meta(d["perf"], config="tiny", variant="dense")["result"].get("batch")
    write_dat(t1, tables)
    png = gp("cycles_by_unit", gp_cycles(rel(os.path.join(tables, "cycles_by_unit.dat")),
                                         rel(os.path.join(plots, "cycles_by_unit.png")), t1))
    sections.append(Section(
        "Cycles by unit: all-MiniLM-L6-v2 at sequence 128 on tiny, edge and server",
        [f"Functional model (fmodel) cycle estimate, batch {t1.batch} x 128 synthetic tokens, real weights, dense "
         "(tau 0). `cycles_by_unit` from the device counters: GEMM, SOFTMAX and LAYERNORM are the compute "
         "engine's cycles; DMA is the cycles a DMA engine worked while the compute engine did not; idle the rest "
         "(`acceltran perf --help`). The fmodel is held to the RTL on tiny (section 7); edge and server have "
         "no Verilated top."],
        [png], [t1], t1.commands + [plot_cmd("cycles_by_unit")]))

    # 2. throughput and energy
    t2 = t_throughput(d, results_dir)
    write_dat(t2, tables)
    png = gp("throughput_energy", gp_throughput(t2, tables, plots, rel))
    pub = Table("public_gpu", [("system", ""), ("sentences/s", ""), ("source", "")], PUBLIC_GPU, [],
                title="**Public figure, not measured here** (a different GPU and software; for scale only):")
    sections.append(Section(
        "Throughput and energy per sentence, dense and with DynaTran",
        [f"Accelerator: the runs of section 1 (device cycles at 700 MHz; energy is the estimate of "
         f"docs/energy.md from the device counters, AccelTran's 14 nm figures). DynaTran: `--tau {DT_TAU} "
         f"--prune-sites {DT_SITES}`, the operating point of docs/dynatran.md. CPU: the fp32 reference "
         "(baselines/cpu) on this machine, measured in this run (bench_float, MiniLM, 128 tokens, synthetic ids); "
         "it has no energy counter here. GPU: the CUDA baseline (docs/gpu-baseline.md) is shown only where "
         "docs/results/ holds a measured run; public figures are in their own labelled table below."],
        [png], [t2, pub], t2.commands + [plot_cmd("throughput_energy")]))

    # 3, 4. DynaTran against top-k, sparsity per site and layer
    if d["dynatran"] is None:
        why = ("bench_dynatran not built: no build/tools/bench/bench_dynatran in this build, so these plots are "
               "missing (tools/bench/bench_dynatran.c is not in this tree)")
        if d["runs"].get("bench_dynatran"):
            why = "bench_dynatran was built but left no data (data/dynatran.jsonl missing)"
        sections.append(Section("DynaTran against top-k: skipped MACs against cosine", missing=why))
        sections.append(Section("Sparsity per site and layer", missing=why))
    else:
        t3 = t_dynatran(d)
        groups = uniq([r[0] for r in t3.rows])
        write_dat(t3, tables, blocks=lambda r: r[0])
        png = gp("dynatran_topk", gp_dynatran(rel(os.path.join(tables, "dynatran_topk.dat")),
                                              rel(os.path.join(plots, "dynatran_topk.png")), groups))
        sections.append(Section(
            "DynaTran against top-k: skipped MACs against cosine",
            ["From bench_dynatran: each point is one run over its sentences; skipped = MAC-weighted fraction "
             "of the dense MACs not issued; cosine of each int16 embedding to its fp32 embedding (mean: solid, "
             "minimum: dashed). tau methods threshold |x| <= tau at the listed sites; top-k keeps the k largest "
             "attention probabilities of each row."],
            [png], [t3], t3.commands + [plot_cmd("dynatran_topk")],
            missing=None if t3.rows else "bench_dynatran gave no point lines"))
        t4, picks = t_sparsity(d)
        pts = uniq([r[0] for r in t4.rows])
        sites_by = {p: uniq([r[1] for r in t4.rows if r[0] == p]) for p in pts}
        write_dat(t4, tables, blocks=lambda r: (r[0], r[1]))
        t4p = t_sparsity_pivot(t4)
        write_dat(t4p, tables)
        plots4 = []
        if t4.rows:
            plots4 = [gp("sparsity", gp_sparsity(rel(os.path.join(tables, "sparsity.dat")),
                                                 rel(os.path.join(plots, "sparsity.png")), pts, sites_by))]
        sections.append(Section(
            "Sparsity per site and layer",
            ["Zeros (pruned or exact) per site and layer, as a fraction of the site's outputs, at one point of "
             "each method and site list: the one with the most skipped MACs at mean cosine >= 0.99 (else the "
             "one with the highest mean cosine). Counted without padding (packed sequences)."],
            plots4, [t4p], t4.commands + ([plot_cmd("sparsity")] if plots4 else []),
            missing=None if t4.rows else "bench_dynatran gave no sparsity lines for the chosen points"))

    # 5. area
    synth, src = read_synth(args.build, results_dir)
    t5 = t_area(synth)
    write_dat(t5, tables)
    png5 = gp("area_modules", gp_area(rel(os.path.join(tables, "area_modules.dat")),
                                      rel(os.path.join(plots, "area_modules.png")), len(t5.rows)))
    ref = json.load(open(os.path.join(HERE, "acceltran_area.json")))
    t5b, scale = t_area_acceltran(synth, ref)
    write_dat(t5b, tables)
    png5b = gp("area_acceltran", gp_area_acceltran(t5b, tables, plots, rel, scale))
    sections.append(Section(
        "Area per module (sky130) and the AccelTran comparison",
        [f"Source: {src}. `make report` never synthesizes; run `make synth` (tens of minutes) to refresh it. "
         "Area = the mapped cells (logic and flip-flops; no placement, clock tree or wires); memories are "
         "black boxes at 9.6305 um^2 per bit (docs/area.md). A parent's area includes its children.",
         f"AccelTran: their 14 nm module areas ({ref['source']}) scaled to 130 nm by (130/14)^2 = {scale:.1f}, "
         "classical scaling, an assumption (docs/area.md, 'Against AccelTran'); the ratio is an "
         "order-of-magnitude comparison."],
        [png5, png5b], [t5, t5b], t5.commands + [plot_cmd("area_modules"), plot_cmd("area_acceltran")]))

    # 6. roofline per configuration
    pngs6, tabs6, cmds6 = [], [], []
    for c in CONFIGS:
        t6, peak, bpc = t_roofline(d, c)
        series = uniq([r[0] for r in t6.rows])
        t6.rows.sort(key=lambda r: series.index(r[0]))
        write_dat(t6, tables, blocks=lambda r: r[0])
        pngs6.append(gp(f"roofline_{c}", gp_roofline(rel(os.path.join(tables, f"roofline_{c}.dat")),
                                                     rel(os.path.join(plots, f"roofline_{c}.png")), c, peak, bpc,
                                                     list(enumerate(series)), t6.rows)))
        t6.title = f"**{c}**: peak {peak:g} MACs/cycle, {bpc:.4g} DRAM bytes/cycle (ridge at {peak / bpc:.0f} MACs/byte)"
        tabs6.append(t6)
        cmds6 += t6.commands + [plot_cmd(f"roofline_{c}")]
    sections.append(Section(
        "Roofline per configuration, with the measured runs",
        ["Performance = dense-equivalent MACs (issued + skipped) per device cycle; intensity = those MACs per "
         "DRAM byte (read + written, descriptors included). Roof = min(peak MACs/cycle, DRAM bytes/cycle x "
         "intensity). Runs: the MiniLM perf runs of section 1-2, GEMM jobs of the model's shapes (fmodel), and on "
         "tiny the calibration points of section 7 on both backends."],
        pngs6, tabs6, uniq(cmds6)))

    # 7. fmodel against RTL
    t7 = t_calib(d)
    write_dat(t7, tables)
    png7 = gp("fmodel_vs_rtl", gp_calib(rel(os.path.join(tables, "fmodel_vs_rtl.dat")),
                                        rel(os.path.join(plots, "fmodel_vs_rtl.png")), t7.rows))
    worst = max(abs(r[3]) for r in t7.rows)
    beyond = [r[0] for r in t7.rows if abs(r[3]) > 0.05]
    sections.append(Section(
        "fmodel against RTL: cycle error (tiny)",
        ["The same command on the functional model's cycle estimate and on the Verilated RTL (tiny), "
         "error = fmodel/rtl - 1 of the device busy cycles, of the GEMM engine's busy cycles and of the energy "
         f"estimate. Largest cycle error here: {100 * worst:.2f} %. tests/e2e/test_infer_rtl holds the model "
         "within 5 % and docs/cosim.md states GEMM jobs within 4 %."
         + (f" **Beyond 5 % here: {'; '.join(beyond)}.**" if beyond else "")],
        [png7], [t7], t7.commands + [plot_cmd("fmodel_vs_rtl")]))

    # gnuplot
    if not args.no_plots:
        for script, pngp in gp_jobs:
            p = subprocess.run(["gnuplot", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
            warn = [ln for ln in p.stderr.splitlines() if ln.strip()]
            if p.returncode != 0 or not os.path.exists(pngp) or os.path.getsize(pngp) == 0:
                raise ReportError(f"gnuplot {script} failed: " + " | ".join(warn[-5:]))
            if warn:
                raise ReportError(f"gnuplot {script} warned: " + " | ".join(warn[-5:]))

    runs = d["runs"]
    info = load_machine(data)
    t0 = os.environ.get("REPORT_T0")
    wall = f"{time.time() - float(t0):.0f} s (build, measurements and rendering)" if t0 else "n/a"
    meta = [("date", info.get("date", "?")), ("machine", f"{info.get('cpu')}, {info.get('cores')} cores, "
                                                          f"{info.get('memory')}, {info.get('os')}, kernel {info.get('kernel')}"),
            ("load average at the start", info.get("load", "?")),
            ("commit", info.get("commit", "?") + (" (with uncommitted changes)" if info.get("dirty") else "")),
            ("command", "make report" + (" (REPORT_QUICK=1: reduced batch and shapes)" if runs.get("quick") else "")),
            ("measurements", f"{runs.get('measure_wall_s', '?')} s wall, {runs.get('jobs', '?')} at a time "
                             "(the CPU reference alone)"),
            ("wall time of make report", wall),
            ("device time", "cycles, and time at 700 MHz; never simulator wall time")]
    plotsmade = sum(len(s.plots) for s in sections)
    render_md(meta, sections, os.path.join(out, "report.md"))
    render_html(meta, sections, os.path.join(out, "index.html"))
    return plotsmade, sections


def gp_throughput(t, tables, plots, rel):
    dat = rel(os.path.join(tables, t.name + ".dat"))
    png = rel(os.path.join(plots, t.name + ".png"))
    n = len(t.rows)
    s = GP_HEAD.format(w=1400, h=620, png=png, key="top left", title="")
    s += ('unset title\nset multiplot layout 1,2 title "all-MiniLM-L6-v2, 128 tokens: throughput and energy per '
          'sentence (accelerator: fmodel cycles at 700 MHz)"\n')
    s += 'set style fill solid 0.85 border -1\nset logscale y\nset grid y\nunset grid\nset grid ytics\n'
    s += f"set xrange [-0.6:{n - 0.4}]\nset bmargin 5\n"
    def tic(lab):
        return gp_esc(lab).replace(" (", "\\n(").replace("fp32 ", "fp32\\n")
    s += "set xtics (" + ", ".join(f'"{tic(r[0])}" {i}' for i, r in enumerate(t.rows)) + ') font ",9"\n'

    def rng(cols):
        vs = [r[c - 1] for r in t.rows for c in cols if isinstance(r[c - 1], (int, float)) and r[c - 1] > 0]
        if not vs:
            return 1, 10
        return 10 ** math.floor(math.log10(min(vs) / 3)), 10 ** (math.ceil(math.log10(max(vs))) + 1)
    for title, ylabel, c1, c2 in (("throughput", "sentences per second (log scale)", 2, 3),
                                  ("energy per sentence (accelerator: estimate)", "mJ per sentence (log scale)", 4, 5)):
        lo, hi = rng((c1, c2))
        s += f'set title "{title}"\nset ylabel "{ylabel}"\nybase = {lo:g}\nset yrange [ybase:{hi:g}]\nunset label\n'
        for i, r in enumerate(t.rows):
            if r[c1 - 1] is None:
                s += f'set label "not measured" at {i}, {lo * 1.3:g} rotate by 90 left font ",9"\n'
        s += (f'plot "{dat}" using ($0-0.2):{c1}:($0-0.38):($0-0.02):(ybase):{c1} with boxxyerror title "dense", \\\n'
              f'     "{dat}" using ($0+0.2):{c2}:($0+0.02):($0+0.38):(ybase):{c2} with boxxyerror '
              f'title "DynaTran (tau {DT_TAU}, {gp_esc(DT_SITES)})", \\\n'
              f'     "{dat}" using ($0-0.2):{c1}:(sprintf("%.3g", ${c1})) with labels offset 0,0.7 font ",8" notitle, \\\n'
              f'     "{dat}" using ($0+0.2):{c2}:(sprintf("%.3g", ${c2})) with labels offset 0,0.7 font ",8" notitle\n')
    s += "unset multiplot\n"
    return s


def gp_area_acceltran(t, tables, plots, rel, scale):
    dat = rel(os.path.join(tables, t.name + ".dat"))
    png = rel(os.path.join(plots, t.name + ".png"))
    s = GP_HEAD.format(w=1000, h=580, png=png, key="top right", title=gp_esc(
        f"AccelTran's 14 nm module areas, scaled x{scale:.1f} to 130 nm, beside ours on sky130 (tiny)"))
    s += ('set ylabel "area (um^2, log scale)"\nset logscale y\nset ytics enhanced\nset format y "10^{%L}"\nybase = 10\nset yrange [ybase:1e8]\n'
          'set style fill solid 0.85 border -1\nset xtics rotate by -20 font ",9"\nset offsets 0.5, 0.5, 0, 0\n')
    ser = [(2, "AccelTran, 14 nm"), (3, f"AccelTran scaled x{scale:.1f}"), (4, "ours: logic + flip-flops"),
           (5, "ours: memory (SRAM model)")]
    bw = 0.8 / len(ser)
    parts = []
    for i, (col, ttl) in enumerate(ser):
        off = -0.4 + bw * (i + 0.5)
        parts.append(f'"{dat}" using ($0{off:+.3f}):{col}:($0{off - bw / 2:+.3f}):($0{off + bw / 2:+.3f}):(ybase):'
                     f'{col}{":xtic(1)" if i == 0 else ""} with boxxyerror title "{ttl}"')
    s += "plot " + ", \\\n     ".join(parts) + "\n"
    return s


def load_machine(data):
    p = os.path.join(data, "machine.json")
    return json.load(open(p)) if os.path.exists(p) else {}


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--out", help="report folder (default BUILD/report)")
    ap.add_argument("--data", help="data folder to render from (default OUT/data)")
    ap.add_argument("--quick", action="store_true", default=os.environ.get("REPORT_QUICK", "") not in ("", "0"))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("REPORT_JOBS", os.cpu_count() or 1)))
    ap.add_argument("--render-only", action="store_true", help="render the data already in OUT/data")
    ap.add_argument("--no-plots", action="store_true", help="write tables and gnuplot scripts, do not run gnuplot")
    ap.add_argument("--list", action="store_true", help="print the measurement commands and exit")
    args = ap.parse_args()
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    # Paths as given, relative to where we were started; everything runs from the repository root,
    # and the report names them relative to it.
    for k in ("build", "out", "data"):
        if getattr(args, k):
            setattr(args, k, os.path.relpath(os.path.abspath(getattr(args, k)), ROOT))
    os.chdir(ROOT)
    out = args.out or os.path.join(args.build, "report")
    if args.list:
        for r in plan(args.build, args.quick):
            print(f"{r['group']}\t{cmd_str(r['argv'])}")
        return 0
    os.makedirs(out, exist_ok=True)
    try:
        if not args.render_only:
            info = machine_info()
            info["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            os.makedirs(os.path.join(out, "data"), exist_ok=True)
            measure(args, out)
            json.dump(info, open(os.path.join(out, "data", "machine.json"), "w"), indent=1)
        n, sections = render(args, out)
    except ReportError as e:
        print(f"report: {e}", file=sys.stderr)
        return 1
    missing = [s.title for s in sections if s.missing]
    print(f"report: {os.path.join(out, 'report.md')}, {os.path.join(out, 'index.html')}: {n} plots"
          + (" (not drawn: --no-plots)" if args.no_plots else "")
          + (f"; missing: {'; '.join(missing)}" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
