//! The data model interface (TR-069 §A.2, §A.3.2): the static schema a firmware declares
//! ([`Node`] tables, see [`super::table`]) and the [`DataModel`] trait it implements for what
//! changes at run time: the instances of its multi-instance objects, the values of its
//! Parameters, the two-phase write (check every entry, then commit) and AddObject/DeleteObject.
//!
//! Nothing here allocates: values are read into a caller scratch buffer, instance identifiers
//! are passed as a slice of the enclosing Instance Numbers, outermost first (§A.2.2.1).

use cwmp_codec::{Body, FaultCode, Value, XmlStr};

use crate::transfer::TransferKind;

/// The most nested multi-instance objects in one path (`Device.A.{i}.B.{i}.C.{i}.D.{i}.` is 4).
pub const MAX_INSTANCE_DEPTH: usize = 6;
/// The longest Parameter or object name handled, string(256) (§A.3.2.1 Table 17, T22).
pub const MAX_NAME_LEN: usize = 256;
/// The deepest object nesting walked (segments of a path).
pub const MAX_DEPTH: usize = 16;

/// The Instance Numbers of the enclosing multi-instance objects, outermost first.
pub type Instances = heapless::Vec<u32, MAX_INSTANCE_DEPTH>;

/// The type of a Parameter's value and its range (§A.2.1, Table 12). Bounds are inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ParamType {
    /// `string(max)`: at most `max` characters (16 if the data model gives none, §A.2.1).
    String {
        /// Maximum length in characters.
        max: u32,
    },
    /// `int[min:max]`.
    Int {
        /// Lower bound.
        min: i32,
        /// Upper bound.
        max: i32,
    },
    /// `unsignedInt[min:max]`.
    UnsignedInt {
        /// Lower bound.
        min: u32,
        /// Upper bound.
        max: u32,
    },
    /// `long[min:max]`.
    Long {
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// `unsignedLong[min:max]`.
    UnsignedLong {
        /// Lower bound.
        min: u64,
        /// Upper bound.
        max: u64,
    },
    /// `boolean`: `0`, `1`, `true`, `false`.
    Boolean,
    /// `dateTime`.
    DateTime,
    /// `base64(max)`: at most `max` bytes before encoding.
    Base64 {
        /// Maximum decoded length.
        max: u32,
    },
    /// `hexBinary(max)`: at most `max` bytes.
    HexBinary {
        /// Maximum decoded length.
        max: u32,
    },
}

impl ParamType {
    /// `string(n)`.
    pub const fn string(max: u32) -> Self {
        ParamType::String { max }
    }
    /// `int` without bounds.
    pub const INT: Self = ParamType::Int {
        min: i32::MIN,
        max: i32::MAX,
    };
    /// `unsignedInt` without bounds.
    pub const UNSIGNED_INT: Self = ParamType::UnsignedInt {
        min: 0,
        max: u32::MAX,
    };
    /// `long` without bounds.
    pub const LONG: Self = ParamType::Long {
        min: i64::MIN,
        max: i64::MAX,
    };
    /// `unsignedLong` without bounds.
    pub const UNSIGNED_LONG: Self = ParamType::UnsignedLong {
        min: 0,
        max: u64::MAX,
    };
}

/// What a Parameter is, beyond its type: access, Notification default and the Inform flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Param {
    /// Value type and range.
    pub ty: ParamType,
    /// Writable by SetParameterValues (else 9008, §A.3.2.1).
    pub writable: bool,
    /// The Notification attribute's default, 0–2 (§A.3.2.4: 0 unless the data model says
    /// otherwise).
    pub notification: u8,
    /// A Forced Inform Parameter: in every Inform's ParameterList (§A.3.3.1 (iii)).
    pub forced_inform: bool,
    /// Forced Active Notification: always Active; SetParameterAttributes values other than 2
    /// are ignored (§A.3.2.4).
    pub forced_active: bool,
    /// Active Notification may be refused for it (9009, §A.3.2.4): the data model marks it
    /// unsuitable (a counter that changes all the time).
    pub active_denied: bool,
}

/// A multi-instance object (`{i}` table, §A.2.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Table {
    /// The most instances it can hold (AddObject beyond gets 9004); 0 for no fixed limit.
    pub max_instances: u32,
    /// AddObject and DeleteObject allowed (its GetParameterNames `Writable`, T22).
    pub writable: bool,
}

/// What a [`Node`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Kind {
    /// A single-instance object (`Device.DeviceInfo.`).
    Object,
    /// A multi-instance object: its children are those of each instance.
    Table(Table),
    /// A Parameter.
    Parameter(Param),
}

/// One entry of a static schema: an object, a multi-instance object or a Parameter, with
/// its children (objects only). Built with the `const fn`s of [`super::table`].
#[derive(Debug)]
pub struct Node {
    /// The name segment (`DeviceInfo`, `PortMapping`, `Enable`); for a table the object name
    /// without the `{i}`.
    pub name: &'static str,
    /// Object, table or Parameter.
    pub kind: Kind,
    /// The firmware's identifier, handed back to [`DataModel`] (the agent's own nodes use
    /// ids from [`AGENT_IDS`] up).
    pub id: u16,
    /// Children of an object or of each instance of a table.
    pub children: &'static [Node],
}

// By hand: the derive recurses through `children` (`&[Node]`) without end (E0275).
#[cfg(feature = "defmt")]
impl defmt::Format for Node {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Node {{ name: {=str}, kind: {}, id: {=u16}, children: {=usize} }}",
            self.name,
            self.kind,
            self.id,
            self.children.len()
        );
    }
}

/// Node ids at or above this are the agent's own (`ManagementServer.`, §super::management).
pub const AGENT_IDS: u16 = 0xFF00;

impl Node {
    /// The Parameter description, if it is one.
    pub const fn param(&self) -> Option<&Param> {
        match &self.kind {
            Kind::Parameter(p) => Some(p),
            _ => None,
        }
    }
    /// The table description, if it is a multi-instance object.
    pub const fn table_info(&self) -> Option<&Table> {
        match &self.kind {
            Kind::Table(t) => Some(t),
            _ => None,
        }
    }
    /// Is it the same node (schema identity, not name equality)?
    pub fn is(&self, other: &Node) -> bool {
        core::ptr::eq(self, other)
    }
}

/// The optional RPCs the model supports, for GetRPCMethods and the 9000 answers (Table 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Capabilities {
    /// Download (REQUIRED if any download is supported, Table 5 fn7).
    pub download: bool,
    /// Upload.
    pub upload: bool,
    /// ScheduleDownload.
    pub schedule_download: bool,
    /// FactoryReset.
    pub factory_reset: bool,
    /// ChangeDUState, answered by [`DataModel::other_rpc`].
    pub change_du_state: bool,
    /// SetVouchers and GetOptions (deprecated), answered by [`DataModel::other_rpc`].
    pub vouchers: bool,
    /// Vendor methods (`X_…`) listed by GetRPCMethods, answered by [`DataModel::other_rpc`].
    pub vendor_methods: &'static [&'static str],
}

impl Capabilities {
    /// Any transfer supported (CancelTransfer, GetQueuedTransfers, GetAllQueuedTransfers).
    pub const fn transfers(&self) -> bool {
        self.download || self.upload || self.schedule_download
    }
}

/// A transfer the ACS asked for (Download §A.3.2.8, Upload §A.4.1.5, ScheduleDownload
/// §A.4.1.8), offered to [`DataModel::accept_transfer`] before it is queued. Strings are raw
/// XML text (`XmlStr::unescape_into` them).
#[derive(Debug, Clone, Copy)]
pub struct TransferRequest<'r> {
    /// Which RPC.
    pub kind: TransferKind,
    /// CommandKey.
    pub command_key: XmlStr<'r>,
    /// FileType (`1 Firmware Upgrade Image`, …).
    pub file_type: XmlStr<'r>,
    /// Where (already checked: no userinfo, §A.3.2.8).
    pub url: XmlStr<'r>,
    /// Credentials for the file server (empty: none).
    pub username: XmlStr<'r>,
    /// Password.
    pub password: XmlStr<'r>,
    /// FileSize hint, 0 unknown (Download, ScheduleDownload).
    pub file_size: u32,
    /// DelaySeconds (for ScheduleDownload: the first window's WindowStart).
    pub delay_seconds: u32,
}

/// What the firmware implements: its schema and the values behind it. Every method gets the
/// schema [`Node`] and the Instance Numbers of the enclosing tables; none may panic.
pub trait DataModel {
    /// The root object (`Device` for TR-181, `InternetGatewayDevice` for TR-098).
    fn root(&self) -> &'static Node;

    /// The `index`-th existing instance of `table` under the instances `parents`, in the order
    /// GetParameterNames lists them; `None` past the last. Called in increasing `index` order.
    fn instance(&self, table: &'static Node, parents: &[u32], index: usize) -> Option<u32>;

    /// Does instance `number` of `table` exist under `parents`? The default scans
    /// [`DataModel::instance`].
    fn has_instance(&self, table: &'static Node, parents: &[u32], number: u32) -> bool {
        let mut i = 0usize;
        while let Some(n) = self.instance(table, parents, i) {
            if n == number {
                return true;
            }
            i = i.saturating_add(1);
        }
        false
    }

    /// The current value of Parameter `param` of the instances `inst`, its text written into
    /// `scratch` if it needs room (a string or base64 value). `None` if it cannot be read now:
    /// GetParameterValues answers 9002.
    fn get<'s>(
        &self,
        param: &'static Node,
        inst: &[u32],
        scratch: &'s mut [u8],
    ) -> Option<Value<'s>>;

    /// Phase 1 of SetParameterValues: may `value` (already type- and range-checked against the
    /// schema, §A.2.1) be written? Return 9007 for a value the model refuses. Nothing may change.
    fn check(
        &self,
        param: &'static Node,
        inst: &[u32],
        value: &Value<'_>,
    ) -> Result<(), FaultCode> {
        let _ = (param, inst, value);
        Ok(())
    }

    /// Phase 2: write a value that passed [`DataModel::check`]. Cannot fail: SetParameterValues
    /// is atomic (§A.3.2.1), so every failure must be found by `check`. A string value is
    /// raw XML text: unescape it (`XmlStr::unescape_into`).
    fn set(&mut self, param: &'static Node, inst: &[u32], value: &Value<'_>);

    /// AddObject (§A.3.2.6): create an instance of `table` under `parents` with every
    /// Parameter at its default and return its Instance Number (never reused, §A.2.2.1).
    /// Errors: 9004 over the limit. The default supports none: 9001.
    fn add_instance(&mut self, table: &'static Node, parents: &[u32]) -> Result<u32, FaultCode> {
        let _ = (table, parents);
        Err(FaultCode::REQUEST_DENIED)
    }

    /// DeleteObject (§A.3.2.7): remove instance `inst` (its last number is the instance) and
    /// everything below it. The default supports none: 9001.
    fn delete_instance(&mut self, table: &'static Node, inst: &[u32]) -> Result<(), FaultCode> {
        let _ = (table, inst);
        Err(FaultCode::REQUEST_DENIED)
    }

    /// The optional RPCs supported.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    /// A Download, Upload or ScheduleDownload may be queued? Check space (9010), protocol
    /// (9013), file type (9003); keep what the transfer needs (URL, credentials) under its
    /// CommandKey until [`DataModel::transfer_queued`] gives its id. The default refuses: 9000.
    fn accept_transfer(&mut self, request: &TransferRequest<'_>) -> Result<(), FaultCode> {
        let _ = request;
        Err(FaultCode::METHOD_NOT_SUPPORTED)
    }

    /// The transfer accepted last was queued as `id`; the machine says when to start it
    /// ([`crate::cpe::Event::StartTransfer`]), the firmware reports with
    /// [`crate::cpe::Cpe::transfer_finished`].
    fn transfer_queued(&mut self, id: crate::transfer::TransferId) {
        let _ = id;
    }

    /// ChangeDUState, SetVouchers, GetOptions or a vendor method: the response body (it may
    /// borrow the model), or a fault code. The default answers 9000 (method not supported).
    fn other_rpc<'s>(&'s mut self, request: &Body<'_>) -> Result<Body<'s>, FaultCode> {
        let _ = request;
        Err(FaultCode::METHOD_NOT_SUPPORTED)
    }

    /// A FactoryReset is about to be requested: restore the model's factory values when
    /// [`crate::cpe::Event::FactoryReset`] comes. The default does nothing.
    fn factory_reset(&mut self) {}
}
