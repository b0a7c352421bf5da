#!/usr/bin/env bash
# The container's entrypoint: what each service of compose.yaml runs (README, Running in production).
#   migrate   brings the database schema up to date, then exits: a one-shot step the bots wait for
#   bot       HELPLINE_PROCESSES (default 2) `helpline run --webhook` processes on one port (the
#             kernel spreads connections between them), sharing PROMETHEUS_MULTIPROC_DIR so that
#             any one's /metrics counts them all
#   console   the staff web console
#   anything else runs as given (`bash`, `helpline tickets list`, ...)
set -euo pipefail

helpline="${HELPLINE_BIN:-helpline}"

run_bots() {
    local count="${HELPLINE_PROCESSES:-2}"
    if ! [[ "$count" =~ ^[1-9][0-9]?$ ]]; then
        echo "HELPLINE_PROCESSES must be a number from 1 to 99, not '$count'" >&2
        exit 64
    fi
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/helpline-metrics}"
    # Counters of an earlier start must not be added to this one's.
    rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    local pids=() stopping=0 status=0
    trap 'stopping=1; kill -TERM "${pids[@]}" 2>/dev/null || true' TERM INT
    local slot
    for slot in $(seq "$count"); do
        # A lasting name per slot: a process started again takes over what this slot's last one
        # was sending (HELPLINE_INSTANCE, README).
        HELPLINE_INSTANCE="${HOSTNAME:-bot}-$slot" "$helpline" run --webhook &
        pids+=("$!")
    done
    # One process ending ends the container, which its restart policy starts again whole: a
    # container running fewer processes than it says would hide the failure.
    wait -n "${pids[@]}" || status=$?
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    if [[ "$stopping" == 1 ]]; then
        exit 0
    fi
    echo "a bot process ended (status $status); stopping the others" >&2
    exit "$((status == 0 ? 1 : status))"
}

case "${1:-bot}" in
    migrate) exec "$helpline" db migrate ;;
    bot) run_bots ;;
    console) exec "$helpline" console ;;
    *) exec "$@" ;;
esac
