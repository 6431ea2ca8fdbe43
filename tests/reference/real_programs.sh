#!/bin/bash
# real_programs.sh - runs a real program with and without the reference
# allocator preloaded and requires identical output, exit status 0 and some
# output from both (two identical crashes are a failure, not a pass).
#
#   real_programs.sh LIBRARY PROGRAM WORKDIR
#   PROGRAM: python | sort | git | gnuplot | cmake | xz
#
# A program that is not installed fails the test (with the Debian package to
# install); it never passes silently.
set -u
lib=$1 program=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C TZ=UTC

fail() { echo "FAIL: $*" >&2; exit 1; }

[ -f "$lib" ] || fail "allocator library $lib not built"
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"

# require PATH PACKAGE: the program must exist, be dynamically linked, and
# actually load the allocator under LD_PRELOAD.
require() {
    [ -x "$1" ] || fail "required program $1 not found: apt-get install $2"
    LD_TRACE_LOADED_OBJECTS=1 LD_PRELOAD="$lib" "$1" 2>/dev/null | grep -q liballocscope_reference ||
        fail "$1 does not load $lib under LD_PRELOAD (statically linked?)"
}

# same LABEL COMMAND...: runs COMMAND in two fresh directories, without and
# with the allocator, and compares stdout and exit status; both runs must
# exit 0 and print something.
same() {
    local label=$1; shift
    mkdir -p "$work/glibc" "$work/reference"
    (cd "$work/glibc" && "$@") > "$work/$label.glibc.out" 2> "$work/$label.glibc.err"
    local status_glibc=$?
    (cd "$work/reference" && export LD_PRELOAD="$lib" && "$@") > "$work/$label.reference.out" 2> "$work/$label.reference.err"
    local status_reference=$?
    if [ $status_glibc -ne 0 ]; then
        cat "$work/$label.glibc.err" >&2
        fail "$label: exit status $status_glibc without the reference allocator (the test itself is broken)"
    fi
    if [ $status_reference -ne 0 ]; then
        cat "$work/$label.reference.err" >&2
        fail "$label: exit status $status_reference with the reference allocator"
    fi
    if [ ! -s "$work/$label.glibc.out" ]; then
        fail "$label: no output without the reference allocator (the test itself is broken)"
    fi
    if ! cmp -s "$work/$label.glibc.out" "$work/$label.reference.out"; then
        diff "$work/$label.glibc.out" "$work/$label.reference.out" | head -20 >&2
        cat "$work/$label.reference.err" >&2
        fail "$label: output differs with the reference allocator"
    fi
    echo "ok: $label ($(wc -c < "$work/$label.reference.out") bytes of identical output, status $status_glibc)"
}

case $program in
python)
    py=/usr/bin/python3
    require $py python3
    export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
    LD_PRELOAD="$lib" $py -c 'import ctypes, sys; sys.exit(not hasattr(ctypes.CDLL(None), "allocscope_reference_version"))' ||
        fail "python3 does not see the reference allocator"
    same python-pymalloc $py "$here/programs/alloc_heavy.py"
    # every object through malloc, not Python's own small-object arenas
    PYTHONMALLOC=malloc same python-malloc $py "$here/programs/alloc_heavy.py"
    ;;
sort)
    require /usr/bin/sort coreutils
    # ~12 MB of generated lines, made once and read by both runs
    awk 'BEGIN { srand(7); for (i = 0; i < 500000; i++)
                   printf "%d %s %d\n", int(rand() * 1e9), substr("qwertyuiopasdfghjklzxcvbnm", 1 + int(rand() * 20), 1 + int(rand() * 7)), i }' \
        > "$work/input.txt" || fail "cannot generate the input"
    same sort-default /usr/bin/sort "$work/input.txt"
    same sort-numeric-parallel /usr/bin/sort -n -S 8M --parallel=2 "$work/input.txt"
    same sort-unique-key /usr/bin/sort -u -k2,2 "$work/input.txt"
    ;;
git)
    require /usr/bin/git git
    export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=t@example.org \
           GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=t@example.org
    mkdir -p "$HOME"
    # builds a small repository and prints what git says about it; the
    # commit dates are fixed, so even the hashes must match
    transcript() {
        git init -q -b main repo && cd repo
        for c in 1 2 3 4 5 6; do
            for f in 1 2 3 4 5 6 7 8; do
                seq $((c * f)) $((c * f * 40)) | sed "s/^/line $c $f /" > "file$f.txt"
            done
            mkdir -p "dir$c" && seq 1 $((c * 500)) > "dir$c/data.txt"
            git add -A
            GIT_AUTHOR_DATE="2024-01-0$c 12:00:00 +0000" GIT_COMMITTER_DATE="2024-01-0$c 12:00:00 +0000" \
                git commit -q -m "commit $c"
        done
        git rev-parse HEAD
        git log --stat --format='%H %s'
        git diff HEAD~3 HEAD | head -3000
        git blame file3.txt | head -200
        git grep -n 'line 6 7' | head -100
        git status --short
        git gc -q
        git fsck --full 2>&1
        git count-objects -v | grep -v size
    }
    same git transcript
    ;;
gnuplot)
    require /usr/bin/gnuplot gnuplot-nox
    cat > "$work/chart.gp" <<'GP'
set terminal svg size 900,600 dynamic
set output 'chart.svg'
set samples 4000
set isosamples 60
set title 'reference allocator test chart'
plot sin(x) * exp(-x / 10) title 'damped', '+' using 1:(cos($1) ** 2) with lines title 'cos^2'
set output 'surface.svg'
splot sin(sqrt(x**2 + y**2)) / sqrt(x**2 + y**2 + 0.1)
set terminal dumb size 100,40
set output
plot [0:10] x ** 1.5 title 'power'
GP
    same gnuplot-render sh -c "/usr/bin/gnuplot '$work/chart.gp' && cat chart.svg surface.svg"
    ;;
cmake)
    require /usr/bin/cmake cmake
    same cmake-version /usr/bin/cmake --version
    same cmake-capabilities /usr/bin/cmake -E capabilities
    ;;
xz)
    # multi-threaded: xz -T2 compresses (and decompresses) independent blocks
    # in two worker threads, each allocating its own multi-megabyte encoder
    # state; output is byte-identical for a fixed thread count and block size
    require /usr/bin/xz xz-utils
    awk 'BEGIN { srand(11); for (i = 0; i < 120000; i++)
                   printf "%d,%s,%d\n", i, substr("abcdefghijklmnopqrstuvwxyz", 1 + int(rand() * 20), 1 + int(rand() * 7)), int(rand() * 1e6) }' \
        > "$work/input.csv" || fail "cannot generate the input"
    [ "$(stat -c %s "$work/input.csv")" -gt 2000000 ] || fail "input too small for several xz blocks"
    xz -T2 --block-size=512KiB -3 -c "$work/input.csv" > "$work/input.csv.xz" || fail "cannot make the compressed input"
    same xz-compress-threads sh -c "/usr/bin/xz -T2 --block-size=512KiB -3 -c '$work/input.csv' | sha256sum"
    same xz-decompress-threads sh -c "/usr/bin/xz -T2 -d -c '$work/input.csv.xz' | sha256sum"
    same xz-list /usr/bin/xz -T2 --robot --list "$work/input.csv.xz"
    ;;
*)
    fail "unknown program $program"
    ;;
esac
