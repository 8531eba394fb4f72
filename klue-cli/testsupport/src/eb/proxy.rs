//! CNAMEs: one TCP listener per CNAME that forwards each connection to the container of the
//! environment that owns the CNAME at that moment, so a `SwapEnvironmentCNAMEs` changes what the
//! live URL serves (for new connections) exactly as DNS would.

use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use super::Shared;

/// Opens a CNAME listener on 127.0.0.1 and returns the CNAME `{label}.localhost:PORT`: its first
/// DNS label is the prefix, as on EB (`{prefix}.{region}.elasticbeanstalk.com`), and a
/// `.localhost` name means 127.0.0.1 (RFC 6761).
pub async fn listen(shared: &Arc<Shared>, label: &str) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let cname = format!("{label}.localhost:{}", listener.local_addr()?.port());
    let shared = Arc::clone(shared);
    let name = cname.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let backend = shared
                .state()
                .cname_owner(&name)
                .and_then(|env| env.backend.clone());
            tokio::spawn(forward(stream, backend, name.clone()));
        }
    });
    Ok(cname)
}

async fn forward(mut client: TcpStream, backend: Option<String>, cname: String) {
    let Some(backend) = backend else {
        let body = format!("no running environment behind {cname}\n");
        let response = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = client.write_all(response.as_bytes()).await;
        return;
    };
    match TcpStream::connect(&backend).await {
        Ok(mut server) => {
            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        }
        Err(_) => {
            let body = format!("the environment behind {cname} does not answer on {backend}\n");
            let response = format!(
                "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = client.write_all(response.as_bytes()).await;
        }
    }
}
