# Torii's front door. Everything goes through the Maven wrapper; nothing needs installing by hand
# besides a JDK 17+ and make.
SHELL := /bin/bash
MVNW := ./mvnw -B --no-transfer-progress

.PHONY: help build run test fuzz bench clean routes-check

help:
	@echo "make run    build and start the local stack (offer-service, gateway) and print requests to paste"
	@echo "make test   install what the tests need and run the whole suite (fuzz tests on their seed corpora)"
	@echo "make fuzz   run every fuzz test in fuzzing mode, 60 s each, one after another (FUZZ=text picks some)"
	@echo "make bench  measure gateway vs direct gRPC, nginx and HAProxy, Connect, JSON, REST and streaming, and what auth and traffic control cost"
	@echo "make build  build every module, skipping tests"
	@echo "make routes-check  check the route files in routes/ (ROUTES=dir for another folder)"
	@echo "make clean  remove build output"

build:
	$(MVNW) -DskipTests install

run: build
	@scripts/run-local.sh

test:
	@scripts/test-deps.sh redis-server chromium node:nodejs npm
	$(MVNW) install

fuzz:
	@scripts/fuzz.sh

# The check runs from the gateway's jar, as in any other repository's CI; the jar is rebuilt
# only when the gateway, the protos or the route-file schema changed since it was built.
ROUTES ?= routes
routes-check:
	@jar=$$(ls gateway/target/torii-gateway-*-exec.jar 2>/dev/null | head -n 1); \
	if [[ -z "$$jar" || -n "$$(find gateway/src/main gateway/pom.xml proto/src/main proto/pom.xml pom.xml \
	    routes/route-file.schema.json -newer "$$jar" -print -quit)" ]]; then \
	  $(MVNW) -q -DskipTests install -pl gateway -am; \
	fi
	java -jar $$(ls gateway/target/torii-gateway-*-exec.jar | head -n 1) check $(ROUTES)

bench: build
	@scripts/test-deps.sh redis-server nginx haproxy
	@scripts/bench.sh

clean:
	$(MVNW) clean
	rm -rf .local
