#!/usr/bin/env bash
# The whole IOTOS test suite. Installs what the tests need when it is
# missing (Debian packages), then runs formatting and vet checks, the Go tests
# with the race detector, the Python SDK's tests and the cross-builds.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

log() { printf '\n==> %s\n' "$*"; }

install_debian() {
	local missing=()
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	log "installing ${missing[*]}"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

if ! command -v go >/dev/null; then
	echo "Go 1.26 or newer is needed (https://go.dev/doc/install); it was not found on PATH" >&2
	exit 1
fi
if command -v dpkg-query >/dev/null; then
	# python3: the Python driver SDK; mosquitto: the MQTT driver's broker.
	# chromium: the console's browser tests; socat: virtual serial lines for
	# the Modbus RTU tests; python3-pymodbus (+ serial): an independent Modbus
	# implementation for the acceptance tests; postgresql: the PostgreSQL store
	# (its tests start a server of their own).
	install_debian python3 mosquitto mosquitto-clients chromium socat \
		python3-pymodbus python3-serial python3-serial-asyncio postgresql
	# node + npm: the OPC UA driver's test server (node-opcua).
	command -v npm >/dev/null || install_debian nodejs npm
fi

log "npm packages for the test servers"
(cd drivers/opcua/testdata/server && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })

log "gofmt"
unformatted=$(gofmt -l $(find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

log "go vet"
go vet ./...

log "go test -race"
go test -race -count=1 -timeout 25m ./...

if [ -d sdk/python/tests ]; then
	log "Python SDK tests"
	python3 -m unittest discover -s sdk/python/tests
fi

log "cross-builds of ./cmd/iotos (CGO_ENABLED=0)"
for target in linux/amd64 windows/amd64 darwin/arm64 linux/arm64; do
	CGO_ENABLED=0 GOOS=${target%/*} GOARCH=${target#*/} go build -o /dev/null ./cmd/iotos
	echo "built $target"
done
log "all tests passed"
