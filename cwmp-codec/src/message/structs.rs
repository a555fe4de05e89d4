//! The structs of TR-069 Annex A (DIGEST §11), fields in XSD sequence order.
//!
//! String lengths (`string(256)`, …) are the schema's; the decoder does not enforce them
//! (zero-copy: nothing is stored), the application applies them where it stores values, and
//! may answer fault 9003 (§A.2.1).

use super::macros::{array_item, cwmp_struct};
use crate::array::Array;
use crate::event::EventCode;
use crate::filetype::{DuState, OperationPerformed, TransferFileType, WindowMode};
use crate::value::{Base64, DateTimeValue, UnsignedIntValue, Value};
use crate::xml::XmlStr;

cwmp_struct! {
    /// A Parameter name and its value (§A.3.2.1, Table 17).
    pub struct ParameterValueStruct<'a> {
        /// Full Parameter name, string(256).
        name: XmlStr<'a> = "Name",
        /// The value with its `xsi:type`. `None` only when decoding a peer that left it out
        /// (INTEROP V2: recorded, not a failure); always written when present.
        value: Option<Value<'a>> = "Value",
    }
}

impl<'a> ParameterValueStruct<'a> {
    /// A Parameter name with its value.
    pub const fn new(name: &'a str, value: Value<'a>) -> Self {
        ParameterValueStruct {
            name: XmlStr::new(name),
            value: Some(value),
        }
    }
}

cwmp_struct! {
    /// A Parameter or object name and whether it is writable (§A.3.2.3, Table 22).
    pub struct ParameterInfoStruct<'a> {
        /// Parameter name, or partial path ending in `.` for an object, string(256).
        name: XmlStr<'a> = "Name",
        /// Writable (for an object: AddObject allowed; for an instance: DeleteObject allowed).
        writable: bool = "Writable",
    }
}

cwmp_struct! {
    /// One attribute change of SetParameterAttributes (§A.3.2.4, Table 25).
    pub struct SetParameterAttributesStruct<'a> {
        /// Full or partial path; `""` is the root. string(256).
        name: XmlStr<'a> = "Name",
        /// Whether `notification` is to be applied.
        notification_change: bool = "NotificationChange",
        /// Notification, `int[0:6]`.
        notification: i32 = "Notification",
        /// Whether `access_list` is to be applied.
        access_list_change: bool = "AccessListChange",
        /// Entities other than the ACS allowed to write (`Subscriber`), string(64)[].
        access_list: Array<'a, XmlStr<'a>> = "AccessList",
    }
}

cwmp_struct! {
    /// The attributes of one Parameter (§A.3.2.5, Table 28).
    pub struct ParameterAttributeStruct<'a> {
        /// Full Parameter name, string(256).
        name: XmlStr<'a> = "Name",
        /// Notification, `int[0:6]`.
        notification: i32 = "Notification",
        /// Entities other than the ACS allowed to write, string(64)[].
        access_list: Array<'a, XmlStr<'a>> = "AccessList",
    }
}

cwmp_struct! {
    /// The device's identity in an Inform (§A.3.3.1, Table 39).
    pub struct DeviceIdStruct<'a> {
        /// Manufacturer, string(64).
        manufacturer: XmlStr<'a> = "Manufacturer",
        /// Organizationally unique identifier: six upper-case hex digits.
        oui: XmlStr<'a> = "OUI",
        /// Product class, string(64); may be empty.
        product_class: XmlStr<'a> = "ProductClass",
        /// Serial number, string(64).
        serial_number: XmlStr<'a> = "SerialNumber",
    }
}

cwmp_struct! {
    /// One event of an Inform (§A.3.3.1, Table 40).
    pub struct EventStruct<'a> {
        /// The event code (Table 8).
        event_code: EventCode<'a> = "EventCode",
        /// The CommandKey of the originating RPC for M events, empty otherwise. string(32).
        command_key: XmlStr<'a> = "CommandKey",
    }
}

impl<'a> EventStruct<'a> {
    /// An event with its CommandKey.
    pub const fn new(event_code: EventCode<'a>, command_key: &'a str) -> Self {
        EventStruct {
            event_code,
            command_key: XmlStr::new(command_key),
        }
    }
}

cwmp_struct! {
    /// The fault of a TransferComplete or AutonomousTransferComplete (§A.3.3.2, Table 43).
    pub struct FaultStruct<'a> {
        /// 0 for success, or a fault code (9001, 9002, 9010–9020, vendor). A FaultCode that
        /// is not a number (`9010x`, `-9010`, `4294967296`, empty) is
        /// [`UnsignedIntValue::Invalid`], never 0: the receiver treats it as a failed transfer.
        fault_code: UnsignedIntValue<'a> = "FaultCode",
        /// Human-readable text, string(256); SHOULD be empty when the code is 0.
        fault_string: XmlStr<'a> = "FaultString",
    }
}

impl FaultStruct<'_> {
    /// Did the transfer succeed? Only a valid FaultCode 0 says so (§A.3.3.2, Table 43); any
    /// other code, and a FaultCode that is not a number ([`UnsignedIntValue::Invalid`]), is a
    /// failed transfer.
    pub const fn is_success(&self) -> bool {
        matches!(self.fault_code, UnsignedIntValue::Valid(0))
    }
}

cwmp_struct! {
    /// The fault of a deployment unit operation (§A.4.2.3, Table 81; XSD
    /// `DeploymentUnitFaultStruct`).
    pub struct DeploymentUnitFaultStruct<'a> {
        /// 0 for success, or a fault code.
        fault_code: u32 = "FaultCode",
        /// Human-readable text (optional in the schema).
        fault_string: Option<XmlStr<'a>> = "FaultString",
    }
}

cwmp_struct! {
    /// A transfer in GetQueuedTransfersResponse (§A.4.1.1, Table 48).
    pub struct QueuedTransferStruct<'a> {
        /// CommandKey of the transfer request, string(32).
        command_key: XmlStr<'a> = "CommandKey",
        /// 1 not yet started, 2 in progress, 3 completed and finishing cleanup.
        state: i32 = "State",
    }
}

cwmp_struct! {
    /// A transfer in GetAllQueuedTransfersResponse (§A.4.1.7, Table 62).
    pub struct AllQueuedTransferStruct<'a> {
        /// CommandKey, empty for autonomous transfers, string(32).
        command_key: XmlStr<'a> = "CommandKey",
        /// 1 not yet started, 2 in progress, 3 completed and finishing cleanup.
        state: i32 = "State",
        /// Download (true) or upload.
        is_download: bool = "IsDownload",
        /// FileType, the AutonomousTransferComplete list (DIGEST §17.10), string(64).
        file_type: TransferFileType<'a> = "FileType",
        /// Size in bytes, 0 if unknown.
        file_size: u32 = "FileSize",
        /// Target file name, string(256).
        target_file_name: XmlStr<'a> = "TargetFileName",
    }
}

cwmp_struct! {
    /// A time window of ScheduleDownload (§A.4.1.8, Table 65).
    pub struct TimeWindowStruct<'a> {
        /// Seconds after the request was received.
        window_start: u32 = "WindowStart",
        /// Seconds after the request was received.
        window_end: u32 = "WindowEnd",
        /// `1 At Any Time`, `2 Immediately`, `3 When Idle`, `4 Confirmation Needed`, vendor.
        window_mode: WindowMode<'a> = "WindowMode",
        /// Message for the user, string(256).
        user_message: XmlStr<'a> = "UserMessage",
        /// 0 no retries, -1 the CPE decides.
        max_retries: i32 = "MaxRetries",
    }
}

cwmp_struct! {
    /// An option in GetOptionsResponse (§A.4.1.4, Table 55; DEPRECATED).
    pub struct OptionStruct<'a> {
        /// Option name, string(64).
        option_name: XmlStr<'a> = "OptionName",
        /// Serial number of the voucher that set it.
        voucher_sn: u32 = "VoucherSN",
        /// Bit 0 enabled, bit 1 set up.
        state: u32 = "State",
        /// 0 disabled, 1 enabled with expiration, 2 enabled without.
        mode: i32 = "Mode",
        /// Start date.
        start_date: DateTimeValue<'a> = "StartDate",
        /// Expiration date (optional in the schema).
        expiration_date: Option<DateTimeValue<'a>> = "ExpirationDate",
        /// 0 or 1 (the schema's int; the prose says boolean).
        is_transferable: i32 = "IsTransferable",
    }
}

cwmp_struct! {
    /// A name and value argument (§A.4.2.2, Table 78).
    pub struct ArgStruct<'a> {
        /// Name, string(64).
        name: XmlStr<'a> = "Name",
        /// Value, string(256).
        value: XmlStr<'a> = "Value",
    }
}

cwmp_struct! {
    /// Install a deployment unit (§A.4.1.10, Table 71).
    pub struct InstallOpStruct<'a> {
        /// Where to get it, string(1024).
        url: XmlStr<'a> = "URL",
        /// UUID, string(36); absent means the CPE generates it.
        uuid: Option<XmlStr<'a>> = "UUID",
        /// Username for the file server, string(256).
        username: Option<XmlStr<'a>> = "Username",
        /// Password for the file server, string(256).
        password: Option<XmlStr<'a>> = "Password",
        /// Execution environment path, string(256); empty means the CPE chooses.
        execution_env_ref: Option<XmlStr<'a>> = "ExecutionEnvRef",
    }
}

cwmp_struct! {
    /// Update deployment units (§A.4.1.10, Table 72).
    pub struct UpdateOpStruct<'a> {
        /// UUID, string(36).
        uuid: Option<XmlStr<'a>> = "UUID",
        /// Version, string(32).
        version: Option<XmlStr<'a>> = "Version",
        /// URL, string(1024).
        url: Option<XmlStr<'a>> = "URL",
        /// Username, string(256).
        username: Option<XmlStr<'a>> = "Username",
        /// Password, string(256).
        password: Option<XmlStr<'a>> = "Password",
    }
}

cwmp_struct! {
    /// Uninstall a deployment unit (§A.4.1.10, Table 73).
    pub struct UninstallOpStruct<'a> {
        /// UUID, string(36).
        uuid: XmlStr<'a> = "UUID",
        /// Version, string(32); empty means all versions.
        version: Option<XmlStr<'a>> = "Version",
        /// Execution environment path; empty means all.
        execution_env_ref: Option<XmlStr<'a>> = "ExecutionEnvRef",
    }
}

cwmp_struct! {
    /// The result of one deployment unit operation (§A.4.2.3, Table 80).
    pub struct OpResultStruct<'a> {
        /// UUID, string(36).
        uuid: XmlStr<'a> = "UUID",
        /// Path of the DU instance, ending in `.`.
        deployment_unit_ref: XmlStr<'a> = "DeploymentUnitRef",
        /// Version, string(32).
        version: XmlStr<'a> = "Version",
        /// `Installed`, `Uninstalled` or `Failed`.
        current_state: DuState<'a> = "CurrentState",
        /// Whether the operation was resolved.
        resolved: bool = "Resolved",
        /// Comma-separated execution unit paths.
        execution_unit_ref_list: XmlStr<'a> = "ExecutionUnitRefList",
        /// Start time.
        start_time: DateTimeValue<'a> = "StartTime",
        /// Completion time (Unknown Time if not known).
        complete_time: DateTimeValue<'a> = "CompleteTime",
        /// The fault, FaultCode 0 on success.
        fault: DeploymentUnitFaultStruct<'a> = "Fault",
    }
}

cwmp_struct! {
    /// The result of an autonomous deployment unit operation (§A.4.2.4, Table 84).
    pub struct AutonOpResultStruct<'a> {
        /// UUID, string(36).
        uuid: XmlStr<'a> = "UUID",
        /// Path of the DU instance, ending in `.`.
        deployment_unit_ref: XmlStr<'a> = "DeploymentUnitRef",
        /// Version, string(32).
        version: XmlStr<'a> = "Version",
        /// `Installed`, `Uninstalled` or `Failed`.
        current_state: DuState<'a> = "CurrentState",
        /// Whether the operation was resolved.
        resolved: bool = "Resolved",
        /// Comma-separated execution unit paths.
        execution_unit_ref_list: XmlStr<'a> = "ExecutionUnitRefList",
        /// Start time.
        start_time: DateTimeValue<'a> = "StartTime",
        /// Completion time.
        complete_time: DateTimeValue<'a> = "CompleteTime",
        /// The fault, FaultCode 0 on success.
        fault: DeploymentUnitFaultStruct<'a> = "Fault",
        /// `Install`, `Update` or `Uninstall`.
        operation_performed: OperationPerformed<'a> = "OperationPerformed",
    }
}

// Schema maxima (`maxOccurs` in cwmp-1-2.xsd and later): 64 EventStruct (the Inform's Event,
// §A.3.3.1), 16 QueuedTransferStruct and AllQueuedTransferStruct (GetQueuedTransfersResponse,
// GetAllQueuedTransfersResponse), 2 TimeWindowStruct (ScheduleDownload), 16 ArgStruct
// (FileTypeArg); members beyond them are decoded and reported (`DecodeErrorKind::TooManyItems`
// in `schema_deviation`).
array_item! {
    ParameterValueStruct<'a> => "ParameterValueStruct", "cwmp:ParameterValueStruct";
    ParameterInfoStruct<'a> => "ParameterInfoStruct", "cwmp:ParameterInfoStruct";
    SetParameterAttributesStruct<'a> => "SetParameterAttributesStruct", "cwmp:SetParameterAttributesStruct";
    ParameterAttributeStruct<'a> => "ParameterAttributeStruct", "cwmp:ParameterAttributeStruct";
    EventStruct<'a> => "EventStruct", "cwmp:EventStruct", max 64;
    QueuedTransferStruct<'a> => "QueuedTransferStruct", "cwmp:QueuedTransferStruct", max 16;
    AllQueuedTransferStruct<'a> => "AllQueuedTransferStruct", "cwmp:AllQueuedTransferStruct", max 16;
    TimeWindowStruct<'a> => "TimeWindowStruct", "cwmp:TimeWindowStruct", max 2;
    OptionStruct<'a> => "OptionStruct", "cwmp:OptionStruct";
    ArgStruct<'a> => "ArgStruct", "cwmp:ArgStruct", max 16;
    XmlStr<'a> => "string", "xsd:string";
    Base64<'a> => "base64", "soap-enc:base64";
}
