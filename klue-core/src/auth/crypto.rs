//! The cryptography under jsonwebtoken: `ring`, which rustls already brings into every
//! service (the client's HTTPS), instead of jsonwebtoken's RustCrypto backend, whose `rsa`
//! crate carries RUSTSEC-2023-0071 (a timing side channel) and would be compiled into every
//! service, HS256 ones included. ring covers every algorithm klue accepts: HS256/384/512,
//! RS256/384/512, PS256/384/512, ES256/384 and EdDSA.
//!
//! jsonwebtoken asks a process-wide [`CryptoProvider`] for each signature; [`install`] puts
//! this one in place before klue's first use of jsonwebtoken. A service that installed a
//! provider of its own first keeps it.

use std::sync::Once;

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind, EncodingKey};
use ring::rand::SystemRandom;
use ring::signature as sig;
use ring::{hmac, signature::UnparsedPublicKey};
use signature::{Signer, Verifier};

/// klue's provider: ring for every algorithm; JWK helpers are not used by klue.
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: signer,
    verifier_factory: verifier,
    key_utils: KeyUtils::new_unimplemented(),
};

/// Installs klue's provider for the process, once; a provider installed earlier (by the
/// service itself) stays.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = PROVIDER.install_default();
    });
}

fn signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, Error> {
    if key.family() != algorithm.family() {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    let signer = match algorithm.family() {
        AlgorithmFamily::Hmac => Signing::Hmac(hmac::Key::new(hmac_of(*algorithm), key.as_bytes())),
        AlgorithmFamily::Rsa => Signing::Rsa(
            sig::RsaKeyPair::from_der(key.as_bytes()).map_err(|e| invalid_rsa(&e))?,
            rsa_padding(*algorithm),
        ),
        AlgorithmFamily::Ec => Signing::Ecdsa(
            sig::EcdsaKeyPair::from_pkcs8(
                ecdsa_signing(*algorithm)?,
                key.as_bytes(),
                &SystemRandom::new(),
            )
            .map_err(|_| Error::from(ErrorKind::InvalidEcdsaKey))?,
        ),
        AlgorithmFamily::Ed => Signing::Ed(
            sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(key.as_bytes())
                .map_err(|_| Error::from(ErrorKind::InvalidEddsaKey))?,
        ),
    };
    Ok(Box::new(RingSigner {
        algorithm: *algorithm,
        signing: signer,
    }))
}

fn verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, Error> {
    if key.family() != algorithm.family() {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    let verifying = match (algorithm.family(), key.kind()) {
        (AlgorithmFamily::Hmac, DecodingKeyKind::SecretOrDer(secret)) => {
            Verifying::Hmac(hmac::Key::new(hmac_of(*algorithm), secret))
        }
        (AlgorithmFamily::Hmac, DecodingKeyKind::RsaModulusExponent { .. }) => {
            return Err(ErrorKind::InvalidKeyFormat.into())
        }
        (AlgorithmFamily::Rsa, DecodingKeyKind::SecretOrDer(der)) => {
            Verifying::Public(rsa_params(*algorithm), der.clone())
        }
        (AlgorithmFamily::Rsa, DecodingKeyKind::RsaModulusExponent { n, e }) => {
            Verifying::RsaComponents(rsa_params(*algorithm), n.clone(), e.clone())
        }
        (AlgorithmFamily::Ec, DecodingKeyKind::SecretOrDer(point)) => {
            Verifying::Public(ecdsa_verifying(*algorithm)?, point.clone())
        }
        (AlgorithmFamily::Ed, DecodingKeyKind::SecretOrDer(point)) => {
            Verifying::Public(&sig::ED25519, point.clone())
        }
        _ => return Err(ErrorKind::InvalidKeyFormat.into()),
    };
    Ok(Box::new(RingVerifier {
        algorithm: *algorithm,
        verifying,
    }))
}

enum Signing {
    Hmac(hmac::Key),
    Rsa(sig::RsaKeyPair, &'static dyn sig::RsaEncoding),
    Ecdsa(sig::EcdsaKeyPair),
    Ed(sig::Ed25519KeyPair),
}

struct RingSigner {
    algorithm: Algorithm,
    signing: Signing,
}

impl Signer<Vec<u8>> for RingSigner {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let rng = SystemRandom::new();
        match &self.signing {
            Signing::Hmac(key) => Ok(hmac::sign(key, msg).as_ref().to_vec()),
            Signing::Rsa(pair, padding) => {
                let mut out = vec![0; pair.public().modulus_len()];
                pair.sign(*padding, &rng, msg, &mut out)
                    .map_err(|_| signature::Error::new())?;
                Ok(out)
            }
            Signing::Ecdsa(pair) => pair
                .sign(&rng, msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| signature::Error::new()),
            Signing::Ed(pair) => Ok(pair.sign(msg).as_ref().to_vec()),
        }
    }
}

impl JwtSigner for RingSigner {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

enum Verifying {
    Hmac(hmac::Key),
    /// A DER RSA public key, or an EC or Ed25519 public point.
    Public(&'static dyn sig::VerificationAlgorithm, Vec<u8>),
    RsaComponents(&'static sig::RsaParameters, Vec<u8>, Vec<u8>),
}

struct RingVerifier {
    algorithm: Algorithm,
    verifying: Verifying,
}

impl Verifier<Vec<u8>> for RingVerifier {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        let checked = match &self.verifying {
            Verifying::Hmac(key) => hmac::verify(key, msg, signature),
            Verifying::Public(algorithm, bytes) => {
                UnparsedPublicKey::new(*algorithm, bytes).verify(msg, signature)
            }
            Verifying::RsaComponents(params, n, e) => {
                sig::RsaPublicKeyComponents { n, e }.verify(params, msg, signature)
            }
        };
        checked.map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for RingVerifier {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

fn hmac_of(algorithm: Algorithm) -> hmac::Algorithm {
    match algorithm {
        Algorithm::HS384 => hmac::HMAC_SHA384,
        Algorithm::HS512 => hmac::HMAC_SHA512,
        _ => hmac::HMAC_SHA256,
    }
}

fn rsa_padding(algorithm: Algorithm) -> &'static dyn sig::RsaEncoding {
    match algorithm {
        Algorithm::RS384 => &sig::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_SHA512,
        _ => &sig::RSA_PKCS1_SHA256,
    }
}

fn rsa_params(algorithm: Algorithm) -> &'static sig::RsaParameters {
    match algorithm {
        Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
        _ => &sig::RSA_PKCS1_2048_8192_SHA256,
    }
}

fn ecdsa_signing(algorithm: Algorithm) -> Result<&'static sig::EcdsaSigningAlgorithm, Error> {
    match algorithm {
        Algorithm::ES256 => Ok(&sig::ECDSA_P256_SHA256_FIXED_SIGNING),
        Algorithm::ES384 => Ok(&sig::ECDSA_P384_SHA384_FIXED_SIGNING),
        _ => Err(ErrorKind::InvalidAlgorithm.into()),
    }
}

fn ecdsa_verifying(algorithm: Algorithm) -> Result<&'static dyn sig::VerificationAlgorithm, Error> {
    match algorithm {
        Algorithm::ES256 => Ok(&sig::ECDSA_P256_SHA256_FIXED),
        Algorithm::ES384 => Ok(&sig::ECDSA_P384_SHA384_FIXED),
        _ => Err(ErrorKind::InvalidAlgorithm.into()),
    }
}

fn invalid_rsa(err: &ring::error::KeyRejected) -> Error {
    ErrorKind::InvalidRsaKey(err.to_string()).into()
}
