//! `sgn-lab url [--config FILE | --url HASH] [--seed S] [--quick] [--page URL]`: the page's
//! URL-hash state for a configuration (the codec of `sgn_lab::experiment::url`), so a run set
//! up here opens in the lab with the same settings, seed and numbers. Prints
//! `{"hash": "v1.…", "link": "<page>#v1.…"}`.

use crate::run::{input, ConfigArgs};
use crate::CliError;
use sgn_lab::experiment::url;

#[derive(clap::Args)]
pub struct UrlArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The lab's address, to print a whole link.
    #[arg(long, default_value = "http://127.0.0.1:8080/")]
    pub page: String,
}

pub fn run(args: &UrlArgs) -> Result<serde_json::Value, CliError> {
    let hash = url::encode(&args.config.load()?).map_err(input)?;
    Ok(serde_json::json!({ "hash": hash, "link": format!("{}#{hash}", args.page) }))
}
