#!/usr/bin/env bash
# `tools/perf all [--quick] [--out DIR]`: every benchmark of the perf suite in turn, each writing its JSON (and .hgrm
# files) into one results directory, then `tools/perf report` renders the PNG plots there.
#
#   --quick   a smoke run (short index replay with a short sweep, small erosion, three small footprint sizes, a
#             short JMH subset, e2e/ingest/routing briefly when tools/perf has them) in under a minute on 2 cores
#             once built; its numbers are not results. Default output: $TMPDIR/kvindex-perf-quick-<time>/.
#   (full)    the measurements perf/RESULTS.md quotes, medians of 3 runs; about 25 minutes on a quiet 2-core
#             machine (stated again at the start). Default output: perf/results/<date>/.
#   --out DIR the results directory.
#
# Subcommands that tools/perf does not offer (e2e, ingest, routing) are skipped with a note. A failing step is
# reported and the others still run; the exit status is 1 when any step failed. KVINDEX_PERF_E2E_ARGS,
# KVINDEX_PERF_INGEST_ARGS and KVINDEX_PERF_ROUTING_ARGS replace the arguments given to those subcommands.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/common.sh"

PERF="$KVINDEX_ROOT/tools/perf"
quick=0
out=""
while [[ $# -gt 0 ]]
do
    case "$1" in
        --quick) quick=1 ;;
        --out) out="${2:?--out needs a directory}"; shift ;;
        -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) kvindex_die "all: unknown option '$1' (--quick, --out DIR)" ;;
    esac
    shift
done
if [[ -z "$out" ]]
then
    if (( quick ))
    then
        out="${TMPDIR:-/tmp}/kvindex-perf-quick-$(date +%Y%m%d-%H%M%S)"
    else
        out="$KVINDEX_ROOT/perf/results/$(date +%F)"
    fi
fi
mkdir -p "$out"
out="$(cd "$out" && pwd -P)"

if (( quick ))
then
    echo "perf all --quick: a smoke run of every benchmark, under 60 s on 2 cores once built (not results);" \
        "writing to $out" >&2
else
    echo "perf all: the full suite takes about 25 minutes on a quiet 2-core machine, longer under load (index" \
        "replay at 16 workers x3 with a sweep ~2 min, at 4,096 workers on the full trace x3 ~9 min, erosion and" \
        "footprint ~2 min, JMH ~9 min, e2e/ingest/routing ~2 min); writing to $out" >&2
fi

# Whether tools/perf has a working arm for a subcommand: the first case arm naming it exists and does not just say
# that the subcommand is not implemented yet.
has_subcommand()
{
    awk -v word="$1" '
        !found && /^[[:space:]]+[a-z0-9 |-]+\)[[:space:]]*$/ {
            arm = $0
            gsub(/[[:space:])]/, "", arm)
            n = split(arm, names, "|")
            for (i = 1; i <= n; i++)
            {
                if (names[i] == word)
                {
                    found = 1
                }
            }
            next
        }
        found && /;;/ { exit }
        found && /not yet implemented/ { stub = 1 }
        END { exit !(found && !stub) }
    ' "$PERF"
}

kvindex_ensure_built tools

declare -a summary=()
failed=0

# step NAME OUTPUT_FILE COMMAND...: run a command with its stdout into OUTPUT_FILE (none when "-") and its stderr
# into NAME.log, timed.
step()
{
    local name="$1" output="$2"
    shift 2
    local start end status=0
    start="$(date +%s.%N)"
    echo "perf all: $name: $*" >&2
    if [[ "$output" == "-" ]]
    then
        "$@" 2> "$out/$name.log" > /dev/null || status=$?
    else
        "$@" 2> "$out/$name.log" > "$out/$output" || status=$?
    fi
    end="$(date +%s.%N)"
    local took
    took="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')"
    if (( status == 0 ))
    then
        summary+=("$(printf '%-14s %7s s  ok      %s' "$name" "$took" "${output/#-/}")")
    else
        failed=1
        summary+=("$(printf '%-14s %7s s  FAILED  exit %d, see %s.log' "$name" "$took" "$status" "$name")")
        tail -n 5 "$out/$name.log" >&2 || true
    fi
}

skip()
{
    summary+=("$(printf '%-14s %7s    skipped %s' "$1" "-" "$2")")
    echo "perf all: $1: skipped: $2" >&2
}

jmh()
{
    KVINDEX_NO_BUILD=1 "$KVINDEX_ROOT/perf/run-jmh" "$@"
}

if (( quick ))
then
    step index-16 index-16.json "$PERF" index --workers 16 --seconds 1 --sweep \
        --sweep-levels 25%,50%,100%,150% --sweep-seconds 0.4 --hgrm "$out/index-16" --json
    step erosion erosion.json "$PERF" erosion --workers 16 --engine-blocks 512 --laps 2 --windows 8 \
        --probe-repeats 1
    step footprint footprint-sizes.json "$PERF" footprint --sizes 50000,100000,200000
    step jmh-find jmh-find.txt jmh 'FindMatchesBenchmark.findMatches$' -p blocks=50000 -f 1 -wi 1 -i 1 \
        -w 1s -r 1s -rf json -rff "$out/jmh-find.json"
    e2e_args=(--transport ipc --rate 20000 --seconds 2 --warmup-seconds 1 --blocks 100000 --json --hgrm "$out")
    ingest_args=(--seconds 2 --warmup-seconds 1 --preload-blocks 100000 --json)
    routing_args=(--requests 500 --json)
else
    step index-16 index-16.json "$PERF" index --workers 16 --seconds 10 --runs 3 --sweep \
        --hgrm "$out/index-16" --json
    # 4,096-block engines: with the default 16,384 the full trace needs 44.2M memberships, above the index's bound.
    KVINDEX_JAVA_OPTS="${KVINDEX_JAVA_OPTS_4096:--Xms8g -Xmx8g -XX:MaxDirectMemorySize=8g}" step index-4096 \
        index-4096-full.json "$PERF" index --workers 4096 --engine-blocks 4096 --seconds 10 --runs 3 --no-reference \
        --hgrm "$out/index-4096" --json
    step erosion erosion.json "$PERF" erosion
    step footprint footprint-sizes.json "$PERF" footprint --sizes 250000,500000,1000000,2000000
    step jmh-find jmh-find.txt jmh FindMatchesBenchmark -f 2 -wi 3 -i 5 -w 2s -r 2s -prof gc \
        -rf json -rff "$out/jmh-find.json"
    step jmh-apply jmh-apply.txt jmh 'Apply(Stored|Removed)Benchmark' -f 2 -wi 3 -i 5 -w 2s -r 2s -prof gc \
        -rf json -rff "$out/jmh-apply.json"
    e2e_args=(--transport ipc --rate 50000 --seconds 10 --json --hgrm "$out")
    ingest_args=(--json)
    routing_args=(--json)
fi

# optional NAME ARGS...: run a subcommand tools/perf offers in this checkout, else note that it was skipped.
# KVINDEX_PERF_<NAME>_ARGS replaces its arguments.
optional()
{
    local name="$1"
    shift
    local override="KVINDEX_PERF_${name^^}_ARGS"
    local -a args=("$@")
    if [[ -n "${!override:-}" ]]
    then
        read -r -a args <<< "${!override}"
    fi
    if has_subcommand "$name"
    then
        step "$name" "$name.json" "$PERF" "$name" "${args[@]}"
    else
        skip "$name" "tools/perf has no $name subcommand yet"
    fi
}

optional e2e "${e2e_args[@]}"
optional ingest "${ingest_args[@]}"
optional routing "${routing_args[@]}"

step report report.txt "$PERF" report --in "$out" --out "$out"

{
    echo "perf all$( (( quick )) && echo " --quick"): $(date -Iseconds), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%s\n' "${summary[@]}"
    echo "results: $out"
} | tee "$out/summary.txt" >&2
exit "$failed"
