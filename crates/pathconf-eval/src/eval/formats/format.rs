//! The input formats, and where each keeps a path's fields: the names an
//! error gives when a method needs a field a file lacks.

/// A supported input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The paper's released column layout.
    RpcJson,
    /// pathconf's JSONL.
    Jsonl,
    /// OpenAI / vLLM responses (JSONL).
    Openai,
}

pathconf_core::named_option!(Format, "format", { Format::RpcJson => "rpc-json", Format::Jsonl => "jsonl", Format::Openai => "openai" });

/// A per-path field a method or stopping rule may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathField {
    /// The mean token log-probability (or what gives it).
    MeanLogprob,
    /// The sequence log-probability (or what gives it).
    SequenceLogprob,
    /// Top log-probabilities per token (DeepConf's token confidence).
    TopLogprobs,
    /// Self-certainty.
    SelfCertainty,
    /// P(True).
    PTrue,
}

impl Format {
    /// Where this format keeps `field` of path `path` of question
    /// `question`, as an error names it (or why it has no such field).
    pub fn field_name(self, field: PathField, question: usize, path: usize) -> String {
        use PathField::*;
        match (self, field) {
            (Format::RpcJson, MeanLogprob) => format!("mean_logprob[{question}][{path}]"),
            (Format::RpcJson, SequenceLogprob) => format!("a sequence log-probability for path {path} (this format stores only mean_logprob)"),
            (Format::RpcJson, f) => format!("{} (not in the rpc-json format)", f.jsonl_name()),
            (Format::Jsonl, MeanLogprob) => format!("paths[{path}].logprobs (or mean_logprob, logprob_sum)"),
            (Format::Jsonl, SequenceLogprob) => format!("paths[{path}].logprobs (or logprob_sum)"),
            (Format::Jsonl, f) => format!("paths[{path}].{}", f.jsonl_name()),
            (Format::Openai, MeanLogprob | SequenceLogprob) => format!("choices[{path}].logprobs"),
            (Format::Openai, TopLogprobs) => format!("choices[{path}].logprobs.content[].top_logprobs"),
            (Format::Openai, SelfCertainty | PTrue) => format!("choices[{path}].logprobs.content[].(none: not in this format)"),
        }
    }
}

impl PathField {
    /// The field's name in pathconf's JSONL paths.
    fn jsonl_name(self) -> &'static str {
        match self {
            PathField::MeanLogprob => "mean_logprob",
            PathField::SequenceLogprob => "logprob_sum",
            PathField::TopLogprobs => "top_logprobs",
            PathField::SelfCertainty => "self_certainty",
            PathField::PTrue => "p_true",
        }
    }
}
