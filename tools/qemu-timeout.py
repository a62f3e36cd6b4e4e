#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run QEMU with a time limit and, when it runs out, ask what every CPU was
doing before stopping it (tools/run.sh --log --timeout).

    qemu-timeout.py SECONDS LOG -- QEMU ARGS...

QEMU's serial console is a socket whose bytes QEMU also writes to LOG (the
transcript, as with -serial file:LOG), and its monitor another socket. When
SECONDS pass, this script sends Ctrl-T r on the console (the hypervisor's
state dump: each vCPU's CS:RIP, halted or running, pending vectors, timer),
waits for the dump to reach LOG, reads `info registers -a` from the monitor
(each physical CPU's RIP and whether it sits in HLT) into LOG.cpus, and
stops QEMU with exit status 124, as timeout(1) would. SIGUSR1 does the same
at once (tests/check.sh, when a line the test forbids has appeared).
Otherwise QEMU's own exit status is returned (128 + N when signal N ended
it).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DUMP_WAIT = 3.0  # seconds for the vCPUs' dump lines to reach the log


def connect(path, tries=50):
    for _ in range(tries):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            return s
        except OSError:
            time.sleep(0.1)
    return None


def drain(s, seconds):
    """Read (and drop: QEMU logs it) whatever comes for @seconds."""
    end = time.time() + seconds
    s.settimeout(0.2)
    got = b""
    while time.time() < end:
        try:
            d = s.recv(65536)
            if not d:
                break
            got += d
        except socket.timeout:
            pass
    return got


def monitor(path, command):
    s = connect(path, 10)
    if not s:
        return "(no monitor)\n"
    drain(s, 0.5)  # the banner
    s.sendall(command.encode() + b"\n")
    out = drain(s, 2.0).decode(errors="replace")
    s.close()
    return out


class StopNow(Exception):
    """SIGUSR1: the caller saw enough (a line its test forbids)."""


def stop_now(*_):
    raise StopNow()


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit("usage: qemu-timeout.py SECONDS LOG -- QEMU ARGS...")
    limit, log, qemu = float(sys.argv[1]), sys.argv[2], sys.argv[4:]
    # a short directory: a socket's path has room for 107 bytes
    sockdir = tempfile.mkdtemp(prefix="hvq")
    con, mon = os.path.join(sockdir, "con"), os.path.join(sockdir, "mon")
    # first: the console is COM1 whatever -serial the caller adds
    qemu[1:1] = ["-chardev", f"socket,id=con,path={con},server=on,wait=off,logfile={log}",
                 "-serial", "chardev:con", "-monitor", f"unix:{mon},server=on,wait=off"]
    proc = subprocess.Popen(qemu)
    signal.signal(signal.SIGTERM, lambda *_: (proc.kill(), shutil.rmtree(sockdir, True),
                                              sys.exit(143)))
    signal.signal(signal.SIGUSR1, stop_now)
    try:
        rc = proc.wait(timeout=limit)
        shutil.rmtree(sockdir, True)
        return 128 - rc if rc < 0 else rc  # killed by a signal: as a shell says it
    except (subprocess.TimeoutExpired, StopNow):
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    s = connect(con, 10)
    if s:
        s.sendall(b"\x14r")  # Ctrl-T r: the multiplexer's state dump
        drain(s, DUMP_WAIT)  # kept open: a closing client can cost log bytes
    regs = monitor(mon, "info registers -a")
    with open(log + ".cpus", "w") as f:
        f.write(regs)
    proc.kill()
    proc.wait()
    if s:
        s.close()
    shutil.rmtree(sockdir, True)
    return 124


if __name__ == "__main__":
    sys.exit(main())
