//! `pathconf sample --questions FILE --out FILE [--gguf PATH] [--n 64] …`:
//! reasoning paths from a llama-architecture GGUF model as pathconf JSONL.
//! Resumable: questions whose id is already in `--out` are skipped; the file
//! is rewritten atomically after each question.
//!
//! With `--endpoint URL --model NAME`, the paths come from an
//! OpenAI-compatible server instead, a stopping rule deciding online
//! (`endpoint.rs`).

use pathconf::eval::formats::jsonl::{PathRecord, QuestionRecord};
use pathconf::generation::GenerationConfig;
use pathconf::llm::generate::sample_paths;
use pathconf::llm::questions::{prompt_text, read};
use pathconf::llm::{GgufTokenizer, Kernels, Llama};
use pathconf::output::write_atomic;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) server: super::endpoint::ServerArgs,
    /// Questions JSONL, one `{"id", "question", "answer"}` per line.
    #[arg(long)]
    pub(crate) questions: PathBuf,
    /// Output pathconf JSONL (built-in model: appended to when it exists;
    /// --endpoint: a draw per line, an existing file needs --resume).
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// GGUF model [default: $PATHCONF_MODELS or ~/.cache/pathconf/models/SmolLM2-135M-Instruct.Q4_1.gguf].
    #[arg(long)]
    gguf: Option<PathBuf>,
    /// How the GGUF's matrices are multiplied: `quantized` (the file's 4/8-bit formats, fast) or
    /// `f32` (dequantized; what the committed data/smollm2_paths.jsonl was sampled with).
    #[arg(long, value_parser = super::named::<Kernels>(), default_value = "quantized")]
    kernels: Kernels,
    /// Paths per question (with --endpoint: the most draws per question).
    #[arg(long, default_value_t = 64)]
    pub(crate) n: usize,
    /// Softmax temperature.
    #[arg(long, default_value_t = 1.0)]
    pub(crate) temperature: f64,
    /// Nucleus (top-p) mass.
    #[arg(long, default_value_t = 0.95)]
    pub(crate) top_p: f64,
    /// Longest generation in tokens.
    #[arg(long, default_value_t = 256)]
    pub(crate) max_new_tokens: usize,
    /// Paths decoded together.
    #[arg(long, default_value_t = 64)]
    batch: usize,
    /// Seed (each question's RNG is derived from it and the question's index).
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Keep generating after stop tokens: every path gets exactly
    /// --max-new-tokens tokens (throughput measurements, like vLLM's ignore_eos).
    #[arg(long)]
    ignore_eos: bool,
    /// Top log-probabilities recorded per token (DeepConf's token confidence)
    /// together with self-certainty's KL(U ‖ p) per token; 0 records neither.
    #[arg(long, default_value_t = pathconf::confidence::DEEPCONF_TOP_K)]
    pub(crate) top_logprobs: usize,
    /// Write the full top-k lists per token (`top_logprobs`, vLLM's layout)
    /// instead of their token confidences (`token_confidence`, 20× smaller).
    #[arg(long)]
    write_top_logprobs: bool,
    /// Skip P(True) (one extra forward pass per path: the model rates its own
    /// answer 0 or 1, pathconf::llm::p_true).
    #[arg(long)]
    no_p_true: bool,
    /// Only the first K questions.
    #[arg(long)]
    pub(crate) limit: Option<usize>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    if !a.server.endpoint.is_empty() {
        return super::endpoint::run(a);
    }
    a.server.refuse_without_endpoint()?;
    anyhow::ensure!(a.n >= 1 && a.batch >= 1 && a.max_new_tokens >= 1, "--n, --batch and --max-new-tokens must be at least 1");
    anyhow::ensure!(a.temperature > 0.0 && a.temperature.is_finite(), "--temperature must be positive");
    anyhow::ensure!(a.top_p > 0.0 && a.top_p <= 1.0, "--top-p must be in (0, 1]");
    let text = std::fs::read_to_string(&a.questions).map_err(|e| anyhow::anyhow!("{}: {e}", a.questions.display()))?;
    let mut qs = read(&text, &a.questions).map_err(|e| anyhow::anyhow!(e))?;
    if let Some(k) = a.limit {
        qs.truncate(k);
    }
    let mut existing = match std::fs::read_to_string(&a.out) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => anyhow::bail!("{}: {e}", a.out.display()),
    };
    let mut done = std::collections::HashSet::new();
    for (i, line) in existing.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| anyhow::anyhow!("{}: line {}: {e} (cannot resume)", a.out.display(), i + 1))?;
        let id =
            v.get("id").and_then(|x| x.as_str()).ok_or_else(|| anyhow::anyhow!("{}: line {}: field id missing (cannot resume)", a.out.display(), i + 1))?;
        done.insert(id.to_string());
    }
    if !existing.is_empty() && !existing.ends_with('\n') {
        existing.push('\n');
    }
    let todo: Vec<(usize, _)> = qs.iter().enumerate().filter(|(_, q)| !done.contains(&q.id)).collect();
    if todo.is_empty() {
        eprintln!("all {} questions already in {}", qs.len(), a.out.display());
        return Ok(0);
    }
    let gguf = a.gguf.clone().unwrap_or_else(pathconf::llm::default_gguf);
    anyhow::ensure!(gguf.exists(), "{}: no such model file (run scripts/fetch_smollm2.sh, or give --gguf PATH)", gguf.display());
    let (model, ct) = Llama::load(&gguf, a.kernels)?;
    let tok = GgufTokenizer::from_gguf(&ct).map_err(|source| pathconf::llm::LlmError::Metadata { path: gguf.clone(), source })?;
    let cfg = GenerationConfig {
        temperature: a.temperature,
        top_p: a.top_p,
        max_new_tokens: a.max_new_tokens,
        batch: a.batch,
        ignore_eos: a.ignore_eos,
        top_logprobs: a.top_logprobs,
    }
    .check()?;
    let rater = if a.no_p_true { None } else { Some(pathconf::llm::p_true::Rater::new(&tok)?) };
    let total_tokens = (todo.len() * a.n * a.max_new_tokens) as u64;
    let bar = pathconf::progress::Bar::new(total_tokens, "tokens (upper bound)");
    let start = std::time::Instant::now();
    let mut generated = 0usize;
    for (qi, q) in &todo {
        let prompt = tok.encode(&tok.chat_prompt(&prompt_text(q)))?;
        let mut rng = pathconf::seed::rng(a.seed, &[*qi as u64]);
        let mut count = |k: usize| {
            generated += k;
            pathconf::progress::Observer::advance(&bar, k as u64);
        };
        let mut paths = sample_paths(&model, &tok, &prompt, a.n, &cfg, &mut rng, &mut count)?;
        if let Some(r) = &rater {
            r.rate_paths(&model, &prompt, &mut paths)?;
        }
        let record = QuestionRecord {
            id: Some(q.id.clone()),
            question: Some(q.question.clone()),
            answer: Some(q.answer.clone()),
            prompt_tokens: Some(prompt.len()),
            paths: paths.iter().map(|p| PathRecord::from_generated(p, true, a.write_top_logprobs)).collect(),
        };
        existing.push_str(&record.to_line());
        existing.push('\n');
        write_atomic(&a.out, existing.as_bytes()).map_err(|e| anyhow::anyhow!("{}: {e}", a.out.display()))?;
    }
    bar.finish();
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{} questions × {} paths: {generated} tokens in {secs:.1} s = {:.1} tokens/s (batch {}) → {}",
        todo.len(),
        a.n,
        generated as f64 / secs,
        a.batch,
        a.out.display()
    );
    Ok(0)
}
