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
#
# SCHEMA_REGISTRY_RUN_DIR (with its own port) runs a second registry beside the
# first on the same distribution: its pid, state, log and temp files live there.
# SCHEMA_REGISTRY_DATA_DIR keeps the registry's database in files there instead
# of in memory, so a stop and start keep every subject and schema id (a test
# that stops a registry mid-run and starts it again needs the ids back).
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
CACHE_DIR="$SCRIPT_DIR/.cache"
APP_DIR="$CACHE_DIR/app"
SCHEMA_REGISTRY_RUN_DIR="${SCHEMA_REGISTRY_RUN_DIR:-$CACHE_DIR}"
SCHEMA_REGISTRY_DATA_DIR="${SCHEMA_REGISTRY_DATA_DIR:-}"
# Relative directories are taken relative to the caller's cwd.
case "$SCHEMA_REGISTRY_RUN_DIR" in /*) ;; *) SCHEMA_REGISTRY_RUN_DIR="$PWD/$SCHEMA_REGISTRY_RUN_DIR" ;; esac
case "$SCHEMA_REGISTRY_DATA_DIR" in ''|/*) ;; *) SCHEMA_REGISTRY_DATA_DIR="$PWD/$SCHEMA_REGISTRY_DATA_DIR" ;; esac
PID_FILE="$SCHEMA_REGISTRY_RUN_DIR/registry.pid"
LOG_FILE="$SCHEMA_REGISTRY_RUN_DIR/registry.log"
STATE_FILE="$SCHEMA_REGISTRY_RUN_DIR/registry.state"   # port of the running registry

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

# Pid file, state file, detached start, readiness wait, stop: deploy/lib/service.sh
# (shared with Kafka), driven by these settings.
SERVICE_TAG=registry.sh
SERVICE_NAME="schema registry"
SERVICE_PROCESS=registry
SERVICE_CMDLINE=apicurio-registry-app
SERVICE_STATE_VARS=(SCHEMA_REGISTRY_PORT)
SERVICE_START_TIMEOUT="$SCHEMA_REGISTRY_START_TIMEOUT"
# shellcheck source=SCRIPTDIR/../lib/service.sh
. "$SCRIPT_DIR/../lib/service.sh"

usage() {
  cat >&2 <<EOF
usage: $(basename "$0") {fetch|start|stop|status}
env:   SCHEMA_REGISTRY_PORT=$SCHEMA_REGISTRY_PORT SCHEMA_REGISTRY_START_TIMEOUT=$SCHEMA_REGISTRY_START_TIMEOUT (s)
       SCHEMA_REGISTRY_RUN_DIR=$SCHEMA_REGISTRY_RUN_DIR SCHEMA_REGISTRY_DATA_DIR=${SCHEMA_REGISTRY_DATA_DIR:-(unset: in memory)}
       SCHEMA_REGISTRY_HEAP_OPTS="$SCHEMA_REGISTRY_HEAP_OPTS"
EOF
}

app_ready() { [[ -f "$RUNNER_JAR" && -d "$APP_DIR/lib" ]]; }

cmd_fetch() {
  if app_ready; then
    log "Apicurio Registry $APICURIO_VERSION already in $APP_DIR"
    return 0
  fi
  require_mvn "Apicurio Registry"
  require_java "Apicurio Registry $APICURIO_VERSION"
  mkdir -p "$CACHE_DIR"
  log "downloading $ARTIFACT from Maven Central ..."
  local tmp="$CACHE_DIR/app.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # A goal without a project (run where there is no pom.xml); see DEPENDENCY_PLUGIN.
  maven_fetch "$ARTIFACT" "$tmp" "$tmp" "$DEPENDENCY_PLUGIN:copy" -Dartifact="$ARTIFACT" \
    -DoutputDirectory="$tmp"
  local archive="$tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  [[ -f "$archive" ]] || die "mvn finished but $archive is missing (see $CACHE_DIR/fetch.log)"
  tar -xzf "$archive" -C "$tmp" || die "could not unpack $archive"
  rm -f "$archive"
  rm -rf "$APP_DIR"
  mv "$tmp" "$APP_DIR"
  app_ready || die "unpacked, but $RUNNER_JAR is missing"
  log "fetched: $(find "$APP_DIR/lib" -name '*.jar' | wc -l) jars, $(du -sh "$APP_DIR" | cut -f1)"
}

# HTTP status of GET <path> (plain bash, so curl is not required); empty when nothing answers.
http_status() {
  # shellcheck disable=SC2016  # $1..$3 are the inner bash's arguments
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s:%s\r\nAccept: application/json\r\n\r\n" "$3" "$1" "$2" >&3
    IFS=" " read -r _ status _ <&3 && printf "%s" "$status"
  ' _ "$1" "$2" "$3" 2>/dev/null || true
}

# Ready = the Confluent API answers. Also the readiness hook polled by wait_ready (lib/service.sh).
service_ready() { [[ "$(http_status "$REGISTRY_HOST" "$SCHEMA_REGISTRY_PORT" "$CCOMPAT_PATH/subjects")" == 200 ]]; }

registry_url() { echo "SCHEMA_REGISTRY_URL=http://$REGISTRY_HOST:$SCHEMA_REGISTRY_PORT$CCOMPAT_PATH"; }

cmd_start() {
  validate_port SCHEMA_REGISTRY_PORT "$SCHEMA_REGISTRY_PORT"
  if already_running; then
    registry_url
    return 0
  fi
  rm -f "$PID_FILE" "$STATE_FILE"
  require_java "Apicurio Registry $APICURIO_VERSION"
  cmd_fetch
  ! port_open "$REGISTRY_HOST" "$SCHEMA_REGISTRY_PORT" \
    || die "port $REGISTRY_HOST:$SCHEMA_REGISTRY_PORT is already in use by another process (set SCHEMA_REGISTRY_PORT)"

  mkdir -p "$SCHEMA_REGISTRY_RUN_DIR"
  fresh_log
  local t0=$SECONDS
  # Storage is the distribution's default, an in-memory H2 database, so every
  # start begins empty (schema ids restart at 1); with SCHEMA_REGISTRY_DATA_DIR,
  # an H2 database in files there, kept across restarts.
  local storage=() storage_text="in-memory storage"
  if [[ -n "$SCHEMA_REGISTRY_DATA_DIR" ]]; then
    mkdir -p "$SCHEMA_REGISTRY_DATA_DIR"
    storage=(-Dapicurio.datasource.url="jdbc:h2:file:$SCHEMA_REGISTRY_DATA_DIR/registry")
    storage_text="storage in $SCHEMA_REGISTRY_DATA_DIR"
  fi
  log "starting Apicurio Registry $APICURIO_VERSION ($storage_text) on $REGISTRY_HOST:$SCHEMA_REGISTRY_PORT (log $LOG_FILE)"
  # Quarkus writes temp files under java.io.tmpdir; keep them in the run dir so nothing leaks into /tmp.
  local tmp="$SCHEMA_REGISTRY_RUN_DIR/tmp"
  mkdir -p "$tmp"
  # shellcheck disable=SC2086  # SCHEMA_REGISTRY_HEAP_OPTS is intentionally word-split
  start_detached "$JAVA" $SCHEMA_REGISTRY_HEAP_OPTS -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.io.tmpdir="$tmp" \
    -Dquarkus.http.host="$REGISTRY_HOST" \
    -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT" \
    -Dapicurio.import.work-dir="$tmp" \
    -Dapicurio.storage.snapshot.location="$tmp" \
    "${storage[@]}" \
    -jar "$RUNNER_JAR"
  save_running_state

  wait_ready "$RUNNING_PID"
  log "ready in $((SECONDS - t0))s (pid $RUNNING_PID)"
  registry_url
}

cmd_status() {
  status_running schema-registry || return 3
  if service_ready; then
    echo "schema-registry: running (pid $RUNNING_PID), $(registry_url)"
  else
    echo "schema-registry: process running (pid $RUNNING_PID) but $CCOMPAT_PATH/subjects does not answer 200 on $REGISTRY_HOST:$SCHEMA_REGISTRY_PORT"
  fi
}

service_main "$@"
