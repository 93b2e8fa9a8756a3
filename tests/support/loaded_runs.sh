#!/usr/bin/env bash
# Run a test command RUNS times in a row while a CPU hog (`yes`) keeps every core busy, as on a loaded CI machine;
# print each run's result line and a summary; exit 1 if any run failed. The hogs are started here and stopped by
# their pids on the way out, whatever happens.
#   tests/support/loaded_runs.sh RUNS COMMAND...     e.g. tests/support/loaded_runs.sh 5 .venv-dev/bin/python -m pytest -q
set -uo pipefail

runs=${1:?usage: loaded_runs.sh RUNS COMMAND...}
shift
[ $# -gt 0 ] || { echo "usage: loaded_runs.sh RUNS COMMAND..." >&2; exit 2; }

hogs=()
stop_hogs() {
    [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null
    hogs=()
}
trap stop_hogs EXIT
trap 'stop_hogs; exit 130' INT TERM

cores=$(nproc)
for _ in $(seq "$cores"); do
    yes > /dev/null &
    hogs+=($!)
done
echo "==> $runs run(s) of: $* (under $cores CPU hog(s): pids ${hogs[*]})"

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/loaded-runs.XXXXXX")
failed=0
for run in $(seq "$runs"); do
    started=$(date +%s)
    "$@" > "$log_dir/run-$run.log" 2>&1
    status=$?
    seconds=$(( $(date +%s) - started ))
    summary=$(grep -E "^(=+ )?[0-9]+ (passed|failed)|(passed|failed|error).* in [0-9.]+s" "$log_dir/run-$run.log" | tail -1)
    if [ $status -eq 0 ]; then verdict=ok; else verdict=FAILED; failed=$((failed + 1)); fi
    echo "run $run: $verdict (exit $status, ${seconds} s) ${summary}"
    [ $status -eq 0 ] || grep -E "^(FAILED|ERROR) " "$log_dir/run-$run.log" | sed 's/^/    /'
done
stop_hogs

echo "==> $((runs - failed)) of $runs run(s) passed under load; logs in $log_dir"
[ $failed -eq 0 ]
