//! [`LendingSource`]: items composed into a short-lived buffer are encoded, counted and visited
//! through the one callback path, decode back to the same items, and validate against the
//! schemas (`../shared/spec/xsd`; skipped with a notice when absent).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::cell::Cell;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use cwmp_codec::message::{GetParameterValuesResponse, ParameterValueStruct};
use cwmp_codec::{
    decode, Array, Body, CwmpNamespace, Envelope, LendFn, LendingSource, Value, XmlStr,
};

/// `Device.NAT.PortMapping.<i>.Description` = `"mapping <i>"`, each composed on the fly in a
/// stack buffer that dies with the call.
struct Composed {
    n: usize,
    calls: Cell<usize>,
}

impl<'a> LendingSource<ParameterValueStruct<'a>> for Composed {
    fn len(&self) -> usize {
        self.n
    }
    fn lend<'f>(&self, index: usize, f: LendFn<'f, ParameterValueStruct<'a>>) -> bool
    where
        ParameterValueStruct<'a>: 'f,
    {
        if index >= self.n {
            return false;
        }
        self.calls.set(self.calls.get() + 1);
        let mut name = heapless::String::<64>::new();
        write!(name, "Device.NAT.PortMapping.{}.Description", index + 1).unwrap();
        let mut value = heapless::String::<32>::new();
        write!(value, "mapping <{}>", index + 1).unwrap();
        f(&ParameterValueStruct {
            name: XmlStr::new(&name),
            value: Some(Value::String(XmlStr::new(&value))),
        });
        true
    }
}

fn envelope(src: &Composed) -> Envelope<'_> {
    Envelope::new(
        CwmpNamespace::V1_2,
        Body::GetParameterValuesResponse(GetParameterValuesResponse {
            parameter_list: Array::from_lending(src),
        }),
    )
}

#[test]
fn lent_items_encode_with_the_exact_length_and_decode_back() {
    let src = Composed {
        n: 300,
        calls: Cell::new(0),
    };
    let env = envelope(&src);
    let len = env.encoded_len().unwrap();
    let mut out = Vec::new();
    env.encode(&mut out).unwrap();
    assert_eq!(len, out.len());
    // Twice per index: once for the length, once for the bytes.
    assert_eq!(src.calls.get(), 600);
    let back = decode(&out).unwrap();
    let Body::GetParameterValuesResponse(r) = &back.body else {
        panic!("{:?}", back.body)
    };
    assert_eq!(r.parameter_list.len(), 300);
    for (i, p) in r.parameter_list.iter().enumerate() {
        assert_eq!(
            p.name.to_string(),
            format!("Device.NAT.PortMapping.{}.Description", i + 1)
        );
        let Some(Value::String(v)) = p.value else {
            panic!("{p:?}")
        };
        // `<` escaped on the way out, unescaped on the way in.
        assert_eq!(v.to_string(), format!("mapping <{}>", i + 1));
    }
}

#[test]
fn a_lending_array_encodes_through_a_small_buffer() {
    let src = Composed {
        n: 1000,
        calls: Cell::new(0),
    };
    let env = envelope(&src);
    let len = env.encoded_len().unwrap();
    let mut sink = Chunked(0, [0; 64]);
    env.encode(&mut sink).unwrap();
    assert_eq!(sink.0, len);
}

/// A writer that keeps only a 64-byte window: nothing is held.
struct Chunked(usize, [u8; 64]);
impl embedded_io::ErrorType for Chunked {
    type Error = core::convert::Infallible;
}
impl embedded_io::Write for Chunked {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(64);
        self.1[..n].copy_from_slice(&buf[..n]);
        self.0 += n;
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[test]
fn a_source_that_runs_dry_is_an_encode_error() {
    struct Liar;
    impl<'a> LendingSource<ParameterValueStruct<'a>> for Liar {
        fn len(&self) -> usize {
            3
        }
        fn lend<'f>(&self, index: usize, f: LendFn<'f, ParameterValueStruct<'a>>) -> bool
        where
            ParameterValueStruct<'a>: 'f,
        {
            if index > 0 {
                return false;
            }
            f(&ParameterValueStruct::new("Device.A", Value::Int(1)));
            true
        }
    }
    let env = Envelope::new(
        CwmpNamespace::V1_2,
        Body::GetParameterValuesResponse(GetParameterValuesResponse {
            parameter_list: Array::from_lending(&Liar),
        }),
    );
    assert!(env.encoded_len().is_err());
    assert!(env.encode(&mut Vec::new()).is_err());
}

#[test]
fn visiting_a_lending_array_sees_every_item() {
    struct Count(usize);
    impl cwmp_codec::Visitor for Count {
        fn enter(&mut self, _: &str) {}
        fn enter_index(&mut self, _: usize) {
            self.0 += 1;
        }
        fn leave(&mut self) {}
        fn value(&mut self, _: &dyn std::fmt::Display) {}
    }
    let src = Composed {
        n: 7,
        calls: Cell::new(0),
    };
    let env = envelope(&src);
    let mut c = Count(0);
    env.visit(&mut c);
    assert_eq!(c.0, 7);
    // `iter` yields nothing: lent items exist only inside the callback.
    let Body::GetParameterValuesResponse(r) = &env.body else {
        unreachable!()
    };
    assert_eq!(r.parameter_list.iter().count(), 0);
    assert!(r.parameter_list.is_lending());
}

#[test]
fn a_lending_response_validates_against_the_schema() {
    let v = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/xsd/validate.sh");
    if !v.is_file() {
        println!("skipping: ../shared/spec/xsd is absent");
        return;
    }
    if Command::new("xmllint").arg("--version").output().is_err() {
        println!("skipping: xmllint is not installed (Debian package libxml2-utils)");
        return;
    }
    let src = Composed {
        n: 5,
        calls: Cell::new(0),
    };
    let mut out = Vec::new();
    envelope(&src).encode(&mut out).unwrap();
    let file = std::env::temp_dir().join(format!("cwmp-lending-{}.xml", std::process::id()));
    std::fs::write(&file, &out).unwrap();
    let res = Command::new("sh").arg(&v).arg(&file).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&res.stdout),
        String::from_utf8_lossy(&res.stderr)
    );
    assert!(
        text.contains(" validates") && !text.contains("fails to validate"),
        "{text}"
    );
}
