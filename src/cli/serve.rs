//! `pathconf serve [--model tiny|smollm2] [--host 127.0.0.1] --port PORT`:
//! the built-in models behind the OpenAI-compatible API.

use pathconf::llm::{GgufTokenizer, Llama};
use pathconf::tiny::store::ensure_model;
use pathconf::tiny::{ModelConfig, TrainConfig};
use pathconf_serve::{Backend, LlamaBackend, Running, TinyBackend};
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model served: `tiny` (pathconf's trained transformer; trained into the cache on first use) or `smollm2` (the GGUF `scripts/fetch_smollm2.sh` caches, or --gguf).
    #[arg(long, default_value = "tiny")]
    model: String,
    /// With --model smollm2: a llama-architecture GGUF file [default: the cached SmolLM2-135M-Instruct].
    #[arg(long)]
    gguf: Option<std::path::PathBuf>,
    /// With --model smollm2: `quantized` (the file's 4/8-bit formats) or `f32` (dequantized).
    #[arg(long, value_parser = super::named::<pathconf::llm::Kernels>(), default_value = "quantized")]
    kernels: pathconf::llm::Kernels,
    /// Address to listen on (loopback by default: anything else exposes the server to the network).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (0: a free one, printed).
    #[arg(long)]
    port: u16,
    /// Requests in flight at once (each waits on the model in its own thread).
    #[arg(long, default_value_t = 16)]
    workers: usize,
    /// Most sequences (choices) decoded together in one step: the requests in flight are
    /// batched, each choice's output independent of its batch-mates.
    #[arg(long, default_value_t = 16)]
    max_batch: usize,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let backend: Arc<dyn Backend> = match a.model.as_str() {
        "tiny" => {
            anyhow::ensure!(a.gguf.is_none(), "--gguf goes with --model smollm2");
            let bar = pathconf::progress::Bar::new(TrainConfig::default().steps as u64, "training the tiny model (first use)");
            let stored = ensure_model(None, &ModelConfig::default(), &TrainConfig::default(), &bar)?;
            bar.finish();
            Arc::new(TinyBackend::new(stored.portable, a.max_batch))
        }
        "smollm2" => {
            let gguf = a.gguf.clone().unwrap_or_else(pathconf::llm::default_gguf);
            anyhow::ensure!(gguf.exists(), "{}: no such model file (run scripts/fetch_smollm2.sh, or give --gguf PATH)", gguf.display());
            let (model, ct) = Llama::load(&gguf, a.kernels)?;
            let tok = GgufTokenizer::from_gguf(&ct).map_err(|source| pathconf::llm::LlmError::Metadata { path: gguf.clone(), source })?;
            Arc::new(LlamaBackend::new("smollm2", model, tok, a.max_batch))
        }
        other => anyhow::bail!("--model {other}: pathconf serve serves `tiny` or `smollm2`"),
    };
    let running = Running::start(backend, &a.host, a.port, a.workers)?;
    // Scripts and tests read this line to find the port.
    println!("listening on http://{}", running.addr());
    use std::io::Write;
    std::io::stdout().flush()?;
    running.wait();
    Ok(0)
}
