//! The encoder's output for every message type validates against the official Broadband
//! Forum schemas (`../shared/spec/xsd`, `validate.sh` with xmllint from libxml2-utils).
//! Skips with a notice when `../shared` or xmllint is absent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use cwmp_codec::{CwmpNamespace, Envelope, Header, XmlStr};

fn validator() -> Option<PathBuf> {
    let v = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/xsd/validate.sh");
    if !v.is_file() {
        println!("skipping: ../shared/spec/xsd is absent");
        return None;
    }
    if Command::new("xmllint").arg("--version").output().is_err() {
        println!("skipping: xmllint is not installed (Debian package libxml2-utils)");
        return None;
    }
    Some(v)
}

fn validate(script: &Path, name: &str, env: &Envelope<'_>) -> Result<(), String> {
    let mut out = Vec::new();
    env.encode(&mut out).unwrap();
    let dir = std::env::temp_dir().join(format!("cwmp-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, &out).unwrap();
    let res = Command::new("sh").arg(script).arg(&file).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&res.stdout),
        String::from_utf8_lossy(&res.stderr)
    );
    if text.contains(" validates") && !text.contains("fails to validate") {
        Ok(())
    } else {
        Err(format!("{name}: {text}\n{}", String::from_utf8_lossy(&out)))
    }
}

#[test]
fn every_message_validates_against_the_schemas() {
    let Some(script) = validator() else { return };
    let mut failures = Vec::new();
    for env in common::every_message() {
        let name = env.body.method_name().to_string();
        if let Err(e) = validate(&script, &name, &env) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_header_validates() {
    let Some(script) = validator() else { return };
    let all = common::every_message();
    let mut inform = all
        .iter()
        .find(|e| e.body.method_name() == "Inform")
        .unwrap()
        .clone();
    inform.header = Header {
        id: Some(XmlStr::new("1")),
        session_timeout: Some(60),
        supported_cwmp_versions: Some(XmlStr::new("1.0,1.1,1.2,1.3,1.4")),
        ..Header::default()
    };
    validate(&script, "Inform-headers", &inform).unwrap();
    let mut resp = all
        .iter()
        .find(|e| e.body.method_name() == "InformResponse")
        .unwrap()
        .clone();
    resp.header = Header {
        id: Some(XmlStr::new("1")),
        hold_requests: Some(false),
        use_cwmp_version: Some(XmlStr::new("1.4")),
        ..Header::default()
    };
    validate(&script, "InformResponse-headers", &resp).unwrap();
}

#[test]
fn messages_of_1_0_and_1_1_validate_against_their_schemas() {
    let Some(script) = validator() else { return };
    let mut failures = Vec::new();
    for env in common::every_message() {
        let name = env.body.method_name();
        for ns in [CwmpNamespace::V1_0, CwmpNamespace::V1_1] {
            if !ns.supports_method(name) || name == "Fault" {
                continue;
            }
            let mut e = env.clone();
            e.cwmp_ns = ns;
            // FileType values added by later amendments are not in the older schemas.
            match &mut e.body {
                cwmp_codec::Body::Upload(u) => {
                    u.file_type = cwmp_codec::UploadFileType::VendorLogFile
                }
                cwmp_codec::Body::GetAllQueuedTransfersResponse(_) => continue,
                _ => {}
            }
            if let Err(msg) = validate(&script, &format!("{name}-{ns:?}"), &e) {
                failures.push(msg);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
