//! One instance of every message type of Annex A, with the values of the spec's examples
//! where it gives some. Shared by the integration tests.
#![allow(dead_code)]

use cwmp_codec::datetime::Offset;
use cwmp_codec::filetype::*;
use cwmp_codec::message::*;
use cwmp_codec::{
    Array, CwmpNamespace, DateTime, DateTimeValue, Envelope, EventCode, Header, Repeated, Value,
    XmlStr,
};

pub fn s(x: &'static str) -> XmlStr<'static> {
    XmlStr::new(x)
}

fn t(y: u16, mo: u8, d: u8, h: u8, mi: u8, se: u8) -> DateTimeValue<'static> {
    DateTimeValue::Valid(
        DateTime::new(y, mo, d, h, mi, se)
            .unwrap()
            .with_offset(Offset::Utc)
            .unwrap(),
    )
}

static PARAMS: [ParameterValueStruct<'static>; 5] = [
    ParameterValueStruct::new(
        "Device.DeviceInfo.SoftwareVersion",
        Value::string("4.2.1 & <beta>"),
    ),
    ParameterValueStruct::new(
        "Device.ManagementServer.PeriodicInformInterval",
        Value::UnsignedInt(3600),
    ),
    ParameterValueStruct::new(
        "Device.ManagementServer.PeriodicInformEnable",
        Value::Boolean(true),
    ),
    ParameterValueStruct::new("Device.Time.LocalTimeZone", Value::Int(-5)),
    ParameterValueStruct::new(
        "Device.DeviceInfo.Description",
        Value::string("caf\u{e9} \u{2603}"),
    ),
];
static EVENTS: [EventStruct<'static>; 3] = [
    EventStruct::new(EventCode::Boot, ""),
    EventStruct::new(EventCode::TransferComplete, ""),
    EventStruct::new(EventCode::MDownload, "fw-42"),
];
static NAMES: [XmlStr<'static>; 3] = [
    XmlStr::new("Device.DeviceInfo."),
    XmlStr::new("Device.ManagementServer.URL"),
    XmlStr::new(""),
];
static METHODS: [XmlStr<'static>; 3] = [
    XmlStr::new("GetRPCMethods"),
    XmlStr::new("Inform"),
    XmlStr::new("TransferComplete"),
];
static ACCESS: [XmlStr<'static>; 1] = [XmlStr::new("Subscriber")];
static NO_ACCESS: [XmlStr<'static>; 0] = [];
static VOUCHERS: [cwmp_codec::value::Base64<'static>; 1] =
    [cwmp_codec::value::Base64(XmlStr::new("PE9wdGlvbj4="))];
static ARGS: [ArgStruct<'static>; 1] = [ArgStruct {
    name: XmlStr::new("Version"),
    value: XmlStr::new("2.1"),
}];

pub fn header() -> Header<'static> {
    Header {
        id: Some(s("SAGEM_ID_7589")),
        ..Header::default()
    }
}

/// Every Body variant (but `Unknown` and `Empty`), each in an envelope.
pub fn every_message() -> Vec<Envelope<'static>> {
    let pis: &'static [ParameterInfoStruct<'static>] = Box::leak(Box::new([
        ParameterInfoStruct {
            name: s("Device.DeviceInfo."),
            writable: false,
        },
        ParameterInfoStruct {
            name: s("Device.DeviceInfo.ProvisioningCode"),
            writable: true,
        },
    ]));
    let spa: &'static [SetParameterAttributesStruct<'static>] =
        Box::leak(Box::new([SetParameterAttributesStruct {
            name: s("Device.ManagementServer.ConnectionRequestURL"),
            notification_change: true,
            notification: 2,
            access_list_change: false,
            access_list: Array::new(&NO_ACCESS),
        }]));
    let pas: &'static [ParameterAttributeStruct<'static>] =
        Box::leak(Box::new([ParameterAttributeStruct {
            name: s("Device.DeviceInfo.SoftwareVersion"),
            notification: 1,
            access_list: Array::new(&ACCESS),
        }]));
    let qts: &'static [QueuedTransferStruct<'static>] =
        Box::leak(Box::new([QueuedTransferStruct {
            command_key: s("fw-42"),
            state: 2,
        }]));
    let aqts: &'static [AllQueuedTransferStruct<'static>] =
        Box::leak(Box::new([AllQueuedTransferStruct {
            command_key: s(""),
            state: 1,
            is_download: true,
            file_type: TransferFileType::parse("8 Stored Firmware Image"),
            file_size: 1_048_576,
            target_file_name: s("fw.bin"),
        }]));
    let windows: &'static [TimeWindowStruct<'static>] = Box::leak(Box::new([
        TimeWindowStruct {
            window_start: 0,
            window_end: 3600,
            window_mode: WindowMode::parse("1 At Any Time"),
            user_message: s(""),
            max_retries: -1,
        },
        TimeWindowStruct {
            window_start: 7200,
            window_end: 10800,
            window_mode: WindowMode::parse("3 When Idle"),
            user_message: s("Upgrade tonight"),
            max_retries: 2,
        },
    ]));
    let options: &'static [OptionStruct<'static>] = Box::leak(Box::new([OptionStruct {
        option_name: s("X_012345_Video"),
        voucher_sn: 17,
        state: 3,
        mode: 1,
        start_date: t(2026, 1, 1, 0, 0, 0),
        expiration_date: Some(t(2027, 1, 1, 0, 0, 0)),
        is_transferable: 0,
    }]));
    let ops: &'static [Operation<'static>] = Box::leak(Box::new([
        Operation::Install(InstallOpStruct {
            url: s("http://host/du.ipk"),
            uuid: None,
            username: Some(s("")),
            password: Some(s("")),
            execution_env_ref: Some(s("Device.SoftwareModules.ExecEnv.1.")),
        }),
        Operation::Update(UpdateOpStruct {
            uuid: Some(s("6ba7b810-9dad-11d1-80b4-00c04fd430c8")),
            version: Some(s("2.0")),
            url: None,
            username: None,
            password: None,
        }),
        Operation::Uninstall(UninstallOpStruct {
            uuid: s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            version: Some(s("")),
            execution_env_ref: Some(s("")),
        }),
    ]));
    let du_fault = DeploymentUnitFaultStruct {
        fault_code: 0,
        fault_string: Some(s("")),
    };
    let results: &'static [OpResultStruct<'static>] = Box::leak(Box::new([OpResultStruct {
        uuid: s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
        deployment_unit_ref: s("Device.SoftwareModules.DeploymentUnit.1."),
        version: s("1.0"),
        current_state: DuState::parse("Installed"),
        resolved: true,
        execution_unit_ref_list: s("Device.SoftwareModules.ExecutionUnit.1."),
        start_time: t(2026, 11, 21, 10, 0, 0),
        complete_time: t(2026, 11, 21, 10, 0, 5),
        fault: du_fault.clone(),
    }]));
    let auton: &'static [AutonOpResultStruct<'static>] =
        Box::leak(Box::new([AutonOpResultStruct {
            uuid: s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            deployment_unit_ref: s("Device.SoftwareModules.DeploymentUnit.1."),
            version: s("1.0"),
            current_state: DuState::parse("Uninstalled"),
            resolved: true,
            execution_unit_ref_list: s(""),
            start_time: t(2026, 11, 21, 10, 0, 0),
            complete_time: DateTimeValue::UNKNOWN,
            fault: du_fault,
            operation_performed: OperationPerformed::parse("Uninstall"),
        }]));
    let spv_faults: &'static [SetParameterValuesFault<'static>] = Box::leak(Box::new([
        SetParameterValuesFault {
            parameter_name: s("Device.Time.NTPServer1"),
            fault_code: 9007,
            fault_string: Some(s("Invalid IP Address")),
        },
        SetParameterValuesFault {
            parameter_name: s("Device.Time.LocalTimeZoneName"),
            fault_code: 9008,
            fault_string: None,
        },
    ]));
    let fault_struct = FaultStruct {
        fault_code: 0.into(),
        fault_string: s(""),
    };
    let bodies: Vec<Body<'static>> = vec![
        GetRPCMethods {}.into(),
        GetRPCMethodsResponse {
            method_list: Array::new(&METHODS),
        }
        .into(),
        SetParameterValues {
            parameter_list: Array::new(&PARAMS[1..3]),
            parameter_key: s("pk-7"),
        }
        .into(),
        SetParameterValuesResponse { status: 0 }.into(),
        GetParameterValues {
            parameter_names: Array::new(&NAMES),
        }
        .into(),
        GetParameterValuesResponse {
            parameter_list: Array::new(&PARAMS),
        }
        .into(),
        GetParameterNames {
            parameter_path: s("Device."),
            next_level: true,
        }
        .into(),
        GetParameterNamesResponse {
            parameter_list: Array::new(pis),
        }
        .into(),
        SetParameterAttributes {
            parameter_list: Array::new(spa),
        }
        .into(),
        SetParameterAttributesResponse {}.into(),
        GetParameterAttributes {
            parameter_names: Array::new(&NAMES[..2]),
        }
        .into(),
        GetParameterAttributesResponse {
            parameter_list: Array::new(pas),
        }
        .into(),
        AddObject {
            object_name: s("Device.NAT.PortMapping."),
            parameter_key: s(""),
        }
        .into(),
        AddObjectResponse {
            instance_number: 3,
            status: 0,
        }
        .into(),
        DeleteObject {
            object_name: s("Device.NAT.PortMapping.3."),
            parameter_key: s("pk-8"),
        }
        .into(),
        DeleteObjectResponse { status: 1 }.into(),
        Download {
            command_key: s("fw-42"),
            file_type: DownloadFileType::parse("1 Firmware Upgrade Image"),
            url: s("http://acs.example.com/fw/v2.bin"),
            username: s(""),
            password: s(""),
            file_size: 7_340_032.into(),
            target_file_name: s(""),
            delay_seconds: 0,
            success_url: s(""),
            failure_url: s(""),
        }
        .into(),
        DownloadResponse {
            status: 1,
            start_time: DateTimeValue::UNKNOWN,
            complete_time: DateTimeValue::UNKNOWN,
        }
        .into(),
        Reboot {
            command_key: s("reboot-1"),
        }
        .into(),
        RebootResponse {}.into(),
        GetQueuedTransfers {}.into(),
        GetQueuedTransfersResponse {
            transfer_list: Array::new(qts),
        }
        .into(),
        ScheduleInform {
            delay_seconds: 60,
            command_key: s("later"),
        }
        .into(),
        ScheduleInformResponse {}.into(),
        SetVouchers {
            voucher_list: Array::new(&VOUCHERS),
        }
        .into(),
        SetVouchersResponse {}.into(),
        GetOptions { option_name: s("") }.into(),
        GetOptionsResponse {
            option_list: Array::new(options),
        }
        .into(),
        Upload {
            command_key: s("log-1"),
            file_type: UploadFileType::parse("4 Vendor Log File 1"),
            url: s("http://acs.example.com/upload"),
            username: s("u"),
            password: s("p"),
            delay_seconds: 5,
        }
        .into(),
        UploadResponse {
            status: 0,
            start_time: t(2026, 11, 21, 9, 0, 0),
            complete_time: t(2026, 11, 21, 9, 0, 3),
        }
        .into(),
        FactoryReset {}.into(),
        FactoryResetResponse {}.into(),
        GetAllQueuedTransfers {}.into(),
        GetAllQueuedTransfersResponse {
            transfer_list: Array::new(aqts),
        }
        .into(),
        ScheduleDownload {
            command_key: s("sd-1"),
            file_type: DownloadFileType::parse("1 Firmware Upgrade Image"),
            url: s("https://acs.example.com/fw.bin"),
            username: s(""),
            password: s(""),
            file_size: 0.into(),
            target_file_name: s(""),
            time_window_list: Array::new(windows),
        }
        .into(),
        ScheduleDownloadResponse {}.into(),
        CancelTransfer {
            command_key: s("sd-1"),
        }
        .into(),
        CancelTransferResponse {}.into(),
        ChangeDUState {
            operations: Repeated::new(ops),
            command_key: Some(s("du-1")),
        }
        .into(),
        ChangeDUStateResponse {}.into(),
        Inform {
            device_id: DeviceIdStruct {
                manufacturer: s("Acme"),
                oui: s("00D09E"),
                product_class: s("IGD"),
                serial_number: s("0123456789"),
            },
            event: Array::new(&EVENTS),
            max_envelopes: 1,
            current_time: DateTimeValue::Valid(
                DateTime::new(2026, 11, 21, 12, 30, 0)
                    .unwrap()
                    .with_offset(Offset::Minutes(60))
                    .unwrap(),
            ),
            retry_count: 0.into(),
            parameter_list: Array::new(&PARAMS),
        }
        .into(),
        InformResponse { max_envelopes: 1 }.into(),
        TransferComplete {
            command_key: s("fw-42"),
            fault_struct: fault_struct.clone(),
            start_time: t(2026, 11, 21, 8, 0, 0),
            complete_time: t(2026, 11, 21, 8, 1, 0),
        }
        .into(),
        TransferCompleteResponse {}.into(),
        AutonomousTransferComplete {
            announce_url: s(""),
            transfer_url: s("http://files.example.com/cfg.xml"),
            is_download: true,
            file_type: TransferFileType::parse("3 Vendor Configuration File"),
            file_size: 2048,
            target_file_name: s("cfg.xml"),
            fault_struct: FaultStruct {
                fault_code: 9016.into(),
                fault_string: s("Unable to access file"),
            },
            start_time: t(2026, 11, 21, 7, 0, 0),
            complete_time: t(2026, 11, 21, 7, 0, 1),
        }
        .into(),
        AutonomousTransferCompleteResponse {}.into(),
        Kicked {
            command: s("reset"),
            referer: s("http://portal"),
            arg: s("x=1"),
            next: s("http://portal/next"),
        }
        .into(),
        KickedResponse {
            next_url: s("http://portal/done"),
        }
        .into(),
        RequestDownload {
            file_type: RequestDownloadFileType::parse("2 Web Content"),
            file_type_arg: Array::new(&ARGS),
        }
        .into(),
        RequestDownloadResponse {}.into(),
        DUStateChangeComplete {
            results: Repeated::new(results),
            command_key: Some(s("du-1")),
        }
        .into(),
        DUStateChangeCompleteResponse {}.into(),
        AutonomousDUStateChangeComplete {
            results: Repeated::new(auton),
        }
        .into(),
        AutonomousDUStateChangeCompleteResponse {}.into(),
        Body::Fault(SoapFault {
            faultcode: s("Client"),
            faultstring: s("CWMP fault"),
            detail: CwmpFault {
                fault_code: 9003,
                fault_string: Some(s("Invalid arguments")),
                set_parameter_values_fault: Repeated::new(spv_faults),
            },
        }),
    ];
    bodies
        .into_iter()
        .map(|b| {
            let mut e = Envelope::new(CwmpNamespace::V1_2, b);
            e.header = header();
            e
        })
        .collect()
}
