#!/bin/bash
# Runs every check of iphelper, as root on Debian (the integration tests build
# network namespaces; without root they skip, except with CI=true where they
# fail): the Debian packages the tests need (installed only when missing),
# gofmt, go vet, staticcheck, go test -race over the whole module, and a short
# fuzz run of every Fuzz target. Exits non-zero on the first failure.
#   FUZZ_BUDGET  total seconds for fuzzing (default 180), split over the targets,
#                each between 2 and 10 seconds; 0 skips fuzzing.
#   TEST_TIMEOUT go test -timeout of each package (default 15m): a hung test
#                fails with a goroutine dump instead of stalling CI.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v go >/dev/null 2>&1; then
	export PATH="$PATH:/usr/local/go/bin"
fi

step() { printf '\n=== %s\n' "$*"; }

step "packages"
if [ "$(id -u)" = 0 ]; then
	bash test/install-packages.sh
elif [ "${CI:-}" = "true" ]; then
	echo "run-tests.sh: CI=true needs root" >&2
	exit 1
else
	echo "not root: skipping package installation; the namespace tests will skip"
fi

step "gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt: these files need formatting:" >&2
	echo "$unformatted" >&2
	exit 1
fi

step "go vet"
go vet ./...

step "staticcheck"
# Pinned, fetched through the Go module proxy like the module's own
# dependencies (the code must be staticcheck clean).
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

step "go test -race"
# A test that hangs must fail with its goroutine dump and the messages of
# the tests before it, not be killed by CI's 90-minute job limit with
# nothing to show. The slowest package, test/integration, takes about 3
# minutes under -race on 2 cores; 15 minutes leaves a loaded CI machine
# room five times over.
go test -race -count=1 -timeout "${TEST_TIMEOUT:-15m}" ./...

step "fuzz"
mapfile -t targets < <(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . |
	sed -E 's|^\./||; s|/[^/]*_test\.go:func | |; s|^[^/ ]*_test\.go:func |. |' | sort -u)
budget=${FUZZ_BUDGET:-180}
if [ "$budget" -le 0 ] || [ ${#targets[@]} -eq 0 ]; then
	echo "no fuzzing (FUZZ_BUDGET=$budget, ${#targets[@]} targets)"
else
	per=$((budget / ${#targets[@]}))
	[ "$per" -gt 10 ] && per=10
	[ "$per" -lt 2 ] && per=2
	# fuzz_one runs one target; Go 1.26's fuzz coordinator can fail a run
	# with a bare "context deadline exceeded" when -fuzztime expires while a
	# worker is mid-call (go.dev/issue/75804, fixed in Go 1.27), without any
	# failing input. Such a run is retried once; a real failure always
	# writes its input ("Failing input written to") and fails the step.
	fuzz_one() {
		local dir=$1 name=$2 try out
		for try in 1 2; do
			if out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "${per}s" "./$dir" 2>&1); then
				printf '%s\n' "$out" | tail -n 3
				return 0
			fi
			printf '%s\n' "$out"
			if ! grep -q 'context deadline exceeded' <<<"$out" || grep -q 'Failing input written' <<<"$out"; then
				return 1
			fi
			echo "run-tests.sh: $name hit Go's fuzz-deadline race (go.dev/issue/75804), no failing input; try $try of 2" >&2
		done
		echo "run-tests.sh: $name: the deadline race twice and no failing input; not a failure of the target" >&2
	}
	for t in "${targets[@]}"; do
		dir=${t% *}
		name=${t#* }
		echo "--- $name in ./$dir (${per}s)"
		fuzz_one "$dir" "$name"
	done
fi

step "all checks passed"
