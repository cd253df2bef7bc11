#!/usr/bin/env bash
# Run a Gossip Glomers stage with its official flags and keep what it produced.
#
#   ./run.sh <stage|challenge|all> [extra test flags...]
#
# Uses real Maelstrom when $MAELSTROM names it or `maelstrom` is on PATH, else the embedded
# workbench (python3 -m workbench test, installed into .venv on first use). Each stage's
# results.edn (and its JSON twin results.json), plots, timeline.html and messages.svg are
# copied into results/<stage>/.
# Extra flags (e.g. --seed 3, --nemesis partition) are added to every stage's command.
# $RESULTS_DIR moves results/ (the benchmarks use it).
# --sim (simulate on virtual time, workbench only) always uses the embedded workbench.
# --sweep N sweeps the stage's flags over seeds 1..N with the embedded workbench
# (python3 -m workbench sweep; docs/sweep.md); other sweep flags (--jobs, --swarm) pass on.
# Exit status: the test's (0 valid, 1 invalid, 2 unknown, 254 bad flags, 255 broken run);
# with several stages, the first non-zero one.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)

# stages.txt: stage, workload, script, official flags [-- arguments for the script]
STAGES=$(grep -v '^#' stages.txt | awk 'NF {print $1}' | tr '\n' ' ')

stage_command() {
  local line
  line=$(grep -v '^#' stages.txt | awk -v s="$1" '$1 == s' | head -1)
  [ -n "$line" ] || return 1
  echo "${line#* }"
}

expand() {
  case "$1" in
    all) echo $STAGES ;;
    broadcast|kafka|txn) echo $STAGES | tr ' ' '\n' | grep "^$1-" | tr '\n' ' ' ;;
    *) stage_command "$1" >/dev/null && echo "$1" ;;
  esac
}

usage() {
  echo "usage: ./run.sh <stage|challenge|all> [--sweep N] [extra test flags...]" >&2
  echo "stages:     $(echo $STAGES)" >&2
  echo "challenges: echo unique-ids broadcast counter kafka txn; or all" >&2
}

[ $# -ge 1 ] || { usage; exit 254; }
name=$1; shift
stages=$(expand "$name") || { echo "unknown stage or challenge: $name" >&2; usage; exit 254; }
extra=()
sweep=""  # --sweep N: sweep the stage's flags over seeds 1..N (python3 -m workbench sweep)
while [ $# -gt 0 ]; do
  if [ "$1" = "--sweep" ]; then
    sweep=${2:-}; shift $(( $# > 1 ? 2 : 1 ))
    [[ "$sweep" =~ ^[1-9][0-9]*$ ]] || { echo "--sweep needs a number of seeds, not '$sweep'" >&2; exit 254; }
  else
    extra+=("$1"); shift
  fi
done
store=store  # where the engine keeps runs; the workbench's --store moves it
sim=no
for ((i = 0; i < ${#extra[@]}; i++)); do
  [ "${extra[$i]}" = "--store" ] && store=${extra[$((i + 1))]:-store}
  [ "${extra[$i]}" = "--sim" ] && sim=yes
done

if [ -n "$sweep" ]; then
  # a sweep simulates every seed (add --real for real runs); its lines and summary go to
  # $store/sweeps/<time>/, failing seeds' stores beside them
  py=$(scripts/bootstrap.sh) || { echo "could not set up .venv for the workbench" >&2; exit 255; }
  engine=("$py" -m workbench sweep); engine_name="embedded workbench, sweep of seeds 1-$sweep"
  extra+=(--seeds "1-$sweep")
elif [ $sim = yes ]; then
  py=$(scripts/bootstrap.sh) || { echo "could not set up .venv for the workbench" >&2; exit 255; }
  export PYTHONHASHSEED=0  # what --sim needs for byte-for-byte replays (saves a re-exec)
  engine=("$py" -m workbench test); engine_name="embedded workbench, simulated"
elif [ -n "${MAELSTROM:-}" ]; then
  engine=("$MAELSTROM" test); engine_name="maelstrom ($MAELSTROM)"
elif command -v maelstrom >/dev/null 2>&1; then
  engine=(maelstrom test); engine_name="maelstrom ($(command -v maelstrom))"
else
  py=$(scripts/bootstrap.sh) || { echo "could not set up .venv for the workbench" >&2; exit 255; }
  engine=("$py" -m workbench test); engine_name="embedded workbench"
fi

status=0
for stage in $stages; do
  read -r -a spec <<< "$(stage_command "$stage")"
  workload=${spec[0]}; script=${spec[1]}; flags=("${spec[@]:2}")
  node_args=()
  for i in "${!flags[@]}"; do
    if [ "${flags[$i]}" = "--" ]; then
      node_args=("${flags[@]:$((i + 1))}"); flags=("${flags[@]:0:$i}"); break
    fi
  done
  [ -e "$root/$script" ] || { echo "== $stage: $script does not exist yet" >&2; [ $status -eq 0 ] && status=255; continue; }
  echo "== $stage: $engine_name -w $workload --bin $script ${flags[*]} ${extra[*]:-}${node_args[*]:+ -- ${node_args[*]}}"
  before=$(readlink -f "$store/latest" 2>/dev/null || true)
  cmd=("${engine[@]}" -w "$workload" --bin "$root/$script" "${flags[@]}" "${extra[@]}")
  [ ${#node_args[@]} -gt 0 ] && cmd+=(-- "${node_args[@]}")
  "${cmd[@]}"
  code=$?
  if [ -n "$sweep" ]; then
    echo "== $stage: sweep exit $code"
    [ $status -eq 0 ] && status=$code
    continue
  fi
  after=$(readlink -f "$store/latest" 2>/dev/null || true)
  if [ -n "$after" ] && [ "$after" != "$before" ] && [ -f "$after/results.edn" ]; then
    dest="${RESULTS_DIR:-results}/$stage"
    rm -rf "$dest"; mkdir -p "$dest"
    for f in results.edn results.json latency-raw.png latency-quantiles.png rate.png timeline.html messages.svg; do
      [ -f "$after/$f" ] && cp "$after/$f" "$dest/"
    done
    echo "== $stage: exit $code; results in $dest/"
  else
    echo "== $stage: exit $code; no results.edn was written (see the message above)"
  fi
  [ $status -eq 0 ] && status=$code
done
if [ "$name" = all ] && [ -x scripts/summary.sh ]; then scripts/summary.sh; fi
exit $status
