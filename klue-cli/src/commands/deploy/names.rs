//! Elastic Beanstalk names: environment names (4-40 letters, digits and hyphens, not starting
//! or ending with a hyphen) and which environment is live.

/// Longest environment name Elastic Beanstalk accepts.
pub const MAX_ENV_NAME: usize = 40;

/// The environment name for `name` at `version`: `<name>-<version>`, with every character EB
/// refuses replaced by a hyphen (runs collapsed), and, when too long, the service name cut
/// rather than the version (the version is what makes it unique).
pub fn environment_name(name: &str, version: &str) -> String {
    let clean = |text: &str| -> String {
        let mut out = String::new();
        for c in text.chars() {
            let c = if c.is_ascii_alphanumeric() { c } else { '-' };
            if c == '-' && (out.is_empty() || out.ends_with('-')) {
                continue;
            }
            out.push(c);
        }
        out.trim_end_matches('-').to_owned()
    };
    let name = clean(name);
    let mut version = clean(version);
    // A version alone longer than the limit keeps its end (count and sha).
    if version.len() > MAX_ENV_NAME - 2 {
        version = version[version.len() - (MAX_ENV_NAME - 2)..]
            .trim_start_matches('-')
            .to_owned();
    }
    let room = MAX_ENV_NAME.saturating_sub(version.len() + 1);
    let name: String = name.chars().take(room).collect();
    let name = name.trim_end_matches('-');
    let joined = if name.is_empty() {
        format!("e-{version}")
    } else {
        format!("{name}-{version}")
    };
    // At least 4 characters.
    if joined.len() < 4 {
        format!("{joined}-env")
    } else {
        joined
    }
}

/// The host of a CNAME (`host[:port]`): the port, if any, removed.
pub fn cname_host(cname: &str) -> &str {
    match cname.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => cname,
    }
}

/// The CNAME prefix: the first DNS label of the CNAME's host. The live environment is the one
/// whose prefix is the service's name.
pub fn cname_prefix(cname: &str) -> &str {
    let host = cname_host(cname);
    host.split('.').next().unwrap_or(host)
}

/// `scheme://host[:port]` of an environment, and the (host, port) to connect to: a host under
/// `.localhost` (an emulator's) is reached at 127.0.0.1, as RFC 6761 means it.
pub fn environment_url(cname: &str, scheme: &str) -> (String, String, u16) {
    let host = cname_host(cname);
    let default_port = if scheme == "https" { 443 } else { 80 };
    let port = cname
        .strip_prefix(host)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|p| p.parse().ok())
        .unwrap_or(default_port);
    let connect = if host == "localhost" || host.ends_with(".localhost") {
        "127.0.0.1".to_owned()
    } else {
        host.to_owned()
    };
    (format!("{scheme}://{cname}"), connect, port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(name: &str) -> bool {
        (4..=MAX_ENV_NAME).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !name.starts_with('-')
            && !name.ends_with('-')
    }

    #[test]
    fn environment_names_are_valid_and_keep_the_version() {
        let name = environment_name("hello", "261123-0107-42-4ee22ba");
        assert_eq!(name, "hello-261123-0107-42-4ee22ba");
        let long = environment_name("a-very-long-service-name-indeed", "261123-0107-42-4ee22ba");
        assert!(valid(&long), "{long}");
        assert!(long.ends_with("-261123-0107-42-4ee22ba"), "{long}");
        assert!(long.starts_with("a-very-long"), "{long}");
        let odd = environment_name("hello", "v1.2_3+build");
        assert_eq!(odd, "hello-v1-2-3-build");
        let dirty = environment_name("svc", "261123-0107-100000-4ee22ba-dirty");
        assert!(valid(&dirty), "{dirty}");
        let huge = environment_name("x", &"9".repeat(60));
        assert!(valid(&huge), "{huge}");
        assert!(
            valid(&environment_name("a", "1")),
            "{}",
            environment_name("a", "1")
        );
        assert!(valid(&environment_name("-", "-")));
    }

    #[test]
    fn prefixes_and_urls_of_cnames() {
        assert_eq!(
            cname_prefix("hello.eu-west-1.elasticbeanstalk.com"),
            "hello"
        );
        assert_eq!(cname_prefix("hello.localhost:8123"), "hello");
        assert_eq!(cname_prefix("127.0.0.1:9000"), "127");
        let (url, host, port) = environment_url("hello.localhost:8123", "http");
        assert_eq!(
            (url.as_str(), host.as_str(), port),
            ("http://hello.localhost:8123", "127.0.0.1", 8123)
        );
        let (_, host, port) = environment_url("hello.eu-west-1.elasticbeanstalk.com", "https");
        assert_eq!(
            (host.as_str(), port),
            ("hello.eu-west-1.elasticbeanstalk.com", 443)
        );
        let (_, host, port) = environment_url("127.0.0.1:9000", "http");
        assert_eq!((host.as_str(), port), ("127.0.0.1", 9000));
    }
}
