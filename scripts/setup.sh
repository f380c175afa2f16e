#!/usr/bin/env bash
# Installs what the whole test suite needs on a fresh Debian machine, when
# missing: Debian's docker-registry, tmux, the AWS CLI, jq, PostgreSQL and
# MariaDB (servers, clients, backup), and VHS from the Go module proxy.
# scripts/test.sh calls it; run it alone to prepare a machine. The fast tier
# (go test -short ./...) needs none of it.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null || need+=(docker-registry) # push tests
command -v tmux >/dev/null || need+=(tmux)                       # TUI tests
command -v aws >/dev/null || need+=(awscli)                      # independent AWS client
command -v jq >/dev/null || need+=(jq)                           # the CI example's steps (examples/ci)
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
