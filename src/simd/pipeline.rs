//! The software-pipelined loop shared by the element maps of [`super::avx512`] and
//! [`super::avx2`].

/// Runs `third(second(first(load(j))))` and stores it at j for the registers j = `i`,
/// `i + lanes`, … that fit whole in `n`, when at least two do, and returns the index after the
/// last one (`i` itself when fewer than two fit, leaving them to the caller's tail).
///
/// A guarantee the callers' unsafe `load` and `store` rely on: both are called only with
/// indices j ≥ `i` for which j + `lanes` ≤ `n`, each at most once.
///
/// Each iteration loads one register and runs the first stage on it, the second on the
/// register loaded one iteration before and the third on the one before that. The operations
/// enter the core's scheduler in program order; a long dependency chain kept whole (about 50
/// cycles for σ) fills it with operations waiting on the chain's head, while staged they find
/// their inputs ready (σ 10 % faster in L2 on AMD Zen 4, see docs/benchmark-log.md).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn pipelined<V, A: Copy, B: Copy, R>(
    mut i: usize,
    n: usize,
    lanes: usize,
    load: impl Fn(usize) -> V,
    first: impl Fn(V) -> A,
    second: impl Fn(A) -> B,
    third: impl Fn(B) -> R,
    mut store: impl FnMut(usize, R),
) -> usize {
    if i + 2 * lanes > n {
        return i;
    }
    // A bound computed once, rather than i + lanes ≤ n, gave σ 4 % in L2: LLVM then keeps a
    // single induction variable.
    let last = n - lanes;
    // `i` is the next register to load; the one before it has passed the first stage, the one
    // before that the second.
    let mut staged = second(first(load(i)));
    let mut started = first(load(i + lanes));
    i += 2 * lanes;
    while i <= last {
        let next = first(load(i));
        let next_staged = second(started);
        store(i - 2 * lanes, third(staged));
        (started, staged) = (next, next_staged);
        i += lanes;
    }
    store(i - 2 * lanes, third(staged));
    store(i - lanes, third(second(started)));
    i
}
