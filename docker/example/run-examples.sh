#!/bin/sh
# Runs the scripted example workflows against the stack, over and over, so the
# dashboards and Jaeger fill up: every AGENTSPAN_EXAMPLE_INTERVAL_SECONDS, each
# workflow in AGENTSPAN_EXAMPLES once. The workflows read DATABASE_URL, and the
# OTEL_EXPORTER_OTLP_* variables for forwarding to the collector.
#
#   AGENTSPAN_EXAMPLES                   default "one-shot planning-control idea-generation"
#   AGENTSPAN_EXAMPLE_INTERVAL_SECONDS   default 30
#   AGENTSPAN_EXAMPLE_ITERATIONS         default 0 (forever); N: stop after N rounds
#
# Run from the repository root (the image's WORKDIR), after `npm run build`.

examples="${AGENTSPAN_EXAMPLES:-one-shot planning-control idea-generation}"
interval="${AGENTSPAN_EXAMPLE_INTERVAL_SECONDS:-30}"
iterations="${AGENTSPAN_EXAMPLE_ITERATIONS:-0}"

# Stop between two runs on `docker compose stop` instead of waiting to be killed.
trap 'echo "run-examples: stopping"; exit 0' TERM INT

for name in $examples; do
  if [ ! -f "examples/dist/bin/$name.js" ]; then
    echo "run-examples: unknown example \"$name\" (no examples/dist/bin/$name.js)" >&2
    exit 2
  fi
done

round=0
while :; do
  round=$((round + 1))
  for name in $examples; do
    echo "run-examples: round $round, $name"
    node "examples/dist/bin/$name.js" || echo "run-examples: $name failed with exit code $?; continuing" >&2
  done
  if [ "$iterations" -gt 0 ] && [ "$round" -ge "$iterations" ]; then
    exit 0
  fi
  # In the background and waited for, so a stop signal is handled at once.
  sleep "$interval" &
  wait $!
done
