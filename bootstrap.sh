#!/usr/bin/env bash
# bootstrap.sh - make a fresh Debian 12 machine ready and build allocscope.
#
# Installs whatever Debian packages are missing (apt-get, as root or via
# sudo), then configures and builds with CMake into ./build.
#   ./bootstrap.sh            packages to build and run allocscope
#   ./bootstrap.sh --tests    also the packages the test suite uses
set -euo pipefail
cd "$(dirname "$0")"

# valgrind: its headers let the worker switch callgrind on around the
# measured loop (run --instructions on machines without a PMU), and it runs
# the worker there.
packages=(build-essential cmake pkg-config libyaml-dev libjansson-dev
          libjemalloc-dev libjemalloc2 libmimalloc-dev libmimalloc2.0 gnuplot-nox
          libtcmalloc-minimal4 valgrind)
with_tests=OFF
if [[ "${1:-}" == "--tests" ]]; then
    with_tests=ON
    # Real programs run under the reference allocator, SVG checks, the
    # report opened in a headless browser.
    packages+=(python3 git coreutils libxml2-utils chromium jq)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}" >&2
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALLOCSCOPE_BUILD_TESTS=$with_tests >/dev/null
cmake --build build -j"$(nproc)"
