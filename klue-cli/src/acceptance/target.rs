//! Which server the tests talk to, from the flags (and `klue.yaml` for `--live`).

use std::path::Path;

use http::Uri;

use super::{Args, Error};

/// The service's settings file, read from the current directory by `--live`.
const KLUE_YAML: &str = "klue.yaml";

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`, as exported in `KLUE_SERVER_SCHEME`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// How the target was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// `--local`, or no target flag.
    Local,
    /// `--host`.
    Host,
    /// `--image`: a container started for the run.
    Image {
        /// The image.
        image: String,
        /// The container's id.
        container: String,
    },
    /// `--live`: `live_url` of `klue.yaml`.
    Live,
}

/// The server under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// Host name or address; an IPv6 address is in brackets, ready for a URL.
    pub host: String,
    /// Port.
    pub port: u16,
    /// How it was chosen.
    pub kind: TargetKind,
}

impl Target {
    /// `scheme://host:port`.
    pub fn url(&self) -> String {
        format!("{}://{}:{}", self.scheme.as_str(), self.host, self.port)
    }

    /// The URL and how it was chosen, for the progress log.
    pub fn describe(&self) -> String {
        let how = match &self.kind {
            TargetKind::Local => "--local".to_owned(),
            TargetKind::Host => "--host".to_owned(),
            TargetKind::Image { image, container } => {
                format!("--image {image}, container {container}")
            }
            TargetKind::Live => format!("--live, live_url of {KLUE_YAML}"),
        };
        format!("{} ({how})", self.url())
    }
}

/// A target to test now, or an image to start first.
#[derive(Debug)]
pub(super) enum Choice {
    Ready(Target),
    Image(String),
}

/// Reads the target flags.
pub(super) fn choose(args: &Args) -> Result<Choice, Error> {
    let target = if let Some(image) = &args.image {
        return Ok(Choice::Image(image.clone()));
    } else if args.live {
        live(Path::new(KLUE_YAML))?
    } else if let Some(host) = &args.host {
        let https = args.https || args.port == Some(443);
        let default_port = if https { 443 } else { 8080 };
        Target {
            scheme: if https { Scheme::Https } else { Scheme::Http },
            host: url_host(host),
            port: args.port.unwrap_or(default_port),
            kind: TargetKind::Host,
        }
    } else {
        Target {
            scheme: Scheme::Http,
            host: "127.0.0.1".to_owned(),
            port: args.port.unwrap_or(8080),
            kind: TargetKind::Local,
        }
    };
    Ok(Choice::Ready(target))
}

/// Brackets a bare IPv6 address so that `scheme://host:port` parses.
fn url_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// The target named by `live_url` in `file`.
fn live(file: &Path) -> Result<Target, Error> {
    let hint = format!(
        "add `live_url: https://api.example.com` to {KLUE_YAML} in the service's root (and run \
         from there), or name the server with --host H --port P"
    );
    let text = std::fs::read_to_string(file).map_err(|err| {
        let cwd = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_else(|_| ".".to_owned());
        Error::new(
            format!(
                "--live reads live_url from {}, which cannot be read in {cwd}: {err}",
                file.display()
            ),
            hint.clone(),
        )
    })?;
    let yaml = klue_core::yaml::parse(&text).map_err(|err| {
        Error::new(
            format!("{} is not valid YAML: {err}", file.display()),
            hint.clone(),
        )
    })?;
    let url = match yaml.get("live_url") {
        Some(serde_json::Value::String(url)) if !url.trim().is_empty() => url.trim(),
        Some(_) => {
            return Err(Error::new(
                format!("live_url in {} is not a URL string", file.display()),
                hint,
            ))
        }
        None => {
            return Err(Error::new(
                format!("{} has no live_url", file.display()),
                hint,
            ))
        }
    };
    parse_url(url).map_err(|problem| {
        Error::new(
            format!("live_url '{url}' in {}: {problem}", file.display()),
            "write it as http(s)://host[:port], without a path",
        )
    })
}

/// `http(s)://host[:port][/]` into a live target.
fn parse_url(url: &str) -> Result<Target, String> {
    let uri: Uri = url.parse().map_err(|err| format!("not a URL ({err})"))?;
    let scheme = match uri.scheme_str() {
        Some("http") => Scheme::Http,
        Some("https") => Scheme::Https,
        Some(other) => return Err(format!("scheme '{other}' is not http or https")),
        None => return Err("no scheme (http:// or https://)".to_owned()),
    };
    let host = uri.host().ok_or("no host")?;
    // The tests address the server's root (/ping, /version, ...): a path prefix would be lost.
    if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
        return Err("a path or query is not supported: the tests address the server's root".into());
    }
    let port = uri.port_u16().unwrap_or(match scheme {
        Scheme::Http => 80,
        Scheme::Https => 443,
    });
    Ok(Target {
        scheme,
        host: url_host(host),
        port,
        kind: TargetKind::Live,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_urls_parse_with_default_ports() {
        let t = parse_url("http://api.example.com").expect("parses");
        assert_eq!(
            (t.scheme, t.host.as_str(), t.port),
            (Scheme::Http, "api.example.com", 80)
        );
        let t = parse_url("https://api.example.com/").expect("parses");
        assert_eq!((t.scheme, t.port), (Scheme::Https, 443));
        let t = parse_url("http://[::1]:9000").expect("parses");
        assert_eq!((t.host.as_str(), t.port), ("[::1]", 9000));
        assert_eq!(t.url(), "http://[::1]:9000");
    }

    #[test]
    fn bad_live_urls_say_why() {
        assert!(parse_url("ftp://x").unwrap_err().contains("not http"));
        assert!(parse_url("api.example.com")
            .unwrap_err()
            .contains("no scheme"));
        assert!(parse_url("http://x/v1").unwrap_err().contains("path"));
    }

    #[test]
    fn bare_ipv6_hosts_are_bracketed() {
        assert_eq!(url_host("::1"), "[::1]");
        assert_eq!(url_host("[::1]"), "[::1]");
        assert_eq!(url_host("localhost"), "localhost");
    }
}
