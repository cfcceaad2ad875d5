#!/usr/bin/env bash
# Runs the libFuzzer targets of a TCPKIT_FUZZ build (tests/fuzz/, `make fuzz`), one after the
# other, each for SECONDS, then prints a table: target, result, runs, execs/s, corpus size and
# the coverage features it gained.
#
#   scripts/fuzz.sh BUILD_DIR [SECONDS [TARGET...]]     (SECONDS: 60; TARGET: all of them)
#
# Each target reads its committed corpus (tests/fuzz/corpus/<target>/) and writes what it finds
# to BUILD_DIR/corpus/<target>/ only, so a run never churns the committed files, and the next
# run starts from what this one found (rm -rf BUILD_DIR/corpus to start afresh). One job at a
# time: the machines this runs on have two cores. Its log is BUILD_DIR/logs/<target>.log.
#
# A crash (a broken invariant, a sanitizer's report, a leak, a timeout, running out of memory)
# fails the run after every target had its turn, and says where the input is and how to make it
# a regression input of the corpus, which `make test` replays.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [SECONDS [TARGET...]]" >&2
    exit 2
fi
build_dir=$(cd "$1" && pwd)
seconds=${2:-60}
shift $(($# >= 2 ? 2 : 1))
targets_file="$build_dir/fuzz_targets.tsv"
if [ ! -f "$targets_file" ]; then
    echo "fuzz: no $targets_file: configure $build_dir with -DTCPKIT_FUZZ=ON (make fuzz does)" >&2
    exit 2
fi

# The number after "NAME: " in libFuzzer's final statistics, or "-".
final_stat() {
    sed -n "s/^stat::$1: *\([0-9][0-9]*\).*/\1/p" "$2" | tail -n 1 | grep . || echo "-"
}

# A field of the status line that starts with `#RUNS KIND` (INITED, DONE, NEW, pulse...), the
# last one of that kind; "-" when there is none (a crash while reading the corpus).
status_field() {
    local kind=$1 field=$2 log=$3
    grep -E "^#[0-9]+[[:space:]]+$kind " "$log" | tail -n 1 |
        sed -n "s/.* $field: \([0-9][0-9]*\).*/\1/p" | grep . || echo "-"
}

rows=()
failures=()
while IFS=$'\t' read -r name program corpus max_len; do
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
        continue
    fi
    work_corpus="$build_dir/corpus/$name"
    artifacts="$build_dir/crashes/$name"
    log="$build_dir/logs/$name.log"
    mkdir -p "$work_corpus" "$artifacts" "$build_dir/logs"
    echo "fuzz: $name for ${seconds}s (-max_len=$max_len)"
    status=0
    # -timeout: one input taking 10 s is a hang (they take microseconds); -rss_limit_mb and
    # -malloc_limit_mb (which follows it) are libFuzzer's default, said here so that an
    # out-of-memory report is expected.
    "$program" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$work_corpus" "$corpus" \
        >"$log" 2>&1 || status=$?

    runs=$(final_stat number_of_executed_units "$log")
    speed=$(final_stat average_exec_per_sec "$log")
    start_features=$(status_field INITED ft "$log")
    end_kind=DONE
    if [ "$status" -ne 0 ]; then
        end_kind='[A-Za-z]+'  # the last status line before the crash
    fi
    end_features=$(status_field "$end_kind" ft "$log")
    corpus_size=$(status_field "$end_kind" corp "$log")
    gained="-"
    if [ "$start_features" != "-" ] && [ "$end_features" != "-" ]; then
        gained=$((end_features - start_features))
    fi
    result=ok
    if [ "$status" -ne 0 ]; then
        result="FAILED"
        failures+=("$name")
        artifact=$(ls -t "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* \
            "$artifacts"/oom-* 2>/dev/null | head -n 1 || true)
        echo "fuzz: $name FAILED (exit status $status); the report is in $log:" >&2
        grep -E "invariant broken|ERROR: |SUMMARY: " "$log" | head -n 5 | sed 's/^/  /' >&2 || true
        if [ -n "$artifact" ]; then
            cat >&2 <<EOF
  the input:  $artifact
  reproduce:  $program $artifact
  minimise:   $program -minimize_crash=1 -max_total_time=60 -artifact_prefix=$artifacts/ $artifact
              (writes $artifacts/minimized-from-*; the smallest is the newest)
  then add it to the corpus, named for what it shows, fix the code, and check with make test:
              cp MINIMISED_INPUT tests/fuzz/corpus/$name/WHAT-IT-SHOWS
EOF
        fi
    fi
    rows+=("$name|$result|$runs|$speed|$corpus_size|$start_features -> $end_features|$gained")
done <"$targets_file"

if [ ${#rows[@]} -eq 0 ]; then
    echo "fuzz: no target named $*; the targets are: $(cut -f1 "$targets_file" | tr '\n' ' ')" >&2
    exit 2
fi
echo
printf '%-18s %-7s %12s %9s %7s %17s %5s\n' target result runs execs/s corpus features new
for row in "${rows[@]}"; do
    IFS='|' read -r name result runs speed corpus_size features gained <<<"$row"
    printf '%-18s %-7s %12s %9s %7s %17s %5s\n' "$name" "$result" "$runs" "$speed" \
        "$corpus_size" "$features" "$gained"
done
if [ ${#failures[@]} -gt 0 ]; then
    echo "fuzz: failed: ${failures[*]}" >&2
    exit 1
fi
