"""The deterministic series shared by vigil's tests, its benchmarks and these scripts."""

import math


def noise(i):
    """Deterministic pseudo-noise in [-0.5, 0.5)."""
    return ((i * 7919) % 101) / 101.0 - 0.5


def hourly(n=168):
    """An hourly series with trend, daily season and noise (the Holt-Winters reference)."""
    return [10.0 + 0.02 * t + 2.0 * math.sin(2 * math.pi * t / 24) + noise(t) for t in range(n)]


PROPHET_T0 = 1_704_067_200  # 2024-01-01T00:00Z


def minutely(n=3 * 1440):
    """A per-minute series over three days: a kinked trend, a daily season and noise."""
    times, values = [], []
    for i in range(n):
        t = PROPHET_T0 + 60 * i
        d = (t - PROPHET_T0) / 86400.0
        trend = d if d < 1.5 else 1.5 - 0.5 * (d - 1.5)
        times.append(t)
        values.append(trend + 0.3 * math.sin(2 * math.pi * t / 86400.0) + 0.05 * noise(i))
    return times, values
