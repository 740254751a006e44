//! Long calls run with the GIL released and stop on Ctrl-C.
//!
//! The work runs on a scoped thread; the calling thread waits for it without
//! the GIL (other Python threads run meanwhile) and, every 50 ms, takes the
//! GIL to let Python handle pending signals. On `KeyboardInterrupt` it raises
//! a flag that the work's progress observer reads: the work's next checkpoint
//! ([`Observer::checkpoint`], at the start of each parallel item) unwinds it (a [`Cancelled`] payload, caught here; rayon carries it
//! across its worker threads), so the call returns promptly and leaves
//! nothing running. Results do not depend on this: the library's work is
//! deterministic for a seed whatever the threads.

use pathconf_core::progress::Observer;
use pyo3::prelude::*;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// The unwinding payload of a cancelled computation.
struct Cancelled;

/// Progress observer that unwinds once the flag is raised.
struct Cancellable<'a>(&'a AtomicBool);

impl Observer for Cancellable<'_> {
    fn checkpoint(&self) {
        if self.0.load(Ordering::Relaxed) {
            // `resume_unwind` skips the panic hook: nothing is printed.
            resume_unwind(Box::new(Cancelled));
        }
    }

    fn advance(&self, _k: u64) {
        self.checkpoint();
    }
}

/// Why a detached call did not return a value.
pub enum Failure<E> {
    /// The work's own error.
    Work(E),
    /// A Python exception (KeyboardInterrupt, or a signal handler's).
    Python(PyErr),
}

impl<E> Failure<E> {
    /// As a Python exception, converting the work's error with `convert`.
    pub fn into_py(self, convert: impl FnOnce(E) -> PyErr) -> PyErr {
        match self {
            Failure::Work(e) => convert(e),
            Failure::Python(e) => e,
        }
    }
}

/// Runs `work` without the GIL, honouring Ctrl-C (see the module docs). A
/// panic in `work` (a bug) is re-raised as Python's `PanicException`.
pub fn detached<T: Send, E: Send>(py: Python<'_>, work: impl FnOnce(&dyn Observer) -> Result<T, E> + Send) -> Result<T, Failure<E>> {
    let cancel = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        let cancel = &cancel;
        s.spawn(move || {
            let observer = Cancellable(cancel);
            let _ = tx.send(catch_unwind(AssertUnwindSafe(|| work(&observer))));
        });
        let mut rx = rx;
        loop {
            // The receiver moves in and out: it is `Send` but not `Sync`.
            let (received, back) = py.detach(move || (rx.recv_timeout(Duration::from_millis(50)), rx));
            rx = back;
            match received {
                Ok(Ok(result)) => return result.map_err(Failure::Work),
                Ok(Err(payload)) if payload.is::<Cancelled>() => unreachable!("cancelled only after an exception, which returns below"),
                Ok(Err(payload)) => resume_unwind(payload),
                Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("the worker always sends"),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        cancel.store(true, Ordering::Relaxed);
                        // Wait (without the GIL) for the work to unwind or finish.
                        let _ = py.detach(move || rx.recv());
                        return Err(Failure::Python(e));
                    }
                }
            }
        }
    })
}
