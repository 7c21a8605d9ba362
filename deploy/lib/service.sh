# shellcheck shell=bash
# Process management shared by deploy/kafka/kafka.sh and
# deploy/schema-registry/registry.sh. Sourced, never run.
#
# Both scripts run a JVM service from jars fetched once from Maven Central and
# manage it the same way: a pid file, a state file with the settings the
# running process was started with, a detached start, a readiness wait, and a
# TERM -> wait -> KILL stop. That logic lives here once, so a fix to (say) the
# pid check or the stop timeout reaches both services. Only what differs stays
# in the scripts: the fetch itself, the JVM command line and what "ready"
# means. Every message and exit code is the scripts' own (.ci/run and the
# READMEs rely on them); the wording comes from the SERVICE_* settings below.
#
# deploy/clickhouse/clickhouse.sh does not use this file: it runs a native
# server installed by apt (no Java, no Maven), has its own zombie-aware
# liveness check, ping and messages, and keeps its pid via `$!`.
#
# The sourcing script sets, before calling anything here:
#   CACHE_DIR PID_FILE LOG_FILE STATE_FILE   its files (under .cache/ unless the script says otherwise)
#   SERVICE_TAG          prefix of every stderr line           (kafka.sh)
#   SERVICE_NAME         in "stopping <name>", "<name> failed to start" (Kafka)
#   SERVICE_PROCESS      in "<process> process <pid> exited", "running <process> uses" (broker)
#   SERVICE_CMDLINE      grep pattern that /proc/<pid>/cmdline of our service matches,
#                        so a reused pid is not taken for the service
#   SERVICE_STATE_VARS   array: names of the variables saved to STATE_FILE at start
#   SERVICE_START_TIMEOUT  seconds wait_ready waits
# and defines service_ready (exit 0 once the service answers), plus usage,
# cmd_fetch, cmd_start and cmd_status for service_main.

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

log() { printf '%s: %s\n' "$SERVICE_TAG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$SERVICE_TAG" "$*" >&2; exit 1; }

# validate_port NAME VALUE
validate_port() {
  # shellcheck disable=SC2015  # die exits, so it runs only when a test fails
  [[ "$2" =~ ^[0-9]+$ ]] && (( $2 > 0 && $2 < 65536 )) || die "$1 must be a TCP port number, got '$2'"
}

# require_java WHO: WHO (e.g. "Kafka 4.x") is named in the error when java is older than 17.
require_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (install Java 17+ or set JAVA_HOME)"
  local ver major
  ver="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${ver%%.*}"
  [[ "$major" =~ ^[0-9]+$ ]] || die "cannot parse java version from '$JAVA -version' ($ver)"
  (( major >= 17 )) || die "$1 needs Java 17+, found $ver ($JAVA)"
}

# require_mvn WHAT: Maven is needed only for the one-time download of WHAT.
require_mvn() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found (needed once to download $1 from Maven Central)"
}

# maven_fetch WHAT PARTIAL_DIR WORK_DIR MVN_ARGS...
# Runs mvn in WORK_DIR, quietly, its output in $CACHE_DIR/fetch.log. On failure
# removes PARTIAL_DIR (the half-downloaded result), shows the end of the log
# and dies naming WHAT.
maven_fetch() {
  local what="$1" partial="$2" workdir="$3"
  shift 3
  # mvn -q still prints ANSI resets on stdout; keep stdout clean for the
  # KEY=value line that `start` prints last.
  if ! (cd "$workdir" && mvn -q -B -Dstyle.color=never "$@" >"$CACHE_DIR/fetch.log" 2>&1); then
    rm -rf "$partial"
    tail -n 30 "$CACHE_DIR/fetch.log" >&2 || true
    die "mvn failed to fetch $what (is Maven Central reachable? full output: $CACHE_DIR/fetch.log)"
  fi
}

# Prints the pid if the pid file points at a live process of our service; otherwise prints nothing.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 0
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$SERVICE_CMDLINE"; then
    echo "$pid"
  fi
}

# port_open HOST PORT: something accepts TCP connections there.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# Saves SERVICE_STATE_VARS (as NAME=value lines) for load_running_state.
save_running_state() {
  local k
  for k in "${SERVICE_STATE_VARS[@]}"; do
    printf '%s=%s\n' "$k" "${!k}"
  done >"$STATE_FILE"
}

# Use the settings the running service was started with (not the current env):
# status/start must look at the ports it really listens on.
load_running_state() {
  [[ -f "$STATE_FILE" ]] || return 0
  local k v name want
  while IFS='=' read -r k v; do
    for name in "${SERVICE_STATE_VARS[@]}"; do
      [[ "$k" == "$name" ]] || continue
      want="${!k}"
      [[ "$want" == "$v" ]] || log "note: running $SERVICE_PROCESS uses $k=$v (requested $want)"
      printf -v "$k" '%s' "$v"
      break
    done
  done <"$STATE_FILE"
}

# For `start`, which is idempotent: if the service already runs, adopt its
# saved settings, wait until it is ready and return 0; else return 1.
# (Called as an `if` condition, where set -e is off: every failure in here
# leaves through die, which exits.)
already_running() {
  local pid
  pid="$(running_pid)"
  [[ -n "$pid" ]] || return 1
  load_running_state
  log "already running (pid $pid)"
  wait_ready "$pid"
}

# For `status`: prints "<LABEL>: stopped" and returns 3 if the service is not
# running; else adopts its saved settings (quietly) and sets RUNNING_PID.
status_running() {
  RUNNING_PID="$(running_pid)"
  if [[ -z "$RUNNING_PID" ]]; then
    echo "$1: stopped"
    return 3
  fi
  load_running_state 2>/dev/null
}

# Starts a new $LOG_FILE; the previous run's log is kept as $LOG_FILE.1.
fresh_log() {
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  : >"$LOG_FILE"
}

# start_detached CMD...: runs CMD in the background, detached from the caller
# so it outlives the shell or CI step that started it: setsid gives it its own
# session (a Ctrl-C in the caller's terminal does not reach it), nohup ignores
# SIGHUP; stdin is /dev/null, stdout and stderr are appended to $LOG_FILE.
# A tiny bash wrapper writes its own pid to $PID_FILE and then execs CMD, so the
# pid file holds the service's real pid even when setsid has to fork.
# Sets RUNNING_PID; dies if no pid shows up within 5 s.
start_detached() {
  # shellcheck disable=SC2016  # $$, $0 and $@ are the wrapper's, not ours
  nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" "$@" \
    </dev/null >>"$LOG_FILE" 2>&1 &
  local _
  for _ in $(seq 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.1; done
  RUNNING_PID="$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)"
  [[ -n "$RUNNING_PID" ]] || die "could not start java (see $LOG_FILE)"
}

# wait_ready PID: polls service_ready once a second for SERVICE_START_TIMEOUT s.
# Dies with the end of the log if the process exits meanwhile; dies (leaving
# it running) if it is still not ready at the deadline.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + SERVICE_START_TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE" "$STATE_FILE"
      log "$SERVICE_PROCESS process $pid exited during startup; last log lines:"
      tail -n 30 "$LOG_FILE" >&2 || true
      die "$SERVICE_NAME failed to start (full log: $LOG_FILE)"
    fi
    service_ready && return 0
    sleep 1
  done
  die "$SERVICE_NAME (pid $pid) not ready after ${SERVICE_START_TIMEOUT}s; see $LOG_FILE (still running; use '$0 stop')"
}

# The `stop` command: SIGTERM, wait up to 30 s, then SIGKILL; removes the pid and state files.
stop_service() {
  local pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE" "$STATE_FILE"
    log "not running"
    return 0
  fi
  log "stopping $SERVICE_NAME (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 30s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$PID_FILE" "$STATE_FILE"
  log "stopped"
}

# The command line both scripts share; the script ends with `service_main "$@"`.
# Exit codes: 0, 1 (die), 2 (unknown command), 3 (status: not running).
service_main() {
  case "${1:-}" in
    fetch) cmd_fetch ;;
    start) cmd_start ;;
    stop) stop_service ;;
    status) cmd_status ;;
    -h|--help|help) usage ;;
    *) usage; exit 2 ;;
  esac
}
