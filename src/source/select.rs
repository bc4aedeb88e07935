//! What to read from the engine: the Compose project's name, resolved the way Compose does, and
//! the time window (`--since` / `--until`: Go durations, RFC 3339 or Unix seconds).
//!
//! Project name, first found wins: `-p`, `COMPOSE_PROJECT_NAME`, the top-level `name:` of the
//! compose files (`-f`, else the default file names in the project directory), then the project
//! directory's base name (`--project-directory`, else the first compose file's directory, else
//! the working directory), lower-cased with every character outside `a-z0-9-_` dropped.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use super::timestamp::parse_rfc3339_prefix;

/// Compose's default file names, in the order it looks for them.
const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// Inputs of the project-name resolution.
#[derive(Debug, Clone, Default)]
pub struct ProjectInputs {
    /// `-p/--project-name`.
    pub flag: Option<String>,
    /// `COMPOSE_PROJECT_NAME`.
    pub env: Option<String>,
    /// `-f/--compose-file`, in order.
    pub files: Vec<PathBuf>,
    /// `--project-directory`.
    pub directory: Option<PathBuf>,
    /// The working directory.
    pub cwd: PathBuf,
}

/// Resolves the project name like Compose.
pub fn project_name(inp: &ProjectInputs) -> Result<String> {
    for given in [&inp.flag, &inp.env].into_iter().flatten() {
        let n = normalize(given);
        if !n.is_empty() {
            return Ok(n);
        }
    }
    let dir = match (&inp.directory, inp.files.first()) {
        (Some(d), _) => d.clone(),
        (None, Some(f)) => match f.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => inp.cwd.clone(),
        },
        (None, None) => inp.cwd.clone(),
    };
    let files: Vec<PathBuf> = if inp.files.is_empty() {
        DEFAULT_FILES
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.is_file())
            .into_iter()
            .collect()
    } else {
        inp.files.clone()
    };
    // Later files override earlier ones, as Compose merges them.
    let mut from_file = None;
    for f in &files {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read compose file `{}`", f.display()))?;
        if let Some(n) = top_level_name(&text) {
            from_file = Some(n);
        }
    }
    if let Some(n) = from_file.map(|n| normalize(&n)).filter(|n| !n.is_empty()) {
        return Ok(n);
    }
    let base = absolute(&dir, &inp.cwd)
        .file_name()
        .map(|b| b.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = normalize(&base);
    if n.is_empty() {
        bail!(
            "cannot tell the Compose project's name from `{}`; give it with `-p NAME`",
            dir.display()
        );
    }
    Ok(n)
}

fn absolute(dir: &Path, cwd: &Path) -> PathBuf {
    let joined = if dir.is_absolute() {
        dir.to_owned()
    } else {
        cwd.join(dir)
    };
    std::fs::canonicalize(&joined).unwrap_or(joined)
}

/// Compose's normalisation: lower case, only `a-z0-9-_`.
pub fn normalize(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
        .collect()
}

/// The value of a top-level `name:` key of a compose file (no YAML parser: the key must start
/// its line; quotes and a trailing comment are removed; `${…}` interpolation is not done).
fn top_level_name(text: &str) -> Option<String> {
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("name:") else {
            continue;
        };
        let mut v = rest.trim();
        if let Some(i) = v.find(" #") {
            v = v[..i].trim_end();
        }
        let v = v
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
            .unwrap_or(v);
        if !v.is_empty() && !v.contains("${") {
            return Some(v.to_owned());
        }
    }
    None
}

/// Parses a Go duration (`300ms`, `5m`, `1h30m`, `1.5h`) into nanoseconds.
pub fn parse_go_duration(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(0);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += n * unit;
    }
    if total > i64::MAX as f64 {
        return None;
    }
    Some(total as i64)
}

/// Parses `--since` / `--until` into Unix seconds: a Go duration before `now` (Unix seconds),
/// an RFC 3339 time, or Unix seconds (`1700000000`, `1700000000.5`).
pub fn parse_time_arg(s: &str, now: i64) -> Result<i64, String> {
    let s = s.trim();
    if let Some(d) = parse_go_duration(s) {
        return Ok(now - d / 1_000_000_000);
    }
    if let Some((ts, n)) = parse_rfc3339_prefix(s.as_bytes()) {
        if n == s.len() {
            return Ok(ts.div_euclid(1_000_000_000));
        }
    }
    let int = s.split('.').next().unwrap_or(s);
    if !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(v) = int.parse::<i64>() {
            return Ok(v);
        }
    }
    Err(format!(
        "`{s}` is not a duration (5m, 1h30m), an RFC 3339 time or Unix seconds"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> ProjectInputs {
        ProjectInputs {
            cwd: PathBuf::from("/nonexistent/My Shop.v2"),
            ..ProjectInputs::default()
        }
    }

    #[test]
    fn the_flag_wins_over_the_environment() {
        let mut i = inputs();
        i.flag = Some("Shop".into());
        i.env = Some("other".into());
        assert_eq!(project_name(&i).ok().as_deref(), Some("shop"));
        i.flag = None;
        assert_eq!(project_name(&i).ok().as_deref(), Some("other"));
    }

    #[test]
    fn the_directory_name_is_normalised_like_compose() {
        assert_eq!(project_name(&inputs()).ok().as_deref(), Some("myshopv2"));
        let mut i = inputs();
        i.directory = Some(PathBuf::from("/srv/Web_App-1"));
        assert_eq!(project_name(&i).ok().as_deref(), Some("web_app-1"));
    }

    #[test]
    fn the_compose_files_top_level_name_is_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("compose.yaml");
        std::fs::write(
            &f,
            "services:\n  web:\n    name: nope\nname: \"Shop\" # the shop\n",
        )
        .expect("write");
        let mut i = inputs();
        i.files = vec![f.clone()];
        assert_eq!(project_name(&i).ok().as_deref(), Some("shop"));
        // Found without -f in the project directory too.
        let mut i = inputs();
        i.directory = Some(dir.path().to_owned());
        assert_eq!(project_name(&i).ok().as_deref(), Some("shop"));
        // Without a name: the directory of the first file.
        std::fs::write(&f, "services: {}\n").expect("write");
        let mut i = inputs();
        i.files = vec![f];
        let base = normalize(&dir.path().file_name().expect("name").to_string_lossy());
        assert_eq!(project_name(&i).ok(), Some(base));
    }

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_go_duration("5m"), Some(300_000_000_000));
        assert_eq!(parse_go_duration("1h30m"), Some(5_400_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Some(5_400_000_000_000));
        assert_eq!(parse_go_duration("300ms"), Some(300_000_000));
        assert_eq!(parse_go_duration("0"), Some(0));
        assert_eq!(parse_go_duration("5"), None);
        assert_eq!(parse_go_duration("m"), None);
        assert_eq!(parse_go_duration("5x"), None);
        assert_eq!(parse_go_duration(""), None);
    }

    #[test]
    fn time_arguments_parse() {
        let now = 1_800_000_000;
        assert_eq!(parse_time_arg("5m", now), Ok(now - 300));
        assert_eq!(parse_time_arg("1700000000", now), Ok(1_700_000_000));
        assert_eq!(parse_time_arg("1700000000.25", now), Ok(1_700_000_000));
        assert_eq!(
            parse_time_arg("2026-11-23T11:00:00Z", now),
            Ok(1_795_431_600)
        );
        assert!(parse_time_arg("yesterday", now).is_err());
    }
}
