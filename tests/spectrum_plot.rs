//! Every Spectrum chart renders to SVG (with data, and with no data) without failing.
//! The SVGs are written to `$CARGO_TARGET_TMPDIR/spectrum-plots/` for a human look.

use ndarray::Array2;
use rand::RngExt;
use rand_distr::StandardNormal;
use sgn_lab::plot::spectrum::{
    draw_davis_kahan, draw_eigengaps, draw_mp_histogram, draw_rank_plot, draw_trace_share, DavisKahanPlot,
    EigengapPlot, RankPlot, TraceSharePlot, VerdictRow,
};
use sgn_lab::plot::{to_svg, Theme};
use sgn_lab::rng::seeded;
use sgn_lab::spectrum::{
    analyze, davis_kahan, gaussian_baseline, gram, spectrum_of_matrix, theory_views, DavisKahan, Eigengaps, FitParams,
    MpParams,
};

fn save(name: &str, svg: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("spectrum-plots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), svg).unwrap();
}

/// The y attribute of the SVG `<text>` element whose content is `label` (plotters writes the
/// content on a line of its own).
fn text_y(svg: &str, label: &str) -> f64 {
    let needle = format!(">\n{label}\n</text>");
    let at = svg.find(&needle).unwrap_or_else(|| panic!("{label} not in the SVG"));
    let open = svg[..at].rfind("<text").expect("a <text> element");
    let tag = &svg[open..at];
    let y = tag
        .split(" y=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a y attribute");
    y.parse().unwrap()
}

#[test]
fn spectrum_charts_render() {
    let (n, d) = (200, 4000);
    let mut rng = seeded(42);
    let scale: Vec<f64> = (1..=d).map(|k| (k as f64).powf(-0.6)).collect();
    let data: Vec<f64> = (0..n * d)
        .map(|i| scale[i % d] * rng.sample::<f64, _>(StandardNormal))
        .collect();
    let x = Array2::from_shape_vec((n, d), data).unwrap();
    let spec = spectrum_of_matrix(x.view()).unwrap();
    let params = FitParams::default();
    let base = gaussian_baseline(&spec, &params, 1).unwrap();
    let views = theory_views(&spec);
    let report = analyze(spec.clone(), &params).unwrap();
    let theme = Theme::for_dpr(1.0);

    let rank = RankPlot {
        eigenvalues: report.eigenvalues.clone(),
        fit: Some(report.fit.clone()),
        baseline: Some(base.eigenvalues.clone()),
        mp: Some(report.mp),
        title: "Covariance spectrum (synthetic, s = 1.2)".into(),
    };
    let svg = to_svg(640, 420, |a| draw_rank_plot(a, &theme, &rank)).unwrap();
    assert!(svg.contains("<svg") && svg.contains("rank k") && svg.contains("fit ŝ"));
    save("rank.svg", &svg);

    let eg = EigengapPlot {
        gaps: views.eigengaps.clone(),
        s: Some(report.fit.s),
    };
    let svg = to_svg(640, 420, |a| draw_eigengaps(a, &theme, &eg)).unwrap();
    assert!(svg.contains("re-sorted") && svg.contains("(ŝ + 1)"));
    save("eigengaps.svg", &svg);

    let k = gram::gram_dense(x.view()).unwrap();
    let dk = davis_kahan(k.view(), 60, 3).unwrap();
    let dkp = DavisKahanPlot {
        davis_kahan: dk,
        s: Some(report.fit.s),
    };
    let svg = to_svg(640, 420, |a| draw_davis_kahan(a, &theme, &dkp)).unwrap();
    assert!(svg.contains("min-gap") && svg.contains("power-law form"));
    save("davis_kahan.svg", &svg);

    let ts = TraceSharePlot {
        share: views.trace_share.clone(),
        effective_rank: views.effective_rank,
    };
    let svg = to_svg(640, 420, |a| draw_trace_share(a, &theme, &ts)).unwrap();
    assert!(svg.contains("effective rank"));
    save("trace_share.svg", &svg);

    let svg = to_svg(640, 420, |a| draw_mp_histogram(a, &theme, &base.eigenvalues, &base.mp)).unwrap();
    assert!(svg.contains("Marchenko"));
    save("mp_histogram.svg", &svg);

    // HiDPI theme renders too.
    let svg = to_svg(1280, 840, |a| draw_rank_plot(a, &Theme::for_dpr(2.0), &rank)).unwrap();
    save("rank_dpr2.svg", &svg);

    // Legend placement: over the plot on a wide chart (above the x-axis title), in a band under
    // the x axis on a phone-width one (below the axis title, inside the canvas), at DPR 1 and 2.
    let wide = to_svg(640, 420, |a| draw_rank_plot(a, &theme, &rank)).unwrap();
    assert!(
        text_y(&wide, "spectrum") < text_y(&wide, "rank k"),
        "wide: legend over the plot"
    );
    for dpr in [1.0, 2.0] {
        let (w, h) = ((360.0 * dpr) as u32, (320.0 * dpr) as u32);
        let narrow = to_svg(w, h, |a| draw_rank_plot(a, &Theme::for_dpr(dpr), &rank)).unwrap();
        save(&format!("rank_narrow_dpr{dpr}.svg"), &narrow);
        for label in ["spectrum", "Gaussian baseline", "MP edges λ±"] {
            let y = text_y(&narrow, label);
            assert!(
                y > text_y(&narrow, "rank k") && y < h as f64,
                "DPR {dpr}: {label} at y = {y} (canvas {h})"
            );
        }
    }

    let row = VerdictRow::new("synthetic", &report.fit);
    assert_eq!(row.power_law, if report.fit.power_law { "Yes" } else { "No" });
    assert!(row.beta.contains(" ± "));
    let brow = VerdictRow::new("Gaussian baseline", &base.fit);
    assert!(brow.note.contains("flat"), "baseline ŝ = {}", base.fit.s);
    assert_eq!(VerdictRow::HEADERS.len(), brow.cells().len());
}

#[test]
fn empty_and_degenerate_data_draw_a_note() {
    let theme = Theme::default();
    let svg = to_svg(400, 300, |a| draw_rank_plot(a, &theme, &RankPlot::default())).unwrap();
    assert!(svg.contains("no data"));
    let svg = to_svg(400, 300, |a| {
        draw_rank_plot(
            a,
            &theme,
            &RankPlot {
                eigenvalues: vec![0.0, -1.0, f64::NAN],
                ..Default::default()
            },
        )
    })
    .unwrap();
    assert!(svg.contains("no data"));
    // A single positive value and a constant spectrum still draw.
    for ev in [vec![2.0], vec![1.0; 5]] {
        let svg = to_svg(400, 300, |a| {
            draw_rank_plot(
                a,
                &theme,
                &RankPlot {
                    eigenvalues: ev.clone(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
        assert!(!svg.contains("no data"));
    }
    let eg = EigengapPlot {
        gaps: Eigengaps {
            by_rank: vec![0.0],
            sorted: vec![0.0],
        },
        s: Some(1.0),
    };
    let svg = to_svg(400, 300, |a| draw_eigengaps(a, &theme, &eg)).unwrap();
    assert!(svg.contains("no data"));
    let dk = DavisKahan {
        k: vec![],
        sin_angle: vec![],
        bound: vec![],
        min_gap: vec![],
        delta_norm: 0.0,
        lambda_a: vec![],
        n_a: 0,
        n_b: 0,
    };
    let svg = to_svg(400, 300, |a| {
        draw_davis_kahan(
            a,
            &theme,
            &DavisKahanPlot {
                davis_kahan: dk,
                s: None,
            },
        )
    })
    .unwrap();
    assert!(svg.contains("no data"));
    let svg = to_svg(400, 300, |a| draw_trace_share(a, &theme, &TraceSharePlot::default())).unwrap();
    assert!(svg.contains("no data"));
    let mp = MpParams::new(10, 20, 20.0).unwrap();
    let svg = to_svg(400, 300, |a| draw_mp_histogram(a, &theme, &[], &mp)).unwrap();
    assert!(svg.contains("no data"));
}

#[test]
fn views_from_a_full_analysis() {
    use sgn_lab::nn::{GradBlock, PerSampleGrads};
    use sgn_lab::plot::spectrum::spectrum_views;
    use sgn_lab::spectrum::{analyze_grads_full, SpectrumOptions};
    let n = 150;
    let mut rng = seeded(9);
    let mut draw = |m: usize| -> Vec<f64> { (0..m).map(|_| rng.sample::<f64, _>(StandardNormal)).collect() };
    let a: Vec<f64> = draw(n * 20).into_iter().map(|v| v.max(0.0)).collect();
    let grads = PerSampleGrads {
        n,
        blocks: vec![GradBlock::Outer {
            n,
            fan_in: 20,
            fan_out: 10,
            a,
            delta: draw(n * 10),
            bias: true,
        }],
    };
    let an = analyze_grads_full(&grads, &SpectrumOptions::default()).unwrap();
    let v = spectrum_views(&an, "toy layer");
    assert_eq!(v.verdicts.len(), 2);
    assert!(v.davis_kahan.is_some());
    let theme = Theme::default();
    for svg in [
        to_svg(500, 350, |ar| draw_rank_plot(ar, &theme, &v.rank)).unwrap(),
        to_svg(500, 350, |ar| draw_eigengaps(ar, &theme, &v.eigengaps)).unwrap(),
        to_svg(500, 350, |ar| {
            draw_davis_kahan(ar, &theme, v.davis_kahan.as_ref().unwrap())
        })
        .unwrap(),
        to_svg(500, 350, |ar| draw_trace_share(ar, &theme, &v.trace_share)).unwrap(),
    ] {
        assert!(svg.contains("<svg") && !svg.contains("no data"));
    }
    let json = serde_json::to_string(&v).unwrap();
    assert!(json.contains("toy layer"));
}
