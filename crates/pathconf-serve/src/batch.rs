//! Continuous batching for the llama backend: one scheduler thread owns the
//! model and runs one decoding step at a time for every sequence in flight,
//! whatever request it belongs to.
//!
//! A request arrives as a [`Job`] (its prompt's ids, settings, one seed per
//! choice). The scheduler admits it between steps while fewer than
//! `max_batch` sequences are decoding: its prompt is prefilled alone (batch
//! 1), and each choice starts from a copy of that cache with its own
//! generator. Each step then feeds every live sequence's last token through
//! [`Llama::step`] — a ragged batch, each row at its own position — and draws
//! each row's next token. Sequences leave the batch when they stop or reach
//! their token limit; a request is answered when its last choice ends.
//!
//! Why a choice does not depend on its batch-mates: [`Llama::step`] gives
//! each row the bits decoding it alone gives (tested in `tests/llm.rs`), and
//! the token draw uses only the row's logits and the choice's own generator.
//! So a completion is the same at any load, in any batch, for a given
//! prompt, settings and seed (`tests/serve.rs` checks it over HTTP).

use crate::backend::{pick, Completed, Settings, Token};
use pathconf_core::generation::token_draw::log_softmax_row;
use pathconf_core::seed::derive;
use pathconf_models::llm::{GgufTokenizer, Llama, LlamaCache};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

/// A request's choices, to be decoded.
pub struct Job {
    /// The prompt's token ids.
    pub prompt: Vec<u32>,
    /// Sampling settings.
    pub settings: Settings,
    /// The request's seed (choice `i` draws with `derive(seed, [i])`).
    pub seed: u64,
    /// Choices.
    pub n: usize,
    /// Where the completions (or why not) go.
    pub reply: mpsc::Sender<Result<Vec<Completed>, String>>,
}

/// One choice being decoded.
struct Sequence {
    job: usize,
    choice: usize,
    cache: LlamaCache,
    rng: ChaCha8Rng,
    tokens: Vec<Token>,
    finished: bool,
}

/// A job whose choices are decoding.
struct Open {
    settings: Settings,
    prompt_tokens: usize,
    done: Vec<Option<Completed>>,
    reply: mpsc::Sender<Result<Vec<Completed>, String>>,
}

/// What the scheduler has done: decoding steps and the rows they carried.
#[derive(Debug, Default)]
pub struct BatchStats {
    steps: AtomicU64,
    rows: AtomicU64,
    widest: AtomicU64,
}

impl BatchStats {
    fn record(&self, rows: usize) {
        self.steps.fetch_add(1, Ordering::Relaxed);
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
        self.widest.fetch_max(rows as u64, Ordering::Relaxed);
    }

    /// `{"steps", "rows", "mean_batch", "widest_batch"}` (prefills not counted).
    pub fn json(&self) -> serde_json::Value {
        let (steps, rows) = (self.steps.load(Ordering::Relaxed), self.rows.load(Ordering::Relaxed));
        serde_json::json!({
            "steps": steps,
            "rows": rows,
            "mean_batch": if steps == 0 { 0.0 } else { rows as f64 / steps as f64 },
            "widest_batch": self.widest.load(Ordering::Relaxed),
        })
    }
}

/// The scheduler's handle: jobs go in, completions come back on each job's
/// channel. Dropping every handle ends the scheduler thread.
#[derive(Clone)]
pub struct Batcher {
    tx: mpsc::Sender<Job>,
    stats: Arc<BatchStats>,
}

impl Batcher {
    /// Starts the scheduler for `model`, decoding at most `max_batch`
    /// sequences per step (a request's choices are admitted together).
    pub fn start(model: Arc<Llama>, tok: Arc<GgufTokenizer>, max_batch: usize) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let stats = Arc::new(BatchStats::default());
        let shared = stats.clone();
        std::thread::Builder::new()
            .name("pathconf-batcher".into())
            .spawn(move || Scheduler { model, tok, max_batch: max_batch.max(1), jobs: Vec::new(), live: Vec::new(), stats: shared }.run(rx))
            .expect("the scheduler thread starts");
        Self { tx, stats }
    }

    /// What the scheduler has done so far.
    pub fn stats(&self) -> &BatchStats {
        &self.stats
    }

    /// Decodes `job` and waits for its completions.
    pub fn complete(&self, prompt: Vec<u32>, settings: Settings, seed: u64, n: usize) -> Result<Vec<Completed>, String> {
        let (reply, answer) = mpsc::channel();
        self.tx.send(Job { prompt, settings, seed, n, reply }).map_err(|_| "the model's scheduler has stopped".to_string())?;
        answer.recv().map_err(|_| "the model's scheduler has stopped".to_string())?
    }
}

struct Scheduler {
    model: Arc<Llama>,
    tok: Arc<GgufTokenizer>,
    max_batch: usize,
    jobs: Vec<Option<Open>>,
    live: Vec<Sequence>,
    stats: Arc<BatchStats>,
}

impl Scheduler {
    fn run(mut self, rx: mpsc::Receiver<Job>) {
        let mut waiting: VecDeque<Job> = VecDeque::new();
        loop {
            // Block only when nothing decodes; otherwise take what came.
            if self.live.is_empty() && waiting.is_empty() {
                match rx.recv() {
                    Ok(job) => waiting.push_back(job),
                    Err(_) => return,
                }
            }
            waiting.extend(rx.try_iter());
            while self.live.len() < self.max_batch {
                let Some(job) = waiting.pop_front() else { break };
                self.admit(job);
            }
            if !self.live.is_empty() {
                if let Err(e) = self.step() {
                    self.fail_all(&e);
                }
            }
            // Forget answered jobs once none is open (job ids are indices).
            if self.jobs.iter().all(Option::is_none) {
                self.jobs.clear();
            }
        }
    }

    /// Prefills `job`'s prompt alone and starts its choices, each with the
    /// first token drawn.
    fn admit(&mut self, job: Job) {
        let s = job.settings;
        let capacity = job.prompt.len() + s.max_tokens;
        if capacity > self.model.config.context {
            let _ = job.reply.send(Err(format!(
                "{} prompt tokens + max_tokens {} exceed the model's context of {} tokens",
                job.prompt.len(),
                s.max_tokens,
                self.model.config.context
            )));
            return;
        }
        let prefill = || -> candle_core::Result<(LlamaCache, Vec<f32>)> {
            let mut cache = self.model.new_cache(1, capacity)?;
            let input = candle_core::Tensor::from_vec(job.prompt.clone(), (1, job.prompt.len()), self.model.device())?;
            let row = self.model.forward(&input, &mut cache)?.squeeze(0)?.to_vec1()?;
            Ok((cache, row))
        };
        let (cache, row) = match prefill() {
            Ok(x) => x,
            Err(e) => {
                let _ = job.reply.send(Err(e.to_string()));
                return;
            }
        };
        let logp = log_softmax_row(&row);
        let id = self.jobs.len();
        self.jobs.push(Some(Open { settings: s, prompt_tokens: job.prompt.len(), done: vec![None; job.n], reply: job.reply }));
        for choice in 0..job.n {
            let mut seq = Sequence {
                job: id,
                choice,
                cache: cache.clone(),
                rng: ChaCha8Rng::seed_from_u64(derive(job.seed, &[choice as u64])),
                tokens: Vec::new(),
                finished: false,
            };
            self.draw(&mut seq, &logp);
            if self.ended(&seq) {
                self.finish(seq);
            } else {
                self.live.push(seq);
            }
        }
    }

    /// Draws `seq`'s next token from its log-probabilities.
    fn draw(&self, seq: &mut Sequence, logp: &[f64]) {
        let s = &self.jobs[seq.job].as_ref().expect("open").settings;
        let (t, token) = pick(logp, s, seq.rng.random(), |t| self.tok.decode(&[t as u32]).unwrap_or_default());
        seq.tokens.push(token);
        seq.finished = self.tok.is_stop(t as u32);
    }

    fn ended(&self, seq: &Sequence) -> bool {
        seq.finished || seq.tokens.len() >= self.jobs[seq.job].as_ref().expect("open").settings.max_tokens
    }

    /// One decoding step of every live sequence.
    fn step(&mut self) -> candle_core::Result<()> {
        let ids: Vec<u32> = self.live.iter().map(|q| q.tokens.last().expect("a drawn token").id).collect();
        self.stats.record(ids.len());
        let logits = {
            let mut caches: Vec<&mut LlamaCache> = self.live.iter_mut().map(|q| &mut q.cache).collect();
            self.model.step(&ids, &mut caches)?
        };
        let rows: Vec<Vec<f32>> = logits.to_vec2()?;
        let live = std::mem::take(&mut self.live);
        for (mut seq, row) in live.into_iter().zip(rows) {
            self.draw(&mut seq, &log_softmax_row(&row));
            if self.ended(&seq) {
                self.finish(seq);
            } else {
                self.live.push(seq);
            }
        }
        Ok(())
    }

    /// Records a finished choice; answers its request when it was the last.
    fn finish(&mut self, seq: Sequence) {
        let open = self.jobs[seq.job].as_mut().expect("open");
        let generated: Vec<u32> = seq.tokens.iter().map(|t| t.id).collect();
        let text = self.tok.decode(&generated).unwrap_or_default();
        open.done[seq.choice] = Some(Completed { text, tokens: seq.tokens, finished: seq.finished, prompt_tokens: open.prompt_tokens });
        if open.done.iter().all(Option::is_some) {
            let open = self.jobs[seq.job].take().expect("open");
            let _ = open.reply.send(Ok(open.done.into_iter().map(|c| c.expect("all done")).collect()));
        }
    }

    /// A step failed: every request in flight gets the error.
    fn fail_all(&mut self, e: &candle_core::Error) {
        self.live.clear();
        for open in self.jobs.drain(..).flatten() {
            let _ = open.reply.send(Err(format!("decoding failed: {e}")));
        }
    }
}
