#!/bin/bash
# SageMaker notebook instance: on-start (every start, as root, at most 5 minutes).
# Everything outside ~/SageMaker is gone after a stop, so this re-creates on every start:
# the kernelspec, Voila in JupyterSystemEnv, the crontab. The conda environment lives in
# ~/SageMaker/envs and is built once per source version, in the background (nohup).
# Idempotent: a step runs only when its result differs; Jupyter restarts only then.
# Settings (WB_*) are exported above by the stack; WB_ROOT is a sandbox in the tests.
set -euo pipefail
: "${WB_SOURCE_URI:?}" "${WB_SOURCE_HASH:?}" "${WB_REGION:?}" "${WB_WAREHOUSE_BACKEND:?}"
ROOT="${WB_ROOT:-}"
SM="$ROOT/home/ec2-user/SageMaker"
STATE="$SM/.workbench"
SRC="$SM/workbench"
ENV="$SM/envs/workbench"
JSE="$ROOT/home/ec2-user/anaconda3/envs/JupyterSystemEnv"
KERNEL="$ROOT/home/ec2-user/.local/share/jupyter/kernels/python3"
CONDA="$(command -v conda || echo /home/ec2-user/anaconda3/bin/conda)"
VOILA_VERSION="${WB_VOILA_VERSION:-0.5.13}"
IDLE_MINUTES="${WB_IDLE_STOP_MINUTES:-60}"
export STATE SRC ENV JSE KERNEL CONDA VOILA_VERSION IDLE_MINUTES WB_SOURCE_HASH

as_user() { sudo -u ec2-user -- "$@"; }

# put FILE: stdin becomes FILE only if it differs; prints "changed" when it wrote.
put() {
  local tmp
  tmp="$(mktemp)"
  cat >"$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; return 0; fi
  mkdir -p "$(dirname "$1")"
  mv "$tmp" "$1" && chmod 644 "$1" && chown ec2-user:ec2-user "$1"
  echo changed
}

# 1. The workbench configuration, from the stack's outputs.
mkdir -p "$STATE/logs"
put "$STATE/config.yaml" <<YAML >/dev/null
# Written by lifecycle/on-start.sh from the stack's settings; edits are replaced on start.
warehouse:
  backend: $WB_WAREHOUSE_BACKEND
  redshift:
    workgroup: ${WB_REDSHIFT_WORKGROUP:-}
    database: ${WB_REDSHIFT_DATABASE:-dev}
    iam_role_arn: ${WB_COPY_ROLE_ARN:-}
    s3_staging: s3://${WB_BUCKET:-}/data
  athena:
    database: ${WB_GLUE_DATABASE:-workbench}
    workgroup: ${WB_ATHENA_WORKGROUP:-primary}
    s3_data: s3://${WB_BUCKET:-}/data
planner:
  mode: ${WB_PLANNER_MODE:-offline}
  bedrock:
    model_id: ${WB_BEDROCK_MODEL_ID:-anthropic.claude-3-5-sonnet-20240620-v1:0}
invoker:
  backend: lambda
  lambda:
    inventory_function: ${WB_INVENTORY_FUNCTION:-}
    logistics_function: ${WB_LOGISTICS_FUNCTION:-}
    supplier_function: ${WB_SUPPLIER_FUNCTION:-}
    timeout_seconds: ${WB_INVOKER_TIMEOUT:-60}
    memory_mb: ${WB_LAMBDA_MEMORY_MB:-1024}
aws:
  region: $WB_REGION
reports:
  s3_destination: s3://${WB_BUCKET:-}/reports
YAML

# 2. The source, when the stack ships a new version (on-create did the first).
if [ "$(cat "$STATE/source.hash" 2>/dev/null || true)" != "$WB_SOURCE_HASH" ]; then
  tmp="$(mktemp -d)"
  aws s3 cp --quiet "$WB_SOURCE_URI" "$tmp/source.zip"
  rm -rf "$SRC.new" && mkdir -p "$SRC.new" && unzip -q "$tmp/source.zip" -d "$SRC.new"
  rm -rf "$SRC" && mv "$SRC.new" "$SRC" && rm -rf "$tmp"
  chown -R ec2-user:ec2-user "$SRC"
  echo "$WB_SOURCE_HASH" >"$STATE/source.hash"
fi

# 3. The environment (persistent, per source version): exact versions from the lock file.
install_env() {
  if [ ! -x "$ENV/bin/python" ]; then
    as_user "$CONDA" create --quiet --yes --prefix "$ENV" python=3.11
  fi
  as_user "$ENV/bin/pip" install --quiet --require-hashes -r "$SRC/requirements/run.lock"
  as_user "$ENV/bin/pip" install --quiet --no-deps -e "$SRC"
  echo "$WB_SOURCE_HASH" >"$STATE/env.hash"
}

# 4. What a stop wipes: kernelspec, Voila in JupyterSystemEnv, crontab; then restart Jupyter.
activate() {
  local changed=""
  # The notebooks declare the kernel "python3": ours shadows the stock one (user dir first).
  changed+=$(put "$KERNEL/kernel.json" <<JSON
{"argv": ["$ENV/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Python 3 (workbench)", "language": "python",
 "env": {"WORKBENCH_HOME": "$STATE"}}
JSON
)
  if [ "$("$JSE/bin/pip" show voila 2>/dev/null | sed -n 's/^Version: //p')" != "$VOILA_VERSION" ]; then
    "$JSE/bin/pip" install --quiet "voila==$VOILA_VERSION"
    changed+=changed
  fi
  changed+=$(put "$JSE/etc/jupyter/jupyter_server_config.d/voila.json" <<'JSON'
{"ServerApp": {"jpserver_extensions": {"voila": true}}}
JSON
)
  local cron current
  cron="$(as_user env WORKBENCH_HOME="$STATE" "$ENV/bin/workbench" report schedule)"
  if [ "$IDLE_MINUTES" -gt 0 ]; then
    cron+=$'\n'"# >>> workbench idle-stop >>>"
    cron+=$'\n'"*/5 * * * * $ENV/bin/python $SRC/lifecycle/idle_stop.py --minutes $IDLE_MINUTES >> $STATE/logs/idle-stop.log 2>&1"
    cron+=$'\n'"# <<< workbench idle-stop <<<"
  fi
  current="$(as_user crontab -l 2>/dev/null || true)"
  if [ "$current" != "$cron" ]; then
    printf '%s\n' "$cron" | as_user crontab -
    changed+=changed
  fi
  if [ -n "$changed" ]; then
    systemctl --no-block restart jupyter-server
    echo "on-start: restarted jupyter-server"
  fi
}

if [ "$(cat "$STATE/env.hash" 2>/dev/null || true)" = "$WB_SOURCE_HASH" ]; then
  activate
else
  echo "on-start: building the environment in the background (log: $STATE/logs/setup.log)"
  nohup bash -c "set -euo pipefail; $(declare -f as_user put install_env activate); install_env && activate && touch '$STATE/setup.done'" \
    >>"$STATE/logs/setup.log" 2>&1 &
fi
