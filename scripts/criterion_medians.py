"""criterion's median of each bench, for the table scripts (`epoch_table.py`, `pair_table.py`,
`bench_table.py`): the console output names the benches of one run and prints criterion's point
estimate (the slope of its regression over the samples, or their mean without one); the median,
`median.point_estimate` in ns, is in `<criterion dir>/<bench>/new/estimates.json`, with the
bench's title and count of elements in `benchmark.json` beside it. The criterion directory is
`--criterion-dir DIR`, by default `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else
this repository's `target/criterion`.
"""
import json
import os
from collections import defaultdict
from pathlib import Path


def default_criterion_dir():
    """Where `cargo bench` has criterion write: as criterion 0.8 chooses, without cargo metadata."""
    if os.environ.get("CRITERION_HOME"):
        return Path(os.environ["CRITERION_HOME"])
    if os.environ.get("CARGO_TARGET_DIR"):
        return Path(os.environ["CARGO_TARGET_DIR"]) / "criterion"
    return Path(__file__).resolve().parent.parent / "target" / "criterion"


class Medians:
    """criterion's median of each bench, from `new/estimates.json` under `root`, found by the title
    the console prints (criterion's `benchmark.json` beside it holds the title; the directory names
    are criterion's sanitised ids). A file whose typical estimate (the slope, else the mean) is not
    the console's, to the console's five digits, is of another run, and the console's figure is
    kept instead: so also where two benches share a directory (the `kernels` bench's `sse/f64`
    and the `simd` bench's `sse_f64` both sanitise to `sse_f64`) and the other ran last."""

    def __init__(self, root):
        self.root = root
        self.dirs = None
        self.fallback = {}  # title -> why the console's estimate stands in for the median

    def _index(self):
        self.dirs = defaultdict(list)
        if self.root.is_dir():
            for path in self.root.glob("**/new/benchmark.json"):
                try:
                    bench = json.loads(path.read_text())
                    self.dirs[bench["title"]].append((path.parent, bench))
                except (OSError, ValueError, KeyError, TypeError):
                    continue

    def estimates(self, title, console_ns):
        """The estimates and benchmark.json of the run that printed `console_ns` for `title`, else
        None."""
        if self.dirs is None:
            self._index()
        found = False
        for directory, bench in self.dirs.get(title, []):
            try:
                est = json.loads((directory / "estimates.json").read_text())
                typical = (est.get("slope") or est["mean"])["point_estimate"]
                est["median"]["point_estimate"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            found = True
            if abs(typical - console_ns) <= 2e-4 * console_ns:
                # A bench named twice (outputs run after run) takes its last figure: this one.
                self.fallback.pop(title, None)
                return est, bench
        self.fallback[title] = "from another run" if found else "missing"
        return None

    def median(self, title, console_ns):
        """criterion's median in ns, else the console's estimate `console_ns`."""
        found = self.estimates(title, console_ns)
        return found[0]["median"]["point_estimate"] if found else console_ns

    def source(self, titles):
        """The caption's words for where the figures of the benches `titles` come from."""
        titles = sorted(set(titles))
        console = [t for t in titles if t in self.fallback]
        if not console:
            return "criterion's medians (estimates.json)"
        estimate = ("the console's figures, criterion's point estimates (the slope of its "
                    "regression over the samples, or their mean; no estimates.json of this run)")
        if len(console) == len(titles):
            return estimate
        names = (", ".join(f"`{t}`" for t in console) if len(console) <= 6
                 else f"{len(console)} of the {len(titles)} benches (named on stderr)")
        return f"criterion's medians (estimates.json), but for {names} {estimate}"
