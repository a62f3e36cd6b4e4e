#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Bad guest images for the "bad images" hostile test, each refused by the
# loader for its own reason, made from a good multiboot ELF:
#   python3 tools/mkbadimages.py GOOD.elf OUTDIR
# bad-truncated.elf  the ELF cut just after its multiboot header: the
#                    loadable segment lies outside the file
# bad-entry0.elf     the ELF with e_entry = 0
# bad-aout.bin       a multiboot a.out-kludge header whose header_addr lies
#                    below load_addr (Multiboot spec 0.6.96 §3.1.3)
# bad-setup.bzimage  a Linux setup header (boot.rst) whose setup_sects puts
#                    the protected-mode kernel past the end of the file
# bad-empty.bin      an empty file
import struct
import sys

MB1_MAGIC = 0x1BADB002


def mb1_header(flags, aout):
    csum = (-(MB1_MAGIC + flags)) & 0xFFFFFFFF
    return struct.pack("<3I", MB1_MAGIC, flags, csum) + struct.pack("<5I", *aout)


def main():
    good, out = sys.argv[1], sys.argv[2]
    elf = open(good, "rb").read()
    hdr = elf.find(struct.pack("<I", MB1_MAGIC))
    if elf[:4] != b"\x7fELF" or hdr < 0:
        sys.exit("mkbadimages: %s is not a multiboot ELF" % good)
    images = {
        "bad-truncated.elf": elf[: hdr + 64],
        "bad-entry0.elf": elf[:24] + struct.pack("<I", 0) + elf[28:],
        # header_addr 0x100000 < load_addr 0x200000
        "bad-aout.bin": b"\0" * 64
        + mb1_header(1 << 16, (0x100000, 0x200000, 0, 0, 0x200000))
        + b"\xf4" * 448,
        "bad-empty.bin": b"",
    }
    bz = bytearray(4096)
    bz[0x1F1] = 64  # setup_sects: the kernel would start at 32.5 KiB
    bz[0x1FE:0x200] = b"\x55\xaa"
    bz[0x201] = 0x60
    bz[0x202:0x206] = b"HdrS"
    bz[0x206:0x208] = struct.pack("<H", 0x020F)
    bz[0x211] = 0x01  # LOADED_HIGH
    images["bad-setup.bzimage"] = bytes(bz)
    for name, data in images.items():
        with open("%s/%s" % (out, name), "wb") as f:
            f.write(data)


main()
