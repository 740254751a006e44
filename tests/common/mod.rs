//! Shared fixtures for the integration tests.
#![allow(dead_code)]

// The test binaries compute exp, log, pow, … as `pathconf` does (from the
// `libm` crate; pathconf_core::elementary says why), so a test comparing
// the binary's numbers with the library's compares like with like.
pathconf_core::elementary_functions!();

/// Runs the `pathconf` binary (the test's own build).
pub fn pathconf(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pathconf")).args(args).output().expect("binary runs")
}

/// Its stdout, after asserting it succeeded (stdout and stderr shown if not).
pub fn ok(o: &std::process::Output) -> String {
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status, String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// The non-blank lines of a JSONL file, parsed.
pub fn json_lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path).unwrap().lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Per-token `ln p` of `ids` after `prompt` from pathconf's llama forward
/// pass (prompt prefilled, then one token at a time with the KV cache).
pub fn own_logprobs(model: &pathconf::llm::Llama, prompt: &[u32], ids: &[u32]) -> Vec<f64> {
    use candle_core::Tensor;
    let mut cache = model.new_cache(1, prompt.len() + ids.len() + 1).unwrap();
    let mut logits = model.forward(&Tensor::from_vec(prompt.to_vec(), (1, prompt.len()), model.device()).unwrap(), &mut cache).unwrap();
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let row: Vec<f32> = logits.squeeze(0).unwrap().to_vec1().unwrap();
        out.push(pathconf::generation::token_draw::log_softmax_row(&row)[id as usize]);
        logits = model.forward(&Tensor::from_vec(vec![id], (1, 1), model.device()).unwrap(), &mut cache).unwrap();
    }
    out
}

/// Teacher-forced log-probabilities of each path's tokens after `prompt`,
/// the paths decoded together (one batch; a finished path's row is fed its
/// last token again and not read — rows do not interact).
pub fn forced_logprobs(model: &pathconf::llm::Llama, prompt: &[u32], paths: &[Vec<u32>]) -> Vec<Vec<f64>> {
    use candle_core::Tensor;
    let longest = paths.iter().map(Vec::len).max().unwrap_or(0);
    let mut prefill = model.new_cache(1, prompt.len() + longest + 1).unwrap();
    let first: Vec<f32> = model
        .forward(&Tensor::from_vec(prompt.to_vec(), (1, prompt.len()), model.device()).unwrap(), &mut prefill)
        .unwrap()
        .squeeze(0)
        .unwrap()
        .to_vec1()
        .unwrap();
    let mut cache = prefill.expand(paths.len());
    let mut rows: Vec<Vec<f32>> = vec![first; paths.len()];
    let mut out: Vec<Vec<f64>> = paths.iter().map(|p| Vec::with_capacity(p.len())).collect();
    for k in 0..longest {
        for (r, p) in paths.iter().enumerate() {
            if k < p.len() {
                out[r].push(pathconf::generation::token_draw::log_softmax_row(&rows[r])[p[k] as usize]);
            }
        }
        if k + 1 == longest {
            break;
        }
        let ids: Vec<u32> = paths.iter().map(|p| p[k.min(p.len() - 1)]).collect();
        rows = model.forward(&Tensor::from_vec(ids, (paths.len(), 1), model.device()).unwrap(), &mut cache).unwrap().to_vec2().unwrap();
    }
    out
}

/// The index of the largest logit (greedy decoding).
pub fn argmax(v: &[f32]) -> u32 {
    v.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).expect("non-empty").0 as u32
}

/// Steps sequences in the batches of `schedule`, as a server forms them
/// (rows joining late, leaving early, in any order): `step(ids, caches)`
/// gives each row's logits, checked bit for bit against `alone[r][k]`, the
/// logits of sequence `r`'s step `k` decoded alone. `done[r]` counts the
/// steps each sequence has had; the next token is each row's argmax.
pub fn check_ragged<C>(
    caches: &mut [C],
    next: &mut [u32],
    done: &mut [usize],
    alone: &[Vec<Vec<f32>>],
    schedule: &[&[usize]],
    mut step: impl FnMut(&[u32], &mut [&mut C]) -> Vec<Vec<f32>>,
) {
    for rows in schedule {
        let ids: Vec<u32> = rows.iter().map(|&r| next[r]).collect();
        let mut all: Vec<Option<&mut C>> = caches.iter_mut().map(Some).collect();
        let mut picked: Vec<&mut C> = rows.iter().map(|&r| all[r].take().expect("a row at most once per step")).collect();
        let logits = step(&ids, &mut picked);
        for (row, &r) in logits.iter().zip(rows.iter()) {
            assert!(
                row.iter().zip(&alone[r][done[r]]).all(|(a, b)| a.to_bits() == b.to_bits()),
                "sequence {r}, step {}: logits differ from decoding it alone",
                done[r]
            );
            next[r] = argmax(row);
            done[r] += 1;
        }
    }
}
