#!/usr/bin/env bash
# bootstrap.sh - make a fresh Debian 12 machine ready and build allocscope.
#
# Installs whatever Debian packages are missing (apt-get, as root or via
# sudo), then configures and builds with CMake into ./build.
#   ./bootstrap.sh            packages to build and run allocscope
#   ./bootstrap.sh --tests    also the packages the test suite uses
#   ./bootstrap.sh --programs also what the shipped real-program workloads run
#                             (workloads/programs.yaml: python3, redis-server)
#                             and GNU time for benchmarks/program_sampling.sh
# --tests and --programs may be given together.
set -euo pipefail
cd "$(dirname "$0")"

# valgrind: its headers let the worker switch callgrind on around the
# measured loop (run --instructions on machines without a PMU), and it runs
# the worker there.
packages=(build-essential cmake pkg-config libyaml-dev libjansson-dev libzstd-dev
          libjemalloc-dev libjemalloc2 libmimalloc-dev libmimalloc2.0 gnuplot-nox
          libtcmalloc-minimal4 valgrind)
with_tests=OFF
for arg in "$@"; do
    case "$arg" in
    --tests)
        with_tests=ON
        # Real programs run under the reference allocator, SVG checks, the
        # report opened in a headless browser, strace as the program break's
        # witness, clang with libFuzzer (libclang-rt) for the fuzz tests,
        # util-linux's unshare for the full-filesystem test, traces read with the
        # zstd tool, jq for the A/B tests' JSON.
        # xz -T2 is the multi-threaded real program of the reference tests.
        packages+=(python3 git coreutils libxml2-utils chromium valgrind strace clang
                   libclang-rt-14-dev util-linux xz-utils zstd jq) ;;
    --programs)
        packages+=(python3 redis-server time) ;;
    *)
        echo "usage: ./bootstrap.sh [--tests] [--programs]" >&2
        exit 2 ;;
    esac
done

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
