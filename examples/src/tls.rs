//! https for the `acs` example (TR-069 §3.3): a rustls server configuration from PEM files
//! (`--tls-cert`, `--tls-key`), and the TLS stream over an accepted TCP connection that
//! [`Server::serve_connection`](crate::acs_server::Server::serve_connection) serves.
//!
//! rustls (on *ring*) offers TLS 1.3 and 1.2; a CPE on embedded-tls speaks 1.3 only (see
//! `examples/embassy/README.md`).

use std::io;
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::acs_server::Conn;

/// A server configuration with the certificate chain in `cert` (PEM, leaf first) and its key
/// in `key` (PEM: PKCS#8, SEC1 or PKCS#1). No client certificates.
///
/// # Errors
/// A readable reason: unreadable files, no certificate, a key that does not match.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no certificate", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(config))
}

/// A TLS server connection over an accepted TCP connection; the handshake runs on the first
/// reads.
pub type TlsStream = StreamOwned<ServerConnection, TcpStream>;

/// Starts TLS on `stream`.
///
/// # Errors
/// rustls refusing the configuration.
pub fn accept(config: &Arc<ServerConfig>, stream: TcpStream) -> io::Result<TlsStream> {
    let conn = ServerConnection::new(config.clone()).map_err(io::Error::other)?;
    Ok(StreamOwned::new(conn, stream))
}

impl Conn for TlsStream {
    fn set_read_timeout(&self, timeout: Option<StdDuration>) -> io::Result<()> {
        self.sock.set_read_timeout(timeout)
    }
}
