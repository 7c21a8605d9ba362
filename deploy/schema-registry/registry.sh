#!/usr/bin/env bash
# Local Confluent-compatible schema registry without Docker: Apicurio Registry
# (in-memory H2 storage) run from its prebuilt distribution on Maven Central.
# Needs Java 17+ and Maven (Maven Central only). See README.md in this directory.
#
#   registry.sh fetch    download + unpack the server into .cache/app (once, ~105 MB)
#   registry.sh start    fetch if needed, start, wait until the Confluent API answers
#   registry.sh stop     SIGTERM, wait up to 30 s, then SIGKILL
#   registry.sh status   exit 0 if running, 3 if not
#
# The last stdout line of `start` is SCHEMA_REGISTRY_URL=http://127.0.0.1:<port>/apis/ccompat/v7
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
CACHE_DIR="$SCRIPT_DIR/.cache"
APP_DIR="$CACHE_DIR/app"
PID_FILE="$CACHE_DIR/registry.pid"
LOG_FILE="$CACHE_DIR/registry.log"
STATE_FILE="$CACHE_DIR/registry.state"   # port of the running registry

# Pinned: 3.0.9 is the newest release whose server runs on Java 17 (3.3.x needs 21).
APICURIO_VERSION=3.0.9
ARTIFACT="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
RUNNER_JAR="$APP_DIR/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
CCOMPAT_PATH=/apis/ccompat/v7
# 2.8 on purpose: the app's parent pom (io.apicurio:apicurio-registry:3.0.9) is not on
# Central; 2.8 copies the file anyway, 3.x fails reading the artifact descriptor.
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:2.8

REGISTRY_HOST=127.0.0.1
SCHEMA_REGISTRY_PORT="${SCHEMA_REGISTRY_PORT:-8081}"
SCHEMA_REGISTRY_START_TIMEOUT="${SCHEMA_REGISTRY_START_TIMEOUT:-90}"
SCHEMA_REGISTRY_HEAP_OPTS="${SCHEMA_REGISTRY_HEAP_OPTS:--Xms64m -Xmx384m}"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

log() { printf 'registry.sh: %s\n' "$*" >&2; }
die() { printf 'registry.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat >&2 <<EOF
usage: $(basename "$0") {fetch|start|stop|status}
env:   SCHEMA_REGISTRY_PORT=$SCHEMA_REGISTRY_PORT SCHEMA_REGISTRY_START_TIMEOUT=$SCHEMA_REGISTRY_START_TIMEOUT (s)
       SCHEMA_REGISTRY_HEAP_OPTS="$SCHEMA_REGISTRY_HEAP_OPTS"
EOF
}

validate_port() {
  [[ "$2" =~ ^[0-9]+$ ]] && (( $2 > 0 && $2 < 65536 )) || die "$1 must be a TCP port number, got '$2'"
}

require_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (install Java 17+ or set JAVA_HOME)"
  local ver major
  ver="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${ver%%.*}"
  [[ "$major" =~ ^[0-9]+$ ]] || die "cannot parse java version from '$JAVA -version' ($ver)"
  (( major >= 17 )) || die "Apicurio Registry $APICURIO_VERSION needs Java 17+, found $ver ($JAVA)"
}

app_ready() { [[ -f "$RUNNER_JAR" && -d "$APP_DIR/lib" ]]; }

cmd_fetch() {
  if app_ready; then
    log "Apicurio Registry $APICURIO_VERSION already in $APP_DIR"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (needed once to download Apicurio Registry from Maven Central)"
  require_java
  mkdir -p "$CACHE_DIR"
  log "downloading $ARTIFACT from Maven Central ..."
  local tmp="$CACHE_DIR/app.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # A goal without a project (run where there is no pom.xml); see DEPENDENCY_PLUGIN.
  # mvn -q still prints ANSI resets on stdout; keep stdout clean.
  if ! (cd "$tmp" && mvn -q -B -Dstyle.color=never "$DEPENDENCY_PLUGIN:copy" -Dartifact="$ARTIFACT" \
      -DoutputDirectory="$tmp" >"$CACHE_DIR/fetch.log" 2>&1); then
    rm -rf "$tmp"
    tail -n 30 "$CACHE_DIR/fetch.log" >&2 || true
    die "mvn failed to fetch $ARTIFACT (is Maven Central reachable? full output: $CACHE_DIR/fetch.log)"
  fi
  local archive="$tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  [[ -f "$archive" ]] || die "mvn finished but $archive is missing (see $CACHE_DIR/fetch.log)"
  tar -xzf "$archive" -C "$tmp" || die "could not unpack $archive"
  rm -f "$archive"
  rm -rf "$APP_DIR"
  mv "$tmp" "$APP_DIR"
  app_ready || die "unpacked, but $RUNNER_JAR is missing"
  log "fetched: $(find "$APP_DIR/lib" -name '*.jar' | wc -l) jars, $(du -sh "$APP_DIR" | cut -f1)"
}

# Prints the pid if the pid file points at a live registry; otherwise prints nothing.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 0
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'apicurio-registry-app'; then
    echo "$pid"
  fi
}

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# HTTP status of GET <path> (plain bash, so curl is not required); empty when nothing answers.
http_status() {
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s:%s\r\nAccept: application/json\r\n\r\n" "$3" "$1" "$2" >&3
    IFS=" " read -r _ status _ <&3 && printf "%s" "$status"
  ' _ "$1" "$2" "$3" 2>/dev/null || true
}

api_ready() { [[ "$(http_status "$REGISTRY_HOST" "$SCHEMA_REGISTRY_PORT" "$CCOMPAT_PATH/subjects")" == 200 ]]; }

load_running_state() {
  [[ -f "$STATE_FILE" ]] || return 0
  local k v
  while IFS='=' read -r k v; do
    if [[ "$k" == SCHEMA_REGISTRY_PORT ]]; then
      [[ "$SCHEMA_REGISTRY_PORT" == "$v" ]] || log "note: running registry uses $k=$v (requested $SCHEMA_REGISTRY_PORT)"
      SCHEMA_REGISTRY_PORT="$v"
    fi
  done <"$STATE_FILE"
}

registry_url() { echo "SCHEMA_REGISTRY_URL=http://$REGISTRY_HOST:$SCHEMA_REGISTRY_PORT$CCOMPAT_PATH"; }

wait_ready() {
  local pid="$1" deadline=$((SECONDS + SCHEMA_REGISTRY_START_TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE" "$STATE_FILE"
      log "registry process $pid exited during startup; last log lines:"
      tail -n 30 "$LOG_FILE" >&2 || true
      die "schema registry failed to start (full log: $LOG_FILE)"
    fi
    api_ready && return 0
    sleep 1
  done
  die "schema registry (pid $pid) not ready after ${SCHEMA_REGISTRY_START_TIMEOUT}s; see $LOG_FILE (still running; use '$0 stop')"
}

cmd_start() {
  validate_port SCHEMA_REGISTRY_PORT "$SCHEMA_REGISTRY_PORT"
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    load_running_state
    log "already running (pid $pid)"
    wait_ready "$pid"
    registry_url
    return 0
  fi
  rm -f "$PID_FILE" "$STATE_FILE"
  require_java
  cmd_fetch
  ! port_open "$REGISTRY_HOST" "$SCHEMA_REGISTRY_PORT" \
    || die "port $REGISTRY_HOST:$SCHEMA_REGISTRY_PORT is already in use by another process (set SCHEMA_REGISTRY_PORT)"

  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  : >"$LOG_FILE"
  local t0=$SECONDS
  log "starting Apicurio Registry $APICURIO_VERSION (in-memory storage) on $REGISTRY_HOST:$SCHEMA_REGISTRY_PORT (log $LOG_FILE)"
  # Storage is the distribution's default: an in-memory H2 database, so every
  # start begins empty (schema ids restart at 1). Quarkus writes temp files under
  # java.io.tmpdir; keep them in .cache so nothing leaks into /tmp.
  mkdir -p "$CACHE_DIR/tmp"
  # shellcheck disable=SC2086  # SCHEMA_REGISTRY_HEAP_OPTS is intentionally word-split
  nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    "$JAVA" $SCHEMA_REGISTRY_HEAP_OPTS -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.io.tmpdir="$CACHE_DIR/tmp" \
    -Dquarkus.http.host="$REGISTRY_HOST" \
    -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT" \
    -Dapicurio.import.work-dir="$CACHE_DIR/tmp" \
    -Dapicurio.storage.snapshot.location="$CACHE_DIR/tmp" \
    -jar "$RUNNER_JAR" \
    </dev/null >>"$LOG_FILE" 2>&1 &
  local i
  for i in $(seq 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.1; done
  pid="$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || die "could not start java (see $LOG_FILE)"
  printf 'SCHEMA_REGISTRY_PORT=%s\n' "$SCHEMA_REGISTRY_PORT" >"$STATE_FILE"

  wait_ready "$pid"
  log "ready in $((SECONDS - t0))s (pid $pid)"
  registry_url
}

cmd_stop() {
  local pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE" "$STATE_FILE"
    log "not running"
    return 0
  fi
  log "stopping schema registry (pid $pid) ..."
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

cmd_status() {
  local pid
  pid="$(running_pid)"
  if [[ -z "$pid" ]]; then
    echo "schema-registry: stopped"
    return 3
  fi
  load_running_state 2>/dev/null
  if api_ready; then
    echo "schema-registry: running (pid $pid), $(registry_url)"
  else
    echo "schema-registry: process running (pid $pid) but $CCOMPAT_PATH/subjects does not answer 200 on $REGISTRY_HOST:$SCHEMA_REGISTRY_PORT"
  fi
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  -h|--help|help) usage ;;
  *) usage; exit 2 ;;
esac
