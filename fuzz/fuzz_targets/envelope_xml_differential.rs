#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| cwmp_fuzz::codec::envelope_xml_differential(data));
