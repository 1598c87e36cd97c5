//! The subcommands of `hnet`, one file each.
//!
//! To add a subcommand `foo`: write `cli/foo.rs` holding a `#[derive(clap::Args)]
//! pub struct Args` (its doc comment becomes the help text) with
//! `impl Args { pub fn run(self) -> Result<(), String> }`, then add the line
//! `foo => Foo,` to the list at the bottom of this file. Errors are returned as
//! messages that name the file or argument at fault and say what to do; `main`
//! prints them and exits with status 1.

pub mod device;
pub mod files;
mod memory_limit;
mod run_dir;
mod run_lock;

use clap::{Parser, Subcommand};

/// Declares the subcommand modules, the `Command` enum with one variant per module,
/// and `Command::run`, which hands over to the module's `Args::run`.
macro_rules! subcommands {
    ($($module:ident => $variant:ident),* $(,)?) => {
        $(pub mod $module;)*

        #[derive(Subcommand)]
        pub enum Command {
            $($variant($module::Args),)*
        }

        impl Command {
            pub fn run(self) -> Result<(), String> {
                match self {
                    $(Command::$variant(args) => args.run(),)*
                }
            }
        }
    };
}

/// Generate, classify, explain and draw interpretable target networks for the L1
/// norm (Liao, Liu and Tegmark, "Generating Interpretable Networks using
/// Hypernetworks").
#[derive(Parser)]
#[command(name = "hnet", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

subcommands! {
    reference => Reference,
    classify => Classify,
    explain => Explain,
    draw => Draw,
    train_mlp => TrainMlp,
    train_vmlp => TrainVmlp,
    reproduce => Reproduce,
    train => Train,
    generate => Generate,
    landscape => Landscape,
}
