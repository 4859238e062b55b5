"""A bounded latency histogram: fixed logarithmic buckets, memory independent of call count."""

from __future__ import annotations

import math

__all__ = ["LogHistogram", "RELATIVE_ERROR"]

_PER_OCTAVE = 8
#: Largest relative error of :meth:`LogHistogram.quantile` for values in range:
#: ``2 ** (1 / (2 * 8)) - 1``, about 4.4 %.
RELATIVE_ERROR = 2 ** (1 / (2 * _PER_OCTAVE)) - 1


class LogHistogram:
    """Counts values in buckets whose bounds grow by ``2 ** (1/8)`` from *lowest* to *highest*.

    With the defaults (1 µs to 10 000 s) that is 266 buckets plus an underflow and an overflow
    bucket: about 270 integers per histogram, whatever the number of values. A quantile is the
    geometric middle of the bucket holding the nearest-rank value, clamped to the exact minimum
    and maximum seen, so it is within :data:`RELATIVE_ERROR` (4.4 %) of the exact nearest-rank
    quantile for values in range; below *lowest* it answers the minimum, above *highest* the
    maximum.
    """

    __slots__ = (
        "_log_lowest",
        "_scale",
        "count",
        "counts",
        "highest",
        "lowest",
        "max",
        "min",
        "sum",
    )

    def __init__(self, *, lowest: float = 1e-6, highest: float = 1e4) -> None:
        if not 0 < lowest < highest:
            raise ValueError("need 0 < lowest < highest")
        self.lowest = lowest
        self.highest = highest
        self._scale = _PER_OCTAVE / math.log(2)
        self._log_lowest = math.log(lowest)
        inner = math.ceil(math.log2(highest / lowest) * _PER_OCTAVE)
        self.counts = [0] * (inner + 2)  # [0] underflow, [1..inner] buckets, [-1] overflow
        self.count = 0
        self.sum = 0.0
        self.min = math.inf
        self.max = -math.inf

    def record(self, value: float) -> None:
        if value < self.lowest:
            i = 0
        elif value >= self.highest:
            i = len(self.counts) - 1
        else:
            i = 1 + int((math.log(value) - self._log_lowest) * self._scale)
            i = min(i, len(self.counts) - 2)
        self.counts[i] += 1
        self.count += 1
        self.sum += value
        self.min = min(self.min, value)
        self.max = max(self.max, value)

    def quantile(self, q: float) -> float | None:
        """The *q*-quantile (0 < q <= 1) by nearest rank, or ``None`` with no values."""
        if not 0 < q <= 1:
            raise ValueError("q must be in (0, 1]")
        if self.count == 0:
            return None
        rank = max(1, math.ceil(q * self.count))
        seen = 0
        last = len(self.counts) - 1
        for i, n in enumerate(self.counts):
            seen += n
            if seen >= rank:
                if i == 0:
                    return self.min
                if i == last:
                    return self.max
                mid = math.exp(self._log_lowest + (i - 0.5) / self._scale)
                return min(max(mid, self.min), self.max)
        return self.max  # unreachable: counts add up to count
