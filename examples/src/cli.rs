//! The command lines of the `acs` and `inspect` examples (clap derive), here so that tests
//! check them; the `cpe` example's is [`crate::cpe_app::Cli`].

use clap::Parser;

use crate::acs_script::SCRIPT_FORMAT;

/// The `acs` example's command line: `--help` prints it with the script format.
#[derive(Debug, Parser)]
#[command(
    name = "acs",
    about = "A small ACS for testing CPEs: runs a script of requests in every Session of each \
             CPE that connects (one connection at a time) and logs every exchange",
    after_help = SCRIPT_FORMAT
)]
pub struct AcsCli {
    /// Where to accept CPEs; point the CPE's ManagementServer.URL at http://ADDR/ (any path).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7547")]
    pub listen: String,
    /// The requests to send, one a line (format below). Without it the ACS only answers the
    /// Inform and the CPE's own requests, and ends each Session.
    #[arg(long, value_name = "FILE")]
    pub script: Option<String>,
    /// Require HTTP Digest from CPEs with this username (needs --password).
    #[arg(long, value_name = "U", requires = "password")]
    pub user: Option<String>,
    /// Require HTTP Digest with this password (alone: any username).
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
    /// Exit after N Sessions. Default: until Ctrl-C.
    #[arg(long, value_name = "N")]
    pub sessions: Option<usize>,
    /// Fail a Session when the CPE's next POST does not come within this long (§3.7.2.4; at
    /// least 30, or the CPE's SessionTimeout header when longer).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Print every field of every message (`path = value`, as `inspect` does).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Once listening, ask the CPE at its ConnectionRequestURL to open a Session (HTTP GET
    /// with Digest, TR-069 §3.2.2); the CPE's answer is printed.
    #[arg(
        long = "connection-request",
        value_name = "URL",
        conflicts_with = "udp_connection_request"
    )]
    pub connection_request: Option<String>,
    /// The same over UDP (Annex G: a signed HTTP-over-UDP message, sent three times with one
    /// `id`; there is no answer to wait for).
    #[arg(long = "udp-connection-request", value_name = "HOST:PORT")]
    pub udp_connection_request: Option<String>,
    /// ConnectionRequestUsername for either kind of connection request.
    #[arg(long = "cr-user", value_name = "U", default_value = "")]
    pub cr_user: String,
    /// ConnectionRequestPassword for either kind of connection request.
    #[arg(long = "cr-password", value_name = "P", default_value = "")]
    pub cr_password: String,
    /// Wait this long after starting to listen before sending the connection request (time
    /// for the CPE's first Session).
    #[arg(long = "cr-delay", value_name = "SECS", default_value_t = 2)]
    pub cr_delay: u64,
    /// Serve https (TLS 1.3 and 1.2, rustls) with this certificate chain (PEM, leaf first);
    /// needs --tls-key.
    #[arg(long = "tls-cert", value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<String>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long = "tls-key", value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<String>,
}

/// The `inspect` example's command line.
#[derive(Debug, Parser)]
#[command(
    name = "inspect",
    about = "Decode CWMP messages and print them as stable, line-oriented text",
    after_help = "\
Output per FILE (a `== FILE` line first when there are several): `method: <Name>`,
`cwmp-ns: <version>`, then the header elements and every field as `path = value`, arrays
indexed (`Inform.Event[0].EventCode = 1 BOOT`). A file that does not decode prints
`error: <kind> at byte <offset>`; the exit code is then 1 (2 for a bad command line).

Examples:
  inspect ../shared/vectors/perl-cwmp/http-raw/Inform__BANT-R-7.4.1.7.http
  inspect --reencode some-envelope.xml"
)]
pub struct InspectCli {
    /// Print the canonical XML of each message (what this crate's encoder writes) instead of
    /// its fields.
    #[arg(long)]
    pub reencode: bool,
    /// Files to decode: each a bare SOAP envelope, or a whole HTTP message (request or
    /// response) whose body is one.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
}
