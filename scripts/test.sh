#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need
# (scripts/setup.sh: Debian packages, VHS; then Go modules), checks the code
# (vet, gofmt, staticcheck, deadcode), then runs every test and checks that
# they left no dangling image behind. README.md and .ci/run both call this
# script; docs/testing.md says what each step costs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export PATH="$(go env GOPATH)/bin:$PATH" # vhs, which setup.sh installs there
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
# Linters at pinned versions, through the module proxy like every other
# module (go run pkg@version builds and caches them).
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
# deadcode lists functions no main package reaches. Some are meant so (test
# support packages, entry points only the tests drive): each of those says
# why in a comment with the word "deadcode", either its own doc comment or,
# for a whole package, a "deadcode reports it unreachable" line in the
# package. Any other report fails the run.
reports=$(go run golang.org/x/tools/cmd/deadcode@v0.52.0 ./...)
unexplained=""
while IFS= read -r report; do
	[ -n "$report" ] || continue
	file=${report%%:*} rest=${report#*:}
	line=${rest%%:*}
	if grep -qs '^// .*deadcode reports it unreachable' "$(dirname "$file")"/*.go; then
		continue
	fi
	# The //-lines right above the function: its doc comment.
	if awk -v n="$line" 'NR < n { doc = /^[[:space:]]*\/\// ? doc $0 : "" } END { exit doc !~ /deadcode/ }' "$file"; then
		continue
	fi
	unexplained+="$report"$'\n'
done <<<"$reports"
if [ -n "$unexplained" ]; then
	printf 'deadcode: unreachable from every main package, and no comment says why:\n%s' "$unexplained" >&2
	echo 'remove it, or say why it stays in its doc comment ("deadcode: …")' >&2
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
# Every image a test builds is tagged and removed; one left untagged (a tag
# moved to a new build, a removal that missed) is a dangling image, which
# would pile up run after run.
dangling() { docker images -q --no-trunc -f dangling=true | sort; }
before=$(dangling)
status=0
go test -count=1 -timeout 20m -parallel 6 -vet=off "$@" ./... || status=$?
left=$(comm -13 <(echo "$before") <(dangling))
if [ -n "$left" ]; then
	echo "the tests left dangling images behind (docker image inspect them to see which test built them):" >&2
	echo "$left" >&2
	docker image rm $left >/dev/null 2>&1 || true
	[ "$status" -ne 0 ] || status=1
fi
exit "$status"
