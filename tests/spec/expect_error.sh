#!/bin/sh
# expect_error.sh DRIVER FILE - check that one broken workload file is
# rejected the way users see it: exit status 2, nothing on stdout, and
# exactly one stderr line "FILE:LINE:COL: message" whose position and text
# match the file's first line, "# expect: LINE:COL: substring" (or the first
# line of FILE.expect, for files that cannot hold a comment).
driver=$1
file=$2
spec=$file
[ -f "$file.expect" ] && spec=$file.expect
expect=$(head -n 1 "$spec" | tr -d '\r' | sed -n 's/^# expect: //p')
if [ -z "$expect" ]; then
    echo "FAIL: $spec has no '# expect: LINE:COL: substring' first line"
    exit 1
fi
pos=${expect%%: *}
substring=${expect#*: }

tmp=${TMPDIR:-/tmp}/spec-expect.$$
"$driver" "$file" >"$tmp.out" 2>"$tmp.err"
status=$?
lines=$(wc -l <"$tmp.err")
first=$(head -n 1 "$tmp.err")
stdout=$(cat "$tmp.out")
rm -f "$tmp.out" "$tmp.err"

fail=0
[ "$status" -eq 2 ] || { echo "FAIL: exit status $status, expected 2"; fail=1; }
[ -z "$stdout" ] || { echo "FAIL: unexpected stdout: $stdout"; fail=1; }
[ "$lines" -eq 1 ] || { echo "FAIL: $lines stderr lines, expected exactly 1"; fail=1; }
case "$first" in
"$file:$pos: "*) ;;
*) echo "FAIL: message does not start with '$file:$pos: '"; fail=1 ;;
esac
case "$first" in
*"$substring"*) ;;
*) echo "FAIL: message does not contain '$substring'"; fail=1 ;;
esac
echo "got: $first"
exit $fail
