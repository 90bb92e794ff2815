# Torii's front door. Everything goes through the Maven wrapper; nothing needs installing by hand
# besides a JDK 17+ and make.
SHELL := /bin/bash
MVNW := ./mvnw -B --no-transfer-progress

.PHONY: help build run test bench clean

help:
	@echo "make run    build and start the local stack (offer-service, gateway) and print requests to paste"
	@echo "make test   install what the tests need and run the whole suite"
	@echo "make bench  measure gateway vs direct gRPC throughput and latency"
	@echo "make build  build every module, skipping tests"
	@echo "make clean  remove build output"

build:
	$(MVNW) -DskipTests install

run: build
	@scripts/run-local.sh

test:
	@scripts/test-deps.sh redis-server
	$(MVNW) install

bench: build
	@scripts/bench.sh

clean:
	$(MVNW) clean
	rm -rf .local
