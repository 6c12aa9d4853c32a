"""The demo data is generated: rerunning tools/make_demo_data.py reproduces data/ byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sitekit import DEMO, files

GENERATOR = DEMO.parent / "tools" / "make_demo_data.py"


@pytest.mark.slow
@pytest.mark.skipif(not (DEMO / "site.yaml").is_file(), reason="no demo data in this checkout")
def test_the_generator_reproduces_the_demo_data(tmp_path: Path) -> None:
    out = tmp_path / "data"
    done = subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    written, committed = files(out), files(DEMO)
    assert sorted(written) == sorted(committed), "data/ has files the generator does not write, or misses some"
    stale = [rel for rel in committed if written[rel] != committed[rel]]
    assert not stale, f"data/ differs from the generator's output in {stale[:5]}: rerun `.venv/bin/python tools/make_demo_data.py`"


def test_the_generator_reads_its_words_from_the_vocabulary_file() -> None:
    source = GENERATOR.read_text(encoding="utf-8")
    assert "demo_vocabulary.yaml" in source
    # No table of Chinese names or phrases is left in the code (it had some 250 lines of them): what Chinese
    # remains is the story's own sentences, a few lines of it.
    wordy = [line for line in source.splitlines() if sum(1 for ch in line if "\u4e00" <= ch <= "\u9fff") > 20]
    assert len(wordy) < 25, wordy[:5]
