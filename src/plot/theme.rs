//! Colours, fonts and line widths shared by every chart, scaled for the device pixel ratio so
//! a canvas sized `css × dpr` pixels draws crisp text and lines of the same apparent size.

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

    /// Stroke width of data lines in device pixels.
    pub fn stroke(&self) -> u32 {
        self.px(1.75)
    }
}
