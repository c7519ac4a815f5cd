"""The energy keys of an `acceltran embed|perf|gemm --json` object
(docs/energy.md), checked by the CLI tests:

    python3 tests/e2e/energy_keys.py JSON CONFIG   (or import it: energy_keys.check(d, config))

energy_mj positive and the sum of energy_by_unit (the eight units, none
negative); energy_model labelled an estimate from spec/energy.json with the
configuration's memory; its leakage split summing to the leakage entry, the
leakage equal to leakage_mw x the run's time (cycles at 700 MHz), and the
main memory's energy equal to the run's DRAM bytes at the memory's energy
per 128-byte block, taken from spec/energy.json. Exits non-zero with the
failing assertion."""
import json
import sys

UNITS = ["mac_lanes", "sparsity", "softmax", "layernorm", "dma", "buffers", "main_memory", "leakage"]


def close(a, b, rel=1e-6):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-12)


def check(d, config):
    for k in ("energy_mj", "energy_by_unit", "energy_model"):
        assert k in d, "missing key " + k
    e, u, m = d["energy_mj"], d["energy_by_unit"], d["energy_model"]
    assert sorted(u) == sorted(UNITS), u
    assert all(v >= 0 for v in u.values()), u
    assert e > 0 and close(sum(u.values()), e), (e, u)
    assert m["kind"] == "estimate" and m["data"] == "spec/energy.json" and m["method"] == "docs/energy.md", m
    spec = json.load(open("spec/energy.json"))
    mem = [c["memory"] for c in spec["config_memory"] if c["config"] == config]
    assert m["memory"] == mem[0], (m["memory"], mem)
    assert close(sum(m["leakage_by_unit_mj"].values()), u["leakage"]), m
    assert sorted(m["buffers_mj"]) == ["act", "mask", "wgt"] and close(sum(m["buffers_mj"].values()), u["buffers"]), m
    seconds = d["cycles"] / (spec["clock_mhz"] * 1e6)
    assert close(m["seconds"], seconds), (m["seconds"], seconds)
    assert m["leakage_mw"] > 0 and close(u["leakage"], m["leakage_mw"] * seconds, 1e-5), (u["leakage"], m)
    nj = [x["nj_per_block"] for x in spec["memories"] if x["name"] == mem[0]][0]
    block = spec["block_elements"] * spec["element_bytes"]
    assert close(u["main_memory"], d["dram_bytes"] / block * nj * 1e-6, 1e-5), (u["main_memory"], d["dram_bytes"])
    return d


if __name__ == "__main__":
    check(json.loads(sys.argv[1]), sys.argv[2])
