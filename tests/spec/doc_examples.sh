#!/bin/sh
# doc_examples.sh DRIVER DOC - every complete example in the workload
# language reference (a ```yaml block whose first line is `workload:` or
# `suite:`, without includes) must pass `allocscope check`.
driver=$1
doc=$2
dir=${TMPDIR:-/tmp}/spec-doc.$$
mkdir -p "$dir" || exit 1
awk -v dir="$dir" '
    /^```yaml$/ { inblock = 1; n++; file = dir "/example" n ".yaml"; first = 1; next }
    /^```$/     { inblock = 0; next }
    inblock {
        if (first && $0 !~ /^(workload|suite):/) { inblock = 0; next }
        first = 0
        print > file
    }' "$doc"
count=0
fail=0
for f in "$dir"/example*.yaml; do
    [ -f "$f" ] || continue
    grep -q 'include:' "$f" && continue
    count=$((count + 1))
    "$driver" "$f" || { echo "FAIL: this example is invalid:"; cat "$f"; fail=1; }
done
rm -rf "$dir"
[ "$count" -ge 4 ] || { echo "FAIL: only $count examples found in $doc"; fail=1; }
exit $fail
