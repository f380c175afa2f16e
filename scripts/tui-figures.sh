#!/usr/bin/env bash
# Measures the wizard as a person meets it, in tmux against a standalone
# sandbox with 5,000 extra clusters:
#   - start of `dbaf build` to the first screen drawn (the cluster step)
#   - start to the cluster list showing its first page
#   - resident memory (VmRSS) of dbaf once all 5,000+ clusters are listed
# Usage: bash scripts/tui-figures.sh   (needs tmux)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/dbaf" .
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/dbaf" sandbox serve --addr "127.0.0.1:$port" --extra-clusters 5000 >"$work/env" 2>/dev/null &
sb=$!
session=dbaf-figures-$$
trap 'tmux kill-session -t $session 2>/dev/null; kill $sb 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q AWS_DEFAULT_REGION "$work/env" 2>/dev/null && break; sleep 0.1; done
now_ms() { date +%s%3N; }

tmux new-session -d -s "$session" -x 120 -y 40 "bash --norc"
tmux send-keys -t "$session" "$(tr '\n' ';' <"$work/env") cd $work && clear" Enter
sleep 0.5
t0=$(now_ms)
tmux send-keys -t "$session" "./dbaf build" Enter
first="" list=""
while [ -z "$list" ]; do
	screen=$(tmux capture-pane -p -t "$session")
	if [ -z "$first" ] && grep -q "Which cluster should developers clone" <<<"$screen"; then first=$(($(now_ms) - t0)); fi
	if grep -q "analytics-serverless" <<<"$screen"; then list=$(($(now_ms) - t0)); [ -n "$first" ] || first=$list; fi
	[ $(($(now_ms) - t0)) -gt 30000 ] && { echo "the wizard did not show the cluster list in 30 s" >&2; exit 1; }
done
# Wait until every page is in: the count in the list header stops growing.
prev="" count=""
for _ in $(seq 300); do
	count=$(tmux capture-pane -p -t "$session" | grep -o '[0-9][0-9,]* clusters' | head -1 || true)
	[ -n "$count" ] && [ "$count" = "$prev" ] && break
	prev=$count
	sleep 0.2
done
pid=$(pgrep -f "^./dbaf build" | head -1)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
tmux send-keys -t "$session" C-c

echo "wizard: start -> first screen:         ${first} ms (tmux polling included)"
echo "wizard: start -> first page of clusters: ${list} ms"
echo "wizard: resident memory with ${count}: $((rss / 1024)) MB (VmRSS)"
