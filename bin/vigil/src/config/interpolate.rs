//! `${NAME}` in string values is replaced by the environment variable `NAME`. Errors name the
//! variable and the TOML path, never a value.

pub(super) fn expand(root: &mut toml::Table) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    for (key, value) in root.iter_mut() {
        walk(value, key.clone(), &mut problems);
    }
    problems
}

fn walk(value: &mut toml::Value, path: String, problems: &mut Vec<(String, String)>) {
    match value {
        toml::Value::String(text) => match substitute(text) {
            Ok(Some(expanded)) => *text = expanded,
            Ok(None) => {}
            Err(message) => problems.push((path, message)),
        },
        toml::Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, format!("{path}[{i}]"), problems);
            }
        }
        toml::Value::Table(table) => {
            for (key, item) in table.iter_mut() {
                walk(item, format!("{path}.{key}"), problems);
            }
        }
        _ => {}
    }
}

fn substitute(text: &str) -> Result<Option<String>, String> {
    if !text.contains("${") {
        return Ok(None);
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or("unterminated ${ in string")?;
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`${{{name}}}` is not a valid environment variable reference"));
        }
        let value =
            std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_set_variables_and_reports_missing_ones_by_path() {
        // PATH and HOME exist in any environment the tests run in.
        let path = std::env::var("PATH").unwrap_or_default();
        let mut root: toml::Table =
            toml::from_str("a = \"x${PATH}y\"\n[b]\nc = [\"${VIGIL_SURELY_UNSET_VARIABLE}\"]")
                .expect("toml");
        let problems = expand(&mut root);
        assert_eq!(root["a"].as_str(), Some(format!("x{path}y").as_str()));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "b.c[0]");
        assert!(problems[0].1.contains("VIGIL_SURELY_UNSET_VARIABLE"));
    }
}
