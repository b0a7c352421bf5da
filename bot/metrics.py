"""Prometheus metrics of the helpline (``GET /metrics`` on the webhook server).

Several bot processes on one machine share one view: with ``PROMETHEUS_MULTIPROC_DIR`` set (the
container's entrypoint does), prometheus-client keeps each process's counters in files there and
any process's ``/metrics`` adds them all up. What the database knows (the outbox's oldest
message, tickets, missed targets, first-response times) is read from it when asked, so every
process gives the same figures and none has to keep them.

Labels are kinds and results, agencies, statuses and priorities: never a user, a chat or a
ticket id, which would both leak who is talking to the helpline and make a series per person."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlmodel import Session

from storage import ops_stats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds; a person waits for an update's answer, an agency for a first response.
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
FIRST_RESPONSE_BUCKETS = (300.0, 900.0, 1800.0, 3600.0, 4 * 3600.0, 12 * 3600.0, 48 * 3600.0, 7 * 86400.0)

UPDATES = Counter("helpline_updates", "Updates handled, by kind and result", ["kind", "result"])
UPDATE_SECONDS = Histogram("helpline_update_seconds", "Time to handle one update", buckets=UPDATE_BUCKETS)
SENDS = Counter("helpline_sends", "Outbox messages tried, by result", ["result"])
RETRY_AFTER = Counter("helpline_telegram_retry_after", "429 answers from Telegram (retry_after)")


def exposition(engine: Engine, now: datetime | None = None) -> bytes:
    """The text ``/metrics`` answers: this machine's processes, then the database's figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)  # type: ignore[no-untyped-call]
    else:
        processes = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector(engine, now))
    return generate_latest(processes) + generate_latest(database)


class DatabaseCollector(Collector):
    def __init__(self, engine: Engine, now: datetime | None = None) -> None:
        self.engine, self.now = engine, now

    def collect(self) -> Iterator[Metric]:
        now = self.now or datetime.now(UTC)
        with Session(self.engine) as session:
            oldest = ops_stats.outbox_oldest_seconds(session, now)
            tickets = ops_stats.tickets_by_agency_status(session)
            breaches = ops_stats.sla_breaches(session)
            responses = ops_stats.first_response_seconds(session)
        yield GaugeMetricFamily(
            "helpline_outbox_oldest_seconds", "Age of the oldest message waiting to be sent", value=oldest
        )
        family = GaugeMetricFamily(
            "helpline_tickets", "Tickets by agency and status", labels=["agency", "status"]
        )
        for (agency, status), count in sorted(tickets.items()):
            family.add_metric([agency, status], count)
        yield family
        counter = CounterMetricFamily(
            "helpline_sla_breaches",
            "Tickets escalated past their first-response target",
            labels=["agency", "priority"],
        )
        for (agency, priority), count in sorted(breaches.items()):
            counter.add_metric([agency, priority], count)
        yield counter
        yield _histogram(
            "helpline_first_response_seconds",
            "Time from a ticket's opening to its first answer",
            responses,
            FIRST_RESPONSE_BUCKETS,
        )


def _histogram(name: str, documentation: str, values: list[float], bounds: tuple[float, ...]) -> Metric:
    cumulative = [(str(bound), float(sum(1 for v in values if v <= bound))) for bound in bounds]
    cumulative.append(("+Inf", float(len(values))))
    return HistogramMetricFamily(name, documentation, buckets=cumulative, sum_value=sum(values))
