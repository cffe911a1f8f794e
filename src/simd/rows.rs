//! Where the rows of a block are (stored one after another, or listed by index), and the loop
//! that takes them a group at a time for the net-input kernels of [`super::avx512_rows`] and
//! [`super::avx2_rows`].

/// The rows of a block: stored one after another, or listed by index.
pub(super) trait RowSource<T> {
    /// Row `r` of the block, or `None` for a listed index out of range (whose dot product is
    /// that of an empty row, +0).
    fn row(&self, r: usize) -> Option<*const T>;
    /// Called before row `r` is read, to prefetch a later one where that helps.
    fn before(&self, r: usize);
}

/// Rows of `d` elements one after another from `x`; the caller reads only rows within `x`.
pub(super) struct Stored<T> {
    pub(super) x: *const T,
    pub(super) d: usize,
}

impl<T> RowSource<T> for Stored<T> {
    #[inline(always)]
    fn row(&self, r: usize) -> Option<*const T> {
        Some(self.x.wrapping_add(r * self.d))
    }

    #[inline(always)]
    fn before(&self, _: usize) {}
}

/// The rows of `x` (rows of `d` elements) listed in `rows`, prefetching the row listed
/// [`PREFETCH_RECORDS`](super::PREFETCH_RECORDS) positions later (in `rows`, then `ahead`).
pub(super) struct Listed<'a, T> {
    pub(super) x: &'a [T],
    pub(super) d: usize,
    pub(super) rows: &'a [usize],
    pub(super) ahead: &'a [usize],
}

impl<T> Listed<'_, T> {
    /// Row `i` of x, or `None` if it is out of range.
    #[inline(always)]
    fn listed(&self, i: usize) -> Option<&[T]> {
        self.x.get(i.saturating_mul(self.d)..).and_then(|rest| rest.get(..self.d))
    }
}

impl<T> RowSource<T> for Listed<'_, T> {
    #[inline(always)]
    fn row(&self, r: usize) -> Option<*const T> {
        self.listed(self.rows[r]).map(<[T]>::as_ptr)
    }

    #[inline(always)]
    fn before(&self, r: usize) {
        let later = r + super::PREFETCH_RECORDS;
        let next = self.rows.get(later).or_else(|| self.ahead.get(later - self.rows.len()));
        if let Some(row) = next.and_then(|&i| self.listed(i)) {
            super::math::prefetch_lines(row);
        }
    }
}

/// The rows of `d` elements (at most `wanted`) that `len` elements hold; without a division
/// when all `wanted` fit, as they do in every call from an epoch.
#[inline(always)]
pub(super) fn whole_rows(wanted: usize, d: usize, len: usize) -> usize {
    if wanted.checked_mul(d).is_some_and(|n| n <= len) {
        wanted
    } else {
        len / d
    }
}

/// Rows left over after the last whole group are summed one dot product at a time when there
/// are fewer than this many: below about four rows the group's horizontal sums (the same
/// shuffles for one row as for a whole group) cost more than the rows' own sums. Both give the
/// same bits.
pub(super) const FEW_ROWS: usize = 4;

/// Defines, for one instruction set and element type, the net-input kernels over stored and
/// listed rows, given `$partials(row, w, d)` (one row's partial sums, in one register),
/// `$transposed(registers)` (the pairwise sums of `$group` registers' lanes, lane r from
/// register r), `$horizontal(register)` (the pairwise sum of one register's lanes) and
/// `$store(out, sums)` (the low `out.len()` lanes into `out`).
///
/// Rows of the lengths listed get a copy with the length fixed, whose loops unroll completely
/// and whose rows in a group share the loads of w. Other rows of at most `$most` elements (for
/// each `($k, $most)` of `spans`) share them too: `$prepare::<$k>(w)` loads w into `$k`
/// registers once, with what the last partial one needs, and
/// `$prepared::<$k>(row, &prepared)` gives the same partial sums as `$partials`. The spans must
/// grow from `$k` = 1, each with ⌊`$k`/2⌋ registers no longer than the previous span's `$most`:
/// the first span that holds d is taken, and `$prepare` may require w to fill the first
/// ⌊`$k`/2⌋ registers (the AVX-512 kernels read them whole).
macro_rules! net_input_kernels {
    (
        features: $features:literal,
        $t:ty, group $group:literal, lengths [$($len:literal),*],
        spans [$(($k:literal, $most:literal)),*], prepare $prepare:ident, prepared $prepared:ident,
        register $reg:ty = $zero:ident, partials $partials:ident, transposed $transposed:ident,
        horizontal $horizontal:ident, fn $dot:ident, store $store:ident, fn $stored:ident,
        fn $listed:ident, $sums:ident, $from:ident, $with:ident
    ) => {
        // The spans' rule, checked when compiled: they grow from one register, each with its
        // first ⌊k/2⌋ registers no longer than the rows of the span before.
        const _: () = {
            let spans: &[(usize, usize)] = &[$(($k, $most)),*];
            let lanes = spans[0].1;
            assert!(spans[0].0 == 1, "the first span is one register");
            let mut i = 1;
            while i < spans.len() {
                assert!(spans[i].1 > spans[i - 1].1, "the spans grow");
                assert!(lanes * (spans[i].0 / 2) <= spans[i - 1].1, "⌊k/2⌋ registers too long");
                i += 1;
            }
        };
        /// The dot products of rows `first..first + n` of `rows` (n at most the group size), in
        /// lanes 0..n: each row's partial sums from `partials_of`, then their pairwise sums for
        /// the group together.
        ///
        /// # Safety
        ///
        /// The CPU must support the features; `partials_of` must be sound for every row `rows`
        /// gives for those indices.
        #[inline]
        #[target_feature(enable = $features)]
        unsafe fn $sums<S: super::rows::RowSource<$t>, P: Fn(*const $t) -> $reg>(
            rows: &S,
            partials_of: &P,
            first: usize,
            n: usize,
        ) -> $reg {
            let mut partials = [$zero(); $group];
            for (r, p) in partials[..n].iter_mut().enumerate() {
                rows.before(first + r);
                if let Some(row) = rows.row(first + r) {
                    *p = partials_of(row);
                }
            }
            $transposed(partials)
        }

        /// Σ aᵢbᵢ over the common length: one row's partial sums, then their pairwise sum,
        /// bit-identical to `dot` in [`super::math`] (the last partial chunk by masked loads).
        ///
        /// # Safety
        ///
        #[doc = concat!("The CPU must support ", $features, ".")]
        #[target_feature(enable = $features)]
        pub(super) unsafe fn $dot(a: &[$t], b: &[$t]) -> $t {
            // SAFETY: the CPU has the features, as this function requires; both slices hold
            // the common length of elements.
            $horizontal(unsafe { $partials(a.as_ptr(), b.as_ptr(), a.len().min(b.len())) })
        }

        /// `out[r]` = the dot product of row r of `x` with `w` (rows of `w.len()` elements, at
        /// most `out.len()` of them), bit-identical to `dot` at this level,
        #[doc = concat!(stringify!($group), " rows at a time.")]
        ///
        /// # Safety
        ///
        #[doc = concat!("The CPU must support ", $features, ".")]
        #[target_feature(enable = $features)]
        pub(super) unsafe fn $stored(x: &[$t], w: &[$t], out: &mut [$t]) {
            let d = w.len();
            if d == 0 {
                return;
            }
            let count = out.len().min(x.len() / d);
            let rows = super::rows::Stored { x: x.as_ptr(), d };
            // SAFETY: the CPU has the features, and the first `count` rows lie within x.
            unsafe { $from(&rows, w, &mut out[..count]) }
        }

        /// `out[r]` = the dot product of row `rows[r]` of `x` with `w` (+0 for an index out of
        #[doc = concat!("range), as [`", stringify!($stored), "`], prefetching the")]
        /// row listed [`PREFETCH_RECORDS`](super::PREFETCH_RECORDS) positions later in `rows`,
        /// then in `ahead`.
        ///
        /// # Safety
        ///
        #[doc = concat!("The CPU must support ", $features, ".")]
        #[target_feature(enable = $features)]
        pub(super) unsafe fn $listed(
            x: &[$t],
            rows: &[usize],
            ahead: &[usize],
            w: &[$t],
            out: &mut [$t],
        ) {
            let (d, count) = (w.len(), out.len().min(rows.len()));
            if d == 0 {
                return;
            }
            let source = super::rows::Listed { x, d, rows: &rows[..count], ahead };
            // SAFETY: the CPU has the features; listed rows are checked slices.
            unsafe { $from(&source, w, &mut out[..count]) }
        }

        /// `out[r]` = the dot product of row r of `rows` with `w`, with the row length fixed
        /// for the common lengths and w's registers loaded once for short rows.
        ///
        /// # Safety
        ///
        /// The CPU must support the features, and rows `0..out.len()` of `rows` must hold
        /// `w.len()` ≥ 1 elements each.
        #[inline]
        #[target_feature(enable = $features)]
        unsafe fn $from<S: super::rows::RowSource<$t>>(rows: &S, w: &[$t], out: &mut [$t]) {
            let (d, w_ptr) = (w.len(), w.as_ptr());
            // SAFETY: (every call and closure) the CPU has the features, and every row the
            // closures get holds d elements, as this function requires.
            match d {
                $($len => {
                    // SAFETY: every row the closure gets holds d = $len elements, as w does.
                    let partials_of = |row| unsafe { $partials(row, w_ptr, $len) };
                    // SAFETY: the CPU has the features; the rows hold d elements.
                    unsafe { $with(rows, out, partials_of) }
                })*
                _ => {
                    $(if d <= $most {
                        // SAFETY: the CPU has the features; w holds d ≤ $most elements, more
                        // than the previous span's, which fill ⌊$k/2⌋ registers.
                        let prepared = unsafe { $prepare::<$k>(w) };
                        // SAFETY: the rows hold d elements, the length `prepared` was made for.
                        let partials_of = |row| unsafe { $prepared::<$k>(row, &prepared) };
                        // SAFETY: the CPU has the features; the rows hold d elements.
                        return unsafe { $with(rows, out, partials_of) };
                    })*
                    // SAFETY: every row the closure gets holds d elements, as w does.
                    let partials_of = |row| unsafe { $partials(row, w_ptr, d) };
                    // SAFETY: the CPU has the features; the rows hold d elements.
                    unsafe { $with(rows, out, partials_of) }
                }
            }
        }

        #[doc = concat!("[`", stringify!($from), "`] with the partial sums of a row taken from")]
        /// `partials_of`.
        ///
        /// # Safety
        ///
        #[doc = concat!("As [`", stringify!($from), "`], and `partials_of` must be sound for")]
        /// its rows.
        #[inline]
        #[target_feature(enable = $features)]
        unsafe fn $with<S: super::rows::RowSource<$t>, P: Fn(*const $t) -> $reg>(
            rows: &S,
            out: &mut [$t],
            partials_of: P,
        ) {
            let count = out.len();
            let mut groups = out.chunks_exact_mut($group);
            for (g, out) in groups.by_ref().enumerate() {
                // SAFETY: the CPU has the features; the group's rows are sound for partials_of.
                unsafe { $store(out, $sums(rows, &partials_of, g * $group, $group)) };
            }
            let rest = groups.into_remainder();
            let first = count - rest.len();
            if rest.len() < super::rows::FEW_ROWS {
                for (r, out) in rest.iter_mut().enumerate() {
                    rows.before(first + r);
                    *out = match rows.row(first + r) {
                        Some(row) => $horizontal(partials_of(row)),
                        None => 0.0,
                    };
                }
            } else if !rest.is_empty() {
                // SAFETY: as above, for the last rest.len() rows.
                unsafe { $store(rest, $sums(rows, &partials_of, first, rest.len())) };
            }
        }
    };
}

pub(super) use net_input_kernels;
