"""Times the reference implementations on the series vigil's `ts-bench` uses.

Prints one JSON object: medians (and p99 where sampled enough) in milliseconds of
- statsmodels Holt-Winters (additive trend and season, period 24, optimised parameters)
  fit + one-step forecast on 168 hourly points;
- Prophet (scaling="minmax", default priors, MAP fit with its bundled Stan model) fit +
  one prediction on one and on three days of per-minute points.

Run: /tmp/vigil-peers/bin/python bench/peers/bench.py [--runs N]
"""

import argparse
import json
import logging
import os
import statistics
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(__file__))
from series import hourly, minutely  # noqa: E402

logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
logging.getLogger("prophet").setLevel(logging.WARNING)
warnings.filterwarnings("ignore")


def summary(samples):
    samples = sorted(samples)
    return {
        "median": statistics.median(samples),
        "p99": samples[min(len(samples) - 1, int(0.99 * (len(samples) - 1)))],
        "n": len(samples),
    }


def holt_winters(runs):
    import numpy as np
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    out = []
    for r in range(runs):
        y = np.array(hourly(168 + r)[r:])
        started = time.perf_counter()
        fit = ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=24).fit()
        fit.forecast(1)
        out.append((time.perf_counter() - started) * 1e3)
    return summary(out)


def prophet(runs, n):
    import pandas as pd
    from prophet import Prophet

    times, values = minutely(n)
    df = pd.DataFrame({"ds": pd.to_datetime(times, unit="s"), "y": values})
    future = pd.DataFrame({"ds": pd.to_datetime([times[-1] + 60], unit="s")})
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        m = Prophet(scaling="minmax", weekly_seasonality=False, yearly_seasonality=False)
        m.fit(df)
        m.predict(future)
        out.append((time.perf_counter() - started) * 1e3)
    return summary(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    import numpy
    import prophet as prophet_pkg
    import statsmodels

    report = {
        "versions": {
            "python": sys.version.split()[0],
            "numpy": numpy.__version__,
            "statsmodels": statsmodels.__version__,
            "prophet": prophet_pkg.__version__,
        },
        "statsmodels_hw_fit_forecast_ms": holt_winters(args.runs * 5),
        "prophet_fit_1d_ms": prophet(max(3, args.runs // 4), 1440),
        "prophet_fit_3d_ms": prophet(max(3, args.runs // 4), 3 * 1440),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
