//! Recursive types (boxed where they contain themselves) and a Java-style pattern, served.

use klue_core::{ApiError, ServerConfig};
use klue_snapshots::recursive as api;
use serde_json::json;

struct Trees;

fn depth(node: &api::Node) -> i64 {
    let below = node.children.iter().flatten().map(depth).max().unwrap_or(0);
    let linked = node
        .link
        .as_ref()
        .and_then(|l| l.target.as_deref())
        .map_or(0, depth);
    1 + below.max(linked)
}

impl api::RecursiveApi for Trees {
    async fn post_tree(
        &self,
        request: api::PostTreeRequest,
    ) -> Result<api::PostTreeResponse, ApiError> {
        Ok(api::PostTreeResponse::Ok(depth(&request.body)))
    }
}

#[tokio::test]
async fn recursive_bodies_are_decoded_and_validated_at_depth() {
    let (client, _) = testaccept::serve([api::router(Trees)], ServerConfig::default()).await;
    let tree = json!({
        "name": "root",
        "children": [{"name": "kid", "children": [{"name": "grandkid"}]}],
        "link": {"target": {"name": "linked", "parent": {"name": "up"}}}
    });
    let depth = client
        .post_json("/trees", &tree, None)
        .await
        .assert_json(200);
    assert_eq!(depth, json!(3));

    // `^\p{Alpha}++$` (Java) is checked as `^[a-zA-Z]+$`, at any depth.
    let bad =
        json!({"name": "root", "children": [{"name": "kid", "children": [{"name": "n0t-alpha"}]}]});
    let refused = client
        .post_json("/trees", &bad, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let pointers: Vec<&str> = refused.errors.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/children/0/children/0/name"]);
}
