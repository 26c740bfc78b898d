#!/usr/bin/env bash
# Refresh the lock files in requirements/ from pyproject.toml (exact versions with hashes).
#   scripts/lock.sh            keep every pin that still satisfies pyproject.toml; resolve only
#                              what changed (a new or edited requirement)
#   scripts/lock.sh --upgrade  move every package to the newest release pyproject.toml allows
# dev.lock (extras aws,ui,reports,test,dev,infra: `make test`) is resolved first; run.lock (extras
# aws,ui,reports: `make run`, environment.yml, the notebook instance) and lambdas/requirements.txt
# (extra aws only, for the Lambda image's platform: the tools' dependencies) are constrained by it,
# so a package has the same version in all three.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-.venv/bin/uv}
command -v "$UV" >/dev/null 2>&1 || UV=uv
upgrade=()
[ "${1:-}" = "--upgrade" ] && upgrade=(--upgrade)
common=(--universal --python-version 3.11 --generate-hashes --no-header --quiet "${upgrade[@]}")
"$UV" pip compile pyproject.toml --extra aws --extra ui --extra reports --extra test --extra dev \
    --extra infra "${common[@]}" -o requirements/dev.lock
pins=$(mktemp)
trap 'rm -f "$pins"' EXIT
grep -E '^[A-Za-z0-9_.-]+(\[[^]]*\])?==' requirements/dev.lock | sed -E 's/ \\$//' >"$pins"
"$UV" pip compile pyproject.toml --extra aws --extra ui --extra reports "${common[@]}" -c "$pins" \
    -o requirements/run.lock
# The Lambda image (public.ecr.aws/lambda/python:3.11, x86_64): tools only, no UI or reports.
"$UV" pip compile pyproject.toml --extra aws --python-platform x86_64-manylinux_2_28 \
    --python-version 3.11 --generate-hashes --no-header --quiet "${upgrade[@]}" -c "$pins" \
    -o lambdas/requirements.txt
echo "requirements/dev.lock: $(grep -cE '^[A-Za-z0-9]' requirements/dev.lock) packages;" \
     "requirements/run.lock: $(grep -cE '^[A-Za-z0-9]' requirements/run.lock) packages"
