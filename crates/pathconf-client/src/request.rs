//! What `sample --endpoint` asks a server for one draw.

use crate::choice::{parse_chat, parse_completion, Completion, ShapeError};
use crate::http::{Endpoint, HttpError};
use crate::wire::{ChatRequest, CompletionRequest, Message, SamplingFields};
use pathconf_eval::eval::formats::stream::Sampling;
use serde::Serialize;

/// Reads a response body.
type Parser = fn(&str) -> Result<Completion, ShapeError>;

/// Which endpoint is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// `/v1/chat/completions` (the server applies the model's chat template).
    #[default]
    Chat,
    /// `/v1/completions` (the prompt is sent as it is).
    Completions,
}

pathconf_core::named_option!(Api, "api", { Api::Chat => "chat", Api::Completions => "completions" });

/// Everything a draw's request carries but its seed and question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestSettings {
    /// The model's name on the server.
    pub model: String,
    /// The endpoint used.
    pub api: Api,
    /// `{question}` is replaced by the question's text.
    pub prompt_template: String,
    /// Temperature, top-p, top-k, min-p.
    pub sampling: Sampling,
    /// Longest completion.
    pub max_new_tokens: u32,
    /// Alternatives per token (0: none asked).
    pub top_logprobs: u32,
}

/// A draw's failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DrawError {
    /// The server could not be reached or refused.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The response was not what was asked for.
    #[error(transparent)]
    Shape(#[from] ShapeError),
}

impl RequestSettings {
    /// The prompt for `question`.
    pub fn prompt(&self, question: &str) -> String {
        self.prompt_template.replace("{question}", question)
    }

    fn fields(&self, seed: u64, n: u32) -> SamplingFields {
        SamplingFields {
            temperature: self.sampling.temperature,
            top_p: self.sampling.top_p,
            max_tokens: self.max_new_tokens,
            seed: Some(seed),
            n: (n > 1).then_some(n),
            top_k: self.sampling.top_k,
            min_p: self.sampling.min_p,
            ignore_eos: None,
        }
    }

    /// The JSON body of a request for `n` draws (`n` is sent only when
    /// above 1).
    pub fn body(&self, question: &str, seed: u64, n: u32) -> Vec<u8> {
        let prompt = self.prompt(question);
        match self.api {
            Api::Chat => serde_json::to_vec(&ChatRequest {
                model: self.model.clone(),
                messages: vec![Message { role: "user".into(), content: prompt }],
                sampling: self.fields(seed, n),
                logprobs: true,
                top_logprobs: (self.top_logprobs > 0).then_some(self.top_logprobs),
            }),
            Api::Completions => {
                serde_json::to_vec(&CompletionRequest { model: self.model.clone(), prompt, sampling: self.fields(seed, n), logprobs: Some(self.top_logprobs) })
            }
        }
        .expect("requests serialise")
    }

    /// `n` draws in one request: the server's answer, read and checked
    /// (exactly `n` choices, each with its log-probabilities).
    pub fn draw(&self, endpoint: &Endpoint, question: &str, seed: u64, n: u32, allow_missing_logprobs: bool) -> Result<Completion, DrawError> {
        let body = self.body(question, seed, n);
        let (path, parse): (&str, Parser) = match self.api {
            Api::Chat => ("/v1/chat/completions", parse_chat),
            Api::Completions => ("/v1/completions", parse_completion),
        };
        let text = endpoint.post(path, &body)?;
        let mut c = parse(&text)?;
        c.settle(n as usize, allow_missing_logprobs)?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_sent_only_when_given() {
        let mut s = RequestSettings {
            model: "m".into(),
            api: Api::Chat,
            prompt_template: "Q: {question}".into(),
            sampling: Sampling { temperature: 0.6, top_p: 0.95, top_k: None, min_p: None },
            max_new_tokens: 64,
            top_logprobs: 20,
        };
        let v: serde_json::Value = serde_json::from_slice(&s.body("1+1?", 9, 1)).unwrap();
        assert_eq!(v["messages"][0]["content"], "Q: 1+1?");
        assert_eq!(
            (v["temperature"].as_f64(), v["seed"].as_u64(), v["logprobs"].as_bool(), v["top_logprobs"].as_u64()),
            (Some(0.6), Some(9), Some(true), Some(20))
        );
        assert!(v.get("top_k").is_none() && v.get("min_p").is_none() && v.get("n").is_none());
        s.sampling.top_k = Some(40);
        s.api = Api::Completions;
        let v: serde_json::Value = serde_json::from_slice(&s.body("1+1?", 9, 4)).unwrap();
        assert_eq!(v["n"].as_u64(), Some(4));
        assert_eq!((v["prompt"].as_str(), v["top_k"].as_u64(), v["logprobs"].as_u64()), (Some("Q: 1+1?"), Some(40), Some(20)));
    }
}
