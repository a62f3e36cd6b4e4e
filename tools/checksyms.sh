#!/bin/sh
# SPDX-License-Identifier: MIT
# Check that the second link pass kept every function where the first pass
# put it (the symbol table generated from pass 1 must describe pass 2).
set -eu
a=$(nm -n --defined-only "$1" | awk '$2 ~ /^[tT]$/' | md5sum)
b=$(nm -n --defined-only "$2" | awk '$2 ~ /^[tT]$/' | md5sum)
if [ "$a" != "$b" ]; then
	echo "checksyms: text symbols moved between link passes" >&2
	exit 1
fi
