//! # The firmware author's guide to the agent
//!
//! The agent ([`Agent`](super::Agent)) turns the session machine ([`Cpe`](crate::cpe::Cpe))
//! into a CPE: it answers every ACS request from your data model with TR-069's semantics and
//! faults (Annex A), raises `4 VALUE CHANGE`, builds the Inform ParameterList, and owns
//! `ManagementServer.`. You write your Parameters; you never write GetParameterNames or
//! SetParameterValues rules.
//!
//! ## 1. Define the model
//!
//! The schema is `const` data ([`Node`](super::Node), built with the `const fn`s of
//! [`table`](super::table)): objects, multi-instance objects (`{i}` tables) and Parameters with
//! their type and range (§A.2.1), access, default Notification, Forced Inform and
//! Active-refused flags. Each Parameter has an `id` of yours (below
//! [`AGENT_IDS`](super::model::AGENT_IDS)).
//!
//! ```
//! use cwmp_core::agent::{Node, ParamType};
//!
//! const INFO: &[Node] = &[
//!     Node::parameter("Manufacturer", 1, ParamType::string(64)).forced_inform(),
//!     Node::parameter("SoftwareVersion", 2, ParamType::string(64)).forced_inform().notification(2),
//!     Node::parameter("UpTime", 3, ParamType::UNSIGNED_INT).no_active(),
//! ];
//! const RULE: &[Node] = &[Node::parameter("Enable", 11, ParamType::Boolean).writable()];
//! static DEVICE: Node = Node::object("Device", 0, &[
//!     Node::object("DeviceInfo", 0, INFO),
//!     Node::table("Rule", 10, 8, RULE), // Device.Rule.{i}., at most 8
//! ]);
//! ```
//!
//! Do not declare `ManagementServer.`: the agent adds its own under your root (`Device.` or
//! `InternetGatewayDevice.`, whichever your root node is named).
//!
//! ## 2. Implement [`DataModel`](super::DataModel)
//!
//! Behind the schema: [`instance`](super::DataModel::instance) (the i-th Instance Number of a
//! table; [`InstanceTable`](super::table::InstanceTable) keeps them for you, numbered from 1,
//! never reused), [`get`](super::DataModel::get) (a value, text written into the scratch
//! buffer you are given), [`check`](super::DataModel::check) then
//! [`set`](super::DataModel::set) (two phases: the agent has already checked type, range and
//! writability; `check` adds your own rules; `set` cannot fail, which is what makes
//! SetParameterValues atomic), [`add_instance`](super::DataModel::add_instance) /
//! [`delete_instance`](super::DataModel::delete_instance), and the optional RPCs you support
//! ([`capabilities`](super::DataModel::capabilities),
//! [`accept_transfer`](super::DataModel::accept_transfer),
//! [`other_rpc`](super::DataModel::other_rpc) for ChangeDUState, SetVouchers, GetOptions and
//! vendor `X_` methods). Nothing allocates; nothing may panic.
//!
//! ## 3. Run it
//!
//! At power-up, in this order:
//!
//! 1. `let mut agent: Agent = Agent::new(&config);` then `agent.restore(agent_record)` with the
//!    bytes you stored (a failure leaves the factory state);
//! 2. `agent.configure(&mut config)` (the ACS's URL, credentials, periodic settings win), then
//!    `Cpe::new(&config, …)`, then `cpe.boot(now, record)` (or `cpe.bootstrap(now)` the first
//!    time);
//! 3. `agent.set_connection_request(url, factory_user, factory_pass)` and
//!    `agent.boot(now, &mut cpe, &model)`.
//!
//! With the drivers (features `blocking`, `async`), `agent::driven::Driven` does all
//! of the run loop's part below (and restores the agent and calls `agent.boot` inside `run`);
//! otherwise, in the run loop (the one of the crate docs):
//!
//! * every [`Event`](crate::cpe::Event) goes to `agent.handle_event(&cpe, &event)` too; on
//!   `SessionStarted` call `agent.check_values(now, &mut cpe, &model)` (changes seen by
//!   comparison);
//! * the Inform: `let list = agent.inform_parameters(&cpe, &model);` then
//!   `cpe.poll_transmit_with(now, &Array::from_lending(&list), &mut tx)`;
//! * an [`AcsRequest`](crate::cpe::AcsRequest): `agent.answer(now, &mut cpe, &mut model, &req,
//!   &mut tx)` writes the response (a fault is an answer too), streamed through `tx`;
//! * a Connection Request: build the server's `CrConfig` from
//!   `agent.connection_request_credentials()` at each request, so what the ACS set is checked;
//! * your own changes: `agent.changed(now, &mut cpe, &model, "Device.X.Y")` (Passive waits
//!   for the next Session, Active starts one), or let `check_values` find them;
//! * persist: when `Event::PersistChanged` comes or `agent.needs_persist()` is true, write
//!   `cpe.export(…)` and `agent.export(…)` side by side.
//!
//! ## 4. What is yours, what is the library's
//!
//! | yours | the library's |
//! |---|---|
//! | the values, instance storage, `check` rules | paths, NextLevel, partial paths, 9003/9005/9006/9007/9008 |
//! | file transfers: fetch on `Event::StartTransfer`, then `cpe.transfer_finished` | the transfer queue, DelaySeconds, TransferComplete, 9004 full |
//! | rebooting on `Event::Reboot`, factory reset on `Event::FactoryReset` | when (after the Session), `M Reboot`, `1 BOOT`, `0 BOOTSTRAP` |
//! | writing the two records to flash, atomically | their contents, versions and checksums |
//! | the sockets, TLS, the clock | the Session, retries, authentication, cookies, redirects |
//! | telling the agent about your changes (or not, and let it compare) | attributes, `4 VALUE CHANGE`, the ParameterList, ACS changes not notified |
//!
//! ## 5. Limits (documented choices)
//!
//! * Attributes hold at most `A` entries and pending changes `P` names (const generics of
//!   [`Agent`](super::Agent)); a SetParameterAttributes that could overflow gets 9004 (the
//!   check counts conservatively).
//! * Instance wildcards and aliases are not supported (9005, §3.6.1, §3.6.2); Notification 3–6
//!   (Lightweight Notification) gets 9003.
//! * A pending change restored after a reboot is reported with `1 BOOT` (passive), so no change
//!   since the last successful Inform is lost; `0 BOOTSTRAP` discards them (Table 8).
//! * Changes are seen by a 32-bit fingerprint of the value text; a collision hides one change.
//! * `DefaultActiveNotificationThrottle` holds back a Session opened only for an Active change
//!   (the machine's `poll_timeout` wakes at the end of the window); any other Session carries
//!   the change at once. The end of the last Session is not kept across reboots (TR-181).
//!
//! ## 6. STUN and UDP Connection Requests (Annex G, obsoleted)
//!
//! The agent owns a sans-IO [`StunClient`](crate::stun::StunClient) that the `STUN*`
//! Parameters configure; the socket is yours. After [`Agent::restore`](super::Agent::restore),
//! call [`Agent::stun_start`](super::Agent::stun_start) with the local address of the UDP
//! Connection Request socket. In the loop: sleep until the earliest of the machine's and
//! [`Agent::stun_poll_timeout`](super::Agent::stun_poll_timeout); send what
//! [`Agent::stun_poll_transmit`](super::Agent::stun_poll_transmit) writes to
//! [`Management::stun_server`](super::Management::stun_server) from that socket; give every
//! datagram that `classify_datagram` calls STUN to
//! [`Agent::stun_received`](super::Agent::stun_received). The agent then keeps `NATDetected`
//! and `UDPConnectionRequestAddress` (notified at most once per
//! `UDPConnectionRequestAddressNotificationLimit` seconds). A `401` from the STUN server is
//! answered by a request with USERNAME and MESSAGE-INTEGRITY keyed by `STUNPassword`, and the
//! response to it counts only with a valid MESSAGE-INTEGRITY (G.2.1.1). The `cpe` example's
//! `--udp-cr ADDR` is this wiring on a std UDP socket (`examples/src/udp_cr.rs`).
