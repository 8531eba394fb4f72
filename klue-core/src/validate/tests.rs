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
        check(json!({"a/b~c": "abc", "score": 1.5, "tags": ["xy"], "counts": {"n": 3}}))
            .is_empty()
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
