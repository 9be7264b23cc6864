//! Holt-Winters and the Prophet-style fit against statsmodels 0.15.0 and Prophet 1.5.0, on
//! the series of bench/peers/series.py; the numbers come from
//! `bench/peers/reference_values.py` (run it to regenerate them).

use vigil_timeseries::{
    holt_winters::{self, HwInit, HwParams},
    prophet::{ProphetModel, ProphetSettings},
};

use crate::support::{hourly, minutely};

#[test]
fn holt_winters_recursions_match_statsmodels() {
    let y = hourly(168);
    let season: Vec<f64> =
        (0..24).map(|t| 2.0 * (2.0 * std::f64::consts::PI * t as f64 / 24.0).sin()).collect();
    let init = HwInit { level: 10.0, trend: 0.02, season };
    let fit = holt_winters::run(&y, &init, HwParams { alpha: 0.3, beta: 0.05, gamma: 0.2 });
    let want =
        [(0, 10.02), (1, 10.39383809020504), (100, 13.745236319356577), (167, 12.766447496417706)];
    for (i, v) in want {
        assert!((fit.fitted[i] - v).abs() < 1e-9, "fitted[{i}] {} vs {v}", fit.fitted[i]);
    }
    let forecasts = [13.617010021505928, 14.106840466173026, 14.540899083406208];
    for (h, v) in forecasts.iter().enumerate() {
        assert!(
            (fit.state.forecast(h + 1) - v).abs() < 1e-9,
            "h {}: {}",
            h + 1,
            fit.state.forecast(h + 1)
        );
    }
    assert!((fit.sse - 22.67478974892623).abs() < 1e-8, "sse {}", fit.sse);
}

#[test]
fn holt_winters_parameter_search_is_at_least_as_good_as_statsmodels() {
    let y = hourly(168);
    let init = HwInit::simple(&y, 24).expect("two seasons");
    let fit = holt_winters::fit(&y, &init, None);
    // statsmodels, legacy-heuristic (= simple) initialisation, optimised: α = β = 0.02334,
    // γ = 0.32794, SSE 23.382045615628904, next value 13.405514283701892. Its search keeps
    // β ≤ α; ours searches the whole unit cube, so its SSE can only be lower.
    assert!(
        fit.sse <= 23.382045615628904 * (1.0 + 1e-6),
        "sse {} params {:?}",
        fit.sse,
        fit.params
    );
    assert!(
        (fit.state.forecast(1) - 13.405514283701892).abs() < 0.25,
        "forecast {}",
        fit.state.forecast(1)
    );
    let theirs = holt_winters::run(
        &y,
        &init,
        HwParams {
            alpha: 0.023339061148914722,
            beta: 0.023339061148914722,
            gamma: 0.32793583356795736,
        },
    );
    assert!(
        (theirs.sse - 23.382045615628904).abs() < 1e-6,
        "same init as statsmodels: {}",
        theirs.sse
    );
}

#[test]
fn prophet_map_fit_matches_prophet() {
    let (times, values) = minutely(3 * 1440);
    let settings = ProphetSettings { daily: Some(true), weekly: Some(false), ..Default::default() };
    let model = ProphetModel::fit(&times, &values, &settings).expect("fit");
    // Prophet(scaling="minmax", daily_seasonality=True, weekly/yearly off).fit(...).predict
    let probes = [
        (times[0], 5.3770935003637145e-05),
        (times[1000], 0.41176642939097435),
        (times[2500], 1.083042909962995),
        (times[4319], 0.749246788044825),
        (times[4319] + 3600.0, 0.8057601455534813),
    ];
    for (t, want) in probes {
        let got = model.predict(t);
        assert!((got - want).abs() < 2e-3, "yhat at {t}: {got} vs {want}");
    }
    // Prophet's k, m and sigma_obs: 1.829063, 0.015009184, 0.008935154.
    assert!((model.theta[0] - 1.829063).abs() < 0.02, "k {}", model.theta[0]);
    assert!((model.theta[1] - 0.015009184).abs() < 0.005, "m {}", model.theta[1]);
    assert!((model.sigma - 0.008935154).abs() < 5e-4, "sigma {}", model.sigma);
}
