#!/usr/bin/env bash
# Measures the time from an artifact container's start (docker's
# State.StartedAt) to its first AWS request, as the sandbox saw it
# (/_sandbox/first-call), over N runs. Both clocks are this machine's.
# Usage: bash scripts/container-start.sh [runs]   (needs Docker)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d)
tag=dbaf-figures-start:latest
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/dbaf" .
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/dbaf" sandbox serve --addr "127.0.0.1:$port" --pace 0.05 >"$work/env" 2>/dev/null &
sb=$!
trap 'kill $sb 2>/dev/null; docker image rm -f $tag >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/env" ] && grep -q AWS_DEFAULT_REGION "$work/env" && break; sleep 0.1; done
eval "$(cat "$work/env")"
sed "s/^image_tag = .*/image_tag = $tag/" examples/artifact_config.ini >"$work/a.ini"
"$work/dbaf" build "$work/a.ini" --yes >/dev/null 2>&1

ms=()
for i in $(seq "$runs"); do
	curl -fsS -X DELETE "$AWS_ENDPOINT_URL/_sandbox/calls" >/dev/null
	cid=$(DB_PASSWORD=figures-Secret-1 docker run -d --network host -e AWS_ENDPOINT_URL -e AWS_REGION \
		-e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e DB_PASSWORD "$tag" clone --name "start-figure-$i")
	first=""
	for _ in $(seq 100); do
		first=$(curl -fsS "$AWS_ENDPOINT_URL/_sandbox/first-call" 2>/dev/null) && break
		sleep 0.05
	done
	started=$(docker inspect -f '{{.State.StartedAt}}' "$cid")
	docker rm -f "$cid" >/dev/null
	ms+=("$(FIRST="$first" STARTED="$started" python3 -c '
import json, os
from datetime import datetime
def t(s):  # RFC 3339 with nanoseconds, which fromisoformat does not take
    d, _, f = s.rstrip("Z").partition(".")
    return datetime.fromisoformat(d + "+00:00").timestamp() + float("0." + (f or "0"))
print(round((t(json.loads(os.environ["FIRST"])["time"]) - t(os.environ["STARTED"])) * 1000, 1))')")
done
printf 'container start -> first AWS request: %s ms (median of %d: %s)\n' \
	"$(printf '%s\n' "${ms[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$runs" "${ms[*]}"
