#!/bin/sh
# Install the Debian packages authzc needs, only those missing.
# Does nothing (and needs no privileges) when everything is present.
set -eu
PKGS="flex bison pkg-config libgit2-dev libcjson-dev libcriterion-dev libsodium-dev"
# make test: the golden CLI tests build fixture repositories with git and
# check JSON and XML with python3; mandoc lints the man pages; clang and its
# libFuzzer runtime run the fuzz targets briefly (fuzz-smoke).
TEST_PKGS="git python3 mandoc clang libclang-rt-14-dev"
# make memcheck only.
OPTIONAL="valgrind"
# make fuzz: the same fuzzer toolchain (kept so `WANT_FUZZ=1` still works).
FUZZ_PKGS="clang libclang-rt-14-dev"
missing=""
for p in $PKGS $TEST_PKGS ${WANT_OPTIONAL:+$OPTIONAL} ${WANT_FUZZ:+$FUZZ_PKGS}; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "deps: missing packages:$missing; run as root: apt-get install$missing" >&2; exit 2
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
