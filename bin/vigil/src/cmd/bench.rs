pub(crate) async fn run(_args: BenchArgs) -> anyhow::Result<std::process::ExitCode> { Ok(std::process::ExitCode::SUCCESS) }
/// Arguments of `vigil bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct BenchArgs {}
