//! Database URLs as every SQL store of vigil takes them (findings, series, defense journal).

/// `url` ready to connect: a SQLite URL gets `mode=rwc` (create the file if missing) unless it
/// names a mode already; other URLs are returned as they are.
pub fn connectable_url(url: &str) -> String {
    if url.starts_with("sqlite:") && !url.contains("mode=") {
        format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
    } else {
        url.to_owned()
    }
}

/// `text` with the password of every `scheme://user:password@host` in it replaced, so a
/// connection error can be shown or logged.
pub fn redact_passwords(text: &str) -> String {
    text.split(' ')
        .map(|word| match (word.find("://"), word.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let user = word[scheme + 3..at].split(':').next().unwrap_or_default();
                format!("{}{user}:<redacted>{}", &word[..scheme + 3], &word[at..])
            }
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_their_file_and_others_stay() {
        assert_eq!(connectable_url("sqlite://v.db"), "sqlite://v.db?mode=rwc");
        assert_eq!(connectable_url("sqlite://v.db?x=1"), "sqlite://v.db?x=1&mode=rwc");
        assert_eq!(connectable_url("sqlite://v.db?mode=ro"), "sqlite://v.db?mode=ro");
        assert_eq!(connectable_url("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn passwords_never_survive() {
        let out =
            redact_passwords("error connecting to postgres://vigil:hunter2@db:5432/v refused");
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("postgres://vigil:<redacted>@db:5432/v refused"), "{out}");
    }
}
