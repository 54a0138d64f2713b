//! Embeds: which view of the lab an `<iframe>` shows, what "Run this" does there, the height it
//! falls back to without scripts, and the snippet a blogger pastes — decided here, laid out by
//! `www/embed.js`.
//!
//! An embed link is a lab link ([`super::url::Link`]) with `&embed=1&view=V` and optionally
//! `&kind=K` (one kind of tail sample), `&edit=1` (the reader may change settings),
//! `&start=visible` (start when scrolled into view, unless the reader prefers reduced motion) and
//! `&id=I` (the name the page gives its height messages). An older `&embed=1` link without
//! `view=` opens the [`View::Lab`] view, which is what such links showed before views existed.
//!
//! The embedded page posts `{type: "sgn-lab:height", id, height}` (CSS px) to its parent on load
//! and whenever its content changes; the snippet's script ([`snippet`]) resizes the one iframe
//! whose `contentWindow` sent it, only for messages from the lab's origin with that shape.

use serde::{Deserialize, Serialize};

/// What an embed shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum View {
    /// The run controls, the training chart and the measurement with every verdict (what an
    /// `&embed=1` link showed before views existed).
    Lab,
    /// One training run: loss and test accuracy against the SGD step.
    Train,
    /// The tails of the gradient and its noise (one kind of sample, or all four) with their
    /// power-law and Gaussianity verdicts.
    Tails,
    /// The covariance spectrum of the per-sample gradients with its power-law fit (Table B).
    Spectrum,
    /// One step of the paper tour (`&tour=N`): the claim, its verdict, its charts and tables.
    Tour,
}

/// One kind of tail sample (the keys of `experiment::view::measurement`'s samples).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TailKind {
    DimG,
    DimSgn,
    IterG,
    IterSgn,
}

/// When the engine of an embed starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Start {
    /// On the reader's click on "Run this" (the default).
    #[default]
    Click,
    /// When the embed is scrolled into view (one embed of a page at a time), unless the reader
    /// asked for reduced motion: then on the click as well.
    Visible,
}

/// What "Run this" does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunPlan {
    /// Build the run and train it to the end.
    Train,
    /// Train to the end, then measure the gradient structure at the final weights.
    TrainThenMeasure,
    /// Run the tour step (its own training and measurement, in the worker).
    TourStep,
}

/// One row of the view table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewSpec {
    pub view: View,
    /// The link value (`view=…`).
    pub key: &'static str,
    /// The author's menu text.
    pub label: &'static str,
    /// The figure, in words (the iframe's title and the poster's alt text).
    pub figure: &'static str,
    /// The page parts (`data-part` in `index.html`) shown, containers included; every other
    /// part is hidden. (`header` is the page's title, kept for screen readers only: style.css
    /// hides it from sight in an embed.)
    pub parts: &'static [&'static str],
    /// The parts added when the reader may change settings (`&edit=1`).
    pub edit_parts: &'static [&'static str],
    pub run: RunPlan,
    /// The iframe's `height` attribute (CSS px): the view after a run in a 760 px column, for a
    /// host page whose scripts do not run (the embed's own height messages then go unheard).
    /// Measured in `tests/e2e/embed.test.mjs` (digits, FCN, 760 px): train 452, one tail sample
    /// 1045, all four 1732, spectrum 1115, lab after a measurement 4956; the first tour step (one
    /// replicate) 5879 in Firefox (`tests/e2e/engines/embed.test.mjs`).
    pub fallback_height: u32,
    /// The poster shown before "Run this" (a committed PNG under `www/posters/`), or `None`
    /// when the view's own text is its poster (the tour step's claim).
    pub poster: Option<&'static str>,
}

/// The fallback height of a tails embed of one kind of sample (see [`ViewSpec::fallback_height`]).
pub const TAILS_ONE_KIND_HEIGHT: u32 = 1100;

/// Every part an embed can show or hide (`data-part` values in `index.html`).
pub const PARTS: &[&str] = &[
    "run",
    "run-buttons",
    "facts",
    "setup",
    "data",
    "model",
    "optimizer",
    "seed",
    "measurement",
    "training",
    "structure",
    "measure-row",
    "table-a",
    "tails",
    "spectrum",
    "spectrum-more",
    "tour",
    "tour-nav",
    "tour-settings",
    "tour-tables",
    "upload",
    "share",
    "header",
    "footer",
];

const SETTINGS: &[&str] = &["setup", "data", "model", "optimizer", "seed"];

/// The view table.
pub const VIEWS: &[ViewSpec] = &[
    ViewSpec {
        view: View::Lab,
        key: "lab",
        label: "the whole experiment: training, then the measurement with every verdict",
        figure: "a training run and the structure of its gradients",
        parts: &[
            "header",
            "run",
            "run-buttons",
            "facts",
            "training",
            "structure",
            "measure-row",
            "table-a",
            "tails",
            "spectrum",
            "spectrum-more",
        ],
        edit_parts: &["setup", "data", "model", "optimizer", "seed", "measurement"],
        run: RunPlan::Train,
        fallback_height: 5000,
        poster: Some("train"),
    },
    ViewSpec {
        view: View::Train,
        key: "train",
        label: "the training run (loss and test accuracy)",
        figure: "loss and test accuracy of a network trained with minibatch SGD",
        parts: &["header", "run", "run-buttons", "facts", "training"],
        edit_parts: SETTINGS,
        run: RunPlan::Train,
        fallback_height: 460,
        poster: Some("train"),
    },
    ViewSpec {
        view: View::Tails,
        key: "tails",
        label: "the tails of the gradient and its noise, with their verdicts",
        figure: "tails of the minibatch gradient and of its noise, with power-law and Gaussianity verdicts",
        parts: &["header", "structure", "measure-row", "tails"],
        edit_parts: &["measurement"],
        run: RunPlan::TrainThenMeasure,
        fallback_height: 1800,
        poster: Some("tails"),
    },
    ViewSpec {
        view: View::Spectrum,
        key: "spectrum",
        label: "the covariance spectrum with its power-law fit",
        figure: "eigenvalues of the per-sample gradient covariance by rank, with the power-law fit",
        parts: &["header", "structure", "measure-row", "spectrum"],
        edit_parts: &["measurement"],
        run: RunPlan::TrainThenMeasure,
        fallback_height: 1200,
        poster: Some("spectrum"),
    },
    ViewSpec {
        view: View::Tour,
        key: "tour",
        label: "one step of the paper tour (the claim, its verdict and charts)",
        figure: "one claim of Xie et al. (2023) tested on several runs, with its verdict",
        parts: &["header", "tour"],
        edit_parts: &["tour-nav", "tour-settings", "tour-tables"],
        run: RunPlan::TourStep,
        fallback_height: 6000,
        poster: None,
    },
];

impl View {
    /// The row of the view table.
    pub fn spec(self) -> &'static ViewSpec {
        VIEWS.iter().find(|s| s.view == self).expect("every view has a row")
    }

    /// A view by its link value.
    pub fn from_key(key: &str) -> Option<View> {
        VIEWS.iter().find(|s| s.key == key).map(|s| s.view)
    }
}

impl TailKind {
    pub const ALL: [TailKind; 4] = [TailKind::DimG, TailKind::DimSgn, TailKind::IterG, TailKind::IterSgn];

    /// The link value and the sample's key on the page (`dim-g`, …).
    pub fn key(self) -> &'static str {
        match self {
            TailKind::DimG => "dim-g",
            TailKind::DimSgn => "dim-sgn",
            TailKind::IterG => "iter-g",
            TailKind::IterSgn => "iter-sgn",
        }
    }

    pub fn from_key(key: &str) -> Option<TailKind> {
        TailKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// An embed's id (`&id=`): 1 to 40 of `A–Z a–z 0–9 _ -`, so it is the same string in the link,
/// the message and the snippet's `data-sgn-lab` attribute without escaping.
pub fn valid_id(id: &str) -> bool {
    (1..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// How an embed is laid out: the view's parts, edit parts when the reader may change settings,
/// the one tail kind when the link names one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub view: View,
    pub parts: Vec<&'static str>,
    /// The one tail sample shown (`dim-g`, …), or none: all four.
    pub kind: Option<&'static str>,
    pub run: RunPlan,
    pub poster: Option<String>,
    /// The poster's caption: what it shows and what "Run this" will do.
    pub poster_note: String,
    pub figure: &'static str,
    pub fallback_height: u32,
}

/// The layout of an embed of `view` (with `kind`, and `edit` when the reader may change settings).
pub fn layout(view: View, kind: Option<TailKind>, edit: bool) -> Layout {
    let s = view.spec();
    let mut parts = s.parts.to_vec();
    if edit {
        if !parts.contains(&"run") && s.edit_parts.contains(&"setup") {
            parts.push("run");
        }
        for p in s.edit_parts {
            if !parts.contains(p) {
                parts.push(p);
            }
        }
    }
    let kind = if view == View::Tails { kind } else { None };
    let poster = s.poster.map(|p| match kind {
        Some(k) => format!("posters/{p}-{}.png", k.key()),
        None => format!("posters/{p}.png"),
    });
    let run = match s.run {
        RunPlan::Train => "trains this link's network in your browser",
        RunPlan::TrainThenMeasure => "trains this link's network in your browser and measures its gradients",
        RunPlan::TourStep => "runs this step in your browser (seconds to a minute)",
    };
    let poster_note = if poster.is_some() {
        format!("A picture from an earlier run of the lab's default setup. Run this {run}.")
    } else {
        format!("Run this {run}.")
    };
    Layout {
        view,
        parts,
        kind: kind.map(TailKind::key),
        run: s.run,
        poster,
        poster_note,
        figure: s.figure,
        fallback_height: if kind.is_some() {
            TAILS_ONE_KIND_HEIGHT
        } else {
            s.fallback_height
        },
    }
}

/// `s` in an HTML attribute value (double-quoted).
fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The embed code: the iframe (`src` the embed link, its fallback `height`, `data-sgn-lab` =
/// the link's id) and a few lines of plain JS that set the iframe's height from the lab's
/// messages. The script acts only on messages whose origin is `origin` (the lab's, e.g.
/// `https://example.org`), whose data is `{type: "sgn-lab:height", id, height}` with this id and
/// a finite height in (0, 100000), and whose source is that very iframe's window; pasted twice
/// (two embeds on a page) the listeners do not double up, and each resizes its own iframe.
pub fn snippet(src: &str, origin: &str, id: &str, title: &str, height: u32) -> String {
    let origin_js = serde_json::to_string(origin).unwrap_or_else(|_| "\"\"".into());
    format!(
        r#"<iframe src="{src}" data-sgn-lab="{id}" title="{title}" width="100%" height="{height}" style="border:0;display:block" loading="lazy"></iframe>
<script>
(function (o) {{
  var k = "sgnLabResize:" + o;
  if (window[k]) return;
  window[k] = 1;
  window.addEventListener("message", function (e) {{
    var d = e.data;
    if (e.origin !== o || !d || d.type !== "sgn-lab:height" || typeof d.id !== "string" || typeof d.height !== "number" || !(d.height > 0 && d.height < 100000)) return;
    var f = document.querySelectorAll("iframe[data-sgn-lab]");
    for (var i = 0; i < f.length; i++) {{
      if (f[i].contentWindow === e.source && f[i].getAttribute("data-sgn-lab") === d.id) f[i].style.height = Math.ceil(d.height) + "px";
    }}
  }});
}})({origin_js});
</script>"#,
        src = attr(src),
        id = attr(id),
        title = attr(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_has_one_row_and_known_parts() {
        for v in [View::Lab, View::Train, View::Tails, View::Spectrum, View::Tour] {
            assert_eq!(VIEWS.iter().filter(|s| s.view == v).count(), 1);
            let s = v.spec();
            assert_eq!(View::from_key(s.key), Some(v));
            for p in s.parts.iter().chain(s.edit_parts) {
                assert!(PARTS.contains(p), "{p} of {} is not a part", s.key);
            }
            // No view shows the author's or the lab's chrome.
            for p in ["share", "upload", "footer"] {
                assert!(!s.parts.contains(&p) && !s.edit_parts.contains(&p));
            }
            assert!((300..=6000).contains(&s.fallback_height));
        }
        assert_eq!(View::from_key("bogus"), None);
    }

    #[test]
    fn a_layout_adds_the_settings_only_when_the_reader_may_change_them() {
        let l = layout(View::Train, None, false);
        assert_eq!(l.parts, ["header", "run", "run-buttons", "facts", "training"]);
        assert_eq!(l.poster.as_deref(), Some("posters/train.png"));
        let l = layout(View::Train, None, true);
        assert!(SETTINGS.iter().all(|p| l.parts.contains(p)));
        // Tails: one kind has its own poster; settings add the measurement menus only.
        let l = layout(View::Tails, Some(TailKind::IterSgn), true);
        assert_eq!(l.kind, Some("iter-sgn"));
        assert_eq!(l.poster.as_deref(), Some("posters/tails-iter-sgn.png"));
        assert_eq!(l.parts, ["header", "structure", "measure-row", "tails", "measurement"]);
        assert_eq!(l.run, RunPlan::TrainThenMeasure);
        assert_eq!(l.fallback_height, TAILS_ONE_KIND_HEIGHT);
        assert_eq!(
            layout(View::Tails, None, false).fallback_height,
            View::Tails.spec().fallback_height
        );
        // A kind means nothing outside the tails view.
        assert_eq!(layout(View::Spectrum, Some(TailKind::DimG), false).kind, None);
        let l = layout(View::Tour, None, false);
        assert!(l.poster.is_none() && l.poster_note.starts_with("Run this runs this step"));
        for k in TailKind::ALL {
            assert_eq!(TailKind::from_key(k.key()), Some(k));
        }
    }

    #[test]
    fn ids_are_plain() {
        assert!(valid_id("fig-1") && valid_id("A_b9"));
        for bad in ["", "a b", "x\"y", "<", &"a".repeat(41), "é"] {
            assert!(!valid_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_snippet_escapes_its_attributes_and_checks_origin_shape_and_source() {
        let s = snippet(
            "https://lab.example/p/#v1.abc&embed=1&view=tails&id=f1",
            "https://lab.example",
            "f1",
            "sgn-lab: \"tails\"",
            1400,
        );
        assert!(s.starts_with(
            r#"<iframe src="https://lab.example/p/#v1.abc&amp;embed=1&amp;view=tails&amp;id=f1" data-sgn-lab="f1" title="sgn-lab: &quot;tails&quot;" width="100%" height="1400" "#
        ));
        for check in [
            r#"e.origin !== o"#,
            r#"d.type !== "sgn-lab:height""#,
            r#"typeof d.id !== "string""#,
            r#"typeof d.height !== "number""#,
            r#"f[i].contentWindow === e.source"#,
            r#"f[i].getAttribute("data-sgn-lab") === d.id"#,
            r#"})("https://lab.example");"#,
        ] {
            assert!(s.contains(check), "{check} missing from\n{s}");
        }
        // Plain JS, no dependency: one inline script, nothing loaded.
        assert_eq!(s.matches("<script").count(), 1);
        assert!(!s.contains("src=\"http") || s.matches("src=").count() == 1);
        // An origin is a JS string literal, quotes escaped.
        assert!(snippet("x", "a\"b", "i", "t", 500).contains(r#"})("a\"b");"#));
    }
}
