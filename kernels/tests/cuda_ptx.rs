//! Every CUDA kernel source compiles to PTX with NVRTC, and every entry point the
//! launch functions use is in it. Needs libnvrtc but no GPU (CI runs it through
//! `.ci/cuda_check.sh`, which installs NVRTC from PyPI). Without NVRTC the test
//! fails with install instructions, unless `SKIP_PTX=1`.
#![cfg(feature = "cuda")]

use kernels::cuda::{all_kernels, compile_all_ptx, kernels_of, nvrtc_available, CudaError, Source, UnaryOp};

/// Whether NVRTC is there; `false` (after saying so) only under `SKIP_PTX=1`.
fn nvrtc(test: &str) -> bool {
    match nvrtc_available() {
        Ok(()) => true,
        Err(e) if std::env::var("SKIP_PTX").as_deref() == Ok("1") => {
            println!("SKIPPED ({test}): {e}");
            false
        }
        Err(e) => panic!("{e}\n(set SKIP_PTX=1 to skip this test on a machine without NVRTC)"),
    }
}

#[test]
fn a_unary_op_compiles_from_its_expressions_and_a_bad_one_is_named() {
    if !nvrtc("unary ops") {
        return;
    }
    let ptx = UnaryOp::new("cube_for_test", "x * x * x", "T(3) * x * x").ptx().unwrap_or_else(|e| panic!("{e}"));
    for entry in ["unary_forward_f32", "unary_backward_f32", "unary_forward_f64", "unary_backward_f64"] {
        assert!(ptx.contains(&format!(".entry {entry}(")), "no entry point {entry}");
    }
    match UnaryOp::new("broken_for_test", "x +* 1", "y").ptx() {
        Err(CudaError::Compile { source, log }) => assert!(source == "unary_broken_for_test" && log.contains("broken_for_test"), "{source}: {log}"),
        other => panic!("a broken expression must fail to compile, got {other:?}"),
    }
}

#[test]
fn every_kernel_source_compiles_to_ptx_with_every_entry_point() {
    if !nvrtc("kernel sources") {
        return;
    }
    let ptx = compile_all_ptx().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ptx.len(), Source::ALL.len(), "one PTX module per source");
    for kernel in all_kernels() {
        let (_, module) = ptx.iter().find(|(name, _)| *name == kernel.source.name()).expect("source compiled");
        for entry in kernel.entries() {
            assert!(
                module.contains(&format!(".entry {entry}(")),
                "{}.cu has no entry point {entry}",
                kernel.source.name()
            );
        }
    }
}

#[test]
fn every_source_defines_kernels() {
    for source in Source::ALL {
        assert!(!kernels_of(source).is_empty(), "{} lists no kernels", source.name());
    }
}
