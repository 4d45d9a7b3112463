"""What notifications and webhooks cost the workflow, and how fast their jobs go.

1. The price a workflow action pays: `do_register_case` one by one (each its own
   transaction, its on-commit work run as in a request), with the notification and
   webhook receivers disconnected (the baseline) and connected, enqueueing to Redis
   and to Huey's SQLite file, in the same run.
2. The jobs' throughput: `notify_events` over the registrations' events (plan,
   render, insert, send each with the file backend), and `make_deliveries` for one
   subscription over the same events.

Usage (a PostgreSQL database of its own, created if missing, emptied of cases first):

    .venv/bin/python bench/notify_bench.py --register 500 --runs 5

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/lianxin_bench_notify.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import common

common.configure("lianxin_bench_notify")
REDIS_BENCH_URL = "redis://127.0.0.1:6379/14"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--register", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    common.setup()
    from django.test.utils import override_settings
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage, SqliteStorage

    from lianxin.cases.models import CaseEvent
    from lianxin.cases.signals import case_events_committed
    from lianxin.notify import tasks as notify_tasks
    from lianxin.webhooks import tasks as webhook_tasks
    from lianxin.webhooks.models import Subscription
    from lianxin.webhooks.sending import make_deliveries

    cast = setup_district()
    print(common.machine())
    receivers = [
        (notify_tasks.on_case_events_committed, "lianxin.notify"),
        (webhook_tasks.on_case_events_committed, "lianxin.webhooks"),
    ]
    # Other apps' receivers (the city platform's outbox) are not measured here.
    case_events_committed.disconnect(dispatch_uid="upstream_outbox")
    tmp = Path(tempfile.mkdtemp())
    storages = {
        "redis": RedisStorage(HUEY.name, url=REDIS_BENCH_URL),
        "sqlite": SqliteStorage(HUEY.name, filename=str(tmp / "huey.sqlite3")),
    }

    queued: dict[str, float] = {}

    def register_many(n: int) -> float:
        start = time.perf_counter()
        for i in range(n):
            register(cast, i)
        return (time.perf_counter() - start) / n * 1000

    from django.urls import reverse

    reverse("portal:follow")  # load the URLconf (and every view module) before timing
    register_many(5)

    # Configurations alternate in small batches, so that a busy machine's drift falls on
    # all of them alike; each figure is the median of the batches' per-case means.
    def configure(name: str) -> None:
        for fn, uid in receivers:
            if name == "baseline":
                case_events_committed.disconnect(dispatch_uid=uid)
            else:
                case_events_committed.connect(fn, dispatch_uid=uid)
        store, _, subscribed = name.partition(", ")
        if store in storages:
            HUEY.storage = storages[store]
        has = Subscription.objects.exists()
        if subscribed == "1 subscription" and not has:
            Subscription.objects.create(
                name="bench", url="http://127.0.0.1:9/", events=["cases.case.registered"]
            )
        elif subscribed != "1 subscription" and has:
            Subscription.objects.all().delete()

    names = [
        "baseline",
        "redis, no subscription",
        "sqlite, no subscription",
        "redis, 1 subscription",
        "sqlite, 1 subscription",
    ]
    results: dict[str, list[float]] = {name: [] for name in names}
    batch = 20
    clear_cases()
    for round_ in range(args.runs * args.register // batch):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            configure(name)
            for storage in storages.values():
                storage.flush_queue()
            results[name].append(register_many(batch))
            queued[name] = sum(s.queue_size() for s in storages.values()) / batch
    base = statistics.median(results["baseline"])
    print(
        f"\n1. do_register_case, {args.runs * args.register} per configuration in batches of "
        f"{batch}, interleaved (median of the batches' ms per case)"
    )
    for name, values in results.items():
        med = statistics.median(values)
        jobs = queued.get(name, 0)
        print(f"   {name:28s} {med:6.2f} ms   ratio {med / base:4.2f}   jobs/case {jobs:.0f}")

    # The receivers alone, called as the signal calls them, for one fresh event.
    fresh = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    alone: dict[str, list[float]] = {name: [] for name in names[1:]}
    for _round in range(50):
        for name in names[1:]:
            configure(name)
            start = time.perf_counter()
            for _ in range(10):
                case_events_committed.send(sender=CaseEvent, event_ids=[fresh])
            alone[name].append((time.perf_counter() - start) / 10 * 1000)
        for storage in storages.values():
            storage.flush_queue()
    print("\n   the receivers alone, per committed event (median of 50 x 10 calls)")
    for name, values in alone.items():
        med = statistics.median(values)
        print(f"   {name:28s} {med:6.2f} ms   {med / base:5.1%} of a registration")
    configure("baseline")

    event_ids = list(
        CaseEvent.objects.filter(code="cases.case.registered")
        .order_by("-pk")
        .values_list("pk", flat=True)[: args.register]
    )
    from lianxin.notify.models import Message
    from lianxin.webhooks.models import Delivery

    notify_rates, webhook_rates = [], []
    HUEY.storage = storages["redis"]
    sms_file = tmp / "sms.jsonl"
    with override_settings(
        SMS_BACKEND="lianxin.notify.backends.FileBackend", SMS_FILE_PATH=sms_file
    ):
        for _run in range(args.runs):
            Message.objects.all().delete()
            Delivery.objects.all().delete()
            start = time.perf_counter()
            ids = notify_tasks.notify_events.call_local(event_ids)
            # send what it queued, as the consumer would
            notify_tasks.send_messages.call_local(
                list(Message.objects.values_list("pk", flat=True))
            )
            notify_rates.append(ids / (time.perf_counter() - start))
            Subscription.objects.all().delete()
            Subscription.objects.create(
                name="bench", url="http://127.0.0.1:9/", events=["cases.case.registered"]
            )
            start = time.perf_counter()
            made = len(make_deliveries(event_ids))
            webhook_rates.append(made / (time.perf_counter() - start))
    print(f"\n2. jobs over {len(event_ids)} registration events, {args.runs} runs (median)")
    print(
        f"   notify_events + send_messages (file backend): {statistics.median(notify_rates):7.0f} messages/s"
    )
    print(
        f"   make_deliveries (1 subscription):             {statistics.median(webhook_rates):7.0f} deliveries/s"
    )
    for storage in storages.values():
        storage.flush_queue()
        storage.flush_schedule()


def setup_district():
    import random

    from lianxin.accounts.models import User
    from lianxin.cases.models import Category
    from lianxin.demo.district import build_district
    from lianxin.orgs.models import Unit

    if not Unit.objects.exists():
        build_district(random.Random(1))
    return {
        "office": User.objects.get(username="office"),
        "grids": list(Unit.objects.filter(kind="grid")),
        "categories": list(Category.objects.filter(parent__isnull=False)),
    }


def register(cast, i):
    from lianxin.cases.actions import do_register_case

    return do_register_case(
        actor=cast["office"],
        channel="phone",
        title=f"测试诉求{i}",
        text="小区门口路灯不亮，晚上出行不便，请尽快维修。",
        address="福临苑小区3号楼",
        grid=cast["grids"][i % len(cast["grids"])],
        category=cast["categories"][i % len(cast["categories"])],
        resident_name="王秀兰",
        resident_phone="13812341234",
    )


def clear_cases():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_case, notify_message, webhooks_delivery CASCADE")


if __name__ == "__main__":
    main()
