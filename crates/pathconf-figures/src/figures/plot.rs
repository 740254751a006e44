//! Shared drawing: multi-panel charts of lines, dashed lines and points with
//! error bars, on linear or logarithmic axes, to PNG and SVG (plotters).
//!
//! Logarithmic axes are drawn by plotting `log10` (or `log2` for sample sizes)
//! of the data on a linear axis and labelling integer ticks as powers, which
//! keeps one code path for every axis combination. Colours are the Okabe–Ito
//! palette, which stays distinguishable under the common colour-vision
//! deficiencies.

use super::FigureError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Okabe–Ito colours, by role.
pub mod palette {
    use plotters::style::RGBColor;
    /// Self-consistency.
    pub const SC: RGBColor = RGBColor(0, 114, 178);
    /// Perplexity.
    pub const PPL: RGBColor = RGBColor(213, 94, 0);
    /// Perplexity consistency.
    pub const PC: RGBColor = RGBColor(0, 158, 115);
    /// RPC (Weibull pruning + PC).
    pub const RPC: RGBColor = RGBColor(204, 121, 167);
    /// RP at a fixed or optimal threshold.
    pub const RP: RGBColor = RGBColor(230, 159, 0);
    /// The paper's printed formulas.
    pub const PAPER: RGBColor = RGBColor(60, 60, 60);
    /// CISC (bluish green, darker than PC's).
    pub const CISC: RGBColor = RGBColor(0, 110, 80);
    /// DeepConf (purple).
    pub const DEEPCONF: RGBColor = RGBColor(120, 60, 160);
    /// Self-certainty Borda (yellow-brown).
    pub const BORDA: RGBColor = RGBColor(150, 120, 0);
    /// CISC weighted by P(True) (dark grey).
    pub const PTRUE: RGBColor = RGBColor(90, 90, 90);
    /// Sky blue, for a sixth series.
    pub const SKY: RGBColor = RGBColor(86, 180, 233);
    /// Colours for a family of curves (e.g. several n).
    pub const FAMILY: [RGBColor; 6] = [SC, PPL, PC, RPC, RP, SKY];

    /// An estimator's colour, the same in every figure.
    pub fn of(id: crate::estimators::EstimatorId) -> RGBColor {
        use crate::estimators::EstimatorId;
        match id {
            EstimatorId::Sc => SC,
            EstimatorId::Ppl => PPL,
            EstimatorId::Pc => PC,
            EstimatorId::Rp => RP,
            EstimatorId::Rpc => RPC,
            EstimatorId::Cisc => CISC,
            EstimatorId::DeepConf => DEEPCONF,
            EstimatorId::SelfCertaintyBorda => BORDA,
        }
    }
}

/// An axis scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Linear.
    Linear,
    /// Base-10 logarithm (labels 10ᵏ).
    Log10,
    /// Base-2 logarithm (labels 1, 2, 4, …).
    Log2,
}

impl Scale {
    fn map(&self, v: f64) -> f64 {
        match self {
            Scale::Linear => v,
            Scale::Log10 => v.log10(),
            Scale::Log2 => v.log2(),
        }
    }

    fn label(&self, v: f64) -> String {
        let near_int = (v - v.round()).abs() < 1e-6;
        match self {
            Scale::Linear => {
                let s = format!("{v:.3}");
                let s = s.trim_end_matches('0').trim_end_matches('.');
                if s == "-0" {
                    "0".into()
                } else {
                    s.to_string()
                }
            }
            Scale::Log10 if near_int => format!("10{}", superscript(v.round() as i64)),
            Scale::Log2 if near_int => format!("{}", 2f64.powi(v.round() as i32)),
            _ => String::new(),
        }
    }
}

fn superscript(k: i64) -> String {
    let digits = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::new();
    if k < 0 {
        s.push('⁻');
    }
    for c in k.abs().to_string().chars() {
        s.push(digits[c.to_digit(10).expect("digit") as usize]);
    }
    s
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    /// Solid line.
    Line,
    /// Dashed line.
    Dashed,
    /// Markers, with optional error bars.
    Points,
    /// Markers joined by a thin line, with optional error bars.
    PointsLine,
    /// Vertical bars from 0 (histograms; x is the bar centre, width from the
    /// spacing of the first two points).
    Bars,
}

/// One series.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label (empty: not in the legend).
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// Drawing style.
    pub style: Style,
    /// `(x, y)` in data units.
    pub points: Vec<(f64, f64)>,
    /// Optional `(low, high)` per point (error bars).
    pub bars: Option<Vec<(f64, f64)>>,
}

impl Series {
    /// A series without error bars.
    pub fn new(label: impl Into<String>, color: RGBColor, style: Style, points: Vec<(f64, f64)>) -> Self {
        Self { label: label.into(), color, style, points, bars: None }
    }

    /// Adds error bars.
    pub fn with_bars(mut self, bars: Vec<(f64, f64)>) -> Self {
        self.bars = Some(bars);
        self
    }
}

/// Where the legend goes (chosen per panel so it does not cover data).
pub use plotters::chart::SeriesLabelPosition as LegendAt;

/// One chart.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Title above the chart.
    pub title: String,
    /// x-axis description (with units).
    pub x_label: String,
    /// y-axis description (with units).
    pub y_label: String,
    /// x scale.
    pub x_scale: Scale,
    /// y scale.
    pub y_scale: Scale,
    /// Series, drawn in order.
    pub series: Vec<Series>,
    /// Legend position.
    pub legend: LegendAt,
    /// Optional fixed y range in data units.
    pub y_range: Option<(f64, f64)>,
}

impl Panel {
    /// A chart against the sample size: x = "samples n" on a log₂ axis.
    pub fn versus_n(title: String, y_label: &str, y_scale: Scale, legend: LegendAt, series: Vec<Series>) -> Self {
        Self { title, x_label: "samples n".into(), y_label: y_label.into(), x_scale: Scale::Log2, y_scale, series, legend, y_range: None }
    }
}

fn ranges(p: &Panel) -> ((f64, f64), (f64, f64)) {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for s in &p.series {
        for (i, &(x, y)) in s.points.iter().enumerate() {
            let xm = p.x_scale.map(x);
            if xm.is_finite() {
                xs.push(xm);
            }
            let ym = p.y_scale.map(y);
            if ym.is_finite() {
                ys.push(ym);
            }
            if let Some(b) = &s.bars {
                for v in [b[i].0, b[i].1] {
                    let vm = p.y_scale.map(v);
                    if vm.is_finite() {
                        ys.push(vm);
                    }
                }
            }
        }
    }
    let span = |v: &[f64], pad: f64| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            return (0.0, 1.0);
        }
        if hi - lo < 1e-9 * (1.0 + hi.abs()) {
            // A constant series: show half a unit (a decade on log axes) around it.
            return (lo - 0.5, hi + 0.5);
        }
        let w = hi - lo;
        (lo - pad * w, hi + pad * w)
    };
    let x = span(&xs, 0.03);
    let y = match p.y_range {
        Some((a, b)) => (p.y_scale.map(a), p.y_scale.map(b)),
        None => span(&ys, 0.06),
    };
    (x, y)
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel) -> Result<(), String> {
    let ((x0, x1), (y0, y1)) = ranges(p);
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(78)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    let (xs, ys) = (p.x_scale, p.y_scale);
    chart
        .configure_mesh()
        .x_desc(&p.x_label)
        .y_desc(&p.y_label)
        .axis_desc_style(("sans-serif", 17))
        .label_style(("sans-serif", 15))
        .x_labels(12)
        .y_labels(12)
        .x_label_formatter(&|v| xs.label(*v))
        .y_label_formatter(&|v| ys.label(*v))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(|e| e.to_string())?;
    let clamp_y = |v: f64| p.y_scale.map(v).clamp(y0, y1);
    for s in &p.series {
        let pts: Vec<(f64, f64)> =
            s.points.iter().map(|&(x, y)| (p.x_scale.map(x), p.y_scale.map(y))).filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
        let color = s.color;
        let thick = color.stroke_width(3);
        let anno = match s.style {
            Style::Line => chart.draw_series(LineSeries::new(pts.clone(), thick)).map_err(|e| e.to_string())?,
            Style::Dashed => chart.draw_series(DashedLineSeries::new(pts.clone(), 10, 6, color.stroke_width(2))).map_err(|e| e.to_string())?,
            Style::Bars => {
                let w = if pts.len() > 1 { 0.45 * (pts[1].0 - pts[0].0) } else { 0.5 };
                chart
                    .draw_series(pts.iter().map(|&(x, y)| Rectangle::new([(x - w, y0.max(0.0)), (x + w, y)], color.mix(0.55).filled())))
                    .map_err(|e| e.to_string())?
            }
            Style::Points | Style::PointsLine => {
                if let Some(b) = &s.bars {
                    let bars: Vec<_> = s
                        .points
                        .iter()
                        .zip(b)
                        .filter(|((x, y), _)| p.x_scale.map(*x).is_finite() && p.y_scale.map(*y).is_finite())
                        .map(|(&(x, y), &(lo, hi))| {
                            let ylo = if p.y_scale.map(lo).is_finite() { clamp_y(lo) } else { y0 };
                            ErrorBar::new_vertical(p.x_scale.map(x), ylo, p.y_scale.map(y), clamp_y(hi), color.stroke_width(2), 8)
                        })
                        .collect();
                    chart.draw_series(bars).map_err(|e| e.to_string())?;
                }
                if s.style == Style::PointsLine {
                    chart.draw_series(LineSeries::new(pts.clone(), color.stroke_width(1))).map_err(|e| e.to_string())?;
                }
                chart.draw_series(pts.iter().map(|&(x, y)| Circle::new((x, y), 5, color.filled()))).map_err(|e| e.to_string())?
            }
        };
        if !s.label.is_empty() {
            match s.style {
                Style::Line => anno.label(&s.label).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))),
                Style::Dashed => anno.label(&s.label).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 8, y)], color.stroke_width(2))),
                Style::Points | Style::PointsLine => anno.label(&s.label).legend(move |(x, y)| Circle::new((x + 12, y), 5, color.filled())),
                Style::Bars => anno.label(&s.label).legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.mix(0.55).filled())),
            };
        }
    }
    chart
        .configure_series_labels()
        .position(p.legend.clone())
        .margin(10)
        .label_font(("sans-serif", 15))
        .background_style(WHITE.mix(0.88))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Makes DejaVu Sans (embedded by the `dejavu` crate) plotters' "sans-serif"
/// font, once per process: text is rasterised by `ab_glyph` in pure Rust, so
/// figures need no system fonts or font libraries and look the same anywhere.
fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let registered = plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, dejavu::sans::regular());
        assert!(registered.is_ok(), "DejaVu Sans is a valid TrueType font");
    });
}

fn draw_all<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, title: &str, panels: &[Panel], grid: (usize, usize)) -> Result<(), String> {
    register_fonts();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let body = if title.is_empty() { root.clone() } else { root.titled(title, ("sans-serif", 26)).map_err(|e| e.to_string())? };
    let areas = body.split_evenly(grid);
    for (area, p) in areas.iter().zip(panels) {
        draw_panel(area, p)?;
    }
    root.present().map_err(|e| e.to_string())
}

/// Draws `panels` on a `grid` (rows, columns) into `dir/name.png` and `.svg`.
pub fn draw(dir: &Path, name: &str, title: &str, panels: &[Panel], grid: (usize, usize), size: (u32, u32)) -> Result<Vec<PathBuf>, FigureError> {
    let png = dir.join(format!("{name}.png"));
    let svg = dir.join(format!("{name}.svg"));
    // Draw to temporary names, then rename: no half-written figures.
    let tmp_png = dir.join(format!(".{name}.png.tmp.png"));
    let tmp_svg = dir.join(format!(".{name}.svg.tmp.svg"));
    draw_all(BitMapBackend::new(&tmp_png, size).into_drawing_area(), title, panels, grid)
        .map_err(|message| FigureError::Plot { path: png.clone(), message })?;
    draw_all(SVGBackend::new(&tmp_svg, size).into_drawing_area(), title, panels, grid).map_err(|message| FigureError::Plot { path: svg.clone(), message })?;
    for (t, f) in [(&tmp_png, &png), (&tmp_svg, &svg)] {
        std::fs::rename(t, f).map_err(|error| FigureError::Io { path: f.clone(), error })?;
    }
    Ok(vec![png, svg])
}

/// An SVG that the evcxr Jupyter kernel displays inline (its
/// `evcxr_display` protocol): the notebooks' way of showing charts.
#[derive(Debug, Clone)]
pub struct InlineSvg(pub String);

impl InlineSvg {
    /// Called by evcxr when the value is the result of a cell.
    pub fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT text/html\n<div>{}</div>\nEVCXR_END_CONTENT", self.0);
    }
}

/// Renders `panels` to an in-memory SVG (for notebooks).
pub fn inline(title: &str, panels: &[Panel], grid: (usize, usize), size: (u32, u32)) -> Result<InlineSvg, String> {
    let mut svg = String::new();
    draw_all(SVGBackend::with_string(&mut svg, size).into_drawing_area(), title, panels, grid)?;
    Ok(InlineSvg(svg))
}
