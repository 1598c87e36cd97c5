//! The primitives under test, one line each ([`CASES`]), and how their inputs are
//! drawn: shared by the gradient checks (`gradcheck_primitives.rs`) and the device
//! parity tests (`cuda_parity.rs`), so both cover the same primitives on the same
//! shapes.
//!
//! Each case names the primitive, how many inputs it takes, how their shapes are drawn
//! ([`Shapes`]), where their values are drawn from ([`Domain`]), and a closure applying
//! it. The closure also gets a [`Ctx`] holding the case's axis and drawing any other
//! parameter (a permutation, a window, indices, a scalar) from the case's seed, so the
//! same case always makes the same call. Scalar parameters (the `powf` exponent, the
//! `layer_norm` eps, the constants of `add_scalar` and `mul_scalar`) are drawn too,
//! rounded to f32 so that a case's f32 and f64 runs use the same value.
//!
//! Each line is written once with [`case!`] and compiled twice, for `Tensor<f64>` (the
//! gradient checks) and `Tensor<f32>` (the f32-against-f64 consistency check).

use super::{broadcast_sources, dim, shape, values, Domain, MAX_ELEMENTS};
use autodiff::{Float, Key, Tensor};
use proptest::prelude::*;
use std::cell::RefCell;
use Domain::*;
use Shapes::*;

/// How the input shapes of a case are drawn (and what `Ctx::axis` means).
#[derive(Clone, Copy, Debug)]
pub enum Shapes {
    /// All inputs share one shape of rank 0-4.
    Same,
    /// Shapes of rank 0-4 that broadcast together (missing and size-1 axes).
    Broadcasting,
    /// `[batch_a.., m, k]` and `[batch_b.., k, n]`, the batch axes (0-2 of them)
    /// broadcasting against each other.
    MatMulPair,
    /// All inputs share one shape of rank 1-4; `axis` is one of its axes.
    AxisOp,
    /// One shape of rank 1-4 whose axis `axis` has size 1.
    UnitAxis,
    /// Shapes of rank 1-4 that agree except along `axis`.
    ConcatAlong,
}

/// A case's closure in one precision.
pub type Op<T> = fn(&[Tensor<T>], &Ctx) -> Tensor<T>;

/// One primitive under test.
pub struct Case {
    pub name: &'static str,
    pub inputs: usize,
    pub shapes: Shapes,
    pub domain: Domain,
    pub op: Op<f64>,
    /// The same closure compiled for f32 (`None` for an f64-only case made by [`case`],
    /// such as the harness's own deliberately wrong primitive).
    pub op32: Option<Op<f32>>,
}

pub const fn case(
    name: &'static str,
    inputs: usize,
    shapes: Shapes,
    domain: Domain,
    op: fn(&[Tensor<f64>], &Ctx) -> Tensor<f64>,
) -> Case {
    Case { name, inputs, shapes, domain, op, op32: None }
}

/// A [`Case`] whose closure is compiled for both f64 and f32:
/// `case!(name, inputs, shapes, domain, |x, c| body)`.
macro_rules! case {
    ($name:expr, $inputs:expr, $shapes:expr, $domain:expr, |$x:pat_param, $c:pat_param| $body:expr) => {
        Case {
            name: $name,
            inputs: $inputs,
            shapes: $shapes,
            domain: $domain,
            op: |$x: &[Tensor<f64>], $c: &Ctx| $body,
            op32: Some(|$x: &[Tensor<f32>], $c: &Ctx| $body),
        }
    };
}

/// One line per primitive. Add yours here.
#[rustfmt::skip]
pub const CASES: &[Case] = &[
    case!("add", 2, Broadcasting, Any, |x, _| x[0].add(&x[1])),
    case!("mul", 2, Broadcasting, Any, |x, _| x[0].mul(&x[1])),
    case!("exp", 1, Same, Any, |x, _| x[0].exp()),
    case!("sum", 1, AxisOp, Any, |x, c| x[0].sum(c.signed_axis(x[0].ndim()), c.flag("keepdim"))),
    case!("sum_all", 1, Same, Any, |x, _| x[0].sum_all()),
    case!("reshape", 1, Same, Any, |x, c| x[0].reshape(&c.regrouped(&x[0].shape()))),
    case!("matmul", 2, MatMulPair, Any, |x, _| x[0].matmul(&x[1])),
    case!("transpose", 1, AxisOp, Any, |x, c| x[0].transpose(c.signed_axis(x[0].ndim()), c.other_axis(x[0].ndim()))),
    case!("permute", 1, Same, Any, |x, c| x[0].permute(&c.permutation(x[0].ndim()))),
    case!("broadcast_to", 1, Same, Any, |x, c| x[0].broadcast_to(&c.expanded(&x[0].shape()))),
    case!("unsqueeze", 1, Same, Any, |x, c| x[0].unsqueeze(c.insertion_axis(x[0].ndim()))),
    case!("squeeze", 1, UnitAxis, Any, |x, c| x[0].squeeze(c.signed_axis(x[0].ndim()))),
    case!("concat", 3, ConcatAlong, Any, |x, c| Tensor::concat(&[&x[0], &x[1], &x[2]], c.signed_axis(x[0].ndim()))),
    case!("concat_reused_input", 2, ConcatAlong, Any, |x, c| Tensor::concat(&[&x[0], &x[1], &x[0]], c.signed_axis(x[0].ndim()))),
    case!("narrow", 1, AxisOp, Any, |x, c| { let (start, len) = c.window(x[0].shape()[c.axis]); x[0].narrow(c.signed_axis(x[0].ndim()), start, len) }),
    case!("index_select", 1, AxisOp, Any, |x, c| x[0].index_select(c.signed_axis(x[0].ndim()), c.indices(x[0].shape()[c.axis]))),
    case!("index_add", 1, AxisOp, Any, |x, c| { let (indices, len) = c.scatter(x[0].shape()[c.axis]); x[0].index_add(c.signed_axis(x[0].ndim()), indices, len) }),
    case!("sum_to", 1, Same, Any, |x, c| x[0].sum_to(&c.collapsed(&x[0].shape()))),
    case!("neg", 1, Same, Any, |x, _| -&x[0]),
    case!("add_scalar", 1, Same, Any, |x, c| x[0].add_scalar(c.scalar("c", -5.0, 5.0))),
    case!("mul_scalar", 1, Same, Any, |x, c| x[0].mul_scalar(c.scalar("c", -5.0, 5.0))),
    case!("powf", 1, Same, Positive, |x, c| x[0].powf(c.exponent())),
    case!("square", 1, Same, Any, |x, _| x[0].square()),
    case!("log", 1, Same, Positive, |x, _| x[0].log()),
    case!("sqrt", 1, Same, Positive, |x, _| x[0].sqrt()),
    case!("abs", 1, Same, AwayFromZero, |x, _| x[0].abs()),
    case!("relu", 1, Same, AwayFromZero, |x, _| x[0].relu()),
    case!("sigmoid", 1, Same, Any, |x, _| x[0].sigmoid()),
    case!("tanh", 1, Same, Any, |x, _| x[0].tanh()),
    case!("silu", 1, Same, Any, |x, _| x[0].silu()),
    case!("softplus", 1, Same, Any, |x, _| x[0].softplus()),
    case!("sin", 1, Same, Any, |x, _| x[0].sin()),
    case!("sub", 2, Broadcasting, Any, |x, _| &x[0] - &x[1]),
    case!("div", 2, Broadcasting, AwayFromZero, |x, _| &x[0] / &x[1]),
    case!("mean", 1, AxisOp, Any, |x, c| x[0].mean(c.signed_axis(x[0].ndim()), c.flag("keepdim"))),
    case!("mean_all", 1, Same, Any, |x, _| x[0].mean_all()),
    case!("max", 1, AxisOp, Distinct, |x, c| x[0].max(c.signed_axis(x[0].ndim()), c.flag("keepdim"))),
    case!("softmax", 1, AxisOp, Any, |x, c| x[0].softmax(c.signed_axis(x[0].ndim()))),
    case!("log_softmax", 1, AxisOp, Any, |x, c| x[0].log_softmax(c.signed_axis(x[0].ndim()))),
    case!("logsumexp", 1, AxisOp, Any, |x, c| x[0].logsumexp(c.signed_axis(x[0].ndim()), c.flag("keepdim"))),
    case!("layer_norm", 1, AxisOp, Any, |x, c| x[0].layer_norm(c.log_uniform("eps", 1e-6, 1.0))),
    case!("mse", 2, Same, Any, |x, _| x[0].mse(&x[1])),
];

/// The parameters of a case besides its input values: the axis drawn with the
/// shapes, and a key from which the closure draws anything else. Every draw is
/// logged so that a failure report can show it.
pub struct Ctx {
    pub axis: usize,
    key: Key,
    pub log: RefCell<Vec<String>>,
}

impl Ctx {
    pub fn new(axis: usize, key: Key) -> Ctx {
        Ctx { axis, key, log: RefCell::new(Vec::new()) }
    }

    fn note<V: std::fmt::Debug>(&self, what: &str, v: V) -> V {
        self.log.borrow_mut().push(format!("{what} = {v:?}"));
        v
    }

    /// `n` uniforms in (0, 1) for the draw called `what`.
    fn uniform(&self, what: &str, n: usize) -> Vec<f64> {
        let tag = what.bytes().fold(0u64, |h, b| h.wrapping_mul(131).wrapping_add(b as u64));
        self.key.fold_in(tag).uniform_f64(n)
    }

    fn below(&self, what: &str, n: usize) -> usize {
        (self.uniform(what, 1)[0] * n as f64) as usize
    }

    /// A scalar parameter uniform in `[lo, hi]`, rounded to f32 (then exact in both
    /// precisions).
    pub fn scalar<T: Float>(&self, what: &str, lo: f64, hi: f64) -> T {
        let v = (lo + (hi - lo) * self.uniform(what, 1)[0]) as f32;
        T::c(self.note(what, v) as f64)
    }

    /// A scalar parameter log-uniform in `[lo, hi]` (both positive), rounded to f32.
    pub fn log_uniform<T: Float>(&self, what: &str, lo: f64, hi: f64) -> T {
        let v = (lo.ln() + (hi.ln() - lo.ln()) * self.uniform(what, 1)[0]).exp() as f32;
        T::c(self.note(what, v) as f64)
    }

    /// A `powf` exponent: a special value (0, 1, 2, 0.5, -1, 3) a third of the time,
    /// else uniform in `[-3, 4]`, rounded to f32.
    pub fn exponent<T: Float>(&self) -> T {
        const SPECIAL: [f32; 6] = [0.0, 1.0, 2.0, 0.5, -1.0, 3.0];
        let u = self.uniform("exponent", 2);
        let p = if u[0] < 1.0 / 3.0 { SPECIAL[(u[1] * 6.0) as usize] } else { (-3.0 + 7.0 * u[1]) as f32 };
        T::c(self.note("exponent", p) as f64)
    }

    /// A boolean flag.
    fn flag(&self, what: &str) -> bool {
        self.note(what, self.below(what, 2) == 1)
    }

    /// `axis`, written negatively (counting from the end) half of the time.
    fn signed_axis(&self, ndim: usize) -> isize {
        let negative = self.below("negative axis", 2) == 1;
        self.note("axis", if negative { self.axis as isize - ndim as isize } else { self.axis as isize })
    }

    /// Another axis in `-ndim..ndim`, drawn independently of `axis` (it may equal it).
    fn other_axis(&self, ndim: usize) -> isize {
        self.note("other axis", self.below("other axis", 2 * ndim) as isize - ndim as isize)
    }

    /// A position for a new axis among `ndim + 1`, in `-(ndim+1)..=ndim`.
    fn insertion_axis(&self, ndim: usize) -> isize {
        self.note("insert at", self.below("insert at", 2 * ndim + 2) as isize - ndim as isize - 1)
    }

    /// A random permutation of `0..ndim`.
    fn permutation(&self, ndim: usize) -> Vec<usize> {
        let u = self.uniform("permutation", ndim);
        let mut axes: Vec<usize> = (0..ndim).collect();
        axes.sort_by(|&a, &b| u[a].total_cmp(&u[b]));
        self.note("axes", axes)
    }

    /// `(start, len)` of a non-empty window of `0..n`.
    fn window(&self, n: usize) -> (usize, usize) {
        let start = self.below("window start", n);
        self.note("window (start, len)", (start, 1 + self.below("window len", n - start)))
    }

    /// One to `n + 2` indices into `0..n`, in any order, repeats likely.
    fn indices(&self, n: usize) -> Vec<usize> {
        let count = 1 + self.below("index count", n + 2);
        let indices = self.uniform("indices", count).iter().map(|u| (u * n as f64) as usize).collect();
        self.note("indices", indices)
    }

    /// Where `count` entries scatter: `count` indices into `0..len` (repeats and gaps
    /// likely) and `len`, from 1 to `count + 2`.
    fn scatter(&self, count: usize) -> (Vec<usize>, usize) {
        let len = 1 + self.below("scatter len", count + 2);
        let indices = self.uniform("indices", count).iter().map(|u| (u * len as f64) as usize).collect();
        self.note("scatter (indices, len)", (indices, len))
    }

    /// A shape that broadcasts to `shape`: 0-2 leading axes dropped, and each axis kept
    /// or set to 1 with even odds.
    fn collapsed(&self, shape: &[usize]) -> Vec<usize> {
        let u = self.uniform("collapse", shape.len() + 1);
        let drop = ((3.0 * u[0]) as usize).min(shape.len());
        self.note("target shape", shape[drop..].iter().zip(&u[1 + drop..]).map(|(&d, &u)| if u < 0.5 { 1 } else { d }).collect())
    }

    /// A shape that `shape` broadcasts to: 0-2 new leading axes, and each size-1 axis
    /// stretched to 1-3.
    fn expanded(&self, shape: &[usize]) -> Vec<usize> {
        let u = self.uniform("expand", shape.len() + 3);
        let stretch = |u: f64| 1 + (3.0 * u) as usize;
        let lead = (3.0 * u[0]) as usize;
        let new_axes = u[1..=lead].iter().map(|&u| stretch(u));
        let old_axes = shape.iter().zip(&u[3..]).map(|(&d, &u)| if d == 1 { stretch(u) } else { d });
        self.note("target shape", new_axes.chain(old_axes).collect())
    }

    /// The same axis lengths shuffled, with a size-1 axis inserted half of the time:
    /// a shape with as many elements.
    fn regrouped(&self, shape: &[usize]) -> Vec<usize> {
        let u = self.uniform("regroup", shape.len() + 2);
        let mut order: Vec<usize> = (0..shape.len()).collect();
        order.sort_by(|&a, &b| u[a].total_cmp(&u[b]));
        let mut out: Vec<usize> = order.iter().map(|&i| shape[i]).collect();
        if u[shape.len()] < 0.5 {
            out.insert((u[shape.len() + 1] * (out.len() + 1) as f64) as usize, 1);
        }
        self.note("target shape", out)
    }
}

/// The shapes of a case's inputs, and its axis (0 where the kind has none).
pub fn shapes(kind: Shapes, inputs: usize) -> BoxedStrategy<(Vec<Vec<usize>>, usize)> {
    let repeated = move |s: Vec<usize>| vec![s; inputs];
    match kind {
        Same => shape(0..=4).prop_map(move |s| (repeated(s), 0)).boxed(),
        Broadcasting => {
            shape(0..=4).prop_flat_map(move |full| broadcast_sources(full, inputs)).prop_map(|s| (s, 0)).boxed()
        }
        MatMulPair => {
            let batch = proptest::collection::vec(1usize..=3, 0..=2);
            (batch, dim(), dim(), dim())
                .prop_flat_map(|(batch, m, k, n)| {
                    broadcast_sources(batch, 2)
                        .prop_map(move |b| vec![[&b[0][..], &[m, k]].concat(), [&b[1][..], &[k, n]].concat()])
                })
                .prop_map(|s| (s, 0))
                .boxed()
        }
        AxisOp => {
            shape(1..=4).prop_flat_map(move |s| (0..s.len()).prop_map(move |axis| (repeated(s.clone()), axis))).boxed()
        }
        UnitAxis => shape(1..=4)
            .prop_flat_map(|s| (0..s.len()).prop_map(move |axis| (s.clone(), axis)))
            .prop_map(move |(mut s, axis)| {
                s[axis] = 1;
                (repeated(s), axis)
            })
            .boxed(),
        ConcatAlong => shape(1..=4)
            .prop_flat_map(move |s| {
                (0..s.len(), proptest::collection::vec(1usize..=3, inputs))
                    .prop_map(move |(axis, lens)| (s.clone(), axis, lens))
            })
            .prop_map(|(s, axis, lens)| {
                let per_input: Vec<Vec<usize>> = lens
                    .iter()
                    .map(|&len| s.iter().enumerate().map(|(ax, &d)| if ax == axis { len } else { d }).collect())
                    .collect();
                (per_input, axis)
            })
            .prop_filter("too many elements", |(s, _)| {
                s.iter().map(|s| s.iter().product::<usize>()).sum::<usize>() <= MAX_ELEMENTS
            })
            .boxed(),
    }
}

/// One drawn case: input shapes, axis, and the seed of values and parameters.
#[derive(Clone, Debug)]
pub struct Sample {
    pub shapes: Vec<Vec<usize>>,
    pub axis: usize,
    pub seed: u64,
}

impl Sample {
    pub fn inputs(&self, domain: Domain) -> Vec<ndarray::ArrayD<f64>> {
        let keys = Key::new(self.seed).split(self.shapes.len() + 2);
        self.shapes.iter().zip(&keys).map(|(s, k)| values(domain, s, *k)).collect()
    }
    pub fn ctx(&self) -> Ctx {
        Ctx::new(self.axis, Key::new(self.seed).split(self.shapes.len() + 2)[self.shapes.len()])
    }
    pub fn direction_key(&self) -> Key {
        Key::new(self.seed).split(self.shapes.len() + 2)[self.shapes.len() + 1]
    }
    /// Which inputs the gradient check makes parameters (the others are constants):
    /// a non-empty subset drawn uniformly from the seed.
    pub fn needs_grad(&self) -> Vec<bool> {
        super::mask(self.shapes.len(), Key::new(self.seed).fold_in(MASK_TAG))
    }
}

/// Folded into a sample's key to draw its mask of inputs that need a gradient.
const MASK_TAG: u64 = 0x6D61_736B;

impl Case {
    /// Random draws of this case: its input shapes and axis, and the seed of its values.
    pub fn samples(&self) -> impl Strategy<Value = Sample> {
        (shapes(self.shapes, self.inputs), any::<u64>()).prop_map(|((shapes, axis), seed)| Sample { shapes, axis, seed })
    }
}

/// The cases whose name contains `GRADCHECK_ONLY` (all of them without it). Panics if
/// it selects none.
pub fn selected_cases() -> Vec<&'static Case> {
    let only = std::env::var("GRADCHECK_ONLY").ok();
    let selected: Vec<&Case> = CASES.iter().filter(|c| only.as_deref().is_none_or(|o| c.name.contains(o))).collect();
    assert!(!selected.is_empty(), "GRADCHECK_ONLY={only:?} selects no case");
    selected
}
