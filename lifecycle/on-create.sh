#!/bin/bash
# SageMaker notebook instance: on-create (once, as root, before the first on-start).
# Lays out the persistent tree under ~/SageMaker (the only place that survives a stop)
# and fetches the workbench source. The environment itself is built by on-start, in the
# background, because it takes longer than the 5 minutes a lifecycle script may run.
# Settings (WB_*) are exported above by the stack (infra/workbench_infra/notebook.py);
# WB_ROOT is empty on the instance and a sandbox directory in the tests.
set -euo pipefail
: "${WB_SOURCE_URI:?set by the stack}" "${WB_SOURCE_HASH:?set by the stack}"
ROOT="${WB_ROOT:-}"
SM="$ROOT/home/ec2-user/SageMaker"
STATE="$SM/.workbench"
SRC="$SM/workbench"

as_user() { sudo -u ec2-user -- "$@"; }

mkdir -p "$STATE/logs" "$SM/envs"
chown ec2-user:ec2-user "$STATE" "$STATE/logs" "$SM/envs"

# The source, unless this exact bundle is already unpacked.
if [ "$(cat "$STATE/source.hash" 2>/dev/null || true)" != "$WB_SOURCE_HASH" ]; then
  tmp="$(mktemp -d)"
  aws s3 cp --quiet "$WB_SOURCE_URI" "$tmp/source.zip"
  rm -rf "$SRC.new" && mkdir -p "$SRC.new"
  unzip -q "$tmp/source.zip" -d "$SRC.new"
  rm -rf "$SRC" && mv "$SRC.new" "$SRC" && rm -rf "$tmp"
  chown -R ec2-user:ec2-user "$SRC"
  echo "$WB_SOURCE_HASH" >"$STATE/source.hash"
  echo "on-create: workbench source $WB_SOURCE_HASH unpacked in $SRC"
fi
