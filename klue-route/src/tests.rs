use std::cmp::Ordering;

use crate::{check, Finding, Route, Template, TemplateError};

fn split(template: &str, raw: &str) -> Option<Vec<String>> {
    let template = Template::parse(template).unwrap();
    let patterns = template.patterns().expect("a mixed segment");
    let pattern = patterns.into_iter().flatten().next().unwrap();
    let mut out = Vec::new();
    pattern
        .split(raw, &mut out)
        .then(|| out.into_iter().map(str::to_owned).collect())
}

#[test]
fn same_shaped_templates_share_shape_and_router_key_but_keep_their_names() {
    let a = Template::parse("/orgs/{org}/attestations/{subject_digest}").unwrap();
    let b = Template::parse("/orgs/{org}/attestations/{attestation_id}").unwrap();
    assert_eq!(a.shape(), "/orgs/{}/attestations/{}");
    assert_eq!(a.shape(), b.shape());
    assert_eq!(a.router_key(), "/orgs/{p1}/attestations/{p2}");
    assert_eq!(a.router_key(), b.router_key());
    assert_eq!(a.param_names(), ["org", "subject_digest"]);
    assert_eq!(b.param_names(), ["org", "attestation_id"]);
    assert!(
        a.patterns().is_none(),
        "whole-segment parameters need no splitting"
    );
}

#[test]
fn mixed_segments_become_one_router_parameter_and_keep_their_literals_in_the_shape() {
    let t = Template::parse("/repos/{owner}/{repo}/compare/{base}...{head}").unwrap();
    assert_eq!(t.router_key(), "/repos/{p1}/{p2}/compare/{p3}");
    assert_eq!(t.shape(), "/repos/{}/{}/compare/{}...{}");
    assert_eq!(t.param_names(), ["owner", "repo", "base", "head"]);
    let patterns = t.patterns().unwrap();
    assert_eq!(patterns.len(), 3);
    assert!(patterns[0].is_none() && patterns[1].is_none() && patterns[2].is_some());
}

#[test]
fn a_separator_between_parameters_is_found_leftmost_on_the_raw_text() {
    let t = "/c/{base}...{head}";
    assert_eq!(split(t, "main...dev").unwrap(), ["main", "dev"]);
    assert_eq!(split(t, "v1.2...v1.3").unwrap(), ["v1.2", "v1.3"]);
    assert_eq!(split(t, "a....b").unwrap(), ["a", ".b"]);
    assert_eq!(split(t, "a...b...c").unwrap(), ["a", "b...c"]);
    // An encoded separator is part of a value.
    assert_eq!(split(t, "a%2E%2E%2Eb"), None);
    assert_eq!(split(t, "a%2E%2E%2Eb...c").unwrap(), ["a%2E%2E%2Eb", "c"]);
    // Every value is non-empty.
    assert_eq!(split(t, "...b"), None);
    assert_eq!(split(t, "a..."), None);
    assert_eq!(split(t, "...."), None);
    assert_eq!(
        split(t, "....."),
        Some(vec![".".to_owned(), ".".to_owned()])
    );
}

#[test]
fn literals_at_the_ends_of_a_segment_anchor_it() {
    assert_eq!(split("/a/{name}.json", "x.json").unwrap(), ["x"]);
    assert_eq!(split("/a/{name}.json", "x.json.json").unwrap(), ["x.json"]);
    assert_eq!(split("/a/{name}.json", ".json"), None);
    assert_eq!(split("/a/{name}.json", "x.jsonp"), None);
    assert_eq!(split("/a/v{version}", "v2").unwrap(), ["2"]);
    assert_eq!(split("/a/v{version}", "w2"), None);
    assert_eq!(split("/a/v{version}", "v"), None);
    assert_eq!(
        split("/a/{a}.{b}.json", "x.y.z.json").unwrap(),
        ["x", "y.z"]
    );
    assert_eq!(split("/a/x{a}x", "x"), None);
    assert_eq!(split("/a/x{a}x", "xx"), None);
    assert_eq!(split("/a/x{a}x", "xyx").unwrap(), ["y"]);
    assert_eq!(split("/a/{n}:cancel", "op%3A1:cancel").unwrap(), ["op%3A1"]);
}

#[test]
fn unroutable_templates_say_why() {
    assert_eq!(
        Template::parse("/a/{a}{b}"),
        Err(TemplateError::AdjacentParams {
            segment: "{a}{b}".to_owned(),
            first: "a".to_owned(),
            second: "b".to_owned()
        })
    );
    for bad in ["/a/{b", "/a/b}", "/a/{b{c}}"] {
        assert!(
            matches!(Template::parse(bad), Err(TemplateError::Unbalanced { .. })),
            "{bad}"
        );
    }
    assert!(matches!(
        Template::parse("/a/{}"),
        Err(TemplateError::EmptyName { .. })
    ));
}

#[test]
fn more_literal_text_in_a_parameter_segment_is_tried_first() {
    let json = Template::parse("/a/{x}.json").unwrap();
    let plain = Template::parse("/a/{y}").unwrap();
    let dotted = Template::parse("/a/{x}.{ext}").unwrap();
    assert_eq!(json.precedence(&plain), Ordering::Less);
    assert_eq!(plain.precedence(&json), Ordering::Greater);
    assert_eq!(json.precedence(&dotted), Ordering::Less);
    assert_eq!(dotted.precedence(&plain), Ordering::Less);
    // Leftmost segment first.
    let left = Template::parse("/{a}.x/{b}").unwrap();
    let right = Template::parse("/{a}/{b}.xyz").unwrap();
    assert_eq!(left.precedence(&right), Ordering::Less);
}

fn route<'a>(method: &'a str, path: &'a str) -> Route<'a> {
    Route { method, path }
}

#[test]
fn the_check_finds_true_conflicts_unroutable_segments_and_shadowed_builtins() {
    let routes = [
        route("GET", "/orgs/{org}/attestations/{subject_digest}"),
        route("DELETE", "/orgs/{org}/attestations/{attestation_id}"),
        route("get", "/orgs/{o}/attestations/{id}"),
        route("GET", "/files/{a}{b}"),
        route("GET", "/health"),
        route("POST", "/metrics"),
        route("GET", "/{anything}"),
    ];
    let builtins = [
        route("GET", "/health"),
        route("GET", "/metrics"),
        route("GET", "/version"),
    ];
    assert_eq!(
        check(&routes, &builtins),
        [
            Finding::Conflict {
                first: 0,
                second: 2
            },
            Finding::Unroutable {
                route: 3,
                error: TemplateError::AdjacentParams {
                    segment: "{a}{b}".to_owned(),
                    first: "a".to_owned(),
                    second: "b".to_owned()
                }
            },
            Finding::ShadowsBuiltin {
                route: 4,
                builtin: 0
            },
        ]
    );
}

#[test]
fn the_builtins_are_get_routes_that_parse() {
    for builtin in crate::BUILTINS {
        let template = Template::parse(builtin.path).unwrap();
        assert!(template.param_names().is_empty(), "{}", builtin.path);
    }
}

#[test]
fn a_selector_is_cut_from_the_path_and_kept_in_the_shape_only() {
    let t = Template::parse("/request/{id}?cmd=diff").unwrap();
    assert_eq!(t.param_names(), ["id"]);
    assert_eq!(t.router_key(), "/request/{p1}");
    assert_eq!(t.path_shape(), "/request/{}");
    assert_eq!(t.shape(), "/request/{}#cmd=diff");
    // Items in any order are one selector; `name={param}` asks for presence only.
    let a = Template::parse("/current?lon={lon}&lat={lat}").unwrap();
    let b = Template::parse("/current#lat&lon").unwrap();
    assert_eq!(
        a.param_names(),
        [] as [&str; 0],
        "selector parameters are not path ones"
    );
    assert_eq!(a.shape(), b.shape());
    assert_eq!(a.shape(), "/current#lat&lon");
    let mut params = Vec::new();
    a.selector()
        .unwrap()
        .query_params(Some("lat=1.5&lon=-2&key=k"), &mut params);
    assert_eq!(
        params,
        [
            ("lat".to_owned(), "1.5".to_owned()),
            ("lon".to_owned(), "-2".to_owned())
        ]
    );
    // `/a#` selects nothing: the plain path.
    assert_eq!(Template::parse("/a#").unwrap().shape(), "/a");
}

#[test]
fn a_selector_holds_on_a_header_or_a_query_value() {
    let t = Template::parse("/#X-Amz-Target=AmazonSSM.CreateActivation&Version").unwrap();
    let selector = t.selector().unwrap();
    let no_headers = |_: &str| None;
    let target = |name: &str| {
        name.eq_ignore_ascii_case("x-amz-target")
            .then_some(&b"AmazonSSM.CreateActivation"[..])
    };
    assert!(selector.matches(Some("Version=1"), target));
    assert!(selector.matches(
        Some("X-Amz-Target=AmazonSSM%2ECreateActivation&Version"),
        no_headers
    ));
    assert!(!selector.matches(Some("X-Amz-Target=AmazonSSM.Other&Version"), no_headers));
    assert!(!selector.matches(None, target), "Version is missing");
    assert!(!selector.matches(Some("Versions=1"), target));
    // Form decoding: `+` is a space, a bad escape matches nothing.
    let spaced = Template::parse("/s?q=a b").unwrap();
    assert!(spaced
        .selector()
        .unwrap()
        .matches(Some("q=a+b"), no_headers));
    assert!(!spaced
        .selector()
        .unwrap()
        .matches(Some("q=a%2"), no_headers));
}

#[test]
fn the_same_method_and_path_with_other_selectors_is_no_conflict() {
    let routes = [
        Route {
            method: "POST",
            path: "/#X-Amz-Target=A",
        },
        Route {
            method: "POST",
            path: "/#X-Amz-Target=B",
        },
        Route {
            method: "POST",
            path: "/",
        },
        Route {
            method: "POST",
            path: "/?X-Amz-Target=B",
        },
    ];
    assert_eq!(
        check(&routes, &[]),
        [Finding::Conflict {
            first: 1,
            second: 3
        }]
    );
}
