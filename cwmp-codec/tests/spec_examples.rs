//! The examples of TR-069 itself (§3.4.1, §3.5), copied verbatim from the text (trailing
//! spaces included): each decodes to what the text says it means.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_codec::message::UnknownMethod;
use cwmp_codec::{decode, Body, CwmpNamespace, Value};

/// §3.5: a fault response.
const FAULT: &str = r#"<soap:Envelope 
  xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" 
  xmlns:cwmp="urn:dslforum-org:cwmp-1-0"> 
    <soap:Header> 
        <cwmp:ID soap:mustUnderstand="1">1234</cwmp:ID> 
    </soap:Header> 
    <soap:Body> 
        <soap:Fault> 
            <faultcode>Client</faultcode> 
            <faultstring>CWMP fault</faultstring> 
            <detail> 
                <cwmp:Fault> 
                    <FaultCode>9000</FaultCode> 
                    <FaultString>Upload method not supported</FaultString> 
                </cwmp:Fault> 
            </detail> 
        </soap:Fault> 
    </soap:Body> 
</soap:Envelope> "#;
/// §3.5: a fault response for SetParameterValues (pretty-printed ParameterName: DIGEST §17.7).
const SPV_FAULT: &str = r#"<soap:Envelope 
  xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" 
  xmlns:cwmp="urn:dslforum-org:cwmp-1-0"> 
    <soap:Header> 
        <cwmp:ID soap:mustUnderstand="1">1234</cwmp:ID> 
    </soap:Header> 
    <soap:Body> 
        <soap:Fault> 
            <faultcode>Client</faultcode> 
            <faultstring>CWMP fault</faultstring> 
            <detail> 
                <cwmp:Fault> 
                    <FaultCode>9003</FaultCode> 
                    <FaultString>Invalid arguments</FaultString> 
                    <SetParameterValuesFault> 
                        <ParameterName> 
                            Device.Time.NTPServer1 
                        </ParameterName> 
                        <FaultCode>9007</FaultCode> 
                        <FaultString>Invalid IP Address</FaultString> 
                    </SetParameterValuesFault> 
                    <SetParameterValuesFault> 
                        <ParameterName> 
                            Device.Time.LocalTimeZoneName 
                        </ParameterName> 
                        <FaultCode>9007</FaultCode> 
                        <FaultString>String too long</FaultString> 
                    </SetParameterValuesFault> 
                </cwmp:Fault> 
            </detail> 
        </soap:Fault> 
    </soap:Body> 
</soap:Envelope> "#;
/// §3.5: a GetParameterNames request.
const GPN: &str = r#"<soap-env:Envelope xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" 
                   xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" 
                   xmlns:xsd="http://www.w3.org/2001/XMLSchema" 
                   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" 
                   xmlns:cwmp="urn:dslforum-org:cwmp-1-0"> 
 <soap-env:Header> 
  <cwmp:ID soap-env:mustUnderstand="1">0</cwmp:ID> 
 </soap-env:Header> 
 <soap-env:Body> 
  <cwmp:GetParameterNames> 
   <ParameterPath>Object.</ParameterPath> 
   <NextLevel>0</NextLevel> 
  </cwmp:GetParameterNames> 
 </soap-env:Body> 
</soap-env:Envelope> "#;
/// §3.5 (Table 4): a CPE to ACS header; `Action` stands for any method.
const HEADER: &str = r#"<soap:Envelope 
  xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" 
  xmlns:cwmp="urn:dslforum-org:cwmp-1-2"> 
    <soap:Header> 
        <cwmp:ID soap:mustUnderstand="1">1234</cwmp:ID> 
        <cwmp:SessionTimeout soap:mustUnderstand="0">40</cwmp:SessionTimeout> 
    </soap:Header> 
    <soap:Body> 
        <cwmp:Action> 
            <argument>value</argument> 
        </cwmp:Action> 
    </soap:Body> 
</soap:Envelope> "#;
/// §3.5: the array examples (lower-case `name`/`value`: DIGEST §17.6; `someType` undeclared).
const ARRAY1: &str = r#"<ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[2]"> 
    <ParameterValueStruct> 
        <name>Parameter1</name> 
        <value xsi:type="someType">1234</value> 
    </ParameterValueStruct> 
    <ParameterValueStruct> 
        <name>Parameter2</name> 
        <value xsi:type="someType">5678</value> 
    </ParameterValueStruct> 
</ParameterList> "#;
const ARRAY2: &str = r#"<MethodList soap-enc:arrayType="xsd:string[3]"> 
    <string>GetRPCMethods</string> 
    <string>Inform</string> 
    <string>TransferComplete</string> 
</MethodList> "#;

#[test]
fn fault_example() {
    let e = decode(FAULT.as_bytes()).unwrap();
    assert_eq!(e.header.id.unwrap(), "1234");
    let Body::Fault(f) = &e.body else { panic!() };
    assert_eq!(f.faultcode, "Client");
    assert_eq!(f.faultstring, "CWMP fault");
    assert_eq!(f.code(), 9000);
    assert_eq!(
        f.detail.fault_string.unwrap(),
        "Upload method not supported"
    );
    assert_eq!(e.schema_deviation, None);
}

#[test]
fn set_parameter_values_fault_example() {
    let e = decode(SPV_FAULT.as_bytes()).unwrap();
    let Body::Fault(f) = &e.body else { panic!() };
    assert_eq!(f.code(), 9003);
    let faults: Vec<_> = f.detail.set_parameter_values_fault.iter().collect();
    assert_eq!(faults.len(), 2);
    assert_eq!(faults[0].parameter_name.trim(), "Device.Time.NTPServer1");
    assert_eq!(faults[0].fault_code, 9007);
    assert_eq!(
        faults[1].parameter_name.trim(),
        "Device.Time.LocalTimeZoneName"
    );
    assert_eq!(faults[1].fault_string.unwrap(), "String too long");
}

#[test]
fn get_parameter_names_example() {
    let e = decode(GPN.as_bytes()).unwrap();
    assert_eq!(e.cwmp_ns, CwmpNamespace::V1_0);
    assert_eq!(e.header.id.unwrap(), "0");
    let Body::GetParameterNames(g) = &e.body else {
        panic!()
    };
    assert_eq!(g.parameter_path, "Object.");
    assert!(!g.next_level);
}

#[test]
fn header_example() {
    let e = decode(HEADER.as_bytes()).unwrap();
    assert_eq!(e.header.id.unwrap(), "1234");
    assert_eq!(e.header.session_timeout, Some(40));
    assert_eq!(e.body, Body::Unknown(UnknownMethod { name: "Action" }));
}

#[test]
fn array_examples() {
    let x = format!(
        "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Body><cwmp:SetParameterValues>{ARRAY1}<ParameterKey/></cwmp:SetParameterValues></soap-env:Body></soap-env:Envelope>"
    );
    let e = decode(x.as_bytes()).unwrap();
    let Body::SetParameterValues(s) = &e.body else {
        panic!()
    };
    let p: Vec<_> = s.parameter_list.iter().collect();
    assert_eq!(p[0].name, "Parameter1");
    assert_eq!(
        p[1].value,
        Some(Value::Other {
            type_name: "someType",
            text: cwmp_codec::XmlStr::new("5678")
        })
    );
    let x = format!(
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><s:Body><cwmp:GetRPCMethodsResponse>{ARRAY2}</cwmp:GetRPCMethodsResponse></s:Body></s:Envelope>"
    );
    let e = decode(x.as_bytes()).unwrap();
    let Body::GetRPCMethodsResponse(r) = &e.body else {
        panic!()
    };
    let m: Vec<String> = r.method_list.iter().map(|m| m.to_string()).collect();
    assert_eq!(m, ["GetRPCMethods", "Inform", "TransferComplete"]);
}
