"""Prints the reference numbers pinned in crates/timeseries/tests/it/reference.rs.

Run: /tmp/vigil-peers/bin/python bench/peers/reference_values.py
"""

import logging

import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from series import hourly, minutely

logging.getLogger("cmdstanpy").setLevel(logging.WARNING)


def holt_winters():
    y = np.array(hourly())
    known = ExponentialSmoothing(
        y, trend="add", seasonal="add", seasonal_periods=24,
        initialization_method="known", initial_level=10.0, initial_trend=0.02,
        initial_seasonal=[2.0 * np.sin(2 * np.pi * t / 24) for t in range(24)],
    ).fit(smoothing_level=0.3, smoothing_trend=0.05, smoothing_seasonal=0.2, optimized=False)
    print("# known init, alpha 0.3 beta 0.05 gamma 0.2")
    print("fitted[0], [1], [100], [167]:", [float(known.fittedvalues[i]) for i in (0, 1, 100, 167)])
    print("forecast h=1..3:", [float(v) for v in known.forecast(3)])
    print("sse:", float(known.sse))
    simple = ExponentialSmoothing(
        y, trend="add", seasonal="add", seasonal_periods=24, initialization_method="legacy-heuristic",
    ).fit()
    p = simple.params
    print("# legacy-heuristic (simple) init, optimised")
    print("alpha, beta, gamma:", float(p["smoothing_level"]), float(p["smoothing_trend"]),
          float(p["smoothing_seasonal"]))
    print("sse:", float(simple.sse))
    print("forecast h=1:", float(simple.forecast(1)[0]))


def prophet():
    from prophet import Prophet

    times, values = minutely()
    df = pd.DataFrame({"ds": pd.to_datetime(times, unit="s"), "y": values})
    m = Prophet(scaling="minmax", daily_seasonality=True, weekly_seasonality=False,
                yearly_seasonality=False)
    m.fit(df)
    probe = [0, 1000, 2500, 4319]
    future = pd.DataFrame({"ds": pd.to_datetime([times[i] for i in probe] + [times[-1] + 3600], unit="s")})
    fc = m.predict(future)
    print("# prophet minmax, daily order 4, 3 days of minutes")
    print("yhat at rows", probe, "and +1h:", [float(v) for v in fc["yhat"]])
    print("k, m, sigma_obs:", float(m.params["k"][0][0]), float(m.params["m"][0][0]),
          float(m.params["sigma_obs"][0][0]))


if __name__ == "__main__":
    holt_winters()
    prophet()
