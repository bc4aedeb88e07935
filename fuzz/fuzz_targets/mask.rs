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
    // Beyond masking's cut the skeleton is not used (the cut may fall elsewhere in it).
    if data.len() <= 4096 {
        let mut of_skeleton = String::new();
        mask_into(Skeleton::default().of(data), &mut of_skeleton, 4096);
        assert_eq!(once, of_skeleton, "a skeleton masks like its line");
    }
});
