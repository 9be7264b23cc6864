use std::fmt::Write as _;

use super::{ExperimentReport, SUBTLE_DETECTORS};

fn pct(v: f64) -> String {
    format!("{:.1} %", v * 100.0)
}

fn files(list: &[u32]) -> String {
    match (list.first(), list.last()) {
        (Some(a), Some(b)) => format!("{a:02}-{b:02}"),
        _ => "none".into(),
    }
}

impl ExperimentReport {
    /// The report as Markdown tables.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let ok = self.verification.iter().filter(|(_, v)| v == "ok").count();
        let _ = writeln!(
            s,
            "Chains verified (ids, proofs at 19 bits, links, heights, tx ids, BLOCK_TIME): \
             {ok} of {} files pass.",
            self.verification.len()
        );
        for (file, verdict) in self.verification.iter().filter(|(_, v)| v != "ok") {
            let _ = writeln!(s, "- {file}: {verdict}");
        }
        if let Some(linked) = self.linked_10_20 {
            let _ = writeln!(
                s,
                "Files 10-20 link into one chain: {}.",
                if linked { "yes" } else { "no" }
            );
        }
        let _ = writeln!(
            s,
            "\nLearned models trained on clean files {} only; everything below is measured on \
             files {} and the rewritten chains.\n",
            files(&self.train),
            files(&self.test)
        );
        let _ = writeln!(s, "### Simple attack: rank of the delayed block\n");
        let _ = writeln!(
            s,
            "| chain | delayed block | delay | paper | timing (paper's signal) | proof-vs-time | learned |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|");
        for r in &self.ranks {
            let paper = r.paper.map_or("–".to_owned(), |p| p.to_string());
            let _ = writeln!(
                s,
                "| {} | {} | {:.1} s | {paper} | {} | {} | {} |",
                r.file.trim_start_matches("simpleAttack/"),
                r.delayed_block,
                r.delay_ms as f64 / 1000.0,
                r.timing,
                r.proof_time,
                r.learned
            );
        }
        let _ = writeln!(s, "\n### False alarms on the untampered test chains\n");
        let _ = writeln!(
            s,
            "| detector | alarm rule | false alarms | clean chains alarmed | delayed blocks caught |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|");
        for a in &self.false_alarms {
            let _ = writeln!(
                s,
                "| {} | {} | {} of {} blocks | {} of {} | {} of {} |",
                a.detector.name(),
                a.rule,
                a.alarms,
                a.blocks,
                a.chains_alarmed,
                a.chains,
                a.attacks_caught,
                a.attacks
            );
        }
        for table in &self.subtle {
            let _ = writeln!(
                s,
                "\n### Subtle attack: balanced accuracy per U ({}-block windows, {} attacks per \
                 test chain and U)\n",
                table.window, self.trials
            );
            let _ = writeln!(
                s,
                "False positives on {} clean test windows: {}.\n",
                table.clean_windows,
                SUBTLE_DETECTORS
                    .iter()
                    .zip(table.false_positive)
                    .map(|(name, fp)| format!("{name} {}", pct(fp)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(s, "| U | {} |", SUBTLE_DETECTORS.join(" | "));
            let _ = writeln!(s, "|---|---|---|---|");
            for r in &table.rows {
                let cells: Vec<String> = (0..3)
                    .map(|d| format!("{} ({} found)", pct(r.accuracy[d]), pct(r.detected[d])))
                    .collect();
                let _ = writeln!(s, "| {} s | {} |", r.u_ms / 1000, cells.join(" | "));
            }
        }
        s
    }
}
