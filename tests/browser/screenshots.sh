#!/usr/bin/env bash
# Remakes the README's pictures from a real run: builds the binaries, then runs the browser test, which saves
# docs/images/dashboard.png (the list of sales) and docs/images/sale.png (a 3-D Secure sale's diagram).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --workspace --bins --locked --quiet
bash tests/browser/run.sh --screenshots docs/images
