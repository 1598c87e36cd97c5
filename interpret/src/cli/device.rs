//! The `--device` argument: `cpu`, `cuda` or `cuda:N`, checked before any work starts
//! so that a device that is not there is reported at once, saying what was looked for.

use autodiff::Device;

/// A device named on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceChoice {
    Cpu,
    Cuda(usize),
}

/// Parses `cpu`, `cuda` (device 0) or `cuda:N`.
pub fn parse_device(text: &str) -> Result<DeviceChoice, String> {
    let bad = || format!("unknown device `{text}`; expected `cpu`, `cuda` or `cuda:N` (N = 0, 1, ...)");
    match text {
        "cpu" => Ok(DeviceChoice::Cpu),
        "cuda" => Ok(DeviceChoice::Cuda(0)),
        _ => {
            let ordinal = text.strip_prefix("cuda:").ok_or_else(bad)?;
            ordinal.parse().map(DeviceChoice::Cuda).map_err(|_| bad())
        }
    }
}

/// Opens the device training runs on: the CPU always; a CUDA device needs a build
/// with the `cuda` feature, the driver and NVRTC libraries, and the device.
pub fn require_training_device(device: DeviceChoice) -> Result<Device, String> {
    match device {
        DeviceChoice::Cpu => Ok(Device::Cpu),
        DeviceChoice::Cuda(ordinal) => open_cuda(ordinal),
    }
}

#[cfg(not(feature = "cuda"))]
fn open_cuda(ordinal: usize) -> Result<Device, String> {
    Err(format!(
        "device cuda:{ordinal} is not available: this hnet was built without the `cuda` cargo feature \
         (rebuild with `cargo build --release -p interpret --features cuda`), or pass --device cpu"
    ))
}

#[cfg(feature = "cuda")]
fn open_cuda(ordinal: usize) -> Result<Device, String> {
    let device = autodiff::cuda::CudaDevice::new(ordinal).map_err(|e| format!("device cuda:{ordinal} is not available: {e}"))?;
    let name = device.name().unwrap_or_else(|_| "a CUDA device".into());
    eprintln!("training on {device} ({name})");
    Ok(Device::Cuda(device))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_unknown_ones_list_the_choices() {
        assert_eq!(parse_device("cpu"), Ok(DeviceChoice::Cpu));
        assert_eq!(parse_device("cuda"), Ok(DeviceChoice::Cuda(0)));
        assert_eq!(parse_device("cuda:3"), Ok(DeviceChoice::Cuda(3)));
        for bad in ["gpu", "cuda:", "cuda:x", "CPU", ""] {
            let err = parse_device(bad).unwrap_err();
            assert!(err.contains("expected `cpu`, `cuda` or `cuda:N`"), "{err}");
        }
        assert_eq!(require_training_device(DeviceChoice::Cpu), Ok(Device::Cpu));
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn cuda_without_the_feature_says_how_to_get_it() {
        let err = require_training_device(DeviceChoice::Cuda(0)).unwrap_err();
        assert!(err.contains("without the `cuda` cargo feature") && err.contains("--device cpu"), "{err}");
    }
}
