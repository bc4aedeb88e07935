//! The batch driver: saved logs or the engine -> records -> events -> stages -> report.
//!
//! Everything streams: one reusable line buffer, one pending event, bounded groups. The report is
//! built once at the end and rendered; `--events` is written as events pass.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::classify::{Category, Classification, Classifier, Severity};
use crate::cli::{AnalyzeArgs, EngineArgs, InputArgs};
use crate::group::{format_id, Placement, OTHER_GROUP};
use crate::multiline::{Assembler, Event, Joining};
use crate::pipeline::{StageOptions, Stages};
use crate::progress::EngineProgress;
use crate::record::Services;
use crate::render::{self, TextOptions};
use crate::report::{ContainerReport, InputInfo, Report, ReportInputs};
use crate::settings;
use crate::source::engine::{self, EngineOptions};
use crate::source::saved::{read_line_bounded, SavedLogParser, SavedOptions};
use crate::source::SourceStats;
use crate::source::MAX_LINE_BYTES;
use crate::state::assess;
use crate::ExitStatus;

/// Size of the input buffer (also how much `auto` sniffs).
const READ_BUFFER: usize = 256 * 1024;

/// What reading an input through the stages produced.
pub struct Collected<'a> {
    /// The stages, with their groups and counts.
    pub stages: Stages<'a>,
    /// The services met.
    pub services: Services,
    /// Where the logs came from.
    pub input: InputInfo,
    /// The containers' state (engine input only).
    pub containers: Vec<ContainerReport>,
}

/// Called for every event after the stages: `--events` writes it out.
pub type EventSink<'s> = dyn FnMut(&Event<'_>, &Services, &Classification, Placement) + 's;

/// Reads the input that `input` and `engine` select (a file, piped stdin or the engine) through
/// the stages, calling `sink` for each event.
pub fn collect<'a>(
    input: &InputArgs,
    engine: &EngineArgs,
    classifier: &'a Classifier,
    opts: StageOptions,
    sink: &mut EventSink<'_>,
) -> Result<Collected<'a>> {
    let source = match &input.file {
        Some(p) if p.as_os_str() == "-" => {
            Input::Saved(Box::new(io::stdin().lock()), "stdin", None)
        }
        Some(p) => {
            let f = File::open(p).with_context(|| format!("cannot open `{}`", p.display()))?;
            Input::Saved(Box::new(f), "file", Some(p.display().to_string()))
        }
        None if !engine.selects_engine() && settings::stdin_has_data() => {
            Input::Saved(Box::new(io::stdin().lock()), "stdin", None)
        }
        None => Input::Engine(settings::engine_options(engine)?),
    };
    let joining = settings::joining(input.multiline);
    let mut stages = Stages::new(classifier, opts);
    let mut on_event = |ev: &Event<'_>, services: &Services| {
        stages.push(ev, &mut |ev, class, placement| {
            sink(ev, services, class, placement)
        });
    };
    let (info, services, containers) = match source {
        Input::Saved(reader, kind, name) => {
            let (stats, services) =
                read_saved(reader, name.as_deref(), input, joining, &mut on_event)?;
            stages.flush(&mut |ev, class, placement| sink(ev, &services, class, placement));
            (
                InputInfo {
                    kind,
                    name,
                    stats,
                    events: 0,
                },
                services,
                Vec::new(),
            )
        }
        Input::Engine(opts) => {
            let mut assemblers: Vec<Assembler> = Vec::new();
            // Dropped on an error, it clears itself before the error line is printed.
            let mut progress = EngineProgress::on_stderr();
            let read =
                engine::read_with_progress(&opts, &mut progress, &mut |i, services, rec| {
                    while assemblers.len() <= i {
                        assemblers.push(Assembler::new(joining));
                    }
                    assemblers[i].push(&rec, &mut |ev| on_event(ev, services));
                })?;
            progress.clear();
            for a in &mut assemblers {
                a.flush(&mut |ev| on_event(ev, &read.services));
            }
            stages.flush(&mut |ev, class, placement| sink(ev, &read.services, class, placement));
            let containers = read
                .containers
                .iter()
                .map(|c| ContainerReport {
                    name: c.name.clone(),
                    service: c.service.clone(),
                    finding: assess(&c.status),
                    status: c.status.clone(),
                    logs_error: c.logs_error.clone(),
                })
                .collect();
            let info = InputInfo {
                kind: "engine",
                name: Some(opts.project.clone()),
                stats: read.stats,
                events: 0,
            };
            (info, read.services, containers)
        }
    };
    let events = stages.events;
    Ok(Collected {
        stages,
        services,
        input: InputInfo { events, ..info },
        containers,
    })
}

/// Runs `logsift analyze`.
pub fn run(args: &AnalyzeArgs) -> Result<ExitStatus> {
    let packs = crate::load_packs(&args.patterns, crate::classify::pack::Checks::SchemaOnly)?;
    let classifier = Classifier::new(&packs)?;
    let fail_on = settings::fail_threshold(args.output.fail_on);
    let show = settings::shown_severity(args.output.show);
    let mut events_out = match &args.output.events {
        Some(p) => Some(EventsWriter::create(p)?),
        None => None,
    };
    let mut write_error = None;
    let opts = StageOptions {
        max_groups: args.output.max_groups as usize,
        context: usize::from(args.output.context),
        show,
        grouping: settings::grouping()?,
    };
    let collected = collect(
        &args.input,
        &args.engine,
        &classifier,
        opts,
        &mut |ev, services, class, placement| {
            if let (Some(w), None) = (events_out.as_mut(), &write_error) {
                let rule = class
                    .rule
                    .or(class.ignored_by)
                    .map(|r| classifier.rule(r).id.as_str());
                if let Err(e) = w.write(ev, class, rule, placement.id, services) {
                    write_error = Some(e);
                }
            }
        },
    )?;
    if let Some(e) = write_error {
        return Err(e).context("cannot write --events");
    }
    if let Some(w) = events_out {
        w.finish()?;
    }
    let Collected {
        stages,
        services,
        input,
        containers,
    } = collected;
    let report = Report::build(
        &stages.tally,
        ReportInputs {
            input,
            services: &services,
            containers,
            classifier: &classifier,
            grouper: &stages.grouper,
            fail_on,
            show,
        },
    );
    let text = TextOptions {
        color: settings::use_color(args.output.color, args.output.output.is_some()),
        top: args.output.top,
    };
    match &args.output.output {
        Some(p) => {
            let f = File::create(p).with_context(|| format!("cannot create `{}`", p.display()))?;
            let mut w = BufWriter::new(f);
            render::render(&report, args.output.format, text, &mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write `{}`", p.display()))?;
        }
        None => {
            let mut w = BufWriter::new(io::stdout().lock());
            render::render(&report, args.output.format, text, &mut w).and_then(|()| w.flush())?;
        }
    }
    Ok(if report.failed() {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// Where the logs come from.
enum Input {
    /// Saved logs: reader, kind (`file`/`stdin`), file name.
    Saved(Box<dyn Read>, &'static str, Option<String>),
    /// The Docker Engine.
    Engine(EngineOptions),
}

/// Reads saved logs through the pipeline; returns the source's counts and services.
fn read_saved(
    reader: Box<dyn Read>,
    name: Option<&str>,
    input: &InputArgs,
    joining: Joining,
    on_event: &mut dyn FnMut(&Event<'_>, &Services),
) -> Result<(SourceStats, Services)> {
    let mut reader = BufReader::with_capacity(READ_BUFFER, reader);
    let mut parser = SavedLogParser::new(&SavedOptions {
        format: input.input_format,
        default_service: input.service_name.clone(),
    });
    let head = reader
        .fill_buf()
        .with_context(|| format!("cannot read {}", name.unwrap_or("stdin")))?;
    parser.sniff(head);

    let mut assembler = Assembler::new(joining);
    let mut line = Vec::with_capacity(4096);
    let mut line_no = 0u64;
    let source_name = name.unwrap_or("stdin").to_owned();
    while let Some(read) = read_line_bounded(&mut reader, &mut line, MAX_LINE_BYTES)
        .with_context(|| format!("cannot read {source_name}"))?
    {
        line_no += 1;
        parser.push_line(&line, read, line_no, &mut |services, rec| {
            assembler.push(&rec, &mut |ev| on_event(ev, services));
        });
    }
    parser.finish(line_no, &mut |services, rec| {
        assembler.push(&rec, &mut |ev| on_event(ev, services));
    });
    assembler.flush(&mut |ev| on_event(ev, parser.services()));
    Ok((parser.stats(), parser.services().clone()))
}

/// `--events`: one JSON object per event.
struct EventsWriter {
    out: BufWriter<File>,
    path: PathBuf,
    names: Vec<String>,
}

impl EventsWriter {
    fn create(path: &Path) -> Result<EventsWriter> {
        let f =
            File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
        Ok(EventsWriter {
            out: BufWriter::with_capacity(256 * 1024, f),
            path: path.to_owned(),
            names: Vec::new(),
        })
    }

    fn write(
        &mut self,
        ev: &Event<'_>,
        class: &Classification,
        rule: Option<&str>,
        group: u64,
        services: &Services,
    ) -> io::Result<()> {
        let sid = ev.service as usize;
        while self.names.len() <= sid {
            let n = services.name(self.names.len() as u32);
            self.names
                .push(serde_json::to_string(n).unwrap_or_else(|_| "\"?\"".into()));
        }
        // An ignored event is expected noise: it is reported as info, with the rule that
        // ignored it, so that it never counts as a finding downstream either.
        let (severity, category, ignored) = match class.ignored_by {
            Some(_) => (Severity::Info, Category::None, true),
            None => (class.severity, class.category, false),
        };
        write!(
            self.out,
            "{{\"first_line\":{},\"last_line\":{},\"service\":{},\"severity\":\"{}\",\"category\":\"{}\",\"rule\":",
            ev.first_line,
            ev.last_line,
            self.names[sid],
            severity.as_str(),
            category.as_str(),
        )?;
        match rule {
            Some(r) => write!(self.out, "\"{r}\"")?,
            None => self.out.write_all(b"null")?,
        }
        if group == OTHER_GROUP {
            self.out.write_all(b",\"group\":\"other\"")?;
        } else {
            write!(self.out, ",\"group\":\"{}\"", format_id(group))?;
        }
        if ignored {
            self.out.write_all(b",\"ignored\":true")?;
        }
        self.out.write_all(b"}\n")
    }

    fn finish(mut self) -> Result<()> {
        self.out
            .flush()
            .with_context(|| format!("cannot write `{}`", self.path.display()))
    }
}
