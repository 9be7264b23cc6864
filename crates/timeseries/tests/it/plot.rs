//! Plots of a detector's series with its band, as PNG and SVG.

use vigil_timeseries::{
    band::BandRow,
    plot::{PlotSeries, render},
};

#[test]
fn draws_png_and_svg_with_band_and_anomalies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows: Vec<BandRow> = (0..200u64)
        .map(|i| {
            let v = if i == 150 { 30.0 } else { 10.0 + (i as f64 / 10.0).sin() };
            (1_700_000_000_000 + i * 3_600_000, v, (i > 24).then_some((8.0, 10.0, 12.0)))
        })
        .collect();
    let series = PlotSeries::from_bands("test series", "gwei", &rows);
    assert_eq!(series.anomalies.len(), 1);
    for name in ["s.png", "s.svg"] {
        let path = dir.path().join(name);
        render(&series, &path).expect("renders");
        let bytes = std::fs::read(&path).expect("written");
        assert!(bytes.len() > 1000, "{name}: {} bytes", bytes.len());
        if name.ends_with("png") {
            assert_eq!(&bytes[1..4], b"PNG");
        } else {
            let text = String::from_utf8(bytes).expect("svg is text");
            assert!(text.contains("<text") && text.contains("test series"), "labels are drawn");
        }
    }
    let logged = PlotSeries { log_y: true, ..series.clone() };
    render(&logged, &dir.path().join("log.png")).expect("log axis renders");
    assert!(render(&series, &dir.path().join("s.gif")).is_err());
    assert!(render(&PlotSeries::default(), &dir.path().join("e.png")).is_err());
}
