//! # pathconf-client
//!
//! Sampling reasoning paths from the inference servers people run — vLLM,
//! SGLang, llama.cpp's `llama-server`, hosted OpenAI-compatible APIs, and
//! `pathconf serve` — with a stopping rule deciding online when a question
//! has enough draws (`pathconf sample --endpoint`).
//!
//! - [`wire`]: the OpenAI-compatible request and response types (`f64`
//!   log-probabilities), shared with `pathconf serve`;
//! - [`choice`]: a response read into draws and checked;
//! - [`http`]: one endpoint, with timeouts and retries;
//! - [`request`]: what one draw asks;
//! - [`session`]: the online loop (scheduling, stream file, resume);
//! - [`run`]: one run from options to summary (the CLI's and Python's entry);
//! - [`summary`]: per question, the rule's and the methods' answers;
//! - [`server_info`]: what a server says of itself (log-probability kind,
//!   parallel slots).
//!
//! The core stays free of network code: this crate is the only one that
//! opens connections.
#![warn(missing_docs)]

pub mod choice;
pub mod http;
pub mod request;
pub mod run;
pub mod server_info;
pub mod session;
pub mod summary;
pub mod wire;

#[cfg(test)]
pub(crate) mod stub {
    //! A loopback server for the unit tests.

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Serves on a free loopback port until the test ends: request `i`
    /// (counting from 0) to `url` gets `respond(i, url)` =
    /// `(status, body, Retry-After)`. Returns the base URL and the count
    /// of requests answered.
    pub fn serve(respond: impl Fn(usize, &str) -> (u16, String, Option<&'static str>) + Send + 'static) -> (String, Arc<AtomicUsize>) {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let (status, body, retry_after) = respond(seen.fetch_add(1, Ordering::SeqCst), request.url());
                let mut response = tiny_http::Response::from_string(body).with_status_code(status);
                if let Some(s) = retry_after {
                    response = response.with_header(tiny_http::Header::from_bytes(&b"Retry-After"[..], s.as_bytes()).unwrap());
                }
                let _ = request.respond(response);
            }
        });
        (url, count)
    }
}
