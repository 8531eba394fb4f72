//! Security requirements: bearer JWTs for `http: bearer` (without a `bearerFormat` or with
//! `JWT`), `oauth2` and `openIdConnect`; credentials handed to the handler for `apiKey`
//! (header, query or cookie) and other `http` schemes (the `Authorization` header): `basic`
//! decoded into `klue::BasicCredentials`, a bearer scheme with another `bearerFormat` or marked
//! opaque (`x-klue-opaque: true`, which `Builder::opaque_bearer` adds) into `klue::BearerToken`,
//! any other scheme as the raw header.

use openapiv3 as oa;

use super::Reader;
use crate::diagnostics::join;
use crate::model::*;

/// What one security scheme asks of a request.
#[derive(Debug, Clone, PartialEq)]
enum Need {
    /// A bearer JWT, verified by the server.
    Bearer,
    /// A credential the handler checks: where it is sent, and how klue decodes an
    /// `Authorization` header.
    Credential(String, ParamLocation, Option<HttpAuth>),
}

impl Reader<'_, '_, '_> {
    /// The JWT requirement of an operation and the credentials it takes. Credentials become
    /// parameters (marked `credential`) unless the operation already declares them; when
    /// there are alternatives, none is required on its own and the names are returned so the
    /// server can insist on one of them.
    pub(super) fn auth(
        &mut self,
        own: Option<&Vec<oa::SecurityRequirement>>,
        pointer: &str,
        parameters: &mut Vec<Parameter>,
    ) -> (Auth, Vec<String>) {
        let (requirements, req_pointer) = match own {
            Some(own) => (own, join(pointer, "security")),
            None => match &self.spec.security {
                Some(global) => (global, "/security".to_owned()),
                None => return (Auth::None, Vec::new()),
            },
        };
        if requirements.is_empty() {
            return (Auth::None, Vec::new());
        }
        // One list of needs per alternative.
        let mut alternatives: Vec<Vec<Need>> = Vec::new();
        for (i, requirement) in requirements.iter().enumerate() {
            let mut needs = Vec::new();
            for scheme_name in requirement.keys() {
                let at = join(&join(&req_pointer, &i.to_string()), scheme_name);
                if let Some(need) = self.need(scheme_name, &at) {
                    if !needs.contains(&need) {
                        needs.push(need);
                    }
                }
            }
            alternatives.push(needs);
        }
        let anonymous = alternatives.iter().any(Vec::is_empty);
        let bearer_everywhere = alternatives.iter().all(|a| a.contains(&Need::Bearer));
        let bearer_somewhere = alternatives.iter().any(|a| a.contains(&Need::Bearer));
        let auth = match (bearer_everywhere, bearer_somewhere) {
            (true, _) => Auth::Required,
            (false, true) => Auth::Optional,
            (false, false) => Auth::None,
        };

        let mut credentials = Vec::new();
        let mut alone = true;
        for needs in &alternatives {
            for need in needs {
                let Need::Credential(name, location, http_auth) = need else {
                    continue;
                };
                let required = !anonymous && alternatives.iter().all(|a| a.contains(need));
                alone &= required;
                let declared = parameters.iter_mut().find(|p| {
                    p.location == *location
                        && (p.name == *name
                            || (*location == ParamLocation::Header
                                && p.name.eq_ignore_ascii_case(name)))
                });
                match declared {
                    // Two `http` schemes as alternatives share the header: it stays raw text.
                    Some(param) if param.credential && param.http_auth != *http_auth => {
                        param.http_auth = None;
                    }
                    Some(param) => {
                        param.credential = true;
                        param.http_auth = http_auth.clone();
                    }
                    None => parameters.push(Parameter {
                        description: Some(format!(
                            "Credential of the operation's security requirement (in {}).",
                            super::location_name(*location)
                        )),
                        credential: true,
                        http_auth: http_auth.clone(),
                        ..Parameter::plain(
                            name.clone(),
                            *location,
                            required,
                            super::params::text_schema(&req_pointer),
                        )
                    }),
                }
                if !credentials.contains(name) {
                    credentials.push(name.clone());
                }
            }
        }
        // With alternatives (key A or key B, or a key or a token) the server insists on one
        // of them being sent; with one mandatory credential its parameter is required.
        if alone || anonymous {
            credentials.clear();
        }
        (auth, credentials)
    }

    fn need(&mut self, scheme_name: &str, at: &str) -> Option<Need> {
        let scheme = self
            .spec
            .components
            .as_ref()
            .and_then(|c| c.security_schemes.get(scheme_name));
        let scheme = match scheme {
            Some(oa::ReferenceOr::Item(scheme)) => scheme.clone(),
            Some(oa::ReferenceOr::Reference { reference }) => {
                let reference = reference.clone();
                match self
                    .resolve_pointer(&reference)
                    .and_then(|(v, _)| serde_json::from_value(v.clone()).ok())
                {
                    Some(scheme) => scheme,
                    None => {
                        self.diag.warn(
                            at,
                            format!("security scheme '{scheme_name}' cannot be resolved; it is not enforced"),
                        );
                        return None;
                    }
                }
            }
            None => {
                self.diag.warn(
                    at,
                    format!("security scheme '{scheme_name}' is not defined in components/securitySchemes; it is not enforced"),
                );
                return None;
            }
        };
        let authorization = |http_auth| {
            Need::Credential(
                "Authorization".to_owned(),
                ParamLocation::Header,
                Some(http_auth),
            )
        };
        let opaque = self.marked_opaque(scheme_name);
        let scheme_name = scheme_name.to_owned();
        Some(match scheme {
            oa::SecurityScheme::HTTP {
                scheme,
                bearer_format,
                ..
            } if scheme.eq_ignore_ascii_case("bearer") => {
                let jwt = bearer_format
                    .as_deref()
                    .is_none_or(|format| format.eq_ignore_ascii_case("jwt"));
                if jwt && !opaque {
                    Need::Bearer
                } else {
                    authorization(HttpAuth::OpaqueBearer {
                        scheme: scheme_name,
                    })
                }
            }
            oa::SecurityScheme::OAuth2 { .. } | oa::SecurityScheme::OpenIDConnect { .. } => {
                if opaque {
                    authorization(HttpAuth::OpaqueBearer {
                        scheme: scheme_name,
                    })
                } else {
                    Need::Bearer
                }
            }
            oa::SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => {
                authorization(HttpAuth::Basic {
                    scheme: scheme_name,
                })
            }
            oa::SecurityScheme::HTTP { .. } => {
                Need::Credential("Authorization".to_owned(), ParamLocation::Header, None)
            }
            oa::SecurityScheme::APIKey { location, name, .. } => {
                let location = match location {
                    oa::APIKeyLocation::Query => ParamLocation::Query,
                    oa::APIKeyLocation::Header => ParamLocation::Header,
                    oa::APIKeyLocation::Cookie => ParamLocation::Cookie,
                };
                Need::Credential(name, location, None)
            }
        })
    }

    /// Whether the scheme carries `x-klue-opaque: true`: its bearer tokens are not klue's
    /// JWTs but handed to the handler.
    fn marked_opaque(&self, scheme_name: &str) -> bool {
        self.document
            .pointer("/components/securitySchemes")
            .and_then(|schemes| schemes.get(scheme_name))
            .and_then(|scheme| scheme.get(OPAQUE_MARK))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    }
}

/// The extension marking a bearer, `oauth2` or `openIdConnect` scheme opaque.
pub(crate) const OPAQUE_MARK: &str = "x-klue-opaque";

/// Marks the security schemes `names` of an OpenAPI 3 `document` opaque ([`OPAQUE_MARK`]);
/// returns the names that are not bearer, `oauth2` or `openIdConnect` schemes of it.
pub(crate) fn mark_opaque(document: &mut serde_json::Value, names: &[String]) -> Vec<String> {
    let mut unknown = Vec::new();
    for name in names {
        let scheme = document
            .pointer_mut("/components/securitySchemes")
            .and_then(|schemes| schemes.get_mut(name.as_str()))
            .and_then(serde_json::Value::as_object_mut);
        let tokens = scheme.filter(|scheme| match scheme.get("type").and_then(|t| t.as_str()) {
            Some("http") => scheme
                .get("scheme")
                .and_then(|s| s.as_str())
                .is_some_and(|s| s.eq_ignore_ascii_case("bearer")),
            Some("oauth2" | "openIdConnect") => true,
            _ => false,
        });
        match tokens {
            Some(scheme) => {
                scheme.insert(OPAQUE_MARK.to_owned(), true.into());
            }
            None => unknown.push(name.clone()),
        }
    }
    unknown
}
