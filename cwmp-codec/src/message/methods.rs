//! Every RPC of TR-069 Annex A, requests and responses, both directions (DIGEST §12).
//!
//! Each is the content of the Body's method element; its name is the type's name
//! (`Inform`, `InformResponse`, …), listed once in [`super::envelope`]'s method table.

use super::macros::cwmp_struct;
use super::operation::Operation;
use super::structs::*;
use crate::array::{Array, Repeated};
use crate::filetype::{
    DownloadFileType, RequestDownloadFileType, TransferFileType, UploadFileType,
};
use crate::value::{Base64, DateTimeValue, UnsignedIntValue};
use crate::xml::XmlStr;

// --- §A.3.1 Generic -----------------------------------------------------------------------

cwmp_struct! {
    /// GetRPCMethods (§A.3.1.1): either side asks which methods the other supports.
    pub struct GetRPCMethods {}
}
cwmp_struct! {
    /// GetRPCMethodsResponse (§A.3.1.1).
    pub struct GetRPCMethodsResponse<'a> {
        /// Supported methods, string(64)[].
        method_list: Array<'a, XmlStr<'a>> = "MethodList",
    }
}

// --- §A.3.2 Baseline methods the CPE implements ---------------------------------------------

cwmp_struct! {
    /// SetParameterValues (§A.3.2.1).
    pub struct SetParameterValues<'a> {
        /// Parameters to set; a duplicate name gets 9003.
        parameter_list: Array<'a, ParameterValueStruct<'a>> = "ParameterList",
        /// Stored if and only if the call succeeds, string(32).
        parameter_key: XmlStr<'a> = "ParameterKey",
    }
}
cwmp_struct! {
    /// SetParameterValuesResponse (§A.3.2.1).
    pub struct SetParameterValuesResponse {
        /// 0 applied; 1 committed, applied later.
        status: i32 = "Status",
    }
}
cwmp_struct! {
    /// GetParameterValues (§A.3.2.2).
    pub struct GetParameterValues<'a> {
        /// Full names, partial paths, `""` or wildcard paths, string(256)[].
        parameter_names: Array<'a, XmlStr<'a>> = "ParameterNames",
    }
}
cwmp_struct! {
    /// GetParameterValuesResponse (§A.3.2.2).
    pub struct GetParameterValuesResponse<'a> {
        /// The values.
        parameter_list: Array<'a, ParameterValueStruct<'a>> = "ParameterList",
    }
}
cwmp_struct! {
    /// GetParameterNames (§A.3.2.3).
    pub struct GetParameterNames<'a> {
        /// Full name, partial path or `""`, string(256).
        parameter_path: XmlStr<'a> = "ParameterPath",
        /// Direct children only.
        next_level: bool = "NextLevel",
    }
}
cwmp_struct! {
    /// GetParameterNamesResponse (§A.3.2.3).
    pub struct GetParameterNamesResponse<'a> {
        /// Names and writability.
        parameter_list: Array<'a, ParameterInfoStruct<'a>> = "ParameterList",
    }
}
cwmp_struct! {
    /// SetParameterAttributes (§A.3.2.4).
    pub struct SetParameterAttributes<'a> {
        /// Applied in order.
        parameter_list: Array<'a, SetParameterAttributesStruct<'a>> = "ParameterList",
    }
}
cwmp_struct! {
    /// SetParameterAttributesResponse (§A.3.2.4).
    pub struct SetParameterAttributesResponse {}
}
cwmp_struct! {
    /// GetParameterAttributes (§A.3.2.5).
    pub struct GetParameterAttributes<'a> {
        /// Names as for GetParameterValues, string(256)[].
        parameter_names: Array<'a, XmlStr<'a>> = "ParameterNames",
    }
}
cwmp_struct! {
    /// GetParameterAttributesResponse (§A.3.2.5).
    pub struct GetParameterAttributesResponse<'a> {
        /// Attributes, full names only.
        parameter_list: Array<'a, ParameterAttributeStruct<'a>> = "ParameterList",
    }
}
cwmp_struct! {
    /// AddObject (§A.3.2.6).
    pub struct AddObject<'a> {
        /// Path of the collection, ending in `.`, string(256).
        object_name: XmlStr<'a> = "ObjectName",
        /// string(32).
        parameter_key: XmlStr<'a> = "ParameterKey",
    }
}
cwmp_struct! {
    /// AddObjectResponse (§A.3.2.6).
    pub struct AddObjectResponse {
        /// The new instance's number, ≥ 1.
        instance_number: u32 = "InstanceNumber",
        /// 0 applied; 1 committed, applied later.
        status: i32 = "Status",
    }
}
cwmp_struct! {
    /// DeleteObject (§A.3.2.7).
    pub struct DeleteObject<'a> {
        /// Path of one instance, ending in `.`, string(256).
        object_name: XmlStr<'a> = "ObjectName",
        /// string(32).
        parameter_key: XmlStr<'a> = "ParameterKey",
    }
}
cwmp_struct! {
    /// DeleteObjectResponse (§A.3.2.7).
    pub struct DeleteObjectResponse {
        /// 0 applied; 1 committed, applied later.
        status: i32 = "Status",
    }
}
cwmp_struct! {
    /// Download (§A.3.2.8).
    pub struct Download<'a> {
        /// Returned in TransferComplete, string(32).
        command_key: XmlStr<'a> = "CommandKey",
        /// FileType, the Download list (DIGEST §17.10), string(64).
        file_type: DownloadFileType<'a> = "FileType",
        /// http or https URL without userinfo, string(256).
        url: XmlStr<'a> = "URL",
        /// Empty means no authentication, string(256).
        username: XmlStr<'a> = "Username",
        /// string(256).
        password: XmlStr<'a> = "Password",
        /// A hint, 0 = unknown; text that is not a number is kept as [`UnsignedIntValue::Invalid`]
        /// (a real ACS sends `<FileSize>foo`).
        file_size: UnsignedIntValue<'a> = "FileSize",
        /// string(256).
        target_file_name: XmlStr<'a> = "TargetFileName",
        /// Seconds before starting; non-zero means not in this Session.
        delay_seconds: u32 = "DelaySeconds",
        /// Browser redirect on success, string(256).
        success_url: XmlStr<'a> = "SuccessURL",
        /// Browser redirect on failure, string(256).
        failure_url: XmlStr<'a> = "FailureURL",
    }
}
cwmp_struct! {
    /// DownloadResponse (§A.3.2.8).
    pub struct DownloadResponse<'a> {
        /// 0 done and applied; 1 not yet (a TransferComplete follows).
        status: i32 = "Status",
        /// Unknown Time unless Status is 0.
        start_time: DateTimeValue<'a> = "StartTime",
        /// Unknown Time unless Status is 0.
        complete_time: DateTimeValue<'a> = "CompleteTime",
    }
}
cwmp_struct! {
    /// Reboot (§A.3.2.9).
    pub struct Reboot<'a> {
        /// Returned in `M Reboot`, string(32).
        command_key: XmlStr<'a> = "CommandKey",
    }
}
cwmp_struct! {
    /// RebootResponse (§A.3.2.9).
    pub struct RebootResponse {}
}

// --- §A.3.3 ACS methods the CPE calls --------------------------------------------------------

cwmp_struct! {
    /// Inform (§A.3.3.1): the first request of every Session.
    pub struct Inform<'a> {
        /// The device's identity.
        device_id: DeviceIdStruct<'a> = "DeviceId",
        /// Events, at most 64.
        event: Array<'a, EventStruct<'a>> = "Event",
        /// MUST be 1; ignored on receipt.
        max_envelopes: u32 = "MaxEnvelopes",
        /// Local time with offset.
        current_time: DateTimeValue<'a> = "CurrentTime",
        /// 0 if and only if the previous Session, if any, succeeded; a real CPE sends
        /// `<RetryCount/>`, kept as [`UnsignedIntValue::Invalid`].
        retry_count: UnsignedIntValue<'a> = "RetryCount",
        /// Forced Inform and changed notified Parameters.
        parameter_list: Array<'a, ParameterValueStruct<'a>> = "ParameterList",
    }
}
cwmp_struct! {
    /// InformResponse (§A.3.3.1).
    pub struct InformResponse {
        /// MUST be 1; ignored on receipt.
        max_envelopes: u32 = "MaxEnvelopes",
    }
}
cwmp_struct! {
    /// TransferComplete (§A.3.3.2).
    pub struct TransferComplete<'a> {
        /// CommandKey of the Download, Upload or ScheduleDownload, string(32).
        command_key: XmlStr<'a> = "CommandKey",
        /// FaultCode 0 on success.
        fault_struct: FaultStruct<'a> = "FaultStruct",
        /// Start of the transfer.
        start_time: DateTimeValue<'a> = "StartTime",
        /// End of the transfer (Unknown Time if not available).
        complete_time: DateTimeValue<'a> = "CompleteTime",
    }
}
cwmp_struct! {
    /// TransferCompleteResponse (§A.3.3.2).
    pub struct TransferCompleteResponse {}
}
cwmp_struct! {
    /// AutonomousTransferComplete (§A.3.3.3).
    pub struct AutonomousTransferComplete<'a> {
        /// Where the transfer was announced, string(1024).
        announce_url: XmlStr<'a> = "AnnounceURL",
        /// Where the file was transferred from or to, string(1024).
        transfer_url: XmlStr<'a> = "TransferURL",
        /// Download (true) or upload.
        is_download: bool = "IsDownload",
        /// FileType, the AutonomousTransferComplete list (DIGEST §17.10), string(64).
        file_type: TransferFileType<'a> = "FileType",
        /// Size in bytes.
        file_size: u32 = "FileSize",
        /// string(256).
        target_file_name: XmlStr<'a> = "TargetFileName",
        /// FaultCode 0 on success.
        fault_struct: FaultStruct<'a> = "FaultStruct",
        /// Start of the transfer.
        start_time: DateTimeValue<'a> = "StartTime",
        /// End of the transfer.
        complete_time: DateTimeValue<'a> = "CompleteTime",
    }
}
cwmp_struct! {
    /// AutonomousTransferCompleteResponse (§A.3.3.3).
    pub struct AutonomousTransferCompleteResponse {}
}

// --- §A.4.1 Optional CPE methods -------------------------------------------------------------

cwmp_struct! {
    /// GetQueuedTransfers (§A.4.1.1, DEPRECATED).
    pub struct GetQueuedTransfers {}
}
cwmp_struct! {
    /// GetQueuedTransfersResponse (§A.4.1.1).
    pub struct GetQueuedTransfersResponse<'a> {
        /// At most 16.
        transfer_list: Array<'a, QueuedTransferStruct<'a>> = "TransferList",
    }
}
cwmp_struct! {
    /// ScheduleInform (§A.4.1.2).
    pub struct ScheduleInform<'a> {
        /// Seconds from now, MUST be > 0.
        delay_seconds: u32 = "DelaySeconds",
        /// Returned in `M ScheduleInform`, string(32).
        command_key: XmlStr<'a> = "CommandKey",
    }
}
cwmp_struct! {
    /// ScheduleInformResponse (§A.4.1.2).
    pub struct ScheduleInformResponse {}
}
cwmp_struct! {
    /// SetVouchers (§A.4.1.3, DEPRECATED).
    pub struct SetVouchers<'a> {
        /// Signed vouchers, base64[].
        voucher_list: Array<'a, Base64<'a>> = "VoucherList",
    }
}
cwmp_struct! {
    /// SetVouchersResponse (§A.4.1.3).
    pub struct SetVouchersResponse {}
}
cwmp_struct! {
    /// GetOptions (§A.4.1.4, DEPRECATED).
    pub struct GetOptions<'a> {
        /// `""` for all, string(64).
        option_name: XmlStr<'a> = "OptionName",
    }
}
cwmp_struct! {
    /// GetOptionsResponse (§A.4.1.4).
    pub struct GetOptionsResponse<'a> {
        /// The options.
        option_list: Array<'a, OptionStruct<'a>> = "OptionList",
    }
}
cwmp_struct! {
    /// Upload (§A.4.1.5).
    pub struct Upload<'a> {
        /// Returned in TransferComplete, string(32).
        command_key: XmlStr<'a> = "CommandKey",
        /// FileType, the Upload list (DIGEST §17.10), string(64).
        file_type: UploadFileType<'a> = "FileType",
        /// Destination (HTTP PUT), string(256).
        url: XmlStr<'a> = "URL",
        /// string(256).
        username: XmlStr<'a> = "Username",
        /// string(256).
        password: XmlStr<'a> = "Password",
        /// Seconds before starting.
        delay_seconds: u32 = "DelaySeconds",
    }
}
cwmp_struct! {
    /// UploadResponse (§A.4.1.5).
    pub struct UploadResponse<'a> {
        /// 0 done; 1 not yet (a TransferComplete follows).
        status: i32 = "Status",
        /// Unknown Time unless complete.
        start_time: DateTimeValue<'a> = "StartTime",
        /// Unknown Time unless complete.
        complete_time: DateTimeValue<'a> = "CompleteTime",
    }
}
cwmp_struct! {
    /// FactoryReset (§A.4.1.6).
    pub struct FactoryReset {}
}
cwmp_struct! {
    /// FactoryResetResponse (§A.4.1.6).
    pub struct FactoryResetResponse {}
}
cwmp_struct! {
    /// GetAllQueuedTransfers (§A.4.1.7).
    pub struct GetAllQueuedTransfers {}
}
cwmp_struct! {
    /// GetAllQueuedTransfersResponse (§A.4.1.7).
    pub struct GetAllQueuedTransfersResponse<'a> {
        /// At most 16, autonomous transfers included.
        transfer_list: Array<'a, AllQueuedTransferStruct<'a>> = "TransferList",
    }
}
cwmp_struct! {
    /// ScheduleDownload (§A.4.1.8).
    pub struct ScheduleDownload<'a> {
        /// Returned in TransferComplete, string(32).
        command_key: XmlStr<'a> = "CommandKey",
        /// FileType, the Download list, string(64).
        file_type: DownloadFileType<'a> = "FileType",
        /// string(256).
        url: XmlStr<'a> = "URL",
        /// string(256).
        username: XmlStr<'a> = "Username",
        /// string(256).
        password: XmlStr<'a> = "Password",
        /// Size in bytes, 0 if unknown; as Download's, a non-number is kept as
        /// [`UnsignedIntValue::Invalid`].
        file_size: UnsignedIntValue<'a> = "FileSize",
        /// string(256).
        target_file_name: XmlStr<'a> = "TargetFileName",
        /// One or two windows.
        time_window_list: Array<'a, TimeWindowStruct<'a>> = "TimeWindowList",
    }
}
cwmp_struct! {
    /// ScheduleDownloadResponse (§A.4.1.8).
    pub struct ScheduleDownloadResponse {}
}
cwmp_struct! {
    /// CancelTransfer (§A.4.1.9).
    pub struct CancelTransfer<'a> {
        /// Of the transfers to cancel, string(32).
        command_key: XmlStr<'a> = "CommandKey",
    }
}
cwmp_struct! {
    /// CancelTransferResponse (§A.4.1.9).
    pub struct CancelTransferResponse {}
}
cwmp_struct! {
    /// ChangeDUState (§A.4.1.10).
    pub struct ChangeDUState<'a> {
        /// One or more operations, each with its `xsi:type`.
        operations: Repeated<'a, Operation<'a>> = "Operations",
        /// Returned in DUStateChangeComplete, string(32) (optional in the schema).
        command_key: Option<XmlStr<'a>> = "CommandKey",
    }
}
cwmp_struct! {
    /// ChangeDUStateResponse (§A.4.1.10).
    pub struct ChangeDUStateResponse {}
}

// --- §A.4.2 Optional ACS methods -------------------------------------------------------------

cwmp_struct! {
    /// Kicked (§A.4.2.1, DEPRECATED).
    pub struct Kicked<'a> {
        /// string(32).
        command: XmlStr<'a> = "Command",
        /// string(64).
        referer: XmlStr<'a> = "Referer",
        /// string(256).
        arg: XmlStr<'a> = "Arg",
        /// string(1024).
        next: XmlStr<'a> = "Next",
    }
}
cwmp_struct! {
    /// KickedResponse (§A.4.2.1).
    pub struct KickedResponse<'a> {
        /// Where to send the browser, string(1024).
        next_url: XmlStr<'a> = "NextURL",
    }
}
cwmp_struct! {
    /// RequestDownload (§A.4.2.2).
    pub struct RequestDownload<'a> {
        /// FileType, the RequestDownload list, string(64).
        file_type: RequestDownloadFileType<'a> = "FileType",
        /// Up to 16 arguments.
        file_type_arg: Array<'a, ArgStruct<'a>> = "FileTypeArg",
    }
}
cwmp_struct! {
    /// RequestDownloadResponse (§A.4.2.2).
    pub struct RequestDownloadResponse {}
}
cwmp_struct! {
    /// DUStateChangeComplete (§A.4.2.3).
    pub struct DUStateChangeComplete<'a> {
        /// One or more results, in request order.
        results: Repeated<'a, OpResultStruct<'a>> = "Results",
        /// The ChangeDUState's CommandKey (optional in the schema).
        command_key: Option<XmlStr<'a>> = "CommandKey",
    }
}
cwmp_struct! {
    /// DUStateChangeCompleteResponse (§A.4.2.3).
    pub struct DUStateChangeCompleteResponse {}
}
cwmp_struct! {
    /// AutonomousDUStateChangeComplete (§A.4.2.4).
    pub struct AutonomousDUStateChangeComplete<'a> {
        /// One or more results.
        results: Repeated<'a, AutonOpResultStruct<'a>> = "Results",
    }
}
cwmp_struct! {
    /// AutonomousDUStateChangeCompleteResponse (§A.4.2.4).
    pub struct AutonomousDUStateChangeCompleteResponse {}
}
