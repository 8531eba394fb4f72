//! The IAM roles a deploy names, created in moto's IAM when the local cloud comes up: the EC2
//! instance profile and the service role of klue.yaml's defaults (the names the EB console
//! creates), so that the first `klue deploy --local` finds them as in an account where Elastic
//! Beanstalk was used before (a real account without them needs `klue deploy --create-roles`).

use klue_testsupport::http::blocking_request;

/// klue.yaml's default `aws.instance_profile` (and its role's name).
const INSTANCE_PROFILE: &str = "aws-elasticbeanstalk-ec2-role";
/// klue.yaml's default `aws.service_role`.
const SERVICE_ROLE: &str = "aws-elasticbeanstalk-service-role";

/// Creates the roles and the instance profile in moto's IAM at `endpoint` (ones that exist are
/// kept).
pub fn seed(endpoint: &str) -> Result<(), String> {
    let trust = |service: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
        )
    };
    let ec2_trust = trust("ec2.amazonaws.com");
    let eb_trust = trust("elasticbeanstalk.amazonaws.com");
    let calls: [&[(&str, &str)]; 4] = [
        &[
            ("Action", "CreateRole"),
            ("RoleName", INSTANCE_PROFILE),
            ("AssumeRolePolicyDocument", &ec2_trust),
        ],
        &[
            ("Action", "CreateInstanceProfile"),
            ("InstanceProfileName", INSTANCE_PROFILE),
        ],
        &[
            ("Action", "AddRoleToInstanceProfile"),
            ("InstanceProfileName", INSTANCE_PROFILE),
            ("RoleName", INSTANCE_PROFILE),
        ],
        &[
            ("Action", "CreateRole"),
            ("RoleName", SERVICE_ROLE),
            ("AssumeRolePolicyDocument", &eb_trust),
        ],
    ];
    for params in calls {
        let mut body: Vec<String> = params
            .iter()
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .collect();
        body.push("Version=2010-05-08".to_owned());
        // moto routes on the credential scope's service name and checks no signature.
        let response = blocking_request(
            "POST",
            &format!("{endpoint}/"),
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, \
                     SignedHeaders=host, Signature=0",
                ),
            ],
            body.join("&"),
        )?;
        let exists = response.text().contains("EntityAlreadyExists")
            || response.text().contains("LimitExceeded");
        if response.status != 200 && !exists {
            return Err(format!(
                "IAM {}: {} {}",
                params[0].1,
                response.status,
                response.text()
            ));
        }
    }
    Ok(())
}

/// `application/x-www-form-urlencoded` percent-encoding of one value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_percent_encoded() {
        assert_eq!(
            super::encode(r#"{"a": "b/c"}"#),
            "%7B%22a%22%3A%20%22b%2Fc%22%7D"
        );
        assert_eq!(super::encode("aws-eb_role.1~"), "aws-eb_role.1~");
    }
}
