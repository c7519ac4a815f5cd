#!/usr/bin/env python3
"""Writes hand-made seed programs for tests/fuzz/fuzz_uapi_job.c (the byte
format is described there) into the folder given (default
tests/fuzz/corpus/uapi_job). Each seed is one meaningful scenario: the
fuzzer mutates from there. Usage: gen_uapi_seeds.py [DIR]"""
import os
import struct
import sys

def u8(x): return struct.pack('<B', x & 0xff)
def u16(x): return struct.pack('<H', x & 0xffff)
def u32(x): return struct.pack('<I', x & 0xffffffff)

# plausible-command modes: the harness takes opcode = mode % 7 and the kind
# of command from (mode >> 3) % 4 (2 and 3: plausible), so mode is the one
# number in 16..23 with mode % 7 == opcode
NOP, LOAD, STORE, GEMM, SOFTMAX, LN, FENCE = (next(m for m in range(16, 24) if m % 7 == op)
                                              for op in range(7))

def header(ring=3, bos=((4096, 1), (4096, 2))):
    b = u8(ring - 2) + u8(len(bos) - 1)
    for size, fill in bos:
        b += u16(size - 1) + u8(fill)
    return b

def xfer(mode, a, b, x, y, handle=0, off=0, tag=0x11):
    return u8(mode) + u16(tag) + u8(a) + u8(b) + u8(x) + u8(y) + u8(handle) + u8(off)

def gemm(a, b, x, y, rq=(1 << 8, 8, 0)):
    return u8(GEMM) + u16(0x22) + u8(a) + u8(b) + u8(x) + u8(y) + u32(rq[0]) + u32(rq[1]) + u32(rq[2])

def softmax(a, b, x, y):
    return u8(SOFTMAX) + u16(0x33) + u8(a) + u8(b) + u8(x) + u8(y) + u32(1 << 14) + u16(0)

def layernorm(a, b, x, y):
    return u8(LN) + u16(0x44) + u8(a) + u8(b) + u8(x) + u8(y) + u32(1 << 14) + u32(1) + u32(0) + u16(0)

def fence(x=0, value=7):
    return u8(FENCE) + u16(0x55) + u8(0) + u8(0) + u8(x) + u8(0) + u32(value)

def nop():
    return u8(NOP) + u16(0x66) + u8(0) * 4

def submit(cmds, sel=0, corrupt=None):
    b = u8(0) + u8(len(cmds) - 1) + b''.join(cmds) + u8(sel)
    if corrupt is None:
        return b + u8(255)
    return b + u8(0) + u8(corrupt[0]) + u32(corrupt[1])

def wait(job=0, flags=0x80, timeout=5000):
    return u8(4) + u8(job) + u8(flags) + u16(timeout)

def seeds():
    s = {}
    s['load_store'] = header() + submit([xfer(LOAD, 3, 31, 0, 0, 0, 0), xfer(STORE, 3, 31, 0, 2, 1, 4)]) + wait()
    s['gemm'] = header(bos=((8192, 3), (8192, 4))) + submit(
        [xfer(LOAD, 7, 63, 0, 0, 0), xfer(LOAD, 15, 63, 1, 0, 1), gemm(0, 0, 0, 3),
         xfer(STORE, 7, 15, 0, 128, 0, 8)]) + wait()
    s['softmax_ln'] = header() + submit([xfer(LOAD, 3, 63, 0, 0, 0), softmax(0, 0, 0, 15),
                                         layernorm(0, 0, 0, 1), xfer(STORE, 3, 31, 0, 75, 1)]) + wait()
    s['fences_nops'] = header(ring=2) + submit([nop(), fence(), nop(), fence(0, 9), nop()] * 2) + wait() + wait()
    s['spad_range'] = header() + submit([xfer(LOAD, 15, 95, 2, 252, 0)]) + submit([nop()]) + wait(1) + wait(0)
    s['timeout_norecover'] = header() + submit([xfer(LOAD, 15, 95, 0, 0, 0)] * 8) + wait(0, 0x01, 3) + wait(0)
    s['reset_requeue'] = header() + submit([nop()] * 3) + submit([nop()]) + u8(8) + u8(7) + u8(1) + u8(1) + wait(1)
    s['bad_reserved'] = header() + submit([nop()], corrupt=(4, 1)) + submit([nop()], corrupt=(15, 3)) + wait()
    s['bad_wait'] = header() + submit([nop()]) + wait(0, 0x71) + wait(0, 0x72) + wait(0)
    s['bo_destroy_write'] = header() + submit([xfer(STORE, 1, 15, 0, 0, 0)]) + u8(9) + u8(0x80) + u8(4) + \
        u8(9) + u8(1) + u16(32) + u8(4) + b'abcd' + wait()
    s['canary_listed'] = header() + submit([xfer(STORE, 1, 15, 0, 0, 205)], sel=0x60) + wait()
    s['stream_long'] = header(ring=2) + submit([xfer(LOAD, 1, 15, 0, i, 0) for i in range(12)]) + wait()
    # a short wait on job 1 (a NOP) runs out while job 0 (long LOADs, healthy)
    # still runs: job 0 is declared TIMEDOUT, job 1 NOT_RUN, device reset
    s['timeout_blames_first'] = header(bos=((16384, 1), (16384, 2))) + \
        submit([xfer(LOAD, 15, 95, 0, 4 * i, i % 2) for i in range(12)]) + submit([nop()]) + \
        wait(1, 0x00, 20) + wait(0, 0x80, 5000)
    # user pointers at odd addresses (commands, handle list)
    s['misaligned_cmds'] = header() + submit([nop(), xfer(LOAD, 3, 31, 0, 0, 0, 0)], corrupt=(19, 0x101)) + wait()
    s['misaligned_bos'] = header() + submit([xfer(LOAD, 3, 31, 0, 0, 0, 0)], corrupt=(19, 0x001)) + wait()
    return s

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else 'tests/fuzz/corpus/uapi_job'
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, 'seed_' + name), 'wb') as f:
            f.write(data)

if __name__ == '__main__':
    main()
