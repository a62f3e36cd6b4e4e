#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Writes the hand-made seed inputs of tests/fuzz/corpus/<harness>/ (run
# once; the files are committed). Each seed is a small meaningful input in
# the harness's format: device operation streams that program the device as
# a guest OS does (devfuzz.h), instructions the MMIO path meets, a real
# multiboot2 information, ACPI tables, and minimal multiboot, multiboot2,
# bzImage and flat images. Real config files and real guest ELFs (stripped)
# are copied in by `mkseeds.py --real BUILD`.
import os
import shutil
import struct
import subprocess
import sys

top = os.path.dirname(os.path.abspath(__file__))


def put(harness, name, data):
    d = os.path.join(top, 'corpus', harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(bytes(data))


# ---- device operation streams (devfuzz.h) ----
SIZES = {1: 0, 2: 1, 4: 2, 8: 3}


def rd(off, size=1, region=0):
    return bytes([0 | SIZES[size] << 2 | region << 4]) + struct.pack('<H', off)


def wr(off, val, size=1, region=0):
    return bytes([1 | SIZES[size] << 2 | region << 4]) + struct.pack('<HQ', off, val)


def tick(n):
    return bytes([2]) + struct.pack('<I', n)


def ev(arg, val=0):
    return bytes([3, arg]) + struct.pack('<Q', val)


def devices():
    put('uart16550', 'init-8n1-loopback',
        wr(3, 0x80) + wr(0, 1) + wr(1, 0) + wr(3, 3) + wr(2, 0xc7) + wr(1, 0x0f) +
        wr(4, 0x1b) + wr(0, 0x41) + rd(5) + rd(2) + rd(0) + ev(0x78) + rd(0) + rd(6) + rd(7))
    put('pit8254', 'linux-calibrate',
        wr(3, 0x34) + wr(0, 0x9c) + wr(0, 0x2e) + tick(5000) + wr(3, 0x00) + rd(0) + rd(0) +
        wr(0, 1, region=1) + wr(3, 0xb0) + wr(2, 0xff) + wr(2, 0xff) + tick(100000) +
        rd(0, region=1) + wr(3, 0xe2) + rd(0) + rd(2) + wr(3, 0x12) + wr(0, 5) + tick(10))
    put('rtc_cmos', 'read-time-periodic',
        wr(0, 0x0a) + wr(1, 0x26) + wr(0, 0x0b) + wr(1, 0x52) + wr(0, 0x00) + rd(1) +
        wr(0, 0x02) + rd(1) + wr(0, 0x04) + rd(1) + tick(2000000) + wr(0, 0x0c) + rd(1) +
        wr(0, 0x0d) + rd(1) + wr(0, 0x32) + rd(1) + wr(0, 0x8f) + wr(1, 0x0a) + ev(0))
    put('kbc8042', 'linux-probe',
        wr(0, 0x20, region=1) + rd(0, region=1) + rd(0) + wr(0, 0x60, region=1) + wr(0, 0x47) +
        wr(0, 0xaa, region=1) + rd(0) + wr(0, 0xff) + rd(0) + rd(0) + wr(0, 0xf4) + rd(0) +
        wr(0, 0xd1, region=1) + wr(0, 0xdf) + rd(0, region=2) + wr(0, 2, region=2) +
        wr(0, 0xfe, region=1))
    pic = (wr(0, 0x11) + wr(1, 0x20) + wr(1, 0x04) + wr(1, 0x01) +
           wr(0, 0x11, region=1) + wr(1, 0x28, region=1) + wr(1, 0x02, region=1) +
           wr(1, 0x01, region=1) + wr(1, 0x00) + wr(1, 0x00, region=1))
    put('pic8259', 'init-irq-eoi',
        pic + ev(0, 1) + ev(0x80) + wr(0, 0x20) + ev(8, 1) + ev(0x80) + wr(0, 0x20, region=1) +
        wr(0, 0x20) + wr(0, 0x0b) + rd(0) + wr(0, 0x0a) + rd(0) + wr(0, 0x20, region=2) +
        rd(1, region=2) + ev(9, 1) + ev(9, 0) + wr(0, 0xc7) + wr(1, 0xff))
    put('ioapic', 'route-level-eoi',
        wr(0, 0x01, 4) + rd(0x10, 4) + wr(0, 0x00, 4) + rd(0x10, 4) + wr(0, 0x10, 4) +
        wr(0x10, 0xa030, 4) + wr(0, 0x11, 4) + wr(0x10, 0x01000000, 4) + ev(0, 1) +
        ev(0x80, 0x30) + ev(0, 0) + wr(0, 0x12, 4) + wr(0x10, 0x31, 4) + ev(1, 1) + ev(1, 0) +
        wr(0x40, 0x30, 4))
    put('fw_cfg', 'signature-filedir',
        wr(0, 0, 2) + rd(1) + rd(1) + rd(1) + rd(1) + wr(0, 1, 2) + rd(1) + wr(0, 0x19, 2) +
        b''.join(rd(1) for _ in range(20)) + wr(0, 0x20, 2) + rd(1) + wr(0, 0x4005, 2) + wr(1, 7))
    put('acpi_pm', 'timer-sleep-reset',
        rd(8, 4) + tick(3579) + rd(8, 4) + wr(2, 0x0100, 2) + rd(0, 2) + wr(0, 0x8000, 2) +
        rd(4, 2) + wr(4, 0x0001, 2) + wr(4, 0x3400, 2) + wr(0, 0x06, 1, region=1))
    put('vlapic', 'enable-timer-ipi',
        wr(0xf0, 0x1ff, 4) + wr(0x80, 0x10, 4) + wr(0x3e0, 0x3, 4) + wr(0x320, 0x20030, 4) +
        wr(0x380, 0x1000, 4) + rd(0x390, 4) + ev(6) + ev(5) + wr(0xb0, 0, 4) +
        wr(0x310, 0x01000000, 4) + wr(0x300, 0x4041, 4) + ev(0x08) + ev(5) + ev(0) +
        wr(0x300, 0xc4500, 4) + wr(0x300, 0xc4600 | 0x10, 4) + ev(4, 0x51) + ev(0x0c, 0x52) +
        rd(0x200, 4) + rd(0x100, 4) + ev(3 | 8, 0xc00) + ev(1, 0x02) + ev(1, 0x0d) + ev(2 | 6 << 3, 0x30 << 3) +
        ev(2 | 0x7f << 3 & 0xf8, 0x40 << 3) + ev(0x0f, 12345) + ev(7))
    # IA32_APIC_BASE (event 3, bit 3): x2APIC -> xAPIC refused, -> disabled,
    # -> xAPIC, a new base refused; INIT (event 3) and a platform reset
    # (event 3, bit 4) in x2APIC mode
    put('vlapic', 'apic-base-modes',
        wr(0xf0, 0x1ff, 4) + ev(3 | 8, 0xc00) + ev(3 | 8, 0x800) + ev(3 | 8, 0) + rd(0x20, 4) +
        ev(4, 0x31) + ev(3 | 8, 0x800) + wr(0xf0, 0x1ff, 4) + ev(3 | 8 | 16, 0xfec00800) +
        ev(3 | 8, 0xc00) + ev(1, 0x0f) + ev(3) + ev(1, 0x0f) + ev(3 | 16) + rd(0xf0, 4))


# ---- instructions: mode byte (bit 2: all bytes fetchable), then bytes ----
def insns():
    m16, m32, m64 = 4 | 0, 4 | 1, 4 | 2
    seeds = {
        'mov-store-64': (m64, '89 08'), 'mov-load-rip': (m64, '8b 05 00 10 00 00'),
        'mov-imm-sib': (m64, 'c7 44 24 08 01 00 00 00'), 'movzx-word': (m64, '0f b7 40 04'),
        'movsx-rex': (m64, '48 0f bf 80 00 10 00 00'), 'moffs64': (m64, 'a1 00 00 e0 fe 00 00 00 00'),
        'mov-16bit': (m16, 'c7 06 34 12 cd ab'), 'mov-67': (m32, '67 89 47 10'),
        'ah-store': (m32, '88 20'), 'mov-cr': (m32, '0f 22 1c'), 'extrq': (m64, '66 0f 78 c0 08 04'),
        'xop': (m64, '8f e8 78 c2 c1 10'), '3dnow': (m32, '0f 0f 00 9e'),
        'rep-outs': (m32, 'f3 6f'), 'rex-rex': (m64, '48 41 89 00'), 'prefixes': (m64, '2e 3e 26 36 48 c7 80 00 10 00 00 01 00 00 00'),
    }
    for name, (mode, hexs) in seeds.items():
        b = bytes([mode]) + bytes.fromhex(hexs)
        put('insn', name, b)
        put('insn_zydis', name, bytes([mode & 3]) + bytes.fromhex(hexs))


# ---- MSR and CR operations (fuzz_msr_cr.c): 12 bytes each ----
def msr_cr():
    def op(kind, sel, val, flags=0):
        return bytes([kind | flags, sel & 0xff, (sel >> 8) & 0xff, sel >> 16]) + struct.pack('<Q', val)
    named = lambda i: i  # index into named[]
    s = (op(0, named(0), 0, 4) + op(1, named(10), 0xd01, 4) + op(1, named(12), 0xffffffff81000000, 4) +
         op(1, named(9), 0x0007040600070406, 4) + op(0, named(9), 0, 4) + op(1, named(1), 0xfee00c00, 4) +
         op(1, 0x0f, 0x10, 8) + op(0, 0x30, 0, 8) + op(1, 0x30, 0x000000010000c030, 8) +
         op(2, 0x00, 0x80000011) + op(2, 0x04, 0x000006f0) + op(3, 0x20, 0) + op(0, 0x1a0, 0) +
         op(1, named(15), 0x7fffffff0000, 4) + op(0, 0x48, 0))
    put('msr_cr', 'linux-boot-msrs', s)
    # CR4.OSXSAVE, then XSETBV (kind 3, sel bit 7: x87|SSE, then AVX
    # without SSE: #GP); MOV to CR0 the handler decodes itself (sel bit 6,
    # the value's bytes are 0F 22 C0 in 32-bit code, sel bit 19)
    x = (op(2, 0x04, 0x406f0) + op(3, 0x80, 3) + op(3, 0x80, 5) +
         op(3, 0x50 | 0x80000, 0xc0220f) + op(3, 0x50 | 0x80000, 0x0004c0220f48))
    put('msr_cr', 'xsetbv-cr-decode', x)


# ---- multiboot2 information ----
def mb2():
    def tag(t, payload):
        b = struct.pack('<II', t, 8 + len(payload)) + payload
        return b + b'\0' * (-len(b) % 8)
    tags = (tag(1, b'loglevel=debug console=com1\0') + tag(2, b'GRUB 2.06\0') +
            tag(3, struct.pack('<II', 0x200000, 0x300000) + b'hv.cfg\0') +
            tag(3, struct.pack('<II', 0x300000, 0x1300000) + b'vmlinuz\0') +
            tag(4, struct.pack('<II', 639, 523264)) +
            tag(6, struct.pack('<II', 24, 0) +
                struct.pack('<QQII', 0, 0x9fc00, 1, 0) + struct.pack('<QQII', 0x9fc00, 0x400, 2, 0) +
                struct.pack('<QQII', 0xf0000, 0x10000, 2, 0) + struct.pack('<QQII', 0x100000, 0x1fee0000, 1, 0) +
                struct.pack('<QQII', 0x1ffe0000, 0x20000, 3, 0) + struct.pack('<QQII', 0xfffc0000, 0x40000, 2, 0)) +
            tag(14, b'RSD PTR \x00BOCHS \x00' + struct.pack('<I', 0x1ffe1000)) +
            tag(8, struct.pack('<QIIIBBH', 0xb8000, 160, 80, 25, 16, 2, 0)) +
            tag(21, struct.pack('<I', 0x100000)) + tag(0, b''))
    put('mb2', 'grub-bios', struct.pack('<II', 8 + len(tags), 0) + tags)


# ---- ACPI: physical memory from 0, RSDP at 16 ----
def acpi():
    mem = bytearray(0x1000)

    def table(at, sig, rev, body):
        t = bytearray(sig + struct.pack('<IBB', 36 + len(body), rev, 0) + b'HVOEM HVTABLE ' +
                      struct.pack('<I', 1) + b'HVTC' + struct.pack('<I', 1) + body)
        t[9] = (-sum(t)) & 0xff
        mem[at:at + len(t)] = t
    rsdp = bytearray(b'RSD PTR ' + b'\0' + b'HVOEM ' + b'\x02' + struct.pack('<I', 0) +
                     struct.pack('<IQ', 36, 0x40) + b'\0\0\0\0')
    rsdp[8] = (-sum(rsdp[:20])) & 0xff
    rsdp[32] = (-sum(rsdp[:36])) & 0xff
    mem[16:52] = rsdp
    table(0x40, b'XSDT', 1, struct.pack('<QQQQ', 0x100, 0x300, 0x400, 0x500))
    fadt = bytearray(244)
    struct.pack_into('<II', fadt, 0, 0, 0x600)    # FIRMWARE_CTRL, DSDT
    struct.pack_into('<H', fadt, 46 - 36 + 0, 9)  # SCI_INT
    struct.pack_into('<I', fadt, 76 - 36, 0x600)  # PM1a_EVT_BLK
    struct.pack_into('<I', fadt, 88 - 36, 0x604)  # PM1a_CNT_BLK
    struct.pack_into('<I', fadt, 108 - 36, 0x608) # PM_TMR_BLK
    fadt[89 - 36 + 0] = 4
    struct.pack_into('<BBBBQ', fadt, 116 - 36, 1, 8, 0, 1, 0xcf9)  # RESET_REG
    fadt[128 - 36] = 6
    struct.pack_into('<Q', fadt, 140 - 36, 0x600)  # X_DSDT
    table(0x100, b'FACP', 6, bytes(fadt))
    madt = struct.pack('<II', 0xfee00000, 1)
    madt += bytes([0, 8, 0, 0]) + struct.pack('<I', 1) + bytes([0, 8, 1, 1]) + struct.pack('<I', 1)
    madt += bytes([1, 12, 4, 0]) + struct.pack('<II', 0xfec00000, 0)
    madt += bytes([2, 10, 0, 0]) + struct.pack('<IH', 2, 0) + bytes([4, 6, 0xff, 5, 0, 1])
    madt += bytes([9, 16, 0, 0]) + struct.pack('<IIII', 2, 1, 2, 0)[:12]
    table(0x300, b'APIC', 5, madt)
    table(0x400, b'HPET', 1, struct.pack('<I', 0x8086a201) + bytes([0, 0, 0, 0]) +
          struct.pack('<Q', 0xfed00000) + bytes([0, 0x80, 0, 0]))
    table(0x500, b'SPCR', 2, bytes([1, 0, 0, 0]) + bytes([1, 8, 0, 1]) + struct.pack('<Q', 0x3f8) +
          bytes([0, 4]) + struct.pack('<I', 4) + bytes([7, 0, 1, 0, 0, 0]) + b'\xff\xff\xff\xff' +
          bytes(4) + bytes(4))
    aml = b'\x08_S5_\x12\x06\x04\x0a\x05\x0a\x05\x00\x00'
    table(0x600, b'DSDT', 2, b'\x10\x05\\_SB_' + aml)
    put('acpi', 'xsdt-fadt-madt-hpet-spcr-dsdt', mem)
    put('acpi', 'aml-s5', aml)


# ---- loader images: first byte bit 0 = an initrd follows (last quarter) ----
def loader():
    # multiboot v1 ELF32: header in the first 8 KiB, one PT_LOAD at 1 MiB
    code = b'\xb8\x00\x00\x00\x00\xf4'
    ehdr = (b'\x7fELF\x01\x01\x01' + bytes(9) + struct.pack('<HHIIIIIHHHHHH', 2, 3, 1, 0x100040, 52, 0,
            0, 52, 32, 1, 40, 0, 0))
    phdr = struct.pack('<IIIIIIII', 1, 0, 0x100000, 0x100000, 0x80, 0x1000, 7, 0x1000)
    mb1 = struct.pack('<III', 0x1badb002, 3, (-(0x1badb002 + 3)) & 0xffffffff)
    img = bytearray(ehdr + phdr + bytes(12) + mb1 + code)
    img += bytes(0x80 - len(img))
    put('loader', 'mb1-elf32', b'\0' + img)
    put('loader', 'mb1-elf32-initrd', b'\1' + img + b'initrd contents, 32 bytes here.!' * 2)
    # multiboot2 ELF64
    hdr = struct.pack('<IIII', 0xe85250d6, 0, 24, (-(0xe85250d6 + 24)) & 0xffffffff) + struct.pack('<HHI', 0, 0, 8)
    ehdr = (b'\x7fELF\x02\x01\x01' + bytes(9) + struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, 0x100080, 64, 0,
            0, 64, 56, 1, 64, 0, 0))
    phdr = struct.pack('<IIQQQQQQ', 1, 7, 0, 0x100000, 0x100000, 0x100, 0x2000, 0x1000)
    img = bytearray(ehdr + phdr + hdr + code)
    img += bytes(0x100 - len(img))
    put('loader', 'mb2-elf64', b'\0' + img)
    # bzImage: setup header at 0x1f1, protocol 2.15, 1 setup sector
    bz = bytearray(1024 + 65)  # a multiple of 3: the initrd seed is a third
    bz[0x1f1] = 1
    struct.pack_into('<H', bz, 0x1fe, 0xaa55)
    bz[0x200:0x202] = b'\xeb\x66'
    bz[0x202:0x206] = b'HdrS'
    struct.pack_into('<H', bz, 0x206, 0x020f)
    bz[0x211] = 0x01  # loadflags: LOADED_HIGH
    struct.pack_into('<I', bz, 0x214, 0x100000)
    struct.pack_into('<I', bz, 0x22c, 0x7fffffff)  # initrd_addr_max
    struct.pack_into('<I', bz, 0x230, 0x200000)    # kernel_alignment
    bz[0x234] = 1
    struct.pack_into('<I', bz, 0x238, 255)         # cmdline_size
    struct.pack_into('<Q', bz, 0x258, 0x1000000)   # pref_address
    struct.pack_into('<I', bz, 0x260, 0x100000)    # init_size
    put('loader', 'bzimage-2.15', b'\0' + bz)
    put('loader', 'bzimage-initrd', b'\1' + bz + bytes(i & 0xff for i in range(len(bz) // 3)))
    put('loader', 'flat-bootsector', b'\0' + b'\xfa\xf4' + bytes(508) + b'\x55\xaa')


# ---- the virtual PCI bus (fuzz_pci.c): regions 0 cf8, 1 I/O window,
# 2 ECAM, 3 MMIO hole; the device sits at 00:01.0 (ECAM offset 0x8000)
# with BAR0 at hole offset 0, BAR4 (MSI-X table 0, PBA 0x1000) at 0x8000,
# capabilities vendor 0x40, MSI 0x48, MSI-X 0x60.
def pci():
    def cf8(devfn, reg):
        return wr(0, 0x80000000 | devfn << 8 | reg, 4, 0)

    def ecw(reg, val, size=4):
        return wr(0x8000 + reg, val, size, 2)

    put('pci', 'probe-cf8',
        cf8(0, 0) + rd(4, 4, 0) + rd(6, 2, 0) + rd(5, 1, 0) + cf8(8, 0) + rd(4, 4, 0) +
        cf8(8, 0x10) + wr(4, 0xffffffff, 4, 0) + rd(4, 4, 0) + wr(4, 0xc0000000, 4, 0) +
        cf8(8, 0x14) + wr(4, 0xffffffff, 4, 0) + rd(4, 4, 0) + cf8(8, 0x18) +
        wr(4, 0xffffffff, 4, 0) + rd(4, 4, 0) + wr(1, 0x06, 1, 0) + rd(0, 4, 0))
    put('pci', 'ecam-msix',
        rd(0x8000, 4, 2) + rd(0x8034, 1, 2) + ecw(0x62, 0x8000, 2) +
        wr(0x8000, 0xfee00000, 4, 3) + wr(0x8008, 0x41, 4, 3) + ev(1, 0) +
        rd(0x9000, 8, 3) + wr(0x800c, 0, 4, 3) + ev(1, 0) + ecw(0x63, 0xc0, 1) + ev(1, 0) +
        rd(0x9000, 4, 3) + ecw(0x63, 0x80, 1) + rd(0x8100, 4, 3))
    put('pci', 'msi',
        ecw(0x4c, 0xfee00000) + ecw(0x50, 0) + ecw(0x54, 0x30, 2) + ecw(0x4a, 0x21, 2) +
        ev(2, 1) + ecw(0x58, 0xf) + ev(2, 2) + rd(0x805c, 4, 2) + ecw(0x58, 0) + ev(2, 5))
    put('pci', 'move-bar-intx',
        ecw(0x10, 0xc000c000) + rd(0xc000, 4, 3) + ecw(4, 0, 2) + rd(0xc000, 4, 3) +
        ecw(4, 3, 2) + ev(0, 1) + ecw(4, 0x403, 2) + ecw(4, 3, 2) + ev(0, 0) +
        ecw(0xa0, 0x1234) + rd(0x80a0, 2, 2) + ecw(0x44, 0xffffffff) + rd(0x8044, 4, 2) +
        rd(0x8100, 4, 2) + ev(3) + rd(0x8010, 4, 2) + rd(0x3f00, 4, 1))


def real(build):
    for cfg in ['guests/hv.cfg', 'tests/system/configs/guest-two.cfg',
                'tests/system/configs/linux-2cpu.cfg', 'tests/system/configs/corrupt.cfg',
                'tests/system/configs/guest-mb2.cfg']:
        src = os.path.join(top, '..', '..', cfg)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(top, 'corpus', 'config', os.path.basename(cfg)))
    for elf in ['mb2.elf', 'hello.elf']:
        src = os.path.join(build, 'guests', elf)
        if os.path.exists(src):
            out = os.path.join(top, 'corpus', 'loader', 'real-' + elf)
            subprocess.run(['strip', '-o', out + '.tmp', src], check=True)
            with open(out + '.tmp', 'rb') as f:
                data = f.read()
            os.remove(out + '.tmp')
            with open(out, 'wb') as f:
                f.write(b'\0' + data)


# ---- virtqueue (fuzz_virtqueue.c): flags, ring addresses, guest RAM image ----
def virtqueue():
    def image(size=0x6000):
        return bytearray(size)

    def desc(img, table, i, addr, length, flags=0, nxt=0):
        struct.pack_into('<QIHH', img, table + 16 * i, addr, length, flags, nxt)

    def avail(img, at, heads, qsize, used_event=0):
        struct.pack_into('<HH', img, at, 0, len(heads))
        for i, h in enumerate(heads):
            struct.pack_into('<H', img, at + 4 + 2 * i, h)
        struct.pack_into('<H', img, at + 4 + 2 * qsize, used_event)

    def seed(name, flags, img, d=0x0000, a=0x1000, u=0x2000):
        put('virtqueue', name, bytes([flags]) + struct.pack('<III', d, a, u) + bytes(img))

    NEXT, WRITE, INDIRECT = 1, 2, 4
    qs8 = 3 << 2  # log2(8)
    img = image()
    desc(img, 0, 0, 0x4000, 16, NEXT, 1)
    desc(img, 0, 1, 0x5000, 512, WRITE)
    avail(img, 0x1000, [0], 8)
    seed('two-descriptors', qs8, img)

    img = image(0x8000 + 0x400)  # a writable buffer in the second region
    desc(img, 0, 0, 0x4000, 16, NEXT, 1)
    desc(img, 0, 1, 0x10000, 0x400, WRITE)
    avail(img, 0x1000, [0], 8)
    seed('second-region', qs8, img)

    img = image()
    desc(img, 0, 2, 0x3000, 48, INDIRECT)
    desc(img, 0x3000, 0, 0x4000, 16, NEXT, 1)
    desc(img, 0x3000, 1, 0x5000, 512, NEXT | WRITE, 2)
    desc(img, 0x3000, 2, 0x5200, 1, WRITE)
    avail(img, 0x1000, [2], 8)
    seed('indirect', qs8 | 2, img)

    img = image()
    for i in range(8):
        desc(img, 0, i, 0x4000 + 0x100 * i, 0x100, WRITE)
    avail(img, 0x1000, list(range(6)), 8, used_event=3)
    seed('event-idx-second-round', qs8 | 1 | 0x40, img)

    img = image()
    desc(img, 0, 0, 0x4000, 16, NEXT, 1)
    desc(img, 0, 1, 0x4000, 16, NEXT, 0)
    avail(img, 0x1000, [0], 8)
    seed('loop', qs8, img)

    # virtio-blk: IN sector 1, OUT sector 2, FLUSH, GET_ID
    img = image()
    reqs = [(0, 1, 512, True), (1, 2, 512, False), (4, 0, 0, False), (8, 0, 20, True)]
    heads = []
    for r, (typ, sector, n, write) in enumerate(reqs):
        base, hdr, st = 3 * r, 0x4000 + 0x20 * r, 0x4100 + r
        struct.pack_into('<IIQ', img, hdr, typ, 0, sector)
        desc(img, 0, base, hdr, 16, NEXT, base + 1)
        if n:
            desc(img, 0, base + 1, 0x5000 + 0x200 * r, n, NEXT | (WRITE if write else 0), base + 2)
            desc(img, 0, base + 2, st, 1, WRITE)
        else:
            desc(img, 0, base + 1, st, 1, WRITE)
        heads.append(base)
    avail(img, 0x1000, heads, 16)
    seed('blk-in-out-flush-id', (4 << 2) | 0x20 | 2 | 1, img)
    # DISCARD and WRITE_ZEROES segments
    img = image()
    struct.pack_into('<IIQ', img, 0x4000, 11, 0, 0)
    struct.pack_into('<QII', img, 0x4010, 2, 4, 0)
    desc(img, 0, 0, 0x4000, 32, NEXT, 1)
    desc(img, 0, 1, 0x4100, 1, WRITE)
    struct.pack_into('<IIQ', img, 0x4200, 13, 0, 0)
    struct.pack_into('<QII', img, 0x4210, 8, 2, 1)
    desc(img, 0, 2, 0x4200, 32, NEXT, 3)
    desc(img, 0, 3, 0x4101, 1, WRITE)
    avail(img, 0x1000, [0, 2], 8)
    seed('blk-discard-write-zeroes', qs8 | 0x20, img)


# ---- the GDB stub: register writes (fuzz_gdb_regs.c) ----
def gdb_snapshot():
    gprs = [0x1000 + i for i in range(16)]
    regs = [0] * 23                   # NR_REGS (arch/x86/virt.h)
    regs[0] = 0x7ff0                  # rsp
    regs[1] = 0xffffffff81000000      # rip
    regs[2] = 0x3202                  # rflags
    regs[3] = 0x80050033              # cr0
    regs[5] = 0x1234000               # cr3
    regs[7] = 0xd01                   # efer: LMA LME SCE NXE
    regs[8] = 0x400                   # dr7
    regs[22] = 0xffff0ff0             # dr6
    segs = []
    for i in range(10):
        attr = 0xa09b if i == 1 else 0x93
        segs.append(struct.pack('<HHIQ', 0x10 if i == 1 else 0x18, attr, 0xffffffff, 0))
    return struct.pack('<16Q', *gprs) + struct.pack('<23Q', *regs) + b''.join(segs)


def gdb_cmd(kind, arg, text):
    return kind.encode() + bytes([arg]) + text.encode() + b'\0'


def gdb():
    snap = gdb_snapshot()
    g = ''.join(struct.pack('<Q', 0x1000 + i).hex() for i in range(16))
    g += struct.pack('<Q', 0xffffffff81000010).hex() + struct.pack('<I', 0x3243).hex()
    g += ''.join(struct.pack('<I', s).hex() for s in (0x10, 0x18, 0x18, 0x18, 0x18, 0x18))
    g += 'x' * 20 * 8 + 'x' * 8 * 8
    g += struct.pack('<QQ', 0, 0).hex()
    g += ''.join(struct.pack('<Q', v).hex() for v in (0x80050033, 0, 0x1234000, 0, 0, 0xd01))
    put('gdb_regs', 'p-writes', snap + gdb_cmd('P', 0, '8877665544332211') +
        gdb_cmd('P', 16, '00100081ffffffff') + gdb_cmd('P', 16, '0000000000800000') +
        gdb_cmd('P', 17, 'ff7f0000') + gdb_cmd('P', 18, '10000000') +
        gdb_cmd('P', 24, '00000000000000000000') + gdb_cmd('P', 40, '0000000000000000') +
        gdb_cmd('P', 42, '3300058000000000'))
    put('gdb_regs', 'g-write', snap + gdb_cmd('G', 0, g) + gdb_cmd('G', 0, g[:-2]))
    put('gdb_regs', 'xfer-numbers', snap + gdb_cmd('X', 60, '0,fff') +
        gdb_cmd('X', 2, '100,40') + gdb_cmd('X', 255, 'ffffffff,ffffffff') +
        gdb_cmd('N', 0, 'ffffffffffffffff1') + gdb_cmd('N', 0, 'deadBEEF,12:zz'))

    # the stub (fuzz_gdb_stub.c): records of control, length, bytes
    def pkt(text, ctl=0):
        return struct.pack('<BH', ctl, len(text)) + text.encode('latin-1')
    session = [pkt(x) for x in (
        'qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386', 'vMustReplyEmpty',
        'Hg0', 'qXfer:features:read:target.xml:0,ffb', 'qXfer:features:read:target.xml:7fe,ffb',
        'qTStatus', '?', 'qfThreadInfo', 'qsThreadInfo', 'qAttached', 'Hc-1', 'qC', 'g',
        'p10', 'P8=8877665544332211', 'p8', 'qThreadExtraInfo,2', 'T3', 'T9', 'Hg2',
        'm100000,40', 'M100000,4:90909090', 'm1ffffc,8', 'mffffffffffff0000,4',
        'Z0,100010,1', 'Z0,100020,1', 'z0,100020,1', 'Z1,100030,1', 'vCont?',
        'vCont;c', )]
    rcmd = [pkt('qRcmd,' + c.encode().hex()) for c in (
        'help', 'regs g 1', 'mem g gva 100000 64', 'resume g', 'pause other', 'bogus',
        'x' * 127, 'x' * 128)]
    session += rcmd + [pkt('', 0x44), pkt('vCont;s:1;c'), pkt('', 0x4d), pkt('c'),
                       pkt('\x03', 0x80), pkt('P10=2000100000000000'), pkt('s'), pkt('', 0x60),
                       pkt('c')]
    put('gdb_stub', 'session', b''.join(session))
    hwpts = [pkt(x) for x in (
        'Z1,100020,1', 'Z2,103484,4', 'Z3,10348c,4', 'Z4,103488,4', 'Z2,103480,8',
        'z3,10348c,4', 'Z2,1001,7', 'Z4,ffffffffffffffff,2', 'Z2,1000,21', 'vCont;c')]
    hwpts += [pkt('', 0x51), pkt('c'), pkt('', 0x58), pkt('vCont;s:1'), pkt('', 0x5f),
              pkt('z1,100020,1'), pkt('z2,103484,4'), pkt('z4,103488,4'), pkt('Z2,1001,7'),
              pkt('D')]
    put('gdb_stub', 'hw-points', b''.join(hwpts))
    put('gdb_stub', 'raw', pkt('$g#67+-$?#3f', 0x80) + pkt('$m0,4}', 0x80) +
        pkt('*!#00\x03$c', 0x80) + pkt('k'))


if __name__ == '__main__':
    if sys.argv[1:] == ['gdb']:
        gdb()
        sys.exit(0)
    gdb()
    devices()
    insns()
    msr_cr()
    mb2()
    acpi()
    loader()
    virtqueue()
    pci()
    os.makedirs(os.path.join(top, 'corpus', 'config'), exist_ok=True)
    if len(sys.argv) > 2 and sys.argv[1] == '--real':
        real(sys.argv[2])
