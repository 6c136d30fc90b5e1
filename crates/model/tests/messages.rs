//! Error messages of edge-case inputs: one line, with the field, a short
//! value and a fix.

use headrisk_model::parse;

/// A valid d = 2 parameter set with `line` replaced by `replacement`.
fn hmm_text(line: &str, replacement: &str) -> String {
    let text = "family = \"hmm\"\n\
                [hmm]\n\
                dim = 2\n\
                transition = [[0.5, 0], [0, 0.5]]\n\
                noise_variance = 1\n\
                position = \"stationary\"\n\
                representation_noise = 1\n\
                [hmm.features]\n\
                matrix = [[1, 0, 1], [0, 1, 1]]\n\
                [training]\n\
                samples = 4\n\
                [simulation]\n\
                trials = 10\n";
    assert!(text.contains(line), "no line `{line}` to replace");
    text.replacen(line, replacement, 1)
}

fn message(text: &str) -> String {
    let error = parse(text).expect_err("the text should be rejected");
    let message = error.to_string();
    assert_eq!(message.lines().count(), 1, "{message}");
    message
}

#[test]
fn huge_and_tiny_values_print_short() {
    let unstable = message(&hmm_text(
        "transition = [[0.5, 0], [0, 0.5]]",
        "transition = [[1e300, 0], [0, 0.5]]",
    ));
    assert!(
        unstable.contains("diagonal entry of modulus 1e300 ≥ 1"),
        "{unstable}"
    );
    assert!(unstable.len() < 300, "{unstable}");

    let negative = message(&hmm_text(
        "representation_noise = 1",
        "representation_noise = -1e-300",
    ));
    assert!(
        negative.contains("`hmm.representation_noise` = -1e-300 is invalid"),
        "{negative}"
    );

    let rounded = message(&hmm_text(
        "representation_noise = 1",
        "representation_noise = \"-1e-300/3\"",
    ));
    assert!(
        rounded.contains("`hmm.representation_noise` = ≈-3.33333e-301 is invalid"),
        "{rounded}"
    );

    let huge = message(&hmm_text("samples = 4", "samples = \"1e30\""));
    assert!(
        huge.contains("`training.samples` = 1e30 is invalid: it must be below 2^64"),
        "{huge}"
    );
}
