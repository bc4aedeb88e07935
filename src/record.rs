//! One log line as it enters the pipeline, and the table of services lines belong to.
//!
//! A [`Record`] borrows its bytes from the source's reusable buffer, so reading a line costs no
//! allocation; stages that must keep text (multi-line assembly, group samples) copy what they keep.
//! Services are interned once into a [`Services`] table and referred to by [`ServiceId`].

use std::collections::HashMap;

/// Which output stream of the container a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// Not known (saved `docker compose logs` output does not say).
    #[default]
    Unknown,
}

/// Index of a service in [`Services`].
pub type ServiceId = u32;

/// Most distinct services kept apart; further names are folded into [`Services::OVERFLOW`].
pub const MAX_SERVICES: usize = 1024;

/// The services seen so far, interned.
#[derive(Debug, Default, Clone)]
pub struct Services {
    names: Vec<String>,
    index: HashMap<String, ServiceId>,
    overflowed: u64,
}

impl Services {
    /// Name used for the service that takes every name past [`MAX_SERVICES`].
    pub const OVERFLOW: &'static str = "(other services)";

    /// Returns the id of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> ServiceId {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        if self.names.len() >= MAX_SERVICES {
            self.overflowed += 1;
            return self.intern_unbounded(Self::OVERFLOW);
        }
        self.intern_unbounded(name)
    }

    fn intern_unbounded(&mut self, name: &str) -> ServiceId {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.names.len() as ServiceId;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        id
    }

    /// The name of service `id` (`"?"` for an id this table never gave out).
    pub fn name(&self, id: ServiceId) -> &str {
        self.names.get(id as usize).map_or("?", String::as_str)
    }

    /// Number of services.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no service was seen.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// How many lines named a service past the cap.
    pub fn overflowed(&self) -> u64 {
        self.overflowed
    }
}

/// Time of a line, in nanoseconds since the Unix epoch (UTC).
pub type Timestamp = i64;

/// One line of a container's output.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The service that printed it.
    pub service: ServiceId,
    /// stdout or stderr, when known.
    pub stream: Stream,
    /// 1-based line number in the input (for saved logs) or a per-run sequence number.
    pub line: u64,
    /// Last input line it spans (a json-file line re-joined from Docker's partial lines spans
    /// several); equal to `line` otherwise.
    pub end_line: u64,
    /// When the line was printed, when known.
    pub timestamp: Option<Timestamp>,
    /// The line's text, without prefix, timestamp or line ending; may be invalid UTF-8.
    pub text: &'a [u8],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_gives_the_same_id_for_the_same_name() {
        let mut s = Services::default();
        let a = s.intern("api");
        let b = s.intern("db");
        assert_eq!(s.intern("api"), a);
        assert_ne!(a, b);
        assert_eq!(s.name(b), "db");
        assert_eq!(s.name(99), "?");
    }

    #[test]
    fn services_past_the_cap_fold_into_one() {
        let mut s = Services::default();
        for i in 0..MAX_SERVICES + 10 {
            s.intern(&format!("svc{i}"));
        }
        assert_eq!(s.len(), MAX_SERVICES + 1);
        assert_eq!(s.overflowed(), 10);
        assert_eq!(s.name(MAX_SERVICES as ServiceId), Services::OVERFLOW);
    }
}
