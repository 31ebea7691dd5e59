"""The copy of the shared example cases in tests/fixtures/shared_examples agrees with ../shared/examples.

The project's shared folder lies beside the clone on the team's machines, not in a clone elsewhere: where it is
absent the test passes and says so in a warning (shown in pytest's summary), so the run stays green and honest.
"""
from __future__ import annotations

import warnings
from pathlib import Path

from shared_examples import EXAMPLES

UPSTREAM = Path(__file__).resolve().parents[2] / "shared" / "examples"


def differences(copy: Path, upstream: Path) -> list[str]:
    """What differs between the two folders' case files and README, one line each."""
    names = lambda d: {p.name for p in d.iterdir() if p.suffix == ".yaml" or p.name == "README.md"}
    ours, theirs = names(copy), names(upstream)
    out = [f"{n}: only in {upstream}" for n in sorted(theirs - ours)]
    out += [f"{n}: only in {copy}" for n in sorted(ours - theirs)]
    out += [f"{n}: differs" for n in sorted(ours & theirs) if (copy / n).read_bytes() != (upstream / n).read_bytes()]
    return out


def test_differences_are_found(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x.yaml").write_text("1")
    (b / "x.yaml").write_text("2")
    (b / "y.yaml").write_text("")
    (a / "notes.txt").write_text("ignored")
    assert differences(a, b) == [f"y.yaml: only in {b}", "x.yaml: differs"]


def test_copy_matches_the_shared_examples():
    if not UPSTREAM.is_dir():
        warnings.warn(f"{UPSTREAM} is not present: the copy in {EXAMPLES} was not compared", UserWarning)
        return
    drift = differences(EXAMPLES, UPSTREAM)
    assert not drift, ("tests/fixtures/shared_examples drifted from ../shared/examples; copy the new files in "
                       "(cp ../shared/examples/*.yaml ../shared/examples/README.md tests/fixtures/shared_examples/):\n"
                       + "\n".join(drift))
