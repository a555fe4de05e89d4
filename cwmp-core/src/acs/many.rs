//! [`AcsSessions`]: a fixed table of [`AcsSession`]s, one per CPE in a Session, found again by
//! their cookie. A Session may span several TCP connections (TR-069 §1.6, §3.4.2: the ACS may
//! close the connection between round trips, the CPE then opens a new one, and some CPEs open
//! one after a 401), so an ACS that serves more than one connection routes each POST by its
//! session cookie rather than by socket.

use cwmp_codec::http::request::RequestHead;
use cwmp_codec::http::{Status, EMPTY_HEADER};

use super::{AcsConfig, AcsSession, MAX_HEADERS};
use crate::rng::Rng;
use crate::time::Instant;

/// The index of a Session in an [`AcsSessions`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SlotId(pub usize);

/// Up to `N` concurrent Sessions (each with a queue of `Q` requests), routed by cookie.
///
/// ```
/// use cwmp_core::acs::{AcsConfig, AcsSessions};
/// use cwmp_core::{Instant, SplitMix64};
///
/// let mut sessions: AcsSessions = AcsSessions::new(AcsConfig::default());
/// let mut rng = SplitMix64::new(1);
/// let post = b"POST /acs HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
/// let a = sessions.route(Instant::ZERO, post, &mut rng).unwrap();
/// let cookie = format!("POST /acs HTTP/1.1\r\nCookie: {}\r\nContent-Length: 0\r\n\r\n",
///     sessions.get(a).unwrap().cookie());
/// assert_eq!(sessions.route(Instant::ZERO, cookie.as_bytes(), &mut rng), Some(a));
/// ```
pub struct AcsSessions<'a, const N: usize = 4, const Q: usize = 8> {
    config: AcsConfig<'a>,
    slots: [Option<AcsSession<'a, Q>>; N],
}

impl<const N: usize, const Q: usize> core::fmt::Debug for AcsSessions<'_, N, Q> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AcsSessions")
            .field("live", &self.live())
            .field("capacity", &N)
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl<const N: usize, const Q: usize> defmt::Format for AcsSessions<'_, N, Q> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "AcsSessions({=usize}/{=usize})", self.live(), N);
    }
}

impl<'a, const N: usize, const Q: usize> AcsSessions<'a, N, Q> {
    /// An empty table; every Session gets `config`.
    pub fn new(config: AcsConfig<'a>) -> Self {
        Self {
            config,
            slots: core::array::from_fn(|_| None),
        }
    }

    /// Sessions that have not ended.
    pub fn live(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.as_ref().is_some_and(|s| !s.is_ended()))
            .count()
    }

    /// The Session for the HTTP request in `rx` (only its head is read): the live Session whose
    /// cookie it carries, or else a new Session in a free slot (an ended Session's slot is
    /// reused: drain its events first). `None` when every slot holds a live Session: answer
    /// 503 (INTEROP C5). Never panics.
    pub fn route<R: Rng + ?Sized>(
        &mut self,
        now: Instant,
        rx: &[u8],
        rng: &mut R,
    ) -> Option<SlotId> {
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        if let Ok(Status::Complete(head)) = RequestHead::parse(rx, &mut headers) {
            let found = self.slots.iter().position(|s| {
                s.as_ref()
                    .is_some_and(|s| !s.is_ended() && s.owns_cookie(head.cookies()))
            });
            if let Some(i) = found {
                return Some(SlotId(i));
            }
        }
        let free = self
            .slots
            .iter()
            .position(|s| s.as_ref().is_none_or(AcsSession::is_ended))?;
        let slot = self.slots.get_mut(free)?;
        *slot = Some(AcsSession::new(self.config, now, rng));
        Some(SlotId(free))
    }

    /// The Session in `slot`, if any (ended ones stay until their slot is reused).
    pub fn get(&mut self, slot: SlotId) -> Option<&mut AcsSession<'a, Q>> {
        self.slots.get_mut(slot.0)?.as_mut()
    }

    /// Every Session, with its slot.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (SlotId, &mut AcsSession<'a, Q>)> {
        self.slots
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.as_mut().map(|s| (SlotId(i), s)))
    }

    /// The earliest deadline of any Session.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.slots
            .iter()
            .filter_map(|s| s.as_ref().and_then(AcsSession::poll_timeout))
            .min()
    }

    /// Times out every Session whose deadline passed (drain their events afterwards).
    pub fn handle_timeout(&mut self, now: Instant) {
        for s in self.slots.iter_mut().flatten() {
            s.handle_timeout(now);
        }
    }
}
