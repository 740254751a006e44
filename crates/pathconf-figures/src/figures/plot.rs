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

/// A legend position inside the plotting area.
pub use plotters::chart::SeriesLabelPosition as LegendAt;

/// Where a panel's legend goes, so that it does not cover data.
#[derive(Debug, Clone)]
pub enum Legend {
    /// At a fixed position (the panel's data leave it free whatever the run).
    At(LegendAt),
    /// At the first of these positions whose box covers the fewest drawn
    /// points and line samples — for panels whose free corner moves with
    /// the data (a curve that falls in one setting and rises in another).
    Quietest(Vec<LegendAt>),
}

impl From<LegendAt> for Legend {
    fn from(at: LegendAt) -> Self {
        Legend::At(at)
    }
}

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
    pub legend: Legend,
    /// Optional fixed y range in data units.
    pub y_range: Option<(f64, f64)>,
}

impl Panel {
    /// A chart against the sample size: x = "samples n" on a log₂ axis.
    pub fn versus_n(title: String, y_label: &str, y_scale: Scale, legend: impl Into<Legend>, series: Vec<Series>) -> Self {
        Self { title, x_label: "samples n".into(), y_label: y_label.into(), x_scale: Scale::Log2, y_scale, series, legend: legend.into(), y_range: None }
    }

    /// `s`'s points on the panel's axes (mapped by its scales), without those
    /// a scale cannot show (`log` of 0 or less): the points that are drawn.
    fn drawn_points(&self, s: &Series) -> Vec<(f64, f64)> {
        s.points.iter().map(|&(x, y)| (self.x_scale.map(x), self.y_scale.map(y))).filter(|(x, y)| x.is_finite() && y.is_finite()).collect()
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
        let pts = p.drawn_points(s);
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
    let legend = match &p.legend {
        Legend::At(at) => at.clone(),
        Legend::Quietest(choices) => {
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            let origin = (xr.start, yr.start);
            let to_px = |x: f64, y: f64| {
                let (bx, by) = chart.backend_coord(&(x, y));
                (bx - origin.0, by - origin.1)
            };
            quietest(p, choices, legend_box(p)?, (xr.end - xr.start, yr.end - yr.start), to_px)
        }
    };
    chart
        .configure_series_labels()
        .position(legend)
        .margin(LEGEND_MARGIN)
        .legend_area_size(LEGEND_KEY)
        .label_font(("sans-serif", LEGEND_FONT))
        .background_style(WHITE.mix(0.88))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The legend's font, margin and key width (plotters' default key area).
const LEGEND_FONT: u32 = 15;
const LEGEND_MARGIN: i32 = 10;
const LEGEND_KEY: i32 = 30;

/// The legend box's size in pixels, as plotters lays it out: the labels'
/// text block, plus the key area and a margin on each side.
fn legend_box(p: &Panel) -> Result<(i32, i32), String> {
    let mut text = MultiLineText::<(i32, i32), &str>::new((0, 0), ("sans-serif", LEGEND_FONT));
    for s in p.series.iter().filter(|s| !s.label.is_empty()) {
        text.push_line(s.label.as_str());
    }
    let (w, h) = text.estimate_dimension().map_err(|e| e.to_string())?;
    Ok((w + LEGEND_KEY + 2 * LEGEND_MARGIN, h + 2 * LEGEND_MARGIN))
}

/// Of `choices`, the first whose legend box (`size`, placed as plotters
/// places it in a plotting area of `area` pixels) covers the fewest pixels
/// of data: markers, error-bar ends and samples along drawn lines, mapped by
/// `to_px` (data units → pixels from the area's top left).
fn quietest(p: &Panel, choices: &[LegendAt], size: (i32, i32), area: (i32, i32), to_px: impl Fn(f64, f64) -> (i32, i32)) -> LegendAt {
    /// Samples per line segment between two points.
    const PER_SEGMENT: usize = 8;
    let mut drawn = Vec::new();
    for s in &p.series {
        let pts = p.drawn_points(s);
        drawn.extend(pts.iter().map(|&(x, y)| to_px(x, y)));
        if matches!(s.style, Style::Line | Style::Dashed | Style::PointsLine) {
            for w in pts.windows(2) {
                for k in 1..PER_SEGMENT {
                    let t = k as f64 / PER_SEGMENT as f64;
                    drawn.push(to_px(w[0].0 + t * (w[1].0 - w[0].0), w[0].1 + t * (w[1].1 - w[0].1)));
                }
            }
        }
        if let Some(bars) = &s.bars {
            for (&(x, _), &(lo, hi)) in s.points.iter().zip(bars) {
                for v in [lo, hi] {
                    let (xm, ym) = (p.x_scale.map(x), p.y_scale.map(v));
                    if xm.is_finite() && ym.is_finite() {
                        drawn.push(to_px(xm, ym));
                    }
                }
            }
        }
    }
    let (w, h) = size;
    let place = |at: &LegendAt| {
        // plotters' layout: 5 px from the edge, or centred.
        let x = match at {
            LegendAt::UpperLeft | LegendAt::MiddleLeft | LegendAt::LowerLeft => 5,
            LegendAt::UpperMiddle | LegendAt::MiddleMiddle | LegendAt::LowerMiddle => (area.0 - w) / 2,
            LegendAt::UpperRight | LegendAt::MiddleRight | LegendAt::LowerRight => area.0 - w - 5,
            LegendAt::Coordinate(x, _) => *x,
        };
        let y = match at {
            LegendAt::UpperLeft | LegendAt::UpperMiddle | LegendAt::UpperRight => 5,
            LegendAt::MiddleLeft | LegendAt::MiddleMiddle | LegendAt::MiddleRight => (area.1 - h) / 2,
            LegendAt::LowerLeft | LegendAt::LowerMiddle | LegendAt::LowerRight => area.1 - h - 5,
            LegendAt::Coordinate(_, y) => *y,
        };
        (x, y)
    };
    let covered = |at: &LegendAt| {
        let (x, y) = place(at);
        drawn.iter().filter(|&&(px, py)| px >= x && px <= x + w && py >= y && py <= y + h).count()
    };
    // `min_by_key` keeps the first of equal minima: the caller's order breaks ties.
    choices.iter().min_by_key(|at| covered(at)).cloned().unwrap_or(LegendAt::UpperRight)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A 100 × 100 data square drawn on a 1000 × 1000 pixel area (y up).
    fn to_px(x: f64, y: f64) -> (i32, i32) {
        ((10.0 * x).round() as i32, (1000.0 - 10.0 * y).round() as i32)
    }

    fn line(points: Vec<(f64, f64)>) -> Panel {
        let s = Series::new("a line", palette::SC, Style::Line, points);
        Panel::versus_n("t".into(), "y", Scale::Linear, Legend::At(LegendAt::UpperRight), vec![s])
    }

    #[test]
    fn the_legend_goes_where_the_data_are_not() {
        let (size, area) = ((300, 200), (1000, 1000));
        let choices = [LegendAt::LowerRight, LegendAt::MiddleRight];
        // Log₂ x: points at x = 2⁰ … 2¹⁰ sit at 0 … 10 data units; scale them up.
        let rising = line((0..=10).map(|k| ((1u64 << k) as f64, 10.0 + 5.0 * k as f64)).collect());
        let far = |x: f64, y: f64| to_px(10.0 * x, y);
        // A curve rising through the middle right leaves the lower right free …
        assert_eq!(quietest(&rising, &choices, size, area, far), LegendAt::LowerRight);
        // … one falling to the lower right takes it: the middle right is free.
        let falling = line((0..=10).map(|k| ((1u64 << k) as f64, 95.0 - 9.0 * k as f64)).collect());
        assert_eq!(quietest(&falling, &choices, size, area, far), LegendAt::MiddleRight);
        // A line that crosses a box between its points still counts: two
        // points at the far left and right, the segment through the lower right.
        let crossing = line(vec![(1.0, 10.0), (1024.0, 10.0)]);
        assert_eq!(quietest(&crossing, &choices, size, area, far), LegendAt::MiddleRight);
        // Ties (nothing covered anywhere) keep the caller's order.
        let empty = line(Vec::new());
        assert_eq!(quietest(&empty, &choices, size, area, far), LegendAt::LowerRight);
        let reversed = [LegendAt::MiddleRight, LegendAt::LowerRight];
        assert_eq!(quietest(&empty, &reversed, size, area, far), LegendAt::MiddleRight);
    }

    #[test]
    fn error_bars_count_as_data() {
        // One marker at the middle left whose bar reaches down into the lower left.
        let s = Series::new("p", palette::SC, Style::Points, vec![(2.0, 50.0)]).with_bars(vec![(5.0, 50.0)]);
        let p = Panel::versus_n("t".into(), "y", Scale::Linear, Legend::At(LegendAt::UpperRight), vec![s]);
        let choices = [LegendAt::LowerLeft, LegendAt::UpperLeft];
        assert_eq!(quietest(&p, &choices, (300, 200), (1000, 1000), |x, y| to_px(10.0 * x, y)), LegendAt::UpperLeft);
    }
}
