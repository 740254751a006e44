//! Requests checked and answered. Every error is OpenAI's shape,
//! `{"error": {"message", "type", "param", "code"}}`, with a 4xx status for
//! what the client got wrong.

use crate::backend::{Backend, Completed, Settings};
use pathconf_client::wire::{
    ChatChoice, ChatLogprobs, ChatRequest, ChatResponse, ChoiceMessage, CompletionChoice, CompletionLogprobs, CompletionRequest, CompletionResponse, ErrorBody,
    ErrorDetail, ModelCard, ModelList, SamplingFields, TokenLogprob, TopLogprob, Usage,
};

/// What the server says its log-probabilities are.
pub const LOGPROB_KIND: &str = "processed";

/// Most choices per request.
pub const MAX_N: u32 = 128;

/// An HTTP answer: status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

/// An error reply.
pub fn error(status: u16, kind: &str, param: Option<&str>, message: impl Into<String>) -> Reply {
    let body = ErrorBody { error: ErrorDetail { message: message.into(), kind: kind.into(), param: param.map(str::to_string), code: None } };
    Reply { status, body: serde_json::to_string(&body).expect("serialises") }
}

fn bad(param: &str, message: impl Into<String>) -> Reply {
    error(400, "invalid_request_error", Some(param), message)
}

fn ok<T: serde::Serialize>(body: &T) -> Reply {
    Reply { status: 200, body: serde_json::to_string(body).expect("serialises") }
}

/// Routes one request.
pub fn handle(backend: &dyn Backend, method: &str, path: &str, body: &str) -> Reply {
    let path = path.split('?').next().unwrap_or(path).trim_end_matches('/');
    match (method, path) {
        ("GET", "/v1/models") => ok(&ModelList {
            object: "list".into(),
            data: vec![ModelCard { id: backend.name().into(), object: "model".into(), owned_by: "pathconf".into(), logprob_kind: Some(LOGPROB_KIND.into()) }],
        }),
        ("GET", "/pathconf/stats") => match backend.batch_stats() {
            Some(stats) => ok(&stats),
            None => error(404, "invalid_request_error", None, format!("the {} model is not batched: no statistics", backend.name())),
        },
        ("POST", "/v1/chat/completions") => match serde_json::from_str::<ChatRequest>(body) {
            Ok(r) => chat(backend, &r),
            Err(e) => bad("body", format!("malformed chat completion request: {e}")),
        },
        ("POST", "/v1/completions") => match serde_json::from_str::<CompletionRequest>(body) {
            Ok(r) => completion(backend, &r),
            Err(e) => bad("body", format!("malformed completion request: {e}")),
        },
        (_, "/v1/models" | "/v1/chat/completions" | "/v1/completions") => {
            error(405, "invalid_request_error", None, format!("{method} is not allowed on {path}"))
        }
        _ => error(404, "invalid_request_error", None, format!("no route {path} (serving /v1/models, /v1/chat/completions, /v1/completions)")),
    }
}

/// Checks the shared fields; the settings and `n`.
fn settings(backend: &dyn Backend, model: &str, s: &SamplingFields, top: u32) -> Result<(Settings, u32, u64), Reply> {
    if model != backend.name() {
        return Err(error(
            404,
            "invalid_request_error",
            Some("model"),
            format!("model {model:?} is not served here (this server serves {:?})", backend.name()),
        ));
    }
    if !(s.temperature > 0.0 && s.temperature.is_finite()) {
        return Err(bad("temperature", format!("must be > 0 (pathconf serve samples; greedy decoding is not offered), got {}", s.temperature)));
    }
    if !(s.top_p > 0.0 && s.top_p <= 1.0) {
        return Err(bad("top_p", format!("must be in (0, 1], got {}", s.top_p)));
    }
    if s.max_tokens == 0 {
        return Err(bad("max_tokens", "must be at least 1"));
    }
    if s.top_k.is_some_and(|k| k > 0) || s.min_p.is_some_and(|p| p > 0.0) {
        return Err(bad(if s.top_k.is_some() { "top_k" } else { "min_p" }, "pathconf serve samples with temperature and top-p only"));
    }
    if top > 20 {
        return Err(bad("top_logprobs", format!("at most 20, got {top}")));
    }
    let n = s.n.unwrap_or(1);
    if n == 0 || n > MAX_N {
        return Err(bad("n", format!("must be in 1..={MAX_N}, got {n}")));
    }
    let seed = s.seed.unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64));
    let settings = Settings {
        temperature: s.temperature,
        top_p: s.top_p,
        max_tokens: s.max_tokens as usize,
        top_logprobs: top as usize,
        ignore_eos: s.ignore_eos.unwrap_or(false),
    };
    Ok((settings, n, seed))
}

fn run(backend: &dyn Backend, prompt: &str, chat: bool, st: &Settings, n: u32, seed: u64, param: &str) -> Result<Vec<Completed>, Reply> {
    backend.complete(prompt, chat, st, seed, n as usize).map_err(|m| bad(param, m))
}

fn usage(done: &[Completed]) -> Usage {
    let prompt = done.first().map_or(0, |c| c.prompt_tokens) as u64;
    let completion: u64 = done.iter().map(|c| c.tokens.len() as u64).sum();
    Usage { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

fn finish(c: &Completed) -> String {
    if c.finished { "stop" } else { "length" }.into()
}

fn chat(backend: &dyn Backend, r: &ChatRequest) -> Reply {
    let top = r.top_logprobs.unwrap_or(0);
    let (st, n, seed) = match settings(backend, &r.model, &r.sampling, top) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let Some(prompt) = r.messages.iter().rev().find(|m| m.role == "user") else { return bad("messages", "no user message") };
    let done = match run(backend, &prompt.content, true, &st, n, seed, "messages") {
        Ok(d) => d,
        Err(e) => return e,
    };
    let choices = done
        .iter()
        .enumerate()
        .map(|(i, c)| ChatChoice {
            index: i as u32,
            message: ChoiceMessage { role: Some("assistant".into()), content: Some(c.text.clone()), reasoning_content: None },
            logprobs: r.logprobs.then(|| ChatLogprobs {
                content: Some(
                    c.tokens
                        .iter()
                        .map(|t| TokenLogprob {
                            id: Some(t.id),
                            token: t.text.clone(),
                            logprob: t.logprob,
                            bytes: Some(t.text.as_bytes().to_vec()),
                            top_logprobs: t.top.iter().map(|(a, l)| TopLogprob { token: a.clone(), logprob: *l }).collect(),
                        })
                        .collect(),
                ),
            }),
            finish_reason: Some(finish(c)),
            logprob_kind: Some(LOGPROB_KIND.into()),
        })
        .collect();
    ok(&ChatResponse { id: format!("chatcmpl-{seed:x}"), object: "chat.completion".into(), model: backend.name().into(), choices, usage: Some(usage(&done)) })
}

fn completion(backend: &dyn Backend, r: &CompletionRequest) -> Reply {
    let top = r.logprobs.unwrap_or(0);
    let (st, n, seed) = match settings(backend, &r.model, &r.sampling, top) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let done = match run(backend, &r.prompt, false, &st, n, seed, "prompt") {
        Ok(d) => d,
        Err(e) => return e,
    };
    let choices = done
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut offset = 0u64;
            CompletionChoice {
                index: i as u32,
                text: c.text.clone(),
                logprobs: r.logprobs.map(|_| CompletionLogprobs {
                    tokens: c.tokens.iter().map(|t| t.text.clone()).collect(),
                    token_logprobs: c.tokens.iter().map(|t| Some(t.logprob)).collect(),
                    top_logprobs: Some(c.tokens.iter().map(|t| Some(t.top.iter().map(|(a, l)| (a.clone(), serde_json::Value::from(*l))).collect())).collect()),
                    text_offset: c
                        .tokens
                        .iter()
                        .map(|t| {
                            let o = offset;
                            offset += t.text.len() as u64;
                            o
                        })
                        .collect(),
                }),
                finish_reason: Some(finish(c)),
                logprob_kind: Some(LOGPROB_KIND.into()),
            }
        })
        .collect();
    ok(&CompletionResponse { id: format!("cmpl-{seed:x}"), object: "text_completion".into(), model: backend.name().into(), choices, usage: Some(usage(&done)) })
}
