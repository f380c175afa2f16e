#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need
# (Debian packages, Go modules), then runs every test. README.md and .ci/run
# both call this script.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null || need+=(docker-registry) # push tests
command -v tmux >/dev/null || need+=(tmux)                       # TUI tests
command -v aws >/dev/null || need+=(awscli)                      # independent AWS client
# Real databases behind the sandbox's clusters, and their independent clients.
{ command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
command -v mariadbd >/dev/null || need+=(mariadb-server)
command -v mariadb >/dev/null || need+=(mariadb-client)
command -v mariadb-backup >/dev/null || need+=(mariadb-backup)
if [ ${#need[@]} -gt 0 ]; then
	echo "installing: ${need[*]}"
	apt-get update -qq
	# The sandbox starts its own servers: keep the packages' system services from starting.
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	rm -f /usr/sbin/policy-rc.d
fi
# VHS checks demo.tape (vhs validate); it comes from the Go module proxy.
export PATH="$(go env GOPATH)/bin:$PATH"
if ! command -v vhs >/dev/null; then
	echo "installing: vhs (go install)"
	go install github.com/charmbracelet/vhs@v0.10.0
fi
if ! docker info >/dev/null 2>&1; then
	echo "the Docker engine is not reachable (docker info failed): the image tests need it" >&2
	exit 1
fi

# CGO_ENABLED=0 as for the static dbaf the end-to-end tests put in images:
# vet, the tests and that binary then compile every package once (with cgo
# on, vet would compile the AWS SDK a second time on a cold cache).
export CGO_ENABLED=0
go mod download
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change: $unformatted" >&2
	exit 1
fi
# Scratch space of the tests (database servers' data and their copies, test
# binaries, the end-to-end dbaf): a tmpfs when the machine has a roomy one
# that allows executables, which spares the disk the gigabytes a run writes.
scratch=""
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] &&
	! awk '$2 == "/dev/shm" && $4 ~ /noexec/ { found = 1 } END { exit !found }' /proc/mounts &&
	[ "$(df --output=avail -k /dev/shm | tail -1)" -gt 4000000 ]; then
	scratch=$(mktemp -d /dev/shm/dbaf-test.XXXXXX)
	chmod 1777 "$scratch" # as /tmp: the database servers' own users write there too
	export TMPDIR=$scratch
fi
# One set of seeded database templates (PostgreSQL, MariaDB) for the test
# packages of this run: the first to need one builds it, the others copy it.
DBAF_TEST_TEMPLATE_DIR=$(mktemp -d)
export DBAF_TEST_TEMPLATE_DIR
trap 'rm -rf "$DBAF_TEST_TEMPLATE_DIR" ${scratch:+"$scratch"}' EXIT
# Most tests wait on servers, containers and processes rather than compute:
# -parallel lets more of them wait at once than the default (one per core).
# go vet ran every analyzer above: -vet=off spares go test its subset.
go test -count=1 -timeout 20m -parallel 6 -vet=off "$@" ./...
