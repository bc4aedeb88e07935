//! The `--state` file: the groups a monitor knows and their counts, as JSON, written atomically
//! (a temporary file renamed over the old one) and reloaded on start, so a restarted monitor does
//! not announce known problems again.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::classify::Severity;

/// Version of the `--state` file.
pub const STATE_VERSION: u32 = 1;

/// One group as kept in the state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateGroup {
    /// The group's id (16 hex digits).
    pub id: String,
    /// Its template.
    pub template: String,
    /// Its severity.
    pub severity: Severity,
    /// Events seen, across runs.
    pub count: u64,
}

/// The `--state` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// [`STATE_VERSION`].
    pub version: u32,
    /// The grouping version the ids belong to; ids of another version are not reused.
    pub grouping_version: String,
    /// Known groups.
    pub groups: Vec<StateGroup>,
}

impl State {
    /// Reads a state file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<Option<State>> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read state `{}`", path.display()))
            }
        };
        let state: State = serde_json::from_slice(&bytes)
            .with_context(|| format!("state `{}` is not a logsift state file", path.display()))?;
        Ok((state.version == STATE_VERSION
            && state.grouping_version == crate::group::GROUPING_VERSION)
            .then_some(state))
    }

    /// Writes the state atomically (a temporary file renamed over the old one).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomically(path, |w| Ok(serde_json::to_writer(w, self)?))
            .with_context(|| format!("cannot write state `{}`", path.display()))
    }
}

/// Writes a file through a temporary one renamed over it, so a reader never sees half of it.
pub(crate) fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = BufWriter::new(File::create(&tmp)?);
    body(&mut f)?;
    f.flush()?;
    f.get_ref().sync_all()?;
    std::fs::rename(&tmp, path)
}
