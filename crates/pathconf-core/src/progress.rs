//! Progress reporting as an observer, apart from the computations (argmin's
//! observer pattern): the core calls [`Observer::advance`]; the CLI supplies an
//! indicatif bar on a terminal and nothing when output is piped.

use std::io::IsTerminal;

/// Receives progress from long computations. The default methods do nothing.
pub trait Observer: Sync {
    /// `k` more units of work are done.
    fn advance(&self, _k: u64) {}

    /// A unit of work is about to start. An observer may unwind from here to
    /// cancel the computation (the Python bindings do on Ctrl-C): parallel
    /// loops call it first thing in each item, so the items not yet started
    /// end at once instead of running to completion. Nothing computed
    /// depends on it.
    fn checkpoint(&self) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;
impl Observer for Quiet {}

/// An indicatif progress bar, shown only when stderr is a terminal.
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    /// A bar of `total` units with a message; hidden when stderr is not a terminal.
    pub fn new(total: u64, message: &str) -> Self {
        if !std::io::stderr().is_terminal() || total == 0 {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({elapsed} elapsed, eta {eta})")
                .expect("static template")
                .progress_chars("=> "),
        );
        bar.set_message(message.to_string());
        Self(Some(bar))
    }

    /// A bar of `total` bytes (shown as sizes and a rate); hidden when
    /// stderr is not a terminal.
    pub fn bytes(total: u64, message: &str) -> Self {
        let bar = Self::new(total, message);
        if let Some(b) = &bar.0 {
            b.set_style(
                indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {bytes}/{total_bytes} ({binary_bytes_per_sec}, eta {eta})")
                    .expect("static template")
                    .progress_chars("=> "),
            );
        }
        bar
    }

    /// A spinner with a running count, for work of unknown size.
    pub fn spinner(message: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {msg}: {pos} work units, {elapsed} elapsed").expect("static template"));
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self(Some(bar))
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Observer for Bar {
    fn advance(&self, k: u64) {
        if let Some(b) = &self.0 {
            b.inc(k);
        }
    }
}
