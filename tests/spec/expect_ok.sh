#!/bin/sh
# expect_ok.sh DRIVER FILE - `check` accepts FILE: exit status 0, nothing on
# stderr, and exactly the line "FILE: ok (N workload(s), M phase(s))".
driver=$1
file=$2
tmp=${TMPDIR:-/tmp}/spec-ok.$$
"$driver" "$file" >"$tmp.out" 2>"$tmp.err"
status=$?
out=$(cat "$tmp.out")
err=$(cat "$tmp.err")
rm -f "$tmp.out" "$tmp.err"
echo "got: $out$err"
[ "$status" -eq 0 ] || { echo "FAIL: exit status $status"; exit 1; }
[ -z "$err" ] || { echo "FAIL: unexpected stderr"; exit 1; }
echo "$out" | grep -Eqx "$(printf '%s' "$file" | sed 's/[.[\*^$]/\\&/g'): ok \([0-9]+ workloads?, [0-9]+ phases?\)" ||
    { echo "FAIL: stdout is not '$file: ok (...)'"; exit 1; }
