//! A plotters [`DrawingBackend`] for a 2-D canvas context that never touches the DOM: text is
//! measured with the context's own `measureText` (the HTML standard's `TextMetrics`,
//! <https://html.spec.whatwg.org/multipage/canvas.html#textmetrics>), so it draws the same on a
//! `<canvas>` on the main thread ([`CanvasRenderingContext2d`]) and on an `OffscreenCanvas` in a
//! worker ([`OffscreenCanvasRenderingContext2d`]), where there is no document at all.
//!
//! Why not plotters-canvas: it leaves text measurement to plotters' web font code, which appends a
//! `<span>` to the page for every label and reads `offsetWidth`/`offsetHeight` — a forced
//! synchronous layout per label (most of a chart's draw time, docs/RELIABILITY.md "Main thread")
//! and impossible in a worker. Everything else here draws what plotters-canvas 0.3.1 draws, call
//! for call (the same half-pixel shift of axis-parallel lines, the same text anchors and rotation),
//! so charts look the same (`tests/web_canvas.rs` compares the pixels).
//!
//! Text extents: width = `TextMetrics.width` (the advance width, as the span's `offsetWidth`
//! was), height = `fontBoundingBoxAscent + fontBoundingBoxDescent` (the font's line box, as the
//! span's `offsetHeight` with `line-height: normal` was: the same for every text in one font, so
//! a caption's room does not depend on whether its letters have descenders). Each backend keeps
//! the extents it measured, so a label measured for layout and again for drawing costs one call.
//!
//! The context's state is cached on the Rust side too (fill and stroke colour, line width, font,
//! alignment): plotters sets the style before every element, and a canvas re-parses a colour or a
//! font string on every assignment.

use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontTransform,
};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::{CanvasRenderingContext2d, OffscreenCanvasRenderingContext2d, TextMetrics};

/// The calls of the Canvas 2-D API (<https://html.spec.whatwg.org/multipage/canvas.html#canvasrenderingcontext2d>)
/// the backend makes: the same on the main thread's context and on an `OffscreenCanvas`'s.
pub trait Context2d {
    fn set_fill_style_str(&self, v: &str);
    fn set_stroke_style_str(&self, v: &str);
    fn set_line_width(&self, v: f64);
    fn set_font(&self, v: &str);
    fn set_text_align(&self, v: &str);
    fn set_text_baseline(&self, v: &str);
    fn fill_rect(&self, x: f64, y: f64, w: f64, h: f64);
    fn stroke_rect(&self, x: f64, y: f64, w: f64, h: f64);
    fn begin_path(&self);
    fn move_to(&self, x: f64, y: f64);
    fn line_to(&self, x: f64, y: f64);
    fn close_path(&self);
    fn stroke(&self);
    fn fill(&self);
    fn arc(&self, x: f64, y: f64, r: f64, a0: f64, a1: f64) -> Result<(), JsValue>;
    fn save(&self);
    fn restore(&self);
    fn translate(&self, x: f64, y: f64) -> Result<(), JsValue>;
    fn rotate(&self, angle: f64) -> Result<(), JsValue>;
    fn fill_text(&self, text: &str, x: f64, y: f64) -> Result<(), JsValue>;
    fn measure_text(&self, text: &str) -> Result<TextMetrics, JsValue>;
}

/// Implements [`Context2d`] for a web-sys context type by forwarding every call.
macro_rules! context_2d {
    ($t:ty) => {
        impl Context2d for $t {
            fn set_fill_style_str(&self, v: &str) {
                <$t>::set_fill_style_str(self, v)
            }
            fn set_stroke_style_str(&self, v: &str) {
                <$t>::set_stroke_style_str(self, v)
            }
            fn set_line_width(&self, v: f64) {
                <$t>::set_line_width(self, v)
            }
            fn set_font(&self, v: &str) {
                <$t>::set_font(self, v)
            }
            fn set_text_align(&self, v: &str) {
                <$t>::set_text_align(self, v)
            }
            fn set_text_baseline(&self, v: &str) {
                <$t>::set_text_baseline(self, v)
            }
            fn fill_rect(&self, x: f64, y: f64, w: f64, h: f64) {
                <$t>::fill_rect(self, x, y, w, h)
            }
            fn stroke_rect(&self, x: f64, y: f64, w: f64, h: f64) {
                <$t>::stroke_rect(self, x, y, w, h)
            }
            fn begin_path(&self) {
                <$t>::begin_path(self)
            }
            fn move_to(&self, x: f64, y: f64) {
                <$t>::move_to(self, x, y)
            }
            fn line_to(&self, x: f64, y: f64) {
                <$t>::line_to(self, x, y)
            }
            fn close_path(&self) {
                <$t>::close_path(self)
            }
            fn stroke(&self) {
                <$t>::stroke(self)
            }
            fn fill(&self) {
                <$t>::fill(self)
            }
            fn arc(&self, x: f64, y: f64, r: f64, a0: f64, a1: f64) -> Result<(), JsValue> {
                <$t>::arc(self, x, y, r, a0, a1)
            }
            fn save(&self) {
                <$t>::save(self)
            }
            fn restore(&self) {
                <$t>::restore(self)
            }
            fn translate(&self, x: f64, y: f64) -> Result<(), JsValue> {
                <$t>::translate(self, x, y)
            }
            fn rotate(&self, angle: f64) -> Result<(), JsValue> {
                <$t>::rotate(self, angle)
            }
            fn fill_text(&self, text: &str, x: f64, y: f64) -> Result<(), JsValue> {
                <$t>::fill_text(self, text, x, y)
            }
            fn measure_text(&self, text: &str) -> Result<TextMetrics, JsValue> {
                <$t>::measure_text(self, text)
            }
        }
    };
}

context_2d!(CanvasRenderingContext2d);
context_2d!(OffscreenCanvasRenderingContext2d);

/// Either context, chosen at run time: the page draws through one backend type, so the chart
/// code (generic over the backend) is compiled once, not once per context type.
pub enum AnyContext2d {
    /// A `<canvas>` element's context (the main thread).
    Element(CanvasRenderingContext2d),
    /// An `OffscreenCanvas`'s context (a worker, or a canvas transferred from an element).
    Offscreen(OffscreenCanvasRenderingContext2d),
}

/// Forwards a [`Context2d`] call to the context inside an [`AnyContext2d`].
macro_rules! any_context_2d {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) $(-> $ret:ty)?;)*) => {
        impl Context2d for AnyContext2d {
            $(fn $name(&self $(, $arg: $ty)*) $(-> $ret)? {
                match self {
                    AnyContext2d::Element(c) => Context2d::$name(c $(, $arg)*),
                    AnyContext2d::Offscreen(c) => Context2d::$name(c $(, $arg)*),
                }
            })*
        }
    };
}

any_context_2d! {
    fn set_fill_style_str(&self, v: &str);
    fn set_stroke_style_str(&self, v: &str);
    fn set_line_width(&self, v: f64);
    fn set_font(&self, v: &str);
    fn set_text_align(&self, v: &str);
    fn set_text_baseline(&self, v: &str);
    fn fill_rect(&self, x: f64, y: f64, w: f64, h: f64);
    fn stroke_rect(&self, x: f64, y: f64, w: f64, h: f64);
    fn begin_path(&self);
    fn move_to(&self, x: f64, y: f64);
    fn line_to(&self, x: f64, y: f64);
    fn close_path(&self);
    fn stroke(&self);
    fn fill(&self);
    fn arc(&self, x: f64, y: f64, r: f64, a0: f64, a1: f64) -> Result<(), JsValue>;
    fn save(&self);
    fn restore(&self);
    fn translate(&self, x: f64, y: f64) -> Result<(), JsValue>;
    fn rotate(&self, angle: f64) -> Result<(), JsValue>;
    fn fill_text(&self, text: &str, x: f64, y: f64) -> Result<(), JsValue>;
    fn measure_text(&self, text: &str) -> Result<TextMetrics, JsValue>;
}

/// A canvas call failed (the message of the JS exception).
#[derive(Debug, Clone, PartialEq)]
pub struct CanvasError(pub String);

impl std::fmt::Display for CanvasError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "canvas error: {}", self.0)
    }
}

impl std::error::Error for CanvasError {}

fn js_error(e: JsValue) -> DrawingErrorKind<CanvasError> {
    use wasm_bindgen::JsCast;
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    DrawingErrorKind::DrawingError(CanvasError(text))
}

/// Width and height (device pixels) of texts measured in one font.
pub type Extents = HashMap<(String, String), (u32, u32)>;

/// What the context was last set to (so unchanged settings are not assigned again).
#[derive(Default)]
struct State {
    fill: Option<Rgba>,
    stroke: Option<Rgba>,
    line_width: Option<f64>,
    font: Option<String>,
    align: Option<&'static str>,
    baseline: Option<&'static str>,
}

/// A colour as the cache compares it (plotters' `BackendColor` has no `PartialEq`): red, green,
/// blue and the bits of the alpha.
type Rgba = (u8, u8, u8, u64);

fn rgba(c: BackendColor) -> Rgba {
    (c.rgb.0, c.rgb.1, c.rgb.2, c.alpha.to_bits())
}

/// The backend: a 2-D context and its canvas' size in device pixels.
pub struct Canvas2dBackend<C: Context2d> {
    ctx: C,
    size: (u32, u32),
    state: RefCell<State>,
    extents: Rc<RefCell<Extents>>,
}

/// `rgba(r,g,b,a)`, as plotters-canvas writes colours.
fn css_colour(c: BackendColor) -> String {
    let (r, g, b) = c.rgb;
    format!("rgba({r},{g},{b},{})", c.alpha)
}

/// The CSS font of a text style: `style size px family` (as plotters-canvas sets it).
fn css_font<S: BackendTextStyle>(style: &S) -> String {
    format!(
        "{} {}px {}",
        style.style().as_str(),
        style.size(),
        style.family().as_str()
    )
}

/// Horizontal and vertical lines moved half a pixel so a 1-pixel line covers one pixel column
/// or row instead of two half-covered ones (what plotters-canvas does, see
/// <https://developer.mozilla.org/en-US/docs/Web/API/Canvas_API/Tutorial/Applying_styles_and_colors#a_linewidth_example>).
fn fine_hor_ver_lines(from: BackendCoord, to: BackendCoord) -> ((f64, f64), (f64, f64)) {
    let mut a = (f64::from(from.0), f64::from(from.1));
    let mut b = (f64::from(to.0), f64::from(to.1));
    if a.0 == b.0 {
        a.0 -= 0.5;
        b.0 -= 0.5;
    }
    if a.1 == b.1 {
        a.1 -= 0.5;
        b.1 -= 0.5;
    }
    (a, b)
}

/// The extents of one text from its metrics: (advance width, font ascent + font descent), each
/// rounded to whole pixels. Engines without the font bounding box fall back to the text's own
/// ink bounding box.
fn extents_of(m: &TextMetrics) -> (u32, u32) {
    let (a, d) = (m.font_bounding_box_ascent(), m.font_bounding_box_descent());
    let (a, d) = if a.is_finite() && d.is_finite() {
        (a, d)
    } else {
        (m.actual_bounding_box_ascent(), m.actual_bounding_box_descent())
    };
    let px = |v: f64| if v.is_finite() { v.round().max(0.0) as u32 } else { 0 };
    (px(m.width()), px(a) + px(d))
}

impl<C: Context2d> Canvas2dBackend<C> {
    /// A backend drawing with `ctx` on a canvas of `size` device pixels.
    pub fn new(ctx: C, size: (u32, u32)) -> Self {
        Self::with_extents(ctx, size, Rc::default())
    }

    /// [`Canvas2dBackend::new`] measuring text into `extents`, which may hold texts measured
    /// before in the same fonts (e.g. by the previous draw of a chart that is redrawn often).
    pub fn with_extents(ctx: C, size: (u32, u32), extents: Rc<RefCell<Extents>>) -> Self {
        Canvas2dBackend {
            ctx,
            size,
            state: RefCell::new(State::default()),
            extents,
        }
    }

    /// The backend as a plotters drawing area covering the whole canvas.
    pub fn into_area(self) -> DrawingArea<Self, plotters::coord::Shift> {
        self.into_drawing_area()
    }

    fn fill_colour(&self, c: BackendColor) {
        let mut s = self.state.borrow_mut();
        if s.fill != Some(rgba(c)) {
            self.ctx.set_fill_style_str(&css_colour(c));
            s.fill = Some(rgba(c));
        }
    }

    fn line_style(&self, style: &impl BackendStyle) {
        let mut s = self.state.borrow_mut();
        let c = style.color();
        if s.stroke != Some(rgba(c)) {
            self.ctx.set_stroke_style_str(&css_colour(c));
            s.stroke = Some(rgba(c));
        }
        let w = style.stroke_width() as f64;
        if s.line_width != Some(w) {
            self.ctx.set_line_width(w);
            s.line_width = Some(w);
        }
    }

    fn font(&self, font: &str) {
        let mut s = self.state.borrow_mut();
        if s.font.as_deref() != Some(font) {
            self.ctx.set_font(font);
            s.font = Some(font.to_string());
        }
    }

    fn anchor(&self, align: &'static str, baseline: &'static str) {
        let mut s = self.state.borrow_mut();
        if s.align != Some(align) {
            self.ctx.set_text_align(align);
            s.align = Some(align);
        }
        if s.baseline != Some(baseline) {
            self.ctx.set_text_baseline(baseline);
            s.baseline = Some(baseline);
        }
    }
}

impl<C: Context2d> DrawingBackend for Canvas2dBackend<C> {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<CanvasError>> {
        if color.alpha == 0.0 {
            return Ok(());
        }
        self.fill_colour(color);
        self.ctx.fill_rect(f64::from(point.0), f64::from(point.1), 1.0, 1.0);
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (a, b) = fine_hor_ver_lines(from, to);
        self.line_style(style);
        self.ctx.begin_path();
        self.ctx.move_to(a.0, a.1);
        self.ctx.line_to(b.0, b.1);
        self.ctx.stroke();
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (f64::from(upper_left.0), f64::from(upper_left.1));
        let (w, h) = (
            f64::from(bottom_right.0 - upper_left.0),
            f64::from(bottom_right.1 - upper_left.1),
        );
        if fill {
            self.fill_colour(style.color());
            self.ctx.fill_rect(x, y, w, h);
        } else {
            self.line_style(style);
            self.ctx.stroke_rect(x, y, w, h);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let mut path = path.into_iter();
        self.ctx.begin_path();
        if let Some(start) = path.next() {
            self.line_style(style);
            self.ctx.move_to(f64::from(start.0), f64::from(start.1));
            for p in path {
                self.ctx.line_to(f64::from(p.0), f64::from(p.1));
            }
        }
        self.ctx.stroke();
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let mut path = path.into_iter();
        self.ctx.begin_path();
        if let Some(start) = path.next() {
            self.fill_colour(style.color());
            self.ctx.move_to(f64::from(start.0), f64::from(start.1));
            for p in path {
                self.ctx.line_to(f64::from(p.0), f64::from(p.1));
            }
            self.ctx.close_path();
        }
        self.ctx.fill();
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        if fill {
            self.fill_colour(style.color());
        } else {
            self.line_style(style);
        }
        self.ctx.begin_path();
        self.ctx
            .arc(
                f64::from(center.0),
                f64::from(center.1),
                f64::from(radius),
                0.0,
                std::f64::consts::TAU,
            )
            .map_err(js_error)?;
        if fill {
            self.ctx.fill();
        } else {
            self.ctx.stroke();
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let colour = style.color();
        if colour.alpha == 0.0 {
            return Ok(());
        }
        let degrees: f64 = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 90.0,
            FontTransform::Rotate180 => 180.0,
            FontTransform::Rotate270 => 270.0,
        };
        let (mut x, mut y) = (f64::from(pos.0), f64::from(pos.1));
        if degrees != 0.0 {
            // save() / restore() bring back every setting, which the cache then still knows.
            self.ctx.save();
            self.ctx.translate(x, y).map_err(js_error)?;
            self.ctx
                .rotate(degrees / 180.0 * std::f64::consts::PI)
                .map_err(js_error)?;
            (x, y) = (0.0, 0.0);
        }
        let baseline = match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        };
        let align = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        };
        // Settings made between save() and restore() are undone by restore(): remember them
        // only when there is no restore to come.
        let before = (degrees != 0.0).then(|| self.state.replace(State::default()));
        self.anchor(align, baseline);
        self.fill_colour(colour);
        self.font(&css_font(style));
        let drawn = self.ctx.fill_text(text, x, y).map_err(js_error);
        if let Some(before) = before {
            self.ctx.restore();
            self.state.replace(before);
        }
        drawn
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        let font = css_font(style);
        let key = (font, text.to_string());
        if let Some(&e) = self.extents.borrow().get(&key) {
            return Ok(e);
        }
        self.font(&key.0);
        let e = extents_of(&self.ctx.measure_text(text).map_err(js_error)?);
        self.extents.borrow_mut().insert(key, e);
        Ok(e)
    }
}
