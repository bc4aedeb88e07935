//! Pattern packs: the built-in ones are sound, user packs and logsift.toml are picked up.

use predicates::prelude::*;

use logsift::classify::{Classifier, PackSet, RuleKind};
use logsift::pattern_commands::shadowed_samples;

use crate::{fixture, logsift};

#[test]
fn every_builtin_rule_has_samples_and_a_unique_id() {
    let packs = PackSet::embedded().unwrap();
    let mut ids = std::collections::HashSet::new();
    for rule in packs.rules() {
        assert!(ids.insert(rule.id.clone()), "duplicate id {}", rule.id);
        if rule.kind == RuleKind::Detect {
            assert!(rule.samples.len() >= 2, "{}: needs >= 2 samples", rule.id);
            assert!(!rule.hint.is_empty(), "{}: needs a hint", rule.id);
        }
        assert!(
            !rule.not_samples.is_empty(),
            "{}: needs a not_sample",
            rule.id
        );
    }
}

#[test]
fn no_builtin_sample_is_won_by_another_rule() {
    let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
    let shadowed = shadowed_samples(&classifier);
    assert!(shadowed.is_empty(), "{shadowed:#?}");
}

#[test]
fn builtin_rules_avoid_unicode_word_boundaries() {
    // Rules are compiled with Unicode off; a rule must not opt back in with (?u), which would
    // make its lazy DFA give up on non-ASCII input.
    for rule in PackSet::embedded().unwrap().rules() {
        assert!(!rule.regex.contains("(?u"), "{} opts into Unicode", rule.id);
    }
}

#[test]
fn patterns_test_passes_on_the_builtin_packs() {
    logsift()
        .args(["patterns", "test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ok: "))
        .stdout(predicate::str::contains("warning").not());
}

#[test]
fn patterns_list_prints_every_rule() {
    let out = logsift()
        .args(["patterns", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules.len(), PackSet::embedded().unwrap().rules().count());
    assert!(rules
        .iter()
        .any(|r| r["id"] == "generic-connection-refused"));
    logsift()
        .args(["patterns", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("generic-permission-denied"));
}

#[test]
fn a_user_pack_comes_first_and_its_ignore_rules_count() {
    let input = "api-1  | ERROR cart 7 lost\napi-1  | ERROR GET /healthz failed\n";
    let out = logsift()
        .args([
            "analyze",
            "--format",
            "json",
            "--patterns",
            &fixture("packs/good.toml"),
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["groups"][0]["rule"], "shop-cart-lost");
    assert_eq!(r["groups"][0]["severity"], "critical");
    assert_eq!(r["totals"]["ignored"][0]["rule"], "shop-ignore-healthz");
    assert_eq!(r["totals"]["by_severity"]["error"], 0);
}

#[test]
fn a_config_file_above_the_working_directory_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        dir.path().join("logsift.toml"),
        "patterns = [\"rules/extra.toml\"]\ndisable = [\"generic-permission-denied\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::copy(
        crate::root().join(fixture("packs/good.toml")),
        dir.path().join("rules/extra.toml"),
    )
    .unwrap();
    let out = logsift()
        .current_dir(&sub)
        .args(["analyze", "--format", "json", "--fail-on", "never"])
        .write_stdin("api-1  | cart 9 lost\napi-1  | open /x: permission denied\n")
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["groups"][0]["rule"], "shop-cart-lost");
    assert_eq!(
        r["groups"].as_array().unwrap().len(),
        1,
        "the disabled rule no longer fires: {r}"
    );
    // --no-config skips it.
    let out = logsift()
        .current_dir(&sub)
        .args([
            "analyze",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--no-config",
        ])
        .write_stdin("api-1  | cart 9 lost\n")
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["groups"].as_array().unwrap().len(), 0);
}

#[test]
fn disabling_an_unknown_rule_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".logsift.toml"),
        "disable = [\"no-such-rule\"]\n",
    )
    .unwrap();
    logsift()
        .current_dir(dir.path())
        .args(["analyze"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rule `no-such-rule`: `disable` names a rule that does not exist",
        ));
}

#[test]
fn suggested_rules_form_a_valid_pack_that_then_classifies_those_lines() {
    let input = "api-1  | ERROR payment 12 failed: card declined by the frobnicator\n\
                 api-1  | ERROR payment 13 failed: card declined by the frobnicator\n\
                 api-1  | INFO compiled successfully with 0 errors\n\
                 api-1  | INFO all good\n";
    let out = logsift()
        .args(["patterns", "suggest"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let toml = String::from_utf8(out.stdout).unwrap();
    assert_eq!(toml.matches("[[rule]]").count(), 1, "{toml}");
    assert!(toml.contains("# seen 2 times in api"), "{toml}");
    assert!(
        !toml.contains("0 errors"),
        "harmless mentions are not suggested: {toml}"
    );
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("suggested.toml");
    std::fs::write(&pack, &toml).unwrap();
    logsift()
        .args(["patterns", "test", "--patterns"])
        .arg(&pack)
        .assert()
        .code(0);
    // With the suggestion, nothing problem-like is left unclassified.
    let again = logsift()
        .args(["patterns", "suggest", "--patterns"])
        .arg(&pack)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(String::from_utf8(again.stdout)
        .unwrap()
        .starts_with("# no unclassified problems"));
}

#[test]
fn a_rule_without_a_literal_still_classifies_and_patterns_test_points_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("digits.toml");
    std::fs::write(
        &pack,
        r#"[pack]
name = "digits"
description = "a rule the prefilter cannot skip"

[[rule]]
id = "three-numbers"
category = "code"
severity = "error"
regex = '\d+ [a-z]+ \d+'
description = "two numbers around a word"
hint = "none"
samples = ["7 of 9", "code 12 vs 13"]
not_samples = ["seven of nine"]
"#,
    )
    .unwrap();
    logsift()
        .args(["patterns", "test", "--patterns"])
        .arg(&pack)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "warning: rule `three-numbers`: no literal of 3 bytes or more is in every match",
        ));
    let events = dir.path().join("events.ndjson");
    logsift()
        .args(["analyze", "--patterns"])
        .arg(&pack)
        .arg("--events")
        .arg(&events)
        .write_stdin("api-1  | all good\napi-1  | we lost 7 of 9\n")
        .assert()
        .code(1);
    let events = std::fs::read_to_string(events).unwrap();
    assert!(
        events.contains(r#""first_line":2,"last_line":2,"service":"api","severity":"error","category":"code","rule":"three-numbers""#),
        "{events}"
    );
}
