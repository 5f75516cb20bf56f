#!/bin/bash
# Builds the iphelper Debian package with nfpm (deploy/nfpm.yaml):
#   deploy/build-deb.sh [OUTDIR]        (default OUTDIR: dist; `make deb` runs this)
# It builds ./cmd/iphelper for linux/$GOARCH, generates the man page
# (`iphelper man`) and the bash, zsh and fish completion (`iphelper completion SHELL`) with
# a build for this machine, and runs nfpm, pinned, with `go run`: only the Go
# module proxy is needed, no nfpm installation. It writes the package's
# changelog (Debian format, /usr/share/doc/iphelper/changelog.gz): this version,
# the subjects of the commits since the last release tag (the last 20 without
# one), signed by nfpm.yaml's maintainer. Prints the .deb's path last.
#   VERSION  package version (default: from `git describe`, else 0.0.0)
#   GOARCH   target architecture (default: this machine's)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v go >/dev/null 2>&1; then
	export PATH="$PATH:/usr/local/go/bin"
fi

NFPM=github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2

outdir=${1:-dist}
arch=${GOARCH:-$(go env GOARCH)}

default_version() {
	local v
	if v=$(git describe --tags --match 'v[0-9]*' 2>/dev/null); then
		v=${v#v}
		echo "${v//-/+}" # v1.2.0-3-gabc1234 -> 1.2.0+3+gabc1234
	elif v=$(git rev-parse --short HEAD 2>/dev/null); then
		echo "0.0.0+git$v"
	else
		echo "0.0.0"
	fi
}
version=${VERSION:-$(default_version)}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

echo "build-deb.sh: iphelper $version for linux/$arch"
CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags="-s -w -X main.version=$version -X main.commit=$(git rev-parse HEAD 2>/dev/null)" -o "$stage/iphelper" ./cmd/iphelper
CGO_ENABLED=0 go build -trimpath -o "$stage/host-iphelper" ./cmd/iphelper
for cmd in man "completion bash" "completion zsh" "completion fish"; do
	# shellcheck disable=SC2086 # split "completion bash" into two words
	if ! "$stage/host-iphelper" $cmd >"$stage/out" 2>"$stage/err"; then
		echo "build-deb.sh: \`iphelper $cmd\` failed (is its command registered in newApp?):" >&2
		cat "$stage/err" >&2
		exit 1
	fi
	case $cmd in
	man) gzip -9n <"$stage/out" >"$stage/iphelper.8.gz" ;;
	"completion bash") mv "$stage/out" "$stage/iphelper.bash" ;;
	"completion zsh") mv "$stage/out" "$stage/_iphelper" ;;
	"completion fish") mv "$stage/out" "$stage/iphelper.fish" ;;
	esac
done

# changelog writes the Debian changelog of $version to stdout.
changelog() {
	local maintainer range date tag
	maintainer=$(sed -n 's/^maintainer: //p' deploy/nfpm.yaml)
	range=(-n 20)
	if tag=$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null); then
		range=("$tag..HEAD")
	fi
	date=$(git log -1 --format=%aD 2>/dev/null || date -R)
	printf 'iphelper (%s) unstable; urgency=medium\n\n' "$version"
	if ! git log --no-merges --format='  * %s' "${range[@]}" 2>/dev/null | grep .; then
		echo "  * Built outside a git checkout: no change list."
	fi
	printf '\n -- %s  %s\n' "$maintainer" "$date"
}
changelog | gzip -9n >"$stage/changelog.gz"

mkdir -p "$outdir"
deb="$outdir/iphelper_${version}_${arch}.deb"
IPHELPER_STAGE=$stage IPHELPER_VERSION=$version IPHELPER_ARCH=$arch \
	go run "$NFPM" package --config deploy/nfpm.yaml --packager deb --target "$deb" >&2
echo "$deb"
