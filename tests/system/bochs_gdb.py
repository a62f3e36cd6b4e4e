#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Run a GDB session against the hypervisor's GDB stub in Bochs:
#   python3 tests/system/bochs_gdb.py --script FILE --log FILE [--timeout S] -- COMMAND...
# COMMAND is tools/bochs.sh with the same --log FILE (COM1, the console, is
# that file). Bochs' COM2 connects as a socket client to a relay started
# here, which passes bytes between it and gdb (a "run" step connects to
# {port}). The script is feed.py's (seen, expect, run, sleep; there is no
# console input in Bochs), matched against the console file. The steps are
# noted at the end of the log as feed.py does; exit status 0 when every
# step ran, 1 when one timed out.
import argparse
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import feed  # noqa: E402  (its script parser)


def listener():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s, s.getsockname()[1]


def relay(bochs_srv, gdb_srv):
    """Bochs connects once; each gdb connection gets its bytes in turn."""
    b, _ = bochs_srv.accept()
    peer = {"gdb": None}

    def from_bochs():
        while True:
            data = b.recv(4096)
            if not data:
                return
            g = peer["gdb"]
            if g:
                try:
                    g.sendall(data)
                except OSError:
                    pass

    threading.Thread(target=from_bochs, daemon=True).start()
    while True:
        g, _ = gdb_srv.accept()
        peer["gdb"] = g
        while True:
            data = g.recv(4096)
            if not data:
                break
            b.sendall(data)
        peer["gdb"] = None
        g.close()


def main(argv):
    p = argparse.ArgumentParser(description="gdb against the stub in Bochs")
    p.add_argument("--script", required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--log", required=True)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    steps = feed.parse(a.script)
    bochs_srv, bport = listener()
    gdb_srv, gport = listener()
    threading.Thread(target=relay, args=(bochs_srv, gdb_srv), daemon=True).start()
    # a console file left by an earlier run would match before Bochs
    # empties it
    open(a.log, "wb").close()
    proc = subprocess.Popen(cmd + ["--com2", f"127.0.0.1:{bport}"])
    start, step, wake, cursor, subst, notes = time.monotonic(), 0, 0.0, 0, {}, []

    def note(msg):
        notes.append(f"feed: {msg} at {time.monotonic() - start:.2f} s\n")

    while time.monotonic() - start < a.timeout and step < len(steps):
        now = time.monotonic()
        try:
            with open(a.log, "rb") as f:
                out = f.read()
        except OSError:
            out = b""
        op, arg, text = steps[step]
        if now < wake:
            time.sleep(0.1)
            continue
        if op in ("expect", "seen"):
            m = arg.search(out, cursor if op == "expect" else 0)
            if not m:
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
                continue
            if op == "expect":
                cursor = m.end()
                for i, grp in enumerate(m.groups()):
                    subst[f"{{g{i + 1}}}"] = (grp or b"").decode(errors="replace")
        elif op == "sleep":
            wake = now + arg
        elif op == "run":
            c = arg.replace("{port}", str(gport))
            for k, val in subst.items():
                c = c.replace(k, val)
            r = subprocess.run(c, shell=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            notes.extend(f"run: {ln}\n" for ln in r.stdout.decode(errors="replace").splitlines())
            notes.append(f"run: status {r.returncode}\n")
        else:
            raise SystemExit(f"bochs_gdb: no '{op}' in Bochs (no console input)")
        note(f"step {step + 1} {text[:60]!r} done")
        step += 1
    status = 0
    if step < len(steps):
        note(f"step {step + 1} {steps[step][2][:60]!r} never done")
        status = 1
    try:
        proc.wait(max(1.0, a.timeout - (time.monotonic() - start)))
    except subprocess.TimeoutExpired:
        proc.kill()
    with open(a.log, "a") as f:
        f.write("\n" + "".join(notes))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
