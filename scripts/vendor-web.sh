#!/usr/bin/env bash
# vendor-web.sh fetches the console's third-party libraries from npm at exact
# versions and copies the files the console loads into web/vendor/. The
# vendored files are committed, so building and running IOTOS never needs
# Node or npm; only refreshing a library does.
set -euo pipefail

UPLOT_VERSION=1.6.32

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/web/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v npm >/dev/null || { echo "vendor-web.sh: npm is required (apt-get install -y npm)" >&2; exit 1; }

(cd "$work" && npm pack --silent "uplot@$UPLOT_VERSION" >/dev/null)
tar -xzf "$work/uplot-$UPLOT_VERSION.tgz" -C "$work"

mkdir -p "$dest"
cp "$work/package/dist/uPlot.esm.js" "$dest/uplot.esm.js"
cp "$work/package/dist/uPlot.min.css" "$dest/uplot.min.css"
cp "$work/package/LICENSE" "$dest/uplot.LICENSE"
printf 'uplot %s (npm)\n' "$UPLOT_VERSION" >"$dest/VERSIONS"
echo "vendored uplot $UPLOT_VERSION into $dest"
