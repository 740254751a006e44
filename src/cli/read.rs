//! The options every command that reads a paths file takes (`eval`, `plan`).

use super::named;
use pathconf::api::eval::read_cache;
use pathconf::eval::equivalence::{AnswerEquality, Equivalence};
use pathconf::eval::formats::{read, read_answers, Format};
use pathconf::eval::Dataset;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ReadArgs {
    /// The sampled paths (the paper's JSON columns, pathconf JSONL, or OpenAI/vLLM JSONL).
    pub file: PathBuf,
    /// Input format (detected when absent): rpc-json (the paper's released columns), jsonl (pathconf's),
    /// openai (OpenAI / vLLM responses, JSONL).
    #[arg(long, value_parser = named::<Format>())]
    pub format: Option<Format>,
    /// Ground truths by question id (JSONL {"id","answer"}, {id: answer}, or an array).
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Answer equivalence: math (normalised strings and exact numeric equality, 0.5 = 1/2 = \frac{1}{2}), or exact
    /// (raw string equality).
    #[arg(long, value_parser = named::<Equivalence>(), default_value = "math")]
    pub equivalence: Equivalence,
    /// The reference's equality cache ({"a<##>b": bool}), overriding the equivalence for listed pairs.
    #[arg(long)]
    pub cache: Option<PathBuf>,
}

impl ReadArgs {
    /// The answer equality the options ask for (reading the cache, if any).
    pub fn equality(&self) -> anyhow::Result<AnswerEquality> {
        let mut equal = AnswerEquality { mode: self.equivalence, ..Default::default() };
        if let Some(c) = &self.cache {
            equal.cache = read_cache(c)?;
        }
        Ok(equal)
    }

    /// The ground truths given with `--answers`, if any.
    pub fn truths(&self) -> anyhow::Result<Option<std::collections::HashMap<String, String>>> {
        Ok(self.answers.as_deref().map(read_answers).transpose()?)
    }

    /// Reads the file.
    pub fn read(&self) -> anyhow::Result<Dataset> {
        Ok(read(&self.file, self.format, self.truths()?.as_ref())?)
    }
}
