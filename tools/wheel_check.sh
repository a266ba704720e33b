#!/usr/bin/env bash
# The wheel is the product: build it from a clean copy of the tree, install it in a fresh virtual environment
# WITHOUT the dev extras, and run the main commands from an empty directory outside the repository:
# demo, load, trace, export --format all, verify-export and check. Any failure fails the script (and CI).
# Run by .ci/run and `make wheel-check`; takes about two minutes with a warm pip cache.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
DAY=2026-11-29
TENANT=example-life
work=$(mktemp -d "${TMPDIR:-/tmp}/regtrace-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "build the wheel from the tracked and new files (nothing ignored, no stale build/)"
mkdir "$work/src"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$work/src"
"$PYTHON" -m pip wheel --quiet --no-deps "$work/src" -w "$work/dist"
wheel=$(ls "$work"/dist/regtrace-*.whl)
echo "$(basename "$wheel")"

step "install it in a fresh virtual environment, runtime dependencies only"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"
bin="$work/venv/bin"

step "run it from an empty directory outside the repository"
mkdir "$work/empty"
cd "$work/empty"
unset REGTRACE_STORE
export REGTRACE_STORE="$work/empty/store"
"$bin/regtrace" --version
"$bin/regtrace" demo --as-of "$DAY" >demo.txt
grep -q "董事會摘要 Board summary" demo.txt
examples=$("$bin/python" -c 'from regtrace.shipped import EXAMPLES; print(EXAMPLES / "insurer")')
case "$examples" in
  "$work/venv/"*) echo "example insurer from the installed package: $examples" ;;
  *) echo "the example insurer was not found in the installed package: $examples" >&2; exit 1 ;;
esac
"$bin/regtrace" load "$examples" --tenant "$TENANT"
"$bin/regtrace" trace --tenant "$TENANT" --as-of "$DAY" --json >trace.json
"$bin/python" -c 'import json, sys; rows = json.load(open("trace.json")); sys.exit(0 if rows else "empty trace")'
"$bin/regtrace" export --format all --tenant "$TENANT" --as-of "$DAY" --out export
"$bin/regtrace" verify-export export
# `check` exits 1 when an obligation fails, as the example insurer's do on purpose; anything else is a failure.
code=0
"$bin/regtrace" check --tenant "$TENANT" --as-of "$DAY" --json >check.json || code=$?
[ "$code" -eq 0 ] || [ "$code" -eq 1 ] || { echo "regtrace check exited $code" >&2; exit 1; }
"$bin/python" - <<'PY'
import json
report = json.load(open("check.json"))
counts = report["counts"]
assert report["results"], "check ran no obligations"
assert counts["error"] == 0, f"obligations that could not run: {counts}"
print("check:", counts)
PY
# The shipped features are current, and the installed package is never written to.
"$bin/regtrace" features --check
code=0
"$bin/regtrace" features 2>features.err || code=$?
[ "$code" -eq 2 ] && grep -q -- "--out" features.err || { echo "features without --out: exit $code" >&2; exit 1; }
"$bin/regtrace" features --out features >/dev/null
ls features/article-07.feature >/dev/null
step "the wheel works"
