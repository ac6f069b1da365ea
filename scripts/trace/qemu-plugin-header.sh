#!/usr/bin/env bash
# Print the directory holding qemu-plugin.h for the QEMU that runs the test
# VM, fetching it first. The header must be the running QEMU's own: the
# plugin API version is compiled in, and QEMU refuses (or worse, misreads)
# a plugin built against another one. So it comes from Debian's qemu source
# package of exactly the installed version, through a private apt
# configuration (own sourceparts and lists dirs under the cache): the
# machine's apt sources and lists are never touched.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null) ||
	xyz_die "qemu-system-x86 is not installed"
# (no colon from the epoch in the path: make would read it as a rule)
dir=$XYZ_CACHE/qemu-src/${ver//:/_}
if [ ! -f "$dir/.done" ]; then
	xyz_log "fetching qemu-plugin.h from Debian's qemu $ver source package"
	apt=$XYZ_CACHE/qemu-src/apt
	mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/archives/partial"
	# the machine's deb sources, as deb-src, in our own sourceparts dir
	found=
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources.list.d/$(basename "$f")"
		found=1
	done
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$apt/sources.list.d/main.list"
		[ -s "$apt/sources.list.d/main.list" ] && found=1
	fi
	[ -n "$found" ] || xyz_die "no apt sources to derive deb-src lines from"
	opts=(-o "Dir::Etc::sourceparts=$apt/sources.list.d"
	      -o "Dir::Etc::sourcelist=/dev/null"
	      -o "Dir::State::Lists=$apt/lists"
	      -o "Dir::Cache::archives=$apt/archives"
	      -o "APT::Sandbox::User=root")  # _apt cannot write our cache dir
	apt-get "${opts[@]}" update -qq >&2
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/dl"
	(cd "$dir.tmp/dl" && apt-get "${opts[@]}" source --download-only -q "qemu=$ver" >&2) ||
		xyz_die "cannot download the qemu $ver source package"
	# only the header is needed: take it out of the upstream tarball
	orig=$(ls "$dir.tmp"/dl/qemu_*.orig.tar.*)
	mkdir -p "$dir.tmp/include"
	tar -xf "$orig" -C "$dir.tmp/dl" --wildcards --no-anchored \
		'include/qemu/qemu-plugin.h'
	find "$dir.tmp/dl" -path '*include/qemu/qemu-plugin.h' \
		-exec cp {} "$dir.tmp/include/" \;
	[ -f "$dir.tmp/include/qemu-plugin.h" ] || xyz_die "no qemu-plugin.h in $orig"
	rm -rf "$dir.tmp/dl"
	touch "$dir.tmp/.done" && rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir/include"
