//! `pathconf tiny train|sample|enumerate`: the small transformer of
//! [`pathconf::tiny`]. `sample` and `enumerate` use the committed model at
//! the default settings, else the cached model for their settings (trained
//! first when absent); `train` always trains (or reuses its cache) and
//! compares the result with the committed model.

use pathconf::eval::formats::jsonl::QuestionRecord;
use pathconf::generation::GenerationConfig;
use pathconf::output::write_atomic;
use pathconf::progress::Bar;
use pathconf::tiny::compare::{compare, Tolerance};
use pathconf::tiny::store::{cached_or_trained, committed, committed_settings, default_dir, ensure_model, StoredModel};
use pathconf::tiny::task::{is_correct, render};
use pathconf::tiny::{enumerate_paths, sample_paths, ModelConfig, Question, TrainConfig};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Train the model (or report the cached training) and compare it with the committed model.
    Train(ModelArgs),
    /// Sample reasoning paths as pathconf JSONL (readable by `pathconf eval`).
    Sample(SampleArgs),
    /// Enumerate a question's exact path distribution.
    Enumerate(EnumerateArgs),
}

#[derive(clap::Args, Debug)]
struct ModelArgs {
    /// Model directory [default: the committed model at the default settings (`train`: ~/.cache/pathconf/tiny/steps<S>-seed<K>-<code key>, or $PATHCONF_CACHE/tiny/…)].
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// AdamW steps.
    #[arg(long, default_value_t = TrainConfig::default().steps)]
    steps: usize,
    /// Training seed (initialisation and data).
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    train_seed: u64,
}

impl ModelArgs {
    fn settings(&self) -> anyhow::Result<TrainConfig> {
        anyhow::ensure!(self.steps >= 1, "--steps must be at least 1");
        Ok(TrainConfig { steps: self.steps, seed: self.train_seed, ..TrainConfig::default() })
    }

    /// The committed model at the default settings, else the cached or trained one.
    fn load(&self) -> anyhow::Result<StoredModel> {
        let tc = self.settings()?;
        let bar = Bar::new(tc.steps as u64, "training");
        let stored = ensure_model(self.model_dir.as_deref(), &ModelConfig::default(), &tc, &bar)?;
        bar.finish();
        if stored.trained {
            eprintln!("trained {} steps → {}", tc.steps, stored.dir.display());
        }
        Ok(stored)
    }

    /// Trains (or reuses the cache of this training), never the committed model.
    fn train(&self) -> anyhow::Result<StoredModel> {
        let tc = self.settings()?;
        let dir = self.model_dir.clone().unwrap_or_else(|| default_dir(&tc));
        let bar = Bar::new(tc.steps as u64, "training");
        let stored = cached_or_trained(Some(&dir), &ModelConfig::default(), &tc, &bar)?;
        bar.finish();
        if stored.trained {
            eprintln!("trained {} steps → {}", tc.steps, stored.dir.display());
        }
        Ok(stored)
    }
}

#[derive(clap::Args, Debug)]
struct SampleArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Questions as `a+b+c`, comma-separated (e.g. `3+5+7,9+9+9`).
    #[arg(long, value_delimiter = ',', conflicts_with = "random")]
    questions: Vec<String>,
    /// Instead, this many random questions (from --seed).
    #[arg(long)]
    random: Option<usize>,
    /// Paths per question.
    #[arg(long, default_value_t = 64)]
    n: usize,
    /// Softmax temperature.
    #[arg(long, default_value_t = 1.0)]
    temperature: f64,
    /// Nucleus (top-p) mass.
    #[arg(long, default_value_t = 1.0)]
    top_p: f64,
    /// Sampling seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output JSONL (written atomically) [default: standard output].
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct EnumerateArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// The question as `a+b+c`.
    #[arg(long)]
    question: String,
    /// Probability floor on path prefixes.
    #[arg(long, default_value_t = 1e-9)]
    floor: f64,
    /// Paths to list.
    #[arg(long, default_value_t = 20)]
    top: usize,
}

/// Parses `a+b+c` (three digits).
pub fn parse_question(s: &str) -> anyhow::Result<Question> {
    let parts: Vec<&str> = s.trim().split('+').collect();
    let digit = |p: &str| p.trim().parse::<u8>().ok().filter(|&d| d < 10);
    match parts.as_slice() {
        [a, b, c] => match (digit(a), digit(b), digit(c)) {
            (Some(a), Some(b), Some(c)) => Ok(Question::new(a, b, c)),
            _ => anyhow::bail!("question {s:?}: expected three digits 0–9 as a+b+c"),
        },
        _ => anyhow::bail!("question {s:?}: expected three digits 0–9 as a+b+c"),
    }
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    match a.command {
        Command::Train(m) => {
            let stored = m.train()?;
            let c = &stored.curve;
            println!("model: {}", stored.dir.display());
            println!("config: {}", serde_json::to_string(&stored.model.config)?);
            println!(
                "steps: {}  first loss: {:.4}  mean loss of the last 50 steps: {:.4}",
                c.len(),
                c.first().map_or(f64::NAN, |p| p.loss),
                stored.mean_loss_of_last(50)
            );
            println!("loss curve: {}", stored.dir.join(pathconf::tiny::store::LOSS_FILE).display());
            if committed_settings()? != (stored.model.config.clone(), m.settings()?) {
                println!("(not the committed model's settings: no comparison)");
                return Ok(0);
            }
            let base = committed()?;
            let questions = pathconf::validate::tiny::questions(false);
            let tol = Tolerance::default();
            let c = compare(&base, &stored, &questions, pathconf::validate::tiny::FLOOR, pathconf::validate::tiny::MAX_NEW_TOKENS, tol)?;
            println!("\nagainst the committed model ({}):", base.dir.display());
            println!("  largest weight difference: {:e} (exact; 0 = the same bits)", c.max_weight_difference);
            println!(
                "  mean loss of the last {} steps: committed {:.4}, retrained {:.4} (measured; tolerance {}% relative)",
                tol.tail,
                c.loss_tail.0,
                c.loss_tail.1,
                100.0 * tol.loss
            );
            println!(
                "  mean accuracy p(correct) on the figures' {} questions: committed {:.4}, retrained {:.4} (enumeration; tolerance {})",
                c.accuracy.len(),
                c.mean_accuracy.0,
                c.mean_accuracy.1,
                tol.accuracy
            );
            for q in &c.accuracy {
                println!("    {:>6}  {:.4}  {:.4}", q.question, q.committed, q.retrained);
            }
            println!("  {}", if c.within { "within tolerance" } else { "OUTSIDE tolerance" });
            Ok(if c.within { 0 } else { 1 })
        }
        Command::Sample(s) => {
            anyhow::ensure!(s.n >= 1, "--n must be at least 1");
            let cfg = GenerationConfig { temperature: s.temperature, top_p: s.top_p, ..GenerationConfig::tiny() }.check()?;
            let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
            let qs: Vec<Question> = match s.random {
                Some(k) => (0..k).map(|_| Question::random(&mut rng)).collect(),
                None if s.questions.is_empty() => anyhow::bail!("give --questions a+b+c,... or --random K"),
                None => s.questions.iter().map(|q| parse_question(q)).collect::<anyhow::Result<_>>()?,
            };
            let stored = s.model.load()?;
            let bar = Bar::new(qs.len() as u64, "sampling");
            let mut out = String::new();
            let start = std::time::Instant::now();
            let mut tokens = 0usize;
            for q in &qs {
                let paths = sample_paths(&stored.portable, q, s.n, &cfg, &mut rng)?;
                tokens += paths.iter().map(|p| p.tokens.len()).sum::<usize>();
                let record = QuestionRecord::short(q.id(), q.answer().to_string(), &paths);
                out.push_str(&record.to_line());
                out.push('\n');
                pathconf::progress::Observer::advance(&bar, 1);
            }
            bar.finish();
            eprintln!(
                "{} questions × {} paths, {tokens} tokens in {:.2} s ({:.0} tokens/s)",
                qs.len(),
                s.n,
                start.elapsed().as_secs_f64(),
                tokens as f64 / start.elapsed().as_secs_f64()
            );
            match s.out {
                Some(p) => write_atomic(&p, out.as_bytes()).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
                None => print!("{out}"),
            }
            Ok(0)
        }
        Command::Enumerate(e) => {
            anyhow::ensure!(e.floor > 0.0 && e.floor < 1.0, "--floor must be in (0, 1)");
            let q = parse_question(&e.question)?;
            let stored = e.model.load()?;
            let en = enumerate_paths(&stored.portable, &q, e.floor, pathconf::validate::tiny::MAX_NEW_TOKENS)?;
            let exact = en.distribution()?;
            let d = &exact.dist;
            println!("question {}  (correct answer {})", q.id(), q.answer());
            println!("paths with probability ≥ {:e}: {}  covering mass {:.9}  ({} prefixes expanded)", e.floor, en.paths.len(), en.covered_mass, en.expanded);
            println!("exact accuracy p(y) = {:.6}   malformed paths: mass {:.2e}", en.correct_mass(), en.invalid_mass());
            println!("\nanswer  mass (renormalised)  paths");
            for a in 0..d.n_answers() {
                println!("{:>6}  {:>18.6}  {:>5}", d.answers()[a], d.answer_mass(a), d.paths_of(a).len());
            }
            println!("\ntop {} paths:", e.top.min(en.paths.len()));
            for p in en.paths.iter().take(e.top) {
                println!("{:>12.6e}  {:<14} → {}{}", p.logprob.exp(), render(&p.tokens), p.answer, if is_correct(&q, &p.answer) { "  ✓" } else { "" });
            }
            Ok(0)
        }
    }
}
