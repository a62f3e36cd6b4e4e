#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Drive the default Linux guest's console and judge its run:
#   python3 guests/linux/drive.py [options] -- COMMAND [ARG...]
# COMMAND (plain QEMU, or QEMU running the hypervisor) must put the guest's
# serial console on its stdin and stdout (-serial stdio). The driver passes
# the output through, types a line when guests/linux/init asks for one
# ("hv-linux: type a line:"), types the --then lines into the shell after
# the checks, and ends the command on --end-on or --timeout. With
# --reboots N it first types "reboot" into the shell N times, so the
# guest boots N + 1 times and the --then lines go to the last shell. With
# --paste N it first pastes N bytes of text lines into "cat > /tmp/f" in
# one write, at the emulator's full serial speed, while a background loop
# makes the guest's kernel print log lines on the same console, and checks
# that "sha256sum /tmp/f" matches what was sent ("drive: check paste ok|FAIL";
# the --then lines follow it). It
# then prints what it saw ("drive: ..." lines: host time to "userspace
# up", the guest's uptime then, the boots, each check) and a closing
# "drive: N passed, N failed, N skipped", also at the end of the --log
# file. A run passes when user space came up as many times as asked, every
# check that ran printed ok or skip, "checks done" came after each boot,
# and the guest ended through "hv-linux: poweroff" (or --end-on matched)
# without a kernel panic.
# Exit status 0 when the run passed, 1 when not, 2 on bad usage.

import argparse
import os
import re
import selectors
import subprocess
import sys
import time

MARK = re.compile(rb"hv-linux: (.*)")
CHECK = re.compile(r"check (\S+) (ok|FAIL|skip)\b ?(.*)")
PANIC = re.compile(rb"Kernel panic|BUG: |Oops|general protection fault")
PASTE_READY = re.compile(rb"hv-paste: ready 42")
# Not anchored: Linux's n_tty may still be writing the echo of the pasted
# text when sha256sum prints (echoes are flushed apart from program
# output), so these can start mid-line, right after an echoed character
# that may itself be a hex digit: the sum is the 64 hex digits just
# before "  /tmp/f", whatever precedes them.
PASTE_SUM = re.compile(rb"([0-9a-f]{64})  /tmp/f")
PASTE_SIZE = re.compile(rb"hv-paste: size (\d+)")
# A kernel log line of the --paste noise loop is printed wherever the
# console's cursor is, even inside the sum or a "hv-linux:" line: these
# lines (ending "\r\r\n": the hypervisor adds a CR to the guest's CRLF)
# are cut out of the output (not out of the --log file) before it
# is split into lines and judged.
PASTE_NOISE_LINE = re.compile(rb"\[\s*\d+\.\d+\] hv-paste noise \d+\r*\n")


def paste_text(n):
    """N bytes of printable lines (no tty control characters), the same
    every run."""
    import random
    rnd = random.Random(12)
    out = bytearray()
    while len(out) < n:
        width = rnd.randint(10, 100)
        line = bytes(rnd.randint(0x20, 0x7e) for _ in range(width)) + b"\n"
        out += line
    out = out[:n - 1] + b"\n"
    return bytes(out)


# Typed at the shell for --paste: kernel log lines on the console (loglevel
# 3 through /dev/kmsg, printk.devkmsg=on) for about 4 s in the background,
# then the marker, the cat the paste goes to and the sum.
PASTE_NOISE = ("(i=0; while [ $i -lt 100 ]; do echo \"<3>hv-paste noise $i\" >/dev/kmsg;"
               " i=$((i+1)); usleep 40000; done) &")
PASTE_CMD = ("echo hv-paste: ready $((6*7)); cat > /tmp/f; sha256sum /tmp/f;"
             " echo hv-paste: size $(wc -c < /tmp/f)")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Drive the hv-linux guest's console and judge its run.")
    p.add_argument("--timeout", type=float, default=300,
                   help="end the command after this many seconds (300)")
    p.add_argument("--type", default="hello-from-test",
                   help="the line typed at 'type a line:' (hello-from-test)")
    p.add_argument("--then", action="append", default=[], metavar="LINE",
                   help="type LINE into the shell after the checks (repeatable)")
    p.add_argument("--reboots", type=int, default=0, metavar="N",
                   help="type 'reboot' at the first N shells (0)")
    p.add_argument("--paste", type=int, default=0, metavar="N",
                   help="paste N bytes into cat > /tmp/f and check its sha256 (0: no)")
    p.add_argument("--end-on", metavar="REGEX",
                   help="end the command once an output line matches REGEX")
    p.add_argument("--quiet", action="store_true",
                   help="pass through only hv-linux lines and kernel panics")
    p.add_argument("--log", metavar="FILE", help="also write the full output to FILE")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
    if a.command[:1] == ["--"]:
        a.command = a.command[1:]
    if not a.command:
        p.error("no command given (put it after --)")
    return a


class Run:
    """What the guest said so far, and when (host seconds since start)."""

    def __init__(self, args):
        self.args = args
        self.start = time.monotonic()
        self.up_wall = None       # host time of "userspace up"
        self.up_guest = None      # the guest's uptime it printed then
        self.sleep_wall = None    # host time of "sleeping 2 s"
        self.timer_host = None    # host seconds the 2 s sleep took
        self.checks = []          # (name, result, detail)
        self.done = False         # "checks done" seen in this boot
        self.boots = 0            # "userspace up" lines
        self.reboots = args.reboots  # "reboot"s still to type
        self.ended = False        # "hv-linux: poweroff|halt|reboot" seen
        self.end_on = False       # --end-on matched
        self.panic = None         # first panic-like line
        self.then = list(args.then)
        self.to_type = []         # lines (str) or raw bytes waiting to be typed
        self.paste = paste_text(args.paste) if args.paste else None
        self.paste_state = "off" if not args.paste else "wait"
        self.paste_result = None  # (ok|FAIL, detail)

    def now(self):
        return time.monotonic() - self.start

    def paste_line(self, raw):
        """Follow the --paste exchange: the marker, then the sum."""
        import hashlib
        if self.paste_state == "typed" and PASTE_READY.search(raw):
            self.to_type.append(self.paste + b"\x04")
            self.paste_state = "sent"
        elif self.paste_state == "sent" and PASTE_SUM.search(raw):
            got = PASTE_SUM.search(raw).group(1).decode()
            want = hashlib.sha256(self.paste).hexdigest()
            ok = "ok" if got == want else "FAIL"
            self.paste_result = (ok, f"{len(self.paste)} bytes sha256 {got}, sent {want}")
            self.paste_state = "summed"
        elif self.paste_state == "summed" and PASTE_SIZE.search(raw):
            self.paste_result = (self.paste_result[0], self.paste_result[1] +
                                 f", guest file {PASTE_SIZE.search(raw).group(1).decode()} bytes")
            self.paste_state = "done"
            self.to_type.extend(self.then)
            self.then = []

    def line(self, raw):
        """Take one output line (bytes, without the newline)."""
        self.paste_line(raw)
        if self.args.end_on and re.search(self.args.end_on.encode(), raw):
            self.end_on = True
        if self.panic is None and PANIC.search(raw):
            self.panic = raw.decode(errors="replace").strip()
        m = MARK.search(raw)
        if not m:
            return
        text = m.group(1).decode(errors="replace").rstrip("\r")
        if text.startswith("userspace up "):
            self.boots += 1
            self.done = False
            if self.up_wall is None:
                self.up_wall = self.now()
                self.up_guest = text.split()[2]
        elif text.startswith("sleeping 2 s"):
            self.sleep_wall = self.now()
        elif text.startswith("type a line:"):
            self.to_type.append(self.args.type)
        elif text == "checks done":
            self.done = True
        elif text.startswith("shell on the console"):
            if self.reboots > 0 and self.done:
                self.to_type.append("reboot")
                self.reboots -= 1
            elif self.paste_state == "wait":
                self.to_type.extend([PASTE_NOISE, PASTE_CMD])
                self.paste_state = "typed"
            else:
                self.to_type.extend(self.then)
                self.then = []
        elif text in ("poweroff", "halt"):
            self.ended = True
        c = CHECK.match(text)
        if c:
            self.checks.append(c.groups())
            if c.group(1) == "timer" and self.sleep_wall is not None:
                self.timer_host = self.now() - self.sleep_wall

    def show(self, raw):
        if not self.args.quiet or MARK.search(raw) or PANIC.search(raw):
            sys.stdout.buffer.write(raw + b"\n")
            sys.stdout.buffer.flush()


def pump(args, run, proc, log):
    """Pass output through until the command ends, --end-on, or timeout.
    Return why it stopped: "exit", "end-on" or "timeout"."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""
    while True:
        left = args.timeout - run.now()
        if left <= 0:
            return "timeout"
        while run.to_type:
            line = run.to_type.pop(0)
            time.sleep(0.2)   # let the guest reach its read
            data = line if isinstance(line, bytes) else line.encode() + b"\n"
            try:
                proc.stdin.write(data)
                proc.stdin.flush()
            except BrokenPipeError:
                pass
        if not sel.select(timeout=min(left, 1.0)):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            if buf:
                run.show(buf)
                run.line(buf)
            return "exit"
        if log:
            log.write(chunk)
            log.flush()
        buf += chunk
        if args.paste:
            buf = PASTE_NOISE_LINE.sub(b"", buf)
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            raw = raw.rstrip(b"\r")
            run.show(raw)
            run.line(raw)
        if run.end_on:
            return "end-on"


def stop(proc):
    """End the command: politely first, then for good."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait()


def report(run, why, rc, log):
    """Print the summary (and append it to the log); return the process
    exit status."""
    out = []
    fails = []
    if run.up_wall is None:
        fails.append("user space never came up")
    else:
        out.append(f"userspace up at {run.up_wall:.2f} s host time "
                   f"(guest uptime {run.up_guest} s)")
    if run.timer_host is not None:
        out.append(f"the guest's 2 s sleep took {run.timer_host:.2f} s host time")
    for name, result, detail in run.checks:
        out.append(f"check {name} {result} {detail}".rstrip())
        if result == "FAIL":
            fails.append(f"check {name} failed")
    if run.paste is not None:
        if run.paste_result is None:
            fails.append(f"paste: no sum seen (state {run.paste_state})")
        else:
            out.append(f"check paste {run.paste_result[0]} {run.paste_result[1]}")
            if run.paste_result[0] != "ok":
                fails.append("check paste failed")
    out.append(f"boots {run.boots}")
    if run.up_wall is not None and not run.done:
        fails.append("no 'checks done'")
    if run.boots != run.args.reboots + 1:
        fails.append(f"{run.boots} boots, not {run.args.reboots + 1}")
    if run.panic:
        fails.append(f"kernel trouble: {run.panic}")
    if why == "timeout":
        fails.append(f"timed out after {run.args.timeout:g} s")
    elif why == "exit" and not run.ended:
        fails.append(f"the command ended (status {rc}) without 'hv-linux: poweroff'")
    out.append(f"ended by {why} at {run.now():.2f} s host time, status {rc}")
    passed = sum(1 for c in run.checks if c[1] == "ok")
    skipped = sum(1 for c in run.checks if c[1] == "skip")
    failed = len(fails)   # the failed checks and what went wrong with the run
    lines = [f"drive: {x}" for x in out] + [f"drive: FAIL {x}" for x in fails]
    lines.append(f"drive: {passed} passed, {failed} failed, {skipped} skipped")
    for line in lines:
        print(line)
        if log:
            log.write(line.encode() + b"\n")
    return 1 if fails else 0


def main(argv):
    args = parse_args(argv)
    run = Run(args)
    log = open(args.log, "wb") if args.log else None
    try:
        proc = subprocess.Popen(args.command, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE)
    except OSError as e:
        print(f"drive: cannot run {args.command[0]}: {e}", file=sys.stderr)
        return 2
    try:
        why = pump(args, run, proc, log)
    except KeyboardInterrupt:
        why = "interrupt"
    rc = stop(proc)
    status = report(run, why, rc, log)
    if log:
        log.close()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
