//! TEMPORARY stub, replaced by the real module from the `values` branch.
#![allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CwmpNamespace { V1_0, V1_1, V1_2, V1_3NonStandard, V1_4NonStandard }
impl CwmpNamespace {
    pub fn from_uri(uri: &[u8]) -> Option<Self> {
        Some(match uri {
            b"urn:dslforum-org:cwmp-1-0" => Self::V1_0,
            b"urn:dslforum-org:cwmp-1-1" => Self::V1_1,
            b"urn:dslforum-org:cwmp-1-2" => Self::V1_2,
            b"urn:dslforum-org:cwmp-1-3" => Self::V1_3NonStandard,
            b"urn:dslforum-org:cwmp-1-4" => Self::V1_4NonStandard,
            _ => return None,
        })
    }
    pub const fn uri(self) -> &'static str {
        match self {
            Self::V1_0 => "urn:dslforum-org:cwmp-1-0",
            Self::V1_1 => "urn:dslforum-org:cwmp-1-1",
            Self::V1_2 => "urn:dslforum-org:cwmp-1-2",
            Self::V1_3NonStandard => "urn:dslforum-org:cwmp-1-3",
            Self::V1_4NonStandard => "urn:dslforum-org:cwmp-1-4",
        }
    }
    pub const fn encoding_namespace(self) -> Self {
        match self { Self::V1_3NonStandard | Self::V1_4NonStandard => Self::V1_2, s => s }
    }
}
