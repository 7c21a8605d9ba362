#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller) without Docker.
# Needs Java 17+ and Maven (Maven Central only). See README.md in this directory.
#
#   kafka.sh fetch    download the broker jars into .cache/lib (once)
#   kafka.sh start    fetch if needed, format storage once, start, wait until ready
#   kafka.sh stop     SIGTERM, wait up to 30 s, then SIGKILL
#   kafka.sh status   exit 0 if running, 3 if not
#
# With KAFKA_SECURE_PORT set, `start` also opens a SASL listener there
# (SASL_SSL, or SASL_PLAINTEXT with KAFKA_SECURE_PROTOCOL) for one user
# (KAFKA_SECURE_USER / KAFKA_SECURE_PASSWORD) over PLAIN, SCRAM-SHA-256 and
# SCRAM-SHA-512, with a broker certificate signed by a CA of its own, generated
# under $KAFKA_RUN_DIR/tls/ on first start; the CA's PEM is what clients trust.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
CACHE_DIR="$SCRIPT_DIR/.cache"
LIB_DIR="$CACHE_DIR/lib"
# Where one broker keeps its pid, state, log and generated configs. Another
# KAFKA_RUN_DIR (with its own ports) runs a second broker beside the first on
# the same jars: the broker-outage test stops and restarts a private one.
KAFKA_RUN_DIR="${KAFKA_RUN_DIR:-$CACHE_DIR}"
case "$KAFKA_RUN_DIR" in
  /*) ;;
  *) KAFKA_RUN_DIR="$PWD/$KAFKA_RUN_DIR" ;;
esac
PID_FILE="$KAFKA_RUN_DIR/kafka.pid"
LOG_FILE="$KAFKA_RUN_DIR/kafka.log"
CONFIG_FILE="$KAFKA_RUN_DIR/server.properties"
LOG4J_BROKER="$KAFKA_RUN_DIR/log4j2-broker.properties"
LOG4J_TOOLS="$KAFKA_RUN_DIR/log4j2-tools.properties"
PROBE_CONFIG="$KAFKA_RUN_DIR/probe.properties"
STATE_FILE="$KAFKA_RUN_DIR/kafka.state"   # ports/data dir of the running broker

KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$KAFKA_RUN_DIR/data}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
# The secure listener (see the top of this file). Empty port = none: the
# default broker is PLAINTEXT only. Not named KAFKA_SASL_* / KAFKA_SSL*: those
# are driftwatch's client options, and one shell may hold both.
KAFKA_SECURE_PORT="${KAFKA_SECURE_PORT:-}"
KAFKA_SECURE_PROTOCOL="${KAFKA_SECURE_PROTOCOL:-SASL_SSL}"
KAFKA_SECURE_USER="${KAFKA_SECURE_USER:-driftwatch}"
KAFKA_SECURE_PASSWORD="${KAFKA_SECURE_PASSWORD:-driftwatch-kafka-secret}"
TLS_DIR="$KAFKA_RUN_DIR/tls"
CA_PEM="$TLS_DIR/ca.pem"

# Relative KAFKA_DATA_DIR is taken relative to the caller's cwd.
case "$KAFKA_DATA_DIR" in
  /*) ;;
  *) KAFKA_DATA_DIR="$PWD/$KAFKA_DATA_DIR" ;;
esac

# Pid file, state file, detached start, readiness wait, stop: deploy/lib/service.sh
# (shared with the schema registry), driven by these settings.
SERVICE_TAG=kafka.sh
SERVICE_NAME=Kafka
SERVICE_PROCESS=broker
SERVICE_CMDLINE='kafka\.Kafka'
SERVICE_STATE_VARS=(KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_DATA_DIR KAFKA_SECURE_PORT KAFKA_SECURE_PROTOCOL)
SERVICE_START_TIMEOUT="$KAFKA_START_TIMEOUT"
# shellcheck source=SCRIPTDIR/../lib/service.sh
. "$SCRIPT_DIR/../lib/service.sh"

usage() {
  cat >&2 <<EOF
usage: $(basename "$0") {fetch|start|stop|status}
env:   KAFKA_PORT=$KAFKA_PORT KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT
       KAFKA_RUN_DIR=$KAFKA_RUN_DIR KAFKA_DATA_DIR=$KAFKA_DATA_DIR
       KAFKA_START_TIMEOUT=$KAFKA_START_TIMEOUT (s) KAFKA_HEAP_OPTS="$KAFKA_HEAP_OPTS"
       KAFKA_SECURE_PORT=${KAFKA_SECURE_PORT:-(none)} KAFKA_SECURE_PROTOCOL=$KAFKA_SECURE_PROTOCOL
       KAFKA_SECURE_USER=$KAFKA_SECURE_USER KAFKA_SECURE_PASSWORD=(not shown)
EOF
}

# Kafka version pinned in pom.xml (<kafka.version>).
pinned_version() {
  sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$SCRIPT_DIR/pom.xml" | head -n1
}

lib_ready() {
  local v
  v="$(pinned_version)"
  [[ -n "$v" && -f "$LIB_DIR/kafka_2.13-$v.jar" && -f "$LIB_DIR/kafka-tools-$v.jar" ]]
}

cmd_fetch() {
  if lib_ready; then
    log "Kafka $(pinned_version) jars already in $LIB_DIR"
    return 0
  fi
  require_mvn Kafka
  require_java "Kafka 4.x"
  mkdir -p "$CACHE_DIR"
  log "downloading Kafka $(pinned_version) jars from Maven Central into $LIB_DIR ..."
  local tmp="$CACHE_DIR/lib.partial"
  rm -rf "$tmp"
  # -f names the pom, so mvn runs in the caller's cwd (".").
  maven_fetch Kafka "$tmp" . -f "$SCRIPT_DIR/pom.xml" \
    -Dkafka.lib.dir="$tmp" dependency:copy-dependencies@fetch-kafka
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  lib_ready || die "mvn finished but $LIB_DIR has no kafka_2.13 / kafka-tools $(pinned_version) jar"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars"
}

write_configs() {
  mkdir -p "$CACHE_DIR" "$KAFKA_RUN_DIR" "$KAFKA_DATA_DIR"
  local listeners="PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT" protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  if [[ -n "$KAFKA_SECURE_PORT" ]]; then
    listeners+=",$KAFKA_SECURE_PROTOCOL://$KAFKA_HOST:$KAFKA_SECURE_PORT"
    protocols+=",$KAFKA_SECURE_PROTOCOL:$KAFKA_SECURE_PROTOCOL"
  fi
  # With a secure listener the file holds its user's password (PLAIN's JAAS line) and the keystore's:
  # owner-only before they are written (chmod: a file left by an earlier start keeps its mode otherwise).
  if [[ -n "$KAFKA_SECURE_PORT" ]]; then : >"$CONFIG_FILE"; chmod 600 "$CONFIG_FILE"; fi
  cat >"$CONFIG_FILE" <<EOF
# Generated by deploy/kafka/kafka.sh start -- edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=$listeners,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=$listeners
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
log.dirs=$KAFKA_DATA_DIR
# One node: internal topics must use replication factor 1, or consumer groups
# ("group coordinator is not available") and transactions never become ready.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.partitions=3
log.retention.hours=168
log.segment.bytes=134217728
num.network.threads=3
num.io.threads=4
EOF
  [[ -z "$KAFKA_SECURE_PORT" ]] || secure_listener_config >>"$CONFIG_FILE"

  cat >"$LOG4J_BROKER" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
EOF

  cat >"$LOG4J_TOOLS" <<'EOF'
status = error
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ERROR
rootLogger.appenderRef.err.ref = ERR
EOF

  cat >"$PROBE_CONFIG" <<'EOF'
request.timeout.ms=4000
default.api.timeout.ms=6000
socket.connection.setup.timeout.ms=2000
socket.connection.setup.timeout.max.ms=2000
EOF
}

# The secure listener's settings, checked before anything is written.
validate_secure_settings() {
  [[ -n "$KAFKA_SECURE_PORT" ]] || return 0
  validate_port KAFKA_SECURE_PORT "$KAFKA_SECURE_PORT"
  [[ "$KAFKA_SECURE_PORT" != "$KAFKA_PORT" && "$KAFKA_SECURE_PORT" != "$KAFKA_CONTROLLER_PORT" ]] \
    || die "KAFKA_SECURE_PORT must differ from KAFKA_PORT and KAFKA_CONTROLLER_PORT"
  case "$KAFKA_SECURE_PROTOCOL" in
    SASL_SSL|SASL_PLAINTEXT) ;;
    *) die "KAFKA_SECURE_PROTOCOL must be SASL_SSL or SASL_PLAINTEXT, got '$KAFKA_SECURE_PROTOCOL'" ;;
  esac
  # Both go unquoted into a JAAS line and a SCRAM config value: no quoting rules to get wrong.
  [[ "$KAFKA_SECURE_USER" =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_SECURE_USER may hold only letters, digits, '.', '_' and '-'"
  [[ "$KAFKA_SECURE_PASSWORD" =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_SECURE_PASSWORD may hold only letters, digits, '.', '_' and '-' (value not shown)"
}

# The secure listener's part of server.properties: SASL mechanisms, the PLAIN
# user (in the listener's JAAS config; SCRAM users live in the cluster
# metadata, see add_scram_user) and, for SASL_SSL, the broker's keystore.
secure_listener_config() {
  local name
  name="$(tr '[:upper:]' '[:lower:]' <<<"$KAFKA_SECURE_PROTOCOL")"
  cat <<EOF
# Secure listener (KAFKA_SECURE_PORT): user $KAFKA_SECURE_USER over PLAIN and SCRAM.
listener.name.$name.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.$name.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SECURE_USER="$KAFKA_SECURE_PASSWORD";
listener.name.$name.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.$name.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
EOF
  [[ "$KAFKA_SECURE_PROTOCOL" == SASL_SSL ]] || return 0
  cat <<EOF
listener.name.$name.ssl.keystore.type=PKCS12
listener.name.$name.ssl.keystore.location=$TLS_DIR/broker.p12
listener.name.$name.ssl.keystore.password=$(cat "$TLS_DIR/store.pass")
listener.name.$name.ssl.client.auth=none
EOF
}

# keytool (of the JDK that runs the broker) on the keystores, with their password.
keytool_() {
  local keytool=keytool
  [[ -x "$(dirname "$JAVA")/keytool" ]] && keytool="$(dirname "$JAVA")/keytool"
  "$keytool" -J-Xmx64m "$@" -storepass:file "$TLS_DIR/store.pass" -noprompt
}

# A CA of this broker's own and a broker certificate it signed (valid for
# 127.0.0.1 and localhost), made once per run dir: $CA_PEM is what clients
# trust (driftwatch: KAFKA_SSL_CA_FILE), broker.p12 the broker's keystore.
ensure_tls_material() {
  [[ "$KAFKA_SECURE_PROTOCOL" == SASL_SSL ]] || return 0
  [[ -s "$CA_PEM" && -s "$TLS_DIR/broker.p12" && -s "$TLS_DIR/store.pass" ]] && return 0
  command -v keytool >/dev/null 2>&1 || [[ -x "$(dirname "$JAVA")/keytool" ]] || die "keytool not found (it comes with the JDK)"
  log "generating a CA and a broker certificate in $TLS_DIR"
  rm -rf "$TLS_DIR"
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  ( umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$TLS_DIR/store.pass" )
  local gen="$TLS_DIR/keytool.log"
  {
    keytool_ -genkeypair -keystore "$TLS_DIR/ca.p12" -storetype PKCS12 -alias ca -keyalg RSA -keysize 2048 \
      -validity 3650 -dname "CN=driftwatch local Kafka CA" -ext bc:c -ext ku:c=keyCertSign,cRLSign \
      && keytool_ -exportcert -rfc -keystore "$TLS_DIR/ca.p12" -alias ca -file "$CA_PEM" \
      && keytool_ -genkeypair -keystore "$TLS_DIR/broker.p12" -storetype PKCS12 -alias broker -keyalg RSA -keysize 2048 \
        -validity 3650 -dname "CN=$KAFKA_HOST" \
      && keytool_ -certreq -keystore "$TLS_DIR/broker.p12" -alias broker -file "$TLS_DIR/broker.csr" \
      && keytool_ -gencert -keystore "$TLS_DIR/ca.p12" -alias ca -infile "$TLS_DIR/broker.csr" -outfile "$TLS_DIR/broker.pem" -rfc \
        -validity 3650 -ext "SAN=IP:$KAFKA_HOST,DNS:localhost" -ext ku:c=digitalSignature,keyEncipherment -ext eku=serverAuth \
      && keytool_ -importcert -keystore "$TLS_DIR/broker.p12" -alias ca -file "$CA_PEM" \
      && keytool_ -importcert -keystore "$TLS_DIR/broker.p12" -alias broker -file "$TLS_DIR/broker.pem"
    # (ca first: the signed certificate then replaces the self-signed one with the chain to it.)
  } >"$gen" 2>&1 || { tail -n 20 "$gen" >&2; rm -f "$CA_PEM"; die "keytool failed to make the broker certificate (see $gen)"; }
  # The keystores hold private keys: owner-only, like store.pass; the CA's PEM is for every client.
  chmod 600 "$TLS_DIR/ca.p12" "$TLS_DIR/broker.p12"
  rm -f "$TLS_DIR/broker.csr"
  chmod 755 "$TLS_DIR"
  chmod 644 "$CA_PEM"
}

# SCRAM credentials are cluster metadata (KRaft: no JAAS user list): set through the
# PLAINTEXT listener once the broker is up. Idempotent: a changed password replaces the old.
# One request per mechanism (4.1 refuses "a user credential altered twice in the same
# request"), on the command line: --add-config-file does not parse SCRAM values.
add_scram_user() {
  local m pids=() failed=0
  for m in SCRAM-SHA-256 SCRAM-SHA-512; do
    tool kafka.admin.ConfigCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" --command-config "$PROBE_CONFIG" \
      --alter --entity-type users --entity-name "$KAFKA_SECURE_USER" --add-config "$m=[password=$KAFKA_SECURE_PASSWORD]" \
      >/dev/null 2>&1 &
    pids+=("$!")
  done
  for m in "${pids[@]}"; do wait "$m" || failed=1; done
  (( failed == 0 )) || die "could not add the SCRAM credentials of $KAFKA_SECURE_USER (kafka.admin.ConfigCommand failed)"
}

# A real round trip through the secure listener (for SASL_SSL a TLS handshake
# that trusts only $CA_PEM and checks the host name; a SCRAM-SHA-512 login), so
# `start` fails rather than a client later.
secure_listener_ready() {
  local cfg="$KAFKA_RUN_DIR/secure-probe.properties" i
  ( umask 077
    cat "$PROBE_CONFIG"
    printf 'security.protocol=%s\nsasl.mechanism=SCRAM-SHA-512\n' "$KAFKA_SECURE_PROTOCOL"
    printf 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";\n' \
      "$KAFKA_SECURE_USER" "$KAFKA_SECURE_PASSWORD"
    [[ "$KAFKA_SECURE_PROTOCOL" != SASL_SSL ]] || printf 'ssl.truststore.type=PEM\nssl.truststore.location=%s\n' "$CA_PEM"
  ) >"$cfg"
  # SCRAM credentials reach the listener through the metadata log: a moment after add_scram_user.
  for i in 1 2 3 4 5; do
    if tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_SECURE_PORT" \
        --command-config "$cfg" --list >/dev/null 2>>"$LOG_FILE"; then
      rm -f "$cfg"
      return 0
    fi
    sleep "$i"
  done
  rm -f "$cfg"
  die "the $KAFKA_SECURE_PROTOCOL listener on $KAFKA_HOST:$KAFKA_SECURE_PORT refused a SCRAM-SHA-512 login of $KAFKA_SECURE_USER (see $LOG_FILE)"
}

# The secure listener's client settings, as KEY=value lines before `start`'s last line.
print_secure_env() {
  [[ -n "$KAFKA_SECURE_PORT" ]] || return 0
  echo "KAFKA_${KAFKA_SECURE_PROTOCOL}_BROKERS=$KAFKA_HOST:$KAFKA_SECURE_PORT"
  [[ "$KAFKA_SECURE_PROTOCOL" != SASL_SSL ]] || echo "KAFKA_SASL_SSL_CA_FILE=$CA_PEM"
}

format_storage() {
  if [[ -f "$KAFKA_DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local cluster_id
  cluster_id="$("$JAVA" -Dlog4j2.configurationFile="$LOG4J_TOOLS" -cp "$LIB_DIR/*" \
    kafka.tools.StorageTool random-uuid)" || die "kafka.tools.StorageTool random-uuid failed"
  log "formatting storage in $KAFKA_DATA_DIR (cluster id $cluster_id)"
  "$JAVA" -Dlog4j2.configurationFile="$LOG4J_TOOLS" -cp "$LIB_DIR/*" \
    kafka.tools.StorageTool format --config "$CONFIG_FILE" --cluster-id "$cluster_id" \
    >>"$LOG_FILE" 2>&1 || { tail -n 20 "$LOG_FILE" >&2; die "storage format failed (see $LOG_FILE)"; }
}

tool() {
  timeout 30 "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$LOG4J_TOOLS" -cp "$LIB_DIR/*" "$@"
}

# Readiness = a real admin-client metadata round trip (topic list) succeeds AND the
# internal topics behind the group and transaction coordinators exist. They are
# created lazily on the first FindCoordinator; doing that here (once per data dir)
# spares clients the transient "group coordinator is not available" /
# "coordinator is loading" errors on first use.
list_topics() {
  tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
    --command-config "$PROBE_CONFIG" --list 2>/dev/null
}

broker_ready() {
  local topics warm=()
  topics="$(list_topics)" || return 1
  grep -qx '__consumer_offsets' <<<"$topics" \
    || warm+=(org.apache.kafka.tools.consumer.group.ConsumerGroupCommand)
  grep -qx '__transaction_state' <<<"$topics" \
    || warm+=(org.apache.kafka.tools.TransactionsCommand)
  (( ${#warm[@]} )) || return 0
  # FindCoordinator (group / transaction) makes the broker create the topic.
  local c pids=()
  for c in "${warm[@]}"; do
    case "$c" in
      *ConsumerGroupCommand) tool "$c" --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
          --command-config "$PROBE_CONFIG" --describe --group kafka-sh-probe >/dev/null 2>&1 & ;;
      *TransactionsCommand) tool "$c" --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
          --command-config "$PROBE_CONFIG" describe --transactional-id kafka-sh-probe >/dev/null 2>&1 & ;;
    esac
    pids+=("$!")
  done
  wait "${pids[@]}" 2>/dev/null || true
  topics="$(list_topics)" || return 1
  grep -qx '__consumer_offsets' <<<"$topics" && grep -qx '__transaction_state' <<<"$topics"
}

# Readiness hook polled by wait_ready (lib/service.sh).
service_ready() {
  port_open "$KAFKA_HOST" "$KAFKA_PORT" \
    && { [[ -z "$KAFKA_SECURE_PORT" ]] || port_open "$KAFKA_HOST" "$KAFKA_SECURE_PORT"; } \
    && grep -q 'Kafka Server started' "$LOG_FILE" 2>/dev/null \
    && broker_ready
}

cmd_start() {
  validate_port KAFKA_PORT "$KAFKA_PORT"
  validate_port KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
  [[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
  validate_secure_settings
  if already_running; then
    print_secure_env
    echo "KAFKA_BROKERS=$KAFKA_HOST:$KAFKA_PORT"
    return 0
  fi
  rm -f "$PID_FILE"
  require_java "Kafka 4.x"
  cmd_fetch
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" $KAFKA_SECURE_PORT; do
    ! port_open "$KAFKA_HOST" "$p" || die "port $KAFKA_HOST:$p is already in use by another process"
  done

  [[ -z "$KAFKA_SECURE_PORT" ]] || ensure_tls_material
  write_configs
  fresh_log
  format_storage

  local t0=$SECONDS
  log "starting Kafka on $KAFKA_HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT, data $KAFKA_DATA_DIR, log $LOG_FILE)"
  # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is intentionally word-split
  start_detached "$JAVA" -server $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_BROKER" \
    -Dkafka.logs.dir="$KAFKA_RUN_DIR" \
    -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG_FILE"
  save_running_state

  wait_ready "$RUNNING_PID"
  if [[ -n "$KAFKA_SECURE_PORT" ]]; then
    add_scram_user
    secure_listener_ready
    log "$KAFKA_SECURE_PROTOCOL listener on $KAFKA_HOST:$KAFKA_SECURE_PORT (user $KAFKA_SECURE_USER: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)"
  fi
  log "ready in $((SECONDS - t0))s (pid $RUNNING_PID)"
  print_secure_env
  echo "KAFKA_BROKERS=$KAFKA_HOST:$KAFKA_PORT"
}

cmd_status() {
  status_running kafka || return 3
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    echo "kafka: running (pid $RUNNING_PID), KAFKA_BROKERS=$KAFKA_HOST:$KAFKA_PORT${KAFKA_SECURE_PORT:+, $KAFKA_SECURE_PROTOCOL listener $KAFKA_HOST:$KAFKA_SECURE_PORT}"
  else
    echo "kafka: process running (pid $RUNNING_PID) but $KAFKA_HOST:$KAFKA_PORT not accepting connections"
  fi
}

service_main "$@"
