//! Chart legends. On a wide chart the legend is a box over the plot laid out as plotters'
//! series-label box, in the house style. On a narrow (phone-width) chart that box covers up to a third of the data, so
//! the chart is drawn on the area above a band ([`Legend::split`]) and the legend is drawn by hand
//! in the band, under the x axis: plotters clamps anything drawn outside a plotting area to its
//! edge, so its own legend cannot be moved there, and the entries are therefore kept here as
//! well as on the series.

use super::theme::{Theme, BG, GRID, INK};
use super::PlotResult;
use plotters::chart::{ChartContext, SeriesAnno, SeriesLabelPosition};
use plotters::coord::{CoordTranslate, Shift};
use plotters::drawing::DrawingArea;
use plotters::element::{Circle, DynElement, IntoDynElement, PathElement, Rectangle, Text};
use plotters::prelude::DrawingBackend;
use plotters::style::{Color, ShapeStyle};

/// Charts narrower than this (CSS px) put their legend in a band under the x axis.
const BELOW_WIDTH: f64 = 480.0;
/// Legend text size, CSS px (plotters sets lines 1.25 × the font size apart).
const FONT: f64 = 11.0;
/// Padding inside the legend box, CSS px.
const MARGIN: f64 = 8.0;
/// Room for the marker before the text, CSS px.
const MARKER_AREA: f64 = 26.0;
/// Length of a line marker, CSS px.
const MARKER_LEN: f64 = 18.0;

/// What a legend row shows before its label, sized for the device pixel ratio.
#[derive(Debug, Clone)]
pub enum Marker {
    /// A line segment in the series' style.
    Line(ShapeStyle),
    /// A dot (point series).
    Dot(ShapeStyle),
    /// A filled block (histograms, shaded regions).
    Block(ShapeStyle),
}

impl Marker {
    /// The marker with its left end at `(x, y)`.
    fn element<'b, DB: DrawingBackend>(&self, theme: &Theme, (x, y): (i32, i32)) -> DynElement<'b, DB, (i32, i32)> {
        let len = theme.px(MARKER_LEN) as i32;
        match self {
            Marker::Line(s) => PathElement::new(vec![(x, y), (x + len, y)], *s).into_dyn(),
            Marker::Dot(s) => Circle::new((x + len / 2, y), theme.px(3.0) as i32, *s).into_dyn(),
            Marker::Block(s) => {
                let h = theme.px(4.0) as i32;
                Rectangle::new([(x, y - h), (x + len, y + h)], *s).into_dyn()
            }
        }
    }
}

/// The entries of one chart's legend, in drawing order.
#[derive(Debug, Clone, Default)]
pub struct Legend {
    entries: Vec<(String, Marker)>,
}

impl Legend {
    /// Whether a chart `width_px` device pixels wide draws its legend under the x axis.
    pub fn below(theme: &Theme, width_px: u32) -> bool {
        (width_px as f64) < BELOW_WIDTH * theme.scale
    }

    /// Height of the band for `rows` entries, device pixels.
    fn band_height(theme: &Theme, rows: usize) -> u32 {
        theme.px(1.25 * FONT * rows.max(1) as f64 + 2.0 * MARGIN + 8.0)
    }

    /// `area` split for a chart with at most `rows` legend entries: on a narrow chart the area
    /// above a band of the legend's height and the band, otherwise the whole area and no band.
    pub fn split<DB: DrawingBackend>(
        theme: &Theme,
        area: &DrawingArea<DB, Shift>,
        rows: usize,
    ) -> (DrawingArea<DB, Shift>, Option<DrawingArea<DB, Shift>>) {
        let (w, h) = area.dim_in_pixel();
        let band = Self::band_height(theme, rows);
        // A chart too short to give up the band keeps its legend over the plot.
        if !Self::below(theme, w) || h < 3 * band {
            return (area.clone(), None);
        }
        let (top, bottom) = area.split_vertically(h - band);
        // The chart fills only its own part.
        let _ = bottom.fill(&BG);
        (top, Some(bottom))
    }

    /// Labels `series` for plotters' legend with `marker` and records the entry.
    pub fn add<'a, DB: DrawingBackend + 'a>(
        &mut self,
        theme: &Theme,
        series: &mut SeriesAnno<'a, DB>,
        label: impl Into<String>,
        marker: Marker,
    ) {
        let label = label.into();
        let (t, m) = (theme.clone(), marker.clone());
        series.label(label.clone()).legend(move |p| m.element::<DB>(&t, p));
        self.entries.push((label, marker));
    }

    /// Draws the legend: in `band` when there is one (narrow chart), else as a box over the plot
    /// at `pos`, laid out as plotters' series-label box is (`SeriesLabelStyle::draw`: a line every
    /// 1.25 font sizes, the marker room and margins around the widest label, 5 px from the
    /// plotting area's edges). Both are drawn here from the backend's own text measurement:
    /// plotters' box measures its text through the font, not the backend (in a browser, a
    /// `<span>` per label and a forced layout; in a worker, no document at all).
    pub fn draw<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
        &self,
        theme: &Theme,
        chart: &mut ChartContext<'a, DB, CT>,
        band: Option<&DrawingArea<DB, Shift>>,
        pos: SeriesLabelPosition,
    ) -> PlotResult {
        if self.entries.is_empty() {
            return Ok(());
        }
        let style = theme.font(FONT).color(&INK);
        let Some(band) = band else {
            let area = chart.plotting_area().strip_coord_spec();
            let size = style.font.get_size();
            let margin = theme.px(MARGIN) as i32;
            let marker_room = theme.px(MARKER_AREA) as i32;
            let mut rows = Vec::with_capacity(self.entries.len());
            for (i, (label, _)) in self.entries.iter().enumerate() {
                let (w, h) = area.estimate_text_size(label, &style)?;
                rows.push(((i as f64 * 1.25 * size).round() as i32, w as i32, h as i32));
            }
            let text_w = rows.iter().map(|r| r.1).max().unwrap_or(0);
            let text_h = rows.iter().map(|r| r.0 + r.2).max().unwrap_or(0);
            let (w, h) = (text_w + marker_room + 2 * margin, text_h + 2 * margin);
            let (x0, y0) = box_position(&pos, (w, h), area.dim_in_pixel());
            area.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], BG.mix(0.85).filled()))?;
            area.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], GRID))?;
            for ((label, _), &(dy, _, _)) in self.entries.iter().zip(&rows) {
                let at = (x0 + marker_room + margin, y0 + margin + dy);
                area.draw(&Text::new(label.clone(), at, style.clone()))?;
            }
            for ((_, marker), &(dy, _, th)) in self.entries.iter().zip(&rows) {
                let top = y0 + margin + dy;
                area.draw(&marker.element::<DB>(theme, (x0 + margin, (2 * top + th) / 2)))?;
            }
            return Ok(());
        };
        let row = (1.25 * FONT * theme.scale).round() as i32;
        let margin = theme.px(MARGIN) as i32;
        let text_w = self
            .entries
            .iter()
            .map(|(l, _)| band.estimate_text_size(l, &style).map_or(0, |(w, _)| w))
            .max()
            .unwrap_or(0) as i32;
        let (x0, y0) = (theme.px(10.0) as i32, theme.px(4.0) as i32);
        let (w, h) = (
            2 * margin + theme.px(MARKER_AREA) as i32 + text_w,
            2 * margin + row * self.entries.len() as i32,
        );
        band.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], BG.filled()))?;
        band.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], GRID))?;
        for (i, (label, marker)) in self.entries.iter().enumerate() {
            let y = y0 + margin + row * i as i32 + row / 2;
            band.draw(&marker.element::<DB>(theme, (x0 + margin, y)))?;
            let text_y = y - band.estimate_text_size(label, &style).map_or(0, |(_, th)| th as i32) / 2;
            band.draw(&Text::new(
                label.clone(),
                (x0 + margin + theme.px(MARKER_AREA) as i32, text_y),
                style.clone(),
            ))?;
        }
        Ok(())
    }
}

/// The top left corner of a `size` legend box at `pos` in an area of `area` pixels (plotters'
/// `SeriesLabelPosition::layout_label_area`, which is private: 5 px from the edges).
fn box_position(pos: &SeriesLabelPosition, size: (i32, i32), area: (u32, u32)) -> (i32, i32) {
    use SeriesLabelPosition::*;
    let (w, h) = (area.0 as i32, area.1 as i32);
    let x = match pos {
        UpperLeft | MiddleLeft | LowerLeft => 5,
        UpperMiddle | MiddleMiddle | LowerMiddle => (w - size.0) / 2,
        UpperRight | MiddleRight | LowerRight => w - size.0 - 5,
        Coordinate(x, _) => *x,
    };
    let y = match pos {
        UpperLeft | UpperMiddle | UpperRight => 5,
        MiddleLeft | MiddleMiddle | MiddleRight => (h - size.1) / 2,
        LowerLeft | LowerMiddle | LowerRight => h - size.1 - 5,
        Coordinate(_, y) => *y,
    };
    (x, y)
}
