//! Fuzzes the masker: no panic on arbitrary bytes, masking is idempotent, and a line's skeleton
//! masks like the line, and its lines like the text's lines.
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
        let mut skeleton = Skeleton::default();
        let skeleton = skeleton.of(data);
        let mut of_skeleton = String::new();
        mask_into(skeleton, &mut of_skeleton, 4096);
        assert_eq!(once, of_skeleton, "a skeleton masks like its line");
        // The grouper masks an event's lines apart: a text's skeleton, line by line, masks like
        // its lines.
        let lines = data.split(|&b| b == b'\n');
        let skeleton_lines = skeleton.split(|&b| b == b'\n');
        assert_eq!(lines.clone().count(), skeleton_lines.clone().count());
        for (line, of_line) in lines.zip(skeleton_lines) {
            mask_into(line, &mut once, 4096);
            mask_into(of_line, &mut of_skeleton, 4096);
            assert_eq!(once, of_skeleton, "a skeleton's lines mask like the text's");
        }
    }
});
