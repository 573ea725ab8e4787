"""Real threads released together behind a ``Barrier``, each on its own database connection.

They race for real on the PostgreSQL every test runs on: row locks, ``SKIP LOCKED`` and
counters are exercised, not simulated.
"""

import threading

from django.db import connection


def run_at_once(calls):
    """Run each callable in its own thread, all released together; return each one's result
    or the exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def run_threads(target, count):
    """Run ``target(index)`` in ``count`` threads released together; fail on any error."""
    results = run_at_once([lambda index=index: target(index) for index in range(count)])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
