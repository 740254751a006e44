//! The least any reader of a JSON file must spend: open it, map it and look
//! at every byte once (here: check that it is UTF-8, which JSON text must be,
//! with the standard library's vectorised check), split over 1 or 2 threads.
//! `read_floor FILE` prints the median of 15 runs for 1 and 2 threads.
//!
//! A JSON parser cannot find where a column of strings ends without reading
//! every byte of it, so this bounds `eval`'s end-to-end time from below
//! (README, "Speed").
mod common;

fn utf8(bytes: &[u8]) -> usize {
    // A split may cut a multi-byte character; only ASCII files are timed, and
    // the count of valid bytes is all that is kept.
    std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), str::len)
}

fn scan(file: &std::path::Path, threads: usize) -> usize {
    let handle = std::fs::File::open(file).unwrap();
    // SAFETY: read-only map of a file nobody writes during the measurement.
    let map = unsafe { memmap2::Mmap::map(&handle) }.unwrap();
    let chunk = map.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = map.chunks(chunk).map(|c| s.spawn(move || utf8(c))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

fn main() {
    let file = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: read_floor FILE"));
    let size = std::fs::metadata(&file).unwrap().len() as f64;
    for threads in [1, 2] {
        let t = common::sorted_times_ms(15, || {
            std::hint::black_box(scan(&file, threads));
        });
        println!("{threads} thread(s): open + map + one look at each byte: {:.2} ms median ({:.1} GB/s), min {:.2} ms", t[7], size / t[7] / 1e6, t[0]);
    }
}
