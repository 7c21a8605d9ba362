#!/usr/bin/env bash
# Local ClickHouse server (Debian bookworm's clickhouse-server 18.16.1) for
# HTTP transport tests. No Docker, no systemd: the server runs in the
# background with its own config/data/log tree under deploy/clickhouse/.cache/.
#
#   clickhouse.sh install   apt-get install clickhouse-server clickhouse-client (skipped if present)
#   clickhouse.sh start     start in background, wait for /ping (idempotent)
#   clickhouse.sh stop      SIGTERM, wait, SIGKILL fallback
#   clickhouse.sh restart   stop + start
#   clickhouse.sh status    exit 0 = running and answering /ping, 3 = not running, 1 = running but not answering
#
# Environment:
#   CLICKHOUSE_HTTP_PORT   HTTP port (default 8123)
#   CLICKHOUSE_TCP_PORT    native TCP port (default 9000; 19000 if 9000 is taken)
#   CLICKHOUSE_HTTPS_PORT  also serve HTTPS there (default: none), with a
#                          certificate for 127.0.0.1 signed by a CA made
#                          under .cache/tls (openssl); `start` then prints
#                          CLICKHOUSE_TEST_HTTPS_URL=… and
#                          CLICKHOUSE_TEST_TLS_CA_FILE=… on stdout
#   CLICKHOUSE_START_TIMEOUT  seconds to wait for /ping (default 60)
#   CLICKHOUSE_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 30)
#
# Users: default (no password), driftwatch / driftwatch-secret; the read-only
# driftwatch_analyst (readonly = 2) and driftwatch_reader (readonly = 1), same
# password. Listens on 127.0.0.1 only.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="$SCRIPT_DIR/.cache"
ETC_DIR="$CACHE_DIR/etc"
DATA_DIR="$CACHE_DIR/data"
LOG_DIR="$CACHE_DIR/log"
PID_FILE="$CACHE_DIR/clickhouse-server.pid"
STATE_FILE="$CACHE_DIR/ports.env"     # ports of the running instance, for status/stop
TLS_DIR="$CACHE_DIR/tls"               # CA and server certificate of the HTTPS port

SERVER_BIN="/usr/sbin/clickhouse-server"   # Debian puts the server in /usr/sbin
SYSTEM_ETC="/etc/clickhouse-server"
START_TIMEOUT="${CLICKHOUSE_START_TIMEOUT:-60}"
STOP_TIMEOUT="${CLICKHOUSE_STOP_TIMEOUT:-30}"

log() { printf '[clickhouse] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- helpers

valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && (("$1" >= 1 && "$1" <= 65535)); }

port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]] && return 0
  fi
  # Fallback / extra check: can we connect to it?
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# kill -0 also succeeds for a zombie; treat state Z as dead (matters when the
# reaper of the detached server is slow or absent).
alive() {
  local pid="$1" state
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)"
  [[ "$state" != "Z" ]]
}

ping_ok() {
  local port="$1" body
  body="$(curl -fsS --max-time 2 "http://127.0.0.1:$port/ping" 2>/dev/null || true)"
  [[ "$body" == "Ok." ]]
}

# Prints the pid if the pid file points at a live clickhouse-server started
# from our config; otherwise removes a stale pid file and returns 1.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  if [[ -n "$pid" ]] && alive "$pid" \
     && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--config-file=$ETC_DIR/config.xml"; then
    echo "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  return 1
}

load_state() {
  HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
  TCP_PORT="${CLICKHOUSE_TCP_PORT:-}"
  HTTPS_PORT=""
  if [[ -f "$STATE_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$STATE_FILE"
  fi
}

need_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# ---------------------------------------------------------------- install

cmd_install() {
  if [[ -x "$SERVER_BIN" ]] && command -v clickhouse-client >/dev/null 2>&1; then
    log "already installed: $("$SERVER_BIN" --version 2>/dev/null | head -n1 || echo "$SERVER_BIN")"
    return 0
  fi
  log "installing clickhouse-server clickhouse-client via apt-get"
  export DEBIAN_FRONTEND=noninteractive
  need_root env DEBIAN_FRONTEND=noninteractive apt-get update
  # The Debian package asks no debconf questions; noninteractive + confold
  # guard against any prompt (default password, modified conffiles).
  need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    clickhouse-server clickhouse-client
  [[ -x "$SERVER_BIN" ]] || die "$SERVER_BIN missing after install"
  log "installed (the package's systemd/init service is not used by this script)"
}

# ---------------------------------------------------------------- TLS

# A CA and a server certificate for 127.0.0.1 (and localhost), made once and
# kept: clients trust the CA through CLICKHOUSE_TLS_CA_FILE.
ensure_tls() {
  [[ -s "$TLS_DIR/ca.pem" && -s "$TLS_DIR/server.pem" && -s "$TLS_DIR/server.key" ]] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl is required for CLICKHOUSE_HTTPS_PORT"
  mkdir -p "$TLS_DIR"
  local tmp
  tmp="$(mktemp -d)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=driftwatch test ClickHouse CA" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null || die "openssl: cannot make the CA"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null \
    || die "openssl: cannot make the server key"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tmp/ext.cnf"
  openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial -days 3650 \
    -extfile "$tmp/ext.cnf" -out "$tmp/server.pem" 2>/dev/null || die "openssl: cannot sign the server certificate"
  chmod 600 "$tmp/server.key"
  # The CA's key is not kept: nothing else is ever signed with it.
  mv "$tmp/server.key" "$tmp/server.pem" "$tmp/ca.pem" "$TLS_DIR/"
  rm -rf "$tmp"
}

# The HTTPS port's part of the config (nothing without CLICKHOUSE_HTTPS_PORT).
https_config() {
  [[ -n "$HTTPS_PORT" ]] || return 0
  cat <<XML
    <https_port>$HTTPS_PORT</https_port>
    <openSSL>
        <server>
            <certificateFile>$TLS_DIR/server.pem</certificateFile>
            <privateKeyFile>$TLS_DIR/server.key</privateKeyFile>
            <dhParamsFile remove="remove"/>
            <verificationMode>none</verificationMode>
        </server>
    </openSSL>
XML
}

# ---------------------------------------------------------------- config

write_config() {
  mkdir -p "$ETC_DIR/config.d" "$ETC_DIR/users.d" "$DATA_DIR/tmp" "$DATA_DIR/user_files" \
           "$DATA_DIR/format_schemas" "$LOG_DIR"
  # Fresh copy of the packaged configs each start; our overrides are merged
  # on top by the server (config.d/*.xml and users.d/*.xml both work on 18.16).
  cp -f "$SYSTEM_ETC/config.xml" "$ETC_DIR/config.xml"
  cp -f "$SYSTEM_ETC/users.xml" "$ETC_DIR/users.xml"

  cat >"$ETC_DIR/config.d/driftwatch.xml" <<EOF
<?xml version="1.0"?>
<!-- Generated by deploy/clickhouse/clickhouse.sh; rewritten on every start. -->
<yandex>
    <logger>
        <level>information</level>
        <log>$LOG_DIR/clickhouse-server.log</log>
        <errorlog>$LOG_DIR/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>2</count>
    </logger>
    <http_port>$HTTP_PORT</http_port>
    <tcp_port>$TCP_PORT</tcp_port>
    <interserver_http_port remove="remove"/>
    <listen_host>127.0.0.1</listen_host>
$(https_config)
    <path>$DATA_DIR/</path>
    <tmp_path>$DATA_DIR/tmp/</tmp_path>
    <user_files_path>$DATA_DIR/user_files/</user_files_path>
    <format_schema_path>$DATA_DIR/format_schemas/</format_schema_path>
    <timezone>UTC</timezone>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
</yandex>
EOF

  cat >"$ETC_DIR/users.d/driftwatch.xml" <<'EOF'
<?xml version="1.0"?>
<!-- Generated by deploy/clickhouse/clickhouse.sh; rewritten on every start. -->
<yandex>
    <!-- Read-only profiles like sql/roles/roles.sql's (18.16 has no SQL access control):
         the analyst's readonly = 2 (may change settings), the reader's readonly = 1 (may not). -->
    <profiles>
        <driftwatch_analyst><readonly>2</readonly></driftwatch_analyst>
        <driftwatch_reader><readonly>1</readonly></driftwatch_reader>
    </profiles>
    <users>
        <default replace="replace">
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <driftwatch>
            <password>driftwatch-secret</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </driftwatch>
        <driftwatch_analyst>
            <password>driftwatch-secret</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>driftwatch_analyst</profile>
            <quota>default</quota>
        </driftwatch_analyst>
        <driftwatch_reader>
            <password>driftwatch-secret</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>driftwatch_reader</profile>
            <quota>default</quota>
        </driftwatch_reader>
    </users>
</yandex>
EOF
}

# ---------------------------------------------------------------- start/stop

cmd_start() {
  [[ -x "$SERVER_BIN" ]] || die "$SERVER_BIN not found; run: $0 install"
  command -v curl >/dev/null 2>&1 || die "curl is required"

  local pid
  if pid="$(running_pid)"; then
    load_state
    if ping_ok "$HTTP_PORT"; then
      log "already running (pid $pid, http $HTTP_PORT, tcp $TCP_PORT${HTTPS_PORT:+, https $HTTPS_PORT})"
      print_https_env
      return 0
    fi
    log "pid $pid is running but not answering /ping yet; waiting"
  else
    HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
    if [[ -n "${CLICKHOUSE_TCP_PORT:-}" ]]; then
      TCP_PORT="$CLICKHOUSE_TCP_PORT"
    elif port_in_use 9000; then
      TCP_PORT=19000
      log "port 9000 is taken; using tcp port $TCP_PORT"
    else
      TCP_PORT=9000
    fi
    valid_port "$HTTP_PORT" || die "invalid CLICKHOUSE_HTTP_PORT: $HTTP_PORT"
    valid_port "$TCP_PORT" || die "invalid CLICKHOUSE_TCP_PORT: $TCP_PORT"
    [[ "$HTTP_PORT" != "$TCP_PORT" ]] || die "http and tcp port must differ ($HTTP_PORT)"
    port_in_use "$HTTP_PORT" && die "http port $HTTP_PORT already in use (set CLICKHOUSE_HTTP_PORT)"
    port_in_use "$TCP_PORT" && die "tcp port $TCP_PORT already in use (set CLICKHOUSE_TCP_PORT)"
    HTTPS_PORT="${CLICKHOUSE_HTTPS_PORT:-}"
    if [[ -n "$HTTPS_PORT" ]]; then
      valid_port "$HTTPS_PORT" || die "invalid CLICKHOUSE_HTTPS_PORT: $HTTPS_PORT"
      [[ "$HTTPS_PORT" != "$HTTP_PORT" && "$HTTPS_PORT" != "$TCP_PORT" ]] || die "https port must differ from the http and tcp ports ($HTTPS_PORT)"
      port_in_use "$HTTPS_PORT" && die "https port $HTTPS_PORT already in use (set CLICKHOUSE_HTTPS_PORT)"
      ensure_tls
    fi

    write_config
    printf 'HTTP_PORT=%s\nTCP_PORT=%s\nHTTPS_PORT=%s\n' "$HTTP_PORT" "$TCP_PORT" "$HTTPS_PORT" >"$STATE_FILE"

    # setsid: own session, so Ctrl-C in the caller's terminal does not reach it.
    # In a non-interactive shell the background child is not a group leader,
    # so setsid execs in place and $! is the server's pid.
    setsid nohup "$SERVER_BIN" --config-file="$ETC_DIR/config.xml" \
      >>"$LOG_DIR/stdout.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
    log "started pid $pid (http 127.0.0.1:$HTTP_PORT, tcp 127.0.0.1:$TCP_PORT, data $DATA_DIR)"
  fi

  local deadline=$((SECONDS + START_TIMEOUT))
  until ping_ok "$HTTP_PORT"; do
    if ! alive "$pid"; then
      rm -f "$PID_FILE"
      log "server exited during startup; last log lines:"
      tail -n 20 "$LOG_DIR/stdout.log" "$LOG_DIR/clickhouse-server.err.log" >&2 2>/dev/null || true
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      die "no Ok. from http://127.0.0.1:$HTTP_PORT/ping after ${START_TIMEOUT}s (pid $pid still running; see $LOG_DIR)"
    fi
    sleep 0.25
  done
  log "ready: http://127.0.0.1:$HTTP_PORT/ping -> Ok."
  print_https_env
}

# What a test needs to reach the HTTPS port, on stdout (of the running instance: a second start keeps its ports).
print_https_env() {
  [[ -n "$HTTPS_PORT" ]] || return 0
  echo "CLICKHOUSE_TEST_HTTPS_URL=https://127.0.0.1:$HTTPS_PORT"
  echo "CLICKHOUSE_TEST_TLS_CA_FILE=$TLS_DIR/ca.pem"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    return 0
  fi
  log "stopping pid $pid (SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid"; do
    if ((SECONDS >= deadline)); then
      log "still alive after ${STOP_TIMEOUT}s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  load_state
  if ! pid="$(running_pid)"; then
    echo "clickhouse: not running"
    return 3
  fi
  if ping_ok "$HTTP_PORT"; then
    local version
    version="$(curl -fsS --max-time 2 "http://127.0.0.1:$HTTP_PORT/" --data-binary 'SELECT version()' 2>/dev/null || echo '?')"
    echo "clickhouse: running pid=$pid version=$version http=127.0.0.1:$HTTP_PORT tcp=127.0.0.1:$TCP_PORT"
    return 0
  fi
  echo "clickhouse: pid=$pid alive but http://127.0.0.1:$HTTP_PORT/ping not answering"
  return 1
}

case "${1:-}" in
  install) cmd_install ;;
  start)   cmd_start ;;
  stop)    cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status)  cmd_status ;;
  *) echo "usage: $0 {install|start|stop|restart|status}" >&2; exit 2 ;;
esac
