//! The SHA-256 that checkpoints and weight files carry to detect damage or edits.
//!
//! digest = SHA-256(name_1 ‖ shape_1 ‖ bytes_1 ‖ … ‖ name_k ‖ shape_k ‖ bytes_k ‖
//! key_1 ‖ value_1 ‖ … ‖ key_j ‖ value_j), in lowercase hex, where a shape is written
//! as `[2, 3]` and the tensors and metadata come in the order the caller gives. The
//! caller fixes both orders, so writer and reader agree; a tensor's byte count follows
//! from its shape, so the tensor fields cannot be shifted into one another.

use sha2::{Digest, Sha256};

/// The hex SHA-256 of `tensors` (name, shape, bytes) followed by `metadata` (key, value).
pub fn sha256_hex<'t, 'm>(
    tensors: impl IntoIterator<Item = (&'t str, &'t [usize], &'t [u8])>,
    metadata: impl IntoIterator<Item = (&'m str, &'m str)>,
) -> String {
    let mut h = Sha256::new();
    for (name, shape, bytes) in tensors {
        h.update(name.as_bytes());
        h.update(format!("{shape:?}").as_bytes());
        h.update(bytes);
    }
    for (k, v) in metadata {
        h.update(k.as_bytes());
        h.update(v.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_changes_the_digest() {
        let base = || sha256_hex([("w", &[2usize][..], &[1u8, 2, 3, 4, 5, 6, 7, 8][..])], [("k", "v")]);
        let variants = [
            sha256_hex([("x", &[2usize][..], &[1u8, 2, 3, 4, 5, 6, 7, 8][..])], [("k", "v")]),
            sha256_hex([("w", &[1usize, 2][..], &[1u8, 2, 3, 4, 5, 6, 7, 8][..])], [("k", "v")]),
            sha256_hex([("w", &[2usize][..], &[1u8, 2, 3, 4, 5, 6, 7, 9][..])], [("k", "v")]),
            sha256_hex([("w", &[2usize][..], &[1u8, 2, 3, 4, 5, 6, 7, 8][..])], [("k", "u")]),
            sha256_hex([("w", &[2usize][..], &[1u8, 2, 3, 4, 5, 6, 7, 8][..])], []),
        ];
        assert_eq!(base(), base());
        assert_eq!(base().len(), 64);
        for v in variants {
            assert_ne!(v, base());
        }
    }
}
