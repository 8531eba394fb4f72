use super::*;
use serde_json::json;

static NAME: Schema = Schema::String(StringRules {
    min_length: Some(2),
    max_length: Some(4),
    pattern: None,
    enum_values: &[],
    format: None,
});
static SCORE: Schema = Schema::Number(NumberRules {
    minimum: None,
    maximum: None,
    exclusive_minimum: Some(0.0),
    exclusive_maximum: None,
    multiple_of: Some(0.5),
});
static TAGS: Schema = Schema::Array(ArrayRules {
    items: &NAME,
    min_items: None,
    max_items: Some(2),
    unique_items: true,
});
static COUNTS: Schema = Schema::Object(ObjectRules {
    properties: &[],
    additional: Some(&Schema::Integer(
        IntegerFormat::Int32,
        NumberRules {
            minimum: Some(0.0),
            maximum: None,
            exclusive_minimum: None,
            exclusive_maximum: None,
            multiple_of: None,
        },
    )),
    min_properties: None,
    max_properties: None,
});
static THING: Schema = Schema::Object(ObjectRules {
    properties: &[
        Property {
            name: "a/b~c",
            required: true,
            schema: &NAME,
        },
        Property {
            name: "score",
            required: false,
            schema: &SCORE,
        },
        Property {
            name: "tags",
            required: false,
            schema: &TAGS,
        },
        Property {
            name: "counts",
            required: false,
            schema: &COUNTS,
        },
        Property {
            name: "child",
            required: false,
            schema: &Schema::Ref(&THING),
        },
    ],
    additional: None,
    min_properties: None,
    max_properties: None,
});

fn check(value: serde_json::Value) -> Vec<(String, String)> {
    let mut v = Violations::default();
    validate_value(&value, &THING, &mut v);
    v.into_vec()
        .into_iter()
        .map(|x| (x.pointer, x.message))
        .collect()
}

#[test]
fn valid_values_give_no_violation() {
    assert!(
        check(json!({"a/b~c": "abc", "score": 1.5, "tags": ["xy"], "counts": {"n": 3}})).is_empty()
    );
}

#[test]
fn every_violation_is_reported_with_an_escaped_nested_pointer() {
    let found = check(json!({
        "score": 0.75,
        "tags": ["x", "abcde", "x"],
        "counts": {"n/1": -1, "m": 3000000000_i64},
        "child": {"a/b~c": 7, "child": {}}
    }));
    let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/a~1b~0c",
            "/score",
            "/tags",
            "/tags",
            "/tags/0",
            "/tags/1",
            "/tags/2",
            "/counts/n~11",
            "/counts/m",
            "/child/a~1b~0c",
            "/child/child/a~1b~0c",
        ]
    );
    assert_eq!(found[0].1, "required property is missing");
    assert_eq!(found[1].1, "0.75 is not a multiple of 0.5");
    assert!(found[3].1.contains("uniqueItems"), "{found:?}");
    assert!(found[8].1.contains("int32"), "{found:?}");
    assert_eq!(found[9].1, "expected string, got integer");
}

#[test]
fn typed_validation_uses_the_same_rules_and_pointers() {
    let mut v = Violations::default();
    v.field("tags", &vec!["x".to_owned(), "ok".to_owned()], &TAGS);
    v.field("score", &0.0_f64, &SCORE);
    let found: Vec<(String, String)> = v
        .into_vec()
        .into_iter()
        .map(|x| (x.pointer, x.message))
        .collect();
    assert_eq!(
        found,
        [
            (
                "/tags/0".to_owned(),
                "length 1 is shorter than minLength 2".to_owned()
            ),
            (
                "/score".to_owned(),
                "0 is not greater than exclusiveMinimum 0".to_owned()
            ),
        ]
    );
}

static SHORT: Schema = Schema::String(StringRules {
    min_length: None,
    max_length: Some(3),
    pattern: None,
    enum_values: &[],
    format: None,
});
static CODE: Schema = Schema::OneOf(&[&SHORT, &NAME, &crate::validate::plain::INT64]);
static CODE_ANY: Schema = Schema::AnyOf(&[&SHORT, &NAME]);
static CLOSED: Schema = Schema::Object(ObjectRules {
    properties: &[Property {
        name: "kind",
        required: true,
        schema: &crate::validate::plain::STRING,
    }],
    additional: Some(&Schema::Never),
    min_properties: None,
    max_properties: None,
});
static TAGGED: Schema = Schema::Tagged(TaggedRules {
    property: "kind",
    tags: &[
        Tag {
            value: "closed",
            schema: &CLOSED,
        },
        Tag {
            value: "thing",
            schema: &THING,
        },
    ],
});

fn check_against(value: serde_json::Value, schema: &'static Schema) -> Vec<(String, String)> {
    let mut v = Violations::default();
    validate_value(&value, schema, &mut v);
    v.into_vec()
        .into_iter()
        .map(|x| (x.pointer, x.message))
        .collect()
}

#[test]
fn one_of_requires_exactly_one_alternative() {
    // "ab" fits SHORT and NAME; "abcd" only NAME; 7 only the integer.
    assert!(check_against(json!("abcd"), &CODE).is_empty());
    assert!(check_against(json!(7), &CODE).is_empty());
    assert_eq!(
        check_against(json!("ab"), &CODE),
        [(
            String::new(),
            "matches 2 alternatives of oneOf (#0, #1); exactly one must match".to_owned()
        )]
    );
    assert_eq!(
        check_against(json!(true), &CODE),
        [(
            String::new(),
            "matches none of the 3 alternatives of oneOf".to_owned()
        )]
    );
    // anyOf: several matches are fine.
    assert!(check_against(json!("ab"), &CODE_ANY).is_empty());
    assert_eq!(check_against(json!("abcdef"), &CODE_ANY).len(), 1);
}

#[test]
fn a_discriminator_selects_the_alternative_and_names_the_tag_pointer() {
    assert!(check_against(json!({"kind": "closed"}), &TAGGED).is_empty());
    assert_eq!(
        check_against(json!({"kind": "closed", "x/y": 1}), &TAGGED),
        [(
            "/x~1y".to_owned(),
            "unknown property 'x/y' is not allowed (additionalProperties: false)".to_owned()
        )]
    );
    assert_eq!(
        check_against(json!({"kind": "open"}), &TAGGED),
        [(
            "/kind".to_owned(),
            "'open' is not one of ['closed', 'thing'] (discriminator)".to_owned()
        )]
    );
    assert_eq!(
        check_against(json!({}), &TAGGED),
        [(
            "/kind".to_owned(),
            "required discriminator property is missing".to_owned()
        )]
    );
    assert_eq!(
        check_against(json!([]), &TAGGED),
        [(String::new(), "expected object, got array".to_owned())]
    );
}

#[derive(Debug, PartialEq, serde::Serialize)]
enum Code {
    Short(String),
    Name(String),
    Number(i64),
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        one_of(
            d,
            &[
                (&SHORT, |v| decode(v).map(Code::Short)),
                (&NAME, |v| decode(v).map(Code::Name)),
                (&crate::validate::plain::INT64, |v| {
                    decode(v).map(Code::Number)
                }),
            ],
        )
    }
}

#[test]
fn one_of_decodes_the_only_matching_alternative() {
    let code: Code = serde_json::from_value(json!("abcd")).expect("decodes");
    assert_eq!(code, Code::Name("abcd".to_owned()));
    let code: Code = serde_json::from_value(json!(3)).expect("decodes");
    assert_eq!(code, Code::Number(3));
    let err = serde_json::from_value::<Code>(json!("ab")).expect_err("ambiguous");
    assert!(err.to_string().contains("matches 2 alternatives"), "{err}");
    let err = serde_json::from_value::<Code>(json!("abcdef")).expect_err("none valid");
    assert!(err.to_string().contains("none of the 3"), "{err}");
}

#[test]
fn violations_past_the_limit_are_counted_not_listed() {
    let items: Vec<serde_json::Value> = (0..1000).map(|_| json!("x")).collect();
    let mut v = Violations::default();
    validate_value(&json!({"a/b~c": "ok", "tags": items}), &THING, &mut v);
    // maxItems, uniqueItems, then one minLength per item.
    assert_eq!(v.len(), 1002);
    let listed = v.into_vec();
    assert_eq!(listed.len(), Violations::LISTED);
    assert_eq!(listed[2].pointer, "/tags/0");
    assert_eq!(listed[99].pointer, "/tags/97");

    // Typed values, and the appended violations of a union alternative, count the same way.
    let mut typed = Violations::default();
    let strings = vec!["x".to_owned(); 500];
    typed.field("tags", &strings, &TAGS);
    assert_eq!((typed.len(), typed.into_vec().len()), (502, 100));
}

#[test]
fn messages_show_a_bounded_part_of_the_value() {
    static COLOR: Schema = Schema::String(StringRules {
        min_length: None,
        max_length: None,
        pattern: None,
        enum_values: &["red", "blue"],
        format: None,
    });
    let mut v = Violations::default();
    validate_value(&json!("y".repeat(100_000)), &COLOR, &mut v);
    let message = &v.into_vec()[0].message;
    assert_eq!(
        message,
        &format!("'{}...' is not one of ['red', 'blue']", "y".repeat(64))
    );
}

#[test]
fn the_error_lists_a_bounded_part_and_counts_all() {
    let mut v = Violations::default();
    for i in 0..250 {
        v.push_at(&format!("k{i}"), "is wrong");
    }
    let envelope = v.into_error().envelope();
    assert_eq!(envelope.errors.len(), Violations::LISTED);
    assert_eq!(envelope.errors_total, Some(250));
    assert!(
        envelope
            .error_description
            .starts_with("250 errors in the request (first 100 listed): body /k0: is wrong; "),
        "{}",
        envelope.error_description
    );

    // Long pointers fill the byte budget before the count limit.
    let mut long = Violations::default();
    for i in 0..50 {
        long.push_at(&format!("{i}{}", "p".repeat(4000)), "is wrong");
    }
    let envelope = long.into_error().envelope();
    assert!(envelope.errors.len() < 6, "{}", envelope.errors.len());
    assert_eq!(envelope.errors_total, Some(50));
    let size = serde_json::to_vec(&envelope).map(|b| b.len()).unwrap_or(0);
    assert!(size < 64 * 1024, "{size} bytes");

    // Nothing past the limit: no count.
    let mut few = Violations::default();
    few.push("is wrong");
    few.push("is wrong too");
    let envelope = few.into_error().envelope();
    assert_eq!((envelope.errors.len(), envelope.errors_total), (2, None));
    assert_eq!(
        envelope.error_description,
        "2 errors in the request: body (root): is wrong; body (root): is wrong too"
    );
}

static TWO_TAGS: Schema = Schema::Object(ObjectRules {
    properties: &[],
    additional: Some(&crate::validate::plain::STRING),
    min_properties: Some(1),
    max_properties: Some(2),
});

#[test]
fn min_and_max_properties_count_a_maps_entries_as_json_and_typed() {
    assert!(check_against(json!({"a": "x"}), &TWO_TAGS).is_empty());
    let few = vec![(
        String::new(),
        "0 properties, fewer than minProperties 1".to_owned(),
    )];
    assert_eq!(check_against(json!({}), &TWO_TAGS), few);
    let many = json!({"a": "x", "b": "y", "c": "z"});
    let expected = vec![(
        String::new(),
        "3 properties, more than maxProperties 2".to_owned(),
    )];
    assert_eq!(check_against(many.clone(), &TWO_TAGS), expected);
    let typed: std::collections::BTreeMap<String, String> = serde_json::from_value(many).unwrap();
    let mut v = Violations::default();
    typed.validate(&TWO_TAGS, &mut v);
    assert_eq!(v.into_vec().len(), 1);
}
