# iphelper: the usual entry points. Each target is a thin wrapper; the real
# work is in the scripts it names.
#   make build   build bin/iphelper
#   make test    every check: packages, gofmt, vet, go test -race, fuzz (test/run-tests.sh; root for the namespace tests)
#   make demo    one lease told as a story (test/demo.sh; root)
#   make deb     the Debian package in dist/ (deploy/build-deb.sh: nfpm through the Go module proxy)
#   make man     the man page, bin/iphelper.8

GO ?= go
export PATH := $(PATH):/usr/local/go/bin

.PHONY: build test demo deb man clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/iphelper ./cmd/iphelper

test:
	bash test/run-tests.sh

demo:
	bash test/demo.sh

deb:
	bash deploy/build-deb.sh dist

man: build
	bin/iphelper man >bin/iphelper.8

clean:
	rm -rf bin dist
