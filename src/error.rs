//! The crate's error type.

use core::fmt;

/// Why a function of this crate refused its input.
///
/// Every function that returns `Err` checks its arguments before it writes anything, so on `Err`
/// no slice passed by the caller has been modified. The one exception is [`Error::Diverged`],
/// found only while [`train`](crate::train()) runs (also from `Trainer::run`), which restores the
/// weights of the last sound epoch.
///
/// # Examples
///
/// ```
/// use delta_rule::{gradient_step, Error};
///
/// let mut w = [0.5_f64, -0.5];
/// let err = gradient_step(&mut w, &[1.0, 2.0, 3.0], 0.1, 0.5).unwrap_err();
/// assert_eq!(
///     err,
///     Error::LengthMismatch { expected_arg: "weights", expected: 2, found_arg: "x", found: 3 }
/// );
/// assert_eq!(err.to_string(), "length mismatch: `x` has 3 elements, expected 2 as `weights` has");
/// assert_eq!(w, [0.5, -0.5]); // untouched
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Error {
    /// Two slices whose lengths must agree do not.
    LengthMismatch {
        /// The argument whose length sets the expectation.
        expected_arg: &'static str,
        /// Its length.
        expected: usize,
        /// The argument whose length disagrees.
        found_arg: &'static str,
        /// Its length.
        found: usize,
    },
    /// The learning rate is NaN, infinite or negative.
    InvalidLearnRate {
        /// The argument: `learn_rate`, or `schedule.learn_rate` for training.
        arg: &'static str,
        /// The rejected value, converted to `f64` (NaN if it has no `f64` value).
        value: f64,
    },
    /// A slice does not have the length its shape requires.
    ShapeMismatch {
        /// The slice.
        arg: &'static str,
        /// The length its shape requires, `usize::MAX` where that overflows `usize` (a layer
        /// too large for any slice).
        expected: usize,
        /// Its length.
        found: usize,
    },
    /// A row-major matrix whose length is not a whole number of rows.
    RaggedRows {
        /// The slice.
        arg: &'static str,
        /// Its length.
        len: usize,
        /// The length of one row.
        row_len: usize,
    },
    /// A slice that must not be empty is: `x` or `y` without records, or an empty `order`.
    Empty {
        /// The slice.
        arg: &'static str,
    },
    /// A count that must be at least 1 is 0: `layer.inputs`, `layer.outputs`, an epoch count, a
    /// batch size or a number of records.
    Zero {
        /// The count.
        arg: &'static str,
    },
    /// A record index is not below the number of records.
    IndexOutOfRange {
        /// The argument holding the index.
        arg: &'static str,
        /// The index.
        index: usize,
        /// The number of records.
        len: usize,
    },
    /// Training stopped because the sum of squared errors of this epoch, or the weights it
    /// produced, were NaN or infinite. The weights were restored to those the last epoch with a
    /// finite loss started from (the caller's weights if there is none).
    Diverged {
        /// The epoch that diverged, counting from 1.
        epoch: usize,
        /// The epoch whose starting weights the weights were restored to: `epoch − 1` where the
        /// loss was not finite, `epoch` where only the weights were not, and 1 (the caller's
        /// weights) where epoch 1 diverged.
        restored: usize,
    },
}

/// Equal when the variants and their fields are; the learning rates of
/// [`Error::InvalidLearnRate`] compare by their bits, so that an error equals itself when the
/// rejected value is NaN (which makes `Eq` and `Hash` hold).
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.fields() == other.fields()
    }
}

impl Eq for Error {}

impl core::hash::Hash for Error {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.fields().hash(state);
    }
}

impl Error {
    /// The variant's index, its argument names, its counts and its learning rate's bits.
    fn fields(&self) -> (u8, [&'static str; 2], [usize; 2], u64) {
        match *self {
            Error::LengthMismatch { expected_arg, expected, found_arg, found } => {
                (0, [expected_arg, found_arg], [expected, found], 0)
            }
            Error::InvalidLearnRate { arg, value } => (1, [arg, ""], [0, 0], value.to_bits()),
            Error::ShapeMismatch { arg, expected, found } => (2, [arg, ""], [expected, found], 0),
            Error::RaggedRows { arg, len, row_len } => (3, [arg, ""], [len, row_len], 0),
            Error::Empty { arg } => (4, [arg, ""], [0, 0], 0),
            Error::Zero { arg } => (5, [arg, ""], [0, 0], 0),
            Error::IndexOutOfRange { arg, index, len } => (6, [arg, ""], [index, len], 0),
            Error::Diverged { epoch, restored } => (7, ["", ""], [epoch, restored], 0),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::LengthMismatch { expected_arg, expected, found_arg, found } => write!(
                f,
                "length mismatch: `{found_arg}` has {}, expected {expected} as `{expected_arg}` has",
                Elements(found)
            ),
            Error::InvalidLearnRate { arg, value } => {
                write!(f, "invalid learning rate: `{arg}` is {value}, expected a finite number >= 0")
            }
            // No slice holds more than isize::MAX bytes; a saturated count is not the true one.
            Error::ShapeMismatch { arg, expected, found } if expected > isize::MAX as usize => {
                write!(
                    f,
                    "shape mismatch: `{arg}` has {}, expected more elements than a slice can hold",
                    Elements(found)
                )
            }
            Error::ShapeMismatch { arg, expected, found } => {
                write!(f, "shape mismatch: `{arg}` has {}, expected {expected}", Elements(found))
            }
            Error::RaggedRows { arg, len, row_len } => write!(
                f,
                "shape mismatch: `{arg}` has {}, not a whole number of rows of {row_len}",
                Elements(len)
            ),
            Error::Empty { arg } => write!(f, "`{arg}` is empty"),
            Error::Zero { arg } => write!(f, "`{arg}` is 0, expected at least 1"),
            Error::IndexOutOfRange { arg, index, len } => match len {
                0 => write!(f, "`{arg}` holds index {index}, but there are no records"),
                1 => write!(f, "`{arg}` holds index {index}, but there is only 1 record"),
                _ => write!(f, "`{arg}` holds index {index}, but there are only {len} records"),
            },
            Error::Diverged { epoch, restored } => write!(
                f,
                "training diverged at epoch {epoch}: the squared errors or the weights became NaN \
                 or infinite; the weights are those epoch {restored} started from"
            ),
        }
    }
}

impl core::error::Error for Error {}

/// "1 element", "n elements".
struct Elements(usize);

impl fmt::Display for Elements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 element"),
            n => write!(f, "{n} elements"),
        }
    }
}

/// `Ok` when `found == expected`, otherwise the [`Error::LengthMismatch`] naming both arguments.
pub(crate) fn check_len(
    expected_arg: &'static str,
    expected: usize,
    found_arg: &'static str,
    found: usize,
) -> Result<(), Error> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::LengthMismatch { expected_arg, expected, found_arg, found })
    }
}

/// `Ok` for a finite learning rate `>= 0`, otherwise the [`Error::InvalidLearnRate`] naming `arg`.
pub(crate) fn check_learn_rate<T: num_traits::Float>(
    arg: &'static str,
    learn_rate: T,
) -> Result<(), Error> {
    if learn_rate >= T::zero() && learn_rate.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidLearnRate { arg, value: learn_rate.to_f64().unwrap_or(f64::NAN) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learn_rate_checks() {
        assert!(check_learn_rate("learn_rate", 0.0_f64).is_ok());
        assert!(check_learn_rate("learn_rate", 1e300_f64).is_ok());
        for bad in [-1e-300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = check_learn_rate("learn_rate", bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidLearnRate { arg: "learn_rate", value }
                    if value.to_bits() == bad.to_bits()),
                "{bad}"
            );
        }
        assert_eq!(
            check_learn_rate("schedule.learn_rate", -2.0_f32).unwrap_err().to_string(),
            "invalid learning rate: `schedule.learn_rate` is -2, expected a finite number >= 0"
        );
    }

    #[test]
    fn shape_and_training_errors_explain_themselves() {
        let cases = [
            (
                Error::ShapeMismatch { arg: "y", expected: 8, found: 6 },
                "shape mismatch: `y` has 6 elements, expected 8",
            ),
            (
                Error::RaggedRows { arg: "x", len: 7, row_len: 3 },
                "shape mismatch: `x` has 7 elements, not a whole number of rows of 3",
            ),
            (
                Error::ShapeMismatch { arg: "order", expected: 2, found: 1 },
                "shape mismatch: `order` has 1 element, expected 2",
            ),
            (
                Error::ShapeMismatch { arg: "weights", expected: usize::MAX, found: 4 },
                "shape mismatch: `weights` has 4 elements, expected more elements than a slice can hold",
            ),
            (
                Error::RaggedRows { arg: "x", len: 1, row_len: 2 },
                "shape mismatch: `x` has 1 element, not a whole number of rows of 2",
            ),
            (Error::Zero { arg: "batch_size" }, "`batch_size` is 0, expected at least 1"),
            (Error::Empty { arg: "order" }, "`order` is empty"),
            (
                Error::IndexOutOfRange { arg: "order", index: 5, len: 4 },
                "`order` holds index 5, but there are only 4 records",
            ),
            (
                Error::IndexOutOfRange { arg: "order", index: 3, len: 1 },
                "`order` holds index 3, but there is only 1 record",
            ),
            (
                Error::IndexOutOfRange { arg: "order", index: 0, len: 0 },
                "`order` holds index 0, but there are no records",
            ),
            (Error::Zero { arg: "layer.inputs" }, "`layer.inputs` is 0, expected at least 1"),
            (
                Error::Diverged { epoch: 12, restored: 11 },
                "training diverged at epoch 12: the squared errors or the weights became NaN or infinite; the weights are those epoch 11 started from",
            ),
        ];
        for (err, msg) in cases {
            assert_eq!(err.to_string(), msg);
        }
        // The largest length a slice of bytes can have is still given as a number.
        let largest = Error::ShapeMismatch { arg: "y", expected: isize::MAX as usize, found: 4 };
        let msg = format!("shape mismatch: `y` has 4 elements, expected {}", isize::MAX);
        assert_eq!(largest.to_string(), msg);
    }

    #[test]
    fn errors_equal_themselves_and_differ_in_any_field() {
        use std::collections::HashSet;
        let errors = [
            Error::InvalidLearnRate { arg: "learn_rate", value: f64::NAN },
            Error::InvalidLearnRate { arg: "learn_rate", value: -f64::NAN },
            Error::InvalidLearnRate { arg: "learn_rate", value: -1.0 },
            Error::InvalidLearnRate { arg: "schedule.learn_rate", value: -1.0 },
            Error::LengthMismatch { expected_arg: "w", expected: 2, found_arg: "x", found: 3 },
            Error::LengthMismatch { expected_arg: "x", expected: 2, found_arg: "w", found: 3 },
            Error::LengthMismatch { expected_arg: "w", expected: 3, found_arg: "x", found: 2 },
            Error::ShapeMismatch { arg: "y", expected: 2, found: 3 },
            Error::ShapeMismatch { arg: "y", expected: 3, found: 2 },
            Error::RaggedRows { arg: "y", len: 2, row_len: 3 },
            Error::IndexOutOfRange { arg: "y", index: 2, len: 3 },
            Error::Empty { arg: "y" },
            Error::Empty { arg: "x" },
            Error::Zero { arg: "x" },
            Error::Zero { arg: "y" },
            Error::Diverged { epoch: 2, restored: 1 },
            Error::Diverged { epoch: 3, restored: 2 },
            Error::Diverged { epoch: 3, restored: 3 },
        ];
        for (i, a) in errors.iter().enumerate() {
            for (j, b) in errors.iter().enumerate() {
                assert_eq!(a == b, i == j, "{a:?} vs {b:?}");
            }
        }
        assert_eq!(errors.iter().collect::<HashSet<_>>().len(), errors.len());
        // The hashes themselves differ too (SipHash with fixed keys: no collision among these),
        // so a set does not fall back on comparing every pair.
        let hash = |e: &Error| {
            let mut hasher = std::hash::DefaultHasher::new();
            core::hash::Hash::hash(e, &mut hasher);
            std::hash::Hasher::finish(&hasher)
        };
        assert_eq!(errors.iter().map(hash).collect::<HashSet<_>>().len(), errors.len());
    }

    #[test]
    fn length_check_names_both_arguments() {
        assert!(check_len("a", 3, "b", 3).is_ok());
        let msg = check_len("weights", 2, "x", 5).unwrap_err().to_string();
        assert_eq!(msg, "length mismatch: `x` has 5 elements, expected 2 as `weights` has");
        let msg = check_len("weights", 2, "x", 1).unwrap_err().to_string();
        assert_eq!(msg, "length mismatch: `x` has 1 element, expected 2 as `weights` has");
    }
}
