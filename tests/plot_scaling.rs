//! The `plot` and `scaling` subcommands: SVG files that parse and carry
//! every series, scaling reports in every format, and usage errors.

use std::path::PathBuf;

use headrisk_tests::{root, run};

const D2: &str = "fixtures/valid/hmm-d2-explicit.toml";
const ISOTROPIC: &str = "fixtures/valid/isotropic-snr5.toml";
const D3: &str = "fixtures/valid/hmm-d3-generated.toml";

/// Creates an empty directory for one test's files, under Cargo's scratch
/// directory for integration tests.
fn output_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("plot_scaling")
        .join(test);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Checks that `svg` is well-formed enough to be XML: it starts with an
/// `<svg` or `<?xml` tag, every tag closes, and start and end tags nest.
fn assert_balanced_svg(svg: &str) {
    let trimmed = svg.trim_start();
    assert!(
        trimmed.starts_with("<svg") || trimmed.starts_with("<?xml"),
        "does not start with <svg or <?xml: {}",
        &trimmed[..trimmed.len().min(80)]
    );
    let mut open: Vec<String> = Vec::new();
    let mut rest = trimmed;
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .map(|offset| start + offset)
            .unwrap_or_else(|| panic!("unclosed tag at: {}", &rest[start..]));
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        if tag.starts_with('/') {
            let last = open.pop();
            assert_eq!(last.as_deref(), Some(name.as_str()), "mismatched </{name}>");
        } else {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "unclosed elements: {open:?}");
}

/// Collects the texts of the SVG's `<text>` elements.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|piece| {
            let body = &piece[piece.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

/// Collects the texts of the SVG's `<text>` elements whose start tag
/// contains `attribute`.
fn svg_texts_with(svg: &str, attribute: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|piece| {
            let tag_end = piece.find('>')?;
            if !piece[..tag_end].contains(attribute) {
                return None;
            }
            let body = &piece[tag_end + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

/// Collects the y tick labels, the only right-aligned texts of a `plot`
/// figure.
fn y_tick_labels(svg: &str) -> Vec<String> {
    svg_texts_with(svg, r#"text-anchor="end""#)
}

/// Collects the x coordinates of the right ends of the y tick labels.
fn y_tick_label_ends(svg: &str) -> Vec<f64> {
    svg.split("<text")
        .skip(1)
        .filter_map(|piece| {
            let tag = &piece[..piece.find('>')?];
            if !tag.contains(r#"text-anchor="end""#) {
                return None;
            }
            let x = &tag[tag.find(r#"x=""#)? + 3..];
            x[..x.find('"')?].parse().ok()
        })
        .collect()
}

/// Writes `fixture` with each `(from, to)` replaced once and without its
/// `[simulation]` table, which must be the last table, to `dir`.
fn edited_fixture(dir: &std::path::Path, fixture: &str, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(root().join(fixture)).unwrap();
    for (from, to) in edits {
        assert_eq!(text.matches(from).count(), 1, "`{from}` in {fixture}");
        text = text.replace(from, to);
    }
    if let Some(start) = text.find("[simulation]") {
        assert!(!text[start + 1..].contains("\n["), "{fixture}");
        text.truncate(start);
    }
    let path = dir.join("params.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `plot` with `extra` arguments and returns the SVG text.
fn plot_svg(dir: &std::path::Path, params: &std::path::Path, extra: &[&str]) -> String {
    let output = dir.join("plot.svg");
    let mut args = vec![
        "plot",
        params.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ];
    args.extend(extra);
    let execution = run(&args);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    let svg = std::fs::read_to_string(&output).unwrap();
    assert_balanced_svg(&svg);
    svg
}

#[test]
fn plot_d2_has_every_series() {
    let dir = output_dir("plot_d2");
    let output = dir.join("d2.svg");
    let execution = run(&["plot", D2, "-o", output.to_str().unwrap()]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    assert_eq!(execution.stdout, format!("wrote {}\n", output.display()));

    let svg = std::fs::read_to_string(&output).unwrap();
    assert_balanced_svg(&svg);
    let texts = svg_texts(&svg);
    for label in [
        "exact",
        "deterministic equivalent",
        "limit at γ = p/n",
        "simulation mean, 95% interval",
        "sweet spot p = 0, R = 2.458",
        "non-monotone from p = 0",
        "divergent value on the grid",
    ] {
        assert!(
            texts.iter().any(|text| text == label),
            "legend label `{label}` missing from {texts:?}"
        );
    }
}

#[test]
fn plot_isotropic_clips_peak() {
    let dir = output_dir("plot_isotropic");
    let output = dir.join("isotropic.svg");
    let execution = run(&["plot", ISOTROPIC, "-o", output.to_str().unwrap()]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);

    let svg = std::fs::read_to_string(&output).unwrap();
    assert_balanced_svg(&svg);
    let texts = svg_texts(&svg);
    for label in [
        "exact",
        "deterministic equivalent",
        "limit at γ = p/n",
        "simulation mean, 95% interval",
        "sweet spot p = 1, R = 1.026",
    ] {
        assert!(
            texts.iter().any(|text| text == label),
            "legend label `{label}` missing from {texts:?}"
        );
    }
    // The exact risk at p = n ± 2 is about 40, far above the rest of the
    // curve (at most about 6), so the axis is clipped and the legend gives
    // the cut-off.
    let clipped = texts
        .iter()
        .find(|text| text.starts_with("value above"))
        .unwrap_or_else(|| panic!("no clipping entry in {texts:?}"));
    let top: f64 = clipped
        .trim_start_matches("value above ")
        .trim_end_matches(" (clipped)")
        .parse()
        .unwrap();
    assert!(top > 6.0, "{clipped}");
    assert!(top < 25.0, "{clipped}");
}

#[test]
fn plot_log_axis_notes_hidden_zero() {
    let dir = output_dir("plot_log");
    let output = dir.join("d2-log.svg");
    let execution = run(&["plot", D2, "-o", output.to_str().unwrap(), "--log-x"]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    let svg = std::fs::read_to_string(&output).unwrap();
    assert_balanced_svg(&svg);
    let texts = svg_texts(&svg);
    assert!(
        texts
            .iter()
            .any(|text| text == "p = 0 is not on the log axis"),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|text| text == "model size p (log scale)"),
        "{texts:?}"
    );
}

/// Plotters lays out SVG text by its own estimate, reading no font, only
/// while neither font feature is enabled. The `ttf` feature reads system
/// fonts through font-kit and fontconfig, and `ab_glyph` needs a font file,
/// so none of their crates may enter the lock file.
#[test]
fn plot_needs_no_font_crates() {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    for font_crate in [
        "font-kit",
        "ttf-parser",
        "ab_glyph",
        "freetype-sys",
        "yeslogic-fontconfig-sys",
        "servo-fontconfig",
    ] {
        assert!(
            !lock.contains(&format!("name = \"{font_crate}\"")),
            "Cargo.lock contains the font crate {font_crate}"
        );
    }
}

#[test]
fn plot_rejects_bad_output() {
    let dir = output_dir("plot_bad_output");
    let taken = dir.join("taken.svg");
    std::fs::create_dir_all(&taken).unwrap();
    let cases = [
        dir.join("risk.png"),
        dir.join("risk"),
        dir.join("missing").join("risk.svg"),
        taken,
    ];
    for output in cases {
        let execution = run(&["plot", D2, "-o", output.to_str().unwrap()]);
        assert_eq!(execution.exit_code, 2, "{}", output.display());
        assert_eq!(execution.stdout, "", "{}", output.display());
        assert_eq!(
            execution.stderr.lines().count(),
            1,
            "{}: {}",
            output.display(),
            execution.stderr
        );
        assert!(
            execution.stderr.starts_with("error: "),
            "{}",
            execution.stderr
        );
    }
}

#[test]
fn scaling_tables_snapshot() {
    let cases = [
        ("scaling-isotropic-snr5", ISOTROPIC, "10,20,40,200"),
        ("scaling-hmm-d3-generated", D3, "8,16,32,64"),
    ];
    for (name, fixture, samples) in cases {
        let execution = run(&["scaling", fixture, "--samples", samples]);
        assert_eq!(execution.exit_code, 0, "{name}: {}", execution.stderr);
        for line in execution.stdout.lines() {
            assert!(line.chars().count() <= 100, "{name}: line too wide: {line}");
        }
        insta::assert_snapshot!(name, execution.stdout);
    }
}

#[test]
fn scaling_json_isotropic_is_degenerate() {
    let execution = run(&[
        "scaling",
        ISOTROPIC,
        "--samples",
        "10,20,40",
        "--format",
        "json",
    ]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    let value: serde_json::Value = serde_json::from_str(&execution.stdout).unwrap();
    assert_eq!(value["schema"], "proofs-check/scaling/v1");
    let rows = value["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    // R(1) = σ² (n − 1)/(n − 2) is below R(0) = σ² + r² = 6 for every n here,
    // so p_sweet = 1 and p_sweet/n = 1/n falls.
    for (row, n) in rows.iter().zip([10, 20, 40]) {
        assert_eq!(row["samples"], n);
        assert_eq!(row["engine"], "exact");
        assert_eq!(row["sweet_spot"], 1);
        assert_eq!(row["sweet_spot_ratio"], format!("1/{n}"));
        assert_eq!(row["empty_head_risk"], "6");
    }
    assert_eq!(rows[0]["sweet_spot_risk"], "9/8");
    assert_eq!(value["verdict"]["status"], "degenerate");
    assert_eq!(value["verdict"]["degenerate"], true);
}

#[test]
fn scaling_short_grid_is_undecided() {
    let execution = run(&[
        "scaling",
        ISOTROPIC,
        "--samples",
        "40,200",
        "--format",
        "json",
    ]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    let value: serde_json::Value = serde_json::from_str(&execution.stdout).unwrap();
    let rows = value["rows"].as_array().unwrap();
    assert_eq!(rows[1]["grid_reaches"], false);
    assert_eq!(rows[1]["usable"], false);
    assert!(
        rows[1]["note"]
            .as_str()
            .unwrap()
            .contains("the grid ends at p = 120"),
        "{}",
        rows[1]["note"]
    );
    assert_eq!(value["verdict"]["status"], "undecided");
}

/// Splits one CSV line into cells, honouring double-quoted cells.
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            _ => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

#[test]
fn scaling_csv_has_header() {
    let execution = run(&["scaling", D3, "--samples", "8,16,32", "--format", "csv"]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    let mut lines = execution.stdout.lines();
    let header = csv_cells(lines.next().unwrap());
    assert_eq!(header[0], "n");
    assert!(header.contains(&"sweet_spot".to_string()), "{header:?}");
    assert!(
        header.contains(&"sweet_spot_ratio".to_string()),
        "{header:?}"
    );
    let rows: Vec<Vec<String>> = lines.map(csv_cells).collect();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(row.len(), header.len(), "{row:?}");
    }
    assert_eq!(rows[0][0], "8");
    assert_eq!(rows[2][0], "32");
}

#[test]
fn scaling_plot_writes_svg() {
    let dir = output_dir("scaling_plot");
    let output = dir.join("ratio.svg");
    let execution = run(&[
        "scaling",
        ISOTROPIC,
        "--samples",
        "10,20,40",
        "--plot",
        output.to_str().unwrap(),
    ]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    assert!(
        execution
            .stdout
            .ends_with(&format!("wrote {}\n", output.display())),
        "{}",
        execution.stdout
    );
    let svg = std::fs::read_to_string(&output).unwrap();
    assert_balanced_svg(&svg);
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|text| text == "p_sweet / n"), "{texts:?}");
    assert!(
        texts.iter().any(|text| text == "used in the verdict"),
        "{texts:?}"
    );
}

#[test]
fn scaling_rejects_bad_samples() {
    for samples in ["100,50", "20,20", "1,10"] {
        let execution = run(&["scaling", ISOTROPIC, "--samples", samples]);
        assert_eq!(execution.exit_code, 2, "--samples {samples}");
        assert_eq!(execution.stdout, "", "--samples {samples}");
        assert_eq!(
            execution.stderr.lines().count(),
            1,
            "--samples {samples}: {}",
            execution.stderr
        );
        assert!(
            execution.stderr.starts_with("error: --samples"),
            "{}",
            execution.stderr
        );
    }
}

#[test]
fn scaling_rejects_empty_samples() {
    // An empty value never reaches the command: clap rejects it while
    // parsing the integers, with its own usage hint after the error line.
    let execution = run(&["scaling", ISOTROPIC, "--samples", ""]);
    assert_eq!(execution.exit_code, 2);
    assert!(
        execution.stderr.starts_with("error: "),
        "{}",
        execution.stderr
    );
}

#[test]
fn scaling_ridge_uses_equivalent() {
    // For λ > 0 the exact engine has no closed form at p ≥ 1, so every row
    // falls back to the deterministic equivalent and states the reason.
    let execution = run(&[
        "scaling",
        "fixtures/valid/hmm-ridge.toml",
        "--samples",
        "16,32",
        "--format",
        "json",
    ]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    let value: serde_json::Value = serde_json::from_str(&execution.stdout).unwrap();
    for row in value["rows"].as_array().unwrap() {
        assert_eq!(row["engine"], "de", "{row}");
        let reason = row["engine_reason"].as_str().unwrap();
        assert!(reason.contains("no closed form"), "{reason}");
        assert!(row["sweet_spot"].is_u64(), "{row}");
    }
}

#[test]
fn plot_flat_curve_labels_differ() {
    // With λ = 1e8 the risk changes only from the seventh digit on.
    let dir = output_dir("plot_flat_curve");
    let params = edited_fixture(
        &dir,
        "fixtures/valid/hmm-ridge.toml",
        &[("ridge = 0.05", "ridge = 1e8")],
    );
    let labels = y_tick_labels(&plot_svg(&dir, &params, &[]));
    assert!(labels.len() >= 4, "{labels:?}");
    let mut distinct = labels.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), labels.len(), "{labels:?}");
    for label in &labels {
        let value: f64 = label.parse().unwrap_or_else(|_| panic!("{labels:?}"));
        assert!((value - 3.569).abs() < 1e-3, "{labels:?}");
    }
}

#[test]
fn plot_huge_risk_stays_compact() {
    // σ² = r² = 1e300 puts every risk above 1e300.
    let dir = output_dir("plot_huge_risk");
    let params = edited_fixture(
        &dir,
        "fixtures/valid/isotropic-snr1.toml",
        &[
            ("noise = 1 ", "noise = 1e300 "),
            ("signal = 1 ", "signal = 1e300 "),
        ],
    );
    let svg = plot_svg(&dir, &params, &[]);

    let labels = y_tick_labels(&svg);
    assert!(labels.len() >= 4, "{labels:?}");
    let ends = y_tick_label_ends(&svg);
    assert_eq!(ends.len(), labels.len());
    for (label, end) in labels.iter().zip(ends) {
        assert!(label.parse::<f64>().is_ok(), "{label}");
        assert!(label.chars().count() <= 8, "{label}");
        // 8.5 px is an upper estimate of a digit's width at the label size.
        let start = end - 8.5 * label.chars().count() as f64;
        assert!(start >= 0.0, "{label} starts at x = {start}");
    }

    let texts = svg_texts(&svg);
    for text in &texts {
        let longest_digit_run = text
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_digit_run <= 7, "number not compact: {text}");
    }
    assert!(
        texts
            .iter()
            .any(|text| text == "sweet spot p = 1, R = 1.026e300"),
        "{texts:?}"
    );
}

#[test]
fn plot_narrow_log_axis_fits_grid() {
    // A grid of 990 ≤ p ≤ 1010 spans only 2% in ln p.
    let dir = output_dir("plot_narrow_log");
    let params = edited_fixture(
        &dir,
        "fixtures/valid/isotropic-snr1.toml",
        &[
            ("max_size = 120", "max_size = 1010"),
            ("samples = 40", "samples = 1000"),
            ("from = 0", "from = 990"),
            ("to = 120", "to = 1010"),
        ],
    );
    let svg = plot_svg(&dir, &params, &["--log-x"]);
    // The x tick labels are the centred texts that are numbers.
    let ticks: Vec<f64> = svg_texts_with(&svg, r#"text-anchor="middle""#)
        .iter()
        .filter_map(|text| text.parse().ok())
        .collect();
    assert!(ticks.len() >= 4, "{ticks:?}");
    for tick in &ticks {
        assert!((989.0..=1011.0).contains(tick), "{ticks:?}");
    }
    assert!(ticks.windows(2).all(|pair| pair[0] < pair[1]), "{ticks:?}");
}

/// Joins the legend note lines, which wrap at spaces, into one text with
/// plain spaces.
fn legend_notes(svg: &str) -> String {
    svg_texts(svg).join(" ").replace('\u{a0}', " ")
}

#[test]
fn plot_clip_note_names_its_base() {
    // On 990 ≤ p ≤ 1010 with n = 1000 no size has |p − n| ≥ n/4, so the
    // median sets the clip level.
    let dir = output_dir("plot_clip_note");
    let params = edited_fixture(
        &dir,
        "fixtures/valid/isotropic-snr1.toml",
        &[
            ("max_size = 120", "max_size = 1010"),
            ("samples = 40", "samples = 1000"),
            ("from = 0", "from = 990"),
            ("to = 120", "to = 1010"),
        ],
    );
    let notes = legend_notes(&plot_svg(&dir, &params, &[]));
    assert!(
        notes.contains("about 3 times the median risk, because no plotted size has |p − n| ≥ n/4"),
        "{notes}"
    );
    assert!(!notes.contains("the largest risk"), "{notes}");

    // On 0 ≤ p ≤ 120 with n = 40 the sizes far from n set it.
    let dir = output_dir("plot_clip_note_far");
    let params = edited_fixture(&dir, "fixtures/valid/isotropic-snr1.toml", &[]);
    let notes = legend_notes(&plot_svg(&dir, &params, &[]));
    assert!(
        notes.contains("about 3 times the largest risk with |p − n| ≥ n/4"),
        "{notes}"
    );
}

#[test]
fn plot_notes_failed_simulation() {
    // σ_u² = 10⁻¹⁶ leaves the design too ill-conditioned for f64 at p = n + 1,
    // so the simulation fails and the other curves are drawn without it.
    let dir = output_dir("plot_failed_simulation");
    let params = dir.join("params.toml");
    std::fs::write(
        &params,
        r#"
family = "hmm"
[hmm]
dim = 2
transition = [[0.5, 0], [0, "1/3"]]
noise_variance = 1
position = "stationary"
representation_noise = 1e-16
[hmm.features]
columns = 20
seed = 7
[training]
samples = 6
[simulation]
trials = 50
seed = 1
"#,
    )
    .unwrap();
    let svg = plot_svg(&dir, &params, &[]);
    let texts = svg_texts(&svg).join(" ");
    assert!(texts.contains("simulation not drawn"), "{texts}");
    assert!(texts.contains("deterministic equivalent"), "{texts}");
}
