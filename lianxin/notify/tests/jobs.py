"""Run queued Huey jobs inside a test, the way the consumer runs them.

The suite's conftest gives every test a queue in memory; these helpers look into it
(what was enqueued, what was scheduled for later) and execute the jobs with Huey's
own `execute`, retries and all.
"""

from contextlib import contextmanager

from huey.contrib.djhuey import HUEY


@contextmanager
def _in_test_transaction():
    """Let jobs share the test's database connection while they run.

    `db_task` closes the connection around each job, as a consumer must; inside a test's
    transaction that would end the test's own connection (PostgreSQL). Huey skips the
    closing in immediate mode, so the jobs run in it; immediate mode also swaps in a
    fresh memory storage, and the test's queue is put straight back. Jobs that a job
    enqueues therefore run at once, and a retry with a delay lands in the schedule.
    """
    storage = HUEY.storage
    HUEY.immediate = True
    HUEY.storage = storage
    try:
        yield
    finally:
        HUEY.immediate = False
        HUEY.storage = storage


def queued(names: set[str]) -> list:
    """The queued jobs with one of `names`, in order (other apps' jobs are left out)."""
    return [task for task in HUEY.pending() if task.name in names]


def run_queued(names: set[str]) -> int:
    """Run every queued job with one of `names` (and what they enqueue); other apps' jobs
    are dropped, as they are not under test here. Returns how many jobs ran."""
    ran = 0
    with _in_test_transaction():
        while (task := HUEY.dequeue()) is not None:
            if task.name not in names:
                continue
            if HUEY.ready_to_run(task):
                HUEY.execute(task)
                ran += 1
            else:
                HUEY.add_schedule(task)  # what the consumer does with a job whose eta is ahead
    return ran


def scheduled(names: set[str]) -> list:
    """Jobs waiting for a later moment (retries after a failure)."""
    waiting = HUEY.scheduled() + [task for task in HUEY.pending() if task.eta]
    return [task for task in waiting if task.name in names]


def run_scheduled(names: set[str]) -> int:
    """Run the jobs whose moment has come (the test travels the clock forward first, with
    time-machine, which Huey's clock and the database rows' clock both follow)."""
    ran = run_queued(names)
    tasks = [task for task in HUEY.read_schedule() if task.name in names]  # due by now
    with _in_test_transaction():
        for task in tasks:
            HUEY.execute(task)
    return ran + len(tasks)
