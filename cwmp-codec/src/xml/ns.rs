//! Namespaces by URI, never by prefix (DESIGN.md §2, INTEROP N1–N5).
//!
//! A small fixed-size stack of the bindings in scope resolves prefixes of elements, of
//! attributes and of QNames inside attribute values (`xsi:type="xsd:string"`). Bindings are
//! kept as offsets into the input, so the stack is 8 bytes a binding.

use crate::error::{DecodeError, DecodeErrorKind};
use crate::limits::MAX_NAMESPACE_BINDINGS;
use crate::version::CwmpNamespace;

/// SOAP 1.1 envelope namespace (TR-069 §3.5).
pub const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.1 encoding namespace (TR-069 §3.5).
pub const SOAP_ENC: &str = "http://schemas.xmlsoap.org/soap/encoding/";
/// XML Schema instance namespace, 2001 version only (TR-069 §3.5).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// XML Schema namespace, 2001 version only (TR-069 §3.5).
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema";
/// XMPP Connection Request namespace (TR-069 Annex K).
pub const XMPP_CONN_REQ: &str = "urn:broadband-forum-org:cwmp:xmppConnReq-1-0";
/// UDP Lightweight Notification namespace (TR-069 Annex M).
pub const LW_NOTIF: &str = "urn:broadband-forum-org:cwmp:lwnotif-1-0";

/// A namespace the codec knows, resolved from its URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Ns {
    /// No namespace: an unprefixed name with no default namespace in scope, or `xmlns=""`.
    None,
    /// SOAP 1.1 envelope.
    SoapEnv,
    /// SOAP 1.1 encoding.
    SoapEnc,
    /// XML Schema instance (`xsi`).
    Xsi,
    /// XML Schema (`xsd`).
    Xsd,
    /// One of the CWMP namespaces.
    Cwmp(CwmpNamespace),
    /// XMPP connection request (Annex K).
    XmppConnReq,
    /// UDP lightweight notification (Annex M).
    LwNotif,
    /// Any other URI.
    Other,
}

impl Ns {
    /// Resolves a namespace URI (as written in the `xmlns` attribute value).
    pub fn from_uri(uri: &[u8]) -> Ns {
        match uri {
            b"" => Ns::None,
            b"http://schemas.xmlsoap.org/soap/envelope/" => Ns::SoapEnv,
            b"http://schemas.xmlsoap.org/soap/encoding/" => Ns::SoapEnc,
            b"http://www.w3.org/2001/XMLSchema-instance" => Ns::Xsi,
            b"http://www.w3.org/2001/XMLSchema" => Ns::Xsd,
            b"urn:broadband-forum-org:cwmp:xmppConnReq-1-0" => Ns::XmppConnReq,
            b"urn:broadband-forum-org:cwmp:lwnotif-1-0" => Ns::LwNotif,
            _ => match CwmpNamespace::from_uri(uri) {
                Some(c) => Ns::Cwmp(c),
                None => Ns::Other,
            },
        }
    }

    /// Is this one of the CWMP namespaces?
    pub fn is_cwmp(self) -> bool {
        matches!(self, Ns::Cwmp(_))
    }

    /// The conventional prefix a peer may use without declaring it (INTEROP N4): only
    /// consulted for attribute names and QNames in attribute values, never for elements.
    fn conventional(prefix: &[u8]) -> Option<Ns> {
        match prefix {
            b"xsi" => Some(Ns::Xsi),
            b"xsd" | b"xs" => Some(Ns::Xsd),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Binding {
    /// Offset of the prefix in the input (its length is `len`; 0 for the default namespace).
    off: u32,
    len: u8,
    ns: Ns,
    /// Depth of the element that declared it; popped when that element closes.
    depth: u8,
}

/// The bindings in scope, innermost last.
#[derive(Debug, Clone)]
pub struct NsStack {
    bindings: heapless::Vec<Binding, MAX_NAMESPACE_BINDINGS>,
    /// How many of them bind the default namespace (`xmlns="…"`): with none, an unprefixed
    /// element name resolves without a search.
    defaults: u8,
}

impl NsStack {
    pub(crate) const fn new() -> Self {
        NsStack {
            bindings: heapless::Vec::new(),
            defaults: 0,
        }
    }

    /// Declares `prefix` (a slice of `src` at `off`) for the element at `depth`.
    pub(crate) fn push(
        &mut self,
        off: usize,
        len: usize,
        uri: &[u8],
        depth: usize,
    ) -> Result<(), DecodeError> {
        let err = DecodeError::new(DecodeErrorKind::TooManyNamespaceBindings, off);
        let b = Binding {
            off: u32::try_from(off).map_err(|_| err)?,
            len: u8::try_from(len)
                .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidName, off))?,
            ns: Ns::from_uri(uri),
            depth: u8::try_from(depth).map_err(|_| err)?,
        };
        self.bindings.push(b).map_err(|_| err)?;
        if len == 0 {
            self.defaults = self.defaults.saturating_add(1);
        }
        Ok(())
    }

    /// Drops the bindings declared by elements deeper than `depth`.
    pub(crate) fn pop_deeper_than(&mut self, depth: usize) {
        while let Some(b) = self.bindings.last() {
            if usize::from(b.depth) > depth {
                if b.len == 0 {
                    self.defaults = self.defaults.saturating_sub(1);
                }
                self.bindings.pop();
            } else {
                break;
            }
        }
    }

    /// The depths of the elements that declared the bindings, each once, outermost first
    /// (bindings are pushed in document order, so their depths never decrease).
    pub(crate) fn declaring_depths(&self) -> impl Iterator<Item = usize> + '_ {
        let mut last = None;
        self.bindings.iter().filter_map(move |b| {
            let d = usize::from(b.depth);
            (last.replace(d) != Some(d)).then_some(d)
        })
    }

    /// The innermost binding to a CWMP namespace, whatever its prefix.
    pub(crate) fn any_cwmp(&self) -> Option<CwmpNamespace> {
        self.bindings.iter().rev().find_map(|b| match b.ns {
            Ns::Cwmp(c) => Some(c),
            _ => None,
        })
    }

    /// Resolves an element prefix (`""` = the default namespace).
    pub(crate) fn resolve(&self, src: &str, prefix: &str) -> Option<Ns> {
        let want = prefix.as_bytes();
        if want.is_empty() && self.defaults == 0 {
            return Some(Ns::None);
        }
        let src = src.as_bytes();
        for b in self.bindings.iter().rev() {
            if usize::from(b.len) != want.len() {
                continue;
            }
            // Prefixes are short: a byte loop beats a call to `memcmp`.
            let start = b.off as usize;
            let mut same = true;
            for (i, &w) in want.iter().enumerate() {
                if src.get(start.saturating_add(i)) != Some(&w) {
                    same = false;
                    break;
                }
            }
            if same {
                return Some(b.ns);
            }
        }
        if prefix.is_empty() {
            Some(Ns::None)
        } else {
            None
        }
    }

    /// The namespace name `prefix` is bound to in scope, read back from its declaration in
    /// `src` (`xmlns:prefix="…"`); `None` when unbound. For the rare comparison of two bindings
    /// (Namespaces in XML 1.0 §6.3: attributes' expanded names), so nothing more is stored.
    pub(crate) fn uri<'s>(&self, src: &'s str, prefix: &str) -> Option<crate::XmlStr<'s>> {
        let want = prefix.as_bytes();
        let bytes = src.as_bytes();
        let b = self.bindings.iter().rev().find(|b| {
            let start = b.off as usize;
            usize::from(b.len) == want.len()
                && bytes.get(start..start.saturating_add(want.len())) == Some(want)
        })?;
        // After the prefix (or `xmlns`): white space, `=`, white space, the quoted value.
        let mut i = (b.off as usize).saturating_add(usize::from(b.len));
        let skip_ws = |i: &mut usize| {
            while bytes
                .get(*i)
                .is_some_and(|&c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            {
                *i = i.saturating_add(1);
            }
        };
        skip_ws(&mut i);
        if bytes.get(i) != Some(&b'=') {
            return None;
        }
        i = i.saturating_add(1);
        skip_ws(&mut i);
        let quote = *bytes.get(i)?;
        let start = i.saturating_add(1);
        let len = bytes.get(start..)?.iter().position(|&c| c == quote)?;
        let raw = src.get(start..start.saturating_add(len))?;
        Some(crate::XmlStr::from_validated(raw, raw.contains('&')))
    }

    /// Resolves the prefix of an attribute name or of a QName inside an attribute value.
    /// Unprefixed attributes are in no namespace. An undeclared prefix falls back to its
    /// conventional meaning (`xsi`, `xsd`, `xs`) or [`Ns::Other`] (INTEROP N4).
    pub(crate) fn resolve_attr(&self, src: &str, prefix: &str) -> Ns {
        if prefix.is_empty() {
            return Ns::None;
        }
        match self.resolve(src, prefix) {
            Some(ns) => ns,
            None => Ns::conventional(prefix.as_bytes()).unwrap_or(Ns::Other),
        }
    }

    /// Re-bases the bindings in scope so that they are never popped: the context a lazy
    /// array iterator starts from.
    pub(crate) fn rebase(&mut self) {
        for b in self.bindings.iter_mut() {
            b.depth = 0;
        }
    }
}

/// Splits a QName into (prefix, local part). `"a"` gives `("", "a")`.
pub(crate) fn split_qname(name: &str) -> (&str, &str) {
    // A byte scan: names are short, and `str::split_once` pays for a general searcher.
    match name.bytes().position(|b| b == b':') {
        Some(i) => (
            name.get(..i).unwrap_or_default(),
            name.get(i.saturating_add(1)..).unwrap_or_default(),
        ),
        None => ("", name),
    }
}
