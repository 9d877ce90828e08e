"""A run's record of what scoring needs, the track-record notebook only when there are earlier
runs, and index.html saying what changed since the previous finished run.

Two tiny synthetic notebooks (seconds per run): ``01_alpha`` writes a headline table,
``06_scorer`` declares ``earlier_runs`` like the real track-record notebook and writes the
folders it was given.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from forecast import layout
from forecast.evaluation.track_record import LAYOUTS, read_run
from forecast.files import tree_digest
from forecast.run import folder as runfolder
from forecast.run.pipeline import RunConfig, run

REPO = Path(__file__).resolve().parents[2]

ALPHA = '''\
from pathlib import Path
if output_dir:
    (Path(output_dir) / "tables").mkdir(parents=True, exist_ok=True)
    (Path(output_dir) / "tables" / "headline.csv").write_text(
        "scenario,China 2030 median [GWh]\\nbase," + str(n_draws) + "\\n")
    (Path(output_dir) / "tables" / "projections.csv").write_text(
        "scenario,region,segment,year,unit,mean,p5,p10,p50,p90,p95\\n"
        "base,China,total,2031,GWh,1,1,1,1,1,1\\n")
'''
SCORER = '''\
from pathlib import Path
if output_dir:
    (Path(output_dir) / "tables").mkdir(parents=True, exist_ok=True)
    (Path(output_dir) / "tables" / "scored.txt").write_text("\\n".join(earlier_runs))
'''


def _notebook(path: Path, params: str, body: str) -> None:
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Toy"), cell, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "forecast", "display_name": "Python (forecast)",
                                 "language": "python"}
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("track")
    nb_dir = base / "notebooks"
    nb_dir.mkdir()
    common = 'data_dir: str = ""  # data folder\noutput_dir: str = ""  # run folder\n'
    _notebook(nb_dir / "01_alpha.ipynb", common + "n_draws: int = 100  # draws\n", ALPHA)
    _notebook(nb_dir / "06_scorer.ipynb",
              common + "earlier_runs: list[str] = []  # earlier runs\n", SCORER)
    # A real data folder: a run checks it (as `forecast validate` does) before any kernel.
    data_dir = Path(shutil.copytree(REPO / "data", base / "data",
                                    ignore=shutil.ignore_patterns("reference")))
    return nb_dir, data_dir, base / "runs"


def _run(toy, name: str, **params: object) -> Path:
    nb_dir, data_dir, out = toy
    return run(RunConfig(output_dir=out, run_name=name, notebook_dir=nb_dir, root=nb_dir.parent,
                         quiet=True, parameters={"data_dir": str(data_dir), **params}))


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_first_second_and_third_run(toy):
    first = _run(toy, "first")
    m = _manifest(first)
    # What scoring needs, in layout 2.
    assert m["layout_version"] == layout.LAYOUT_VERSION == max(LAYOUTS)
    assert m["last_observed_year"] == 2024
    assert m["data_sha256"] == tree_digest(runfolder.data_files(toy[1]), toy[1])
    assert m["previous_run"] is None
    assert read_run(first).last_observed_year == 2024
    # Nothing to score yet: the scorer is not run.
    assert [n["name"] for n in m["notebooks"]] == ["01_alpha.ipynb"]
    assert not (first / "06_scorer.ipynb").exists()
    assert "No earlier finished run in this output folder" in (first / "index.html").read_text()

    second = _run(toy, "second")
    m = _manifest(second)
    assert [n["name"] for n in m["notebooks"]] == ["01_alpha.ipynb", "06_scorer.ipynb"]
    assert (second / "tables" / "scored.txt").read_text() == str(first)
    assert m["previous_run"] == "first"
    index = (second / "index.html").read_text()
    assert '<a href="../first/index.html"><code>first</code></a>' in index
    # The notebooks differ (06 ran only now), the data and parameters do not.
    assert "Data folder: unchanged" in index
    assert "<td>notebooks/06_scorer.ipynb</td><td>added</td>" in index

    third = _run(toy, "third", n_draws=300)
    m = _manifest(third)
    assert (third / "tables" / "scored.txt").read_text().splitlines() == [str(first), str(second)]
    index = (third / "index.html").read_text()
    assert '<code>second</code>' in index
    assert ("<tr><td>Monte Carlo draws per model or scenario</td><td>100</td><td>300</td></tr>"
            in index)
    # A headline column of another layout has no Monte Carlo error to compare with.
    assert ("<td>base</td><td>China 2030 median [GWh]</td><td>100</td><td>300</td>"
            "<td>changed</td>") in index
    assert "Input files (by sha256): unchanged." in index


def test_data_digest_changes_with_any_data_file(tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "history.csv").write_text("a\n")

    def digest() -> str:
        return tree_digest(runfolder.data_files(tmp_path), tmp_path)

    before = digest()
    assert digest() == before
    (tmp_path / "scenarios" / "x.yaml").write_text("name: x\n")
    added = digest()
    (tmp_path / "history.csv").write_text("b\n")
    assert len({before, added, digest()}) == 3
