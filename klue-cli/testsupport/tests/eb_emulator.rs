//! The EB emulator driven by the real `aws-sdk-elasticbeanstalk` client (so the SDK parses its
//! XML), with real containers behind the environments: launch, health, CNAME swap, events,
//! the log tail (RequestEnvironmentInfo / RetrieveEnvironmentInfo), terminate, and a bundle that
//! cannot launch.
//!
//! One `#[test]`: the services (docker, registry, moto) are started once and stopped when it
//! ends.

#[path = "eb_emulator/logs.rs"]
mod logs;

use std::io::Write;
use std::time::{Duration, Instant};

use aws_sdk_elasticbeanstalk::types::{
    ConfigurationOptionSetting, EnvironmentDescription, S3Location,
};
use aws_sdk_elasticbeanstalk::Client;
use klue_testsupport::eb::{cname_address, platforms, S3_AUTHORIZATION};
use klue_testsupport::http::{blocking_request, get_text};
use klue_testsupport::image::{ping_service, scratch_image};
use klue_testsupport::process::run;
use klue_testsupport::{e2e_dir, TestServices};

const BUCKET: &str = "klue-emulator-test";

fn bundle_zip(dockerrun: Option<&str>) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default();
    if let Some(dockerrun) = dockerrun {
        zip.start_file("Dockerrun.aws.json", options).unwrap();
        zip.write_all(dockerrun.as_bytes()).unwrap();
    } else {
        zip.start_file("README", options).unwrap();
        zip.write_all(b"no Dockerrun here").unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

fn put_s3(services: &TestServices, key: &str, body: Vec<u8>) {
    let url = format!("{}/{BUCKET}/{key}", services.moto.endpoint());
    let response = blocking_request("PUT", &url, &[("Authorization", S3_AUTHORIZATION)], body)
        .expect("PUT to moto");
    assert_eq!(response.status, 200, "{}", response.text());
}

fn container_version(cname: &str) -> String {
    let body = get_text(&format!("http://{}/version", cname_address(cname))).expect("GET /version");
    let json: serde_json::Value = serde_json::from_str(&body).expect("/version is JSON");
    json["container"]
        .as_str()
        .expect("container field")
        .to_owned()
}

async fn describe(client: &Client, name: &str) -> EnvironmentDescription {
    let out = client
        .describe_environments()
        .environment_names(name)
        .send()
        .await
        .expect("DescribeEnvironments");
    let envs = out.environments();
    assert_eq!(envs.len(), 1, "one environment named {name}: {envs:?}");
    envs[0].clone()
}

/// The environment's events, newest first, one a line (for failure messages).
async fn events(client: &Client, name: &str) -> String {
    let out = client
        .describe_events()
        .environment_name(name)
        .send()
        .await
        .expect("DescribeEvents");
    out.events()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e.severity().map(|s| s.as_str()).unwrap_or_default(),
                e.message().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Polls until the environment leaves Launching/Terminating; returns its description.
async fn settle(client: &Client, name: &str) -> EnvironmentDescription {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let env = describe(client, name).await;
        let status = env
            .status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        if status != "Launching" && status != "Terminating" {
            return env;
        }
        assert!(
            Instant::now() < deadline,
            "{name} still {status} after 120 s"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn option(namespace: &str, name: &str, value: &str) -> ConfigurationOptionSetting {
    ConfigurationOptionSetting::builder()
        .namespace(namespace)
        .option_name(name)
        .value(value)
        .build()
}

#[test]
fn eb_emulator_serves_the_sdk_with_real_containers() {
    let Some(services) = TestServices::require("eb_emulator_serves_the_sdk_with_real_containers")
    else {
        return;
    };
    let started = Instant::now();

    // Two images of a tiny static service that differ in the container version /version
    // reports (the deploy e2e test ships a real klue service).
    let binary = ping_service(&e2e_dir().join("ping-service")).expect("static build");
    let registry = services.registry.host();
    let image = |v: &str| format!("{registry}/emulator-hello:{v}");
    let credentials = services.registry.credentials().clone();
    run(
        "docker login",
        services.docker.command().args([
            "login",
            "-u",
            &credentials.username,
            "-p",
            &credentials.password,
            registry,
        ]),
    )
    .expect("the registry accepts the ECR token's credentials");
    for version in ["v1", "v2"] {
        let context = e2e_dir().join(format!("emulator-image-{version}"));
        scratch_image(
            &services.docker,
            &binary,
            &image(version),
            &[("KLUE_CONTAINER_VERSION", version)],
            &context,
        )
        .expect("docker build");
        run(
            "docker push",
            services.docker.command().args(["push", &image(version)]),
        )
        .expect("docker push");
    }

    // Bundles in moto's S3. v1 names the ECR host, which the emulator maps to the registry.
    let created = blocking_request(
        "PUT",
        &format!("{}/{BUCKET}", services.moto.endpoint()),
        &[],
        "",
    )
    .expect("create bucket");
    assert_eq!(created.status, 200, "{}", created.text());
    let dockerrun = |image: &str| {
        format!(
            r#"{{"AWSEBDockerrunVersion":"1","Image":{{"Name":"{image}","Update":"true"}},"Ports":[{{"ContainerPort":"8080"}}]}}"#
        )
    };
    put_s3(
        &services,
        "hello/v1.zip",
        bundle_zip(Some(&dockerrun(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/emulator-hello:v1",
        ))),
    );
    put_s3(
        &services,
        "hello/v2.zip",
        bundle_zip(Some(&dockerrun(&image("v2")))),
    );
    put_s3(&services, "hello/broken.zip", bundle_zip(None));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_elasticbeanstalk::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .endpoint_url(services.eb.endpoint())
            .load()
            .await;
        let client = Client::new(&config);

        // Applications.
        client
            .create_application()
            .application_name("hello")
            .send()
            .await
            .expect("CreateApplication");
        let dup = client
            .create_application()
            .application_name("hello")
            .send()
            .await;
        let err = dup.expect_err("a second CreateApplication fails");
        let meta =
            aws_sdk_elasticbeanstalk::error::ProvideErrorMetadata::meta(&err.into_service_error())
                .clone();
        assert_eq!(meta.code(), Some("InvalidParameterValue"));
        assert_eq!(meta.message(), Some("Application hello already exists."));
        let apps = client
            .describe_applications()
            .send()
            .await
            .expect("DescribeApplications");
        assert_eq!(apps.applications().len(), 1);
        assert_eq!(apps.applications()[0].application_name(), Some("hello"));

        // Versions.
        for (label, key) in [
            ("v1", "hello/v1.zip"),
            ("v2", "hello/v2.zip"),
            ("broken", "hello/broken.zip"),
        ] {
            let out = client
                .create_application_version()
                .application_name("hello")
                .version_label(label)
                .source_bundle(S3Location::builder().s3_bucket(BUCKET).s3_key(key).build())
                .send()
                .await
                .expect("CreateApplicationVersion");
            let version = out.application_version().expect("version description");
            assert_eq!(version.version_label(), Some(label));
            assert_eq!(version.source_bundle().and_then(|b| b.s3_key()), Some(key));
        }
        let versions = client
            .describe_application_versions()
            .application_name("hello")
            .version_labels("v2")
            .send()
            .await
            .expect("DescribeApplicationVersions");
        assert_eq!(versions.application_versions().len(), 1);
        assert!(versions.application_versions()[0].date_created().is_some());

        // A missing version is refused.
        let err = client
            .create_environment()
            .application_name("hello")
            .environment_name("hello-nope")
            .version_label("nope")
            .send()
            .await
            .expect_err("unknown version");
        assert!(format!("{:?}", err.into_service_error())
            .contains("No Application Version named 'nope' found."));

        // An instance profile IAM does not have is refused, as AWS does; once it exists
        // (created in moto's IAM), the same environment is accepted.
        let err = client
            .create_environment()
            .application_name("hello")
            .environment_name("hello-v1")
            .version_label("v1")
            .platform_arn(platforms::arn(platforms::VERSIONS[0]))
            .option_settings(option(
                "aws:autoscaling:launchconfiguration",
                "IamInstanceProfile",
                "aws-elasticbeanstalk-ec2-role",
            ))
            .send()
            .await
            .expect_err("the instance profile does not exist");
        let refusal = format!("{:?}", err.into_service_error());
        assert!(
            refusal.contains("Instance profile aws-elasticbeanstalk-ec2-role does not exist"),
            "{refusal}"
        );
        services
            .moto
            .iam(
                "CreateInstanceProfile",
                &[("InstanceProfileName", "aws-elasticbeanstalk-ec2-role")],
            )
            .expect("IAM CreateInstanceProfile");

        // Environment 1 (live), with an environment property.
        let created = client
            .create_environment()
            .application_name("hello")
            .environment_name("hello-v1")
            .version_label("v1")
            .cname_prefix("hello-live")
            .platform_arn(platforms::arn(platforms::VERSIONS[0]))
            .option_settings(option(
                "aws:autoscaling:launchconfiguration",
                "IamInstanceProfile",
                "aws-elasticbeanstalk-ec2-role",
            ))
            .option_settings(option(
                "aws:elasticbeanstalk:application:environment",
                "KLUE_TEST_PROPERTY",
                "property-value",
            ))
            .send()
            .await
            .expect("CreateEnvironment");
        assert_eq!(created.status().map(|s| s.as_str()), Some("Launching"));
        assert_eq!(created.health().map(|h| h.as_str()), Some("Grey"));
        let v1 = settle(&client, "hello-v1").await;
        assert_eq!(v1.status().map(|s| s.as_str()), Some("Ready"));
        assert_eq!(
            v1.health().map(|h| h.as_str()),
            Some("Green"),
            "{}",
            events(&client, "hello-v1").await
        );
        // Its configuration: the platform and the option settings it was created with.
        let described = client
            .describe_configuration_settings()
            .application_name("hello")
            .environment_name("hello-v1")
            .send()
            .await
            .expect("DescribeConfigurationSettings");
        let settings = &described.configuration_settings()[0];
        assert!(settings.solution_stack_name().is_some());
        let options: Vec<(&str, &str, &str)> = settings
            .option_settings()
            .iter()
            .map(|o| {
                (
                    o.namespace().unwrap_or_default(),
                    o.option_name().unwrap_or_default(),
                    o.value().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            settings.platform_arn(),
            Some(platforms::arn(platforms::VERSIONS[0]).as_str())
        );
        assert_eq!(
            options,
            [
                (
                    "aws:autoscaling:launchconfiguration",
                    "IamInstanceProfile",
                    "aws-elasticbeanstalk-ec2-role"
                ),
                (
                    "aws:elasticbeanstalk:application:environment",
                    "KLUE_TEST_PROPERTY",
                    "property-value"
                )
            ]
        );
        let missing = client
            .describe_configuration_settings()
            .application_name("hello")
            .environment_name("hello-none")
            .send()
            .await
            .expect_err("no such environment");
        assert!(format!("{:?}", missing.into_service_error())
            .contains("No Environment found for EnvironmentName = 'hello-none'."));
        let live_cname = v1.cname().expect("CNAME").to_owned();
        assert!(
            live_cname.starts_with("hello-live.localhost:"),
            "{live_cname}"
        );
        assert_eq!(container_version(&live_cname), "v1");
        let dns = client
            .check_dns_availability()
            .cname_prefix("hello-live")
            .send()
            .await
            .unwrap();
        assert_eq!(dns.available(), Some(false));

        // The property reached the container as an environment variable.
        let container = services.eb.environments()[0]
            .container
            .clone()
            .expect("container id");
        let env_vars = run(
            "docker inspect",
            services.docker.command().args([
                "inspect",
                "--format",
                "{{json .Config.Env}}",
                &container,
            ]),
        )
        .unwrap();
        assert!(
            env_vars.contains("KLUE_TEST_PROPERTY=property-value"),
            "{env_vars}"
        );

        // Environment 2, then the swap: the live CNAME now serves v2.
        let err = client
            .create_environment()
            .application_name("hello")
            .environment_name("hello-v2")
            .version_label("v2")
            .platform_arn(platforms::arn(platforms::VERSIONS[0]))
            .send()
            .await
            .expect_err("no instance profile");
        assert!(
            format!("{:?}", err.into_service_error())
                .contains("Environment must have instance profile associated with it."),
            "AWS refuses an environment without an instance profile"
        );
        client
            .create_environment()
            .application_name("hello")
            .environment_name("hello-v2")
            .version_label("v2")
            .solution_stack_name("64bit Amazon Linux 2023 v4.4.0 running Docker")
            .option_settings(option(
                "aws:autoscaling:launchconfiguration",
                "IamInstanceProfile",
                "aws-elasticbeanstalk-ec2-role",
            ))
            .send()
            .await
            .expect("CreateEnvironment v2");
        let v2 = settle(&client, "hello-v2").await;
        assert_eq!(
            v2.health().map(|h| h.as_str()),
            Some("Green"),
            "{}",
            events(&client, "hello-v2").await
        );
        let v2_cname = v2.cname().unwrap().to_owned();
        assert!(v2_cname.starts_with("hello-v2.localhost:"), "{v2_cname}");
        assert_eq!(container_version(&v2_cname), "v2");
        client
            .swap_environment_cnames()
            .source_environment_name("hello-v2")
            .destination_environment_name("hello-v1")
            .send()
            .await
            .expect("SwapEnvironmentCNAMEs");
        assert_eq!(
            describe(&client, "hello-v2").await.cname(),
            Some(live_cname.as_str())
        );
        assert_eq!(
            describe(&client, "hello-v1").await.cname(),
            Some(v2_cname.as_str())
        );
        assert_eq!(container_version(&live_cname), "v2");
        assert_eq!(container_version(&v2_cname), "v1");

        // Events, newest first.
        let events = client
            .describe_events()
            .application_name("hello")
            .environment_name("hello-v2")
            .send()
            .await
            .expect("DescribeEvents");
        let messages: Vec<&str> = events.events().iter().filter_map(|e| e.message()).collect();
        assert!(
            messages[0].starts_with("Completed swapping CNAMEs"),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"Successfully launched environment: hello-v2"),
            "{messages:?}"
        );
        assert!(events.events()[0].event_date().is_some());
        logs::logs_tail(&client, &services, &live_cname).await;

        // A bundle without Dockerrun.aws.json: Ready but Red, and an ERROR event says why.
        client
            .create_environment()
            .application_name("hello")
            .environment_name("hello-broken")
            .version_label("broken")
            .platform_arn(platforms::arn(platforms::VERSIONS[0]))
            .option_settings(option(
                "aws:autoscaling:launchconfiguration",
                "IamInstanceProfile",
                "aws-elasticbeanstalk-ec2-role",
            ))
            .send()
            .await
            .expect("CreateEnvironment broken");
        let broken = settle(&client, "hello-broken").await;
        assert_eq!(broken.health().map(|h| h.as_str()), Some("Red"));
        let events = client
            .describe_events()
            .environment_name("hello-broken")
            .send()
            .await
            .unwrap();
        assert!(
            events
                .events()
                .iter()
                .any(|e| e.severity().map(|s| s.as_str()) == Some("ERROR")
                    && e.message()
                        .unwrap_or_default()
                        .contains("no Dockerrun.aws.json")),
            "{:?}",
            events.events()
        );

        // Terminate the old one: its container is removed, the live CNAME is unaffected.
        assert_eq!(services.eb.running_containers().len(), 2);
        client
            .terminate_environment()
            .environment_name("hello-v1")
            .send()
            .await
            .expect("TerminateEnvironment");
        let gone = settle(&client, "hello-v1").await;
        assert_eq!(gone.status().map(|s| s.as_str()), Some("Terminated"));
        assert_eq!(services.eb.running_containers().len(), 1);
        assert_eq!(container_version(&live_cname), "v2");
        let listed = client
            .describe_environments()
            .application_name("hello")
            .include_deleted(false)
            .send()
            .await
            .unwrap();
        let names: Vec<&str> = listed
            .environments()
            .iter()
            .filter_map(|e| e.environment_name())
            .collect();
        assert_eq!(names, ["hello-v2", "hello-broken"]);
        let err = client
            .terminate_environment()
            .environment_name("hello-v1")
            .send()
            .await
            .expect_err("already gone");
        assert!(format!("{:?}", err.into_service_error())
            .contains("No Environment found for EnvironmentName = 'hello-v1'."));
    });
    eprintln!(
        "eb emulator scenario: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
