#!/usr/bin/env bash
# Starts the local stack on the default ports, waits until every process answers, prints
# requests to paste, and stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

GATEWAY_PORT=${GATEWAY_PORT:-8080}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-8081}
OFFER_PORT=${OFFER_PORT:-50051}
LOGS=.local/logs
mkdir -p "$LOGS"

pids=()
stop() {
  trap - EXIT INT TERM
  if ((${#pids[@]} > 0)); then
    echo
    echo "stopping the local stack..."
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop EXIT INT TERM HUP

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

for port in "$GATEWAY_PORT" "$MANAGEMENT_PORT" "$OFFER_PORT"; do
  if port_in_use "$port"; then
    echo "port $port is already in use; stop what listens there (or set GATEWAY_PORT, MANAGEMENT_PORT, OFFER_PORT)" >&2
    exit 1
  fi
done

jar() {
  ls "$1"/target/*-exec.jar | head -n 1
}

echo "starting offer-service on :$OFFER_PORT (log: $LOGS/offer-service.log)"
java -jar "$(jar examples/offer-service)" "$OFFER_PORT" >"$LOGS/offer-service.log" 2>&1 &
pids+=($!)

echo "starting gateway on :$GATEWAY_PORT, management on :$MANAGEMENT_PORT (log: $LOGS/gateway.log)"
OFFER_SERVICE_TARGET="localhost:$OFFER_PORT" java -jar "$(jar gateway)" \
  --server.port="$GATEWAY_PORT" --management.server.port="$MANAGEMENT_PORT" \
  --torii.gateway.routes-dir=routes >"$LOGS/gateway.log" 2>&1 &
pids+=($!)

wait_for() {
  local name=$1 check=$2 log=$3
  for _ in $(seq 1 120); do
    if eval "$check" >/dev/null 2>&1; then
      echo "$name is up"
      return 0
    fi
    for pid in "${pids[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "$name did not start; the end of $log says:" >&2
        tail -n 40 "$log" >&2
        exit 1
      fi
    done
    sleep 0.5
  done
  echo "$name did not answer within 60s; see $log" >&2
  exit 1
}

chmod +x gateway/target/tools/protoc 2>/dev/null || true

wait_for offer-service "port_in_use $OFFER_PORT" "$LOGS/offer-service.log"
wait_for gateway "curl -fsS http://localhost:$MANAGEMENT_PORT/actuator/health/readiness" "$LOGS/gateway.log"

cat <<MSG

The local stack is running. Try it:

  # JSON: create an offer
  curl -s -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/CreateOffer \\
    -H 'Content-Type: application/json' \\
    -d '{"itemId": "item-1", "title": "Vintage camera", "price": {"currencyCode": "JPY", "units": "12000"}}'

  # protobuf: the same request, encoded with protoc (any protobuf encoder works)
  printf 'item_id: "item-1" title: "Vintage camera" price { currency_code: "JPY" units: 12000 }' \\
    | $(pwd)/gateway/target/tools/protoc --descriptor_set_in=$(pwd)/proto/target/classes/META-INF/torii/descriptors/torii-proto.binpb \\
        --encode=examples.offer.v1.CreateOfferRequest examples/offer/v1/offer.proto \\
    | curl -s -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/CreateOffer \\
        -H 'Content-Type: application/x-protobuf' --data-binary @- \\
    | $(pwd)/gateway/target/tools/protoc --descriptor_set_in=$(pwd)/proto/target/classes/META-INF/torii/descriptors/torii-proto.binpb \\
        --decode=examples.offer.v1.Offer examples/offer/v1/offer.proto

  # what the backend received from the gateway
  curl -s -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/WhoAmI \\
    -H 'Content-Type: application/json' -d '{}'

Routes: routes/*.yaml. Logs: $LOGS/. Press Ctrl-C to stop.
MSG

wait -n "${pids[@]}" || true
echo "a process of the local stack exited; see $LOGS/" >&2
