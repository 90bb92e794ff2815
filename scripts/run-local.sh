#!/usr/bin/env bash
# Starts the local stack on the default ports, waits until every process answers, prints
# requests to paste, and stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

GATEWAY_PORT=${GATEWAY_PORT:-8080}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-8081}
OFFER_PORT=${OFFER_PORT:-50051}
AUTHORITY_GRPC_PORT=${AUTHORITY_GRPC_PORT:-9090}
AUTHORITY_HTTP_PORT=${AUTHORITY_HTTP_PORT:-9091}
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

for port in "$GATEWAY_PORT" "$MANAGEMENT_PORT" "$OFFER_PORT" "$AUTHORITY_GRPC_PORT" "$AUTHORITY_HTTP_PORT"; do
  if port_in_use "$port"; then
    echo "port $port is already in use; stop what listens there (or set GATEWAY_PORT, MANAGEMENT_PORT, OFFER_PORT," \
      "AUTHORITY_GRPC_PORT, AUTHORITY_HTTP_PORT)" >&2
    exit 1
  fi
done

jar() {
  ls "$1"/target/*-exec.jar | head -n 1
}

echo "starting authorizer-dummy on :$AUTHORITY_GRPC_PORT (gRPC) and :$AUTHORITY_HTTP_PORT (HTTP) (log: $LOGS/authorizer-dummy.log)"
java -jar "$(jar authorizer-dummy)" --spring.profiles.active=local \
  --server.port="$AUTHORITY_HTTP_PORT" --torii.authority.grpc.port="$AUTHORITY_GRPC_PORT" \
  --torii.authority.issuer="http://localhost:$AUTHORITY_HTTP_PORT" >"$LOGS/authorizer-dummy.log" 2>&1 &
pids+=($!)

echo "starting offer-service on :$OFFER_PORT (log: $LOGS/offer-service.log)"
TORII_AUTHORITY_JWKS_URI="http://localhost:$AUTHORITY_HTTP_PORT/.well-known/jwks.json" \
TORII_AUTHORITY_ISSUER="http://localhost:$AUTHORITY_HTTP_PORT" \
  java -jar "$(jar examples/offer-service)" "$OFFER_PORT" >"$LOGS/offer-service.log" 2>&1 &
pids+=($!)

echo "starting gateway on :$GATEWAY_PORT, management on :$MANAGEMENT_PORT (log: $LOGS/gateway.log)"
OFFER_SERVICE_TARGET="localhost:$OFFER_PORT" java -jar "$(jar gateway)" \
  --server.port="$GATEWAY_PORT" --management.server.port="$MANAGEMENT_PORT" \
  --torii.gateway.routes-dir=routes --torii.gateway.authority.target="localhost:$AUTHORITY_GRPC_PORT" \
  --torii.gateway.developer-errors=true --torii.gateway.reflection.enabled=true --spring.profiles.active=local \
  >"$LOGS/gateway.log" 2>&1 &
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

wait_for authorizer-dummy "curl -fsS http://localhost:$AUTHORITY_HTTP_PORT/actuator/health/readiness" "$LOGS/authorizer-dummy.log"
wait_for offer-service "port_in_use $OFFER_PORT" "$LOGS/offer-service.log"
wait_for gateway "curl -fsS http://localhost:$MANAGEMENT_PORT/actuator/health/readiness" "$LOGS/gateway.log"

cat <<MSG

The local stack is running. Try it:

  # JSON: create an offer as user alice (authorizer-dummy accepts dummy:<user>[:scope,...])
  curl -s -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/CreateOffer \\
    -H 'Content-Type: application/json' -H 'Authorization: Bearer dummy:alice:offers.write' \\
    -d '{"itemId": "item-1", "title": "Vintage camera", "price": {"currencyCode": "JPY", "units": "12000"}}'

  # CreateOffer is limited to 5 a minute per user (routes/offer-service.yaml): run the create
  # above six times in a row and the sixth answers 429 with Retry-After; -i shows the
  # RateLimit-Policy and RateLimit headers on every answer (add another user, dummy:bob:offers.write,
  # and bob has a bucket of his own)

  # read it back (GetOffer is public): put the id from the answer above
  curl -s -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/GetOffer \\
    -H 'Content-Type: application/json' -d '{"id": "<id>"}'

  # protobuf: the same request, encoded with protoc (any protobuf encoder works)
  printf 'item_id: "item-1" title: "Vintage camera" price { currency_code: "JPY" units: 12000 }' \\
    | $(pwd)/gateway/target/tools/protoc --descriptor_set_in=$(pwd)/proto/target/classes/META-INF/torii/descriptors/torii-proto.binpb \\
        --encode=examples.offer.v1.CreateOfferRequest examples/offer/v1/offer.proto \\
    | curl -s -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/CreateOffer \\
        -H 'Content-Type: application/x-protobuf' -H 'Authorization: Bearer dummy:alice:offers.write' --data-binary @- \\
    | $(pwd)/gateway/target/tools/protoc --descriptor_set_in=$(pwd)/proto/target/classes/META-INF/torii/descriptors/torii-proto.binpb \\
        --decode=examples.offer.v1.Offer examples/offer/v1/offer.proto

  # what the backend received from the gateway: as a user, then as a support console's service account
  curl -s -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/WhoAmI \\
    -H 'Content-Type: application/json' -H 'Authorization: Bearer dummy:alice' -d '{}'
  curl -s -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/WhoAmI \\
    -H 'Content-Type: application/json' \\
    -H 'Authorization: Bearer dummy-sa:support-console@torii-dev.iam.gserviceaccount.com:support.reader' -d '{}'

  # the same call in the Connect protocol (what connect-es, connect-kotlin and connect-swift send),
  # and its GET form for side-effect-free methods
  curl -s -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/WhoAmI \\
    -H 'Content-Type: application/json' -H 'Connect-Protocol-Version: 1' -H 'Authorization: Bearer dummy:alice' -d '{}'
  curl -s 'http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/WhoAmI?connect=v1&encoding=json&message=%7B%7D' \\
    -H 'Authorization: Bearer dummy:alice'

  # watch offers as they are created (server streaming, as NDJSON); create one in another terminal
  curl -sN -X POST http://localhost:$GATEWAY_PORT/examples.offer.v1.OfferService/WatchOffers \\
    -H 'Content-Type: application/json' -H 'Authorization: Bearer dummy:alice' -d '{}'

  # REST, from the google.api.http options in examples/offer/v1/offer.proto (same auth and limits):
  # create, read (put the id from the answer), who am I, and watch alice's offers as NDJSON
  # (add -H 'Accept: text/event-stream' for Server-Sent Events)
  curl -s -X POST http://localhost:$GATEWAY_PORT/v1/offers \\
    -H 'Content-Type: application/json' -H 'Authorization: Bearer dummy:alice:offers.write' \\
    -d '{"itemId": "item-2", "title": "Film camera", "price": {"currencyCode": "JPY", "units": "8000"}}'
  curl -s http://localhost:$GATEWAY_PORT/v1/offers/<id>
  curl -s http://localhost:$GATEWAY_PORT/v1/me -H 'Authorization: Bearer dummy:alice'
  curl -sN http://localhost:$GATEWAY_PORT/v1/sellers/alice/offers:watch -H 'Authorization: Bearer dummy:alice'

  # native gRPC with grpcurl, the schema from the gateway's server reflection (on for make run)
  grpcurl -plaintext localhost:$GATEWAY_PORT list
  grpcurl -plaintext -H 'authorization: Bearer dummy:alice' localhost:$GATEWAY_PORT examples.offer.v1.OfferService/WhoAmI

Routes: routes/*.yaml. Logs: $LOGS/. Press Ctrl-C to stop.
MSG

wait -n "${pids[@]}" || true
echo "a process of the local stack exited; see $LOGS/" >&2
