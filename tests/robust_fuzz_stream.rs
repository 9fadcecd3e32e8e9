//! The reader's fuzz checks (`fuzz/read_nl_body.rs`) on a fixed, deterministic stream of
//! mutated `.nl` files, on stable Rust: the short fuzz run of CI. Seeds are the text
//! models of `testdata/nl`, their binary forms in both byte orders, and the smallest
//! CUTE models of the shared corpus when it is present. The long coverage-guided run
//! is `cargo +nightly fuzz run read_nl` (see docs/robustness.md).

use pounce::nl;

#[path = "../fuzz/read_nl_body.rs"]
mod body;

use std::path::Path;

/// Mutated files checked per run (about a second in a release build).
const MUTATIONS: usize = 40_000;

/// xorshift64*: a fixed stream, so a failure is reproducible from its index.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts: Vec<Vec<u8>> = Vec::new();
    let mut add_dir = |dir: &Path, max_bytes: u64| {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "nl"))
            .filter(|p| p.metadata().is_ok_and(|m| m.len() <= max_bytes))
            .collect();
        paths.sort();
        texts.extend(paths.iter().map(|p| std::fs::read(p).unwrap()));
    };
    add_dir(&root.join("testdata/nl"), 1 << 20);
    add_dir(&root.join("../shared/corpus/cute/ampl"), 2_000);
    let mut all = texts.clone();
    for t in &texts {
        for order in [nl::ByteOrder::Little, nl::ByteOrder::Big] {
            if let Ok(bin) = nl::write::write_binary("seed.nl", t, order) {
                all.push(bin);
            }
        }
    }
    all
}

/// One to three edits: byte flips and overwrites, inserted garbage, deleted or
/// duplicated ranges, digits replaced by huge or negative numbers, truncation.
fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(d.len());
        match rng.below(7) {
            0 if !d.is_empty() => d[at] ^= 1 << rng.below(8),
            1 if !d.is_empty() => d[at] = rng.next() as u8,
            2 => {
                let junk: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next() as u8).collect();
                d.splice(at..at, junk);
            }
            3 => {
                let end = (at + 1 + rng.below(16)).min(d.len());
                d.drain(at..end);
            }
            4 => {
                let end = (at + 1 + rng.below(32)).min(d.len());
                let copy = d[at..end].to_vec();
                d.splice(at..at, copy);
            }
            5 => {
                let numbers: [&[u8]; 6] = [
                    b"4294967296",
                    b"2147483647",
                    b"-1",
                    b"99999999999999999999",
                    b"1e308",
                    b"0",
                ];
                let n = numbers[rng.below(numbers.len())];
                let end = (at + 1 + rng.below(4)).min(d.len());
                d.splice(at..end, n.iter().copied());
            }
            _ => d.truncate(at),
        }
    }
    d
}

#[test]
fn reader_survives_a_stream_of_mutated_files() {
    let seeds = seeds();
    assert!(seeds.len() >= 8, "only {} seeds", seeds.len());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut read = 0;
    for i in 0..MUTATIONS {
        let seed = &seeds[rng.below(seeds.len())];
        let data = mutate(seed, &mut rng);
        let result = std::panic::catch_unwind(|| body::check(&data));
        if result.is_err() {
            let path = std::env::temp_dir().join(format!("pounce-fuzz-stream-{i}.nl"));
            std::fs::write(&path, &data).unwrap();
            panic!(
                "mutation {i} fails the fuzz checks; input saved to {}",
                path.display()
            );
        }
        read += usize::from(nl::read_bytes("m.nl", &data).is_ok());
    }
    // The stream must exercise both outcomes, or it tests little.
    assert!(
        read > MUTATIONS / 50 && read < MUTATIONS,
        "{read} of {MUTATIONS} read"
    );
}
