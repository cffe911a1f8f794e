//! Reads `binary.csv` (the UCLA admissions data, see README.md beside it) and prepares it as the
//! tutorial does: rank one-hot encoded, gre and gpa standardised, 10 % held out for testing.

use std::error::Error;
use std::path::Path;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The features of a record, in this order: gre, gpa, rank_1, rank_2, rank_3, rank_4.
pub const FEATURES: usize = 6;

/// Records × features and the 0/1 targets, row-major.
pub struct Split {
    pub train_x: Vec<f64>,
    pub train_y: Vec<f64>,
    pub test_x: Vec<f64>,
    pub test_y: Vec<f64>,
}

/// The CSV file shipped with the examples.
pub fn default_path() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/binary.csv"))
}

/// Every record as (features, target): gre and gpa standardised with the mean and the sample
/// standard deviation (n − 1, as pandas' `std`), rank one-hot encoded. A field that is missing,
/// not a finite number, an admit other than 0 or 1 or a rank other than 1 to 4 is an error
/// naming its line and column, and so are fewer than two records or a constant column (which
/// cannot be standardised).
///
/// As in the tutorial, the means and deviations come from all records, the held-out ones
/// included; a stricter evaluation would take them from the training records only.
pub fn load(path: &Path) -> Result<(Vec<f64>, Vec<f64>), Box<dyn Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| format!("no column `{name}`"))
    };
    let (admit, gre, gpa, rank) =
        (column("admit")?, column("gre")?, column("gpa")?, column("rank")?);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize, name: &str| -> Result<f64, String> {
            let text = record.get(i).unwrap_or("").trim();
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(format!("line {line}, column `{name}`: `{text}` is not a finite number")),
            }
        };
        let (a, r) = (field(admit, "admit")?, field(rank, "rank")?);
        if a != 0.0 && a != 1.0 {
            return Err(format!("line {line}, column `admit`: {a} is neither 0 nor 1").into());
        }
        if ![1.0, 2.0, 3.0, 4.0].contains(&r) {
            return Err(format!("line {line}, column `rank`: {r} is not 1, 2, 3 or 4").into());
        }
        rows.push((a, field(gre, "gre")?, field(gpa, "gpa")?, r as usize));
    }
    if rows.len() < 2 {
        return Err(format!("{} records: standardising needs at least two", rows.len()).into());
    }
    let n = rows.len() as f64;
    let standardise = |values: Vec<f64>, name: &str| -> Result<Vec<f64>, String> {
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
        let sd = var.sqrt();
        if sd == 0.0 || !sd.is_finite() {
            return Err(format!("column `{name}` is constant (or too large) to standardise"));
        }
        Ok(values.into_iter().map(|v| (v - mean) / sd).collect())
    };
    let gre_z = standardise(rows.iter().map(|r| r.1).collect(), "gre")?;
    let gpa_z = standardise(rows.iter().map(|r| r.2).collect(), "gpa")?;
    let mut x = Vec::with_capacity(rows.len() * FEATURES);
    let mut y = Vec::with_capacity(rows.len());
    for (i, &(admit, _, _, rank)) in rows.iter().enumerate() {
        x.extend([gre_z[i], gpa_z[i]]);
        x.extend((1..=4).map(|k| if k == rank { 1.0 } else { 0.0 }));
        y.push(admit);
    }
    Ok((x, y))
}

/// Holds out `test_fraction` (0 to 1) of the records, chosen by a shuffle seeded with `seed`;
/// `x` holds [`FEATURES`] values per record of `y`.
pub fn split(x: &[f64], y: &[f64], test_fraction: f64, seed: u64) -> Result<Split, String> {
    if !(0.0..=1.0).contains(&test_fraction) {
        return Err(format!("test fraction {test_fraction} is not between 0 and 1"));
    }
    if x.len() != y.len() * FEATURES {
        return Err(format!("{} values for {} records of {FEATURES} features", x.len(), y.len()));
    }
    let n = y.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let n_test = (n as f64 * test_fraction).round() as usize;
    let (test, train) = order.split_at(n_test);
    let rows = |idx: &[usize]| -> (Vec<f64>, Vec<f64>) {
        let xs = idx.iter().flat_map(|&i| x[i * FEATURES..(i + 1) * FEATURES].iter().copied());
        (xs.collect(), idx.iter().map(|&i| y[i]).collect())
    };
    let (train_x, train_y) = rows(train);
    let (test_x, test_y) = rows(test);
    Ok(Split { train_x, train_y, test_x, test_y })
}
