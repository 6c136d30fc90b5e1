//! Error messages of edge-case inputs: one line, with the field, a short
//! value and a fix.

use headrisk_model::parse;

/// Returns a valid d = 2 parameter set with `line` replaced by `replacement`.
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

#[test]
fn negative_integers_state_valid_range() {
    let cases = [
        (
            "dim = 2",
            "dim = -2",
            "field `hmm.dim` = -2 is invalid: it must be between 1 and 500",
        ),
        (
            "samples = 4",
            "samples = -3",
            "field `training.samples` = -3 is invalid: it must be ≥ 2, because the risk needs at least two training samples",
        ),
        (
            "position = \"stationary\"",
            "position = -1",
            "field `hmm.position` = -1 is invalid: it must be an integer t ≥ 1 or \"stationary\"",
        ),
        (
            "trials = 10",
            "trials = -5",
            "field `simulation.trials` = -5 is invalid: it must be between 2 (for a standard error) and 10000000",
        ),
        (
            "matrix = [[1, 0, 1], [0, 1, 1]]",
            "columns = -1\nseed = 1",
            "field `hmm.features.columns` = -1 is invalid: it must be ≥ 1 with d·P ≤ 100000000",
        ),
        (
            "matrix = [[1, 0, 1], [0, 1, 1]]",
            "columns = 3\nseed = 1\nbits = -4",
            "field `hmm.features.bits` = -4 is invalid: it must be between 1 and 40",
        ),
        (
            "trials = 10",
            "trials = 10\n[sizes]\nstep = -1",
            "field `sizes.step` = -1 is invalid: it must be ≥ 1",
        ),
        (
            "trials = 10",
            "trials = 10\n[sizes]\ncount = -1",
            "field `sizes.count` = -1 is invalid: it must be between 1 and 1000000",
        ),
    ];
    for (line, replacement, expected) in cases {
        assert_eq!(message(&hmm_text(line, replacement)), expected);
    }

    let outputs = "family = \"isotropic\"\n[isotropic]\nnoise = 1\nsignal = 1\noutputs = -1\nmax_size = 10\n[training]\nsamples = 4\n";
    assert_eq!(
        message(outputs),
        "field `isotropic.outputs` = -1 is invalid: it must be between 1 and 500"
    );
}

#[test]
fn negative_integers_where_zero_is_valid() {
    let seed = message(&hmm_text("trials = 10", "trials = 10\nseed = -1"));
    assert_eq!(
        seed,
        "field `simulation.seed` = -1 is invalid: it must be ≥ 0"
    );
}

#[test]
fn overflowing_bare_numbers_suggest_quotes() {
    for number in ["1e309", "-1e309", "1e3999", "1.5e400"] {
        let text = hmm_text("noise_variance = 1", &format!("noise_variance = {number}"));
        let syntax = message(&text);
        assert!(
            syntax.ends_with(&format!(
                "floating-point number overflowed (at `{number}`); {number} exceeds the range of f64, so write it as the string \"{number}\", which is read exactly"
            )),
            "{syntax}"
        );
        let quoted = hmm_text(
            "noise_variance = 1",
            &format!("noise_variance = \"{number}\""),
        );
        let error = parse(&quoted)
            .map(|_| ())
            .map_err(|error| error.to_string());
        if number.starts_with('-') {
            assert!(error.unwrap_err().contains("must be ≥ 0"));
        } else {
            assert_eq!(error, Ok(()));
        }
    }

    let beyond = message(&hmm_text("noise_variance = 1", "noise_variance = 1e4001"));
    assert!(
        beyond.ends_with(
            "cannot be written as a string either, because the exponent 4001 exceeds ±4000; rescale the parameter set"
        ),
        "{beyond}"
    );

    let integer = message(&hmm_text(
        "trials = 10",
        "trials = 10\nseed = 18446744073709551615",
    ));
    assert!(
        integer.ends_with(
            "18446744073709551615 exceeds the range of a 64-bit integer, so write it as the string \"18446744073709551615\", which is read exactly"
        ),
        "{integer}"
    );
    let quoted = hmm_text(
        "trials = 10",
        "trials = 10\nseed = \"18446744073709551615\"",
    );
    assert!(parse(&quoted).is_ok());

    let other = message(&hmm_text("dim = 2", "dim = 2 2"));
    assert!(!other.contains("exceeds the range"), "{other}");
}

#[test]
fn isotropic_trajectory_is_rejected() {
    let text = "family = \"isotropic\"\n[isotropic]\nnoise = 1\nsignal = 1\nmax_size = 10\n[training]\nsamples = 4\nsampling = \"trajectory\"\n";
    assert_eq!(
        message(text),
        "field `training.sampling` = \"trajectory\" is invalid: it needs family = \"hmm\", because the isotropic family has no sequence of tokens; use \"independent\" or remove the key"
    );
    let independent = text.replace("\"trajectory\"", "\"independent\"");
    assert!(parse(&independent).is_ok());
}

#[test]
fn huge_integers_name_field_bound() {
    // Values beyond 2^64 name the bound of the field, not that of u64.
    let cases = [
        (
            "trials = 10",
            "trials = 1e30",
            "`simulation.trials` = 1e30 is invalid: it must be at most 10000000, because every trial keeps its risks in memory",
        ),
        (
            "trials = 10",
            "trials = \"1e30\"",
            "`simulation.trials` = 1e30 is invalid: it must be at most 10000000",
        ),
        (
            "trials = 10",
            "trials = 20000000",
            "`simulation.trials` = 20000000 is invalid: it must be at most 10000000",
        ),
        (
            "dim = 2",
            "dim = \"1e30\"",
            "`hmm.dim` = 1e30 is invalid: it must be between 1 and 500",
        ),
    ];
    for (line, replacement, expected) in cases {
        let message = message(&hmm_text(line, replacement));
        assert!(message.contains(expected), "{replacement}: {message}");
    }
    let at_cap = hmm_text("trials = 10", "trials = 1e7");
    assert!(parse(&at_cap).is_ok());
}
