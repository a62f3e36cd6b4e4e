#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build the default Linux guest from Debian's packages, without root:
#   sh tools/mklinux.sh BUILD [generic]
# Into BUILD/linux/ it puts bzImage, the unmodified kernel of the newest
# linux-image-*-cloud-amd64 package (the one the linux-image-cloud-amd64
# metapackage depends on), and initrd.cpio.gz, a gzipped newc initramfs
# holding busybox from busybox-static, guests/linux/init as /init and the
# kernel's virtio modules (guests/linux/mkinitrd.sh packs it), and root.img,
# the guest's ext4 root disk (guests/linux/mkrootfs.sh makes it). The .deb
# files stay in BUILD/linux/cache/: a second run downloads nothing and, when
# no input changed, rebuilds nothing. Without network or package lists the
# cached packages are used; with neither it says so and fails.
#
# With "generic" it builds the same guest from Debian's generic kernel
# (linux-image-amd64: every driver, 70 MB) into BUILD/linux-generic/:
# vmlinuz-generic and initrd-generic.cpio.gz, whose modules are the NIC
# drivers the cloud kernel lacks (e1000e and e1000, for the passthrough tests), and
# no root disk.
set -eu

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: mklinux.sh BUILD [generic]" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
init=$src/guests/linux/init
mkinitrd=$src/guests/linux/mkinitrd.sh
mkrootfs=$src/guests/linux/mkrootfs.sh
case ${2:-cloud} in
cloud)
	dir=linux meta=linux-image-cloud-amd64 kpat='linux-image-*-cloud-amd64'
	kname=bzImage iname=initrd.cpio.gz modules= rootfs=root.img ;;
generic)
	dir=linux-generic meta=linux-image-amd64 kpat='linux-image-*-amd64'
	kname=vmlinuz-generic iname=initrd-generic.cpio.gz modules='e1000e e1000' rootfs= ;;
*) echo "mklinux.sh: unknown flavour '$2' (cloud or generic)" >&2; exit 2 ;;
esac
mkdir -p "$1/$dir/cache"
out=$(cd "$1/$dir" && pwd)
cache=$out/cache

say() { echo "mklinux: $*" >&2; }
die() { say "$*"; exit 1; }

# Print the candidate records of the metapackage and busybox-static; print
# nothing when apt does not know them (no package lists yet).
apt_records() {
	apt-cache show --no-all-versions $meta busybox-static 2>/dev/null || :
}

# Print field $2 of package $1's record in the records on stdin.
field() {
	awk -v p="$1" -v f="$2: " '/^Package: / { cur = $2 }
		cur == p && index($0, f) == 1 { print substr($0, length(f) + 1); exit }'
}

# apt-cache needs package lists and a fresh Debian image has none: fetch
# them, which needs root.
apt_update() {
	if [ "$(id -u)" -ne 0 ]; then
		say "apt knows no $meta: run 'apt-get update' as root"
		return 1
	fi
	say "apt knows no $meta: running apt-get update"
	if apt-get update -q >"$cache/apt.log" 2>&1 &&
		! grep -q -e '^E: ' -e 'Failed to fetch' "$cache/apt.log"; then
		return 0
	fi
	grep -e '^[WE]: ' "$cache/apt.log" >&2 || cat "$cache/apt.log" >&2
	say "apt-get update failed: Debian's package mirror is not reachable (no network?)"
	return 1
}

# The file name apt-get download gives package $1 at version $2.
deb_name() {
	printf '%s_%s_amd64.deb\n' "$1" "$(printf '%s' "$2" | sed 's/:/%3a/g')"
}

# Print the cached .deb whose package name matches the pattern $1, if any.
cached_deb() {
	# shellcheck disable=SC2231 # $1 is a glob pattern
	for f in "$cache"/${1}_*.deb; do
		[ -f "$f" ] && echo "$f" && return
	done
	return 1
}

# Print the path of the .deb of package $1 at version $2, downloading it
# into the cache unless it is there; only that version of packages matching
# the pattern $3 is kept. When apt knows no version, or the download fails,
# fall back to the cached .deb matching $3.
fetch_deb() {
	if [ -z "$2" ]; then
		cached_deb "$3" ||
			die "apt cannot resolve $meta (no package lists; no network?) and no $3 .deb is cached in $cache"
		say "apt knows no version: using the cached $(cached_deb "$3" | sed 's|.*/||')"
		return
	fi
	f=$cache/$(deb_name "$1" "$2")
	if [ ! -f "$f" ]; then
		say "downloading $1 $2"
		rm -rf "$cache/dl" && mkdir "$cache/dl"
		if ! (cd "$cache/dl" && apt-get download -q "$1=$2") >"$cache/apt.log" 2>&1 ||
			[ ! -f "$cache/dl/${f##*/}" ]; then
			grep '^E: ' "$cache/apt.log" >&2 || cat "$cache/apt.log" >&2
			rm -rf "$cache/dl"
			say "apt-get download $1=$2 failed: Debian's package mirror is not reachable (no network?)"
			cached_deb "$3" || die "and no $3 .deb is cached in $cache"
			say "using the cached $(cached_deb "$3" | sed 's|.*/||') instead"
			return
		fi
		# shellcheck disable=SC2086 # $3 is a glob pattern
		rm -f "$cache"/${3}_*.deb
		mv "$cache/dl/${f##*/}" "$f"
		rmdir "$cache/dl"
	fi
	echo "$f"
}

# Set kpkg and kver to the kernel package the metapackage depends on
# ("linux-image-<abi>-cloud-amd64 (= <version>)") and bver to the version
# of busybox-static; empty where apt does not know.
resolve() {
	records=$(apt_records)
	dep=$(echo "$records" | field $meta Depends | tr ',' '\n' |
		grep -m 1 -o "${kpat%%\**}[^ ]*${kpat##*\*}.*" || :)
	kpkg=${dep%% *}
	kver=$(echo "$dep" | sed -n 's/.*(= \([^)]*\)).*/\1/p')
	if [ -n "$kpkg" ] && [ -z "$kver" ]; then
		kver=$(apt-cache show --no-all-versions "$kpkg" | field "$kpkg" Version)
	fi
	bver=$(echo "$records" | field busybox-static Version)
}

[ -f "$init" ] || die "$init is missing"
resolve
if [ -z "$kpkg" ] && ! cached_deb "$kpat" >/dev/null; then
	apt_update || :
	resolve
fi
kdeb=$(fetch_deb "$kpkg" "$kver" "$kpat")
bdeb=$(fetch_deb busybox-static "$bver" busybox-static)

# One line naming every input; when it matches the last build's, the
# outputs are current.
key="${kdeb##*/} ${bdeb##*/} $(cksum <"$init") $(cksum <"$mkinitrd") $(cksum <"$mkrootfs") $(cksum <"$0")"
if [ -f "$out/$kname" ] && [ -f "$out/$iname" ] && [ -f "$out/${rootfs:-$iname}" ] && [ -f "$out/recipe" ] &&
	[ "$(cat "$out/recipe")" = "$key" ]; then
	say "up to date"
else
	rm -f "$out/recipe"
	unpack=$out/unpack
	rm -rf "$unpack" && mkdir -p "$unpack/kernel" "$unpack/busybox"
	dpkg-deb -x "$kdeb" "$unpack/kernel" || { rm -f "$kdeb"; die "cannot unpack $kdeb (removed it: run again)"; }
	dpkg-deb -x "$bdeb" "$unpack/busybox" || { rm -f "$bdeb"; die "cannot unpack $bdeb (removed it: run again)"; }
	set -- "$unpack"/kernel/boot/vmlinuz-*
	[ -f "$1" ] || die "${kdeb##*/} has no boot/vmlinuz-*"
	release=${1##*/vmlinuz-}
	cp "$1" "$out/$kname"
	echo "$release" >"$out/kernel.release"
	# shellcheck disable=SC2086 # a list of module names, maybe empty
	sh "$mkinitrd" "$unpack/kernel/lib/modules/$release" \
		"$unpack/busybox/bin/busybox" "$init" "$out/$iname" $modules
	rm -rf "$unpack"
	[ -z "$rootfs" ] || sh "$mkrootfs" "$out/$rootfs"
	echo "$key" >"$out/recipe"
fi

size() { wc -c <"$1" | tr -d ' '; }
echo "mklinux: kernel $(cat "$out/kernel.release") from ${kdeb##*/}"
echo "mklinux: busybox from ${bdeb##*/}"
echo "mklinux: $out/$kname $(size "$out/$kname") bytes"
echo "mklinux: $out/$iname $(size "$out/$iname") bytes" \
	"($(gzip -dc "$out/$iname" | wc -c | tr -d ' ') unpacked)"
[ -z "$rootfs" ] || echo "mklinux: $out/root.img $(size "$out/root.img") bytes (ext4, sha256 $(sha256sum "$out/root.img" | cut -c 1-16)...)"
