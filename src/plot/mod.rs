//! Charts, drawn with plotters onto any `DrawingBackend`: a `<canvas>` in the page
//! (plotters-canvas, main thread) and SVG in the CLI. Chart functions take a `DrawingArea`,
//! a [`Theme`] and plain data, never a DOM id, so every chart is tested natively by drawing
//! it to SVG.
//!
//! Convention for a chart module: `pub fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>,
//! theme: &Theme, data: &TheData) -> PlotResult`. Data that cannot be drawn on the requested
//! axes (e.g. non-positive values on log axes) is dropped, never turned into NaN coordinates;
//! an empty series draws an empty chart with a "no data" note instead of failing.
//!
//! Data charts return a [`HoverIndex`] (what was drawn where, in backend pixels) so the page can
//! show the values under the pointer; see [`hover`].

pub mod axis;
pub mod chart;
pub mod hover;
pub mod legend;
pub mod spectrum;
pub mod tails;
pub mod theme;
pub mod training;

pub use chart::Chart;
pub use hover::HoverIndex;
pub use theme::Theme;

use plotters::drawing::DrawingAreaErrorKind;

/// A chart could not be drawn (the backend failed).
#[derive(Debug, Clone, PartialEq)]
pub struct PlotError(pub String);

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "plot error: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

/// Result of drawing a chart.
pub type PlotResult<T = ()> = Result<T, PlotError>;

/// What a chart draws when it has nothing to show: its caption and a centred "no data" (and an
/// empty hover index).
pub fn no_data<DB: plotters::prelude::DrawingBackend>(
    area: &plotters::drawing::DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    title: &str,
) -> PlotResult<HoverIndex> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    area.fill(&theme::BG)?;
    let (w, h) = area.dim_in_pixel();
    area.draw_text(
        title,
        &theme.caption_style(),
        (theme.px(10.0) as i32, theme.px(8.0) as i32),
    )?;
    area.draw_text(
        "no data",
        &theme.label_style().pos(Pos::new(HPos::Center, VPos::Center)),
        (w as i32 / 2, h as i32 / 2),
    )?;
    Ok(HoverIndex::default())
}

/// Renders a chart into an SVG string of `w × h` CSS pixels (CLI export and native tests); what
/// the chart returns (its hover index) is dropped.
pub fn to_svg<F, T>(w: u32, h: u32, draw: F) -> PlotResult<String>
where
    F: FnOnce(
        &plotters::drawing::DrawingArea<plotters::backend::SVGBackend<'_>, plotters::coord::Shift>,
    ) -> PlotResult<T>,
{
    to_svg_with(w, h, draw).map(|(svg, _)| svg)
}

/// [`to_svg`], also returning what the chart returned (e.g. its [`HoverIndex`]).
pub fn to_svg_with<F, T>(w: u32, h: u32, draw: F) -> PlotResult<(String, T)>
where
    F: FnOnce(
        &plotters::drawing::DrawingArea<plotters::backend::SVGBackend<'_>, plotters::coord::Shift>,
    ) -> PlotResult<T>,
{
    use plotters::prelude::*;
    let mut out = String::new();
    let t = {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        let t = draw(&root)?;
        root.present()?;
        t
    };
    Ok((out, t))
}
