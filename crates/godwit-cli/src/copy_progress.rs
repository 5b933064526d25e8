//! Progress of `godwit copy` on stderr: bars on a terminal (a total and one per table being copied,
//! with rows, rows/s, MB/s and ETA), plain lines every few seconds otherwise (logs, CI, pipes).

use godwit_transfer::{Control, TableStatus};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Seconds between plain progress lines (`GODWIT_PROGRESS_SECONDS`, default 2).
fn plain_interval() -> Duration {
    std::env::var("GODWIT_PROGRESS_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(2))
}

/// Draws the run's progress until `done` fires; returns once the last state is drawn.
pub async fn watch(control: Control, mut done: tokio::sync::oneshot::Receiver<()>) {
    let terminal = std::io::stderr().is_terminal();
    let mut view = View::new(terminal);
    let mut tick = tokio::time::interval(if terminal {
        Duration::from_millis(200)
    } else {
        plain_interval()
    });
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut told = false;
    loop {
        tokio::select! {
            _ = &mut done => break,
            _ = tick.tick() => view.draw(&control.tables(), control.phase(), false),
            _ = control.stopped(), if !told => {
                told = true;
                view.say("interrupt: stopping; the chunks being copied roll back (Ctrl-C again to quit at once)");
            }
        }
    }
    view.draw(&control.tables(), control.phase(), true);
}

/// What the display keeps of a table.
struct Seen {
    bar: Option<ProgressBar>,
    reported: bool,
}

struct View {
    started: Instant,
    terminal: bool,
    /// The bars, made on the first draw that has tables.
    bars: Option<(MultiProgress, ProgressBar)>,
    tables: BTreeMap<String, Seen>,
}

impl View {
    fn new(terminal: bool) -> View {
        View {
            started: Instant::now(),
            terminal,
            bars: None,
            tables: BTreeMap::new(),
        }
    }

    fn bars(&mut self) -> Option<&(MultiProgress, ProgressBar)> {
        if self.terminal && self.bars.is_none() {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(5));
            let total = multi.add(ProgressBar::new(0));
            total.set_style(
                ProgressStyle::with_template(
                    "{prefix:>24.bold} [{bar:30.cyan/blue}] {percent:>3}% {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            total.set_prefix("total");
            self.bars = Some((multi, total));
        }
        self.bars.as_ref()
    }

    /// A line above the bars (or plain).
    fn say(&self, line: &str) {
        match &self.bars {
            Some((multi, _)) => {
                let _ = multi.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    fn draw(&mut self, tables: &[TableStatus], phase: &str, last: bool) {
        if tables.is_empty() {
            return;
        }
        self.bars();
        let now = Instant::now();
        let all: u64 = tables.iter().map(TableStatus::processed).sum();
        let at_start: u64 = tables.iter().map(|t| t.rows_before).sum();
        let total_rows: u64 = tables.iter().map(TableStatus::expected).sum();
        let bytes: u64 = tables
            .iter()
            .map(|t| t.bytes_done + t.bytes_in_flight)
            .sum();
        // Rates from when the first chunk began, not from the connections and the plan.
        let began = tables
            .iter()
            .filter_map(|t| t.started)
            .min()
            .unwrap_or(self.started);
        let elapsed = now.duration_since(began).as_secs_f64().max(0.001);
        let rate = all.saturating_sub(at_start) as f64 / elapsed;
        let tables_done = tables.iter().filter(|t| t.finished()).count();
        let summary = format!(
            "{phase}: {}/{} rows, {} rows/s, {:.1} MB/s, ETA {}, {tables_done}/{} tables",
            all,
            total_rows,
            rate.round() as u64,
            bytes as f64 / 1e6 / elapsed,
            eta(total_rows.saturating_sub(all), rate),
            tables.len()
        );
        let mut active = Vec::new();
        let mut finished_now = Vec::new();
        for t in tables {
            let seen = self.tables.entry(t.table.clone()).or_insert(Seen {
                bar: None,
                // Tables done by an earlier invocation are not announced again.
                reported: t.finished(),
            });
            if t.finished() {
                if !seen.reported {
                    seen.reported = true;
                    finished_now.push(t);
                }
                if let Some(bar) = seen.bar.take() {
                    bar.finish_and_clear();
                    if let Some((multi, _)) = &self.bars {
                        multi.remove(&bar);
                    }
                }
                continue;
            }
            let Some(since) = t.started else {
                continue; // not started yet
            };
            let table_elapsed = now.duration_since(since).as_secs_f64().max(0.001);
            let table_rate = t.processed().saturating_sub(t.rows_before) as f64 / table_elapsed;
            let message = format!(
                "{}/{} rows, {} rows/s, {:.1} MB/s, ETA {}",
                t.processed(),
                t.expected(),
                table_rate.round() as u64,
                (t.bytes_done + t.bytes_in_flight) as f64 / 1e6 / table_elapsed,
                eta(t.expected().saturating_sub(t.processed()), table_rate)
            );
            if let Some((multi, _)) = &self.bars {
                let bar = seen.bar.get_or_insert_with(|| {
                    let bar = multi.add(ProgressBar::new(0));
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{prefix:>24} [{bar:30.green/white}] {percent:>3}% {msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                    bar.set_prefix(short(&t.table, 24));
                    bar
                });
                bar.set_length(t.expected());
                bar.set_position(t.processed());
                bar.set_message(message.clone());
            }
            active.push(format!(
                "{} {}%",
                t.table,
                percent(t.processed(), t.expected())
            ));
        }
        let finished_lines: Vec<String> = finished_now
            .iter()
            .map(|t| {
                let rejected = if t.rows_rejected > 0 {
                    format!(", {} rejected", t.rows_rejected)
                } else {
                    String::new()
                };
                format!(
                    "copied {}: {} rows{rejected}, {} chunks",
                    t.table, t.rows_done, t.chunks_total
                )
            })
            .collect();
        match &self.bars {
            Some((multi, total)) => {
                for line in finished_lines {
                    let _ = multi.println(line);
                }
                total.set_length(total_rows);
                total.set_position(all);
                total.set_message(summary);
                if last {
                    for seen in self.tables.values_mut() {
                        if let Some(bar) = seen.bar.take() {
                            bar.finish_and_clear();
                        }
                    }
                    total.finish_and_clear();
                    let _ = multi.clear();
                }
            }
            None => {
                for line in finished_lines {
                    eprintln!("{line}");
                }
                if !last {
                    let copying = if active.is_empty() {
                        String::new()
                    } else {
                        format!("; copying {}", active.join(", "))
                    };
                    eprintln!("progress: {}% {summary}{copying}", percent(all, total_rows));
                }
            }
        }
    }
}

fn percent(part: u64, whole: u64) -> u64 {
    (part.min(whole) * 100).checked_div(whole).unwrap_or(100)
}

/// Time left at `rate` rows per second, as `42s`, `3m05s` or `2h07m`; `?` before any rate is known.
fn eta(rows_left: u64, rate: f64) -> String {
    if rows_left == 0 {
        return "0s".into();
    }
    if rate < 0.5 {
        return "?".into();
    }
    let seconds = (rows_left as f64 / rate).ceil() as u64;
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// The end of a long name, marked with `…`, so bars line up.
fn short(name: &str, width: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= width {
        name.to_string()
    } else {
        let tail: String = chars[chars.len() - (width - 1)..].iter().collect();
        format!("…{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_reads_in_seconds_minutes_and_hours() {
        assert_eq!(eta(0, 0.0), "0s");
        assert_eq!(eta(100, 0.0), "?");
        assert_eq!(eta(100, 10.0), "10s");
        assert_eq!(eta(185, 1.0), "3m05s");
        assert_eq!(eta(7620, 1.0), "2h07m");
    }

    #[test]
    fn expected_rows_never_fall_below_what_was_seen() {
        let mut t = TableStatus {
            table: "public.t".into(),
            chunks_total: 2,
            rows_estimate: Some(100),
            ..Default::default()
        };
        assert_eq!(t.expected(), 100);
        t.rows_done = 90;
        t.rows_in_flight = 30;
        assert_eq!(t.expected(), 120);
        t.chunks_done = 2;
        t.rows_in_flight = 0;
        t.rows_rejected = 5;
        assert_eq!((t.expected(), t.processed()), (95, 95));
        assert_eq!(percent(50, 0), 100);
        assert_eq!(short("public.a_very_long_name", 8), "…ng_name");
    }
}
