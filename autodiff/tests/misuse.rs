//! Misuse panics with a message naming the op and the shapes; and the tape's
//! contract: no_grad records nothing, detach cuts history, gradients of reused values
//! add up, backward takes a seed, zero_grad clears.

use autodiff::gradcheck::arr;
use autodiff::{no_grad, Tensor};
use ndarray::ArrayD;

fn param(shape: &[usize], data: Vec<f64>) -> Tensor<f64> {
    Tensor::param(arr(shape, data))
}

fn zeros(shape: &[usize]) -> Tensor<f64> {
    Tensor::zeros(shape)
}

fn grad_vec(t: &Tensor<f64>) -> Vec<f64> {
    t.grad().expect("a gradient was accumulated").iter().copied().collect()
}

// ---- shape and axis misuse -------------------------------------------------------

#[test]
#[should_panic(expected = "add: shapes [2, 3] and [4] do not broadcast")]
fn add_of_shapes_that_do_not_broadcast() {
    zeros(&[2, 3]).add(&zeros(&[4]));
}

#[test]
#[should_panic(expected = "matmul: inner dimensions differ: [2, 3] x [4, 5]")]
fn matmul_with_mismatched_inner_dimensions() {
    zeros(&[2, 3]).matmul(&zeros(&[4, 5]));
}

#[test]
#[should_panic(expected = "matmul: batch axes of [2, 1, 3] and [3, 3, 4] do not broadcast")]
fn matmul_with_batch_axes_that_do_not_broadcast() {
    zeros(&[2, 1, 3]).matmul(&zeros(&[3, 3, 4]));
}

#[test]
#[should_panic(expected = "reshape: cannot reshape [2, 3] (6 elements) to [4]")]
fn reshape_to_another_element_count() {
    zeros(&[2, 3]).reshape(&[4]);
}

#[test]
#[should_panic(expected = "sum: axis 2 out of range for a tensor of shape [2, 3]")]
fn sum_over_a_missing_axis() {
    zeros(&[2, 3]).sum(2, false);
}

#[test]
#[should_panic(expected = "mse: prediction shape [2, 3] and target shape [3, 2] differ")]
fn mse_of_different_shapes() {
    zeros(&[2, 3]).mse(&zeros(&[3, 2]));
}

#[test]
#[should_panic(expected = "transpose: axis -3 out of range for a tensor of shape [2, 3]")]
fn transpose_of_a_missing_axis() {
    zeros(&[2, 3]).transpose(0, -3);
}

#[test]
#[should_panic(expected = "permute: axes [1] are not a permutation of the 2 axes of a tensor of shape [2, 3]")]
fn permute_with_too_few_axes() {
    zeros(&[2, 3]).permute(&[1]);
}

#[test]
#[should_panic(expected = "broadcast_to: cannot broadcast shape [2, 3] to [2, 4]")]
fn broadcast_to_an_incompatible_shape() {
    zeros(&[2, 3]).broadcast_to(&[2, 4]);
}

#[test]
#[should_panic(expected = "unsqueeze: axis -4 out of range for a tensor of shape [2, 3]")]
fn unsqueeze_before_the_first_axis() {
    zeros(&[2, 3]).unsqueeze(-4);
}

#[test]
#[should_panic(expected = "squeeze: axis 1 of a tensor of shape [2, 3] has size 3, not 1")]
fn squeeze_of_a_long_axis() {
    zeros(&[2, 3]).squeeze(1);
}

#[test]
#[should_panic(expected = "concat: shapes [[2, 3], [2, 4]] do not agree on every axis but axis 0")]
fn concat_of_mismatched_shapes() {
    Tensor::concat(&[&zeros(&[2, 3]), &zeros(&[2, 4])], 0);
}

#[test]
#[should_panic(expected = "concat: shapes [[2, 3], [3]] do not agree on every axis but axis 1")]
fn concat_of_different_ranks() {
    Tensor::concat(&[&zeros(&[2, 3]), &zeros(&[3])], 1);
}

#[test]
#[should_panic(expected = "concat: needs at least one tensor")]
fn concat_of_nothing() {
    Tensor::<f64>::concat(&[], 0);
}

#[test]
#[should_panic(expected = "narrow: range 1..4 out of bounds for axis 0 of a tensor of shape [3, 2]")]
fn narrow_past_the_end() {
    zeros(&[3, 2]).narrow(0, 1, 3);
}

#[test]
#[should_panic(expected = "index_select: index 2 out of range for axis 1 of a tensor of shape [3, 2]")]
fn index_select_past_the_end() {
    zeros(&[3, 2]).index_select(-1, vec![1, 2]);
}

#[test]
#[should_panic(expected = "index_select: axis 2 out of range for a tensor of shape [3, 2]")]
fn index_select_of_a_missing_axis() {
    zeros(&[3, 2]).index_select(2, vec![0]);
}

// ---- backward misuse -------------------------------------------------------------

#[test]
#[should_panic(expected = "backward: tensor of shape [2] is not a scalar")]
fn backward_from_a_vector_without_a_seed() {
    param(&[2], vec![1.0, 2.0]).exp().backward();
}

#[test]
#[should_panic(expected = "backward_with: seed shape differs")]
fn backward_with_a_seed_of_the_wrong_shape() {
    param(&[2], vec![1.0, 2.0]).exp().backward_with(arr(&[3], vec![1.0; 3]));
}

// ---- the tape's contract ---------------------------------------------------------

#[test]
fn no_grad_records_no_history() {
    let x = param(&[2], vec![1.0, 2.0]);
    let y = no_grad(|| x.mul(&x).sum_all());
    assert!(!y.requires_grad(), "a result computed under no_grad needs no gradient");
    assert!(y.is_leaf(), "a result computed under no_grad has no origin");
    y.backward();
    assert_eq!(x.grad(), None, "backward through a no_grad result reaches nothing");
    assert!(x.mul(&x).requires_grad(), "recording resumes after no_grad");
}

#[test]
fn detach_cuts_history() {
    // y = detach(e^x) * x: the gradient flows through the second factor only, so
    // dy/dx = e^x (not e^x + x e^x).
    let x = param(&[2], vec![0.5, -1.0]);
    let e = x.exp();
    let detached = e.detach();
    assert!(detached.is_leaf() && !detached.requires_grad());
    assert_eq!(detached.to_vec(), e.to_vec());
    detached.mul(&x).sum_all().backward();
    assert_eq!(grad_vec(&x), e.to_vec());
}

#[test]
fn gradients_of_a_reused_value_add_up() {
    // d/dx sum(x * x) = 2x, and through a longer diamond d/dx sum(e*e + e), e = 3x,
    // is (2e + 1) * 3.
    let x = param(&[3], vec![1.5, -2.0, 0.25]);
    x.mul(&x).sum_all().backward();
    assert_eq!(grad_vec(&x), vec![3.0, -4.0, 0.5]);

    let x = param(&[2], vec![1.0, -0.5]);
    let e = x.mul(&Tensor::scalar(3.0));
    e.mul(&e).add(&e).sum_all().backward();
    assert_eq!(grad_vec(&x), vec![(2.0 * 3.0 + 1.0) * 3.0, (2.0 * -1.5 + 1.0) * 3.0]);
}

#[test]
fn backward_with_a_seed_is_a_vector_jacobian_product() {
    // y = x * [2, 3] seeded with s gives dx = s * [2, 3].
    let x = param(&[2], vec![7.0, 8.0]);
    let y = x.mul(&Tensor::from_vec(&[2], vec![2.0, 3.0]));
    y.backward_with(arr(&[2], vec![10.0, -1.0]));
    assert_eq!(grad_vec(&x), vec![20.0, -3.0]);
}

#[test]
fn backward_accumulates_until_zero_grad() {
    let x = param(&[2], vec![1.0, 2.0]);
    let loss = || x.mul(&x).sum_all();
    loss().backward();
    loss().backward();
    assert_eq!(grad_vec(&x), vec![4.0, 8.0], "two backward passes add up");
    x.zero_grad();
    assert_eq!(x.grad(), None);
    loss().backward();
    assert_eq!(grad_vec(&x), vec![2.0, 4.0], "after zero_grad the gradient starts afresh");
}

#[test]
fn constants_get_no_gradient() {
    let x = param(&[2], vec![1.0, 2.0]);
    let c = Tensor::from_vec(&[2], vec![3.0, 4.0]);
    x.mul(&c).sum_all().backward();
    assert_eq!(c.grad(), None);
    assert_eq!(grad_vec(&x), vec![3.0, 4.0]);
    let unused: Option<ArrayD<f64>> = param(&[1], vec![0.0]).grad();
    assert_eq!(unused, None, "a parameter no loss depends on has no gradient");
}
