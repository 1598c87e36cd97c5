//! Every CUDA kernel source compiles to PTX with NVRTC, and every entry point the
//! launch functions use is in it. Needs libnvrtc but no GPU (CI runs it through
//! `.ci/cuda_check.sh`, which installs NVRTC from PyPI). Without NVRTC the test
//! fails with install instructions, unless `SKIP_PTX=1`.
#![cfg(feature = "cuda")]

use kernels::cuda::{all_kernels, compile_all_ptx, kernels_of, nvrtc_available, Source};

#[test]
fn every_kernel_source_compiles_to_ptx_with_every_entry_point() {
    if let Err(e) = nvrtc_available() {
        if std::env::var("SKIP_PTX").as_deref() == Ok("1") {
            println!("SKIPPED: {e}");
            return;
        }
        panic!("{e}\n(set SKIP_PTX=1 to skip this test on a machine without NVRTC)");
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
