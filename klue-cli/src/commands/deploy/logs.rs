//! `klue logs`: an environment's Elastic Beanstalk events and its instances' log tail; with
//! `--follow`, what is new in both until ctrl-c.
//!
//! AWS calls, in order: `DescribeEnvironments` (`ApplicationName`: the environment, by default
//! the live one) -> `DescribeEvents` (`EnvironmentName`, `MaxRecords=1000`; the newest
//! `--lines` are printed) -> `RetrieveEnvironmentInfo` (`InfoType=tail`: the samples EB
//! already holds, so that only newer ones count) -> `RequestEnvironmentInfo` (`InfoType=tail`)
//! -> `RetrieveEnvironmentInfo` every 2 s until newer samples appear (at most
//! `--tail-timeout`) -> an HTTP GET of each sample's `Message` URL (a presigned S3 URL) for
//! its text. `--follow` then repeats, every
//! `--poll-interval`: `DescribeEvents` with `StartTime` = the last event seen, and the tail
//! request, printing only lines not printed before (`tail.rs`).
//!
//! stdout is the data: events (`TIME SEVERITY MESSAGE`) and log lines prefixed by their
//! instance (`[i-...] line`), or one JSON object a line with `--json`; stderr says what is
//! being read. Exit 0 (also after ctrl-c with `--follow`), 1 no tail came within
//! `--tail-timeout` (with `--follow` a warning: it goes on), 2 could not start (no such
//! environment, no live one, AWS unreachable).

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_elasticbeanstalk::Client;

use super::aws::{self, failed, CallError};
use super::eb::{self, rfc3339, Environment};
use super::tail::{self, Sample, Seen};
use crate::cli::LogsArgs;
use crate::commands::service::{root, ServiceConfig};
use crate::commands::UserError;

/// An event: when, severity, message.
type Event = (SystemTime, String, String);

/// How often a pending tail request is looked at: EB takes seconds to collect it.
const RETRIEVE_EVERY: Duration = Duration::from_secs(2);

/// `klue logs`.
pub fn run(args: &LogsArgs) -> Result<(), UserError> {
    crate::commands::envs::runtime()?.block_on(logs(args))
}

/// The environment whose logs to show: `--env`, or the live one. Refusals exit 2.
pub fn choose<'a>(
    envs: &'a [Environment],
    service: &str,
    name: Option<&str>,
) -> Result<&'a Environment, UserError> {
    let names = || {
        if envs.is_empty() {
            "it has no environment at all".to_owned()
        } else {
            let names: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
            format!("it has {}", names.join(", "))
        }
    };
    match name {
        Some(name) => envs.iter().find(|e| e.name == name).ok_or_else(|| {
            UserError::new(
                format!(
                    "{service} has no environment {name} (or it is terminated): {}",
                    names()
                ),
                "`klue envs` lists the environments; `klue logs --env NAME` shows one",
            )
        }),
        None => envs.iter().find(|e| e.live).ok_or_else(|| {
            UserError::new(
                format!(
                    "{service} has no live environment (none has the CNAME prefix {service}): {}",
                    names()
                ),
                "`klue logs --env NAME` shows another environment; `klue envs` lists them",
            )
        }),
    }
}

/// What the command prints, and what it printed already.
#[derive(Debug)]
struct Output {
    json: bool,
    environment: String,
    /// `--lines`: of the first events and of each log file's first tail.
    first: usize,
    seen: Seen,
    /// The newest event printed, and the messages printed at exactly that time
    /// (`DescribeEvents`' `StartTime` is inclusive).
    last_event: Option<SystemTime>,
    at_last_event: HashSet<String>,
}

impl Output {
    /// Counts `events` as printed (older than those shown first; `--follow` goes on after).
    fn seen_events(&mut self, events: &[Event]) {
        if let Some((last, _, _)) = events.last() {
            self.last_event = Some(*last);
            self.at_last_event = events
                .iter()
                .filter(|(when, _, _)| when == last)
                .map(|(_, _, message)| message.clone())
                .collect();
        }
    }

    fn events(&mut self, events: Vec<Event>) {
        for (when, severity, message) in events {
            if self.last_event.is_some_and(|last| when < last)
                || (self.last_event == Some(when) && self.at_last_event.contains(&message))
            {
                continue;
            }
            if self.last_event != Some(when) {
                self.at_last_event.clear();
            }
            self.last_event = Some(when);
            self.at_last_event.insert(message.clone());
            let time = rfc3339(secs(when));
            if self.json {
                let out = serde_json::json!({"type": "event", "environment": self.environment,
                    "time": time, "severity": severity, "message": message});
                println!("{out}");
            } else {
                println!("{time} {severity:<5} {message}");
            }
        }
    }

    /// Prints what `text`, the tail of `instance`, adds to what was printed.
    fn tail(&mut self, instance: &str, text: &str) {
        for section in tail::sections(text) {
            let new = self
                .seen
                .update(instance, &section.file, section.lines, self.first);
            if new.lines.is_empty() {
                continue;
            }
            if new.gap {
                eprintln!(
                    "(some lines of {instance} {} were not seen: more were written since the \
                     last tail than a tail holds, or the log started over)",
                    section.file
                );
            }
            eprintln!("==> {instance} {} <==", section.file);
            for line in new.lines {
                if self.json {
                    let out = serde_json::json!({"type": "log", "environment": self.environment,
                        "instance": instance, "file": section.file, "line": line});
                    println!("{out}");
                } else {
                    println!("[{instance}] {line}");
                }
            }
        }
    }
}

fn secs(time: SystemTime) -> i64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Events of the environment, oldest first: the newest `max`, or those from `since` on.
async fn events(
    client: &Client,
    application: &str,
    environment: &str,
    since: Option<SystemTime>,
    max: usize,
) -> Result<Vec<Event>, CallError> {
    let found = client
        .describe_events()
        .application_name(application)
        .environment_name(environment)
        .set_start_time(since.map(aws_sdk_elasticbeanstalk::primitives::DateTime::from))
        .max_records(i32::try_from(max.clamp(1, 1000)).unwrap_or(1000))
        .send()
        .await
        .map_err(failed("Elastic Beanstalk", "DescribeEvents"))?;
    let mut events: Vec<Event> = found
        .events()
        .iter()
        .filter_map(|event| {
            let when = SystemTime::try_from(*event.event_date()?).ok()?;
            let severity = event.severity().map(|s| s.as_str().to_owned());
            let message = event.message().unwrap_or_default().to_owned();
            // EB records every tail request as events: klue logs' own doing, not news.
            let own = severity.as_deref() == Some("INFO")
                && message.starts_with("requestEnvironmentInfo");
            (!own).then(|| (when, severity.unwrap_or_default(), message))
        })
        .collect();
    events.sort_by_key(|(when, _, _)| *when);
    Ok(events)
}

/// The samples of a tail request made now, once EB lists them, with their text.
async fn tail_once(
    client: &Client,
    env: &Environment,
    timeout: Duration,
) -> Result<Vec<(Sample, String)>, UserError> {
    let before = tail::newest(&tail::retrieve(client, &env.name).await?);
    tail::request(client, &env.name).await?;
    let deadline = Instant::now() + timeout;
    loop {
        tokio::time::sleep(RETRIEVE_EVERY.min(timeout)).await;
        let fresh = tail::fresh(tail::retrieve(client, &env.name).await?, before);
        if !fresh.is_empty() {
            return texts(fresh).await.map_err(UserError::from);
        }
        if Instant::now() >= deadline {
            return Err(no_tail(env, timeout));
        }
    }
}

/// The timeout of a tail request (exit 1: the request was made, nothing came).
fn no_tail(env: &Environment, timeout: Duration) -> UserError {
    UserError::new(
        format!(
            "no log tail from {} within {} s: RequestEnvironmentInfo was accepted, but \
             RetrieveEnvironmentInfo listed no newer sample ({} is {} / {})",
            env.name,
            timeout.as_secs(),
            env.name,
            env.status,
            env.health
        ),
        "an environment without a running instance has no logs (its events are above); \
         `klue envs` shows its state; --tail-timeout waits longer",
    )
    .step_failed()
}

async fn texts(samples: Vec<Sample>) -> Result<Vec<(Sample, String)>, CallError> {
    let mut out = Vec::with_capacity(samples.len());
    for sample in samples {
        let text = tail::fetch(&sample.url).await?;
        out.push((sample, text));
    }
    Ok(out)
}

async fn logs(args: &LogsArgs) -> Result<(), UserError> {
    let config = ServiceConfig::load(&root(args.dir.as_deref()))?;
    let clients = aws::clients(config.aws.region.as_deref(), &args.aws).await;
    let config = &aws::with_live_prefix(&config, &clients).await?;
    let envs = eb::environments(&clients.eb, &config.name, config.live_prefix()).await?;
    let env = choose(&envs, &config.name, args.env.as_deref())?;
    eprintln!(
        "logs of {} ({}, {} / {}{}) in {}",
        env.name,
        env.version,
        env.status,
        env.health,
        if env.live { ", live" } else { "" },
        clients.region
    );
    let mut out = Output {
        json: args.json,
        environment: env.name.clone(),
        first: args.lines,
        seen: Seen::default(),
        last_event: None,
        at_last_event: HashSet::new(),
    };
    let client = &clients.eb;
    eprintln!("==> events (DescribeEvents, the newest {}) <==", args.lines);
    // As many as one call gives, then the newest --lines of them: EB's newest events may be
    // tail requests, which are not shown.
    let mut recent = events(client, &config.name, &env.name, None, 1000).await?;
    let shown = recent.split_off(recent.len().saturating_sub(args.lines));
    out.seen_events(&recent);
    out.events(shown);
    let timeout = Duration::from_secs(args.tail_timeout);
    eprintln!("==> log tail (RequestEnvironmentInfo, RetrieveEnvironmentInfo) <==");
    match tail_once(client, env, timeout).await {
        Ok(samples) => {
            for (sample, text) in samples {
                out.tail(&sample.instance, &text);
            }
        }
        // Following, the events go on and the tail is asked for again (an environment still
        // launching has no instance yet).
        Err(err) if args.follow => eprintln!("warning: {}", err.message),
        Err(err) => return Err(err),
    }
    if !args.follow {
        return Ok(());
    }
    let poll = Duration::try_from_secs_f64(args.poll_interval)
        .unwrap_or(Duration::from_secs(5))
        .max(Duration::from_millis(200));
    eprintln!(
        "following (every {:.1} s; ctrl-c stops)",
        poll.as_secs_f64()
    );
    tokio::select! {
        () = follow(client, &config.name, env, &mut out, poll, timeout) => Ok(()),
        _ = tokio::signal::ctrl_c() => {
            eprintln!("stopped (ctrl-c)");
            Ok(())
        }
    }
}

/// A tail request not answered yet: when it was made, and the newest sample before it.
#[derive(Debug)]
struct Pending {
    at: Instant,
    before: Option<SystemTime>,
}

/// `--follow`: new events and new log lines, forever (ctrl-c ends it). A failed call is said on
/// stderr and tried again at the next round: a network blip must not end a follow.
async fn follow(
    client: &Client,
    application: &str,
    env: &Environment,
    out: &mut Output,
    poll: Duration,
    timeout: Duration,
) {
    let mut pending: Option<Pending> = None;
    loop {
        tokio::time::sleep(poll).await;
        match events(client, application, &env.name, out.last_event, 1000).await {
            Ok(events) => out.events(events),
            Err(err) => eprintln!("warning: {err}"),
        }
        if let Some(request) = pending.take() {
            pending = retrieve_tail(client, env, request, out, timeout)
                .await
                .unwrap_or_else(|err| {
                    eprintln!("warning: {err}");
                    None
                });
        }
        // A new request as soon as the last one was answered: a line written now shows within
        // two rounds.
        if pending.is_none() {
            pending = request_tail(client, &env.name).await;
        }
    }
}

async fn request_tail(client: &Client, environment: &str) -> Option<Pending> {
    let before = match tail::retrieve(client, environment).await {
        Ok(samples) => tail::newest(&samples),
        Err(err) => {
            eprintln!("warning: {err}");
            return None;
        }
    };
    match tail::request(client, environment).await {
        Ok(()) => Some(Pending {
            at: Instant::now(),
            before,
        }),
        Err(err) => {
            eprintln!("warning: {err}");
            None
        }
    }
}

/// Prints a pending request's samples once they are there; returns it while they are not.
async fn retrieve_tail(
    client: &Client,
    env: &Environment,
    request: Pending,
    out: &mut Output,
    timeout: Duration,
) -> Result<Option<Pending>, CallError> {
    let fresh = tail::fresh(tail::retrieve(client, &env.name).await?, request.before);
    if fresh.is_empty() {
        if request.at.elapsed() >= timeout {
            eprintln!("warning: {}", no_tail(env, timeout).message);
            return Ok(None);
        }
        return Ok(Some(request));
    }
    for (sample, text) in texts(fresh).await? {
        out.tail(&sample.instance, &text);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str, live: bool) -> Environment {
        Environment {
            name: name.into(),
            cname: format!("{name}.localhost:19500"),
            version: "v1".into(),
            status: "Ready".into(),
            health: "Green".into(),
            created: 1,
            live,
        }
    }

    #[test]
    fn the_live_environment_by_default_and_refusals_exit_2() {
        let envs = [env("hello-a", false), env("hello-b", true)];
        assert_eq!(choose(&envs, "hello", None).unwrap().name, "hello-b");
        assert_eq!(
            choose(&envs, "hello", Some("hello-a")).unwrap().name,
            "hello-a"
        );
        let err = choose(&envs, "hello", Some("nonexistent")).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.message,
            "hello has no environment nonexistent (or it is terminated): it has hello-a, hello-b"
        );
        assert!(err.hint.unwrap().contains("klue envs"));
        let err = choose(&envs[..1], "hello", None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message.contains("no live environment"), "{err}");
        let err = choose(&[], "hello", None).unwrap_err();
        assert!(
            err.message.ends_with("it has no environment at all"),
            "{err}"
        );
        assert_eq!(no_tail(&envs[0], Duration::from_secs(60)).exit_code(), 1);
    }

    #[test]
    fn events_are_printed_once() {
        let at = |secs: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        let mut out = Output {
            json: false,
            environment: "e".into(),
            first: 10,
            seen: Seen::default(),
            last_event: None,
            at_last_event: HashSet::new(),
        };
        let event = |secs, message: &str| (at(secs), "INFO".to_owned(), message.to_owned());
        out.events(vec![event(1, "a"), event(2, "b")]);
        assert_eq!(out.last_event, Some(at(2)));
        // StartTime is inclusive: b comes again, with a new event of the same second.
        out.events(vec![event(2, "b"), event(2, "c")]);
        assert_eq!(out.at_last_event.len(), 2);
        out.events(vec![event(3, "d")]);
        assert_eq!(out.at_last_event, HashSet::from(["d".to_owned()]));
        // Events not shown first still count for --follow.
        out.seen_events(&[event(4, "e"), event(5, "f"), event(5, "g")]);
        assert_eq!(out.last_event, Some(at(5)));
        assert_eq!(out.at_last_event.len(), 2);
    }
}
