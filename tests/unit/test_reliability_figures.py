"""README's reliability headline and table come from one count (tests/support/tally.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.tally import BEGIN, END, Tally, figures, write_figures

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_headline_is_the_sum_of_the_table_by_area(tmp_path):
    tally = Tally()
    for held in (True, True, False):
        tally.record("crash reports: report saved", held)
    tally.record("crash reports: short message", True)
    tally.record("one vocabulary", True)
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n{BEGIN}\nLast run: 1 tried\n{END}\nafter\n")
    write_figures(readme, tally)
    text = readme.read_text()
    assert text.startswith("# x\n\nbefore\n") and text.endswith(f"{END}\nafter\n")
    assert "Last run: **5 tried, 4 held**." in text
    assert "| crash reports | 4 | 3 |" in text and "| one vocabulary | 1 | 1 |" in text
    assert "1 tried\n" not in text  # the old figures are gone
    write_figures(readme, tally)
    assert readme.read_text() == text  # the same run writes the same section


def test_a_readme_without_the_markers_is_refused(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    with pytest.raises(ValueError, match="markers"):
        write_figures(readme, Tally())


def test_the_committed_readme_agrees_with_itself():
    text = README.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END)]
    headline = re.search(r"Last run: \*\*(\d+) tried, (\d+) held\*\*", section)
    assert headline, "README's figures were never written: make reliability-figures"
    rows = re.findall(r"^\| (?!\*\*total)[^|]+ \| (\d+) \| (\d+) \|$", section, re.M)
    assert rows
    tried, held = sum(int(t) for t, _ in rows), sum(int(h) for _, h in rows)
    assert (tried, held) == (int(headline[1]), int(headline[2]))
    assert f"| **total** | **{tried}** | **{held}** |" in section
    assert figures(Tally()).startswith(BEGIN)


def test_the_performance_headline_counts_the_table():
    from tests.bench.__main__ import BEGIN as P_BEGIN
    from tests.bench.__main__ import END as P_END
    from tests.bench.__main__ import figures as performance

    rows = [
        ("a", "1 ms", "<= 2 ms", True),
        ("b", "3x", "<= 2x", False),
        ("c", "9", "(figure)", True),
    ]
    made = performance(rows)
    assert "Last run: **1 of 2 goals met**." in made and "| b | 3x | <= 2x: NOT MET |" in made
    text = README.read_text(encoding="utf-8")
    section = text[text.index(P_BEGIN) : text.index(P_END)]
    headline = re.search(r"Last run: \*\*(\d+) of (\d+) goals met\*\*", section)
    assert headline, "README's figures were never written: make bench-figures"
    met = len(re.findall(r": met \|$", section, re.M))
    not_met = len(re.findall(r": NOT MET \|$", section, re.M))
    assert (met, met + not_met) == (int(headline[1]), int(headline[2]))
