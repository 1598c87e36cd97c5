//! The CUDA C sources and their compilation to PTX by NVRTC.
//!
//! Each source is `kernels/cuda/common.cuh` followed by one `kernels/cuda/<name>.cu`
//! (with `#line` markers, so compile errors name the right file and line). The
//! elementwise unary ops are not among them: each op brings its own two expressions,
//! compiled into a module of its own (`unary.rs`). It is
//! compiled at most once per process; the PTX is cached. FMA contraction is off
//! (`--fmad=false`) so that elementwise arithmetic rounds as on the CPU.

use super::error::CudaError;
use super::library::Library;
use cudarc::nvrtc::{compile_ptx_with_opts, CompileError, CompileOptions};
use std::sync::OnceLock;

const COMMON: &str = include_str!("../../cuda/common.cuh");

/// One `.cu` file of kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Binary,
    Reduce,
    Softmax,
    LayerNorm,
    Optim,
    Philox,
    Copy,
}

impl Source {
    /// Every source, in a fixed order.
    pub const ALL: [Source; 7] = [
        Source::Binary,
        Source::Reduce,
        Source::Softmax,
        Source::LayerNorm,
        Source::Optim,
        Source::Philox,
        Source::Copy,
    ];

    /// The file name without `.cu`.
    pub fn name(self) -> &'static str {
        match self {
            Source::Binary => "binary",
            Source::Reduce => "reduce",
            Source::Softmax => "softmax",
            Source::LayerNorm => "layernorm",
            Source::Optim => "optim",
            Source::Philox => "philox",
            Source::Copy => "copy",
        }
    }

    fn body(self) -> &'static str {
        match self {
            Source::Binary => include_str!("../../cuda/binary.cu"),
            Source::Reduce => include_str!("../../cuda/reduce.cu"),
            Source::Softmax => include_str!("../../cuda/softmax.cu"),
            Source::LayerNorm => include_str!("../../cuda/layernorm.cu"),
            Source::Optim => include_str!("../../cuda/optim.cu"),
            Source::Philox => include_str!("../../cuda/philox.cu"),
            Source::Copy => include_str!("../../cuda/copy.cu"),
        }
    }

    /// The PTX of this source, compiled on first use and cached for the process
    /// (failures are not cached: a later call tries again).
    pub(crate) fn ptx(self) -> Result<&'static str, CudaError> {
        static CACHE: [OnceLock<String>; Source::ALL.len()] = [const { OnceLock::new() }; Source::ALL.len()];
        let slot = &CACHE[Source::ALL.iter().position(|&s| s == self).expect("every source is in ALL")];
        if slot.get().is_none() {
            // Two threads may both compile; both get the same PTX and one is kept.
            let _ = slot.set(self.compile()?);
        }
        Ok(slot.get().expect("set above"))
    }

    fn compile(self) -> Result<String, CudaError> {
        compile(self.name(), &format!("#line 1 \"{0}.cu\"\n{1}", self.name(), self.body()))
    }
}

/// Compiles `common.cuh` followed by `text` (which starts with its own `#line`
/// marker) to PTX, with FMA contraction off; `name` names the module in errors.
pub(crate) fn compile(name: &str, text: &str) -> Result<String, CudaError> {
    Library::Nvrtc.require()?;
    let text = format!("#line 1 \"common.cuh\"\n{COMMON}\n{text}");
    let options = CompileOptions { fmad: Some(false), name: Some(format!("{name}.cu")), ..Default::default() };
    compile_ptx_with_opts(text, options).map(|ptx| ptx.to_src()).map_err(|e| CudaError::Compile {
        source: name.to_string(),
        log: match e {
            CompileError::CompileError { log, .. } => log.to_string_lossy().into_owned(),
            other => other.to_string(),
        },
    })
}

/// A kernel entry point: `name` itself, or `name_f32` and `name_f64` when `typed`.
#[derive(Clone, Copy, Debug)]
pub struct Kernel {
    pub source: Source,
    pub name: &'static str,
    pub typed: bool,
}

impl Kernel {
    /// A kernel instantiated for f32 and f64 (`<name>_f32`, `<name>_f64`).
    pub(crate) const fn typed(source: Source, name: &'static str) -> Kernel {
        Kernel { source, name, typed: true }
    }

    /// A kernel with one entry point, `name`.
    pub(crate) const fn untyped(source: Source, name: &'static str) -> Kernel {
        Kernel { source, name, typed: false }
    }

    /// The PTX entry point for element type `dtype` ("f32" or "f64"; ignored if untyped).
    pub fn entry(&self, dtype: &str) -> String {
        if self.typed {
            format!("{}_{dtype}", self.name)
        } else {
            self.name.to_string()
        }
    }

    /// Every PTX entry point of this kernel.
    pub fn entries(&self) -> Vec<String> {
        if self.typed {
            vec![self.entry("f32"), self.entry("f64")]
        } else {
            vec![self.entry("")]
        }
    }
}

/// Compiles every source to PTX with NVRTC (no GPU needed): `(source name, PTX)`
/// pairs, or a message naming the source that failed and NVRTC's log.
pub fn compile_all_ptx() -> Result<Vec<(&'static str, String)>, String> {
    Source::ALL.iter().map(|&s| s.ptx().map(|ptx| (s.name(), ptx.to_string())).map_err(|e| e.to_string())).collect()
}
