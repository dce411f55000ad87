"""8 threads at once on one shared policy give the single-thread results."""

import threading

import payrules
from payrules.synth import monthly_request

from conftest import GOLDEN, load_json


def test_eight_threads_share_one_policy():
    policy = payrules.Policy.builtin()
    request = monthly_request(400, "2026-11")
    golden = load_json(GOLDEN / "monthly-example.request.json")
    want_slips = payrules.monthly(request["workers"], request["assessments"], "2026-11", policy=policy)
    want_run = payrules.run(golden, policy=policy)
    want_amount = policy.monthly_bonus("excellent", on="2026-11-01")
    barrier = threading.Barrier(8)
    failures = []

    def work(k):
        try:
            barrier.wait()
            for _ in range(5):
                assert payrules.monthly(request["workers"], request["assessments"], "2026-11", policy=policy) == want_slips
                assert payrules.run(golden, policy=policy) == want_run
                assert policy.monthly_bonus("excellent", on="2026-11-01") == want_amount
                assert policy.version_on("2026-11-01") == "2018"
        except BaseException as e:  # noqa: BLE001 - reported below
            failures.append((k, repr(e)))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
