//! Swagger 2.0 `collectionFormat` over real HTTP (`apis/fixtures/swagger2/
//! params_collection_format.yaml`): csv, ssv, tsv, pipes and multi arrays read and checked, a
//! round trip through the generated client, and a typed response header.

use http::Method;
use klue_core::ClientConfig;
use klue_core::{ApiError, ServerConfig};
use klue_snapshots::params_collection_format as api;
use serde_json::json;

struct Echo;

impl api::ParamsCollectionFormatApi for Echo {
    async fn list_items(
        &self,
        r: api::ListItemsRequest,
    ) -> Result<api::ListItemsResponse, ApiError> {
        let total = r.ids.len() as i64;
        Ok(api::ListItemsResponse::Ok(
            json!({
                "ids": r.ids, "csv": r.csv, "ssv": r.ssv, "tsv": r.tsv, "pipes": r.pipes,
                "multi": r.multi, "x_ids": r.x_ids,
            }),
            api::ListItemsOkHeaders {
                x_total: Some(total),
            },
        ))
    }
}

#[tokio::test]
async fn collection_formats_are_read_checked_and_sent() {
    let (client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let path = "/items/1,2?csv=a,b&ssv=1%202&tsv=3%094&pipes=5%7C6&multi=7&multi=8";
    let ok = client
        .send(Method::GET, path, &[("x-ids", "9,10")], None)
        .await;
    assert_eq!(ok.headers["x-total"], "2");
    assert_eq!(
        ok.assert_json(200),
        json!({
            "ids": [1, 2], "csv": ["a", "b"], "ssv": [1, 2], "tsv": [3, 4], "pipes": [5, 6],
            "multi": [7, 8], "x_ids": [9, 10],
        })
    );

    let bad = client
        .send(
            Method::GET,
            "/items/1,x?ssv=1%20y&tsv=3%09z&pipes=5%7Cw&multi=11",
            &[("x-ids", "v")],
            None,
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let found: Vec<(String, &str)> = bad
        .errors
        .iter()
        .map(|v| (v.location.to_string(), v.pointer.as_str()))
        .collect();
    let expected = [
        ("path", "/ids/1"),
        ("query", "/ssv/1"),
        ("query", "/tsv/1"),
        ("query", "/pipes/1"),
        ("query", "/multi/0"),
        ("header", "/x-ids/0"),
    ];
    assert_eq!(found, expected.map(|(l, p)| (l.to_owned(), p)).to_vec());

    let typed = api::ParamsCollectionFormatClient::new(ClientConfig::new(format!("http://{addr}")))
        .expect("client");
    let answer = typed
        .list_items(api::ListItemsParams {
            ids: vec![1, 2, 3],
            csv: Some(vec!["a,b".into(), "c".into()]),
            ssv: Some(vec![1, 2]),
            tsv: Some(vec![3, 4]),
            pipes: Some(vec![5, 6]),
            multi: Some(vec![7]),
            x_ids: Some(vec![9]),
        })
        .await
        .expect("list_items");
    assert_eq!(
        answer,
        api::ListItemsResponse::Ok(
            json!({
                "ids": [1, 2, 3], "csv": ["a,b", "c"], "ssv": [1, 2], "tsv": [3, 4],
                "pipes": [5, 6], "multi": [7], "x_ids": [9],
            }),
            api::ListItemsOkHeaders { x_total: Some(3) },
        )
    );
}
