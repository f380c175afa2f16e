#!/usr/bin/env bash
# Measures the figures docs/figures.md reports, on this machine:
#   - image size vs the dbaf binary's size
#   - image build after discovery (assemble + load into the engine): median of N runs
#   - two builds of the same artifact: identical image ID
#   - discovery on a sandbox account with 1,000 clusters and 5,000 subnets (go test -bench)
#   - clone handover, watch call rate, login check, preflight and reset overhead against the sandbox; TUI frame times and memory
# Usage: bash scripts/figures.sh [runs]   (needs Docker; uses the in-process sandbox)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"; docker image rm -f dbaf-figures:latest >/dev/null 2>&1 || true' EXIT

CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/dbaf" .
bin_size=$(stat -c %s "$work/dbaf")
sed 's/^image_tag = .*/image_tag = dbaf-figures:latest/' examples/artifact_config.ini >"$work/a.ini"

ids=() loads=()
for i in $(seq "$runs"); do
	DBAF_SANDBOX_INPROCESS=1 "$work/dbaf" --sandbox build "$work/a.ini" --yes -o json >"$work/out.json" 2>/dev/null
	ids+=("$(grep '"event":"built"' "$work/out.json" | sed 's/.*"id":"\([^"]*\)".*/\1/')")
	# assemble + load: the steps after discovery, as dbaf timed them
	loads+=("$(grep '"event":"step_done"' "$work/out.json" | grep -E '"step":"(assemble|load)"' |
		sed 's/.*"elapsed_ns":\([0-9]*\).*/\1/' | awk '{s+=$1} END {print s}')")
done
image_size=$(docker image inspect dbaf-figures:latest --format '{{.Size}}')
median=$(printf '%s\n' "${loads[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
unique_ids=$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)

echo "dbaf binary:              $bin_size bytes"
echo "image size:               $image_size bytes ($(awk -v a="$image_size" -v b="$bin_size" 'BEGIN {printf "%.3f", a/b}') x the binary)"
echo "build after discovery:    median $(awk -v m="$median" 'BEGIN {printf "%.3f", m/1e9}') s over $runs runs (assemble + load)"
echo "image IDs over $runs builds: $unique_ids distinct (${ids[0]})"
echo
echo "discovery, 1,000 clusters and 5,000 subnets (sandbox):"
go test -run '^$' -bench BenchmarkDiscovery -benchtime 5x ./aws/ | grep -E 'Benchmark|calls'
echo
echo "clone handover, test pace, default poll interval (CREATE_COMPLETE seen -> endpoint, less the password reset wait):"
go test -run '^$' -bench BenchmarkCloneHandover -benchtime 3x ./artifact/ | grep -E 'Benchmark'
echo "watching a clone at demo pace (~30 s), default poll interval:"
go test -run '^$' -bench BenchmarkCloneWatchRate -benchtime 1x ./artifact/ | grep -E 'Benchmark'
echo "the handover login check on clones of a real PostgreSQL server on loopback (phase logging in -> ready):"
go test -run '^$' -bench BenchmarkCloneLoginCheck -benchtime 5x ./artifact/ | grep -E 'Benchmark'
echo "the preflight a clone runs before CreateStack (calls and time, every check asked):"
go test -run '^$' -bench BenchmarkClonePreflight -benchtime 100x ./artifact/ | grep -E 'Benchmark'
echo "dbaf reset, test pace: its own checks before the teardown, and a whole reset against the same teardown + clone by hand:"
go test -run '^$' -bench BenchmarkResetOverhead -benchtime 10x ./artifact/ | grep -E 'Benchmark'
echo
echo "terminal UI models:"
go test -run '^$' -bench 'BenchmarkCloneView|BenchmarkWizard' -benchtime 20x ./ui/ | grep -E 'Benchmark'
echo
bash scripts/container-start.sh 5
echo
bash scripts/tui-figures.sh
