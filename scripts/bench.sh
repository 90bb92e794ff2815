#!/usr/bin/env bash
# Measures GetOffer throughput and latency on this machine, in one run, many ways: straight to
# offer-service over gRPC (direct); through the gateway as protobuf over HTTP on the public route
# with traffic control off (gateway: bench/routes-plain/, routes/ without its default circuit
# breaker); through a second gateway whose GetOffer route requires a user (gateway-auth:
# bench/routes/), with a credential the gateway exchanges once at authorizer-dummy and then serves
# from its private-token cache, while offer-service verifies the forwarded token as in production;
# and through a third gateway whose public route adds a rate limit kept in a real redis-server and
# turns the upstream's circuit breaker on (gateway-traffic: bench/routes-traffic/), with a limit so
# high nothing is refused, so only the checks are measured (all calls share one bucket, a hot one
# whose waiting checks are decided together: see bench/routes-traffic/offer-service.yaml). Prints
# the ratios gateway/direct, gateway-auth/gateway (bar 0.9) and gateway-traffic/gateway (bar 0.85).
#
# Beside them, in the same rounds:
#   gateway-h2c  the plain gateway again, the same call over cleartext HTTP/2 with prior knowledge
#                (Reactor Netty's client), its calls spread over BENCH_H2_CONNECTIONS connections
#   grpc         the plain gateway again, the very call direct makes (grpc-java over h2c, on as many
#                connections): native gRPC at the edge, grpc/direct (issue 14's goal: >= 0.5)
#   connect      the plain gateway again, GetOffer as a Connect binary unary call (application/proto,
#                Connect-Protocol-Version: 1) over HTTP/1.1: connect/gateway is what Connect costs
#                over the legacy dialect (issue 13's goal: >= 0.95)
#   json         the plain gateway again, GetOffer in the legacy dialect with JSON bodies (POST
#                /examples.offer.v1.OfferService/GetOffer, Content-Type: application/json, {"id":...})
#                over HTTP/1.1: json/gateway is what JSON costs over protobuf bodies (context)
#   rest         the plain gateway again, GetOffer as REST from its google.api.http binding (GET
#                /v1/offers/{id}, no body, answered in JSON) over HTTP/1.1: rest/json is what the REST
#                mapping costs over the same call as JSON (issue 15's goal: >= 0.9)
#   nginx        nginx 1.22 with grpc_pass to offer-service (2 workers; keepalive_requests raised on
#                both sides, and 64 idle upstream connections kept per worker, as nginx opens one
#                upstream connection per call in flight)
#   haproxy      HAProxy 2.6, h2 frontend to h2 backend (nbthread 2)
# nginx and haproxy are loaded with the very call direct makes (grpc-java over h2c, on as many
# connections as direct), so gateway/nginx and gateway/haproxy (issue 17: >= 1.3, >= 0.8) compare
# the gateway with a proxy that does no translation, auth or telemetry. The HTTP/2 targets (direct,
# nginx, haproxy, gateway-h2c) each spread their calls over BENCH_H2_CONNECTIONS connections:
# nginx's and HAProxy's two workers take connections, not streams, so one connection would leave
# one of them idle.
#
# Server streaming, in rounds of its own after the unary ones: WatchOffers sends each watch every
# offer created from then on, and offer-service has no other source of messages, so the driver
# opens BENCH_STREAMS streams (32) and keeps BENCH_STREAM_CREATES CreateOffer calls (8) in flight
# straight on offer-service, on a connection of their own; a create counts once its offer has
# arrived on every stream, so at most creates times streams messages are on their way, and a slow
# path shows as fewer messages per second, never as a queue in offer-service. stream-direct opens
# the streams with grpc-java straight on offer-service (the BENCH_H2_CONNECTIONS connections of
# direct); stream-gateway through the plain gateway as Connect streams (application/connect+proto,
# one HTTP/1.1 connection per stream); stream-grpc through the plain gateway with grpc-java over h2c
# (the BENCH_H2_CONNECTIONS connections of grpc). The streams are opened, and primed with probe offers until
# each has carried one, before each window, and cancelled after it. Their figure is messages per
# second: stream-gateway/stream-direct (issue 13: >= 0.5) and
# stream-grpc/stream-direct (issue 14: >= 0.5). The calls straight on offer-service need
# a private token: the driver exchanges the stream credential at authorizer-dummy, and again
# whenever the token has less than a minute left (tokens live 5 minutes).
# They run after the unary rounds
# because offer-service keeps only its latest 100,000 offers, the one GetOffer reads among them.
#
# Issue 17's other figures, in the same run:
#   cold start   gateway-small, the plain gateway once more, started as the chart starts it (its heap,
#                -Xmx256m, and flags: BENCH_SMALL_GATEWAY_JVM_FLAGS) and called by nobody until the
#                driver, itself warmed for 15 s on the plain gateway, loads it before the unary rounds
#                for BENCH_COLD_START_SECONDS: seconds from its first call to 90 % of its plateau
#                (the last quarter's mean; three 1 s steps in a row at 90 %)
#   memory       gateway-small then joins the unary rounds: its resident memory at saturation (VmRSS at
#                the end of each window, and the cold start's peak) and gateway-small/gateway, what the
#                small heap costs against the 1 GiB one of the other gateways (BENCH_GATEWAY_JVM_FLAGS)
#   latency      after the unary rounds, open-loop rounds at fixed rates (BENCH_LATENCY_RATES, 100 and
#                1,000 calls/s) on direct, nginx, haproxy, grpc, gateway and gateway-h2c: mean, p50, p99
#                and fastest answer, each call timed from when it was due, and what each adds over direct
# The report ends with issue 17's figures against their goals; bench-result.json has them as "figures".
#
# Before the load the driver checks that gateway-traffic answers 200 with RateLimit-Policy and gateway without it; after it,
# this script checks that Redis ran the rate-limit checks and the gateway never fell back to
# in-process buckets (the run fails otherwise). Starts every server on free ports, waits until they
# answer, runs the bench driver, and stops what it started whatever happens. Only one target is
# loaded at a time; the idle servers cost nothing. Needs redis-server, nginx and haproxy (make bench
# installs them with scripts/test-deps.sh).
#
# Settings (environment):
#   BENCH_SECONDS         measured seconds per round (default 15; with their warm-ups, two rounds of
#                         the fourteen targets take over 20 minutes); a quick run: BENCH_SECONDS=3
#   BENCH_WARMUP_SECONDS  least warm-up before each measured window (default 6, or BENCH_SECONDS if smaller);
#                         its steps are half of it, up to 5 s, and a plateau takes six steps: 18 s at least
#   BENCH_MAX_WARMUP_SECONDS  most warm-up: it goes on while throughput still climbs (the last three
#                         steps of up to 5 s beat the three before by over 5%), as it does while the
#                         JIT compiles the gateway's path, a minute or two on 2 cores (default 180,
#                         or 30 times the least warm-up if that is less)
#   BENCH_ROUNDS          rounds of direct, nginx, haproxy, grpc, gateway, gateway-h2c, connect, json, rest,
#                         gateway-auth, then gateway-traffic; then as many of stream-direct, stream-gateway,
#                         stream-grpc (default 2)
#   BENCH_CONCURRENCY     calls in flight, and HTTP/1.1 connections to each gateway (default 64;
#                         below 1000, the concurrency limit of the bench's routes)
#   BENCH_SERVER_JVM_FLAGS  flags for offer-service (default -Xms512m -Xmx512m)
#   BENCH_GATEWAY_JVM_FLAGS flags for gateway, gateway-auth and gateway-traffic (default -Xms1g -Xmx1g)
#   BENCH_SMALL_GATEWAY_JVM_FLAGS  flags for gateway-small (default: the chart's gateway.javaToolOptions;
#                         it also gets the chart's MALLOC_ARENA_MAX)
#   BENCH_COLD_START_SECONDS  how long gateway-small's cold start is followed (default 60)
#   BENCH_LATENCY_RATES   fixed rates of the open-loop latency rounds (default 100,1000; 0: none)
#   BENCH_LATENCY_SECONDS recorded seconds per target and rate (default 10)
#   BENCH_SKIP_SMALL=1    leave gateway-small (cold start, memory) out
#   BENCH_JFR=1           also record a JFR profile of offer-service and the gateways but gateway-small
#                         into the log directory (bench-offer-service.jfr, bench-gateway.jfr,
#                         bench-gateway-auth.jfr, bench-gateway-traffic.jfr)
#   BENCH_REDIS_COMMAND_TIMEOUT  gateway-traffic's torii.gateway.redis.command-timeout (default 1s). The
#                         gateway's own default, 50ms, is a failure policy, not a cost: on two saturated
#                         cores some checks miss it, the breaker on Redis opens for 5 s, and the run
#                         would measure the cheaper in-process buckets instead of Redis (and fail)
#   BENCH_H2_CONNECTIONS  HTTP/2 connections of each HTTP/2 target (default 8)
#   BENCH_STREAMS         WatchOffers streams open per streaming target (default 32)
#   BENCH_STREAM_CREATES  CreateOffer calls in flight feeding them (default 8)
#   BENCH_SKIP_PEERS=1    leave nginx and HAProxy out
#   BENCH_SKIP_STREAMS=1  leave the streaming targets out
#   BENCH_JMH_SECONDS     seconds per JMH iteration of the Authority cache benchmark (default 5)
#   BENCH_SKIP_JMH=1      skip the Authority cache benchmark
# The JSON result goes to bench/target/bench-result.json.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${BENCH_SECONDS:-15}
DEFAULT_WARMUP=6
if ((SECONDS_PER_ROUND < DEFAULT_WARMUP)); then DEFAULT_WARMUP=$SECONDS_PER_ROUND; fi
WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-$DEFAULT_WARMUP}
DEFAULT_MAX_WARMUP=$((WARMUP_SECONDS * 30 < 180 ? WARMUP_SECONDS * 30 : 180))
MAX_WARMUP_SECONDS=${BENCH_MAX_WARMUP_SECONDS:-$DEFAULT_MAX_WARMUP}
ROUNDS=${BENCH_ROUNDS:-2}
REDIS_COMMAND_TIMEOUT=${BENCH_REDIS_COMMAND_TIMEOUT:-1s}
CONCURRENCY=${BENCH_CONCURRENCY:-64}
H2_CONNECTIONS=${BENCH_H2_CONNECTIONS:-8}
STREAMS=${BENCH_STREAMS:-32}
STREAM_CREATES=${BENCH_STREAM_CREATES:-8}
PEERS=$([[ ${BENCH_SKIP_PEERS:-0} == 1 ]] && echo 0 || echo 1)
STREAMING=$([[ ${BENCH_SKIP_STREAMS:-0} == 1 ]] && echo 0 || echo 1)
# A fixed heap for the backend, so heap growth does not show up as noise in it.
SERVER_JVM_FLAGS=${BENCH_SERVER_JVM_FLAGS:--Xms512m -Xmx512m}
# The gateways compared by route policy share one large fixed heap: gateway-small/gateway is then
# what the production heap costs in throughput (issue 17: nothing against -Xmx1g).
GATEWAY_JVM_FLAGS=${BENCH_GATEWAY_JVM_FLAGS:--Xms1g -Xmx1g}
# What the chart's gateway container runs with: the first javaToolOptions and mallocArenaMax of
# charts/torii/values.yaml are the gateway's.
chart_value() {
  sed -n "s/^  $1: \"\(.*\)\"\$/\1/p" charts/torii/values.yaml | head -n 1
}
SMALL_GATEWAY_JVM_FLAGS=${BENCH_SMALL_GATEWAY_JVM_FLAGS:-$(chart_value javaToolOptions)}
SMALL_GATEWAY_MALLOC_ARENA_MAX=$(chart_value mallocArenaMax)
SMALL=$([[ ${BENCH_SKIP_SMALL:-0} == 1 ]] && echo 0 || echo 1)
COLD_START_SECONDS=${BENCH_COLD_START_SECONDS:-60}
LATENCY_RATES=${BENCH_LATENCY_RATES:-100,1000}
LATENCY_SECONDS=${BENCH_LATENCY_SECONDS:-10}
DRIVER_JVM_FLAGS="-Xms256m -Xmx256m"
# dummy:<user> is a user for authorizer-dummy; the measured credential has no scope, as GetOffer
# asks none. The offer is created through the gateway: offer-service requires a private token on
# CreateOffer once it verifies tokens, and the gateway's CreateOffer route asks for offers.write.
BENCH_CREDENTIAL=dummy:bench-user
CREATE_CREDENTIAL=dummy:bench-user:offers.write
# Watches offers through the gateway (any user may), and is exchanged by the driver for the private
# token of its calls straight on offer-service, CreateOffer among them.
STREAM_CREDENTIAL=dummy:bench-user:offers.write
LOGS=.local/logs
RESULT=bench/target/bench-result.json
mkdir -p "$LOGS"

jar() {
  local found
  found=$(ls "$1"/target/*-exec.jar 2>/dev/null | head -n 1 || true)
  if [[ -z $found ]]; then
    echo "no executable jar in $1/target; run make build first" >&2
    exit 1
  fi
  echo "$found"
}

tools=(redis-server redis-cli)
if ((PEERS)); then tools+=(nginx haproxy); fi
for tool in "${tools[@]}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench: $tool not found; run scripts/test-deps.sh redis-server nginx haproxy (make bench does)," \
      "or leave the peers out with BENCH_SKIP_PEERS=1" >&2
    exit 1
  fi
done

pids=()
JARS=$(mktemp -d "${TMPDIR:-/tmp}/torii-bench.XXXXXX")
# Redis' working directory; it writes nothing there with --save '' and --appendonly no.
REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/torii-bench-redis.XXXXXX")
# The peers' configuration files, and nginx's prefix.
PEERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/torii-bench-peers.XXXXXX")
stop() {
  trap - EXIT
  if ((${#pids[@]} > 0)); then
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  rm -rf "$JARS" "$REDIS_DIR" "$PEERS_DIR"
}
trap stop EXIT
# Exiting runs the EXIT trap, so an interrupted run stops its servers too.
trap 'exit 130' INT TERM

# Runs copies: a build in the same tree while the bench runs would otherwise rewrite a jar under a
# running JVM.
cp "$(jar examples/offer-service)" "$JARS/offer-service.jar"
cp "$(jar gateway)" "$JARS/gateway.jar"
cp "$(jar authorizer-dummy)" "$JARS/authorizer-dummy.jar"
cp "$(jar bench)" "$JARS/bench.jar"
OFFER_JAR=$JARS/offer-service.jar
GATEWAY_JAR=$JARS/gateway.jar
AUTHORITY_JAR=$JARS/authorizer-dummy.jar
BENCH_JAR=$JARS/bench.jar

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Picks a port nothing listens on, from a range clear of the default ports and of the kernel's
# ephemeral range, and not in taken (free_port runs in a subshell, so callers record its pick).
taken=()
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 12000))
    if ! port_in_use "$port" && [[ " ${taken[*]-} " != *" $port "* ]]; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found in 20000-31999" >&2
  exit 1
}
OFFER_PORT=$(free_port)
taken+=("$OFFER_PORT")
GATEWAY_PORT=$(free_port)
taken+=("$GATEWAY_PORT")
MANAGEMENT_PORT=$(free_port)
taken+=("$MANAGEMENT_PORT")
GATEWAY_AUTH_PORT=$(free_port)
taken+=("$GATEWAY_AUTH_PORT")
GATEWAY_AUTH_MANAGEMENT_PORT=$(free_port)
taken+=("$GATEWAY_AUTH_MANAGEMENT_PORT")
AUTHORITY_HTTP_PORT=$(free_port)
taken+=("$AUTHORITY_HTTP_PORT")
AUTHORITY_GRPC_PORT=$(free_port)
taken+=("$AUTHORITY_GRPC_PORT")
GATEWAY_TRAFFIC_PORT=$(free_port)
taken+=("$GATEWAY_TRAFFIC_PORT")
GATEWAY_TRAFFIC_MANAGEMENT_PORT=$(free_port)
taken+=("$GATEWAY_TRAFFIC_MANAGEMENT_PORT")
REDIS_PORT=$(free_port)
taken+=("$REDIS_PORT")
NGINX_PORT=$(free_port)
taken+=("$NGINX_PORT")
HAPROXY_PORT=$(free_port)
taken+=("$HAPROXY_PORT")
GATEWAY_SMALL_PORT=$(free_port)
taken+=("$GATEWAY_SMALL_PORT")
GATEWAY_SMALL_MANAGEMENT_PORT=$(free_port)
AUTHORITY_URL=http://localhost:$AUTHORITY_HTTP_PORT

profile_flags() {
  if [[ ${BENCH_JFR:-0} == 1 && -z ${NO_PROFILE:-} ]]; then
    echo "-XX:StartFlightRecording=filename=$LOGS/bench-$1.jfr,settings=profile"
  fi
}

wait_for() {
  local name=$1 check=$2 log=$3
  # Five JVMs start on as few as two cores, next to whatever else the machine runs.
  for _ in $(seq 1 240); do
    if eval "$check" >/dev/null 2>&1; then
      echo "bench: $name is up"
      return 0
    fi
    for pid in "${pids[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "bench: a server exited before $name answered; the end of $log says:" >&2
        tail -n 40 "$log" >&2
        exit 1
      fi
    done
    sleep 0.5
  done
  echo "bench: $name did not answer within 120s; see $log" >&2
  exit 1
}

echo "bench: JVM flags: offer-service $SERVER_JVM_FLAGS; gateways $GATEWAY_JVM_FLAGS; gateway-small" \
  "$SMALL_GATEWAY_JVM_FLAGS; driver $DRIVER_JVM_FLAGS; $(nproc) CPUs, nothing pinned"
# First and on its own: the others need its JWKS and exchange endpoint, and the fewer JVMs start
# at once, the sooner each is up. Default JVM flags: it is not under test, and once the gateway has
# cached the credential's private token it is idle (its CPU column shows it).
echo "bench: starting authorizer-dummy on :$AUTHORITY_GRPC_PORT (gRPC), :$AUTHORITY_HTTP_PORT (HTTP)" \
  "(log: $LOGS/bench-authorizer-dummy.log)"
java -jar "$AUTHORITY_JAR" --spring.profiles.active=local \
  --server.port="$AUTHORITY_HTTP_PORT" --torii.authority.grpc.port="$AUTHORITY_GRPC_PORT" \
  --torii.authority.issuer="$AUTHORITY_URL" >"$LOGS/bench-authorizer-dummy.log" 2>&1 &
AUTHORITY_PID=$!
pids+=("$AUTHORITY_PID")
wait_for authorizer-dummy "curl -fsS $AUTHORITY_URL/actuator/health/readiness" "$LOGS/bench-authorizer-dummy.log"

# Verifies private tokens as in production: the authenticated path pays for it, while the direct
# and public-gateway calls carry no token and stay anonymous.
echo "bench: starting offer-service on :$OFFER_PORT (log: $LOGS/bench-offer-service.log)"
# shellcheck disable=SC2086 # the flag lists are meant to split into words
TORII_AUTHORITY_JWKS_URI="$AUTHORITY_URL/.well-known/jwks.json" TORII_AUTHORITY_ISSUER="$AUTHORITY_URL" \
  java $SERVER_JVM_FLAGS $(profile_flags offer-service) -jar "$OFFER_JAR" "$OFFER_PORT" \
  >"$LOGS/bench-offer-service.log" 2>&1 &
OFFER_PID=$!
pids+=("$OFFER_PID")

# Holds gateway-traffic's rate-limit buckets, as a shared Redis would in production; nothing is
# persisted. Its CPU shows in the report beside the gateways'.
echo "bench: starting redis-server on :$REDIS_PORT (log: $LOGS/bench-redis.log)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$REDIS_DIR" \
  >"$LOGS/bench-redis.log" 2>&1 &
REDIS_PID=$!
pids+=("$REDIS_PID")

# start_gateway NAME PORT MANAGEMENT_PORT ROUTES_DIR [PROPERTY...]: the same jar and flags for every
# gateway, so their ratios show only what the route's policy costs (JVM_FLAGS overrides the flags).
start_gateway() {
  echo "bench: starting $1 on :$2, management :$3, routes from $4/ (log: $LOGS/bench-$1.log)"
  # shellcheck disable=SC2086
  OFFER_SERVICE_TARGET="localhost:$OFFER_PORT" java ${JVM_FLAGS:-$GATEWAY_JVM_FLAGS} $(profile_flags "$1") \
    -jar "$GATEWAY_JAR" --server.port="$2" --management.server.port="$3" --torii.gateway.routes-dir="$4" \
    --torii.gateway.authority.target="localhost:$AUTHORITY_GRPC_PORT" "${@:5}" >"$LOGS/bench-$1.log" 2>&1 &
}
# The baseline: routes/ with the circuit breaker it has by default turned off, and no rate limit,
# so gateway-traffic/gateway is the cost of traffic control and gateway/direct that of the gateway.
start_gateway gateway "$GATEWAY_PORT" "$MANAGEMENT_PORT" bench/routes-plain
GATEWAY_PID=$!
pids+=("$GATEWAY_PID")
start_gateway gateway-auth "$GATEWAY_AUTH_PORT" "$GATEWAY_AUTH_MANAGEMENT_PORT" bench/routes
GATEWAY_AUTH_PID=$!
pids+=("$GATEWAY_AUTH_PID")
# A longer Redis timeout than the gateway's default makes every check wait for Redis, as it does
# whenever Redis answers in time: the run measures what the checks cost, never the cheaper
# in-process buckets (see BENCH_REDIS_COMMAND_TIMEOUT).
start_gateway gateway-traffic "$GATEWAY_TRAFFIC_PORT" "$GATEWAY_TRAFFIC_MANAGEMENT_PORT" bench/routes-traffic \
  --torii.gateway.redis.uri="redis://127.0.0.1:$REDIS_PORT" \
  --torii.gateway.redis.command-timeout="$REDIS_COMMAND_TIMEOUT"
GATEWAY_TRAFFIC_PID=$!
pids+=("$GATEWAY_TRAFFIC_PID")

# The peers: each proxies gRPC to the same offer-service, with what it needs to keep up and nothing
# else (no access log, which the gateway does write: part of what it does that they do not).
if ((PEERS)); then
  # nginx 1.22 closes a client connection, HTTP/2 included, after keepalive_requests (1,000) calls,
  # and an upstream connection after the upstream's own keepalive_requests (1,000). grpc_pass makes
  # one call per upstream connection at a time, so each worker keeps up to 64 idle ones, as many as
  # the calls in flight.
  cat >"$PEERS_DIR/nginx.conf" <<EOF
worker_processes 2;
pid $PEERS_DIR/nginx.pid;
error_log $PWD/$LOGS/bench-nginx.log warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  upstream offer_service {
    server 127.0.0.1:$OFFER_PORT;
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT http2;
    location / {
      grpc_pass grpc://offer_service;
    }
  }
}
EOF
  echo "bench: starting nginx on :$NGINX_PORT (h2c, grpc_pass to :$OFFER_PORT; log: $LOGS/bench-nginx.log)"
  # In the foreground: the master is the process the script stops, its workers go with it, and
  # the driver's CPU figure for it includes them.
  nginx -p "$PEERS_DIR" -c "$PEERS_DIR/nginx.conf" -e "$PWD/$LOGS/bench-nginx.log" -g 'daemon off;' \
    >>"$LOGS/bench-nginx.log" 2>&1 &
  NGINX_PID=$!
  pids+=("$NGINX_PID")
  cat >"$PEERS_DIR/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 300s
  timeout server 300s
frontend grpc
  bind 127.0.0.1:$HAPROXY_PORT proto h2
  default_backend offer_service
backend offer_service
  server offer 127.0.0.1:$OFFER_PORT proto h2
EOF
  echo "bench: starting haproxy on :$HAPROXY_PORT (h2 to h2 at :$OFFER_PORT; log: $LOGS/bench-haproxy.log)"
  haproxy -db -f "$PEERS_DIR/haproxy.cfg" >"$LOGS/bench-haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  pids+=("$HAPROXY_PID")
fi

redis() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}
# The value of a field of INFO, such as connected_clients.
redis_info() {
  redis info | tr -d '\r' | sed -n "s/^$1://p"
}
# How many times Redis ran a command (calls= in INFO commandstats); 0 before the first.
redis_calls() {
  local calls
  calls=$(redis info commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p")
  echo "${calls:-0}"
}

wait_for offer-service "port_in_use $OFFER_PORT" "$LOGS/bench-offer-service.log"
wait_for gateway "curl -fsS http://localhost:$MANAGEMENT_PORT/actuator/health/readiness" "$LOGS/bench-gateway.log"
wait_for gateway-auth "curl -fsS http://localhost:$GATEWAY_AUTH_MANAGEMENT_PORT/actuator/health/readiness" \
  "$LOGS/bench-gateway-auth.log"
wait_for redis-server "[[ \$(redis ping) == PONG ]]" "$LOGS/bench-redis.log"
wait_for gateway-traffic "curl -fsS http://localhost:$GATEWAY_TRAFFIC_MANAGEMENT_PORT/actuator/health/readiness" \
  "$LOGS/bench-gateway-traffic.log"
# The gateway connects to Redis in the background at start-up, and after a failed attempt (a cold
# JVM on a busy machine can miss its 2 s connect timeout) again on the next rate-limit check,
# keeping buckets in process until it has; its readiness waits for neither. So each try calls the
# rate-limited route (for an offer that does not exist: 404) before it looks: the first measured
# call must already find Redis. redis-cli is one client, the gateway the other.
redis_connected() {
  curl -sS -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"id": "bench-probe"}' \
    "http://127.0.0.1:$GATEWAY_TRAFFIC_PORT/examples.offer.v1.OfferService/GetOffer"
  (($(redis_info connected_clients) >= 2))
}
wait_for "gateway-traffic's Redis connection" redis_connected "$LOGS/bench-gateway-traffic.log"
small_args=()
# The plain gateway again, started as production starts it, once the others are up so its warm-up
# before readiness has the cores as it would in a pod: no call reaches it until the driver follows
# its cold start, after which it joins the rounds (memory at saturation on its heap).
if ((SMALL)); then
  # Never profiled: a recording's buffers and work would count in the memory and the cold start it measures.
  MALLOC_ARENA_MAX=$SMALL_GATEWAY_MALLOC_ARENA_MAX JVM_FLAGS=$SMALL_GATEWAY_JVM_FLAGS NO_PROFILE=1 start_gateway gateway-small \
    "$GATEWAY_SMALL_PORT" "$GATEWAY_SMALL_MANAGEMENT_PORT" bench/routes-plain
  GATEWAY_SMALL_PID=$!
  pids+=("$GATEWAY_SMALL_PID")
  wait_for gateway-small "curl -fsS http://localhost:$GATEWAY_SMALL_MANAGEMENT_PORT/actuator/health/readiness" \
    "$LOGS/bench-gateway-small.log"
  # The warm-up before readiness (torii.gateway.warmup) logs one line when it ends.
  echo "bench: gateway-small's $(grep -o '"message":"warm-up[^"]*"' "$LOGS/bench-gateway-small.log" | head -n 1 |
    sed 's/"message":"\(.*\)"/\1/' || true)"
  small_args=(--gateway-small="http://127.0.0.1:$GATEWAY_SMALL_PORT" --watch="gateway-small:$GATEWAY_SMALL_PID"
    --cold-start-seconds="$COLD_START_SECONDS")
fi
peer_args=()
if ((PEERS)); then
  wait_for nginx "port_in_use $NGINX_PORT" "$LOGS/bench-nginx.log"
  wait_for haproxy "port_in_use $HAPROXY_PORT" "$LOGS/bench-haproxy.log"
  peer_args=(--nginx="127.0.0.1:$NGINX_PORT" --haproxy="127.0.0.1:$HAPROXY_PORT"
    --watch="nginx:$NGINX_PID" --watch="haproxy:$HAPROXY_PID")
fi
stream_args=()
if ((STREAMING)); then
  stream_args=(--authority="127.0.0.1:$AUTHORITY_GRPC_PORT" --stream-credential="$STREAM_CREDENTIAL"
    --streams="$STREAMS" --stream-creates="$STREAM_CREATES")
fi
# Switches to in-process buckets before the load (those of the probe calls above) do not count.
TRAFFIC_LOG_LINES=$(wc -l <"$LOGS/bench-gateway-traffic.log")

# In the background and waited for, so an interrupt reaches the traps at once, not when the
# driver is done; the driver's exit status is the script's.
# shellcheck disable=SC2086
java $DRIVER_JVM_FLAGS -jar "$BENCH_JAR" \
  --direct="127.0.0.1:$OFFER_PORT" \
  --gateway="http://127.0.0.1:$GATEWAY_PORT" \
  --gateway-auth="http://127.0.0.1:$GATEWAY_AUTH_PORT" \
  --gateway-auth-credential="$BENCH_CREDENTIAL" \
  --gateway-traffic="http://127.0.0.1:$GATEWAY_TRAFFIC_PORT" \
  --create-offer-credential="$CREATE_CREDENTIAL" \
  --concurrency="$CONCURRENCY" \
  --h2-connections="$H2_CONNECTIONS" \
  "${peer_args[@]}" \
  "${stream_args[@]}" \
  "${small_args[@]}" \
  --latency-rates="$LATENCY_RATES" \
  --latency-seconds="$LATENCY_SECONDS" \
  --warmup-seconds="$WARMUP_SECONDS" \
  --max-warmup-seconds="$MAX_WARMUP_SECONDS" \
  --measure-seconds="$SECONDS_PER_ROUND" \
  --rounds="$ROUNDS" \
  --output="$RESULT" \
  --watch="gateway:$GATEWAY_PID" \
  --watch="gateway-auth:$GATEWAY_AUTH_PID" \
  --watch="gateway-traffic:$GATEWAY_TRAFFIC_PID" \
  --watch="redis:$REDIS_PID" \
  --watch="offer-service:$OFFER_PID" \
  --watch="authority:$AUTHORITY_PID" \
  --clock-ticks="$(getconf CLK_TCK)" \
  --server-jvm-flags="offer-service $SERVER_JVM_FLAGS; gateways $GATEWAY_JVM_FLAGS; gateway-small $SMALL_GATEWAY_JVM_FLAGS" &
DRIVER_PID=$!
pids+=("$DRIVER_PID")
driver_status=0
wait "$DRIVER_PID" || driver_status=$?

# gateway-traffic's numbers are those of Redis-backed rate limits only if Redis ran the checks and
# the gateway never fell back to buckets in its own process (on a Redis timeout,
# BENCH_REDIS_COMMAND_TIMEOUT, or while its breaker on Redis was open), which it logs once each way.
checks=$(($(redis_calls evalsha) + $(redis_calls eval)))
traffic_log_under_load() {
  tail -n +$((TRAFFIC_LOG_LINES + 1)) "$LOGS/bench-gateway-traffic.log"
}
fallbacks=$(traffic_log_under_load | grep -c 'Redis does not answer' || true)
echo "bench: Redis ran $checks rate-limit checks for gateway-traffic; the gateway fell back to in-process" \
  "buckets $fallbacks times"
if ((checks == 0 || fallbacks > 0)); then
  echo "bench: FAILED: gateway-traffic was not measured with its buckets in Redis throughout" \
    "(expected: checks > 0 and no fallback); the first switches in $LOGS/bench-gateway-traffic.log:" >&2
  traffic_log_under_load | grep -E 'Redis (does not answer|answers again)' | head -n 10 >&2 || true
  if ((driver_status == 0)); then driver_status=1; fi
fi

# The servers are done; the Authority's micro-benchmark runs on a quiet machine.
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
pids=()
if [[ ${BENCH_SKIP_JMH:-0} != 1 ]]; then
  echo
  echo "bench: Authority exchange from cache vs raw Nimbus RS256 verification (JMH; BENCH_JMH_SECONDS per iteration)"
  java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.torii.bench.authority.AuthorityBenchMain
fi
exit "$driver_status"
