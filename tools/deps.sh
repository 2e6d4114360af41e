#!/bin/sh
# Install the Debian packages authzc needs, only those missing.
# Does nothing (and needs no privileges) when everything is present.
#
#   sh tools/deps.sh           install what the build and the tests need
#   sh tools/deps.sh --check   install nothing: exit 2 with one line naming
#                              what the build lacks (a plain `make` runs this)
set -eu
# The build: parser generators, pkg-config, the git, JSON and crypto
# libraries, authzc serve's HTTP server and client (bundle URLs), and Z3
# (the SMT solver behind `diff`'s behaviour section and `check`'s lint).
BUILD_PKGS="flex bison pkg-config libgit2-dev libcjson-dev libsodium-dev nettle-dev libmicrohttpd-dev libcurl4-openssl-dev libz3-dev"
# make test: criterion for the unit tests; the golden CLI tests build fixture
# repositories with git and check JSON and XML with python3; mandoc lints the
# man pages; clang and its libFuzzer runtime run the fuzz targets briefly
# (fuzz-smoke); tests/serve runs authzc serve behind NGINX (auth_request) and
# talks to it with curl.
TEST_PKGS="libcriterion-dev git python3 mandoc clang libclang-rt-14-dev curl nginx"
# make memcheck only.
OPTIONAL="valgrind"
# make fuzz: the same fuzzer toolchain (kept so `WANT_FUZZ=1` still works).
FUZZ_PKGS="clang libclang-rt-14-dev"
# make bench-serve: the HTTP load generator.
BENCH_PKGS="wrk"

missing_of() {
  m=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || m="$m $p"
  done
  echo "$m"
}

if [ "${1:-}" = --check ]; then
  missing=$(missing_of $BUILD_PKGS)
  [ -z "$missing" ] && exit 0
  echo "authzc: missing Debian packages:$missing; run 'make deps' (as root) to install them" >&2
  exit 2
fi

missing=$(missing_of $BUILD_PKGS $TEST_PKGS ${WANT_OPTIONAL:+$OPTIONAL} ${WANT_FUZZ:+$FUZZ_PKGS} ${WANT_BENCH:+$BENCH_PKGS})
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "deps: missing packages:$missing; run as root: apt-get install$missing" >&2; exit 2
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
