//! One endpoint: POSTs JSON with a timeout, retrying what a server or a
//! network can get over (429, 5xx, connection errors, timeouts) with
//! exponential backoff and jitter (`backon`), and never sooner than a
//! `Retry-After` header asks. The API key is read from the environment and
//! only ever sent in the `Authorization` header: never logged, never written.

use backon::{BlockingRetryable, ExponentialBuilder};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How requests are retried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: usize,
    /// The first delay (doubled each time, with jitter).
    pub first_delay: Duration,
    /// The longest delay between attempts (a `Retry-After` may ask for more).
    pub max_delay: Duration,
    /// The whole time one attempt may take.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { retries: 6, first_delay: Duration::from_millis(500), max_delay: Duration::from_secs(30), timeout: Duration::from_secs(600) }
    }
}

/// What went wrong talking to the server.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HttpError {
    /// The server answered with an error status (after the retries, for
    /// retryable ones).
    #[error("{url}: HTTP {status}: {message}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The server's error message (its OpenAI error body's, when it sent one).
        message: String,
        /// Seconds the server asked to wait.
        retry_after: Option<u64>,
    },
    /// No answer (connection refused, reset, timed out, TLS…), after the retries.
    #[error("{url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
}

impl HttpError {
    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            HttpError::Status { status, .. } => *status == 429 || *status == 408 || *status >= 500,
            HttpError::Transport { .. } => true,
        }
    }
}

/// An OpenAI-compatible server.
#[derive(Debug, Clone)]
pub struct Endpoint {
    base: String,
    api_key: Option<String>,
    agent: ureq::Agent,
    policy: RetryPolicy,
}

impl Endpoint {
    /// The server at `url` (`http://host:port` or `…/v1`; the API paths
    /// `/v1/chat/completions` etc. are appended once), authenticating with
    /// `api_key` when given.
    pub fn new(url: &str, api_key: Option<String>, policy: RetryPolicy) -> Self {
        let mut base = url.trim_end_matches('/').to_string();
        if base.ends_with("/v1") {
            base.truncate(base.len() - 3);
        }
        let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(policy.timeout)).http_status_as_error(false).build().into();
        Self { base, api_key, agent, policy }
    }

    /// The base URL (without `/v1`).
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// One attempt: the body of a 2xx answer, or the error.
    fn attempt(&self, method: &str, path: &str, body: Option<&[u8]>) -> Result<String, HttpError> {
        let url = self.url(path);
        let transport = |e: ureq::Error| HttpError::Transport { url: url.clone(), message: e.to_string() };
        let response = match body {
            Some(bytes) => {
                let mut req = self.agent.post(&url).header("Content-Type", "application/json");
                if let Some(k) = &self.api_key {
                    req = req.header("Authorization", &format!("Bearer {k}"));
                }
                req.send(bytes)
            }
            None => {
                let mut req = self.agent.get(&url);
                if let Some(k) = &self.api_key {
                    req = req.header("Authorization", &format!("Bearer {k}"));
                }
                debug_assert_eq!(method, "GET");
                req.call()
            }
        };
        let mut response = response.map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|s| s.trim().parse::<u64>().ok());
        let text = response.body_mut().with_config().limit(256 << 20).read_to_string().map_err(transport)?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let message = serde_json::from_str::<crate::wire::ErrorBody>(&text).map(|e| e.error.message).unwrap_or_else(|_| text.chars().take(300).collect());
        Err(HttpError::Status { url, status, message, retry_after })
    }

    fn with_retries(&self, method: &str, path: &str, body: Option<&[u8]>) -> Result<String, HttpError> {
        // The sleeper waits at least what the last `Retry-After` asked.
        let asked: Arc<Mutex<Option<Duration>>> = Arc::default();
        let asked_in_sleep = asked.clone();
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.policy.first_delay)
            .with_max_delay(self.policy.max_delay)
            .with_max_times(self.policy.retries)
            .with_jitter();
        (|| self.attempt(method, path, body))
            .retry(backoff)
            .sleep(move |d: Duration| {
                let floor = asked_in_sleep.lock().expect("not poisoned").take().unwrap_or_default();
                std::thread::sleep(d.max(floor));
            })
            .when(HttpError::is_retryable)
            .notify(|e: &HttpError, _| {
                if let HttpError::Status { retry_after: Some(s), .. } = e {
                    *asked.lock().expect("not poisoned") = Some(Duration::from_secs(*s));
                }
            })
            .call()
    }

    /// POSTs `body` (JSON) to `path`, with retries.
    pub fn post(&self, path: &str, body: &[u8]) -> Result<String, HttpError> {
        self.with_retries("POST", path, Some(body))
    }

    /// GETs `path`, with retries.
    pub fn get(&self, path: &str) -> Result<String, HttpError> {
        self.with_retries("GET", path, None)
    }

    /// GETs `path` once, without retries (what a server says of itself:
    /// asked once at the start, so a server that is not there fails fast).
    pub fn get_once(&self, path: &str) -> Result<String, HttpError> {
        self.attempt("GET", path, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A loopback server answering with `replies` in turn (then 200 `{}`),
    /// counting the requests it received.
    fn stub(replies: Vec<(u16, Option<&'static str>)>) -> (String, Arc<AtomicUsize>) {
        crate::stub::serve(move |i, _| {
            let (status, retry_after) = replies.get(i).copied().unwrap_or((200, None));
            let body = if status == 200 { "{}".to_string() } else { r#"{"error": {"message": "busy", "type": "server_error"}}"#.to_string() };
            (status, body, retry_after)
        })
    }

    fn quick() -> RetryPolicy {
        RetryPolicy { retries: 3, first_delay: Duration::from_millis(10), max_delay: Duration::from_millis(50), timeout: Duration::from_secs(10) }
    }

    #[test]
    fn retries_429_and_5xx_honouring_retry_after() {
        let (url, count) = stub(vec![(429, Some("1")), (503, None)]);
        let start = std::time::Instant::now();
        assert_eq!(Endpoint::new(&url, None, quick()).post("/v1/x", b"{}").unwrap(), "{}");
        assert_eq!(count.load(Ordering::SeqCst), 3);
        // The backoff alone would wait ≤ 100 ms; Retry-After asked for 1 s.
        assert!(start.elapsed() >= Duration::from_secs(1), "{:?}", start.elapsed());
    }

    #[test]
    fn client_errors_are_not_retried_and_give_the_servers_message() {
        let (url, count) = stub(vec![(400, None)]);
        let e = Endpoint::new(&url, None, quick()).post("/v1/x", b"{}").unwrap_err();
        assert_eq!(count.load(Ordering::SeqCst), 1);
        assert!(matches!(&e, HttpError::Status { status: 400, message, .. } if message == "busy"), "{e}");
        // Retries run out: the last error is returned.
        let (url, count) = stub(vec![(500, None); 10]);
        let e = Endpoint::new(&url, None, quick()).post("/v1/x", b"{}").unwrap_err();
        assert_eq!(count.load(Ordering::SeqCst), 4);
        assert!(e.to_string().contains("HTTP 500"), "{e}");
        // Nobody listening: a transport error after the retries.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let e = Endpoint::new(&format!("http://127.0.0.1:{port}/v1"), None, quick()).get("/v1/models").unwrap_err();
        assert!(matches!(e, HttpError::Transport { .. }), "{e}");
    }
}
