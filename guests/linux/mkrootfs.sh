#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Make the default Linux guest's root disk, without root (tools/mklinux.sh
# calls it):
#   sh guests/linux/mkrootfs.sh OUT.img [SIZE_MIB]
# An ext4 file system of SIZE_MIB (default 48) made by mke2fs -d from a
# staged tree (e2fsprogs 1.43 or later), holding files the guest's /init
# checks:
#   /hello.txt    one line, HELLO below
#   /data.bin     4 MiB: the SHA-256 digests of "hv-root-data N\n" for
#                 N = 0, 1, ... back to back; its SHA-256 is DATA_SHA256
#   /SHA256SUMS   sha256sum of both, for a look by hand
# About 38 MiB stay free, for the disk test that writes 16 MiB.
# The bytes are the same on every run: fixed UUID and directory hash seed,
# every time stamp at DATE (E2FSPROGS_FAKE_TIME for the superblock and
# inodes mke2fs makes, the staged files touched to it, their change times
# set by debugfs).
set -eu

HELLO='hello from the hv root disk'
DATA_SHA256=0cecae80e2637799900812c8b285bc985c798d49663f709248511ba02e0a6397
UUID=68762d72-6f6f-7466-732d-000000000001
DATE=1700000000 # 2023-11-14 22:13:20 UTC

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: mkrootfs.sh OUT.img [SIZE_MIB]" >&2
	exit 2
fi
out=$1 size=${2:-48}
die() { echo "mkrootfs: $*" >&2; exit 1; }
mke2fs=$(command -v mke2fs || echo /sbin/mke2fs)
debugfs=$(command -v debugfs || echo /sbin/debugfs)
if [ ! -x "$mke2fs" ] || [ ! -x "$debugfs" ]; then
	die "mke2fs or debugfs not found (install the Debian package e2fsprogs: make deps)"
fi

stage=$out.stage
rm -rf "$stage" "$out.tmp"
mkdir -p "$stage"
printf '%s\n' "$HELLO" >"$stage/hello.txt"
python3 -c '
import hashlib, sys
out = sys.stdout.buffer
for i in range(4 * 1024 * 1024 // 32):
    out.write(hashlib.sha256(b"hv-root-data %d\n" % i).digest())
' >"$stage/data.bin"
sum=$(sha256sum "$stage/data.bin" | cut -d ' ' -f 1)
[ "$sum" = "$DATA_SHA256" ] || die "data.bin has SHA-256 $sum, not $DATA_SHA256"
(cd "$stage" && sha256sum hello.txt data.bin >SHA256SUMS)
chmod 644 "$stage"/*
chmod 755 "$stage"
find "$stage" -exec touch -h -d "@$DATE" {} +

# -E root_owner: the root directory owned by 0:0 whoever runs this; no
# lazy init, so every block is written now and the image is complete.
E2FSPROGS_FAKE_TIME=$DATE SOURCE_DATE_EPOCH=$DATE \
	"$mke2fs" -q -F -t ext4 -b 4096 -L hvroot -U "$UUID" -J size=4 -N 64 \
	-E "hash_seed=$UUID,root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0" \
	-d "$stage" "$out.tmp" "${size}M" >/dev/null || die "mke2fs failed"
# mke2fs copies each file's change time, which touch cannot set, and its
# owner, which is whoever runs this: set them (0:0) with debugfs, which
# recomputes the inode's checksum.
for f in hello.txt data.bin SHA256SUMS lost+found; do
	echo "set_inode_field /$f ctime @$DATE"
	echo "set_inode_field /$f ctime_extra 0"
	echo "set_inode_field /$f uid 0"
	echo "set_inode_field /$f gid 0"
done >"$stage.cmds"
E2FSPROGS_FAKE_TIME=$DATE "$debugfs" -w -f "$stage.cmds" "$out.tmp" >/dev/null 2>&1 ||
	die "debugfs failed"
rm -f "$stage.cmds"
mv "$out.tmp" "$out"
rm -rf "$stage"
