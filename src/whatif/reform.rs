//! A reform: a small TOML overlay naming its base policy, the date it takes
//! effect and only the keys it changes; applied to a policy set (and undone)
//! at the TOML level, then validated as a whole policy.

use super::*;

/// One changed key: its path below the version table and the new value.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Path segments, such as `["monthly_bonus", "excellent"]`.
    pub path: Vec<String>,
    /// The new value, as TOML.
    pub value: Value,
}

impl Change {
    /// The dotted key, such as `monthly_bonus.excellent`.
    pub fn key(&self) -> String {
        self.path.join(".")
    }
}

/// A policy change as data.
#[derive(Debug, Clone, PartialEq)]
pub struct Reform {
    /// Identifier, such as `excellent-quota-25`.
    pub id: String,
    /// Human name.
    pub name: Option<String>,
    /// The base policy's id (must match the policy it is applied to).
    pub base: String,
    /// The base version's label, when the reform pins it.
    pub base_version: Option<String>,
    /// Label of the version the reform makes; default `BASEVERSION+ID`.
    pub version: Option<String>,
    /// First day the reform is in force.
    pub effective_from: NaiveDate,
    /// The changed keys, sorted by key.
    pub changes: Vec<Change>,
}

pub(super) const META_KEYS: &str =
    "id, name, note, base, base_version, version, effective_from and [changes]";

pub(super) fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.into(),
        message: message.into(),
    }
}

pub(super) fn flatten(prefix: &mut Vec<String>, t: &Table, out: &mut Vec<Change>) {
    for (k, v) in t {
        prefix.push(k.clone());
        match v {
            Value::Table(inner) if !inner.is_empty() => flatten(prefix, inner, out),
            _ => out.push(Change {
                path: prefix.clone(),
                value: v.clone(),
            }),
        }
        prefix.pop();
    }
}

pub(super) fn toml_date(d: NaiveDate) -> Value {
    use chrono::Datelike;
    Value::Datetime(toml::value::Datetime {
        date: Some(toml::value::Date {
            year: d.year() as u16,
            month: d.month() as u8,
            day: d.day() as u8,
        }),
        time: None,
        offset: None,
    })
}

/// The value at `path` below `t`, if any.
pub(super) fn lookup<'a>(t: &'a Table, path: &[String]) -> Option<&'a Value> {
    let (last, init) = path.split_last()?;
    let mut cur = t;
    for seg in init {
        match cur.get(seg) {
            Some(Value::Table(inner)) => cur = inner,
            _ => return None,
        }
    }
    cur.get(last)
}

impl Reform {
    /// Reads a reform; reports every problem at once, each with its key.
    pub fn from_toml(text: &str) -> Result<Reform, ReformError> {
        let t: Table = text
            .parse()
            .map_err(|e: toml::de::Error| ReformError::Toml(e.to_string().trim().to_string()))?;
        let mut problems = Vec::new();
        let string = |key: &str, required: bool, problems: &mut Vec<Problem>| match t.get(key) {
            None if required => {
                problems.push(problem(key, "missing; expected a string"));
                None
            }
            None => None,
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(v) => {
                problems.push(problem(
                    key,
                    format!("expected a non-empty string, found a {}", v.type_str()),
                ));
                None
            }
        };
        let id = string("id", true, &mut problems);
        let name = string("name", false, &mut problems);
        let _note = string("note", false, &mut problems);
        let base = string("base", true, &mut problems);
        let base_version = string("base_version", false, &mut problems);
        let version = string("version", false, &mut problems);
        if let Some(id) = &id
            && !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            problems.push(problem(
                "id",
                format!("{id:?}: expected letters, digits, '-' or '_'"),
            ));
        }
        let effective_from = match t.get("effective_from") {
            None => {
                problems.push(problem(
                    "effective_from",
                    "missing; expected the first day the reform is in force, such as 2027-01-01",
                ));
                None
            }
            Some(Value::Datetime(dt)) if dt.time.is_none() && dt.offset.is_none() => dt
                .date
                .and_then(|d| crate::period::ymd(d.year.into(), d.month.into(), d.day.into())),
            Some(Value::String(s)) => parse_date(s).ok(),
            Some(_) => None,
        };
        if effective_from.is_none() && t.contains_key("effective_from") {
            problems.push(problem(
                "effective_from",
                "expected a date such as 2027-01-01",
            ));
        }
        let mut changes = Vec::new();
        match t.get("changes") {
            None => problems.push(problem(
                "changes",
                "missing; expected a [changes] table with the keys the reform changes, such as quota.excellent = \"0.25\"",
            )),
            Some(Value::Table(c)) => flatten(&mut Vec::new(), c, &mut changes),
            Some(v) => problems.push(problem(
                "changes",
                format!("expected a table, found a {}", v.type_str()),
            )),
        }
        if t.contains_key("changes") && changes.is_empty() && problems.is_empty() {
            problems.push(problem(
                "changes",
                "empty; a reform must change at least one key",
            ));
        }
        for c in &changes {
            if let Some(first) = c.path.first()
                && matches!(
                    first.as_str(),
                    "version" | "effective_from" | "effective_until"
                )
            {
                problems.push(problem(
                    format!("changes.{}", c.key()),
                    "a reform's version and dates are set by its own version and effective_from keys, not in [changes]",
                ));
            }
        }
        for k in t.keys() {
            if !matches!(
                k.as_str(),
                "id" | "name"
                    | "note"
                    | "base"
                    | "base_version"
                    | "version"
                    | "effective_from"
                    | "changes"
            ) {
                problems.push(problem(
                    k.clone(),
                    format!("unknown key; a reform has {META_KEYS} (policy keys go in [changes])"),
                ));
            }
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        match (id, base, effective_from) {
            (Some(id), Some(base), Some(effective_from)) if problems.is_empty() => Ok(Reform {
                id,
                name,
                base,
                base_version,
                version,
                effective_from,
                changes,
            }),
            _ => Err(ReformError::Invalid(problems)),
        }
    }

    /// Writes the reform as TOML that [`Reform::from_toml`] reads back unchanged.
    pub fn to_toml(&self) -> String {
        let mut t = Table::new();
        t.insert("id".into(), Value::String(self.id.clone()));
        if let Some(n) = &self.name {
            t.insert("name".into(), Value::String(n.clone()));
        }
        t.insert("base".into(), Value::String(self.base.clone()));
        if let Some(v) = &self.base_version {
            t.insert("base_version".into(), Value::String(v.clone()));
        }
        if let Some(v) = &self.version {
            t.insert("version".into(), Value::String(v.clone()));
        }
        t.insert("effective_from".into(), toml_date(self.effective_from));
        let mut changes = Table::new();
        for c in &self.changes {
            insert_path(&mut changes, &c.path, c.value.clone());
        }
        t.insert("changes".into(), Value::Table(changes));
        // Invariant: a table of strings, dates and TOML values read from TOML always serialises.
        toml::to_string(&t).expect("reform serialises")
    }

    /// The label of the version the reform makes, given its base version's label.
    pub fn version_label(&self, base_version: &str) -> String {
        self.version
            .clone()
            .unwrap_or_else(|| format!("{base_version}+{}", self.id))
    }

    /// Finds the base version: the one in force on `effective_from`, checked
    /// against `base` and `base_version`.
    fn base_index(&self, set: &PolicySet) -> Result<usize, ReformError> {
        let mut problems = Vec::new();
        if set.id != self.base {
            problems.push(problem(
                "base",
                format!(
                    "the reform is for policy {:?} but is applied to policy {:?}",
                    self.base, set.id
                ),
            ));
        }
        let spans = || {
            set.versions
                .iter()
                .map(|v| format!("{} from {}", v.version, v.effective_from))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let in_force = set
            .version_on(self.effective_from)
            .ok()
            .and_then(|p| set.versions.iter().position(|v| v.version == p.version));
        if let Some(label) = &self.base_version {
            match set.versions.iter().position(|v| &v.version == label) {
                None => problems.push(problem(
                    "base_version",
                    format!(
                        "policy {} has no version {label:?}; its versions: {}",
                        set.id,
                        spans()
                    ),
                )),
                Some(i) if set.versions[i].effective_from > self.effective_from => {
                    problems.push(problem(
                        "effective_from",
                        format!(
                            "{} is before its base version {} {label} takes effect ({}); a reform cannot be dated before its base",
                            self.effective_from, set.id, set.versions[i].effective_from
                        ),
                    ))
                }
                Some(i) if in_force != Some(i) => problems.push(problem(
                    "base_version",
                    format!(
                        "version {label} is not in force on {}; a reform changes the version in force on its effective_from (versions: {})",
                        self.effective_from,
                        spans()
                    ),
                )),
                Some(_) => {}
            }
        }
        if in_force.is_none() && !problems.iter().any(|p| p.path == "effective_from") {
            problems.push(problem(
                "effective_from",
                format!(
                    "no version of policy {} is in force on {}, so the reform has no base (versions: {}); a reform cannot be dated before its base",
                    set.id,
                    self.effective_from,
                    spans()
                ),
            ));
        }
        match in_force {
            Some(i) if problems.is_empty() => Ok(i),
            _ => Err(ReformError::Invalid(problems)),
        }
    }

    /// Applies the reform to `base`: the version in force on `effective_from`
    /// is copied with the changed keys, and the copy is in force from
    /// `effective_from` until the base version would have ended; the base
    /// version now ends the day before (or is replaced when it starts on the
    /// same day). Other versions are untouched. The merged policy is
    /// validated as a whole.
    pub fn apply(&self, base: &PolicySet) -> Result<PolicySet, ReformError> {
        let i = self.base_index(base)?;
        let base_label = base.versions[i].version.clone();
        let label = self.version_label(&base_label);
        if let Some(other) = base.versions.iter().find(|v| v.version == label)
            && !(other.version == base_label
                && base.versions[i].effective_from == self.effective_from)
        {
            return Err(ReformError::Invalid(vec![problem(
                "version",
                format!(
                    "policy {} already has a version {label:?}; give the reform another version label",
                    base.id
                ),
            )]));
        }
        let mut doc = policy_doc(base)?;
        let base_table = version_table(&doc, i)?.clone();
        let Some(Value::Array(versions)) = doc.get_mut("versions") else {
            return Err(internal());
        };
        let mut new = base_table.clone();
        new.insert("version".into(), Value::String(label.clone()));
        new.insert("effective_from".into(), toml_date(self.effective_from));
        let mut problems = Vec::new();
        let mut added = Vec::new();
        for c in &self.changes {
            match set_path(&mut new, &c.path, c.value.clone()) {
                Ok(existed) => {
                    if !existed {
                        added.push(c.key());
                    }
                }
                Err(at) => problems.push(problem(
                    format!("changes.{}", c.key()),
                    format!(
                        "{at} is a {} in policy {} {base_label}, not a table, so it has no key {:?}",
                        lookup(&base_table, &c.path[..at.split('.').count()])
                            .map_or("value", Value::type_str),
                        base.id,
                        c.path.last().map_or("", String::as_str)
                    ),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ReformError::Invalid(problems));
        }
        let new_index;
        if base.versions[i].effective_from == self.effective_from {
            versions[i] = Value::Table(new);
            new_index = i;
        } else {
            if let Some(Value::Table(b)) = versions.get_mut(i)
                && let Some(day_before) = self.effective_from.pred_opt()
            {
                b.insert("effective_until".into(), toml_date(day_before));
            }
            versions.insert(i + 1, Value::Table(new));
            new_index = i + 1;
        }
        // Invariant: a table read from TOML, with TOML values inserted, serialises.
        let text = toml::to_string(&doc).expect("merged policy serialises");
        PolicySet::from_toml(&text).map_err(|e| match e {
            PolicyError::Invalid(problems) => ReformError::Invalid(
                problems
                    .into_iter()
                    .map(|p| self.map_problem(p, new_index, &base_table, &added, base, &base_label))
                    .collect(),
            ),
            other => ReformError::Invalid(vec![problem(
                "changes",
                format!("the merged policy is invalid: {other}"),
            )]),
        })
    }

    /// Names a problem of the merged policy by the reform key that caused it.
    fn map_problem(
        &self,
        p: Problem,
        new_index: usize,
        base_table: &Table,
        added: &[String],
        base: &PolicySet,
        base_label: &str,
    ) -> Problem {
        let prefix = format!("versions[{new_index}]");
        let rel = match p.path.strip_prefix(&prefix) {
            Some("") => "",
            Some(r) if r.starts_with('.') => &r[1..],
            _ => {
                return problem(
                    "changes",
                    format!("the merged policy is invalid at {}: {}", p.path, p.message),
                );
            }
        };
        let keys: Vec<String> = self.changes.iter().map(Change::key).collect();
        // 1. The changed key itself (or an element of it, such as band[0]).
        if let Some(k) = keys.iter().find(|k| {
            rel == k.as_str()
                || rel
                    .strip_prefix(k.as_str())
                    .is_some_and(|r| r.starts_with('['))
        }) {
            let message = if added.contains(k) && p.message.starts_with("unknown key") {
                let path: Vec<String> = k.split('.').map(str::to_string).collect();
                let parent = &path[..path.len() - 1];
                let known = match parent.is_empty() {
                    true => Some(base_table),
                    false => match lookup(base_table, parent) {
                        Some(Value::Table(t)) => Some(t),
                        _ => None,
                    },
                };
                let known = known
                    .map(|t| t.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default();
                let table = if parent.is_empty() {
                    "the version".to_string()
                } else {
                    parent.join(".")
                };
                format!(
                    "unknown key: the policy schema has no such key ({table} in policy {} {base_label} has: {known})",
                    base.id
                )
            } else {
                p.message
            };
            return problem(format!("changes.{k}"), message);
        }
        let parent_of = |s: &str| s.rsplit_once('.').map_or("", |(a, _)| a).to_string();
        // 2. A table holding changed keys (an unknown table, a cap sum), or
        // 3. a sibling of changed keys (a grade outside a changed band).
        let related: Vec<&String> = keys
            .iter()
            .filter(|k| {
                rel.is_empty()
                    || k.starts_with(&format!("{rel}."))
                    || parent_of(k) == parent_of(rel)
            })
            .collect();
        let shown = if rel.is_empty() { "the version" } else { rel };
        if related.is_empty() {
            return problem(
                "changes",
                format!("the merged policy is invalid at {shown}: {}", p.message),
            );
        }
        let path = related
            .iter()
            .map(|k| format!("changes.{k}"))
            .collect::<Vec<_>>()
            .join(", ");
        problem(
            path,
            format!("in the merged policy, {shown}: {}", p.message),
        )
    }

    /// The reform that undoes this one on `base`: the same keys set back to
    /// the values of the base version in force on `effective_from`.
    ///
    /// Applied to `self.apply(base)`, it makes a version equal to the base
    /// version in everything but its label and dates. Keys the reform adds
    /// (absent from the base version) cannot be undone this way.
    pub fn inverse(&self, base: &PolicySet) -> Result<Reform, ReformError> {
        let i = self.base_index(base)?;
        let label = base.versions[i].version.clone();
        let doc = policy_doc(base)?;
        let table = version_table(&doc, i)?;
        let mut problems = Vec::new();
        let mut changes = Vec::new();
        for c in &self.changes {
            match lookup(table, &c.path) {
                Some(v) => changes.push(Change {
                    path: c.path.clone(),
                    value: v.clone(),
                }),
                None => problems.push(problem(
                    format!("changes.{}", c.key()),
                    format!(
                        "policy {} {label} has no such key, so the change cannot be undone",
                        base.id
                    ),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ReformError::Invalid(problems));
        }
        Ok(Reform {
            id: format!("{}-undo", self.id),
            name: None,
            base: self.base.clone(),
            base_version: None,
            version: Some(format!("{}-undo", self.version_label(&label))),
            effective_from: self.effective_from,
            changes,
        })
    }
}

/// The base policy as a TOML table.
pub(super) fn policy_doc(set: &PolicySet) -> Result<Table, ReformError> {
    set.to_toml().parse().map_err(|_| internal())
}

/// Version `i` of a policy table written by [`PolicySet::to_toml`], which
/// writes one table per version in the set's (sorted) order.
pub(super) fn version_table(doc: &Table, i: usize) -> Result<&Table, ReformError> {
    match doc.get("versions") {
        Some(Value::Array(v)) => match v.get(i) {
            Some(Value::Table(t)) => Ok(t),
            _ => Err(internal()),
        },
        _ => Err(internal()),
    }
}

/// `PolicySet::to_toml` always writes TOML that reads back with a
/// `versions` array, so this is not expected; it is an error rather than a
/// panic all the same.
pub(super) fn internal() -> ReformError {
    ReformError::Invalid(vec![problem(
        "base",
        "internal error: the base policy could not be written as TOML tables; please report",
    )])
}

pub(super) fn insert_path(t: &mut Table, path: &[String], value: Value) {
    // Used only on fresh tables built from flattened changes, whose
    // intermediate entries are always tables.
    let _ = set_path(t, path, value);
}

/// Sets `path` below `t`, creating tables on the way. Returns whether the
/// key existed, or the dotted prefix that is not a table.
pub(super) fn set_path(t: &mut Table, path: &[String], value: Value) -> Result<bool, String> {
    let Some((last, init)) = path.split_last() else {
        return Ok(true);
    };
    let mut cur = t;
    for (n, seg) in init.iter().enumerate() {
        let entry = cur
            .entry(seg.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        match entry {
            Value::Table(inner) => cur = inner,
            _ => return Err(path[..=n].join(".")),
        }
    }
    Ok(cur.insert(last.clone(), value).is_some())
}
