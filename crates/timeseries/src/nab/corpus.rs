//! Reading NAB: data files (`timestamp,value`), anomaly windows and cost profiles.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use super::NabError;
use crate::time::parse_datetime;

/// One data file: timestamps (Unix seconds) and values, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct NabFile {
    /// Path relative to the data directory, e.g. `realKnownCause/nyc_taxi.csv`.
    pub name: String,
    /// Timestamps, Unix seconds.
    pub times: Vec<i64>,
    /// Values.
    pub values: Vec<f64>,
    /// Anomaly windows as (first, last) timestamps, inclusive.
    pub windows: Vec<(i64, i64)>,
}

/// A cost profile (NAB's `CostMatrix`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct CostMatrix {
    /// Weight of a true positive.
    #[serde(rename = "tpWeight")]
    pub tp: f64,
    /// Weight of a false positive.
    #[serde(rename = "fpWeight")]
    pub fp: f64,
    /// Weight of a false negative.
    #[serde(rename = "fnWeight")]
    pub fn_: f64,
}

#[derive(Deserialize)]
struct Profile {
    #[serde(rename = "CostMatrix")]
    cost: CostMatrix,
}

/// The corpus: every data file that has labels, and the profiles.
#[derive(Debug, Clone)]
pub struct NabCorpus {
    /// Files, sorted by name.
    pub files: Vec<NabFile>,
    /// Profiles by name (`standard`, `reward_low_FP_rate`, `reward_low_FN_rate`).
    pub profiles: BTreeMap<String, CostMatrix>,
}

impl NabCorpus {
    /// Reads `root/data/**.csv`, `root/labels/combined_windows.json` and
    /// `root/labels/profiles.json`.
    pub fn load(root: &Path) -> Result<Self, NabError> {
        let read = |p: PathBuf| {
            std::fs::read_to_string(&p).map_err(|e| NabError::Io(format!("{}: {e}", p.display())))
        };
        let windows: BTreeMap<String, Vec<(String, String)>> =
            serde_json::from_str(&read(root.join("labels/combined_windows.json"))?)
                .map_err(|e| NabError::Format(format!("combined_windows.json: {e}")))?;
        let profiles: BTreeMap<String, Profile> =
            serde_json::from_str(&read(root.join("labels/profiles.json"))?)
                .map_err(|e| NabError::Format(format!("profiles.json: {e}")))?;
        let mut files = Vec::new();
        for (name, limits) in windows {
            let path = root.join("data").join(&name);
            if !path.is_file() {
                continue;
            }
            let (times, values) =
                parse_csv(&read(path)?).map_err(|e| NabError::Format(format!("{name}: {e}")))?;
            let windows = limits
                .iter()
                .map(|(a, b)| match (parse_datetime(a), parse_datetime(b)) {
                    (Some(a), Some(b)) => Ok((a, b)),
                    _ => Err(NabError::Format(format!("{name}: bad window {a}..{b}"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            files.push(NabFile { name, times, values, windows });
        }
        if files.is_empty() {
            return Err(NabError::Format(format!(
                "no labelled data files under {}",
                root.display()
            )));
        }
        Ok(Self { files, profiles: profiles.into_iter().map(|(k, v)| (k, v.cost)).collect() })
    }
}

/// Parses `timestamp,value` rows after a header.
pub fn parse_csv(text: &str) -> Result<(Vec<i64>, Vec<f64>), String> {
    let (mut times, mut values) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let (t, v) =
            line.split_once(',').ok_or_else(|| format!("line {}: expected two columns", i + 1))?;
        times.push(parse_datetime(t).ok_or_else(|| format!("line {}: bad timestamp {t}", i + 1))?);
        values.push(v.trim().parse::<f64>().map_err(|_| format!("line {}: bad value {v}", i + 1))?);
    }
    Ok((times, values))
}
