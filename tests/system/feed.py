#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Type into a system test's serial console from a script:
#   python3 tests/system/feed.py --script FILE [--timeout S] [--log FILE] -- COMMAND...
# COMMAND (tools/run.sh without --log) has the console on its stdin and
# stdout. {cport} in a run step is a TCP port on 127.0.0.1 whose client
# (gdb on the multiplexed console) gets the console's output and types
# into it while connected; what it types is noted in the log as
# "relay: ..." lines. The script has one step a line, run in order:
#   expect REGEX   wait for output matching REGEX (Python bytes regex,
#                  searched after the previous expect's match); its groups
#                  become {g1}, {g2}, ... in later send and run steps
#   seen REGEX     wait for output matching REGEX anywhere (order-free)
#   send TEXT      type TEXT (Python escapes: \n, \x14 for Ctrl-T, ...)
#   pattern N      type N bytes of the rxhold pattern (guests/tests/rxhold.c)
#   sleep S        wait S seconds
#   run CMD        run shell command CMD ({port}: see --tcp-serial) beside the
#                  emulator, wait for it to end; its output is noted in the log
#                  as "run: ..." lines
# Blank lines and lines starting with '#' are skipped. Writes go through a
# thread of their own, so a console that takes input slowly never stops the
# output from being read. Every step is noted ("feed: ...", at the end of
# the log, with its time); the output is passed on until COMMAND ends or the timeout. Exit status 0 when
# every step ran, 1 when an expect timed out, 2 on bad usage. With
# --tcp-serial a free TCP port is given to QEMU as a second serial port
# (COM2), "-serial tcp:127.0.0.1:PORT,server=on,wait=off" after "--" in
# COMMAND, and to the script as {port}.
import argparse
import os
import queue
import re
import selectors
import subprocess
import sys
import threading
import time


def pattern(n):
    """Byte i is 0x20 + (7i + i/95) % 95, as rxhold.c checks."""
    return bytes(0x20 + (i * 7 + i // 95) % 95 for i in range(n))


def parse(path):
    steps = []
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            op, _, arg = line.partition(" ")
            if op in ("expect", "seen"):
                steps.append((op, re.compile(arg.encode(), re.M), line))
            elif op == "send":
                steps.append((op, arg.encode().decode("unicode_escape").encode("latin-1"), line))
            elif op == "pattern":
                steps.append(("send", pattern(int(arg)), line))
            elif op == "sleep":
                steps.append((op, float(arg), line))
            elif op == "run":
                steps.append((op, arg, line))
            else:
                raise SystemExit(f"feed: {path}: unknown step '{line}'")
    return steps


def writer(proc, q):
    while True:
        data = q.get()
        if data is None:
            return
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            return


def main(argv):
    p = argparse.ArgumentParser(description="Type into a serial console from a script.")
    p.add_argument("--script", required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--log")
    p.add_argument("--tcp-serial", action="store_true")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
    if a.command[:1] == ["--"]:
        a.command = a.command[1:]
    if not a.command:
        p.error("no command given")
    steps = parse(a.script)
    port = None
    if a.tcp_serial:
        import socket
        with socket.socket() as sk:
            sk.bind(("127.0.0.1", 0))
            port = sk.getsockname()[1]
        if "--" not in a.command:
            a.command.append("--")
        a.command += ["-serial", f"tcp:127.0.0.1:{port},server=on,wait=off"]
    import socket
    relay = socket.socket()  # {cport}: the console for a client of its own
    relay.bind(("127.0.0.1", 0))
    relay.listen(1)
    relay.setblocking(False)
    cport = relay.getsockname()[1]
    client = None
    log = open(a.log, "wb") if a.log else sys.stdout.buffer
    proc = subprocess.Popen(a.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    q = queue.Queue()
    threading.Thread(target=writer, args=(proc, q), daemon=True).start()
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    sel.register(relay, selectors.EVENT_READ)
    start = time.monotonic()
    out, cursor, step, wake, status = b"", 0, 0, 0.0, 0
    job = None  # a running "run" step: (process, collected output)
    emu_done = False  # the emulator's output ended
    subst = {}  # {g1}... from the last expect with groups

    notes = []  # written after the output, never inside one of its lines

    def note(msg):
        notes.append(f"feed: {msg} at {time.monotonic() - start:.2f} s\n".encode())

    while time.monotonic() - start < a.timeout:
        now = time.monotonic()
        while step < len(steps) and now >= wake:
            op, arg, text = steps[step]
            if op == "expect":
                m = arg.search(out, cursor)
                if not m:
                    break
                cursor = m.end()
                for i, grp in enumerate(m.groups()):
                    subst[f"{{g{i + 1}}}"] = (grp or b"").decode(errors="replace")
            elif op == "seen":
                if not arg.search(out):
                    break
            elif op == "send":
                for k, val in subst.items():
                    arg = arg.replace(k.encode(), val.encode())
                q.put(arg)
            elif op == "sleep":
                wake = now + arg
            elif op == "run":
                if job is None:
                    cmd = arg.replace("{port}", str(port)).replace("{cport}", str(cport))
                    for k, val in subst.items():
                        cmd = cmd.replace(k, val)
                    proc2 = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE,
                                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
                    got = []
                    threading.Thread(target=lambda p2=proc2, g=got: g.append(p2.communicate()[0]),
                                     daemon=True).start()
                    job = (proc2, got)
                if not job[1]:
                    break
                for rl in job[1][0].decode(errors="replace").splitlines():
                    notes.append(f"run: {rl}\n".encode())
                notes.append(f"run: status {job[0].returncode}\n".encode())
                job = None
            note(f"step {step + 1} {text[:60]!r} done")
            step += 1
        ended = False
        if emu_done and job is None:
            break  # the emulator ended and no command still runs beside it
        for key, _ in sel.select(timeout=0.05):
            if key.fileobj is relay:
                if client is None:
                    client, _ = relay.accept()
                    sel.register(client, selectors.EVENT_READ)
                    note("relay client connected")
                continue
            if key.fileobj is client:
                data = client.recv(65536)
                if data:
                    q.put(data)
                    notes.append(f"relay: {data[:80]!r}\n".encode())
                else:
                    sel.unregister(client)
                    client.close()
                    client = None
                    note("relay client gone")
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                ended = True
                break
            out += chunk
            log.write(chunk)
            log.flush()
            if client is not None:
                try:
                    client.sendall(chunk)
                except OSError:
                    pass
        if ended:  # a running command (gdb) still ends and is noted
            sel.unregister(proc.stdout)
            emu_done = True
    if step < len(steps):
        note(f"step {step + 1} {steps[step][2][:60]!r} never done")
        status = 1
    else:
        note("all steps done")
    q.put(None)
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
    log.write(b"\n" + b"".join(notes))
    log.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
