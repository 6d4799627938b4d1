#!/usr/bin/env bash
# The dashboards in a real browser: installs Debian's chromium and chromium-driver if missing, selenium from
# PyPI into a venv under target/, then runs dashboard_test.py against the real binaries (build them first:
# `cargo build --workspace --bins`). Pass --screenshots DIR to save dashboard.png and sale.png there
# (tests/browser/screenshots.sh does, into docs/images/).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "== installing chromium and chromium-driver (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi

venv=target/browser-venv
if ! "$venv/bin/python" -c "import selenium" 2>/dev/null; then
    echo "== selenium into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "selenium>=4.20,<5"
fi

echo "== the dashboards in headless Chromium"
"$venv/bin/python" tests/browser/dashboard_test.py "$@"
