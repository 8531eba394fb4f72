//! The instances' log tail of an environment: `RequestEnvironmentInfo` (`InfoType=tail`), then
//! `RetrieveEnvironmentInfo` until a sample newer than the ones before appears; the text of
//! each sample is behind its `Message` URL (on AWS a presigned S3 URL, fetched without AWS
//! credentials). And what of a tail is new since the last one, for `klue logs --follow`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_sdk_elasticbeanstalk::types::EnvironmentInfoType;
use aws_sdk_elasticbeanstalk::Client;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;

use super::aws::{failed, CallError};

const EB: &str = "Elastic Beanstalk";

/// One instance's sample, as `RetrieveEnvironmentInfo` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The EC2 instance id.
    pub instance: String,
    /// When it was taken.
    pub sampled: SystemTime,
    /// Where its text is.
    pub url: String,
}

/// `RequestEnvironmentInfo InfoType=tail`: EB starts collecting the last lines of every
/// instance's logs.
pub async fn request(client: &Client, environment: &str) -> Result<(), CallError> {
    client
        .request_environment_info()
        .environment_name(environment)
        .info_type(EnvironmentInfoType::Tail)
        .send()
        .await
        .map_err(failed(EB, "RequestEnvironmentInfo"))?;
    Ok(())
}

/// `RetrieveEnvironmentInfo InfoType=tail`: the samples EB holds (it keeps them a while).
pub async fn retrieve(client: &Client, environment: &str) -> Result<Vec<Sample>, CallError> {
    let found = client
        .retrieve_environment_info()
        .environment_name(environment)
        .info_type(EnvironmentInfoType::Tail)
        .send()
        .await
        .map_err(failed(EB, "RetrieveEnvironmentInfo"))?;
    Ok(found
        .environment_info()
        .iter()
        .filter_map(|info| {
            Some(Sample {
                instance: info.ec2_instance_id().unwrap_or("-").to_owned(),
                sampled: SystemTime::try_from(*info.sample_timestamp()?).ok()?,
                url: info.message()?.to_owned(),
            })
        })
        .collect())
}

/// The newest sample time among `samples`: what a new request's samples must be newer than.
/// Compared with EB's own times, not this machine's clock, which may be off.
pub fn newest(samples: &[Sample]) -> Option<SystemTime> {
    samples.iter().map(|s| s.sampled).max()
}

/// The newest sample of each instance taken after `after`, by instance id.
pub fn fresh(samples: Vec<Sample>, after: Option<SystemTime>) -> Vec<Sample> {
    let mut newest: HashMap<String, Sample> = HashMap::new();
    for sample in samples {
        if after.is_some_and(|after| sample.sampled <= after) {
            continue;
        }
        match newest.get(&sample.instance) {
            Some(kept) if kept.sampled >= sample.sampled => {}
            _ => {
                newest.insert(sample.instance.clone(), sample);
            }
        }
    }
    let mut fresh: Vec<Sample> = newest.into_values().collect();
    fresh.sort_by(|a, b| a.instance.cmp(&b.instance));
    fresh
}

/// `GET url`: a sample's text (a presigned URL carries its own authorization).
pub async fn fetch(url: &str) -> Result<String, CallError> {
    let error = |message: String| CallError {
        service: "log sample",
        operation: "GET",
        message,
    };
    let connector =
        klue_core::client::https_connector(Some(Duration::from_secs(10)), None).map_err(error)?;
    let client = HttpClient::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(connector);
    let request = http::Request::get(url)
        .body(Empty::new())
        .map_err(|err| error(format!("{}: {err}", redact(url))))?;
    let call = async {
        let response = client
            .request(request)
            .await
            .map_err(|err| error(format!("{}: {err}", redact(url))))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|err| error(format!("{}: reading the body: {err}", redact(url))))?
            .to_bytes();
        if !status.is_success() {
            return Err(error(format!("{}: {status}", redact(url))));
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    };
    tokio::time::timeout(Duration::from_secs(60), call)
        .await
        .map_err(|_| error(format!("{}: no answer within 60 s", redact(url))))?
}

/// The URL without its query: a presigned URL's query is a credential.
fn redact(url: &str) -> &str {
    url.split_once('?').map_or(url, |(path, _)| path)
}

/// One log file of a tail: EB writes each under a `-----` / path / `-----` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The log file's path (empty for lines before any header).
    pub file: String,
    /// Its last lines.
    pub lines: Vec<String>,
}

/// Splits a tail into its log files.
pub fn sections(text: &str) -> Vec<Section> {
    let is_rule = |line: &str| line.len() >= 10 && line.bytes().all(|b| b == b'-');
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<Section> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if is_rule(lines[i]) && i + 2 < lines.len() && is_rule(lines[i + 2]) {
            out.push(Section {
                file: lines[i + 1].trim().to_owned(),
                lines: Vec::new(),
            });
            i += 3;
            continue;
        }
        if out.is_empty() {
            out.push(Section {
                file: String::new(),
                lines: Vec::new(),
            });
        }
        if let Some(last) = out.last_mut() {
            last.lines.push(lines[i].to_owned());
        }
        i += 1;
    }
    out
}

/// The last lines seen of each (instance, log file), to print only what a new tail adds.
#[derive(Debug, Default)]
pub struct Seen {
    last: HashMap<(String, String), Vec<String>>,
}

/// The lines of a new tail not printed before.
#[derive(Debug, PartialEq, Eq)]
pub struct NewLines {
    /// The lines.
    pub lines: Vec<String>,
    /// True when the new tail does not continue the previous one: more lines were written
    /// between the two than a tail holds (some were never seen), or the log started over.
    pub gap: bool,
}

impl Seen {
    /// What `lines`, the current tail of `instance`'s `file`, adds to the previous tail: the
    /// lines after the longest end of the previous tail that the new one starts with. The
    /// first tail of a file gives its last `first` lines.
    pub fn update(
        &mut self,
        instance: &str,
        file: &str,
        lines: Vec<String>,
        first: usize,
    ) -> NewLines {
        let key = (instance.to_owned(), file.to_owned());
        let out = match self.last.get(&key) {
            None => NewLines {
                lines: lines[lines.len().saturating_sub(first)..].to_vec(),
                gap: false,
            },
            Some(old) => {
                let overlap = (1..=old.len().min(lines.len()))
                    .rev()
                    .find(|&k| old[old.len() - k..] == lines[..k]);
                match overlap {
                    Some(k) => NewLines {
                        lines: lines[k..].to_vec(),
                        gap: false,
                    },
                    None => NewLines {
                        gap: !old.is_empty() && !lines.is_empty(),
                        lines: lines.clone(),
                    },
                }
            }
        };
        self.last.insert(key, lines);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn a_tail_splits_into_its_log_files() {
        let rule = "-------------------------------------";
        let text = format!(
            "{rule}\n/var/log/a.log\n{rule}\none\ntwo\n\n{rule}\n/var/log/b.log\n{rule}\nthree\n"
        );
        assert_eq!(
            sections(&text),
            [
                Section {
                    file: "/var/log/a.log".into(),
                    lines: strings(&["one", "two", ""])
                },
                Section {
                    file: "/var/log/b.log".into(),
                    lines: strings(&["three"])
                },
            ]
        );
        assert_eq!(
            sections("plain\n"),
            [Section {
                file: String::new(),
                lines: strings(&["plain"])
            }]
        );
    }

    #[test]
    fn only_lines_a_tail_adds_are_new() {
        let mut seen = Seen::default();
        let first = seen.update("i-1", "f", strings(&["a", "b", "c"]), 2);
        assert_eq!(first.lines, strings(&["b", "c"]), "the last `first` lines");
        // The window moved by two lines.
        let next = seen.update("i-1", "f", strings(&["c", "d", "e"]), 2);
        assert_eq!(next.lines, strings(&["d", "e"]));
        assert!(!next.gap);
        // Nothing new.
        assert!(seen
            .update("i-1", "f", strings(&["c", "d", "e"]), 2)
            .lines
            .is_empty());
        // Repeated lines: the longest overlap wins.
        let repeated = seen.update("i-1", "f", strings(&["d", "e", "d", "e"]), 2);
        assert_eq!(repeated.lines, strings(&["d", "e"]));
        // No overlap: everything, flagged as a gap.
        let gap = seen.update("i-1", "f", strings(&["x", "y"]), 2);
        assert_eq!(
            gap,
            NewLines {
                lines: strings(&["x", "y"]),
                gap: true
            }
        );
        // Another instance is its own.
        assert_eq!(
            seen.update("i-2", "f", strings(&["x"]), 5).lines,
            strings(&["x"])
        );
    }

    #[test]
    fn fresh_samples_are_the_newest_per_instance_after_the_baseline() {
        let at = |secs: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        let sample = |instance: &str, secs: u64| Sample {
            instance: instance.into(),
            sampled: at(secs),
            url: format!("u{secs}"),
        };
        let samples = vec![
            sample("i-2", 5),
            sample("i-1", 3),
            sample("i-1", 7),
            sample("i-3", 2),
        ];
        assert_eq!(newest(&samples), Some(at(7)));
        let got = fresh(samples.clone(), Some(at(3)));
        assert_eq!(got, [sample("i-1", 7), sample("i-2", 5)]);
        assert_eq!(fresh(samples, None).len(), 3);
        assert_eq!(
            redact("https://b.s3.amazonaws.com/k?X-Amz-Signature=s"),
            "https://b.s3.amazonaws.com/k"
        );
    }
}
