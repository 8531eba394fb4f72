//! Shared by the helloworld tests: serving a configured [`Server`] on 127.0.0.1 and minting
//! tokens.

#![allow(dead_code)]

use std::net::SocketAddr;

use klue_core::{Authenticator, JwtConfig, Server, ServerConfig};
use serde_json::{Map, Value};
use testaccept::TestClient;

pub const SECRET: &str = "helloworld-test-secret-helloworld";

pub fn jwt_config() -> JwtConfig {
    JwtConfig {
        secret: Some(SECRET.to_owned()),
        ..JwtConfig::default()
    }
}

pub fn config() -> ServerConfig {
    ServerConfig {
        jwt: jwt_config(),
        ..ServerConfig::default()
    }
}

pub fn mint(user: &str, extra: Value) -> String {
    let extra: Map<String, Value> = serde_json::from_value(extra).expect("claims object");
    Authenticator::new(jwt_config())
        .expect("valid JWT config")
        .mint(user, extra)
        .expect("token minted")
}

pub fn hello() -> klue_core::ApiRouter {
    helloworld::api::router(helloworld::Hello::default())
}

/// Serves `server` on a free port of 127.0.0.1 until the test's runtime ends.
pub async fn serve(server: Server) -> (TestClient, SocketAddr) {
    let bound = server
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("server binds");
    let addr = bound.local_addr().expect("bound address");
    tokio::spawn(bound.serve());
    (TestClient::new("127.0.0.1", addr.port()), addr)
}

/// A free port on 127.0.0.1 (for a server process started by the test).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}
