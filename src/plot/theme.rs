//! Colours, fonts and line widths shared by every chart, scaled for the device pixel ratio so
//! a canvas sized `css × dpr` pixels draws crisp text and lines of the same apparent size.

use plotters::chart::ChartBuilder;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::prelude::DrawingBackend;
use plotters::style::{FontDesc, IntoFont, RGBColor, TextStyle};

/// Visual parameters of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Device pixels per CSS pixel (the page passes `window.devicePixelRatio`; SVG uses 1).
    pub scale: f64,
}

impl Default for Theme {
    fn default() -> Self {
        Theme { scale: 1.0 }
    }
}

/// Background.
pub const BG: RGBColor = RGBColor(255, 255, 255);
/// Axis lines, labels and text.
pub const INK: RGBColor = RGBColor(40, 44, 52);
/// Light grid lines.
pub const GRID: RGBColor = RGBColor(228, 231, 236);
/// Data series, in order (colour-blind-safe Okabe–Ito palette).
pub const SERIES: [RGBColor; 6] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
];
/// Fitted lines and theory curves.
pub const FIT: RGBColor = RGBColor(20, 20, 20);

impl Theme {
    /// A theme for a device pixel ratio (clamped to [1, 4]; non-finite → 1).
    pub fn for_dpr(dpr: f64) -> Self {
        let scale = if dpr.is_finite() { dpr.clamp(1.0, 4.0) } else { 1.0 };
        Theme { scale }
    }

    /// A length of `css_px` CSS pixels in device pixels.
    pub fn px(&self, css_px: f64) -> u32 {
        (css_px * self.scale).round().max(1.0) as u32
    }

    /// The sans-serif font at `css_px`.
    pub fn font(&self, css_px: f64) -> FontDesc<'static> {
        ("sans-serif", css_px * self.scale).into_font()
    }

    /// Text style for axis labels.
    pub fn label_style(&self) -> TextStyle<'static> {
        self.font(12.0).color(&INK)
    }

    /// Text style for chart captions.
    pub fn caption_style(&self) -> TextStyle<'static> {
        self.font(14.0).color(&INK)
    }

    /// How many axis labels fit along `len_px` device pixels at one label per `css_px_per_label`
    /// CSS pixels, clamped to 3..=10 (so a 360 px wide phone does not get 12 colliding ticks).
    pub fn label_count(&self, len_px: u32, css_px_per_label: f64) -> usize {
        ((len_px as f64 / self.scale / css_px_per_label).floor() as usize).clamp(3, 10)
    }

    /// Stroke width of data lines in device pixels.
    pub fn stroke(&self) -> u32 {
        self.px(1.75)
    }

    /// The house chart frame on `area`: margin, caption (none when empty) and axis-label areas in
    /// CSS pixels scaled by the device pixel ratio; charts add only their coordinate ranges.
    pub fn frame<'a, 'b, DB: DrawingBackend>(&self, area: &'a DrawingArea<DB, Shift>, caption: &str) -> ChartBuilder<'a, 'b, DB> {
        let mut builder = ChartBuilder::on(area);
        builder.margin(self.px(10.0)).x_label_area_size(self.px(38.0)).y_label_area_size(self.px(56.0));
        if !caption.is_empty() {
            builder.caption(self.fit_caption(area, caption), self.caption_style());
        }
        builder
    }

    /// `caption` shortened with "…" (at a character boundary) until the backend measures it
    /// narrower than `area` less its margins: a long title (a file name, say) on a phone-sized
    /// chart is cut, not clipped mid-letter at both edges.
    pub fn fit_caption<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, caption: &str) -> String {
        let room = area.dim_in_pixel().0.saturating_sub(2 * self.px(10.0));
        let fits = |t: &str| area.estimate_text_size(t, &self.caption_style()).map_or(true, |(w, _)| w <= room);
        if fits(caption) {
            return caption.to_string();
        }
        let chars: Vec<char> = caption.chars().collect();
        let (mut lo, mut hi) = (0, chars.len());
        // Longest prefix that fits with the ellipsis (binary search: the width grows with length).
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let t: String = chars[..mid].iter().collect::<String>() + "…";
            if fits(&t) { lo = mid } else { hi = mid - 1 }
        }
        chars[..lo].iter().collect::<String>().trim_end().to_string() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::{IntoDrawingArea, SVGBackend};

    #[test]
    fn long_captions_are_cut_to_the_chart_width() {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (300, 200)).into_drawing_area();
            let theme = Theme::for_dpr(1.0);
            assert_eq!(theme.fit_caption(&area, "Short"), "Short");
            let long = "Covariance spectrum of my-gradients.csv (150 rows × 60 columns)";
            let cut = theme.fit_caption(&area, long);
            assert!(cut.ends_with('…') && cut.chars().count() < long.chars().count(), "{cut}");
            assert!(long.starts_with(cut.trim_end_matches('…')), "a prefix: {cut}");
            let (w, _) = area.estimate_text_size(&cut, &theme.caption_style()).unwrap();
            assert!(w <= 300 - 20, "{w} px");
        }
    }
}
