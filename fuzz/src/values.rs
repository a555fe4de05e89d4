//! Fuzz bodies for the value parsers of `cwmp_codec::path` and `cwmp_codec::version`.
//!
//! Each body panics only when an invariant is broken: the parsers themselves must never
//! panic, and what they accept must display back to text that parses to the same value.

use cwmp_codec::path::PathName;
use cwmp_codec::version::{acs_choose, CwmpVersion, VersionList};

/// `PathName::parse` on UTF-8 input: never panics; an accepted path displays as its input,
/// re-parses equal, and its accessors (segments, wildcards, parent chain, matching) hold.
pub fn path_parse(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(path) = PathName::parse(text) else {
        return;
    };
    let shown = path.to_string();
    assert_eq!(shown, text, "display differs from input");
    assert_eq!(PathName::parse(&shown), Ok(path), "display does not re-parse equal");

    // Segments rebuild the text.
    let mut rebuilt = String::new();
    for (i, seg) in path.segments().enumerate() {
        if i != 0 {
            rebuilt.push('.');
        }
        rebuilt.push_str(&seg.to_string());
    }
    if path.is_partial() && !path.is_root() {
        rebuilt.push('.');
    }
    assert_eq!(rebuilt, text, "segments do not rebuild the path");

    let _ = path.validate_wildcards();
    assert_eq!(path.is_root(), text.is_empty());

    // The parent chain ends at the root, each link a partial path containing the child.
    let mut cur = path;
    let mut steps = 0usize;
    while let Some(parent) = cur.parent() {
        assert!(parent.is_partial());
        assert!(cur.starts_with(&parent));
        assert!(path.has_wildcard() || cur.matches(&parent));
        assert!(PathName::parse(parent.as_str()).is_ok(), "parent is not a valid path");
        cur = parent;
        steps += 1;
        assert!(steps <= text.len(), "parent chain does not terminate");
    }
    assert!(cur.is_root());
    assert!(path.matches(&path) || path.has_wildcard());
}

/// `VersionList::parse` (and `CwmpVersion::parse`) on UTF-8 input: never panics; an
/// accepted list displays canonically, re-parses to the same known versions, and the
/// ACS choice against every version is its highest.
pub fn version_list_parse(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = CwmpVersion::parse(text) {
        assert_eq!(CwmpVersion::parse(v.as_str()), Ok(v));
    }
    let Ok(list) = VersionList::parse(text) else {
        return;
    };
    let shown = list.to_string();
    assert!(!shown.contains(' '), "display has spaces");
    let again = VersionList::parse(&shown).expect("display re-parses");
    assert!(!again.has_unknown());
    assert!(again.iter().eq(list.iter()), "display does not re-parse to the same versions");
    assert_eq!(acs_choose(list, VersionList::ALL), list.highest());
    assert_eq!(list.len(), list.iter().count());
}

/// The targets of this module: name (directory under `corpus/`) and body.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("values_path_parse", path_parse),
    ("values_version_list_parse", version_list_parse),
];
