#!/bin/sh
# check_cli.sh DRIVER VALID_FILE INVALID_FILE - the `check` command line:
# --help, usage errors, and several files in one call.
driver=$1
valid=$2
invalid=$3
fail=0
expect() { # expect WHAT STATUS WANTED
    if [ "$2" -ne "$3" ]; then echo "FAIL: $1: exit status $2, expected $3"; fail=1; fi
}

out=$("$driver" --help 2>/dev/null); expect "--help" $? 0
echo "$out" | grep -q '^usage: allocscope check' || { echo "FAIL: --help prints no usage"; fail=1; }

err=$("$driver" 2>&1 >/dev/null); expect "no files" $? 2
echo "$err" | grep -q 'no files given' || { echo "FAIL: no files: '$err'"; fail=1; }
echo "$err" | grep -q '^usage: allocscope check' || { echo "FAIL: no files: no usage"; fail=1; }

err=$("$driver" --bogus "$valid" 2>&1 >/dev/null); expect "--bogus" $? 2
echo "$err" | grep -q "unknown option '--bogus'" || { echo "FAIL: --bogus: '$err'"; fail=1; }

out=$("$driver" "$valid" "$invalid" 2>/dev/null); expect "valid + invalid" $? 2
[ "$out" = "$valid: ok (1 workload, 1 phase)" ] || { echo "FAIL: valid + invalid: '$out'"; fail=1; }

out=$("$driver" "$valid" "$valid" 2>&1); expect "valid twice" $? 0
[ "$(echo "$out" | grep -c ': ok (')" -eq 2 ] || { echo "FAIL: valid twice: '$out'"; fail=1; }
exit $fail
