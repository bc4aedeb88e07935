//! Fuzzes the saved-log line parser, the multi-line assembler and level detection with
//! arbitrary input: no panic, and every line ends up in exactly one event.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logsift::cli::InputFormat;
use logsift::multiline::{Assembler, Joining};
use logsift::source::saved::{read_line_bounded, SavedLogParser, SavedOptions};

fuzz_target!(|data: &[u8]| {
    for format in [InputFormat::Auto, InputFormat::JsonFile, InputFormat::Plain] {
        let mut parser = SavedLogParser::new(&SavedOptions { format, default_service: "-".into() });
        parser.sniff(data);
        let mut assembler = Assembler::new(Joining::Auto);
        let mut reader = std::io::BufReader::with_capacity(64, data);
        let mut line = Vec::new();
        let mut n = 0u64;
        let mut covered = 0u64;
        let mut next = 1u64;
        let mut check = |first: u64, last: u64| {
            assert_eq!(first, next, "events are contiguous");
            assert!(last >= first);
            next = last + 1;
            covered = last;
        };
        while let Some(read) = read_line_bounded(&mut reader, &mut line, 256).expect("in-memory reads do not fail") {
            n += 1;
            parser.push_line(&line, read, n, &mut |_, rec| {
                let _ = logsift::classify::level::detect(rec.text);
                assembler.push(&rec, &mut |ev| check(ev.first_line, ev.last_line));
            });
        }
        parser.finish(n, &mut |_, rec| assembler.push(&rec, &mut |ev| check(ev.first_line, ev.last_line)));
        assembler.flush(&mut |ev| check(ev.first_line, ev.last_line));
        assert_eq!(covered, n, "every line is in an event");
    }
});
