//! `pathconf bench decode [--batch 1,4,16,64] [--prompt-tokens 50] [--tokens 128] [--repeats 3] [--json]`:
//! the GGUF llama's prompt and decoding throughput, measured as
//! `llama-batched-bench` measures it (`pathconf::llm::bench`).

use super::named;
use pathconf::llm::bench::{decode_bench, DecodeBench};
use pathconf::llm::{Kernels, Llama};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand, Debug)]
enum What {
    /// Prompt and decoding tokens/s of the GGUF llama at several batch sizes.
    Decode(DecodeArgs),
}

#[derive(clap::Args, Debug)]
struct DecodeArgs {
    /// GGUF model [default: the cached SmolLM2-135M-Instruct].
    #[arg(long)]
    gguf: Option<std::path::PathBuf>,
    /// How the matrices are multiplied.
    #[arg(long, value_parser = named::<Kernels>(), default_value = "quantized")]
    kernels: Kernels,
    /// Batch sizes (sequences decoded together), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,4,16,64")]
    batch: Vec<usize>,
    /// Prompt tokens per sequence.
    #[arg(long, default_value_t = 50)]
    prompt_tokens: usize,
    /// Tokens decoded per sequence.
    #[arg(long, default_value_t = 128)]
    tokens: usize,
    /// Runs per batch size (≥ 2 for a standard error).
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let What::Decode(a) = a.what;
    anyhow::ensure!(a.repeats >= 1, "--repeats must be at least 1");
    anyhow::ensure!(a.batch.iter().all(|&b| b >= 1), "--batch: batch sizes must be at least 1");
    anyhow::ensure!(a.prompt_tokens >= 1 && a.tokens >= 1, "--prompt-tokens and --tokens must be at least 1");
    let gguf = a.gguf.clone().unwrap_or_else(pathconf::llm::default_gguf);
    anyhow::ensure!(gguf.exists(), "{}: no such model file (run scripts/fetch_smollm2.sh, or give --gguf PATH)", gguf.display());
    let (model, _) = Llama::load(&gguf, a.kernels)?;
    let spec = DecodeBench { batches: a.batch.clone(), prompt_tokens: a.prompt_tokens, tokens: a.tokens, repeats: a.repeats };
    let bar = pathconf::progress::Bar::new((a.batch.len() * a.repeats) as u64, "bench decode");
    let report = decode_bench(&model, a.kernels, &spec, &bar)?;
    bar.finish();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(0);
    }
    println!(
        "{} — {} kernels, {} threads, {} prompt + {} decoded tokens per sequence",
        gguf.display(),
        report.kernels,
        report.threads,
        a.prompt_tokens,
        a.tokens
    );
    println!("{}", report.basis);
    println!("{:>6}  {:>22}  {:>22}", "batch", "prompt tokens/s", "decode tokens/s");
    let se = |x: Option<f64>| x.map_or("—".to_string(), |v| format!("{v:.1}"));
    for r in &report.rows {
        println!(
            "{:>6}  {:>13.1} ± {:<6}  {:>13.1} ± {:<6}",
            r.batch,
            r.prompt_tokens_per_s,
            se(r.prompt_tokens_per_s_se),
            r.decode_tokens_per_s,
            se(r.decode_tokens_per_s_se)
        );
    }
    match report.peak_rss_mb {
        Some(mb) => println!("peak resident memory {mb:.0} MB (measured); weight matrices {:.0} MB", report.weights_mb),
        None => println!("weight matrices {:.0} MB", report.weights_mb),
    }
    Ok(0)
}
