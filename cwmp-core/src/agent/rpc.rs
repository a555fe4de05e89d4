//! [`Agent::answer`]: every CPE-side RPC answered from the model and the machine, with the
//! semantics and fault codes of Annex A (§A.3.2, §A.4.1, Table 87). What each arm does is
//! documented at the arm, with its section.

use cwmp_codec::message::{
    AddObjectResponse, AllQueuedTransferStruct, CancelTransferResponse, DeleteObjectResponse,
    DownloadResponse, FactoryResetResponse, GetAllQueuedTransfersResponse,
    GetParameterAttributesResponse, GetParameterNamesResponse, GetParameterValuesResponse,
    GetQueuedTransfersResponse, GetRPCMethodsResponse, ParameterValueStruct, QueuedTransferStruct,
    RebootResponse, ScheduleDownloadResponse, ScheduleInformResponse,
    SetParameterAttributesResponse, SetParameterValuesFault, SetParameterValuesResponse, SoapFault,
    UploadResponse,
};
use cwmp_codec::{
    Array, Body, DateTimeValue, FaultCode, ItemSource, Repeated, TransferFileType, Value,
    WindowMode, XmlStr,
};
use embedded_io::Write;

use super::model::{DataModel, TransferRequest, AGENT_IDS, MAX_DEPTH};
use super::notify::Attribute;
use super::sources::{AttributeWalk, Mode, Walk, VALUE_SCRATCH};
use super::walk::{resolve, Name, Resolved, Target, Tree, Walker};
use super::{values, Agent};
use crate::cpe::{AcsRequest, Cpe, SendError, Transmit};

use crate::time::Instant;
use crate::transfer::TransferKind;

/// The FaultString written for each code (Table 87's meaning).
pub fn fault_string(code: u32) -> &'static str {
    match code {
        9000 => "Method not supported",
        9001 => "Request denied",
        9002 => "Internal error",
        9003 => "Invalid arguments",
        9004 => "Resources exceeded",
        9005 => "Invalid parameter name",
        9006 => "Invalid parameter type",
        9007 => "Invalid parameter value",
        9008 => "Attempt to set a non-writable parameter",
        9009 => "Notification request rejected",
        9010 => "Download failure",
        9011 => "Upload failure",
        9012 => "File transfer server authentication failure",
        9013 => "Unsupported protocol for file transfer",
        9021 => "Cancelation of file transfer not permitted in current transfer state",
        _ => "CWMP fault",
    }
}

type Answer<E> = Result<Transmit, SendError<E>>;

fn fault<W: Write, const E: usize, const T: usize, const S: usize>(
    cpe: &mut Cpe<E, T, S>,
    now: Instant,
    code: FaultCode,
    w: &mut W,
) -> Answer<W::Error> {
    cpe.respond(
        now,
        Body::Fault(SoapFault::new(code.0, fault_string(code.0))),
        w,
    )
}

/// Responds with `body` (the fallback to 9002 for a body that cannot be encoded is in
/// [`Agent::answer`]).
fn reply<'b, W: Write, const E: usize, const T: usize, const S: usize>(
    cpe: &'b mut Cpe<E, T, S>,
    now: Instant,
    body: Body<'b>,
    w: &mut W,
) -> Answer<W::Error> {
    cpe.respond(now, body, w)
}

/// Unescaped text of at most `N` bytes, or `None`.
fn text<const N: usize>(x: &XmlStr<'_>) -> Option<heapless::String<N>> {
    let mut buf = [0u8; 256];
    let s = x.unescape_into(&mut buf).ok()?;
    crate::limits::bounded(s)
}

/// A key of a request (`CommandKey`, `ParameterKey`: string(32)): 9003 if longer.
fn key(x: &XmlStr<'_>) -> Result<crate::limits::CommandKey, FaultCode> {
    text::<32>(x).ok_or(FaultCode::INVALID_ARGUMENTS)
}

/// §A.3.2.8 / §A.4.1.5: http or https (9013 otherwise), no userinfo (9003).
fn check_url(url: &str) -> Result<(), FaultCode> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or(FaultCode::UNSUPPORTED_PROTOCOL_FOR_FILE_TRANSFER)?;
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') || authority.is_empty() {
        return Err(FaultCode::INVALID_ARGUMENTS);
    }
    Ok(())
}

/// SetParameterValues phase 1 for one entry (§A.3.2.1): the Parameter exists (9005), is
/// writable (9008), the value has its type (9006) and range (9007, §A.2.1), and the model
/// (or the agent, for `ManagementServer.`) accepts it.
fn check_entry<'v, M: DataModel + ?Sized>(
    tree: &Tree<'_, M>,
    p: &ParameterValueStruct<'v>,
) -> Result<(Resolved, Value<'v>), FaultCode> {
    let name = p.name.as_str().ok_or(FaultCode::INVALID_PARAMETER_NAME)?;
    let r = resolve(tree, name)?;
    let param = match (r.target, r.node.param()) {
        (Target::Parameter, Some(p)) => p,
        _ => return Err(FaultCode::INVALID_PARAMETER_NAME),
    };
    if !param.writable {
        return Err(FaultCode::ATTEMPT_TO_SET_NON_WRITABLE_PARAMETER);
    }
    let value = p.value.as_ref().ok_or(FaultCode::INVALID_PARAMETER_VALUE)?;
    let v = values::check(&param.ty, value)?;
    if r.node.id >= AGENT_IDS {
        tree.ms.check(r.node, &v)?;
    } else {
        tree.model.check(r.node, &r.inst, &v)?;
    }
    Ok((r, v))
}

/// The per-Parameter faults of a failed SetParameterValues, one per bad entry, computed again
/// for each item (§A.5.1: every Parameter in error is listed).
struct SpvFaults<'t, 'l, 'r, M: ?Sized> {
    tree: Tree<'t, M>,
    list: &'l Array<'r, ParameterValueStruct<'r>>,
    len: usize,
}

impl<'x, 'r: 'x, M: DataModel + ?Sized> ItemSource<SetParameterValuesFault<'x>>
    for SpvFaults<'_, '_, 'r, M>
{
    fn len(&self) -> usize {
        self.len
    }
    fn get(&self, index: usize) -> Option<SetParameterValuesFault<'x>> {
        let (name, code) = self
            .list
            .iter()
            .filter_map(|p| check_entry(&self.tree, &p).err().map(|c| (p.name, c)))
            .nth(index)?;
        Some(SetParameterValuesFault {
            parameter_name: name,
            fault_code: code.0,
            fault_string: Some(XmlStr::new(fault_string(code.0))),
        })
    }
}

/// The instance count of a table (for the 9004 limit of AddObject).
fn instances<M: DataModel + ?Sized>(tree: &Tree<'_, M>, r: &Resolved) -> usize {
    let mut n = 0usize;
    while tree.instance(r.node, &r.inst, n).is_some() {
        n = n.saturating_add(1);
    }
    n
}

impl<const A: usize, const P: usize> Agent<A, P> {
    /// Answers the ACS request (§3.7.1.2) from `model` and the machine, through
    /// [`Cpe::respond`] into `w` (streamed: any response size fits a small `w`). Faults are
    /// answers too (`Ok`).
    ///
    /// # Errors
    ///
    /// What [`Cpe::respond`] returns ([`SendError::Write`] when `w` fails); a write error
    /// leaves the request unanswered, and a SetParameterValues, AddObject, DeleteObject or
    /// SetParameterAttributes it carried already applied. Never panics.
    pub fn answer<
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        request: &AcsRequest<'_>,
        w: &mut W,
    ) -> Answer<W::Error> {
        match self.answer_body(now, cpe, model, request.body(), w) {
            // A source that changed under the encoder (a value gone between the two passes).
            Err(SendError::Encode) => fault(cpe, now, FaultCode::INTERNAL_ERROR, w),
            r => r,
        }
    }

    // Each answer below is its own function, out of line (issue 12, stack): in one function,
    // the RPCs' locals (walks, queue listings, transfer requests, responses) were reserved in
    // its frame all at once, 5 KiB; apart, the deepest answer is one RPC's.
    /// The answer to GetRPCMethods; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_get_rpc_methods<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        let list = rpc_methods(caps);
        reply(
            cpe,
            now,
            GetRPCMethodsResponse {
                method_list: Array::new(&list),
            }
            .into(),
            w,
        )
    }

    /// The answer to GetParameterValues; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_get_parameter_values<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::GetParameterValues<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        let tree = Tree {
            model: &*model,
            ms: &self.ms,
        };
        // §A.3.2.2: a name that matches nothing is 9005, not 9003.
        for n in req.parameter_names.iter() {
            if let Err(c) = resolve(&tree, n.as_str().unwrap_or("\u{0}")) {
                return fault(cpe, now, c, w);
            }
        }
        match Walk::new(tree, &req.parameter_names, Mode::Parameters) {
            Ok(walk) => reply(
                cpe,
                now,
                GetParameterValuesResponse {
                    parameter_list: Array::from_lending(&walk),
                }
                .into(),
                w,
            ),
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to GetParameterNames; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_get_parameter_names<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::GetParameterNames<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        let tree = Tree {
            model: &*model,
            ms: &self.ms,
        };
        let path = req.parameter_path.as_str().unwrap_or("\u{0}");
        match resolve(&tree, path) {
            Err(c) => return fault(cpe, now, c, w),
            // §A.3.2.3: NextLevel=true on a Parameter is 9003.
            Ok(r) if r.target == Target::Parameter && req.next_level => {
                return fault(cpe, now, FaultCode::INVALID_ARGUMENTS, w)
            }
            Ok(_) => {}
        }
        let one = [req.parameter_path];
        let names: Array<'_, XmlStr<'_>> = Array::new(&one);
        let mode = Mode::Names {
            next_level: req.next_level,
        };
        match Walk::new(tree, &names, mode) {
            Ok(walk) => reply(
                cpe,
                now,
                GetParameterNamesResponse {
                    parameter_list: Array::from_lending(&walk),
                }
                .into(),
                w,
            ),
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to GetParameterAttributes; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_get_parameter_attributes<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::GetParameterAttributes<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        let tree = Tree {
            model: &*model,
            ms: &self.ms,
        };
        for n in req.parameter_names.iter() {
            if let Err(c) = resolve(&tree, n.as_str().unwrap_or("\u{0}")) {
                return fault(cpe, now, c, w);
            }
        }
        match Walk::new(tree, &req.parameter_names, Mode::Parameters) {
            Ok(walk) => {
                let src = AttributeWalk {
                    walk,
                    attrs: &self.attrs,
                };
                reply(
                    cpe,
                    now,
                    GetParameterAttributesResponse {
                        parameter_list: Array::from_lending(&src),
                    }
                    .into(),
                    w,
                )
            }
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to SetParameterAttributes; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_set_parameter_attributes<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::SetParameterAttributes<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        match self.set_parameter_attributes(&*model, &req.parameter_list) {
            Ok(()) => reply(cpe, now, SetParameterAttributesResponse {}.into(), w),
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to AddObject; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_add_object<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::AddObject<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        match self.add_object(now, cpe, model, &req.object_name, &req.parameter_key) {
            Ok(n) => reply(
                cpe,
                now,
                AddObjectResponse {
                    instance_number: n,
                    status: 0,
                }
                .into(),
                w,
            ),
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to DeleteObject; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_delete_object<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::DeleteObject<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        {
            match self.delete_object(now, cpe, model, &req.object_name, &req.parameter_key) {
                Ok(()) => reply(cpe, now, DeleteObjectResponse { status: 0 }.into(), w),
                Err(c) => fault(cpe, now, c, w),
            }
        }
        // §A.3.2.9: one reboot after the Session, an `M Reboot` per call.
    }

    /// The answer to Reboot; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_reboot<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::Reboot<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        match key(&req.command_key) {
            Ok(k) => {
                cpe.request_reboot(now, &k);
                reply(cpe, now, RebootResponse {}.into(), w)
            }
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to FactoryReset; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_factory_reset<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        {
            model.factory_reset();
            cpe.request_factory_reset(now);
            reply(cpe, now, FactoryResetResponse {}.into(), w)
        }
        // §A.4.1.2: DelaySeconds > 0 (9003), the queue (9004).
    }

    /// The answer to ScheduleInform; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_schedule_inform<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::ScheduleInform<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        let r = key(&req.command_key).and_then(|k| {
            cpe.schedule_inform(now, req.delay_seconds, &k)
                .map_err(|e| FaultCode(e.fault_code()))
        });
        match r {
            Ok(()) => reply(cpe, now, ScheduleInformResponse {}.into(), w),
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to Download; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_download<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::Download<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        // FileSize that is not an unsignedInt (strict numbers): 9003, never 0.
        let Some(file_size) = req.file_size.valid() else {
            return fault(cpe, now, FaultCode::INVALID_ARGUMENTS, w);
        };
        let r = TransferRequest {
            kind: TransferKind::Download,
            command_key: req.command_key,
            file_type: XmlStr::new(req.file_type.as_str()),
            url: req.url,
            username: req.username,
            password: req.password,
            file_size,
            delay_seconds: req.delay_seconds,
        };
        match transfer(now, cpe, model, &r) {
            // §A.3.2.8: Status 1, times Unknown unless Status 0.
            Ok(()) => reply(
                cpe,
                now,
                DownloadResponse {
                    status: 1,
                    start_time: DateTimeValue::UNKNOWN,
                    complete_time: DateTimeValue::UNKNOWN,
                }
                .into(),
                w,
            ),
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to Upload; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_upload<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::Upload<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        let file_type: heapless::String<64> = crate::limits::truncated(&{
            let mut s = heapless::String::<64>::new();
            let _ = core::fmt::write(&mut s, format_args!("{}", req.file_type));
            s
        });
        let r = TransferRequest {
            kind: TransferKind::Upload,
            command_key: req.command_key,
            file_type: XmlStr::new(&file_type),
            url: req.url,
            username: req.username,
            password: req.password,
            file_size: 0,
            delay_seconds: req.delay_seconds,
        };
        match transfer(now, cpe, model, &r) {
            Ok(()) => reply(
                cpe,
                now,
                UploadResponse {
                    status: 1,
                    start_time: DateTimeValue::UNKNOWN,
                    complete_time: DateTimeValue::UNKNOWN,
                }
                .into(),
                w,
            ),
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to ScheduleDownload; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_schedule_download<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::ScheduleDownload<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        {
            // §A.4.1.8: one or two windows, not overlapping, modes 1–3 (9003).
            let windows: heapless::Vec<_, 3> = req.time_window_list.iter().take(3).collect();
            let valid = matches!(windows.len(), 1 | 2)
                && windows.iter().all(|t| {
                    t.window_end > t.window_start
                        && matches!(
                            t.window_mode,
                            WindowMode::AtAnyTime | WindowMode::Immediately | WindowMode::WhenIdle
                        )
                })
                && match (windows.first(), windows.get(1)) {
                    (Some(a), Some(b)) => b.window_start >= a.window_end,
                    _ => true,
                };
            if !valid {
                return fault(cpe, now, FaultCode::INVALID_ARGUMENTS, w);
            }
            let Some(file_size) = req.file_size.valid() else {
                return fault(cpe, now, FaultCode::INVALID_ARGUMENTS, w);
            };
            let r = TransferRequest {
                kind: TransferKind::ScheduleDownload,
                command_key: req.command_key,
                file_type: XmlStr::new(req.file_type.as_str()),
                url: req.url,
                username: req.username,
                password: req.password,
                file_size,
                delay_seconds: windows.first().map_or(0, |t| t.window_start),
            };
            match transfer(now, cpe, model, &r) {
                Ok(()) => reply(cpe, now, ScheduleDownloadResponse {}.into(), w),
                Err(c) => fault(cpe, now, c, w),
            }
        }
        // §A.4.1.9: an unknown CommandKey is not an error; 9021 if any could not go.
    }

    /// The answer to CancelTransfer; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_cancel_transfer<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        req: &cwmp_codec::message::CancelTransfer<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        match key(&req.command_key) {
            Ok(k) => match cpe.cancel_transfer(now, &k).fault_code() {
                Some(c) => fault(cpe, now, FaultCode(c), w),
                None => reply(cpe, now, CancelTransferResponse {}.into(), w),
            },
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to GetQueuedTransfers; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_get_queued_transfers<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        let q = queued(cpe);
        let list: heapless::Vec<QueuedTransferStruct<'_>, T> = q
            .iter()
            .map(|t| QueuedTransferStruct {
                command_key: XmlStr::new(&t.0),
                state: t.2,
            })
            .collect();
        reply(
            cpe,
            now,
            GetQueuedTransfersResponse {
                transfer_list: Array::new(&list),
            }
            .into(),
            w,
        )
    }

    /// The answer to GetAllQueuedTransfers; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_get_all_queued_transfers<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        let q = queued(cpe);
        let list: heapless::Vec<AllQueuedTransferStruct<'_>, T> = q
            .iter()
            .map(|t| AllQueuedTransferStruct {
                command_key: XmlStr::new(&t.0),
                state: t.2,
                is_download: t.3,
                file_type: TransferFileType::parse(&t.1),
                file_size: 0,
                target_file_name: XmlStr::EMPTY,
            })
            .collect();
        reply(
            cpe,
            now,
            GetAllQueuedTransfersResponse {
                transfer_list: Array::new(&list),
            }
            .into(),
            w,
        )
    }

    /// The answer to ChangeDUState (and the other methods the model answers itself); see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_other<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        match model.other_rpc(body) {
            Ok(b) => reply(cpe, now, b, w),
            Err(c) => fault(cpe, now, c, w),
        }
    }

    /// The answer to Unknown; see `answer_body`.
    #[inline(never)]
    #[allow(clippy::too_many_arguments, unused_variables)]
    fn rpc_unknown<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        caps: &super::model::Capabilities,
        body: &Body<'r>,
        u: &cwmp_codec::message::UnknownMethod<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        match model.other_rpc(body) {
            Ok(b) => reply(cpe, now, b, w),
            Err(c) => fault(cpe, now, c, w),
        }
    }

    fn answer_body<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        body: &Body<'r>,
        w: &mut W,
    ) -> Answer<W::Error> {
        let caps = model.capabilities();
        match body {
            // §A.3.1.1: exactly the methods this CPE answers.
            Body::GetRPCMethods(_) => self.rpc_get_rpc_methods(now, cpe, model, &caps, body, w),
            Body::GetParameterValues(req) => {
                self.rpc_get_parameter_values(now, cpe, model, &caps, body, req, w)
            }
            Body::GetParameterNames(req) => {
                self.rpc_get_parameter_names(now, cpe, model, &caps, body, req, w)
            }
            Body::GetParameterAttributes(req) => {
                self.rpc_get_parameter_attributes(now, cpe, model, &caps, body, req, w)
            }
            Body::SetParameterValues(req) => self.set_parameter_values(
                now,
                cpe,
                model,
                &req.parameter_list,
                &req.parameter_key,
                w,
            ),
            Body::SetParameterAttributes(req) => {
                self.rpc_set_parameter_attributes(now, cpe, model, &caps, body, req, w)
            }
            Body::AddObject(req) => self.rpc_add_object(now, cpe, model, &caps, body, req, w),
            Body::DeleteObject(req) => self.rpc_delete_object(now, cpe, model, &caps, body, req, w),
            Body::Reboot(req) => self.rpc_reboot(now, cpe, model, &caps, body, req, w),
            // §A.4.1.6: after the Session completes.
            Body::FactoryReset(_) if caps.factory_reset => {
                self.rpc_factory_reset(now, cpe, model, &caps, body, w)
            }
            Body::ScheduleInform(req) => {
                self.rpc_schedule_inform(now, cpe, model, &caps, body, req, w)
            }
            Body::Download(req) if caps.download => {
                self.rpc_download(now, cpe, model, &caps, body, req, w)
            }
            Body::Upload(req) if caps.upload => {
                self.rpc_upload(now, cpe, model, &caps, body, req, w)
            }
            Body::ScheduleDownload(req) if caps.schedule_download => {
                self.rpc_schedule_download(now, cpe, model, &caps, body, req, w)
            }
            Body::CancelTransfer(req) if caps.transfers() => {
                self.rpc_cancel_transfer(now, cpe, model, &caps, body, req, w)
            }
            Body::GetQueuedTransfers(_) if caps.transfers() => {
                self.rpc_get_queued_transfers(now, cpe, model, &caps, body, w)
            }
            Body::GetAllQueuedTransfers(_) if caps.transfers() => {
                self.rpc_get_all_queued_transfers(now, cpe, model, &caps, body, w)
            }
            Body::ChangeDUState(_) | Body::SetVouchers(_) | Body::GetOptions(_)
                if matches!(body, Body::ChangeDUState(_)) && caps.change_du_state
                    || !matches!(body, Body::ChangeDUState(_)) && caps.vouchers =>
            {
                self.rpc_other(now, cpe, model, &caps, body, w)
            }
            Body::Unknown(u) if caps.vendor_methods.contains(&u.name) => {
                self.rpc_unknown(now, cpe, model, &caps, body, u, w)
            }
            // Table 5, fn6: anything else is 9000.
            _ => fault(cpe, now, FaultCode::METHOD_NOT_SUPPORTED, w),
        }
    }

    fn set_parameter_values<
        'r,
        M: DataModel + ?Sized,
        W: Write,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        list: &Array<'r, ParameterValueStruct<'r>>,
        parameter_key: &XmlStr<'_>,
        w: &mut W,
    ) -> Answer<W::Error> {
        // §A.3.2.1: a duplicate name is 9003; ParameterKey is string(32).
        for (i, p) in list.iter().enumerate() {
            if list.iter().take(i).any(|q| q.name == p.name) {
                return fault(cpe, now, FaultCode::INVALID_ARGUMENTS, w);
            }
        }
        let Ok(pk) = key(parameter_key) else {
            return fault(cpe, now, FaultCode::INVALID_ARGUMENTS, w);
        };
        // Phase 1: every entry checked, nothing changed; every bad one listed under 9003.
        let bad = {
            let tree = Tree {
                model: &*model,
                ms: &self.ms,
            };
            list.iter()
                .filter(|p| check_entry(&tree, p).is_err())
                .count()
        };
        if bad > 0 {
            let faults = SpvFaults {
                tree: Tree {
                    model: &*model,
                    ms: &self.ms,
                },
                list,
                len: bad,
            };
            let mut f = SoapFault::new(9003, fault_string(9003));
            f.detail.set_parameter_values_fault = Repeated::from_source(&faults);
            return reply(cpe, now, Body::Fault(f), w);
        }
        // Phase 2: commit.
        let mut ms_changed = 0u32;
        for p in list.iter() {
            let checked = {
                let tree = Tree {
                    model: &*model,
                    ms: &self.ms,
                };
                check_entry(&tree, &p)
            };
            let Ok((r, v)) = checked else { continue };
            if r.node.id >= AGENT_IDS {
                if let Some(id) = self.ms.set(r.node, &v) {
                    ms_changed |= super::management::Management::bit(id);
                }
            } else {
                model.set(r.node, &r.inst, &v);
            }
            // The ACS's own change is not notified (§3.2.1): the new value is the baseline.
            if let Some(name) = p.name.as_str() {
                let tree = Tree {
                    model: &*model,
                    ms: &self.ms,
                };
                let mut scratch = [0u8; VALUE_SCRATCH];
                let fp = tree
                    .get(r.node, &r.inst, &mut scratch)
                    .map(|v| values::fingerprint(&v));
                if let Some(a) = self.attrs.get_mut(name) {
                    a.fingerprint = fp;
                }
            }
        }
        self.ms.parameter_key = crate::limits::truncated(&pk);
        let _ = cpe.set_parameter_key(now, &pk);
        self.ms.apply(ms_changed, now, cpe);
        if ms_changed & super::management::Management::stun_bits() != 0 {
            self.stun.configure(now, self.ms.stun_config());
        }
        self.bump();
        reply(cpe, now, SetParameterValuesResponse { status: 0 }.into(), w)
    }

    /// §A.3.2.4: validated whole (9005, 9003 for 3–6 without LWN and out of range, 9009, 9004
    /// when the table cannot hold it), then applied in array order.
    pub(crate) fn set_parameter_attributes<'r, M: DataModel + ?Sized>(
        &mut self,
        model: &M,
        list: &Array<'r, cwmp_codec::message::SetParameterAttributesStruct<'r>>,
    ) -> Result<(), FaultCode> {
        let Agent { ms, attrs, .. } = self;
        let tree = Tree { model, ms: &*ms };
        // Two passes (nothing is changed unless every struct is valid and they all fit), each
        // struct's work in out-of-line functions: the walker, the attribute copies and the
        // value scratch of one struct are on the stack at a time, not those of both passes
        // beside the list's iterator (this frame was 3,048 B on thumbv7em, issue 12).
        let mut needed = 0usize;
        for s in list.iter() {
            needed = needed.saturating_add(spa_check(&tree, attrs, &s)?);
        }
        if !attrs.has_room(needed) {
            return Err(FaultCode::RESOURCES_EXCEEDED);
        }
        for s in list.iter() {
            spa_apply(&tree, attrs, &s);
        }
        self.bump();
        Ok(())
    }

    /// §A.3.2.6: a multi-instance object's name ending in `.` (9005 otherwise), 9004 over its
    /// limit; the ParameterKey is stored only on success.
    pub(crate) fn add_object<
        M: DataModel + ?Sized,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        object: &XmlStr<'_>,
        parameter_key: &XmlStr<'_>,
    ) -> Result<u32, FaultCode> {
        let pk = key(parameter_key)?;
        let name = object.as_str().ok_or(FaultCode::INVALID_PARAMETER_NAME)?;
        let (r, count) = {
            let tree = Tree {
                model: &*model,
                ms: &self.ms,
            };
            let r = resolve(&tree, name)?;
            let count = instances(&tree, &r);
            (r, count)
        };
        let table = match (r.target, r.node.table_info()) {
            (Target::Table, Some(t)) => *t,
            _ => return Err(FaultCode::INVALID_PARAMETER_NAME),
        };
        if !table.writable {
            return Err(FaultCode::REQUEST_DENIED);
        }
        if table.max_instances > 0 && count >= table.max_instances as usize {
            return Err(FaultCode::RESOURCES_EXCEEDED);
        }
        let n = model.add_instance(r.node, &r.inst)?;
        self.ms.parameter_key = crate::limits::truncated(&pk);
        let _ = cpe.set_parameter_key(now, &pk);
        let mut prefix = Name::new();
        let _ = core::fmt::write(&mut prefix, format_args!("{name}{n}."));
        self.track_defaults(&*model, &prefix);
        self.bump();
        Ok(n)
    }

    /// §A.3.2.7: exactly one existing instance (9005 otherwise); its attributes and pending
    /// changes die with it (§A.3.2.4).
    pub(crate) fn delete_object<
        M: DataModel + ?Sized,
        const E: usize,
        const T: usize,
        const S: usize,
    >(
        &mut self,
        now: Instant,
        cpe: &mut Cpe<E, T, S>,
        model: &mut M,
        object: &XmlStr<'_>,
        parameter_key: &XmlStr<'_>,
    ) -> Result<(), FaultCode> {
        let pk = key(parameter_key)?;
        let name = object.as_str().ok_or(FaultCode::INVALID_PARAMETER_NAME)?;
        let r = resolve(
            &Tree {
                model: &*model,
                ms: &self.ms,
            },
            name,
        )?;
        let table = match (r.target, r.node.table_info()) {
            (Target::Instance, Some(t)) => *t,
            _ => return Err(FaultCode::INVALID_PARAMETER_NAME),
        };
        if !table.writable {
            return Err(FaultCode::REQUEST_DENIED);
        }
        model.delete_instance(r.node, &r.inst)?;
        self.attrs.remove_under(name);
        self.pending.remove_under(name);
        self.ms.parameter_key = crate::limits::truncated(&pk);
        let _ = cpe.set_parameter_key(now, &pk);
        self.bump();
        Ok(())
    }
}

/// Download, Upload, ScheduleDownload: checked, offered to the model, queued (9004 full).
fn transfer<M: DataModel + ?Sized, const E: usize, const T: usize, const S: usize>(
    now: Instant,
    cpe: &mut Cpe<E, T, S>,
    model: &mut M,
    r: &TransferRequest<'_>,
) -> Result<(), FaultCode> {
    let k = key(&r.command_key)?;
    let url = text::<256>(&r.url).ok_or(FaultCode::INVALID_ARGUMENTS)?;
    check_url(&url)?;
    let file_type = text::<64>(&r.file_type).ok_or(FaultCode::INVALID_ARGUMENTS)?;
    if cpe.transfers().queued().count() >= T {
        return Err(FaultCode::RESOURCES_EXCEEDED);
    }
    model.accept_transfer(r)?;
    let id = cpe
        .queue_transfer(now, r.kind, &k, &file_type, r.delay_seconds)
        .map_err(|e| FaultCode(e.fault_code().unwrap_or(9002)))?;
    model.transfer_queued(id);
    Ok(())
}

type QueuedCopy = (
    crate::limits::CommandKey,
    crate::limits::FileType,
    i32,
    bool,
);

/// The queued transfers, copied out of the machine (the response borrows the copy while the
/// machine writes it): at most `T`, the machine's queue, and 16, the lists' `maxOccurs`
/// (§A.4.1.10, §A.4.1.11). Sized by `T`, not 16, so the copy costs the stack only what the
/// queue can hold.
fn queued<const E: usize, const T: usize, const S: usize>(
    cpe: &Cpe<E, T, S>,
) -> heapless::Vec<QueuedCopy, T> {
    cpe.transfers()
        .queued()
        .take(16)
        .map(|q| {
            (
                crate::limits::truncated(q.command_key()),
                crate::limits::truncated(q.file_type()),
                q.state().as_int(),
                q.kind().is_download(),
            )
        })
        .collect()
}

/// GetRPCMethods' MethodList for these capabilities (§A.3.1.1, Table 5).
fn rpc_methods(caps: &super::model::Capabilities) -> heapless::Vec<XmlStr<'static>, 32> {
    let mut v = heapless::Vec::new();
    let mut add = |name: &'static str, on: bool| {
        if on {
            let _ = v.push(XmlStr::new(name));
        }
    };
    for m in [
        "GetRPCMethods",
        "SetParameterValues",
        "GetParameterValues",
        "GetParameterNames",
        "SetParameterAttributes",
        "GetParameterAttributes",
        "AddObject",
        "DeleteObject",
        "Reboot",
        "ScheduleInform",
    ] {
        add(m, true);
    }
    add("Download", caps.download);
    add("Upload", caps.upload);
    add("ScheduleDownload", caps.schedule_download);
    add("CancelTransfer", caps.transfers());
    add("GetQueuedTransfers", caps.transfers());
    add("GetAllQueuedTransfers", caps.transfers());
    add("FactoryReset", caps.factory_reset);
    add("ChangeDUState", caps.change_du_state);
    add("SetVouchers", caps.vouchers);
    add("GetOptions", caps.vouchers);
    for m in caps.vendor_methods {
        add(m, true);
    }
    v
}

/// SetParameterAttributes' first pass over one struct (§A.3.2.4): the name resolves, the
/// notification is 0–2, Active notification is not denied; returns how many of its
/// parameters have no attribute entry yet.
#[inline(never)]
fn spa_check<'a, M: DataModel + ?Sized, const A: usize>(
    tree: &Tree<'_, M>,
    attrs: &super::notify::Attributes<A>,
    s: &cwmp_codec::message::SetParameterAttributesStruct<'a>,
) -> Result<usize, FaultCode> {
    let name = s.name.as_str().ok_or(FaultCode::INVALID_PARAMETER_NAME)?;
    let r = resolve(tree, name)?;
    if s.notification_change && !(0..=2).contains(&s.notification) {
        return Err(FaultCode::INVALID_ARGUMENTS);
    }
    let mut needed = 0usize;
    let mut w = Walker::new(tree, &r, name, true, MAX_DEPTH);
    while let Some(e) = w.next(tree) {
        let Some(p) = e.node.param() else { continue };
        if s.notification_change && s.notification == 2 && p.active_denied && !p.forced_active {
            return Err(FaultCode::NOTIFICATION_REQUEST_REJECTED);
        }
        if attrs.get(w.name()).is_none() {
            needed = needed.saturating_add(1);
        }
    }
    Ok(needed)
}

/// SetParameterAttributes' second pass over one struct, checked by [`spa_check`]: the
/// attributes of every parameter it names are set.
#[inline(never)]
fn spa_apply<'a, M: DataModel + ?Sized, const A: usize>(
    tree: &Tree<'_, M>,
    attrs: &mut super::notify::Attributes<A>,
    s: &cwmp_codec::message::SetParameterAttributesStruct<'a>,
) {
    let name = s.name.as_str().unwrap_or("");
    let Ok(r) = resolve(tree, name) else {
        return;
    };
    let subscriber = spa_subscriber(&s.access_list);
    let mut w = Walker::new(tree, &r, name, true, MAX_DEPTH);
    while let Some(e) = w.next(tree) {
        let Some(p) = e.node.param() else { continue };
        let Ok(pname) = Name::try_from(w.name()) else {
            continue;
        };
        let default = if p.forced_active { 2 } else { p.notification };
        let mut a = attrs.get(w.name()).cloned().unwrap_or(Attribute {
            name: pname,
            notification: default,
            subscriber: false,
            fingerprint: None,
        });
        // Forced Active ignores other values (§A.3.2.4).
        if s.notification_change && !p.forced_active {
            a.notification = u8::try_from(s.notification).unwrap_or(0);
        }
        if s.access_list_change {
            a.subscriber = subscriber;
        }
        if a.notification > 0 && a.fingerprint.is_none() {
            a.fingerprint = spa_fingerprint(tree, e.node, w.instances());
        } else if a.notification == 0 {
            a.fingerprint = None;
        }
        let _ = attrs.set(a, default);
    }
}

/// Whether an AccessList names `Subscriber` (the only standard entity, §A.3.2.4). Out of
/// line: its iterator's reader is not kept under the walk of the model.
#[inline(never)]
fn spa_subscriber<'a>(list: &Array<'a, XmlStr<'a>>) -> bool {
    list.iter().any(|x| x == "Subscriber")
}

/// The fingerprint of a parameter's current value, for Passive and Active notification.
/// Out of line: its value scratch is on the stack only while the value is read.
#[inline(never)]
fn spa_fingerprint<M: DataModel + ?Sized>(
    tree: &Tree<'_, M>,
    node: &'static super::model::Node,
    instances: &[u32],
) -> Option<u32> {
    let mut scratch = [0u8; VALUE_SCRATCH];
    tree.get(node, instances, &mut scratch)
        .map(|v| values::fingerprint(&v))
}
