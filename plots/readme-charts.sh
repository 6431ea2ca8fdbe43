#!/bin/sh
# Regenerate the charts shown in the README from the default suite on this
# machine:  plots/readme-charts.sh [BUILD_DIR]   (default: build)
# Runs `allocscope run` (3 repetitions, all available allocators), renders
# the run, and copies three of its PNGs into plots/readme/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
run=$(mktemp -d "${TMPDIR:-/tmp}/allocscope-readme.XXXXXX")
"$build/bin/allocscope" run -r 3 -o "$run" --no-plots
"$build/bin/allocscope" plot -q "$run"
mkdir -p "$here/readme"
for chart in suite.overview suite.peak_heap grow-churn-shrink.brk; do
    cp "$run/plots/$chart.png" "$here/readme/$chart.png"
done
echo "README charts updated from $run (report: $run/report.html)"
