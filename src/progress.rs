//! The progress indicator on stderr while the engine's log streams are read: containers done out
//! of all, lines read so far, time elapsed (indicatif).
//!
//! It is drawn only when stderr is a terminal (and `TERM` is not `dumb`); otherwise nothing at
//! all is written, not even an escape sequence. It is cleared before the report is printed, and
//! when dropped on the way out of an error, so it never mixes with the report or the error line.

use std::io::{self, IsTerminal as _};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

use crate::source::engine::ReadProgress;

/// How often the line is redrawn while nothing arrives (so the elapsed time moves).
const TICK: Duration = Duration::from_millis(100);

/// The indicator of one read; [`EngineProgress::clear`] it before printing anything.
#[derive(Debug)]
pub struct EngineProgress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

impl EngineProgress {
    /// An indicator on stderr if it is a terminal, else one that writes nothing.
    pub fn on_stderr() -> EngineProgress {
        let bar = io::stderr().is_terminal().then(|| {
            let style = ProgressStyle::with_template(
                "{spinner} reading logs: {msg} containers, {human_pos} lines, {elapsed}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                .with_style(style)
                .with_finish(ProgressFinish::AndClear)
        });
        EngineProgress {
            bar,
            total: 0,
            done: 0,
        }
    }

    /// Removes the indicator from the terminal.
    pub fn clear(self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    fn show_containers(&self) {
        if let Some(b) = &self.bar {
            b.set_message(format!("{}/{}", self.done, self.total));
        }
    }
}

impl ReadProgress for EngineProgress {
    fn started(&mut self, total: usize) {
        self.total = total;
        self.show_containers();
        if let Some(b) = &self.bar {
            b.tick();
            b.enable_steady_tick(TICK);
        }
    }

    fn lines(&mut self, count: u64) {
        if let Some(b) = &self.bar {
            b.inc(count);
        }
    }

    fn container_done(&mut self) {
        self.done += 1;
        self.show_containers();
    }
}
