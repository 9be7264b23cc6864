//! Pictures of a series with its band and anomalies, as PNG or SVG (by file extension),
//! with an embedded DejaVu Sans font (no system fonts needed).

use std::{path::Path, sync::Once};

use plotters::{
    coord::Shift,
    prelude::*,
    style::{FontStyle, register_font},
};

use crate::time::utc_minute;

/// What to draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlotSeries {
    /// Title above the chart.
    pub title: String,
    /// Y-axis label.
    pub y_label: String,
    /// Observations `(unix s, value)`.
    pub points: Vec<(f64, f64)>,
    /// Band `(unix s, lower, forecast, upper)`.
    pub band: Vec<(f64, f64, f64, f64)>,
    /// Anomalies `(unix s, value)`.
    pub anomalies: Vec<(f64, f64)>,
    /// Logarithmic value axis (non-positive values are left out).
    pub log_y: bool,
}

impl PlotSeries {
    /// From hourly rows `(ms, observed, band (lower, mid, upper))`; anomalies are
    /// observations above the band.
    pub fn from_bands(title: &str, y_label: &str, rows: &[crate::band::BandRow]) -> Self {
        let t = |ms: u64| ms as f64 / 1000.0;
        Self {
            title: title.to_owned(),
            y_label: y_label.to_owned(),
            points: rows.iter().map(|r| (t(r.0), r.1)).collect(),
            band: rows.iter().filter_map(|r| r.2.map(|(l, m, u)| (t(r.0), l, m, u))).collect(),
            anomalies: rows
                .iter()
                .filter(|r| r.2.is_some_and(|(l, _, u)| r.1 > u || r.1 < l))
                .map(|r| (t(r.0), r.1))
                .collect(),
            log_y: false,
        }
    }

    /// From a price detector's view; anomalies are the flagged minutes.
    pub fn from_price_view(title: &str, rows: &[crate::PricePointView]) -> Self {
        let t = |ms: u64| ms as f64 / 1000.0;
        Self {
            title: title.to_owned(),
            y_label: "price".to_owned(),
            points: rows.iter().map(|r| (t(r.0), r.1)).collect(),
            band: rows.iter().filter_map(|r| r.2.map(|(l, m, u)| (t(r.0), l, m, u))).collect(),
            anomalies: rows.iter().filter(|r| r.3).map(|r| (t(r.0), r.1)).collect(),
            log_y: false,
        }
    }
}

/// Why a plot could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Nothing finite to draw.
    #[error("nothing to plot")]
    Empty,
    /// The extension is neither `.png` nor `.svg`.
    #[error("unsupported plot format {0} (use .png or .svg)")]
    Format(String),
    /// Drawing or writing failed.
    #[error("failed to draw plot: {0}")]
    Draw(String),
}

fn fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is a valid TTF compiled into the binary; a failure only loses the text.
        if register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_err() {
            tracing::warn!("failed to register the embedded plot font");
        }
    });
}

fn log_values(series: &PlotSeries) -> PlotSeries {
    let l = |v: f64| if v > 0.0 { v.log10() } else { f64::NAN };
    // A lower edge at or below zero has no place on a log axis: draw it at the floor of
    // what was observed.
    let floor =
        series.points.iter().map(|p| p.1).filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
    PlotSeries {
        points: series.points.iter().map(|&(t, v)| (t, l(v))).collect(),
        band: series.band.iter().map(|&(t, a, m, b)| (t, l(a.max(floor)), l(m), l(b))).collect(),
        anomalies: series.anomalies.iter().map(|&(t, v)| (t, l(v))).collect(),
        ..series.clone()
    }
}

/// Draws `series` to `path` (`.png` 1200×600, or `.svg`).
pub fn render(series: &PlotSeries, path: &Path) -> Result<(), PlotError> {
    fonts();
    let logged;
    let series = if series.log_y {
        logged = log_values(series);
        &logged
    } else {
        series
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "png" => draw(&BitMapBackend::new(path, (1200, 600)).into_drawing_area(), series),
        "svg" => draw(&SVGBackend::new(path, (1200, 600)).into_drawing_area(), series),
        other => Err(PlotError::Format(other.to_owned())),
    }
}

fn bounds(series: &PlotSeries) -> Option<((f64, f64), (f64, f64))> {
    let xs = series.points.iter().map(|p| p.0).chain(series.band.iter().map(|b| b.0));
    let ys = series
        .points
        .iter()
        .map(|p| p.1)
        .chain(series.band.iter().flat_map(|b| [b.1, b.3]))
        .chain(series.anomalies.iter().map(|a| a.1));
    let fold = |it: &mut dyn Iterator<Item = f64>| {
        it.filter(|v| v.is_finite()).fold(None, |acc: Option<(f64, f64)>, v| {
            Some(acc.map_or((v, v), |(a, b)| (a.min(v), b.max(v))))
        })
    };
    let (x0, x1) = fold(&mut xs.into_iter())?;
    let (y0, y1) = fold(&mut ys.into_iter())?;
    let pad = ((y1 - y0) * 0.05).max(y1.abs() * 1e-6).max(1e-12);
    Some(((x0, x1.max(x0 + 1.0)), (y0 - pad, y1 + pad)))
}

fn draw<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    series: &PlotSeries,
) -> Result<(), PlotError> {
    let err = |e: &dyn std::fmt::Display| PlotError::Draw(e.to_string());
    let ((x0, x1), (y0, y1)) = bounds(series).ok_or(PlotError::Empty)?;
    area.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(area)
        .caption(&series.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_labels(6)
        .x_label_formatter(&|x| utc_minute((x.max(0.0) * 1000.0) as u64))
        .y_label_formatter(&|y| {
            if series.log_y { format!("{:.3}", 10f64.powf(*y)) } else { format!("{y:.3}") }
        })
        .y_desc(series.y_label.as_str())
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(|e| err(&e))?;
    let finite = |v: &&(f64, f64, f64, f64)| v.1.is_finite() && v.3.is_finite();
    let band: Vec<_> = series.band.iter().filter(finite).collect();
    if !band.is_empty() {
        let mut outline: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.3)).collect();
        outline.extend(band.iter().rev().map(|b| (b.0, b.1)));
        chart
            .draw_series(std::iter::once(Polygon::new(outline, BLUE.mix(0.15).filled())))
            .map_err(|e| err(&e))?
            .label("band")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 14, y + 5)], BLUE.mix(0.15).filled())
            });
        chart
            .draw_series(LineSeries::new(band.iter().map(|b| (b.0, b.2)), BLUE.stroke_width(1)))
            .map_err(|e| err(&e))?
            .label("forecast")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], BLUE));
    }
    let points: Vec<(f64, f64)> =
        series.points.iter().copied().filter(|p| p.1.is_finite()).collect();
    chart
        .draw_series(LineSeries::new(points.iter().copied(), BLACK.stroke_width(1)))
        .map_err(|e| err(&e))?
        .label("observed")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], BLACK));
    let anomalies = series.anomalies.iter().copied().filter(|a| a.1.is_finite());
    chart
        .draw_series(anomalies.map(|a| Circle::new(a, 4, RED.filled())))
        .map_err(|e| err(&e))?
        .label(format!("anomaly ({})", series.anomalies.len()))
        .legend(|(x, y)| Circle::new((x + 7, y), 4, RED.filled()));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(|e| err(&e))?;
    area.present().map_err(|e| err(&e))
}
