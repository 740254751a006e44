//! `pathconf serve [--model tiny] [--host 127.0.0.1] --port PORT`: the
//! built-in models behind the OpenAI-compatible API.

use pathconf::tiny::store::ensure_model;
use pathconf::tiny::{ModelConfig, TrainConfig};
use pathconf_serve::{Running, TinyBackend};
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model served: `tiny` (pathconf's trained transformer; trained into the cache on first use). `smollm2` is not served yet.
    #[arg(long, default_value = "tiny")]
    model: String,
    /// Address to listen on (loopback by default: anything else exposes the server to the network).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (0: a free one, printed).
    #[arg(long)]
    port: u16,
    /// Requests served at once.
    #[arg(long, default_value_t = 4)]
    workers: usize,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    anyhow::ensure!(a.model == "tiny", "--model {}: pathconf serve serves `tiny` (SmolLM2 behind the API is not implemented yet)", a.model);
    let bar = pathconf::progress::Bar::new(TrainConfig::default().steps as u64, "training the tiny model (first use)");
    let stored = ensure_model(None, &ModelConfig::default(), &TrainConfig::default(), &bar)?;
    bar.finish();
    let running = Running::start(Arc::new(TinyBackend::new(stored.model)), &a.host, a.port, a.workers)?;
    // Scripts and tests read this line to find the port.
    println!("listening on http://{}", running.addr());
    use std::io::Write;
    std::io::stdout().flush()?;
    running.wait();
    Ok(0)
}
