//! The hover index of a chart: what was drawn where, so the page can show the data values under
//! the pointer without redrawing the chart.
//!
//! Every chart function returns a [`HoverIndex`]: the plotting area and, per series, its name,
//! the names of its axes, and its points both as data values and as *backend pixel* positions
//! (for a canvas: backing-store pixels, i.e. CSS pixels × devicePixelRatio). The pixel positions
//! are computed by the chart's own coordinate mapping (`ChartContext::as_coord_spec().translate`,
//! what plotters uses to place every element), so a point of the index sits exactly on the
//! marker or line vertex drawn for it. Series are thinned to at most [`CAP`] points in a way that
//! keeps the first and last point and the extremes (see [`Thin`]). Plain Rust: no browser types.

use plotters::coord::CoordTranslate;
use plotters::drawing::DrawingArea;
use plotters::prelude::DrawingBackend;
use serde::Serialize;

/// Most points kept per series.
pub const CAP: usize = 1000;

/// How a series longer than [`CAP`] is thinned. Every rule keeps the first and the last point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thin {
    /// A curve ordered by x: per bucket of consecutive points, the lowest and the highest y
    /// (min–max decimation: spikes and dips survive).
    Extremes,
    /// Evenly spaced in log(index + 1): dense at the start (rank plots: the largest eigenvalues).
    LogHead,
    /// Evenly spaced in log(distance from the end): dense at the end (a CCDF of values sorted
    /// ascending: the tail).
    LogTail,
    /// Dense at both ends (a Q–Q plot: both tails).
    LogBoth,
}

/// One drawn series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoverSeries {
    /// The series' legend name.
    pub name: String,
    /// What x and y are (axis names, short).
    pub x_name: String,
    pub y_name: String,
    /// Backend pixel positions, flattened `[x0, y0, x1, y1, …]`.
    pub px: Vec<i32>,
    /// Data values of the points (same order as `px`).
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// The values as the read-out shows them ([`crate::format::readout`]).
    pub x_text: Vec<String>,
    pub y_text: Vec<String>,
}

impl HoverSeries {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Whether the series has no points.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Pixel position of point `i`.
    pub fn pixel(&self, i: usize) -> (i32, i32) {
        (self.px[2 * i], self.px[2 * i + 1])
    }
}

/// The hover index of one chart.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct HoverIndex {
    /// The plotting area (inside the axes) in backend pixels, inclusive: `[left, top, right, bottom]`.
    /// All zeros when nothing was plotted.
    pub area: [i32; 4],
    /// The series, main data first (the keyboard steps through `series[0]`).
    pub series: Vec<HoverSeries>,
}

impl HoverIndex {
    /// An empty index for the plotting area of a chart (`chart.plotting_area()`).
    pub fn on<DB: DrawingBackend, CT: CoordTranslate>(plotting_area: &DrawingArea<DB, CT>) -> Self {
        let (x, y) = plotting_area.get_pixel_range();
        HoverIndex {
            area: [x.start, y.start, x.end - 1, y.end - 1],
            series: Vec::new(),
        }
    }

    /// Adds a series: `points` mapped through `coord` (the chart's coordinate spec, e.g.
    /// `chart.as_coord_spec()`), thinned by `thin` to at most [`CAP`] points. Empty series are
    /// skipped.
    pub fn add<CT: CoordTranslate<From = (f64, f64)>>(
        &mut self,
        coord: &CT,
        name: impl Into<String>,
        (x_name, y_name): (&str, &str),
        points: &[(f64, f64)],
        thin: Thin,
    ) {
        let keep = thinned(points, CAP, thin);
        if keep.is_empty() {
            return;
        }
        let mut s = HoverSeries {
            name: name.into(),
            x_name: x_name.to_string(),
            y_name: y_name.to_string(),
            px: Vec::with_capacity(2 * keep.len()),
            x: Vec::with_capacity(keep.len()),
            y: Vec::with_capacity(keep.len()),
            x_text: Vec::with_capacity(keep.len()),
            y_text: Vec::with_capacity(keep.len()),
        };
        for i in keep {
            let p = points[i];
            let (bx, by) = coord.translate(&p);
            s.px.extend([bx, by]);
            s.x.push(p.0);
            s.y.push(p.1);
            s.x_text.push(crate::format::readout(p.0));
            s.y_text.push(crate::format::readout(p.1));
        }
        self.series.push(s);
    }

    /// The series called `name`.
    pub fn get(&self, name: &str) -> Option<&HoverSeries> {
        self.series.iter().find(|s| s.name == name)
    }

    /// Compact JSON for the page.
    pub fn to_json(&self) -> String {
        // Only finite numbers reach the index (charts drop the rest), so this cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| "{\"area\":[0,0,0,0],\"series\":[]}".to_string())
    }
}

/// Indices of `points` kept by `thin` (all of them when there are at most `cap`), ascending.
pub fn thinned(points: &[(f64, f64)], cap: usize, thin: Thin) -> Vec<usize> {
    let n = points.len();
    let cap = cap.max(2);
    if n <= cap {
        return (0..n).collect();
    }
    match thin {
        Thin::Extremes => extremes(points, cap),
        Thin::LogHead => log_head(n, cap),
        Thin::LogTail => log_tail(n, cap),
        Thin::LogBoth => {
            let mut v = log_head(n, cap / 2);
            v.extend(log_tail(n, cap / 2));
            v.sort_unstable();
            v.dedup();
            v
        }
    }
}

/// Indices 0..n thinned to at most `max`, evenly spaced in log(rank from the top, n − i) so the
/// end keeps every point and the start is sampled; keeps 0 and n − 1.
pub fn log_tail(n: usize, max: usize) -> Vec<usize> {
    let mut out: Vec<usize> = log_head(n, max).into_iter().map(|i| n - 1 - i).collect();
    out.reverse();
    out
}

/// Indices 0..n thinned to at most `max`, evenly spaced in log(i + 1): the start keeps every
/// point; keeps 0 and n − 1.
pub fn log_head(n: usize, max: usize) -> Vec<usize> {
    if n <= max {
        return (0..n).collect();
    }
    if max < 2 {
        return if max == 1 { vec![0] } else { Vec::new() };
    }
    let mut out: Vec<usize> = (0..max)
        .map(|k| {
            let rank = ((n as f64).ln() * k as f64 / (max - 1) as f64).exp().round() as usize; // 1..=n
            rank.clamp(1, n) - 1
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Min–max decimation: the first and last point, and per bucket the lowest and highest y.
fn extremes(points: &[(f64, f64)], cap: usize) -> Vec<usize> {
    let n = points.len();
    let buckets = ((cap - 2) / 2).max(1);
    let mut out = vec![0, n - 1];
    for b in 0..buckets {
        let (lo, hi) = (1 + b * (n - 2) / buckets, 1 + (b + 1) * (n - 2) / buckets);
        if lo >= hi {
            continue;
        }
        let (mut imin, mut imax) = (lo, lo);
        for i in lo..hi {
            if points[i].1 < points[imin].1 {
                imin = i;
            }
            if points[i].1 > points[imax].1 {
                imax = i;
            }
        }
        out.extend([imin, imax]);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Centres of the `<circle>` elements of an SVG drawn by plotters (tests: a hover point sits on
/// a drawn marker).
#[cfg(test)]
pub(crate) fn svg_circles(svg: &str) -> std::collections::HashSet<(i32, i32)> {
    let attr = |tag: &str, name: &str| -> i32 {
        let start = tag.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    svg.split("<circle")
        .skip(1)
        .map(|t| (attr(t, "cx"), attr(t, "cy")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(n: usize, f: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
        (0..n).map(|i| (i as f64, f(i))).collect()
    }

    #[test]
    fn short_series_are_kept_whole() {
        for thin in [Thin::Extremes, Thin::LogHead, Thin::LogTail, Thin::LogBoth] {
            assert_eq!(thinned(&pts(7, |i| i as f64), CAP, thin), (0..7).collect::<Vec<_>>());
        }
    }

    #[test]
    fn thinning_respects_the_cap_and_keeps_first_and_last() {
        for n in [1001, 1500, 4321, 100_000] {
            let p = pts(n, |i| ((i * 7919) % 1000) as f64);
            for thin in [Thin::Extremes, Thin::LogHead, Thin::LogTail, Thin::LogBoth] {
                let k = thinned(&p, CAP, thin);
                assert!(
                    k.len() <= CAP && k.len() > CAP / 3,
                    "{thin:?} n={n}: {} points",
                    k.len()
                );
                assert_eq!(k[0], 0, "{thin:?} keeps the first");
                assert_eq!(*k.last().unwrap(), n - 1, "{thin:?} keeps the last");
                assert!(k.windows(2).all(|w| w[0] < w[1]), "{thin:?} ascending, no repeats");
            }
        }
    }

    #[test]
    fn extremes_keep_spikes_and_log_rules_keep_their_dense_end() {
        let mut p = pts(50_000, |i| 1.0 + (i % 3) as f64 * 0.01);
        p[31_337].1 = 100.0; // a spike
        p[12_345].1 = -5.0; // a dip
        let k = thinned(&p, CAP, Thin::Extremes);
        assert!(k.contains(&31_337) && k.contains(&12_345));
        // LogHead keeps the first ranks whole; LogTail the last; LogBoth both.
        let n = 50_000;
        let head = log_head(n, CAP);
        assert!((0..80).all(|i| head.contains(&i)));
        let tail = log_tail(n, CAP);
        assert!((n - 80..n).all(|i| tail.contains(&i)));
        let both = thinned(&p, CAP, Thin::LogBoth);
        assert!(both.contains(&10) && both.contains(&(n - 11)));
    }

    #[test]
    fn pixels_come_from_the_coordinate_mapping() {
        use plotters::prelude::*;
        // A 300 × 200 area whose plotting area is the whole of it: linear x, log y.
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (300, 200)).into_drawing_area();
        let chart = ChartBuilder::on(&root)
            .build_cartesian_2d(0.0..10.0, (1.0..100.0).log_scale())
            .unwrap();
        let mut idx = HoverIndex::on(chart.plotting_area());
        assert_eq!(idx.area, [0, 0, 299, 199]);
        idx.add(
            chart.as_coord_spec(),
            "s",
            ("x", "y"),
            &[(0.0, 1.0), (5.0, 10.0), (10.0, 100.0)],
            Thin::Extremes,
        );
        let s = idx.get("s").unwrap();
        assert_eq!(s.pixel(0), (0, 199), "bottom left");
        assert_eq!(s.pixel(1), (149, 100), "middle: half of the width, half of the decades");
        assert_eq!(s.pixel(2), (299, 0), "top right");
        assert_eq!(
            (s.x.clone(), s.y.clone()),
            (vec![0.0, 5.0, 10.0], vec![1.0, 10.0, 100.0])
        );
        let json = idx.to_json();
        assert!(
            json.starts_with("{\"area\":[0,0,299,199],\"series\":[{\"name\":\"s\""),
            "{json}"
        );
    }
}
