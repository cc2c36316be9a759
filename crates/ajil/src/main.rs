//! The `ajil` binary: command-line interface and the glue that chains the
//! pipeline stages (see `pipeline.rs`) — the only crate that knows them all.
//!
//! Exit codes: 0 success, 1 error (the message says what to do), 2 usage error.

mod cli;
mod cmd;

use ajil::{config, pipeline, retention, web_glue};

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use ajil::config::Config;

// mimalloc rather than the system allocator: analysis and clustering make many
// small, short-lived allocations (one per match key), and `ajil replay` runs
// markedly faster with it (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // `extract` works on files alone: it needs no data folder.
    if let Command::Extract(args) = &cli.command {
        return cmd::extract::run(args).await;
    }
    if let Command::Replay(args) = &cli.command {
        return cmd::replay::run(args);
    }
    if let Command::Dkim(cli::DkimCommand::Keygen {
        domain,
        selector,
        algorithm,
        out,
    }) = &cli.command
    {
        return cmd::dkim::keygen(domain, selector, algorithm, out);
    }
    let config = Config::load(cli.data.as_deref(), cli.config.as_deref())?;
    match cli.command {
        Command::Serve(args) => cmd::serve::run(config, args).await,
        Command::Poll(args) => cmd::poll::run(config, args).await,
        Command::Sources(c) => cmd::sources::run(config, c).await,
        Command::Subscribe(args) => cmd::subscribe::run(config, args).await,
        Command::Subscriptions(c) => cmd::subscriptions::run(config, c).await,
        Command::Stories(args) => cmd::stories::run(config, args).await,
        Command::Bounces(cli::BouncesCommand::Import { path, json }) => {
            cmd::bounces::import(config, path, json).await
        }
        Command::Bounces(cli::BouncesCommand::Poll { url, json }) => {
            cmd::bounces::poll(config, url, json).await
        }
        Command::Deliver { json } => cmd::deliver::run(config, json).await,
        Command::Check { offline, json } => cmd::check::run(config, !offline, json).await,
        Command::Store(cli::StoreCommand::Backup { file, json }) => {
            cmd::store::backup(config, &file, json).await
        }
        Command::Store(cli::StoreCommand::Prune {
            older_than,
            dry_run,
            vacuum,
            json,
        }) => cmd::store::prune(config, older_than, dry_run, vacuum, json).await,
        Command::Store(cli::StoreCommand::Copy { to, json }) => {
            cmd::store::copy(config, &to, json).await
        }
        Command::Extract(_) | Command::Replay(_) | Command::Dkim(_) => {
            unreachable!("handled above")
        }
    }
}

fn init_logging(filter: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = filter
        .map(EnvFilter::new)
        .unwrap_or_else(|| EnvFilter::new("info,sqlx=warn,html5ever=error,selectors=error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Output piped into `head` that closes early is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
