//! Parameter styles over real HTTP: every style/explode combination of
//! `apis/fixtures/openapi30/params_styles.yaml` accepted in its wire form, malformed values
//! refused with a 400 naming the parameter (and item or member), a round trip through the
//! generated client for each style, and typed response headers both ways.

use http::Method;
use klue_core::{ApiError, ServerConfig};
use klue_core::{ClientConfig, ClientError};
use klue_snapshots::params_styles as api;
use serde_json::{json, Value};
use testaccept::TestClient;

struct Echo;

impl api::ParamsStylesApi for Echo {
    async fn path_simple(
        &self,
        r: api::PathSimpleRequest,
    ) -> Result<api::PathSimpleResponse, ApiError> {
        Ok(json!({"ids": r.ids, "color": r.color, "point": r.point}).into())
    }

    async fn path_label(
        &self,
        r: api::PathLabelRequest,
    ) -> Result<api::PathLabelResponse, ApiError> {
        Ok(
            json!({"ids": r.ids, "idsx": r.idsx, "color": r.color, "point": r.point, "id": r.id})
                .into(),
        )
    }

    async fn path_matrix(
        &self,
        r: api::PathMatrixRequest,
    ) -> Result<api::PathMatrixResponse, ApiError> {
        Ok(
            json!({"ids": r.ids, "idsx": r.idsx, "color": r.color, "point": r.point, "id": r.id})
                .into(),
        )
    }

    async fn query_styles(
        &self,
        r: api::QueryStylesRequest,
    ) -> Result<api::QueryStylesResponse, ApiError> {
        Ok(json!({
            "tags": r.tags, "ids": r.ids, "color": r.color, "point": r.point,
            "filter": r.filter, "words": r.words, "codes": r.codes, "labels": r.labels,
        })
        .into())
    }

    async fn header_styles(
        &self,
        r: api::HeaderStylesRequest,
    ) -> Result<api::HeaderStylesResponse, ApiError> {
        Ok(json!({"ids": r.x_ids, "color": r.x_color, "point": r.x_point}).into())
    }

    async fn cookie_styles(
        &self,
        r: api::CookieStylesRequest,
    ) -> Result<api::CookieStylesResponse, ApiError> {
        Ok(json!({"tags": r.ctags, "ids": r.cids, "color": r.ccolor, "prefs": r.prefs}).into())
    }

    async fn get_limits(
        &self,
        r: api::GetLimitsRequest,
    ) -> Result<api::GetLimitsResponse, ApiError> {
        Ok(match r.mode {
            api::GetLimitsMode::Ok => api::GetLimitsResponse::Ok(
                api::GetLimitsOk { ok: true },
                api::GetLimitsOkHeaders {
                    x_rate_limit: 10,
                    x_tags: Some(vec!["a".into(), "b".into()]),
                },
            ),
            api::GetLimitsMode::Created => {
                api::GetLimitsResponse::Created(api::GetLimitsCreatedHeaders {
                    location: "/limits/1".into(),
                })
            }
            api::GetLimitsMode::Other => api::GetLimitsResponse::Default(
                http::StatusCode::NON_AUTHORITATIVE_INFORMATION,
                api::GetLimitsDefaultHeaders { x_cost: 3 },
            ),
        })
    }
}

async fn get(client: &TestClient, path: &str, headers: &[(&str, &str)]) -> Value {
    client
        .send(Method::GET, path, headers, None)
        .await
        .assert_json(200)
}

/// The (location, pointer) of each violation of the 400 answer to `path`.
async fn refused(
    client: &TestClient,
    path: &str,
    headers: &[(&str, &str)],
) -> Vec<(String, String)> {
    let envelope = client
        .send(Method::GET, path, headers, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    envelope
        .errors
        .iter()
        .map(|v| (v.location.to_string(), v.pointer.clone()))
        .collect()
}

fn at(location: &str, pointer: &str) -> Vec<(String, String)> {
    vec![(location.to_owned(), pointer.to_owned())]
}

fn color() -> Value {
    json!({"R": 1, "G": 2, "B": 3})
}

#[tokio::test]
async fn path_styles_are_read_and_checked() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;

    let simple = get(&client, "/simple/1,2,3/R,1,G,2,B,3/x=5,y=6", &[]).await;
    assert_eq!(
        simple,
        json!({"ids": [1, 2, 3], "color": color(), "point": {"x": 5, "y": 6}})
    );
    assert_eq!(
        refused(&client, "/simple/1,x,3/R,1,G,2,B,3/x=5,y=6", &[]).await,
        at("path", "/ids/1")
    );
    assert_eq!(
        refused(&client, "/simple/1,2,3,4/R,1,G,2,B,3/x=5,y=6", &[]).await,
        at("path", "/ids")
    );
    assert_eq!(
        refused(&client, "/simple/1/R,300,G,2,B,3/x=5,y=6", &[]).await,
        at("path", "/color/R")
    );
    assert_eq!(
        refused(&client, "/simple/1/R,1,G/x=5,y=6", &[]).await,
        at("path", "/color")
    );
    assert_eq!(
        refused(&client, "/simple/1/R,1,G,2,B,3/x=5,y", &[]).await,
        at("path", "/point")
    );

    let label = get(&client, "/label/.1,2/.a.b/.R,1,G,2,B,3/.x=1.y=2/.7", &[]).await;
    assert_eq!(
        label,
        json!({"ids": [1, 2], "idsx": ["a", "b"], "color": color(), "point": {"x": 1, "y": 2}, "id": 7})
    );
    assert_eq!(
        refused(&client, "/label/1,2/.a/.R,1,G,2,B,3/.x=1.y=2/.7", &[]).await,
        at("path", "/ids")
    );
    assert_eq!(
        refused(&client, "/label/.1,2/.a/.R,1,G,2,B,3/.x=1.y=2/.0", &[]).await,
        at("path", "/id")
    );
    assert_eq!(
        refused(&client, "/label/.1,2/.a/.R,1,G,2,B,3/.x=1.y=z/.1", &[]).await,
        at("path", "/point/y")
    );

    let matrix = get(
        &client,
        "/matrix/;ids=1,2/;idsx=a;idsx=b/;color=R,1,G,2,B,3/;x=1;y=2/;id=7",
        &[],
    )
    .await;
    assert_eq!(
        matrix,
        json!({"ids": [1, 2], "idsx": ["a", "b"], "color": color(), "point": {"x": 1, "y": 2}, "id": 7})
    );
    assert_eq!(
        refused(
            &client,
            "/matrix/;other=1/;idsx=a/;color=R,1,G,2,B,3/;x=1;y=2/;id=7",
            &[]
        )
        .await,
        at("path", "/ids")
    );
    assert_eq!(
        refused(
            &client,
            "/matrix/;ids=1,b/;idsx=a/;color=R,1,G,2,B,-3/;x=1;y=2/;id=7",
            &[]
        )
        .await,
        vec![
            ("path".to_owned(), "/ids/1".to_owned()),
            ("path".to_owned(), "/color/B".to_owned())
        ]
    );
}

#[tokio::test]
async fn query_styles_are_read_and_checked() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let all = get(
        &client,
        "/query?tags=red,blue&ids=1&ids=2&color=R,1,G,2,B,3&x=3&y=4&filter%5Bmin%5D=1\
         &filter%5Bmax%5D=50&words=a%20b+c&codes=1%7C2%7C3&labels%5Ba%5D=x&labels%5Bb%5D=y",
        &[],
    )
    .await;
    assert_eq!(
        all,
        json!({
            "tags": ["red", "blue"], "ids": [1, 2], "color": color(), "point": {"x": 3, "y": 4},
            "filter": {"min": 1, "max": 50}, "words": ["a", "b", "c"], "codes": [1, 2, 3],
            "labels": {"a": "x", "b": "y"},
        })
    );
    let none = get(&client, "/query", &[]).await;
    assert_eq!(none["tags"], Value::Null);
    assert_eq!(none["filter"], Value::Null);

    assert_eq!(
        refused(&client, "/query?tags=red,pink", &[]).await,
        at("query", "/tags/1")
    );
    assert_eq!(
        refused(&client, "/query?filter%5Bmax%5D=500", &[]).await,
        at("query", "/filter/max")
    );
    assert_eq!(
        refused(&client, "/query?codes=1%7Cx", &[]).await,
        at("query", "/codes/1")
    );
    assert_eq!(
        refused(&client, "/query?labels%5Ba%5D=toolong", &[]).await,
        at("query", "/labels/a")
    );
    assert_eq!(
        refused(&client, "/query?color=R,1,G,2,B,x", &[]).await,
        at("query", "/color/B")
    );
    assert_eq!(
        refused(&client, "/query?x=1&y=b", &[]).await,
        at("query", "/point/y")
    );
}

#[tokio::test]
async fn header_and_cookie_styles_are_read_and_checked() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let headers = get(
        &client,
        "/headers",
        &[
            ("x-ids", "1, 2"),
            ("x-color", "R,1,G,2,B,3"),
            ("x-point", "x=1,y=2"),
        ],
    )
    .await;
    assert_eq!(
        headers,
        json!({"ids": [1, 2], "color": color(), "point": {"x": 1, "y": 2}})
    );
    assert_eq!(
        refused(&client, "/headers", &[]).await,
        at("header", "/x-ids")
    );
    assert_eq!(
        refused(&client, "/headers", &[("x-ids", "1,a")]).await,
        at("header", "/x-ids/1")
    );
    assert_eq!(
        refused(&client, "/headers", &[("x-ids", "1"), ("x-point", "x=1")]).await,
        at("header", "/x-point/y")
    );

    let cookies = get(
        &client,
        "/cookies",
        &[(
            "cookie",
            "ctags=red,green; cids=1; cids=2; ccolor=R,1,G,2,B,3; theme=dark; lang=fr",
        )],
    )
    .await;
    assert_eq!(
        cookies,
        json!({"tags": ["red", "green"], "ids": [1, 2], "color": color(), "prefs": {"theme": "dark", "lang": "fr"}})
    );
    assert_eq!(
        refused(&client, "/cookies", &[("cookie", "ctags=red,pink; cids=x")]).await,
        vec![
            ("cookie".to_owned(), "/ctags/1".to_owned()),
            ("cookie".to_owned(), "/cids/0".to_owned())
        ]
    );
}

#[tokio::test]
async fn the_generated_client_round_trips_every_style() {
    let (_, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let client =
        api::ParamsStylesClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let rgb = api::Color { r: 1, g: 2, b: 3 };
    let point = api::Point { x: -1, y: 2 };
    let body = |response| match response {
        api::PathSimpleResponse::Ok(v) => v,
    };
    let simple = client
        .path_simple(api::PathSimpleParams {
            ids: vec![1, 2],
            color: rgb.clone(),
            point: point.clone(),
        })
        .await
        .expect("simple");
    assert_eq!(
        body(simple),
        json!({"ids": [1, 2], "color": color(), "point": {"x": -1, "y": 2}})
    );

    // Delimiters inside items are percent-encoded in the path and survive the trip.
    let tricky = vec![
        "a.b".to_owned(),
        "c,d".to_owned(),
        "e;f=g".to_owned(),
        "h i/j".to_owned(),
    ];
    let api::PathLabelResponse::Ok(label) = client
        .path_label(api::PathLabelParams {
            ids: vec![4, 5],
            idsx: tricky.clone(),
            color: rgb.clone(),
            point: point.clone(),
            id: 9,
        })
        .await
        .expect("label");
    assert_eq!(
        label,
        json!({"ids": [4, 5], "idsx": tricky, "color": color(), "point": {"x": -1, "y": 2}, "id": 9})
    );
    let api::PathMatrixResponse::Ok(matrix) = client
        .path_matrix(api::PathMatrixParams {
            ids: vec![],
            idsx: tricky.clone(),
            color: rgb.clone(),
            point: point.clone(),
            id: 9,
        })
        .await
        .expect("matrix");
    assert_eq!(
        matrix,
        json!({"ids": [], "idsx": tricky, "color": color(), "point": {"x": -1, "y": 2}, "id": 9})
    );

    let labels = [("k 1".to_owned(), "v&=".to_owned())].into_iter().collect();
    let api::QueryStylesResponse::Ok(query) = client
        .query_styles(api::QueryStylesParams {
            tags: Some(vec![api::Tag::Green, api::Tag::Red]),
            ids: Some(vec![7, 8]),
            color: Some(rgb.clone()),
            point: Some(point.clone()),
            filter: Some(api::QueryStylesFilter {
                min: Some(1),
                max: None,
            }),
            words: Some(vec!["x,y".into(), "z|".into()]),
            codes: Some(vec![1, 2]),
            labels: Some(labels),
        })
        .await
        .expect("query");
    assert_eq!(
        query,
        json!({
            "tags": ["green", "red"], "ids": [7, 8], "color": color(), "point": {"x": -1, "y": 2},
            "filter": {"min": 1}, "words": ["x,y", "z|"], "codes": [1, 2], "labels": {"k 1": "v&="},
        })
    );
    // An item holding the delimiter of a style that cannot escape it is refused before sending.
    let refused = client
        .query_styles(api::QueryStylesParams {
            tags: None,
            ids: None,
            color: None,
            point: None,
            filter: None,
            words: Some(vec!["two words".into()]),
            codes: None,
            labels: None,
        })
        .await
        .expect_err("a space in a spaceDelimited item");
    match refused {
        ClientError::InvalidRequest(violations) => assert_eq!(violations[0].pointer, "/words"),
        other => panic!("expected InvalidRequest, got {other}"),
    }

    let api::HeaderStylesResponse::Ok(headers) = client
        .header_styles(api::HeaderStylesParams {
            x_ids: vec![3],
            x_color: Some(rgb.clone()),
            x_point: Some(point.clone()),
        })
        .await
        .expect("headers");
    assert_eq!(
        headers,
        json!({"ids": [3], "color": color(), "point": {"x": -1, "y": 2}})
    );

    let api::CookieStylesResponse::Ok(cookies) = client
        .cookie_styles(api::CookieStylesParams {
            ctags: Some(vec![api::Tag::Blue]),
            cids: Some(vec![1, 2]),
            ccolor: Some(rgb),
            prefs: Some(api::CookieStylesPrefs {
                theme: Some("dark; x=1".into()),
                lang: None,
            }),
        })
        .await
        .expect("cookies");
    assert_eq!(
        cookies,
        json!({"tags": ["blue"], "ids": [1, 2], "color": color(), "prefs": {"theme": "dark; x=1"}})
    );
}

#[tokio::test]
async fn response_headers_are_sent_and_read_back() {
    let (client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let ok = client.get("/limits?mode=ok").await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.headers["x-rate-limit"], "10");
    assert_eq!(ok.headers["x-tags"], "a,b");
    let created = client.get("/limits?mode=created").await;
    assert_eq!(created.status, 201);
    assert_eq!(created.headers["location"], "/limits/1");
    let other = client.get("/limits?mode=other").await;
    assert_eq!(other.status, 203);
    assert_eq!(other.headers["x-cost"], "3");

    let typed =
        api::ParamsStylesClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let mode = |mode| api::GetLimitsParams { mode };
    assert_eq!(
        typed
            .get_limits(mode(api::GetLimitsMode::Ok))
            .await
            .expect("ok"),
        api::GetLimitsResponse::Ok(
            api::GetLimitsOk { ok: true },
            api::GetLimitsOkHeaders {
                x_rate_limit: 10,
                x_tags: Some(vec!["a".into(), "b".into()])
            }
        )
    );
    assert_eq!(
        typed
            .get_limits(mode(api::GetLimitsMode::Created))
            .await
            .expect("created"),
        api::GetLimitsResponse::Created(api::GetLimitsCreatedHeaders {
            location: "/limits/1".into()
        })
    );
    assert_eq!(
        typed
            .get_limits(mode(api::GetLimitsMode::Other))
            .await
            .expect("other"),
        api::GetLimitsResponse::Default(
            http::StatusCode::NON_AUTHORITATIVE_INFORMATION,
            api::GetLimitsDefaultHeaders { x_cost: 3 }
        )
    );
}
