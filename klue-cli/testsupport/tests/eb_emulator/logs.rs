//! The log tail as `klue logs` reads it: `RequestEnvironmentInfo` / `RetrieveEnvironmentInfo`
//! (`InfoType=tail`), the sample's URL, and `DescribeEvents` by `StartTime`.

use std::time::{Duration, Instant};

use aws_sdk_elasticbeanstalk::Client;
use klue_testsupport::http::get_text;
use klue_testsupport::TestServices;

use super::container_version;

/// The log tail of hello-v2 (serving `live_cname`), as `klue logs` reads it: nothing before a
/// request, then one sample whose URL serves the container's stdout and stderr under EB's
/// header; `DescribeEvents` by `StartTime`.
pub async fn logs_tail(client: &Client, services: &TestServices, live_cname: &str) {
    use aws_sdk_elasticbeanstalk::types::EnvironmentInfoType;
    assert_eq!(container_version(live_cname), "v2");
    let retrieve = || {
        client
            .retrieve_environment_info()
            .environment_name("hello-v2")
            .info_type(EnvironmentInfoType::Tail)
            .send()
    };
    let none = retrieve().await.expect("RetrieveEnvironmentInfo");
    assert!(none.environment_info().is_empty(), "{none:?}");
    let requested = std::time::SystemTime::now();
    client
        .request_environment_info()
        .environment_name("hello-v2")
        .info_type(EnvironmentInfoType::Tail)
        .send()
        .await
        .expect("RequestEnvironmentInfo");
    let deadline = Instant::now() + Duration::from_secs(20);
    let infos = loop {
        let out = retrieve().await.expect("RetrieveEnvironmentInfo");
        if !out.environment_info().is_empty() {
            break out.environment_info().to_vec();
        }
        assert!(Instant::now() < deadline, "no tail sample within 20 s");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(infos.len(), 1, "{infos:?}");
    let info = &infos[0];
    assert_eq!(info.info_type(), Some(&EnvironmentInfoType::Tail));
    let instance = info.ec2_instance_id().expect("Ec2InstanceId");
    assert!(
        instance.starts_with("i-") && instance.len() == 19,
        "{instance}"
    );
    let sampled = std::time::SystemTime::try_from(*info.sample_timestamp().expect("timestamp"))
        .expect("a time");
    assert!(sampled + Duration::from_secs(1) >= requested, "{info:?}");
    let url = info.message().expect("Message: a URL");
    assert!(
        url.starts_with(&format!("{}/_logs/", services.eb.endpoint())),
        "{url}"
    );
    let text = get_text(url).expect("GET the sample");
    assert!(
        text.contains("/var/log/eb-docker/containers/eb-current-app/")
            && text.contains("ping-service listening on")
            && text.contains("GET /version"),
        "stderr and stdout of the container: {text}"
    );
    let err = client
        .request_environment_info()
        .environment_name("hello-none")
        .info_type(EnvironmentInfoType::Tail)
        .send()
        .await
        .expect_err("no such environment");
    assert!(format!("{:?}", err.into_service_error())
        .contains("No Environment found for EnvironmentName = 'hello-none'."));

    // DescribeEvents from StartTime on: the request's events, not the launch's.
    let since = |time: std::time::SystemTime| {
        client
            .describe_events()
            .environment_name("hello-v2")
            .start_time(aws_sdk_elasticbeanstalk::primitives::DateTime::from(time))
            .send()
    };
    let recent = since(requested - Duration::from_millis(1)).await.unwrap();
    let messages: Vec<&str> = recent.events().iter().filter_map(|e| e.message()).collect();
    assert!(
        messages.contains(&"requestEnvironmentInfo completed successfully.")
            && !messages.contains(&"Successfully launched environment: hello-v2"),
        "{messages:?}"
    );
    let later = since(std::time::SystemTime::now() + Duration::from_secs(3600));
    assert!(later.await.unwrap().events().is_empty());
}
