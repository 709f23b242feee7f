#!/usr/bin/env bash
# Kafka 4.4.0 with 3 brokers, replication factor 3, min.insync.replicas=2, acks=all: kafka.sh's 3-broker mode,
# under its own name so compare.sh can run it (PEERS="kafka3"). Prints "RESULT peer=kafka3 ..." lines.
BROKERS=3 exec bash "$(dirname "${BASH_SOURCE[0]}")/kafka.sh" "$@"
