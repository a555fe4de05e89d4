//! The agent as the drivers' [`Application`] (features `blocking`, `async`): [`Driven`] holds
//! the [`Agent`] and the firmware's [`DataModel`] and does, inside `driver::blocking::run` or
//! `driver::asynch::run`, what the [guide](super::guide)'s run loop asks of the firmware: every
//! ACS request answered by [`Agent::answer`], the Inform ParameterList from
//! [`Agent::inform_parameters`], every event to [`Agent::handle_event`] (and
//! [`Agent::check_values`] when a Session starts), and the agent's record written in the same
//! record slot as the machine's ([`Agent::export`] / [`Agent::restore`] and [`Agent::boot`] at
//! power-up), so both are committed together.
//!
//! # Limits (documented choices)
//!
//! * A response met by a 401 or a redirect ([`Event::ResendResponse`]) is not written again:
//!   the agent keeps no reply, and answering the request a second time could execute it twice
//!   (AddObject), so the default [`Application::resend`] fails the Session cleanly (retried
//!   per §3.2.1.1). ACSs challenge the Session's first POST, the Inform, which the machine
//!   re-sends itself.
//! * The agent's record is restored inside `run`, after the [`Cpe`] was built, so the
//!   `ManagementServer.` values the ACS set (URL, credentials, periodic Informs) reach the
//!   machine's [`Config`](crate::cpe::Config) only if the firmware restored the agent and
//!   called [`Agent::configure`] before [`Cpe::new`] (read the newest slot with
//!   [`Slots::scan`](crate::persist::slot::Slots::scan)); `restore_state` then restores the
//!   same bytes again.

use cwmp_codec::message::ParameterValueStruct;
use cwmp_codec::{Array, LendFn, LendingSource};

use super::{Agent, DataModel, InformList};
use crate::cpe::{AcsRequest, Cpe, Event, Transmit};
use crate::driver::{Application, TxError};
use crate::persist::BufferTooSmall;
use crate::time::Instant;

#[cfg(doc)]
use crate::driver::Wake;

/// The [`Agent`] and the data model, as one [`Application`] of the drivers. The firmware still
/// tells the agent about its own changes ([`Agent::changed`], e.g. from
/// [`Application::on_wake`] after a [`Wake::Application`]: wrap `Driven` for that) or lets
/// [`Agent::check_values`] find them at each Session start.
#[derive(Debug)]
pub struct Driven<'d, M: ?Sized, const A: usize = 16, const P: usize = 16> {
    /// The agent.
    pub agent: &'d mut Agent<A, P>,
    /// The firmware's data model.
    pub model: &'d mut M,
    /// The Forced Inform and pending counts of the Inform being written.
    counts: (usize, usize),
}

impl<'d, M: DataModel + ?Sized, const A: usize, const P: usize> Driven<'d, M, A, P> {
    /// The agent and the model for `run`.
    pub fn new(agent: &'d mut Agent<A, P>, model: &'d mut M) -> Self {
        Driven {
            agent,
            model,
            counts: (0, 0),
        }
    }

    fn list(&self) -> InformList<'_, M, A, P> {
        InformList {
            agent: self.agent,
            tree: super::walk::Tree {
                model: self.model,
                ms: &self.agent.ms,
            },
            forced: self.counts.0,
            pending: self.counts.1,
        }
    }
}

/// The Inform ParameterList of the last [`Application::inform_parameters`], lent item by item
/// from the agent and the model.
impl<'a, M: DataModel + ?Sized, const A: usize, const P: usize>
    LendingSource<ParameterValueStruct<'a>> for Driven<'_, M, A, P>
{
    fn len(&self) -> usize {
        self.counts.0.saturating_add(self.counts.1)
    }
    fn lend<'f>(&self, index: usize, f: LendFn<'f, ParameterValueStruct<'a>>) -> bool
    where
        ParameterValueStruct<'a>: 'f,
    {
        self.list().lend(index, f)
    }
}

impl<M, const A: usize, const P: usize, const E: usize, const T: usize, const S: usize>
    Application<E, T, S> for Driven<'_, M, A, P>
where
    M: DataModel + ?Sized,
{
    fn inform_parameters(
        &mut self,
        cpe: &Cpe<E, T, S>,
        _now: Instant,
    ) -> Array<'_, ParameterValueStruct<'_>> {
        let list = self.agent.inform_parameters(cpe, &*self.model);
        self.counts = (list.forced, list.pending);
        Array::from_lending(self)
    }

    fn respond(
        &mut self,
        cpe: &mut Cpe<E, T, S>,
        now: Instant,
        request: &AcsRequest<'_>,
        tx: &mut [u8],
    ) -> Result<Transmit, TxError> {
        let mut w: &mut [u8] = tx;
        self.agent
            .answer(now, cpe, &mut *self.model, request, &mut w)
    }

    fn on_event(&mut self, cpe: &mut Cpe<E, T, S>, now: Instant, event: Event) {
        self.agent.handle_event(cpe, &event);
        if event == Event::SessionStarted {
            self.agent.check_values(now, cpe, &*self.model);
        }
    }

    fn export_state(&mut self, buf: &mut [u8]) -> Result<usize, BufferTooSmall> {
        self.agent.export(buf)
    }

    fn restore_state(&mut self, cpe: &mut Cpe<E, T, S>, now: Instant, state: &[u8]) {
        // Nothing stored (first installation) or a record that does not restore: the agent
        // keeps its factory state.
        if !state.is_empty() {
            let _ = self.agent.restore(state);
        }
        self.agent.boot(now, cpe, &*self.model);
    }
}
