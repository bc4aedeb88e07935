//! Fuzzes the masker: no panic on arbitrary bytes, masking is idempotent, and a line's skeleton
//! masks like the line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logsift::group::mask::mask_into;
use logsift::group::skeleton::Skeleton;

fuzz_target!(|data: &[u8]| {
    let mut once = String::new();
    mask_into(data, &mut once, 4096);
    let mut twice = String::new();
    mask_into(once.as_bytes(), &mut twice, usize::MAX);
    assert_eq!(once, twice, "masking is idempotent");
    let mut skeleton = Skeleton::default();
    let mut of_skeleton = String::new();
    mask_into(skeleton.of(data), &mut of_skeleton, 4096);
    if data.len() <= 4096 {
        assert_eq!(once, of_skeleton, "a skeleton masks like its line");
    }
});
