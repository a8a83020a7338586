# Shared by hack/setup-envtest.sh, hack/setup-helm.sh, hack/setup-promtool.sh and
# hack/setup-alertmanager.sh (sourced, not run):
# the stdout contract, logging, progress lines while a long step runs, the per-version install
# lock, and the staging dir that moves into the cache with one rename.
#
# Before sourcing, set SETUP_NAME (the log prefix, e.g. setup-helm) and PROGRESS_SECONDS (how
# often a long step logs that it is still running). Sourcing moves stdout to fd 3: only done_with
# writes there, so callers can do X="$(hack/setup-<tool>.sh)"; everything else goes to stderr.
# shellcheck shell=bash

exec 3>&1 1>&2

log() { printf '%s: %s\n' "$SETUP_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

script_start=$SECONDS
ticker_pid=""
step_pid=""
# The lock holder's current step, for runs waiting on the lock (empty: not kept).
status_file=""
holding_lock=""
stage=""
work=""

minutes() { # seconds -> "12m05s"
  printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

start_ticker() { # label [status-file] -> log "label: <elapsed>" every PROGRESS_SECONDS until stop_ticker
  local label="$1" file="${2:-}" began=$SECONDS parent=$$
  stop_ticker
  # It holds neither fd 3 (the caller's stdout) nor fd 9 (the lock), its sleep not even stderr,
  # and it stops by itself once the script is gone.
  (
    while sleep "$PROGRESS_SECONDS" </dev/null >/dev/null 2>&1; do
      kill -0 "$parent" 2>/dev/null || exit 0
      extra=""
      if [ -n "$file" ] && [ -s "$file" ]; then extra="; the other run is $(cat "$file" 2>/dev/null)"; fi
      log "$label: $(minutes $((SECONDS - began))) so far, $(minutes $((SECONDS - script_start))) since this run started$extra"
    done
  ) 3>&- 9>&- &
  ticker_pid=$!
}

stop_ticker() {
  if [ -n "$ticker_pid" ]; then
    kill "$ticker_pid" 2>/dev/null || true
    wait "$ticker_pid" 2>/dev/null || true
    ticker_pid=""
  fi
}

run_step() { # command... -> run it in the background and wait, so INT/TERM stop the script at once
  local rc=0
  "$@" &
  step_pid=$!
  wait "$step_pid" || rc=$?
  step_pid=""
  return "$rc"
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { # on exit: no ticker or step outlives the script, and no staging or work dir is left
  stop_ticker
  if [ -n "$step_pid" ]; then kill "$step_pid" 2>/dev/null || true; fi
  if [ -n "$holding_lock" ] && [ -n "$status_file" ]; then rm -f "$status_file"; fi
  if [ -n "$stage" ]; then rm -rf "$stage"; fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

done_with() { # path -> print it on the real stdout and exit
  printf '%s\n' "$1" >&3
  exit 0
}

set_status() { # step -> record it for waiting runs
  if [ -n "$holding_lock" ] && [ -n "$status_file" ]; then printf '%s since %s (pid %s)\n' "$1" "$(date +%H:%M:%S)" "$$" >"$status_file"; fi
}

with_progress() { # label command... -> run it, logging the label and elapsed time while it runs
  local label="$1" start=$SECONDS rc=0
  shift
  log "$label ..."
  set_status "$label"
  start_ticker "still $label"
  run_step "$@" || rc=$?
  stop_ticker
  if [ "$rc" -eq 0 ]; then log "done $label in $(minutes $((SECONDS - start)))"; fi
  return "$rc"
}

take_install_lock() { # lock-file stage-prefix waiting-message -> one installer per version at a time
  # Without flock it returns without a lock (holding_lock stays empty). Waiting runs log the
  # message, then every PROGRESS_SECONDS how long they have waited (and the holder's step).
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$1"
  if ! flock -n 9; then
    log "$3"
    start_ticker "still waiting for the other run's lock" "$status_file"
    run_step flock 9
    stop_ticker
  fi
  holding_lock=1
  # Holding the lock, any staging dir of this version is a leftover of a killed run.
  rm -rf "$2".*
}

new_stage() { # stage-prefix -> a fresh staging dir beside the cache dir, in $stage
  stage="$(mktemp -d "$1.XXXXXX")"
}

install_stage() { # dest -> move the complete staging dir into place with a single rename
  chmod 755 "$stage"
  rm -rf "$1"
  mv -T "$stage" "$1"
}
