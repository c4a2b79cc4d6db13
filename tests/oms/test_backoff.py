from oms.backoff import backoff_seconds


def test_doubles_from_the_base_up_to_the_cap():
    assert [backoff_seconds(n, base=2, cap=10) for n in range(1, 6)] == [2, 4, 8, 10, 10]


def test_retry_after_wins_over_the_formula():
    assert backoff_seconds(5, base=60, cap=1800, retry_after=7.5) == 7.5
    assert backoff_seconds(5, base=60, retry_after=0) == 0


def test_jitter_stays_in_the_second_half_of_the_delay():
    delays = {backoff_seconds(4, base=1, jitter=True) for _ in range(200)}
    assert all(4 <= delay <= 8 for delay in delays) and len(delays) > 1
