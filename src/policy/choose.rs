//! The one rule for which policy a document runs under.

use super::{PolicyError, PolicySet};
use std::borrow::Cow;

impl PolicySet {
    /// The policy a document runs under: its own `policy` text when it has
    /// one, else the caller's policy, else the built-in one.
    ///
    /// ```
    /// use payrules::policy::PolicySet;
    /// let mine = PolicySet::builtin();
    /// assert!(std::ptr::eq(&*PolicySet::chosen(None, Some(&mine)).unwrap(), &mine));
    /// assert_eq!(PolicySet::chosen(None, None).unwrap().id(), "gulou");
    /// assert!(PolicySet::chosen(Some("not toml ["), Some(&mine)).is_err());
    /// ```
    pub fn chosen<'s>(
        text: Option<&str>,
        given: Option<&'s PolicySet>,
    ) -> Result<Cow<'s, PolicySet>, PolicyError> {
        match (text, given) {
            (Some(text), _) => PolicySet::from_toml(text).map(Cow::Owned),
            (None, Some(p)) => Ok(Cow::Borrowed(p)),
            (None, None) => Ok(Cow::Owned(PolicySet::builtin())),
        }
    }
}
