#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Profile the SVM exit path instruction by instruction:
#   python3 tools/exitprof.py [--seconds S] [--notrace] [--top N] BUILD
# Boots the bench guest (guests/tests/bench.c) under hv in QEMU TCG with
# one instruction per translation block (-singlestep), and once the guest
# prints its "bench: under hv" line turns on QEMU's execution log
# (monitor "log exec,nochain") for S seconds: every instruction either
# side of VMRUN, with its address. The log is cut into round trips (a run
# of hypervisor instructions between two guest instructions), grouped by
# the guest instruction that exited, and for the most frequent exits it
# prints how many hypervisor instructions one round trip takes (minimum
# and median) and, for a median one, the functions it passed through in
# order with the instructions spent in each. The guest's CPUID, VMMCALL,
# port read and MMIO read loops each show up as one group. Figures are
# instructions, as under make bench's -icount (VMRUN and #VMEXIT count
# as one each there; not here, where they are part of the round trip's
# guest instruction).
import argparse
import bisect
import collections
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import time

TRACE = re.compile(r"Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
HV_BASE = 0xffffffff80000000


def symbols(elf):
    """Sorted (address, name) of the functions of an ELF file."""
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            syms.append((int(f[0], 16), f[2]))
    return syms


class Symbolizer:
    def __init__(self, syms):
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]

    def __call__(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        if i < 0:
            return f"{pc:#x}"
        return self.names[i]


def run_qemu(args, iso, tracefile):
    """Boot, log execution for args.seconds after the guest's start line."""
    sock = os.path.join(os.path.dirname(tracefile), "monitor.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    cmd = ["qemu-system-x86_64", "-machine", "q35,kernel-irqchip=split", "-accel", "tcg", "-cpu", "max",
           "-m", "512", "-smp", "1", "-singlestep", "-icount", "shift=0,sleep=off", "-cdrom", iso, "-display", "none",
           "-serial", "stdio", "-monitor", f"unix:{sock},server,nowait",
           "-D", tracefile, "-nic", "none", "-no-reboot"]
    if args.edu:
        cmd += ["-device", "intel-iommu,intremap=on", "-device", "edu,addr=4"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""
    deadline = time.monotonic() + args.boot_timeout
    try:
        while b"bench: under hv" not in buf:
            if time.monotonic() > deadline or proc.poll() is not None:
                sys.exit("exitprof: the bench guest never started under hv")
            if sel.select(1.0):
                buf = (buf + os.read(proc.stdout.fileno(), 4096))[-4096:]
        mon = socket.socket(socket.AF_UNIX)
        mon.connect(sock)
        mon.sendall(b"log exec,nochain\n")
        time.sleep(args.seconds)
        mon.sendall(b"log none\n")
        time.sleep(0.2)
        mon.sendall(b"quit\n")
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def round_trips(tracefile):
    """{exiting guest pc: [[hv pc, ...], ...]} from the execution log."""
    trips = collections.defaultdict(list)
    last_guest = None
    cur = None
    with open(tracefile, errors="replace") as f:
        for line in f:
            m = TRACE.match(line)
            if not m:
                continue
            pc = int(m.group(1), 16)
            if pc >= HV_BASE:
                if cur is not None:
                    cur.append(pc)
                elif last_guest is not None:
                    cur = [pc]
            else:
                if cur is not None:
                    trips[last_guest].append(cur)
                    cur = None
                last_guest = pc
    return trips


def disassembly(elf):
    """{address: instruction text} of an ELF file's code."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", elf], capture_output=True,
                         text=True, check=True).stdout
    text = {}
    for line in out.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+(.*)", line)
        if m:
            text[int(m.group(1), 16)] = m.group(2).strip()
    return text


def by_function(trip, sym):
    """[(function, instructions)] in the order the trip ran them."""
    out = []
    for pc in trip:
        name = sym(pc)
        if out and out[-1][0] == name:
            out[-1][1] += 1
        else:
            out.append([name, 1])
    return out


def main():
    p = argparse.ArgumentParser(description="Profile hv's SVM exit path under QEMU.")
    p.add_argument("build", nargs="?", default="build")
    p.add_argument("--seconds", type=float, default=3.0,
                   help="how long to log once the guest runs (3)")
    p.add_argument("--notrace", action="store_true", help="boot hv with trace=off")
    p.add_argument("--top", type=int, default=4, help="exit groups to show (4)")
    p.add_argument("--iters", type=int, default=1000000,
                   help="the bench guest's iterations per operation (1000000: CPUID"
                   " only in a short log; a few thousand reach the port and MMIO reads)")
    p.add_argument("--boot-timeout", type=float, default=300)
    p.add_argument("--keep", metavar="FILE", help="keep the execution log in FILE")
    p.add_argument("--listing", action="store_true",
                   help="also print every instruction of the median round trip (objdump)")
    p.add_argument("--edu", action="store_true",
                   help="pass QEMU's edu through behind VT-d (the bench guest's MSI phase)")
    args = p.parse_args()

    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    hv = os.path.join(args.build, "hv.elf")
    guest = os.path.join(args.build, "guests", "bench.elf")
    for f in (hv, guest):
        if not os.path.exists(f):
            sys.exit(f"exitprof: {f} missing (run make)")
    tmp = tempfile.mkdtemp(prefix="exitprof.")
    cfg = os.path.join(tmp, "bench.cfg")
    with open(cfg, "w") as f:
        f.write("[guest bench]\ncpus = 0\nmemory = 64M\nkernel = bench.elf\n"
                f"cmdline = iters={args.iters}\n" + ("pci = 00:04.0\n" if args.edu else ""))
    iso = os.path.join(tmp, "bench.iso")
    mk = ["sh", os.path.join(top, "tools", "mkiso.sh"), "-o", iso, "-k", hv, "-c", cfg,
          "-m", guest] + (["-a", "trace=off"] if args.notrace else [])
    subprocess.run(mk, check=True, stdout=subprocess.DEVNULL)
    tracefile = args.keep or os.path.join(tmp, "exec.log")
    run_qemu(args, iso, tracefile)

    hv_sym = Symbolizer(symbols(hv))
    guest_sym = Symbolizer(symbols(guest))
    trips = round_trips(tracefile)
    groups = sorted(trips.items(), key=lambda kv: -len(kv[1]))[:args.top]
    if not groups:
        sys.exit("exitprof: no round trips in the execution log")
    for gpc, runs in groups:
        lens = sorted(len(r) for r in runs)
        med = lens[len(lens) // 2]
        sample = next(r for r in runs if len(r) == med)
        print(f"exit at guest {gpc:#x} ({guest_sym(gpc)}): {len(runs)} round trips, "
              f"hv instructions min {lens[0]} median {med} max {lens[-1]}")
        for name, n in by_function(sample, hv_sym):
            print(f"  {n:5d}  {name}")
        if args.listing:
            text = disassembly(hv)
            for pc in sample:
                print(f"    {pc:#x} {hv_sym(pc):24s} {text.get(pc, '?')}")
        print()


if __name__ == "__main__":
    main()
