//! Workers and what happens to them: titles, grades, honours, assessments.
//!
//! Codes are accepted in English or Chinese, and always written back in
//! English:
//!
//! ```
//! use payrules::worker::{Grade, Title, HonourLevel};
//! assert_eq!("优秀".parse::<Grade>().unwrap(), Grade::Excellent);
//! assert_eq!("social_worker".parse::<Title>().unwrap(), Title::SocialWorker);
//! assert_eq!("社会工作师".parse::<Title>().unwrap(), Title::SocialWorker);
//! assert_eq!("省级".parse::<HonourLevel>().unwrap(), HonourLevel::Provincial);
//! assert_eq!(Grade::Good.code(), "good");
//! assert!("great".parse::<Grade>().is_err());
//! ```

use compact_str::CompactString;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// `s.trim()`, quicker for the usual cell of a record: one whose first and last
/// characters cannot be white space is returned as it is without decoding
/// them. (Every white-space character of Unicode is ASCII, or begins with
/// the byte C2, E1, E2 or E3 and so ends in one of its last three bytes.)
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let plain_start = |c: u8| c > b' ' && !matches!(c, 0xC2 | 0xE1 | 0xE2 | 0xE3);
    let plain_end = match b.len() {
        0 => false,
        n => {
            let last = b[n - 1];
            if last.is_ascii() {
                last > b' '
            } else {
                // The lead byte of the last character: one, two or three back.
                b[n.saturating_sub(3)..n - 1]
                    .iter()
                    .all(|&c| !matches!(c, 0xC2 | 0xE1 | 0xE2 | 0xE3))
            }
        }
    };
    if plain_end && plain_start(b[0]) {
        s
    } else {
        s.trim()
    }
}

/// A code that is not one of the accepted spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {given:?}; expected one of: {expected}")]
pub struct CodeError {
    /// What kind of code (grade, title, honour level…).
    pub kind: &'static str,
    /// The text as given.
    pub given: String,
    /// The accepted spellings.
    pub expected: String,
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])* $name:ident, $kind:literal,
        $( $(#[$vmeta:meta])* $variant:ident = $num:literal, $code:literal, $zh:literal $(, $alias:literal)* ; )+
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $num, )+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The English code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
            /// The Chinese name.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }
            /// Other accepted spellings besides the code and the Chinese name.
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $($name::$variant => &[$($alias),*],)+ }
            }
            /// The stable number (the C ABI's `uint32_t`).
            pub fn number(self) -> u32 {
                self as u32
            }
            /// The value with this stable number (the C ABI's `uint32_t`).
            pub fn from_u32(n: u32) -> Option<Self> {
                match n { $($num => Some($name::$variant),)+ _ => None }
            }
            fn expected() -> String {
                let v: Vec<String> = Self::ALL.iter().map(|x| format!("{} ({})", x.code(), x.zh())).collect();
                v.join(", ")
            }
        }

        impl FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, CodeError> {
                let t = trim(s);
                $(
                    if t.eq_ignore_ascii_case($code) || t == $zh $(|| t == $alias)* {
                        return Ok($name::$variant);
                    }
                )+
                Err(CodeError { kind: $kind, given: s.to_string(), expected: Self::expected() })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

code_enum! {
    /// An assessment grade. Better grades compare greater:
    /// `Ungraded < Fail < Pass < Good < Excellent`.
    Grade, "grade",
    /// Not graded (probation, absent): no bonus, not counted in quotas.
    Ungraded = 0, "ungraded", "不定等次", "未定等次";
    /// Unqualified: no performance bonus.
    Fail = 1, "fail", "不合格", "不称职";
    /// Competent.
    Pass = 2, "pass", "合格", "称职";
    /// Good: at most 60% of a pool under the built-in policy.
    Good = 3, "good", "良好";
    /// Excellent: at most 20% of a pool under the built-in policy.
    Excellent = 4, "excellent", "优秀";
}

code_enum! {
    /// A professional title (职称), which carries the district's title allowance.
    Title, "title",
    /// No professional title.
    None = 0, "none", "无", "", "社区工作者";
    /// 助理社会工作师 (junior).
    AssistantSocialWorker = 1, "assistant_social_worker", "助理社会工作师", "初级";
    /// 社会工作师 (intermediate).
    SocialWorker = 2, "social_worker", "社会工作师", "中级";
    /// 高级社会工作师 (senior).
    SeniorSocialWorker = 3, "senior_social_worker", "高级社会工作师", "高级";
}

code_enum! {
    /// The level of an honour (先进称号).
    HonourLevel, "honour level",
    /// 市级.
    Municipal = 0, "municipal", "市级";
    /// 省级.
    Provincial = 1, "provincial", "省级";
    /// 国家级.
    National = 2, "national", "国家级";
}

/// A worker as validated against the policy: codes parsed, dates checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    /// Employee number (工号); unique within a run.
    pub id: CompactString,
    /// Name (姓名).
    pub name: CompactString,
    /// Community or unit (社区/单位); the default quota pool.
    pub unit: CompactString,
    /// Position code as the policy names it (`community_worker`…).
    pub position: CompactString,
    /// Professional title.
    pub title: Title,
    /// First day of employment.
    pub hired_on: NaiveDate,
    /// Last day of employment, if the worker left.
    pub left_on: Option<NaiveDate>,
    /// Last day of probation, if any.
    pub probation_until: Option<NaiveDate>,
}

impl Worker {
    /// Whether the worker was employed on any day in `[first, last]`.
    pub fn employed_between(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.hired_on <= last && self.left_on.is_none_or(|l| l >= first)
    }
    /// Whether the worker is still on probation on `date`.
    pub fn on_probation(&self, date: NaiveDate) -> bool {
        self.probation_until.is_some_and(|p| date <= p)
    }
}

/// A worker as it arrives in a request or a file: every field text, so that
/// a bad field becomes an error naming the worker and the field, not a
/// rejected document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerRecord {
    /// Employee number.
    pub id: CompactString,
    /// Name.
    #[serde(default)]
    pub name: CompactString,
    /// Community or unit.
    #[serde(default)]
    pub unit: CompactString,
    /// Position code or its Chinese name.
    #[serde(default)]
    pub position: CompactString,
    /// Title code or its Chinese name; empty means `none`.
    #[serde(default)]
    pub title: CompactString,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub hired_on: CompactString,
    /// `YYYY-MM-DD`, or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_on: Option<CompactString>,
    /// `YYYY-MM-DD`, or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probation_until: Option<CompactString>,
}

/// A change of a worker's position, title or unit as it arrives: effective
/// from `on` (the first day of the new state). The worker record holds the
/// state before the worker's first change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRecord {
    /// Whose change.
    pub worker_id: String,
    /// `YYYY-MM-DD`: the first day of the new state.
    pub on: String,
    /// The new position: code or Chinese name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// The new title: code or Chinese name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The new community or unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// An assessment as it arrives: a grade, or (for quota grading) a score.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRecord {
    /// Whose assessment.
    pub worker_id: CompactString,
    /// `YYYY-MM` for a monthly assessment, `YYYY` for an annual one.
    pub period: CompactString,
    /// Grade code or Chinese name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<CompactString>,
    /// Assessment score, as a decimal string, for grading by quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<CompactString>,
}

/// An honour as it arrives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HonourRecord {
    /// Who was honoured.
    pub worker_id: String,
    /// Level code or Chinese name.
    pub level: String,
    /// `YYYY-MM-DD`.
    pub awarded_on: String,
    /// The deed honoured; honours of one worker for one deed are paid once
    /// (the highest) under `same_deed = "highest_only"`. Absent means a deed
    /// of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deed: Option<String>,
    /// For an honour of an earlier month: what its month's run paid for it
    /// (a decimal string). Under `same_deed = "highest_only"`, a higher
    /// honour for the same deed in a later month pays the difference; absent
    /// means the policy amount of its level was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<String>,
}

/// A validated honour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Honour {
    /// Who was honoured.
    pub worker_id: String,
    /// Level.
    pub level: HonourLevel,
    /// Date awarded; the award is paid in that month's run.
    pub awarded_on: NaiveDate,
    /// The deed, if named.
    pub deed: Option<String>,
    /// For an honour of an earlier month: what was paid for it, when given
    /// (else the policy amount of its level).
    pub paid: Option<rust_decimal::Decimal>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_order() {
        for g in Grade::ALL {
            assert_eq!(g.code().parse::<Grade>().unwrap(), *g);
            assert_eq!(g.zh().parse::<Grade>().unwrap(), *g);
            assert_eq!(Grade::from_u32(*g as u32), Some(*g));
        }
        assert!(Grade::Excellent > Grade::Good && Grade::Good > Grade::Pass);
        assert!(Grade::Pass > Grade::Fail && Grade::Fail > Grade::Ungraded);
        assert_eq!(Grade::from_u32(99), None);
        assert_eq!("".parse::<Title>().unwrap(), Title::None);
        assert_eq!("高级".parse::<Title>().unwrap(), Title::SeniorSocialWorker);
        let e = "national!".parse::<HonourLevel>().unwrap_err().to_string();
        assert!(
            e.contains("unknown honour level") && e.contains("national (国家级)"),
            "{e}"
        );
    }
    #[test]
    fn trim_is_strs_trim() {
        for s in [
            "", " ", " W1 ", "林晓", "\u{3000}林晓\u{3000}", "林晓\u{a0}", "\tW1", "W1\u{2029}",
            "—", "a—", "\u{85}", "x\u{1680}", "😀", " 😀", "\u{202f}", "é", "\u{e9}\u{2003}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    proptest::proptest! {
        /// Any text, white space of every kind at either end or none.
        #[test]
        fn trim_matches_str_trim(s in "[ \t\u{85}\u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}a林—😀é]{0,6}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }
    }
}
