//! Continuous batching: one scheduler thread owns the model and runs one
//! decoding step at a time for every sequence in flight, whatever request
//! it belongs to (both built-in models: [`Decoder`]).
//!
//! A request arrives as a [`Job`] (its prompt's ids, settings, one seed per
//! choice). The scheduler admits it between steps while fewer than
//! `max_batch` sequences are decoding: its prompt is prefilled alone (batch
//! 1), and each choice starts from a copy of that cache with its own
//! generator. Each step then feeds every live sequence's last token through
//! [`Decoder::step`] — a ragged batch, each row at its own position — and draws
//! each row's next token. Sequences leave the batch when they stop or reach
//! their token limit; a request is answered when its last choice ends.
//!
//! Why a choice does not depend on its batch-mates: each model's ragged step
//! ([`Llama::step`]; the tiny model's [`PortableModel`] steps each sequence
//! alone) gives a row the same bits at any batch size and company (tested
//! in `tests/llm.rs` and `tests/tiny.rs`), and
//! the token draw uses only the row's logits and the choice's own generator.
//! So a completion is the same at any load, in any batch, for a given
//! prompt, settings and seed (`tests/serve.rs` checks it over HTTP).

use crate::backend::{pick, Completed, Settings, Token};
use pathconf_core::generation::token_draw::log_softmax_row;
use pathconf_core::seed::derive;
use pathconf_models::llm::{GgufTokenizer, Llama, LlamaCache};
use pathconf_models::tiny::portable::KvCache;
use pathconf_models::tiny::PortableModel;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

/// A model the scheduler decodes with: a batch-1 prefill and a ragged step
/// whose rows do not depend on each other.
pub trait Decoder: Send + Sync + 'static {
    /// One sequence's key/value cache.
    type Cache: Clone + Send;
    /// How many tokens a completion of a `prompt`-token prompt may have when
    /// `max_tokens` are asked for (`Err`: the request cannot be served).
    fn limit(&self, prompt: usize, max_tokens: usize) -> Result<usize, String>;
    /// The prompt alone: its cache (room for `limit` more tokens) and the
    /// next token's log-probabilities.
    fn prefill(&self, prompt: &[u32], limit: usize) -> candle_core::Result<(Self::Cache, Vec<f64>)>;
    /// One step of independent sequences: each row's log-probabilities.
    fn step(&self, ids: &[u32], caches: &mut [&mut Self::Cache]) -> candle_core::Result<Vec<Vec<f64>>>;
    /// Whether `t` ends a completion.
    fn is_stop(&self, t: u32) -> bool;
    /// One token's text.
    fn token_text(&self, t: u32) -> String;
    /// A completion's text (tokens decoded together).
    fn text(&self, ids: &[u32]) -> String;
}

/// SmolLM2 (any llama GGUF) with its tokenizer.
pub struct LlamaDecoder {
    /// The model.
    pub model: Llama,
    /// Its tokenizer.
    pub tok: std::sync::Arc<GgufTokenizer>,
}

impl Decoder for LlamaDecoder {
    type Cache = LlamaCache;

    fn limit(&self, prompt: usize, max_tokens: usize) -> Result<usize, String> {
        let context = self.model.config.context;
        if prompt + max_tokens > context {
            return Err(format!("{prompt} prompt tokens + max_tokens {max_tokens} exceed the model's context of {context} tokens"));
        }
        Ok(max_tokens)
    }

    fn prefill(&self, prompt: &[u32], limit: usize) -> candle_core::Result<(LlamaCache, Vec<f64>)> {
        let mut cache = self.model.new_cache(1, prompt.len() + limit)?;
        let input = candle_core::Tensor::from_vec(prompt.to_vec(), (1, prompt.len()), self.model.device())?;
        let row: Vec<f32> = self.model.forward(&input, &mut cache)?.squeeze(0)?.to_vec1()?;
        Ok((cache, log_softmax_row(&row)))
    }

    fn step(&self, ids: &[u32], caches: &mut [&mut LlamaCache]) -> candle_core::Result<Vec<Vec<f64>>> {
        let rows: Vec<Vec<f32>> = self.model.step(ids, caches)?.to_vec2()?;
        Ok(rows.iter().map(|r| log_softmax_row(r)).collect())
    }

    fn is_stop(&self, t: u32) -> bool {
        self.tok.is_stop(t)
    }

    fn token_text(&self, t: u32) -> String {
        self.tok.decode(&[t]).unwrap_or_default()
    }

    fn text(&self, ids: &[u32]) -> String {
        self.tok.decode(ids).unwrap_or_default()
    }
}

/// The tiny transformer.
pub struct TinyDecoder {
    /// The model.
    pub model: PortableModel,
    /// A token's text.
    pub token_text: fn(u32) -> String,
    /// The end-of-sequence token.
    pub eos: u32,
}

impl Decoder for TinyDecoder {
    type Cache = KvCache;

    fn limit(&self, prompt: usize, max_tokens: usize) -> Result<usize, String> {
        // The model's positions end at max_len: a completion stops there.
        Ok(max_tokens.min(self.model.config.max_len.saturating_sub(prompt)))
    }

    fn prefill(&self, prompt: &[u32], _limit: usize) -> candle_core::Result<(KvCache, Vec<f64>)> {
        let mut cache = self.model.cache();
        let row = self.model.prefill(prompt, &mut cache).map_err(candle_core::Error::wrap)?;
        Ok((cache, row))
    }

    fn step(&self, ids: &[u32], caches: &mut [&mut KvCache]) -> candle_core::Result<Vec<Vec<f64>>> {
        ids.iter().zip(caches.iter_mut()).map(|(&t, cache)| self.model.push(t, cache).map_err(candle_core::Error::wrap)).collect()
    }

    fn is_stop(&self, t: u32) -> bool {
        t == self.eos
    }

    fn token_text(&self, t: u32) -> String {
        (self.token_text)(t)
    }

    fn text(&self, ids: &[u32]) -> String {
        ids.iter().map(|&t| (self.token_text)(t)).collect()
    }
}

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
struct Sequence<C> {
    job: u64,
    choice: usize,
    cache: C,
    rng: ChaCha8Rng,
    tokens: Vec<Token>,
    finished: bool,
}

/// A job whose choices are decoding.
struct Open {
    settings: Settings,
    /// Most tokens per choice (the request's, or what the model can hold).
    limit: usize,
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
    pub fn start<D: Decoder>(model: D, max_batch: usize) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let stats = Arc::new(BatchStats::default());
        let shared = stats.clone();
        std::thread::Builder::new()
            .name("pathconf-batcher".into())
            .spawn(move || Scheduler { model, max_batch: max_batch.max(1), jobs: HashMap::new(), next_job: 0, live: Vec::new(), stats: shared }.run(rx))
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

struct Scheduler<D: Decoder> {
    model: D,
    max_batch: usize,
    /// Requests with choices still decoding, by id.
    jobs: HashMap<u64, Open>,
    next_job: u64,
    live: Vec<Sequence<D::Cache>>,
    stats: Arc<BatchStats>,
}

impl<D: Decoder> Scheduler<D> {
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
        }
    }

    /// Prefills `job`'s prompt alone and starts its choices, each with the
    /// first token drawn.
    fn admit(&mut self, job: Job) {
        let limit = match self.model.limit(job.prompt.len(), job.settings.max_tokens) {
            Ok(l) => l,
            Err(e) => {
                let _ = job.reply.send(Err(e));
                return;
            }
        };
        let (cache, logp) = match self.model.prefill(&job.prompt, limit) {
            Ok(x) => x,
            Err(e) => {
                let _ = job.reply.send(Err(e.to_string()));
                return;
            }
        };
        let id = self.next_job;
        self.next_job += 1;
        self.jobs.insert(id, Open { settings: job.settings, limit, prompt_tokens: job.prompt.len(), done: vec![None; job.n], reply: job.reply });
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
    fn draw(&self, seq: &mut Sequence<D::Cache>, logp: &[f64]) {
        let s = &self.jobs[&seq.job].settings;
        let (t, token) = pick(logp, s, seq.rng.random(), |t| self.model.token_text(t as u32));
        seq.tokens.push(token);
        seq.finished = !s.ignore_eos && self.model.is_stop(t as u32);
    }

    fn ended(&self, seq: &Sequence<D::Cache>) -> bool {
        seq.finished || seq.tokens.len() >= self.jobs[&seq.job].limit
    }

    /// One decoding step of every live sequence.
    fn step(&mut self) -> candle_core::Result<()> {
        let ids: Vec<u32> = self.live.iter().map(|q| q.tokens.last().expect("a drawn token").id).collect();
        self.stats.record(ids.len());
        let rows = {
            let mut caches: Vec<&mut D::Cache> = self.live.iter_mut().map(|q| &mut q.cache).collect();
            self.model.step(&ids, &mut caches)?
        };
        let live = std::mem::take(&mut self.live);
        for (mut seq, row) in live.into_iter().zip(rows) {
            self.draw(&mut seq, &row);
            if self.ended(&seq) {
                self.finish(seq);
            } else {
                self.live.push(seq);
            }
        }
        Ok(())
    }

    /// Records a finished choice; answers its request when it was the last.
    fn finish(&mut self, seq: Sequence<D::Cache>) {
        let generated: Vec<u32> = seq.tokens.iter().map(|t| t.id).collect();
        let text = self.model.text(&generated);
        let open = self.jobs.get_mut(&seq.job).expect("open");
        open.done[seq.choice] = Some(Completed { text, tokens: seq.tokens, finished: seq.finished, prompt_tokens: open.prompt_tokens });
        if open.done.iter().all(Option::is_some) {
            let open = self.jobs.remove(&seq.job).expect("open");
            let _ = open.reply.send(Ok(open.done.into_iter().map(|c| c.expect("all done")).collect()));
        }
    }

    /// A step failed: every request in flight gets the error.
    fn fail_all(&mut self, e: &candle_core::Error) {
        self.live.clear();
        for (_, open) in self.jobs.drain() {
            let _ = open.reply.send(Err(format!("decoding failed: {e}")));
        }
    }
}
