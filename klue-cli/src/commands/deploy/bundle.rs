//! The Elastic Beanstalk source bundle: `Dockerrun.aws.json` (v1: the image and its port) and
//! `.ebextensions` (autoscaling, the /ping health check, rolling updates, HTTPS when a
//! certificate is set), zipped. No secret goes in: those are environment properties.

use std::io::{Cursor, Write};

use serde::Serialize;
use zip::write::SimpleFileOptions;

use crate::commands::service::ServiceConfig;
use crate::commands::templates::{quoted, render};
use crate::commands::UserError;

const KLUE_CONFIG: &str = include_str!("../../../templates/deploy/01-klue.config.j2");
const HTTPS_CONFIG: &str = include_str!("../../../templates/deploy/02-https.config.j2");

/// The files of the bundle, in order: (path in the zip, content).
pub fn files(
    config: &ServiceConfig,
    version: &str,
    image: &str,
) -> Result<Vec<(String, String)>, UserError> {
    let dockerrun = serde_json::json!({
        "AWSEBDockerrunVersion": "1",
        "Image": {"Name": image, "Update": "true"},
        "Ports": [{"ContainerPort": config.port, "HostPort": config.port}],
    });
    let context = Context {
        name: &config.name,
        version,
        hosts_min: config.aws.hosts_min,
        hosts_max: config.aws.hosts_max,
        certificate_arn: config.certificate_arn().map(quoted).unwrap_or_default(),
    };
    let mut files = vec![
        ("Dockerrun.aws.json".to_owned(), format!("{dockerrun:#}\n")),
        (
            ".ebextensions/01-klue.config".to_owned(),
            render("01-klue.config", KLUE_CONFIG, &context)?,
        ),
    ];
    if config.certificate_arn().is_some() {
        files.push((
            ".ebextensions/02-https.config".to_owned(),
            render("02-https.config", HTTPS_CONFIG, &context)?,
        ));
    }
    Ok(files)
}

/// The files, zipped.
pub fn zip(files: &[(String, String)]) -> Result<Vec<u8>, UserError> {
    let failed =
        |err: &dyn std::fmt::Display| UserError::plain(format!("zipping the bundle: {err}"));
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().unix_permissions(0o644);
    for (path, text) in files {
        writer
            .start_file(path.as_str(), options)
            .map_err(|e| failed(&e))?;
        writer.write_all(text.as_bytes()).map_err(|e| failed(&e))?;
    }
    let cursor = writer.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}

#[derive(Debug, Serialize)]
struct Context<'a> {
    name: &'a str,
    version: &'a str,
    hosts_min: u32,
    hosts_max: u32,
    certificate_arn: String,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn config(extra: &str) -> ServiceConfig {
        let text = format!(
            "name: hello\nport: 9000\ndocker:\n  repo: r\naws:\n  hosts_min: 2\n  hosts_max: 5\n{extra}"
        );
        ServiceConfig::parse(&text, Path::new("klue.yaml")).unwrap()
    }

    #[test]
    fn dockerrun_names_the_image_and_port() {
        let files = files(&config(""), "v1", "r/hello:v1").unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["Dockerrun.aws.json", ".ebextensions/01-klue.config"]
        );
        let dockerrun: serde_json::Value = serde_json::from_str(&files[0].1).unwrap();
        assert_eq!(dockerrun["AWSEBDockerrunVersion"], "1");
        assert_eq!(dockerrun["Image"]["Name"], "r/hello:v1");
        assert_eq!(dockerrun["Ports"][0]["ContainerPort"], 9000);
        let ext = klue_core::yaml::parse(&files[1].1).unwrap();
        let settings = &ext["option_settings"];
        assert_eq!(settings["aws:autoscaling:asg"]["MinSize"], "2");
        assert_eq!(settings["aws:autoscaling:asg"]["MaxSize"], "5");
        assert_eq!(
            settings["aws:elasticbeanstalk:application"]["Application Healthcheck URL"],
            "/ping"
        );
        assert_eq!(
            settings["aws:autoscaling:updatepolicy:rollingupdate"]["RollingUpdateEnabled"],
            "true"
        );
    }

    #[test]
    fn a_certificate_adds_the_https_listener() {
        let arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
        let files = files(&config(&format!("  certificate_arn: {arn}\n")), "v1", "i").unwrap();
        assert_eq!(files.len(), 3);
        let ext = klue_core::yaml::parse(&files[2].1).unwrap();
        let listener = &ext["option_settings"]["aws:elbv2:listener:443"];
        assert_eq!(listener["SSLCertificateArns"], arn);
        assert_eq!(listener["Protocol"], "HTTPS");
    }

    #[test]
    fn the_zip_holds_the_files() {
        let files = files(&config(""), "v1", "i").unwrap();
        let bytes = zip(&files).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 2);
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("Dockerrun.aws.json").unwrap(),
            &mut text,
        )
        .unwrap();
        assert_eq!(text, files[0].1);
    }
}
