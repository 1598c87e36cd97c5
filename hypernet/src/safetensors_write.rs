//! Safetensors files whose bytes depend only on their content.
//!
//! The `safetensors` crate writes its `__metadata__` map from a `HashMap`, whose order
//! follows a hash seed drawn afresh in every process, so the same checkpoint written
//! twice differed in its header bytes. This writer lays the file out itself, in the
//! format's documented layout:
//!
//! * 8 bytes: the header's length N, unsigned little-endian;
//! * N bytes: a JSON object, `__metadata__` first (string values, keys sorted), then
//!   each tensor in the order given as `"name":{"dtype":"F32","shape":[..],
//!   "data_offsets":[begin,end]}`, padded with spaces so that N is a multiple of 8;
//! * the tensors' bytes, back to back in the same order, so tensor i occupies
//!   `[sum of the sizes before it, that plus its own size)` of the data section.
//!
//! Reading stays with the `safetensors` crate (and Python's `safetensors` package),
//! which accepts this layout.

use std::collections::BTreeMap;

/// One f32 tensor to write: its name, shape and little-endian bytes.
pub struct F32Tensor<'a> {
    pub name: &'a str,
    pub shape: &'a [usize],
    pub data: &'a [u8],
}

/// The file holding `tensors` (in this order) and `metadata` (in key order).
///
/// Panics if a tensor's byte count is not 4 times its element count, or if a name is
/// repeated or is `__metadata__`: the callers build these from arrays, so either is a bug.
pub fn encode_f32(tensors: &[F32Tensor], metadata: &BTreeMap<String, String>) -> Vec<u8> {
    let json = |s: &str| serde_json::to_string(s).expect("strings always encode as JSON");
    let mut entries = Vec::with_capacity(tensors.len() + 1);
    if !metadata.is_empty() {
        let fields: Vec<String> = metadata.iter().map(|(k, v)| format!("{}:{}", json(k), json(v))).collect();
        entries.push(format!("\"__metadata__\":{{{}}}", fields.join(",")));
    }
    let mut offset = 0;
    for (i, t) in tensors.iter().enumerate() {
        let elements: usize = t.shape.iter().product();
        assert_eq!(
            t.data.len(),
            4 * elements,
            "safetensors_write::encode_f32: tensor `{}` of shape {:?} needs {} bytes, got {}",
            t.name,
            t.shape,
            4 * elements,
            t.data.len()
        );
        assert!(
            t.name != "__metadata__" && tensors[..i].iter().all(|u| u.name != t.name),
            "safetensors_write::encode_f32: tensor name `{}` is reserved or repeated",
            t.name
        );
        let shape: Vec<String> = t.shape.iter().map(usize::to_string).collect();
        let end = offset + t.data.len();
        entries.push(format!("{}:{{\"dtype\":\"F32\",\"shape\":[{}],\"data_offsets\":[{offset},{end}]}}", json(t.name), shape.join(",")));
        offset = end;
    }
    let mut header = format!("{{{}}}", entries.join(",")).into_bytes();
    header.resize(header.len().next_multiple_of(8), b' ');
    let mut file = Vec::with_capacity(8 + header.len() + offset);
    file.extend_from_slice(&(header.len() as u64).to_le_bytes());
    file.extend_from_slice(&header);
    for t in tensors {
        file.extend_from_slice(t.data);
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::{Dtype, SafeTensors, TensorView};
    use std::collections::HashMap;

    fn bytes(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn the_safetensors_crate_reads_back_every_tensor_and_key() {
        let (a, b, empty) = (bytes(&[1.0, -2.0, 3.5, 0.25, 7.0, -0.0]), bytes(&[9.0]), Vec::new());
        let tensors = [
            F32Tensor { name: "z \"quoted\" ü", shape: &[2, 3], data: &a },
            F32Tensor { name: "a", shape: &[1], data: &b },
            F32Tensor { name: "none", shape: &[0, 4], data: &empty },
        ];
        let metadata = BTreeMap::from([("b".to_string(), "line\nbreak".to_string()), ("a".to_string(), "x".to_string())]);
        let file = encode_f32(&tensors, &metadata);
        let header_len = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
        assert_eq!(header_len % 8, 0);
        let (_, header) = SafeTensors::read_metadata(&file).unwrap();
        let expected: HashMap<String, String> = metadata.into_iter().collect();
        assert_eq!(header.metadata().as_ref(), Some(&expected));
        let read = SafeTensors::deserialize(&file).unwrap();
        for t in &tensors {
            assert_eq!(read.tensor(t.name).unwrap(), TensorView::new(Dtype::F32, t.shape.to_vec(), t.data).unwrap());
        }
    }

    #[test]
    fn same_bytes_as_the_safetensors_crate_when_it_has_no_metadata_to_shuffle() {
        let (a, b) = (bytes(&[1.0, 2.0]), bytes(&[3.0, 4.0, 5.0]));
        let ours = encode_f32(&[F32Tensor { name: "a", shape: &[2], data: &a }, F32Tensor { name: "b", shape: &[3, 1], data: &b }], &BTreeMap::new());
        let views = vec![("a", TensorView::new(Dtype::F32, vec![2], &a).unwrap()), ("b", TensorView::new(Dtype::F32, vec![3, 1], &b).unwrap())];
        assert_eq!(ours, safetensors::serialize(views, &None).unwrap());
    }

    #[test]
    #[should_panic(expected = "tensor `w` of shape [2, 2] needs 16 bytes, got 12")]
    fn a_byte_count_that_does_not_fit_the_shape_panics_naming_the_tensor() {
        encode_f32(&[F32Tensor { name: "w", shape: &[2, 2], data: &[0; 12] }], &BTreeMap::new());
    }
}
