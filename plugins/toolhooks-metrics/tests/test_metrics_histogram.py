from __future__ import annotations

import math
import random

import pytest
from toolhooks_metrics import RELATIVE_ERROR, LogHistogram


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_quantiles_within_documented_error(seed: int) -> None:
    rng = random.Random(seed)
    values = [10 ** rng.uniform(-5, 1) for _ in range(5000)]
    h = LogHistogram()
    for v in values:
        h.record(v)
    for q in (0.01, 0.5, 0.9, 0.95, 0.99, 1.0):
        got = h.quantile(q)
        want = nearest_rank(values, q)
        assert got is not None
        assert abs(got - want) / want <= RELATIVE_ERROR + 1e-12, (q, got, want)
    assert h.count == 5000
    assert h.sum == pytest.approx(sum(values))
    assert pytest.approx(0.0443, abs=1e-4) == RELATIVE_ERROR


def test_memory_is_bounded() -> None:
    h = LogHistogram()
    size = len(h.counts)
    for i in range(20000):
        h.record((i % 997) * 1e-3 + 1e-7)
    assert len(h.counts) == size < 300


def test_out_of_range_values_answer_min_and_max() -> None:
    h = LogHistogram(lowest=1e-3, highest=1.0)
    for v in (1e-9, 2e-9, 5.0, 7.0):
        h.record(v)
    # below the range: the minimum; above it: the maximum (documented)
    assert h.quantile(0.25) == 1e-9
    assert h.quantile(0.5) == 1e-9
    assert h.quantile(0.75) == 7.0
    assert h.quantile(1.0) == 7.0


def test_single_value_is_exact_and_empty_is_none() -> None:
    h = LogHistogram()
    assert h.quantile(0.5) is None
    h.record(0.1234)
    assert h.quantile(0.5) == 0.1234
    assert h.quantile(0.99) == 0.1234


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="lowest"):
        LogHistogram(lowest=1.0, highest=0.5)
    with pytest.raises(ValueError, match="q must"):
        LogHistogram().quantile(0)
