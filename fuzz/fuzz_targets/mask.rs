//! Fuzzes the masker: no panic on arbitrary bytes, and masking is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logsift::group::mask::mask_into;

fuzz_target!(|data: &[u8]| {
    let mut once = String::new();
    mask_into(data, &mut once, 4096);
    let mut twice = String::new();
    mask_into(once.as_bytes(), &mut twice, usize::MAX);
    assert_eq!(once, twice, "masking is idempotent");
});
