//! Option enums with one spelling each: the names users type (CLI flags,
//! Python keyword arguments, JSON) are defined once, beside the enum, and
//! parsed and printed from there — the command line and the bindings only
//! list [`NamedOption::NAMES`] and call `parse`.

/// An option enum whose values have fixed names.
pub trait NamedOption: Sized + Copy + 'static {
    /// What the option is called in messages (`prob`, `format`, …).
    const KIND: &'static str;
    /// Every value with its name, in the order they are listed to users.
    const ALL: &'static [(Self, &'static str)];
    /// The names alone, in the same order.
    const NAMES: &'static [&'static str];
}

/// A name that is not one of an option's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {given:?} is not one of {}", .expected.join(", "))]
pub struct UnknownOption {
    /// The option (`prob`, `format`, …).
    pub kind: &'static str,
    /// What was given.
    pub given: String,
    /// The names that exist.
    pub expected: &'static [&'static str],
}

/// The value named `name` (trimmed, case-insensitive).
pub fn parse_named<T: NamedOption + PartialEq>(name: &str) -> Result<T, UnknownOption> {
    let wanted = name.trim().to_ascii_lowercase();
    T::ALL.iter().find(|(_, n)| *n == wanted).map(|(v, _)| *v).ok_or_else(|| UnknownOption { kind: T::KIND, given: name.to_string(), expected: T::NAMES })
}

/// The name of `value`.
pub fn name_of<T: NamedOption + PartialEq>(value: T) -> &'static str {
    T::ALL.iter().find(|(v, _)| *v == value).map(|(_, n)| *n).expect("every value is named")
}

/// Implements [`NamedOption`], `FromStr` and `Display` for a fieldless enum
/// from a list of `Variant => "name"` pairs:
///
/// ```
/// #[derive(Debug, Clone, Copy, PartialEq)]
/// enum Colour { Red, Blue }
/// pathconf_core::named_option!(Colour, "colour", { Colour::Red => "red", Colour::Blue => "blue" });
/// assert_eq!("Blue".parse::<Colour>(), Ok(Colour::Blue));
/// assert_eq!(Colour::Red.to_string(), "red");
/// assert_eq!("green".parse::<Colour>().unwrap_err().to_string(), "colour \"green\" is not one of red, blue");
/// ```
#[macro_export]
macro_rules! named_option {
    ($ty:ty, $kind:literal, { $($variant:path => $name:literal),+ $(,)? }) => {
        impl $crate::options::NamedOption for $ty {
            const KIND: &'static str = $kind;
            const ALL: &'static [(Self, &'static str)] = &[$(($variant, $name)),+];
            const NAMES: &'static [&'static str] = &[$($name),+];
        }
        impl ::std::str::FromStr for $ty {
            type Err = $crate::options::UnknownOption;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                $crate::options::parse_named(s)
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::options::name_of(*self))
            }
        }
    };
}
