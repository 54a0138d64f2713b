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
    /// Text size factor: every font (and the axis-label room) is `text` × its nominal CSS size
    /// (1 for SVG and fixed-size exports; [`Theme::for_canvas`] ties it to the chart's width).
    pub text: f64,
}

impl Default for Theme {
    fn default() -> Self {
        Theme { scale: 1.0, text: 1.0 }
    }
}

/// Axis-label size in CSS px of a chart `css_width` CSS px wide: clamp(11, width / 70, 16)
/// (a 360 px phone chart gets 11 px, a 916 px chart on a 1920 px projector 13 px, a 1200 px
/// chart 16 px). Non-finite or non-positive widths give the nominal 12 px.
pub fn label_px_for_width(css_width: f64) -> f64 {
    if css_width.is_finite() && css_width > 0.0 {
        (css_width / 70.0).clamp(11.0, 16.0)
    } else {
        12.0
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
        Theme { scale, text: 1.0 }
    }

    /// A theme for a canvas `css_width` CSS px wide at device pixel ratio `dpr`: fonts scale with
    /// the chart's width, axis labels at [`label_px_for_width`] (so text stays readable on a
    /// projector and does not crowd a phone).
    pub fn for_canvas(dpr: f64, css_width: f64) -> Self {
        Theme {
            text: label_px_for_width(css_width) / 12.0,
            ..Self::for_dpr(dpr)
        }
    }

    /// A text-related length of `css_px` nominal CSS pixels (scaled by `text`) in device pixels.
    pub fn text_px(&self, css_px: f64) -> u32 {
        (css_px * self.text * self.scale).round().max(1.0) as u32
    }

    /// A length of `css_px` CSS pixels in device pixels.
    pub fn px(&self, css_px: f64) -> u32 {
        (css_px * self.scale).round().max(1.0) as u32
    }

    /// The sans-serif font at `css_px` nominal CSS px (× `text`).
    pub fn font(&self, css_px: f64) -> FontDesc<'static> {
        ("sans-serif", css_px * self.text * self.scale).into_font()
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
    pub fn frame<'a, 'b, DB: DrawingBackend>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
        caption: &str,
    ) -> ChartBuilder<'a, 'b, DB> {
        let mut builder = ChartBuilder::on(area);
        builder
            .margin(self.px(10.0))
            .x_label_area_size(self.text_px(38.0))
            .y_label_area_size(self.text_px(56.0));
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
        let fits = |t: &str| {
            area.estimate_text_size(t, &self.caption_style())
                .map_or(true, |(w, _)| w <= room)
        };
        if fits(caption) {
            return caption.to_string();
        }
        let chars: Vec<char> = caption.chars().collect();
        let (mut lo, mut hi) = (0, chars.len());
        // Longest prefix that fits with the ellipsis (binary search: the width grows with length).
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let t: String = chars[..mid].iter().collect::<String>() + "…";
            if fits(&t) {
                lo = mid
            } else {
                hi = mid - 1
            }
        }
        chars[..lo].iter().collect::<String>().trim_end().to_string() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::{IntoDrawingArea, SVGBackend};

    /// The font sizes (px) of an SVG's text: plotters writes `font-size` as the size ÷ 1.24.
    fn font_sizes(svg: &str) -> Vec<f64> {
        svg.split("font-size=\"")
            .skip(1)
            .filter_map(|r| r.split('"').next()?.parse::<f64>().ok())
            .map(|v| v * 1.24)
            .collect()
    }

    #[test]
    fn text_scales_with_the_chart_width() {
        assert_eq!(label_px_for_width(360.0), 11.0);
        assert!((label_px_for_width(916.0) - 916.0 / 70.0).abs() < 1e-12);
        assert_eq!(label_px_for_width(1920.0), 16.0);
        assert_eq!(label_px_for_width(f64::NAN), 12.0);
        // Charts drawn as the page draws them (DPR 1): a phone-width and a projector-width chart.
        let draw = |w: u32| {
            let data = crate::plot::training::TrainingCurves {
                step: vec![0.0, 1.0, 2.0],
                loss: vec![2.0, 1.5, 1.2],
                ..Default::default()
            };
            crate::plot::to_svg(w, w / 2, |a| {
                crate::plot::training::draw(a, &Theme::for_canvas(1.0, w as f64), &data)
            })
            .unwrap()
        };
        let (small, large) = (font_sizes(&draw(360)), font_sizes(&draw(1920)));
        assert!(!small.is_empty() && !large.is_empty());
        // Axis labels: the smallest text, 11 px at 360 px, 16 px at 1920 px (legend text 11 × text).
        let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
        assert!(min(&small) >= 10.0 && max(&small) <= 12.5, "360 px: {small:?}");
        assert!(
            min(&large) >= 14.5 && large.iter().any(|s| (s - 16.0).abs() < 0.01),
            "1920 px: {large:?}"
        );
        // At DPR 2 the same chart's text is twice as many device pixels.
        let hi = crate::plot::to_svg(1832, 900, |a| {
            crate::plot::training::draw(
                a,
                &Theme::for_canvas(2.0, 916.0),
                &crate::plot::training::TrainingCurves::default(),
            )
        })
        .unwrap();
        assert!(
            font_sizes(&hi).iter().any(|s| (s - 2.0 * 916.0 / 70.0).abs() < 0.01),
            "{:?}",
            font_sizes(&hi)
        );
    }

    #[test]
    fn long_captions_are_cut_to_the_chart_width() {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (300, 200)).into_drawing_area();
            let theme = Theme::for_dpr(1.0);
            assert_eq!(theme.fit_caption(&area, "Short"), "Short");
            let long = "Covariance spectrum of my-gradients.csv (150 rows × 60 columns)";
            let cut = theme.fit_caption(&area, long);
            assert!(
                cut.ends_with('…') && cut.chars().count() < long.chars().count(),
                "{cut}"
            );
            assert!(long.starts_with(cut.trim_end_matches('…')), "a prefix: {cut}");
            let (w, _) = area.estimate_text_size(&cut, &theme.caption_style()).unwrap();
            assert!(w <= 300 - 20, "{w} px");
        }
    }
}
