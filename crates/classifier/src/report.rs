//! The text form of an [`EvalReport`], as `vigil eval` prints it.

use std::fmt;

use crate::EvalReport;

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn auc(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"))
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self;
        let o = &r.overall;
        writeln!(
            f,
            "\nthreshold {:.3}: {} attack rows (deployment + exploit), {} benign rows",
            o.threshold, o.attacks, o.benign
        )?;
        writeln!(
            f,
            "precision {}  recall {}  F1 {:.3}  FPR {}  ROC-AUC {}  PR-AUC {}",
            pct(o.precision),
            pct(o.recall),
            o.f1,
            pct(o.fpr),
            auc(o.roc_auc),
            auc(o.pr_auc)
        )?;
        let c = &o.confusion;
        writeln!(
            f,
            "confusion        flagged  passed\n  attack        {:>7}  {:>6}\n  benign        {:>7}  {:>6}",
            c.tp, c.fn_, c.fp, c.tn
        )?;
        writeln!(
            f,
            "\n{:<31} {:>5} {:>9} {:>10} {:>7} {:>7} {:>6} {:>8} {:>7}",
            "attack kind",
            "runs",
            "detected",
            "exploit≥H",
            "rows",
            "recall",
            "prec",
            "ROC-AUC",
            "PR-AUC"
        )?;
        for k in &r.per_kind {
            let fig = &k.figures;
            writeln!(
                f,
                "{:<31} {:>5} {:>9} {:>10} {:>7} {:>7} {:>6} {:>8} {:>7}",
                k.kind,
                k.instances,
                k.instances_detected,
                k.exploits_high,
                fig.attacks,
                pct(fig.recall),
                pct(fig.precision),
                auc(fig.roc_auc),
                auc(fig.pr_auc)
            )?;
            let stages: Vec<String> =
                k.stages.iter().map(|(s, (n, hit))| format!("{s} {hit}/{n}")).collect();
            writeln!(f, "{:<31} flagged per stage: {}", "", stages.join(", "))?;
        }
        writeln!(
            f,
            "\nfunding transfers to attackers (not in the figures above): {} of {} flagged",
            r.funding.1, r.funding.0
        )?;
        let levels: Vec<String> =
            r.levels.iter().map(|(l, (b, a))| format!("{l} {b}/{a}")).collect();
        writeln!(f, "rows per level (benign/attack): {}", levels.join(", "))?;
        Ok(())
    }
}
