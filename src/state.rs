//! Container lifecycle, from `docker inspect`: the state, exit code, OOM kill, restarts and
//! health of each container, and the finding an abnormal state makes.
//!
//! Rules: an `OOMKilled` container is critical (resource); a restarting container, or one that
//! restarted [`CRASH_LOOP_RESTARTS`] times and runs or failed again, is a crash loop, critical; another non-zero exit is an error; an unhealthy container
//! is an error that carries the last probe's output. Pure functions, tested without an engine.

use serde::Serialize;

use crate::classify::{Category, Severity};

/// Restarts from which a running container counts as crash-looping.
pub const CRASH_LOOP_RESTARTS: i64 = 3;

/// What inspect said about one container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContainerStatus {
    /// `running`, `exited`, `restarting`, …
    pub state: String,
    /// Exit code (meaningful when exited).
    pub exit_code: Option<i64>,
    /// The kernel's OOM killer ended it.
    pub oom_killed: bool,
    /// Restarts done by the restart policy.
    pub restart_count: i64,
    /// `healthy`, `unhealthy`, `starting`, or null without a health check.
    pub health: Option<String>,
    /// Output of the last health probe (trimmed).
    pub health_output: Option<String>,
    /// The engine's error for the container, if any.
    pub error: Option<String>,
}

/// An abnormal state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateFinding {
    pub severity: Severity,
    pub category: Category,
    /// One line for people.
    pub message: String,
}

/// The finding `s` makes, if abnormal.
pub fn assess(s: &ContainerStatus) -> Option<StateFinding> {
    let code = s.exit_code.unwrap_or(0);
    let running = s.state == "running";
    if s.oom_killed {
        return Some(StateFinding {
            severity: Severity::Critical,
            category: Category::Resource,
            message: format!(
                "killed by the OOM killer (exit {code}); raise its memory limit or find the leak"
            ),
        });
    }
    let restarted_often =
        s.restart_count >= CRASH_LOOP_RESTARTS && (running || (code != 0 && s.state == "exited"));
    if s.state == "restarting" || restarted_often {
        return Some(StateFinding {
            severity: Severity::Critical,
            category: Category::Code,
            message: format!(
                "crash loop: {} restarts, last exit code {code}",
                s.restart_count
            ),
        });
    }
    if !running && code != 0 && s.state != "created" {
        let why = match code {
            137 => " (SIGKILL)",
            139 => " (segmentation fault)",
            143 => " (SIGTERM)",
            _ => "",
        };
        return Some(StateFinding {
            severity: Severity::Error,
            category: Category::Code,
            message: format!("exited with code {code}{why}"),
        });
    }
    if s.state == "dead" {
        return Some(StateFinding {
            severity: Severity::Error,
            category: Category::Code,
            message: format!(
                "dead: {}",
                s.error
                    .as_deref()
                    .unwrap_or("the engine could not stop or remove it")
            ),
        });
    }
    if s.health.as_deref() == Some("unhealthy") {
        let out = s.health_output.as_deref().unwrap_or("").trim();
        return Some(StateFinding {
            severity: Severity::Error,
            category: Category::Dependency,
            message: if out.is_empty() {
                "unhealthy: the health check fails".to_owned()
            } else {
                format!("unhealthy: last probe said: {out}")
            },
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(state: &str, code: i64) -> ContainerStatus {
        ContainerStatus {
            state: state.into(),
            exit_code: Some(code),
            ..ContainerStatus::default()
        }
    }

    #[test]
    fn a_clean_exit_or_a_running_container_is_fine() {
        assert_eq!(assess(&st("exited", 0)), None);
        assert_eq!(assess(&st("running", 0)), None);
    }

    #[test]
    fn oom_kill_is_critical_resource() {
        let mut s = st("exited", 137);
        s.oom_killed = true;
        let f = assess(&s).expect("finding");
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(f.category, Category::Resource);
    }

    #[test]
    fn restarting_is_a_crash_loop() {
        let mut s = st("restarting", 1);
        s.restart_count = 5;
        assert_eq!(assess(&s).map(|f| f.severity), Some(Severity::Critical));
        // Seen between two restarts, or running again after many.
        let mut s = st("exited", 1);
        s.restart_count = CRASH_LOOP_RESTARTS;
        assert_eq!(assess(&s).map(|f| f.severity), Some(Severity::Critical));
        let mut s = st("running", 0);
        s.restart_count = CRASH_LOOP_RESTARTS;
        assert_eq!(assess(&s).map(|f| f.severity), Some(Severity::Critical));
    }

    #[test]
    fn non_zero_exit_is_an_error() {
        let f = assess(&st("exited", 1)).expect("finding");
        assert_eq!(f.severity, Severity::Error);
        assert!(f.message.contains("code 1"));
    }

    #[test]
    fn unhealthy_carries_the_probe_output() {
        let mut s = st("running", 0);
        s.health = Some("unhealthy".into());
        s.health_output = Some("curl: (7) connection refused\n".into());
        let f = assess(&s).expect("finding");
        assert_eq!(f.severity, Severity::Error);
        assert!(f.message.ends_with("connection refused"));
    }
}
