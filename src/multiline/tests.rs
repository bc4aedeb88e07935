//! Tables of lines in, event ranges out, one per log shape, and a property test that the
//! events cover every input line exactly once.
use super::*;

/// Feeds `lines` (service, text) and returns the events as (first, last) line ranges.
fn events(lines: &[(u32, &str)]) -> Vec<(u64, u64)> {
    let mut a = Assembler::new(Joining::Auto);
    let mut out = Vec::new();
    for (i, (svc, text)) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        let rec = Record {
            service: *svc,
            stream: Stream::Unknown,
            line: n,
            end_line: n,
            timestamp: None,
            text: text.as_bytes(),
        };
        a.push(&rec, &mut |e| out.push((e.first_line, e.last_line)));
    }
    a.flush(&mut |e| out.push((e.first_line, e.last_line)));
    out
}

fn one(lines: &[&str]) -> Vec<(u64, u64)> {
    events(&lines.iter().map(|l| (0, *l)).collect::<Vec<_>>())
}

#[test]
fn python_traceback_with_a_chain_is_one_event() {
    let got = one(&[
        "Traceback (most recent call last):",
        "  File \"/app/x.py\", line 1, in <module>",
        "    import foo",
        "KeyError: 'a'",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        "  File \"/app/x.py\", line 3, in <module>",
        "ValueError: b",
        "INFO next line",
    ]);
    assert_eq!(got, [(1, 10), (11, 11)]);
}

#[test]
fn java_stack_trace_joins_its_frames_and_causes() {
    let got = one(&[
        "2024-01-01 ERROR [main] o.a.Foo - failed:",
        "java.lang.IllegalStateException: boom",
        "\tat com.foo.Bar.baz(Bar.java:10)",
        "Caused by: java.io.IOException: nope",
        "\t... 12 more",
        "2024-01-01 INFO [main] o.a.Foo - next",
    ]);
    assert_eq!(got, [(1, 5), (6, 6)]);
}

#[test]
fn go_panic_with_goroutines_is_one_event() {
    let got = one(&[
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a]",
        "",
        "goroutine 1 [running]:",
        "main.main()",
        "\t/app/main.go:12 +0x1d",
        "exit status 2",
        "starting again",
    ]);
    assert_eq!(got, [(1, 7), (8, 8)]);
}

#[test]
fn node_crash_is_one_event() {
    let got = one(&[
        "node:internal/modules/cjs/loader:1080",
        "  throw err;",
        "  ^",
        "",
        "Error: Cannot find module 'express'",
        "Require stack:",
        "- /app/index.js",
        "    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15)",
        "Node.js v18.17.0",
        "> app@1.0.0 start",
    ]);
    assert_eq!(got, [(1, 9), (10, 10)]);
}

#[test]
fn postgres_detail_lines_join_their_error() {
    let got = one(&[
        "2024-01-01 00:00:00.000 UTC [1] ERROR:  duplicate key value violates unique constraint \"x\"",
        "2024-01-01 00:00:00.000 UTC [1] DETAIL:  Key (id)=(1) already exists.",
        "2024-01-01 00:00:00.000 UTC [1] STATEMENT:  INSERT INTO x VALUES (1)",
        "2024-01-01 00:00:01.000 UTC [1] LOG:  checkpoint starting",
    ]);
    assert_eq!(got, [(1, 3), (4, 4)]);
}

#[test]
fn another_services_line_closes_the_event() {
    let got = events(&[
        (0, "Traceback (most recent call last):"),
        (1, "db line"),
        (0, "  File \"x.py\", line 1"),
    ]);
    assert_eq!(got, [(1, 1), (2, 2), (3, 3)]);
}

#[test]
fn plain_lines_stay_apart_and_a_closing_blank_joins_its_line() {
    assert_eq!(one(&["a", "b", "", "c"]), [(1, 1), (2, 3), (4, 4)]);
    assert_eq!(one(&["a", "", "", "c"]), [(1, 3), (4, 4)]);
}

#[test]
fn a_blank_after_another_services_line_stands_alone_or_opens_a_banner() {
    let got = events(&[
        (1, "x"),
        (0, ""),
        (1, "y"),
        (0, ""),
        (
            0,
            "Waiting for a minimum of 2 disks to come online (elapsed 0s)",
        ),
        (0, ""),
        (1, "z"),
    ]);
    assert_eq!(got, [(1, 1), (2, 2), (3, 3), (4, 6), (7, 7)]);
}

#[test]
fn a_blank_then_a_timestamped_record_stay_apart() {
    let got = events(&[(1, "x"), (0, ""), (0, "2024-01-01 INFO ready")]);
    assert_eq!(got, [(1, 1), (2, 2), (3, 3)]);
}

#[test]
fn interleaved_services_never_mix() {
    let got = events(&[
        (0, "2024-01-01 ERROR [main] o.a.Foo - failed:"),
        (0, "java.lang.IllegalStateException: boom"),
        (1, "\tat not.a.Frame(Of.java:1)"),
        (0, "\tat com.foo.Bar.baz(Bar.java:10)"),
        (1, "Traceback (most recent call last):"),
        (1, "  File \"x.py\", line 1"),
        (0, "Caused by: java.io.IOException: nope"),
        (1, "ValueError: x"),
    ]);
    assert_eq!(got, [(1, 2), (3, 3), (4, 4), (5, 6), (7, 7), (8, 8)]);
}

#[test]
fn java_exception_message_runs_on_to_its_frames() {
    let got = one(&[
        "2020-02-28 14:55:44,543 JIRA-Bootstrap ERROR [c.a.Boot] Could not test your database:",
        "com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure",
        "",
        "The last packet sent successfully to the server was 0 milliseconds ago.",
        "\tat sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)",
        "\t... 3 filtered",
        "\tat java.lang.Thread.run(Thread.java:748)",
        "Caused by: java.net.ConnectException: Connection refused (Connection refused)",
        "\tat java.net.PlainSocketImpl.socketConnect(Native Method)",
        "\t... 43 more",
        "2020-02-28 14:55:44,583 JIRA-Bootstrap ERROR [c.a.Health] JIRA couldn't connect",
        "2020-02-28 14:55:44,585 ERROR [c.a.Health] JIRA failed to connect to your database.",
        "    This could be because:",
        "    \t- Your database isn't running",
        "",
        "    There are several other solutions you can try.",
        "",
        "2020-02-28 14:55:44,589 INFO [c.a.Startup] Running JIRA startup checks.",
    ]);
    assert_eq!(got, [(1, 10), (11, 11), (12, 17), (18, 18)]);
}

#[test]
fn jvm_heap_dump_notice_joins_the_out_of_memory_error() {
    let got = one(&[
        "java.lang.OutOfMemoryError: Java heap space",
        "Dumping heap to data/java_pid6.hprof ...",
        "Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler",
        "",
        "Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler",
        "",
    ]);
    assert_eq!(got, [(1, 2), (3, 4), (5, 6)]);
}

#[test]
fn logged_python_exception_joins_its_message_and_psycopg_detail() {
    let got = one(&[
        "Internal Server Error: /api/customer/",
        "Traceback (most recent call last):",
        "  File \"/app/utils.py\", line 85, in _execute",
        "    return self.cursor.execute(sql, params)",
        "psycopg2.IntegrityError: duplicate key value violates unique constraint \"k\"",
        "DETAIL:  Key (login)=(henk) already exists.",
        "",
        "",
        "The above exception was the direct cause of the following exception:",
        "",
        "Traceback (most recent call last):",
        "  File \"/app/views.py\", line 16, in create",
        "django.db.utils.IntegrityError: duplicate key value violates unique constraint \"k\"",
        "DETAIL:  Key (login)=(henk) already exists.",
        "[04/Jan/2019 03:49:40] \"POST /api/customer/ HTTP/1.1\" 500 54",
        "Running migrations:",
        "Traceback (most recent call last):",
        "  File \"/app/manage.py\", line 1, in <module>",
        "KeyError: 'x'",
    ]);
    assert_eq!(got, [(1, 14), (15, 15), (16, 16), (17, 19)]);
}

#[test]
fn go_panic_with_old_style_frames_is_one_event() {
    let got = one(&[
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "[signal 0xb code=0x1 addr=0x0 pc=0x643976]",
        "",
        "goroutine 258 [running]:",
        "panic(0x86f860, 0xc82000a080)",
        " /usr/lib/go/src/runtime/panic.go:464 +0x3e6",
        "github.com/x/loggly/adapter.(_Adapter).sendRequest(0xc820067800, 0xc82033ad20)",
        " /go/src/github.com/x/loggly/adapter/adapter.go:110 +0x596",
        "created by github.com/x/loggly/adapter.(_Adapter).flushBuffer",
        " /go/src/github.com/x/loggly/adapter/adapter.go:105 +0x23a",
        "# logspout v3.1-dev-custom by gliderlabs",
    ]);
    assert_eq!(got, [(1, 10), (11, 11)]);
}

#[test]
fn old_node_crash_and_npm_banner_are_events() {
    let got = one(&[
        "",
        "> api@0.0.0 start /api",
        "> node ./bin/www",
        "",
        "internal/modules/cjs/loader.js:979",
        "  throw err;",
        "  ^",
        "",
        "Error: Cannot find module 'http-errors'",
        "Require stack:",
        "- /api/app.js",
        "    at Function.Module._resolveFilename (internal/modules/cjs/loader.js:976:15)",
        "    at Module.require (internal/modules/cjs/loader.js:1036:19)",
        "npm ERR! code ELIFECYCLE",
    ]);
    assert_eq!(got, [(1, 4), (5, 13), (14, 14)]);
}

#[test]
fn spring_banner_is_one_event() {
    let got = one(&[
        "***************************",
        "APPLICATION FAILED TO START",
        "***************************",
        "",
        "Description:",
        "",
        "The Tomcat connector configured to listen on port 8080 failed to start.",
        "",
        "Action:",
        "",
        "Verify the connector's configuration.",
        "",
        "2024-01-01 12:00:00.000  INFO 1 --- [main] o.s.Foo : next",
    ]);
    assert_eq!(got, [(1, 12), (13, 13)]);
}

#[test]
fn postgres_detail_hint_and_hba_lines_join_their_message() {
    let got = one(&[
        "2022-01-11 15:17:24.777 UTC [409] FATAL:  password authentication failed for user \"n\"",
        "2022-01-11 15:17:24.777 UTC [409] DETAIL:  Password does not match for user \"n\".",
        "\tConnection matched pg_hba.conf line 95: \"host all all all md5\"",
        "[24622] WARNING:  terminating connection because of crash of another server process",
        "[24622] DETAIL:  The postmaster has commanded this server process to roll back.",
        "[24622] HINT:  In a moment you should be able to reconnect to the database.",
        "[1] LOG:  all server processes terminated; reinitializing",
    ]);
    assert_eq!(got, [(1, 3), (4, 6), (7, 7)]);
}

#[test]
fn rabbitmq_reports_join_by_repeated_head_or_trailing_colon() {
    let got = one(&[
        "2025-03-23 15:53:54.829712+00:00 [error] <0.994.0> Error on AMQP connection <0.994.0> (state: starting):",
        "2025-03-23 15:53:54.829712+00:00 [error] <0.994.0> PLAIN login refused: user 'guest'",
        "2025-03-23 15:53:54.829994+00:00 [info] <0.994.0> closing AMQP connection <0.994.0>",
        "2020-03-30 07:57:43.395 [error] <0.753.0> Error on AMQP connection <0.753.0> (starting):",
        "PLAIN login refused: user 'guest' can only connect via localhost",
        "2020-03-30 07:57:43.396 [info] <0.753.0> closing AMQP connection <0.753.0>",
    ]);
    assert_eq!(got, [(1, 2), (3, 3), (4, 5), (6, 6)]);
}

#[test]
fn server_error_reports_join_their_reason_lines() {
    let got = one(&[
        "[2021-03-28T20:14:13,436][ERROR][o.e.b.Bootstrap] [elk] node validation exception",
        "[1] bootstrap checks failed",
        "[1]: max virtual memory areas vm.max_map_count [65530] is too low",
        "[9] 14 May 13:19:52.866 * The server is now ready to accept connections",
        "Error: you need to share your Docker host socket with a volume",
        "Typically you should run your container with: '-v /var/run/docker.sock'",
        "Usage: flask run [OPTIONS]",
        "Try 'flask run --help' for help.",
        "",
        "Error: Could not locate a Flask application.",
        "Exiting",
    ]);
    assert_eq!(got, [(1, 3), (4, 4), (5, 6), (7, 10), (11, 11)]);
}

#[test]
fn progress_and_sql_lines_stay_apart_though_indented() {
    let got = one(&[
        "Operations to perform:",
        "  Apply all migrations: admin, auth",
        "Running migrations:",
        "  Applying contenttypes.0001_initial... OK",
        "  Applying auth.0001_initial... OK",
        " * Starting periodic command scheduler cron",
        "   ...done.",
        "Cannot render console from 172.18.0.1!",
        "   (0.2ms)  SELECT \"schema_migrations\".\"version\" FROM \"schema_migrations\"",
        "  \u{21b3} /usr/local/bundle/gems/activerecord/lib/log_subscriber.rb:98",
        "  ",
        "ActiveRecord::PendingMigrationError (",
        "",
        "Migrations are pending. To resolve this issue, run:",
        "",
        "        bin/rails db:migrate RAILS_ENV=development",
        "",
        "):",
        "Exiting",
    ]);
    assert_eq!(
        got,
        [
            (1, 2),
            (3, 3),
            (4, 4),
            (5, 5),
            (6, 6),
            (7, 7),
            (8, 8),
            (9, 11),
            (12, 18),
            (19, 19)
        ]
    );
}

#[test]
fn joining_off_keeps_every_line_apart() {
    let mut a = Assembler::new(Joining::Off);
    let mut n = 0;
    for (i, t) in ["Traceback (most recent call last):", "  File"]
        .iter()
        .enumerate()
    {
        let rec = Record {
            service: 0,
            stream: Stream::Unknown,
            line: i as u64 + 1,
            end_line: i as u64 + 1,
            timestamp: None,
            text: t.as_bytes(),
        };
        a.push(&rec, &mut |_| n += 1);
    }
    a.flush(&mut |_| n += 1);
    assert_eq!(n, 2);
}

#[test]
fn runtime_shapes_with_log_headers_join() {
    let got = one(&[
        "2024-01-01 12:00:00.000 ERROR 1 --- [main] o.s.boot.SpringApplication : Application run failed",
        "org.springframework.beans.factory.BeanCreationException: Error creating bean",
        "\tat org.springframework.Foo.bar(Foo.java:1)",
        "2024/01/01 12:00:00 http: panic serving 10.0.0.1:5000: runtime error: index out of range",
        "goroutine 34 [running]:",
        "net/http.(*conn).serve.func1(0xc000118000)",
        "\t/usr/local/go/src/net/http/server.go:1801 +0x147",
        "Error: connect ECONNREFUSED 127.0.0.1:5432",
        "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1494:16) {",
        "  errno: -111,",
        "  code: 'ECONNREFUSED'",
        "}",
        "PHP Fatal error:  Uncaught Exception: boom in /var/www/a.php:3",
        "Stack trace:",
        "#0 {main}",
        "  thrown in /var/www/a.php on line 3",
        "ready",
    ]);
    assert_eq!(got, [(1, 3), (4, 7), (8, 12), (13, 16), (17, 17)]);
}

#[test]
fn records_that_look_indented_stay_apart() {
    let got = one(&[
        " INFO 1 --- [billing] [main] c.e.Billing : reconciliation finished: 0 errors",
        " INFO 1 --- [billing] [main] c.e.Billing : created invoice",
        "{\"level\":30,\"msg\":\"GET /dashboard\"}",
        " \u{2713} Compiled /dashboard in 8816ms (960 modules)",
    ]);
    assert_eq!(got, [(1, 1), (2, 2), (3, 3), (4, 4)]);
}

#[test]
fn library_detail_lines_join_their_error() {
    let got = one(&[
        "2024-01-15 10:00:00,691 ERROR app.migrations: Migration failed: (psycopg2.errors.X) no",
        "[SQL: DROP INDEX idx_userbase_created_at]",
        "(Background on this error at: https://sqlalche.me/e/20/f405)",
        "2024.01.15 10:00:01.471958 [ 692 ] {} <Error> TCPHandler: Code: 516. DB::Exception: x",
        "0. DB::Exception::Exception(DB::Exception::MessageMasked&&, int, bool) @ 0x000000000c4fd597 in /usr/bin/clickhouse",
        "1. DB::IDatabase::getTable(String const&) const @ 0x0000000011b1f0a9 in /usr/bin/clickhouse",
        "[2024-01-15 10:00:00,911: WARNING/MainProcess] consumer: Connection to broker lost.",
        "Traceback (most recent call last):",
        "  File \"/app/consumer.py\", line 340, in start",
        "ConnectionResetError: [Errno 104] Connection reset by peer",
    ]);
    assert_eq!(got, [(1, 3), (4, 6), (7, 10)]);
}

#[test]
fn node_oom_report_and_python_warning_are_events() {
    let got = one(&[
        "<--- Last few GCs --->",
        "",
        "[27:0x5f1c2a0]  634072 ms: Mark-Compact 2043.1 (2081.6) -> 2042.5 (2082.1) MB",
        "",
        "<--- JS stacktrace --->",
        "",
        "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        " 1: 0xb7a940 node::Abort() [node]",
        "/app/x.py:321: UserWarning: Valid config keys have changed in V2:",
        "* 'orm_mode' has been renamed to 'from_attributes'",
        "  warnings.warn(message, UserWarning)",
        "{\"level\":30,\"msg\":\"x\"}",
        "Error: Cannot find module 'critters'",
        "Require stack:",
        "- /app/node_modules/next/dist/server/render.js",
        "    at Module._load (node:internal/modules/cjs/loader:975:27) {",
        "  code: 'MODULE_NOT_FOUND',",
        "  requireStack: [",
        "    '/app/node_modules/next/dist/server/render.js'",
        "  ]",
        "}",
        "{\"level\":30,\"msg\":\"y\"}",
    ]);
    assert_eq!(got, [(1, 8), (9, 11), (12, 12), (13, 21), (22, 22)]);
}

#[test]
fn spring_exception_after_a_blank_joins_its_log_line() {
    let got = one(&[
        "2024-01-15T10:00:02.132Z ERROR 1 --- [exec-3] o.a.c.c.C : Servlet.service() threw exception",
        "",
        "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
        "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
        "2024-01-15T10:00:03.328Z  INFO 1 --- [exec-9] c.e.Payment : captured",
    ]);
    assert_eq!(got, [(1, 4), (5, 5)]);
}

#[test]
fn repeated_heads_retries_and_reported_banners_join() {
    let got = one(&[
        "2024.01.15 10:00:13.747739 [ 473 ] {} <Fatal> BaseDaemon: ########################################",
        "2024.01.15 10:00:13.747739 [ 473 ] {} <Fatal> BaseDaemon: (version 23.8.2.7 (official build))",
        "2024.01.15 10:00:13.748000 [ 473 ] {} <Information> Application: next",
        "[2024-01-15 10:00:07,090: ERROR/MainProcess] consumer: Cannot connect to amqp://rabbitmq:5672//: refused.",
        "Trying again in 32.00 seconds... (25/100)",
        "",
        "2024-01-15T10:00:10.725Z ERROR 1 --- [main] o.s.b.d.LoggingFailureAnalysisReporter   : ",
        "",
        "***************************",
        "APPLICATION FAILED TO START",
        "***************************",
        "",
        " INFO 1 --- [exec-6] c.e.Payment : captured",
    ]);
    assert_eq!(got, [(1, 2), (3, 3), (4, 6), (7, 12), (13, 13)]);
}

#[test]
fn dev_server_status_lines_stay_apart_and_code_frames_join() {
    let got = one(&[
        " \u{2713} Compiled /settings/billing in 2971ms (2340 modules)",
        " \u{2713} Compiled /dashboard in 998ms (1008 modules)",
        " \u{26a0} Fast Refresh had to perform a full reload.",
        "TypeError: Cannot read properties of undefined (reading 'map')",
        "    at Dashboard (./app/dashboard/page.tsx:42:23)",
        "  41 |       <ul>",
        "> 42 |         {usage.items.map((item) => (",
        "     |                      ^",
        "  43 |           <li key={item.id}>{item.name}</li>",
        "{\"level\":30}",
    ]);
    assert_eq!(got, [(1, 1), (2, 2), (3, 3), (4, 9), (10, 10)]);
}

#[test]
fn a_logged_error_takes_one_plain_reason_line_but_not_another_programs_line() {
    let got = one(&[
        "2024-01-01 12:00:00 0 [ERROR] InnoDB: Unable to lock ./ibdata1 error: 11",
        "Check that you do not already have another mysqld process using the same InnoDB data.",
        "Attempting to collect some information",
        "2024/01/01 12:00:00 [error] 7#7: *1 connect() failed (111: Connection refused)",
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
        "2024-01-01 12:00:01 0 [Note] ready",
        "plain line after an info record",
    ]);
    assert_eq!(got, [(1, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7)]);
}

#[test]
fn dotnet_and_node_warnings_join_their_lines() {
    let got = one(&[
        "fail: Microsoft.AspNetCore.Server.Kestrel[13]",
        "      Connection id \"0HM\": An unhandled exception was thrown by the application.",
        "      System.InvalidOperationException: boom",
        "         at App.Program.Main() in /src/Program.cs:line 12",
        "(node:1) UnhandledPromiseRejectionWarning: Error: x",
        "(Use `node --trace-warnings ...` to show where the warning was created)",
        "info: Microsoft.Hosting.Lifetime[14]",
    ]);
    assert_eq!(got, [(1, 4), (5, 6), (7, 7)]);
}

const VOCABULARY: &[&str] = &[
    "",
    "  ",
    "Traceback (most recent call last):",
    "  File \"x.py\", line 1, in <module>",
    "ValueError: x",
    "During handling of the above exception, another exception occurred:",
    "panic: boom",
    "goroutine 1 [running]:",
    "main.main()",
    "\tat com.foo.Bar(Bar.java:1)",
    "Caused by: java.io.IOException: x",
    "java.lang.IllegalStateException: boom",
    "2024-01-01 ERROR failed:",
    "2024-01-01 INFO ok",
    "node:internal/modules/cjs/loader:1080",
    "Error: Cannot find module 'x'",
    "Require stack:",
    "***************************",
    "> app@1.0.0 start",
    "Usage: x [OPTIONS]",
    "FooError (",
    "):",
    "{",
    "}",
    "[1] bootstrap checks failed",
    "DETAIL:  x",
    "  Applying x... OK",
    "plain words",
    "\u{00e9}\u{0301}\u{ffff}",
];

proptest::proptest! {
    #[test]
    fn events_cover_every_line_exactly_once(
        picks in proptest::collection::vec((0u32..3, 0usize..VOCABULARY.len()), 0..120),
        junk in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
    ) {
        let mut a = Assembler::new(Joining::Auto);
        let mut got: Vec<(u64, u64, u32)> = Vec::new();
        let mut services = Vec::new();
        for (i, (svc, pick)) in picks.iter().enumerate() {
            let n = i as u64 + 1;
            // Every seventh line is raw bytes, to feed the detectors odd input.
            let text: &[u8] = if i % 7 == 6 { &junk } else { VOCABULARY[*pick].as_bytes() };
            services.push(*svc);
            let rec = Record {
                service: *svc,
                stream: Stream::Unknown,
                line: n,
                end_line: n,
                timestamp: None,
                text,
            };
            a.push(&rec, &mut |e| got.push((e.first_line, e.last_line, e.service)));
        }
        a.flush(&mut |e| got.push((e.first_line, e.last_line, e.service)));
        let mut next = 1u64;
        for (first, last, svc) in &got {
            proptest::prop_assert_eq!(*first, next);
            proptest::prop_assert!(last >= first);
            for l in *first..=*last {
                proptest::prop_assert_eq!(services[(l - 1) as usize], *svc);
            }
            next = last + 1;
        }
        proptest::prop_assert_eq!(next, picks.len() as u64 + 1);
    }
}

#[test]
fn node_crash_ends_with_its_version_line_after_the_property_dump() {
    let got = one(&[
        "node:internal/modules/cjs/loader:1080",
        "  throw err;",
        "  ^",
        "",
        "Error: Cannot find module 'express-rate-limit'",
        "Require stack:",
        "- /app/dist/app.js",
        "    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15) {",
        "  code: 'MODULE_NOT_FOUND',",
        "}",
        "",
        "Node.js v18.17.1",
        "[nodemon] app crashed - waiting for file changes before starting...",
    ]);
    assert_eq!(got, [(1, 12), (13, 13)]);
}

#[test]
fn sqlalchemy_statement_over_several_lines_stays_with_its_exception() {
    let got = one(&[
        "Traceback (most recent call last):",
        "  File \"/app/x.py\", line 1, in <module>",
        "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly",
        "\tThis probably means the server terminated abnormally",
        "",
        "[SQL: SELECT orders.id, orders.total ",
        "FROM orders ORDER BY orders.created_at DESC ",
        " LIMIT %(param_1)s]",
        "[parameters: {'param_1': 50}]",
        "(Background on this error at: https://sqlalche.me/e/20/e3q8)",
        "INFO:     172.18.0.1:5000 - \"GET / HTTP/1.1\" 200 OK",
    ]);
    assert_eq!(got, [(1, 10), (11, 11)]);
}

#[test]
fn redis_config_file_error_is_one_report() {
    let got = one(&[
        "*** FATAL CONFIG FILE ERROR (Redis 7.2.4) ***",
        "Reading the configuration file, at line 14",
        ">>> 'maxmemory-policy \"allkeys-lru-x\"'",
        "argument(s) must be one of the following: volatile-lru, allkeys-lru, noeviction",
        "1:C 02 May 2024 14:21:10.001 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
    ]);
    assert_eq!(got, [(1, 4), (5, 5)]);
}

#[test]
fn elasticsearch_8_bootstrap_check_failures_join_their_header() {
    let got = one(&[
        "ERROR: [1] bootstrap checks failed. You must address the points described in the following [1] lines before starting Elasticsearch.",
        "bootstrap check failure [1] of [1]: max virtual memory areas vm.max_map_count [65530] is too low, increase to at least [262144]",
        "ERROR: Elasticsearch did not exit normally - check the logs at /usr/share/elasticsearch/logs/docker-cluster.log",
    ]);
    assert_eq!(got, [(1, 2), (3, 3)]);
}

#[test]
fn clickhouse_stack_trace_after_a_blank_line_joins_its_error() {
    let got = one(&[
        "2024.10.15 07:12:44.662318 [ 47 ] {} <Error> TCPHandler: Code: 516. DB::Exception: Authentication failed. (AUTHENTICATION_FAILED), Stack trace (when copying this message, always include the lines below):",
        "",
        "0. DB::Exception::Exception(DB::Exception::MessageAndPattern&&, int, bool) @ 0x000000000c800f1b",
        "1. DB::TCPHandler::receiveHello() @ 0x0000000012f0e3d4",
        "",
        "2024.10.15 07:12:45.000000 [ 47 ] {} <Information> TCPHandler: Done processing connection.",
    ]);
    assert_eq!(got, [(1, 5), (6, 6)]);
}

#[test]
fn client_program_detail_and_hint_lines_join_its_error() {
    let got = one(&[
        "pg_dump: error: query failed: ERROR:  permission denied for table audit_log",
        "pg_dump: detail: Query was: LOCK TABLE public.audit_log IN ACCESS SHARE MODE",
        "pg_dump: dumping contents of table \"public.orders\"",
        "psql: hint: Is the server running?",
    ]);
    assert_eq!(got, [(1, 2), (3, 3), (4, 4)]);
}

#[test]
fn spring_message_after_an_empty_log_line_joins_it() {
    let got = one(&[
        "2024-06-18T08:02:17.048Z  INFO 1 --- [           main] .s.b.a.l.ConditionEvaluationReportLogger : ",
        "",
        "Error starting ApplicationContext. To display the condition evaluation report re-run your application with 'debug' enabled.",
        "2024-06-18T08:02:17.071Z ERROR 1 --- [           main] o.s.boot.SpringApplication               : Application run failed",
    ]);
    assert_eq!(got, [(1, 3), (4, 4)]);
    // A header with a message of its own does not take the line after a blank.
    let got = one(&[
        "2024-06-18T08:02:17.048Z  INFO 1 --- [main] x.Y : Started",
        "",
        "plain text",
    ]);
    assert_eq!(got, [(1, 2), (3, 3)]);
}

#[test]
fn node_builtin_module_code_frame_opens_a_crash() {
    let got = one(&[
        "node:events:492",
        "      throw er; // Unhandled 'error' event",
        "      ^",
        "",
        "Error: listen EADDRINUSE: address already in use :::3000",
        "    at Server.setupListenHandle [as _listen2] (node:net:1872:16)",
        "Emitted 'error' event on Server instance at:",
        "    at emitErrorNT (node:net:1899:8) {",
        "  code: 'EADDRINUSE',",
        "}",
        "",
        "Node.js v18.18.0",
        "[nodemon] app crashed - waiting for file changes before starting...",
    ]);
    assert_eq!(got, [(1, 12), (13, 13)]);
}

#[test]
fn v8_out_of_memory_report_takes_the_blank_line_before_it() {
    let got = events(&[
        (1, "api line"),
        (0, ""),
        (0, "<--- Last few GCs --->"),
        (0, ""),
        (
            0,
            "[1:0x5d1b2c0]  1412345 ms: Mark-Compact 2034.1 (2082.6) -> 2031.9 (2083.1) MB",
        ),
        (
            0,
            "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        ),
        (0, " 1: 0xb85bc0 node::Abort() [node]"),
    ]);
    assert_eq!(got, [(1, 1), (2, 7)]);
}

#[test]
fn logged_javascript_error_with_frames_is_one_event() {
    let got = one(&[
        "[Nest] 1  - 09/14/2023, 8:31:07 AM   ERROR [ExceptionsHandler] deadlock detected",
        "QueryFailedError: deadlock detected",
        "    at PostgresQueryRunner.query (/app/node_modules/typeorm/driver/postgres/PostgresQueryRunner.js:219:19)",
        "    at async OrdersService.create (/app/dist/orders/orders.service.js:51:13)",
        "[Nest] 1  - 09/14/2023, 8:31:08 AM     LOG [RouterExplorer] next",
    ]);
    assert_eq!(got, [(1, 4), (5, 5)]);
}

#[test]
fn ruby_backtrace_joins_its_from_frames_and_elision() {
    let got = one(&[
        "bundler: failed to load command: sidekiq (/usr/local/bundle/bin/sidekiq)",
        "/usr/local/bundle/gems/redis-4.8.1/lib/redis/client.rb:398:in `rescue in establish_connection': Error connecting to Redis on redis:6379 (Errno::ECONNREFUSED) (Redis::CannotConnectError)",
        "\tfrom /usr/local/bundle/gems/redis-4.8.1/lib/redis/client.rb:379:in `establish_connection'",
        "\t ... 23 levels...",
        "\tfrom /usr/local/lib/ruby/3.1.0/bundler/cli.rb:25:in 'start'",
        "Puma starting in single mode...",
    ]);
    assert_eq!(got, [(1, 5), (6, 6)]);
}

#[test]
fn rails_error_after_a_blank_takes_its_unindented_gem_frames() {
    let got = one(&[
        "Started GET \"/\" for 172.20.0.1 at 2024-03-12 09:14:04 +0000",
        "PG::ConnectionBad (connection to server at \"172.20.0.2\", port 5432 failed: FATAL:  the database system is starting up",
        "):",
        "  ",
        "activerecord (6.1.7.6) lib/active_record/connection_adapters/postgresql_adapter.rb:83:in `rescue in new_client'",
        "activerecord (6.1.7.6) lib/active_record/migration.rb:609:in `connection'",
        "Started GET \"/projects\" for 172.20.0.1 at 2024-03-12 09:15:03 +0000",
        "Processing by ProjectsController#index as HTML",
        "  Project Load (0.8ms)  SELECT \"projects\".* FROM \"projects\" LIMIT $1",
        "  \u{21b3} app/views/projects/index.html.erb:4",
        "  Rendered projects/index.html.erb within layouts/application (Duration: 12.6ms)",
    ]);
    assert_eq!(got, [(1, 1), (2, 6), (7, 7), (8, 8), (9, 10), (11, 11)]);
}

#[test]
fn a_ruby_frame_under_the_same_logger_head_joins_the_error() {
    let got = one(&[
        "2024-03-12T09:15:40.162Z pid=1 tid=2gt WARN: NoMethodError: undefined method `email' for nil:NilClass",
        "2024-03-12T09:15:40.162Z pid=1 tid=2gt WARN: /app/app/jobs/weekly_digest_job.rb:7:in `perform'",
        "/usr/local/bundle/gems/activejob-6.1.7.6/lib/active_job/execution.rb:59:in `block in _perform_job'",
        "2024-03-12T09:15:40.170Z pid=1 tid=2gt WARN: /app/x.rb:7:in `perform'",
        "2024-03-12T09:15:41.000Z pid=1 tid=2cq INFO: Shutting down",
        "/app/config/puma.rb:5:in `<main>'",
    ]);
    // Another head (a later time) starts anew; a frame under a line that is not an error
    // stays apart.
    assert_eq!(got, [(1, 3), (4, 4), (5, 5), (6, 6)]);
}

#[test]
fn laravel_stacktrace_joins_until_its_json_closes() {
    let got = one(&[
        "[2024-02-19 13:02:11] production.ERROR: SQLSTATE[HY000] [2002] Connection refused {\"exception\":\"[object] (PDOException(code: 2002): x at /var/www/html/a.php:70)",
        "[stacktrace]",
        "#0 /var/www/html/vendor/laravel/framework/src/Illuminate/Database/Connection.php(776): run()",
        "#1 {main}",
        "\"}",
        "[2024-02-19 13:02:12] production.INFO: next",
    ]);
    assert_eq!(got, [(1, 5), (6, 6)]);
}

#[test]
fn v8_native_stack_trace_stays_in_the_report() {
    let got = one(&[
        "<--- JS stacktrace --->",
        "",
        "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        "----- Native stack trace -----",
        "",
        " 1: 0xb8a6cc node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]",
        "10: 0x10e72a6 v8::internal::Factory::NewFillerObject(int) [node]",
        "Listening on port 3000",
    ]);
    assert_eq!(got, [(1, 7), (8, 8)]);
}

#[test]
fn a_json_record_over_several_lines_is_one_event() {
    let got = one(&[
        "{\"type\": \"server\", \"level\": \"ERROR\", \"message\": \"uncaught exception in thread [main]\",",
        "\"stacktrace\": [\"org.elasticsearch.bootstrap.StartupException: java.lang.IllegalStateException: failed to obtain node locks\",",
        "\"at org.elasticsearch.bootstrap.Elasticsearch.init(Elasticsearch.java:173) ~[elasticsearch-7.17.18.jar:7.17.18]\",",
        "\"... 12 more\"] }",
        "uncaught exception in thread [main]",
        "java.lang.IllegalStateException: failed to obtain node locks",
        "Likely root cause: java.nio.file.AccessDeniedException: /usr/share/elasticsearch/data/nodes",
        "\tat java.base/sun.nio.fs.UnixException.translateToIOException(UnixException.java:90)",
        "For complete error details, refer to the log at /usr/share/elasticsearch/logs/docker-cluster.log",
        "{\"type\": \"server\", \"level\": \"INFO\", \"message\": \"stopped\" }",
    ]);
    assert_eq!(got, [(1, 4), (5, 9), (10, 10)]);
}

#[test]
fn certbot_report_takes_its_hint_and_help_line() {
    let got = one(&[
        "Certbot failed to authenticate some domains (authenticator: webroot). The Certificate Authority reported these problems:",
        "  Domain: shop.example.com",
        "  Type:   connection",
        "",
        "  Domain: www.shop.example.com",
        "  Type:   dns",
        "",
        "Hint: The Certificate Authority failed to verify the temporary challenge files created by Certbot.",
        "",
        "Some challenges have failed.",
        "Ask for help or search for solutions at https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log",
    ]);
    assert_eq!(got, [(1, 9), (10, 11)]);
}

#[test]
fn rails_tagged_lines_of_one_request_join() {
    let got = one(&[
        "F, [2025-03-04T14:19:05.418320 #1] FATAL -- : [8b0c6a1e-2f3d-4c5b-9a8e-7d6f5e4c3b2a]   ",
        "[8b0c6a1e-2f3d-4c5b-9a8e-7d6f5e4c3b2a] RedisClient::CommandError (MISCONF Redis is configured to save RDB snapshots):",
        "[8b0c6a1e-2f3d-4c5b-9a8e-7d6f5e4c3b2a] app/controllers/invoices_controller.rb:41:in 'InvoicesController#deliver'",
        "[0d1e2f3a-2f3d-4c5b-9a8e-7d6f5e4c3b2a] Started GET \"/\"",
    ]);
    assert_eq!(got, [(1, 3), (4, 4)]);
}

#[test]
fn psycopg_query_position_stays_with_its_exception() {
    let got = one(&[
        "Traceback (most recent call last):",
        "  File \"/app/views.py\", line 31, in list_reports",
        "psycopg2.errors.UndefinedColumn: column reports.archived_at does not exist",
        "LINE 1: ...orts.title AS reports_title, reports.owner_id AS reports_o...",
        "                                                             ^",
        "",
        "The above exception was the direct cause of the following exception:",
        "",
        "Traceback (most recent call last):",
        "  File \"/app/db.py\", line 9, in run",
        "snuba.clickhouse.errors.ClickhouseError: Code: 60.",
        "DB::Exception: Table default.errors_local doesn't exist. Stack trace:",
        "Started",
    ]);
    assert_eq!(got, [(1, 12), (13, 13)]);
}

#[test]
fn laravel_queue_task_lines_stay_apart() {
    let got = one(&[
        "  2024-02-19 13:06:11 App\\Jobs\\SendOrderConfirmation ......................... RUNNING",
        "  2024-02-19 13:06:12 App\\Jobs\\SendOrderConfirmation .................... 812.40ms DONE",
        "  2024-02-19 13:08:12 App\\Jobs\\SyncSupplierStock ........................ 10s FAIL",
    ]);
    assert_eq!(got, [(1, 1), (2, 2), (3, 3)]);
}

#[test]
fn sidekiq_job_exception_joins_its_context_line() {
    let got = one(&[
        "2025-03-04T14:11:48.903Z pid=1 tid=2g3k WARN: {\"context\":\"Job raised exception\",\"job\":{\"retry\":true}}",
        "2025-03-04T14:11:48.903Z pid=1 tid=2g3k WARN: Net::ReadTimeout: Net::ReadTimeout with #<TCPSocket:(closed)>",
        "2025-03-04T14:11:48.903Z pid=1 tid=2g3k WARN: app/services/webhook_sender.rb:23:in 'WebhookSender#deliver'",
        "app/jobs/webhook_delivery_job.rb:8:in 'WebhookDeliveryJob#perform'",
        "2025-03-04T14:11:48.903Z pid=1 tid=2g3k INFO: done",
    ]);
    assert_eq!(got, [(1, 4), (5, 5)]);
}

#[test]
fn keycloak_start_failure_lines_are_one_event() {
    let got = one(&[
        "2024-02-20 10:31:14,030 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Failed to start server in (production) mode",
        "2024-02-20 10:31:14,031 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Failed to obtain JDBC connection",
        "2024-02-20 10:31:14,032 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) For more details run the same command passing the '--verbose' option.",
        "2024-02-20 10:31:15,001 INFO  [io.quarkus] (main) Keycloak stopped in 0.021s",
    ]);
    assert_eq!(got, [(1, 3), (4, 4)]);
}

#[test]
fn a_causes_message_may_run_over_lines_before_its_frames() {
    let got = one(&[
        "2023-09-14 15:00:31.118 ERROR 1 --- [   scheduling-1] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Exception during pool initialization.",
        "com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure",
        "\tat com.acme.reports.DailySalesJob.run(DailySalesJob.java:29) ~[classes!/:1.4.2]",
        "Caused by: com.mysql.cj.exceptions.CJCommunicationsException: Communications link failure",
        "",
        "The last packet sent successfully to the server was 0 milliseconds ago. The driver has not received any packets from the server.",
        "\tat com.mysql.cj.exceptions.ExceptionFactory.createException(ExceptionFactory.java:61)",
        "\t... 12 common frames omitted",
        "2023-09-14 15:00:32.001  INFO 1 --- [main] o.s.b.w.e.tomcat.TomcatWebServer : Tomcat started",
    ]);
    assert_eq!(got, [(1, 8), (9, 9)]);
}

#[test]
fn mysql_crash_report_is_one_event_and_its_frames_join_after_an_interruption() {
    let got = events(&[
        (1, "09:02:17 UTC - mysqld got signal 6 ;"),
        (1, "Most likely, you have hit a bug, but this error can also be caused by malfunctioning hardware."),
        (1, "Thread pointer: 0x0"),
        (1, "stack_bottom = 0 thread_stack 0x100000"),
        (2, "[Sun Feb 11 09:02:17.902214 2024] [php7:warn] [pid 35] PHP Warning:  mysqli_real_connect(): (HY000/2002)"),
        (1, "/usr/sbin/mysqld(my_print_stacktrace(unsigned char const*, unsigned long)+0x41) [0x5610a2f3e1d1]"),
        (1, "/usr/sbin/mysqld(my_abort()+0xe) [0x5610a2f382ee]"),
        (1, "/lib64/libc.so.6(clone+0x43) [0x7f3c88a7de73]"),
        (1, "2024-02-11T09:02:20.000000Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.36) starting as process 1"),
    ]);
    assert_eq!(got, [(1, 4), (5, 5), (6, 8), (9, 9)]);
}

#[test]
fn sql_server_error_number_and_its_message_are_one_event() {
    let got = one(&[
        "2024-07-02 07:13:05.44 Logon       Error: 18456, Severity: 14, State: 8.",
        "2024-07-02 07:13:05.44 Logon       Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: 172.20.0.3]",
        "2024-07-02 07:13:05.44 Logon       Error: 18456, Severity: 14, State: 8.",
        "2024-07-02 07:13:06.01 spid51      Starting up database 'Orders'.",
    ]);
    assert_eq!(got, [(1, 2), (3, 3), (4, 4)]);
}

#[test]
fn a_goroutine_dump_cut_off_its_panic_is_one_event() {
    let got = events(&[
        (
            0,
            "panic: runtime error: invalid memory address or nil pointer dereference",
        ),
        (
            1,
            "1:M 20 May 2024 14:05:00.000 * Background saving started",
        ),
        (0, "goroutine 7 [select]:"),
        (0, "main.(*server).run(0xc0000b2000)"),
        (0, "\t/app/main.go:88 +0x1f4"),
        (0, "{\"level\":\"INFO\",\"msg\":\"restarted\"}"),
    ]);
    assert_eq!(got, [(1, 1), (2, 2), (3, 5), (6, 6)]);
}

#[test]
fn a_dev_servers_proxy_error_takes_the_error_and_its_frames() {
    let got = one(&[
        "9:42:30 AM [vite] http proxy error at /api/products:",
        "Error: connect ECONNREFUSED 172.22.0.4:3000",
        "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)",
        "9:42:31 AM [vite] hmr update /src/App.tsx",
    ]);
    assert_eq!(got, [(1, 3), (4, 4)]);
}

#[test]
fn npm_err_report_is_one_event_across_its_blank() {
    let got = one(&[
        "npm ERR! code 127",
        "npm ERR! path /app",
        "npm ERR! command sh -c nodemon src/worker.js",
        "",
        "npm ERR! A complete log of this run can be found in:",
        "npm ERR!     /root/.npm/_logs/2023-04-12T09_15_00_000Z-debug-0.log",
        "> worker@1.0.0 start",
    ]);
    assert_eq!(got, [(1, 6), (7, 7)]);
}

#[test]
fn an_error_line_after_another_services_blank_stands_apart() {
    let got = events(&[
        (1, "nginx: [emerg] still could not bind()"),
        (0, ""),
        (0, "initdb: error: could not change permissions of directory \"/var/lib/postgresql/data\": Operation not permitted"),
    ]);
    assert_eq!(got, [(1, 1), (2, 2), (3, 3)]);
}

#[test]
fn an_elixir_record_takes_every_line_up_to_the_next_record() {
    let got = one(&[
        "10:16:05.890 [error] #PID<0.2841.0> running ShopWeb.Endpoint (connection #PID<0.2840.0>, stream id 1) terminated",
        "Server: shop.example.com:80 (http)",
        "Request: POST /api/cart/items",
        "** (exit) an exception was raised:",
        "    ** (KeyError) key :unit_price not found in: %{\"qty\" => 2}",
        "        (shop 0.4.2) lib/shop_web/controllers/cart_controller.ex:27: ShopWeb.CartController.add_item/2",
        "",
        "10:20:44.023 request_id=F7yU7Rk0vUeC1a4AAADB [debug] QUERY OK source=\"products\" db=1.4ms",
        "SELECT p0.\"id\" FROM \"products\" AS p0 []",
        "↳ ShopWeb.ProductController.index/2, at: lib/shop_web/controllers/product_controller.ex:9",
        "10:20:44.025 request_id=F7yU7Rk0vUeC1a4AAADB [info] Sent 200 in 6ms",
    ]);
    assert_eq!(got, [(1, 7), (8, 10), (11, 11)]);
    // A time of day alone is not Elixir's head.
    assert!(!is_elixir_record(b"10:20:44.025 GET /health 200"));
}

#[test]
fn a_star_box_is_one_event() {
    let got = one(&[
        "*",
        "* WARNING: ALL SECURITY CONTROLS HAVE BEEN DISABLED!",
        "* ",
        "* This mode is intended for non-production testing only.",
        "*",
        "*",
        "* WARNING: Using the default setting for --cache (128 MiB).",
        "*",
        "I240312 10:15:27.512 server started",
    ]);
    assert_eq!(got, [(1, 5), (6, 8), (9, 9)]);
}

#[test]
fn a_rust_panic_takes_its_message_and_hint() {
    let got = one(&[
        "thread 'tokio-runtime-worker' panicked at src/routes/items.rs:88:41:",
        "called `Option::unwrap()` on a `None` value",
        "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
        "2024-03-12T10:16:40.118705Z  INFO catalog_api: request served",
    ]);
    assert_eq!(got, [(1, 3), (4, 4)]);
}

#[test]
fn an_aligned_summary_joins_its_head_but_unaligned_rows_do_not() {
    let got = one(&[
        "CockroachDB node starting at 2024-03-12 10:15:38.412207833 +0000 UTC (took 10.8s)",
        "build:               CCL v23.2.2 @ 2024/02/29 17:15:28 (go1.21.5)",
        "webui:               http://cockroach:8080",
        "sql (JDBC):          jdbc:postgresql://cockroach:26257/defaultdb?sslmode=disable",
        "PHP Warning:  PDO::__construct(): The server requested authentication method unknown",
        "PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2054] The server requested",
    ]);
    assert_eq!(got, [(1, 4), (5, 5), (6, 6)]);
}

#[test]
fn a_zap_stack_joins_its_error_line() {
    let got = one(&[
        "2024-03-12T10:16:19.551Z\terror\texporterhelper/queue_sender.go:229\tDropping data because sending_queue is full.",
        "go.opentelemetry.io/collector/exporter/exporterhelper.(*queueSender).send",
        "\tgo.opentelemetry.io/collector/exporter@v0.96.0/exporterhelper/queue_sender.go:229",
        "go.opentelemetry.io/collector/consumer.ConsumeTracesFunc.ConsumeTraces",
        "\tgo.opentelemetry.io/collector/consumer@v0.96.0/traces.go:25",
        "2024-03-12T10:16:20.001Z\tinfo\tservice@v0.96.0/service.go:143\tEverything is ready.",
        "github.com/acme/app/internal.Start",
    ]);
    assert_eq!(got, [(1, 5), (6, 6), (7, 7)]);
}

#[test]
fn minios_error_report_is_one_event() {
    let got = one(&[
        "API: PutObject(bucket=raw-events, object=2024/03/12/batch-000214.jsonl.gz)",
        "Time: 10:17:03 UTC 03/12/2024",
        "RequestID: 17BC4F2E9A1D3C58",
        "Error: drive path full (cmd.StorageErr)",
        "       7: internal/logger/logger.go:259:logger.LogIf()",
        "       6: cmd/erasure-object.go:1336:cmd.erasureObjects.putObject()",
        "API: SYSTEM()",
    ]);
    assert_eq!(got, [(1, 6), (7, 7)]);
}

#[test]
fn a_list_of_errors_after_a_blank_joins_its_head() {
    let got = one(&[
        "Error: failed to get config: cannot unmarshal the configuration: 1 error(s) decoding:",
        "",
        "* error decoding 'exporters': unknown type: \"jaeger\" for id: \"jaeger\"",
        "2024/03/12 10:14:58 collector server run finished with error: failed to get config",
    ]);
    assert_eq!(got, [(1, 3), (4, 4)]);
}

#[test]
fn an_ascii_art_banner_is_one_event_with_its_caption_and_blank() {
    // Spring Boot's: a blank, the art, its caption, a blank; then its first record.
    let got = one(&[
        "",
        "  .   ____          _            __ _ _",
        " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
        "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\",
        " \\\\/  ___)| |_)| | | | | || (_| |  ) ) ) )",
        "  '  |____| .__|_| |_|_| |_\\__, | / / / /",
        " =========|_|==============|___/=/_/_/_/",
        " :: Spring Boot ::               (v3.1.10)",
        "",
        "2024-06-11T14:02:11.304Z  INFO 1 --- [main] c.e.billing.App : Starting App",
    ]);
    assert_eq!(got, [(1, 9), (10, 10)]);
    // Airflow's: art alone, then a record.
    let got = one(&[
        "  ____________       _____________",
        " ____    |__( )_________  __/__  /________      __",
        "____  /| |_  /__  ___/_  /_ __  /_  __ \\_ | /| / /",
        "[2024-02-20T08:00:38.214+0000] {executor_loader.py:115} INFO - Loaded executor",
    ]);
    assert_eq!(got, [(1, 3), (4, 4)]);
    // At most two captions in a row; an error line never joins; separators are not art.
    let got = one(&[
        "  / __/___/ /  ___",
        " / _// __/ _ \\/ _ \\",
        "High performance, minimalist Go web framework",
        "https://echo.labstack.com",
        "http server started on [::]:8080",
        "=============================",
        "Welcome to the app",
        "/___/\\__/_//_/\\___/ v4.11.4",
        "Error: listen tcp :8080: bind: address already in use",
    ]);
    assert_eq!(got, [(1, 4), (5, 5), (6, 6), (7, 7), (8, 8), (9, 9)]);
}

#[test]
fn entity_frameworks_command_log_joins_its_statement() {
    // .NET's console logger: the category line, then the indented `Executed DbCommand (27ms)
    // [Parameters=…]` and the statement; ActiveRecord's `User Load (0.4ms)  SELECT …` lines
    // (two spaces after the timing) stay lines of their own under a request line.
    let got = one(&[
        "info: Microsoft.EntityFrameworkCore.Database.Command[20101]",
        "      Executed DbCommand (27ms) [Parameters=[], CommandType='Text', CommandTimeout='30']",
        "      ALTER TABLE [Orders] ADD [Status] int NOT NULL DEFAULT 0;",
        "info: Microsoft.Hosting.Lifetime[14]",
        "      Now listening on: http://[::]:8080",
        "Started GET \"/projects\" for 172.18.0.1 at 2024-01-15 10:00:00 +0000",
        "  Project Load (0.8ms)  SELECT \"projects\".* FROM \"projects\"",
        "  TRANSACTION (0.1ms)  BEGIN",
    ]);
    assert_eq!(got, [(1, 3), (4, 5), (6, 6), (7, 7), (8, 8)]);
}

#[test]
fn mariadbs_version_line_joins_ready_for_connections() {
    let got = one(&[
        "2024-09-03 10:41:03 0 [Note] mariadbd: ready for connections.",
        "Version: '11.3.2-MariaDB-1:11.3.2+maria~ubu2204'  socket: '/run/mysqld/mysqld.sock'  port: 3306  mariadb.org binary distribution",
        "Version: '11.3.2-MariaDB'",
        "2024-09-03 10:41:04 0 [Note] mariadbd: Event Scheduler: Loaded 0 events",
    ]);
    assert_eq!(got, [(1, 2), (3, 3), (4, 4)]);
}
