"""Tests of the run machinery: run folders, parameters, manifest, HTML, failures, timeouts.

Kernel-launching tests use two tiny synthetic notebooks (so they take seconds); the real
notebooks are exercised in tests/test_notebooks.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from forecast import cli, layout
from forecast.errors import ForecastError, RunError
from forecast.files import sha256_file
from forecast.report import tables as outputs
from forecast.run import folder as runfolder
from forecast.run import html as render
from forecast.run import pipeline
from forecast.run.pipeline import RunConfig

REPO = Path(__file__).resolve().parents[2]

TOY_BODY = '''\
import time
import numpy as np
import pandas as pd
from forecast.report.tables import write_table
from IPython.display import Markdown, display
display(Markdown(f"Written to `{output_dir}`"))
if sleep_s < 0:
    raise ValueError(f"sleep_s must be >= 0, got {sleep_s}")
time.sleep(sleep_s)
rng = np.random.default_rng(seed)
draws = rng.normal(1170.0, 100.0, size=n_draws)
write_table(pd.DataFrame({"name": ["NAME"], "mean": [draws.mean()], "p50": [np.median(draws)]}),
            output_dir, "NAME")
'''


def _toy_notebook(path: Path, name: str) -> None:
    params = nbformat.v4.new_code_cell(
        'data_dir: str = ""  # data folder\n'
        'output_dir: str = ""  # run folder\n'
        "n_draws: int = 100  # Monte Carlo draws\n"
        "seed: int = 7  # random seed\n"
        "sleep_s: float = 0.0  # seconds to wait (timeout tests)\n"
    )
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# Toy {name}\nA sentence a reviewer reads."),
        params,
        nbformat.v4.new_code_cell(TOY_BODY.replace("NAME", name)),
        nbformat.v4.new_code_cell("print('SECRET_SOURCE_MARKER' + '_output')"),
        nbformat.v4.new_code_cell("from IPython.display import Markdown\n"
                                  "Markdown('RICH_' + 'OUTPUT_MARKER')"),
    ]
    nb.metadata["kernelspec"] = {"name": "forecast", "display_name": "Python (forecast)",
                                 "language": "python"}
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def toy_dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("toy")
    nb_dir = base / "notebooks"
    nb_dir.mkdir()
    for name in ("01_alpha", "02_beta"):
        _toy_notebook(nb_dir / f"{name}.ipynb", name)
    # A real data folder: a run checks it (as `forecast validate` does) before any kernel starts.
    data_dir = Path(shutil.copytree(REPO / "data", base / "data",
                                    ignore=shutil.ignore_patterns("reference")))
    return nb_dir, data_dir, base / "runs"


def _toy_run(toy_dirs, **kwargs) -> Path:
    nb_dir, data_dir, out = toy_dirs
    params = {"data_dir": str(data_dir), **kwargs.pop("parameters", {})}
    return pipeline.run(RunConfig(output_dir=out, notebook_dir=nb_dir, root=REPO,
                                  parameters=params, quiet=True, **kwargs))


@pytest.fixture(scope="module")
def toy_run(toy_dirs) -> Path:
    return _toy_run(toy_dirs, run_name="first", jobs=2)


# --------------------------------------------------------------------------- run names


@pytest.mark.parametrize("name", ["../x", "/abs", "a/b", "a\\b", "", ".hidden", "..",
                                  "x.failed", "sp ace", "x" * 101])
def test_run_name_refused(name):
    with pytest.raises(ForecastError, match="run name"):
        runfolder.validate_run_name(name)


@pytest.mark.parametrize("name", ["nightly", "2026-11-22_a", "v1.2"])
def test_run_name_accepted(name):
    assert runfolder.validate_run_name(name) == name


def test_default_run_id_is_utc_timestamp_with_suffix_when_taken(tmp_path):
    now = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)
    first = runfolder.claim_run_folder(tmp_path, now=now)
    assert first.run_id == "20261122T030405Z" and first.build.name == ".tmp-20261122T030405Z"
    assert runfolder.claim_run_folder(tmp_path, now=now).run_id == "20261122T030405Z-2"


def test_run_folder_lifecycle_and_latest(tmp_path):
    folder = runfolder.claim_run_folder(tmp_path, "r1")
    assert folder.build.is_dir() and (folder.build / ".lock").is_file()
    with pytest.raises(ForecastError, match="already exists"):
        runfolder.claim_run_folder(tmp_path, "r1")
    assert folder.publish(ok=True) == tmp_path / "r1" and not folder.build.exists()
    runfolder.point_latest(tmp_path, tmp_path / "r1")
    with pytest.raises(ForecastError, match="already exists"):
        runfolder.claim_run_folder(tmp_path, "r1")
    other = runfolder.claim_run_folder(tmp_path, "r2")
    assert other.publish(ok=False) == tmp_path / "r2.failed"
    assert os.readlink(tmp_path / "latest") == "r1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "r1", "r2.failed"]


def test_cli_refuses_escaping_run_name_with_exit_3(tmp_path, capsys):
    code = cli.main(["run", "--output-dir", str(tmp_path), "--run-name", "../x", "--quiet"])
    captured = capsys.readouterr()
    assert code == 3
    # The failure line is stdout's only (last) line too, for wrappers reading `tail -n 1`.
    assert captured.out == captured.err
    assert re.fullmatch(r"error: run name '\.\./x' .*\n", captured.err)
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "x").exists()


# --------------------------------------------------------------------------- options


def test_run_refuses_bad_options_before_writing(tmp_path, toy_dirs):
    nb_dir, data_dir, _ = toy_dirs
    with pytest.raises(ForecastError, match="--jobs"):
        pipeline.run(RunConfig(output_dir=tmp_path, notebook_dir=nb_dir, root=REPO, jobs=0))
    with pytest.raises(ForecastError, match="--timeout"):
        pipeline.run(RunConfig(output_dir=tmp_path, notebook_dir=nb_dir, root=REPO, timeout=0))
    with pytest.raises(ForecastError, match="unknown notebook parameter"):
        pipeline.run(RunConfig(output_dir=tmp_path, notebook_dir=nb_dir, root=REPO,
                     parameters=[("nope", "1")]))
    with pytest.raises(ForecastError, match="data_dir must be a data folder holding history"):
        pipeline.run(RunConfig(output_dir=tmp_path, notebook_dir=nb_dir, root=REPO,
                     parameters={"data_dir": str(tmp_path / "missing")}))
    with pytest.raises(ForecastError, match="parameter n_draws must be a whole number >= 1, "
                                          "got -5"):
        pipeline.run(RunConfig(output_dir=tmp_path, notebook_dir=nb_dir, root=REPO,
                               parameters={"data_dir": str(data_dir), "n_draws": -5}))
    with pytest.raises(ForecastError, match=r"output folder .* is a file"):
        pipeline.run(RunConfig(output_dir=data_dir / "history.csv", notebook_dir=nb_dir,
                               root=REPO, parameters={"data_dir": str(data_dir)}))
    with pytest.raises(ForecastError, match="no such notebook"):
        pipeline.run(RunConfig(output_dir=tmp_path, notebook_dir=nb_dir, root=REPO,
                     parameters={"data_dir": str(data_dir)}, notebooks=["09_none"]))
    assert list(tmp_path.iterdir()) == []


def test_discover_notebooks_only_numbered(tmp_path):
    for name in ("01_a.ipynb", "scratch.ipynb", "1_b.ipynb", "02_c.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in pipeline.discover_notebooks(tmp_path)] == ["01_a.ipynb", "02_c.ipynb"]
    with pytest.raises(RunError, match="no notebooks"):
        pipeline.discover_notebooks(tmp_path / "scratch_only_missing")


# --------------------------------------------------------------------------- manifest, outputs


def test_sha256_matches_known_digest(tmp_path):
    f = tmp_path / "abc.txt"
    f.write_bytes(b"abc")
    # SHA-256("abc") from FIPS 180-2, appendix B.1.
    assert sha256_file(f) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_data_files_are_csvs_and_scenarios(tmp_path):
    for name in ("history.csv", "notes.txt", "scenarios/a.yaml", "scenarios/b.yml",
                 "scenarios/c.txt", "reference/r.csv"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    assert runfolder.data_files(tmp_path) == [
        tmp_path / "history.csv", tmp_path / "scenarios/a.yaml", tmp_path / "scenarios/b.yml"]


def test_git_state_outside_a_repository(tmp_path):
    assert runfolder.git_state(tmp_path) == {"commit": None, "dirty": None}


def test_package_versions_include_python_and_numpy():
    versions = runfolder.package_versions()
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", versions["python"])
    assert versions["numpy"] is not None
    assert runfolder.package_versions(["surely-not-installed-pkg"])["surely-not-installed-pkg"] \
        is None


def test_write_table_is_reproducible_and_optional(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"year": [2030], "value": [1.0 / 3.0], "name": ["China"]})
    assert outputs.write_table(frame, "", "t") is None
    path = outputs.write_table(frame, tmp_path, "t")
    assert path == tmp_path / "tables" / "t.csv"
    assert path.read_bytes() == b"year,value,name\n2030,0.333333,China\n"
    with pytest.raises(ValueError, match="plain file name"):
        outputs.write_table(frame, tmp_path, "../t")


def test_index_escapes_and_links(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / layout.HEADLINE_TABLE).write_text(
        "scenario,p50 [GWh]\n<b>base</b>,3800\n")
    (tmp_path / "01_a.html").write_text("x")
    page = render.write_index(tmp_path, {
        "run_id": "r", "status": "ok", "parameters": {"seed": 1},
        "notebooks": [{"name": "01_a.ipynb", "status": "ok", "duration_s": 1.25}],
    }).read_text()
    assert "&lt;b&gt;base&lt;/b&gt;" in page and "<b>base</b>" not in page
    assert 'href="01_a.html"' in page and 'href="tables/headline.csv"' in page
    assert "1.2 s" in page or "1.3 s" in page


# --------------------------------------------------------------------------- real kernels


@pytest.mark.slow
def test_toy_run_folder_contents(toy_run, toy_dirs):
    out = toy_dirs[2]
    assert toy_run == out / "first"
    names = sorted(p.name for p in toy_run.iterdir())
    assert names == ["01_alpha.html", "01_alpha.ipynb", "02_beta.html", "02_beta.ipynb",
                     "index.html", "manifest.json", "tables"]
    assert sorted(p.name for p in (toy_run / "tables").iterdir()) == ["01_alpha.csv",
                                                                       "02_beta.csv"]
    assert not any(p.name.startswith(".tmp-") for p in out.iterdir())
    assert (out / "latest").resolve() == toy_run.resolve()


@pytest.mark.slow
def test_toy_manifest(toy_run, toy_dirs):
    nb_dir, data_dir, _ = toy_dirs
    m = runfolder.read_manifest(toy_run)
    assert m["run_id"] == "first" and m["status"] == "ok"
    assert m["kernel_logs"] == []  # empty kernel logs are removed
    assert m["started"] <= m["finished"]
    assert m["parameters"]["data_dir"] == str(data_dir.resolve())
    assert m["parameters"]["output_dir"] == str(toy_run)
    assert m["git"]["commit"] is None or re.fullmatch(r"[0-9a-f]{40}", m["git"]["commit"])
    assert m["packages"]["papermill"] and m["packages"]["forecast"]
    expected = {str(p.resolve()): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in [*nb_dir.glob("*.ipynb"), *data_dir.glob("*.csv"),
                          *data_dir.glob("scenarios/*.yaml")]}
    assert m["inputs"] == expected
    assert [(n["name"], n["status"]) for n in m["notebooks"]] == [
        ("01_alpha.ipynb", "ok"), ("02_beta.ipynb", "ok")]
    assert all(n["duration_s"] > 0 for n in m["notebooks"])
    assert m["outputs"]["tables/01_alpha.csv"] == sha256_file(
        toy_run / "tables" / "01_alpha.csv")
    # Manifest and executed notebooks name the final folder, never the hidden build folder.
    for recorded in ("manifest.json", "01_alpha.ipynb", "02_beta.ipynb", "index.html",
                     "01_alpha.html"):
        assert ".tmp-" not in (toy_run / recorded).read_text(), recorded
    assert f"<code>{toy_run}</code>" in (toy_run / "01_alpha.html").read_text()
    executed = nbformat.read(str(toy_run / "01_alpha.ipynb"), as_version=4)
    assert executed.metadata.papermill.parameters.output_dir == str(toy_run)


@pytest.mark.slow
def test_pages_name_the_final_folder_whatever_its_characters(toy_dirs, tmp_path):
    nb_dir, data_dir, _ = toy_dirs
    out = tmp_path / 'runs & "quoted" <odd> \\ back'
    run = _toy_run((nb_dir, data_dir, out), run_name="odd", notebooks=["01_alpha"])
    # A notebook holds the path JSON-escaped, a page HTML-escaped: neither keeps the build's.
    for recorded in ("01_alpha.ipynb", "01_alpha.html", "manifest.json", "index.html"):
        assert ".tmp-" not in (run / recorded).read_text(), recorded


@pytest.mark.slow
def test_toy_html_hides_code_keeps_outputs(toy_run):
    page = (toy_run / "01_alpha.html").read_text()
    assert "RICH_OUTPUT_MARKER" in page  # a rich output is shown ...
    assert "'RICH_' + 'OUTPUT_MARKER'" not in page  # ... its code is not
    # Reviewer view: printed program output is left out, and so is its code.
    assert "SECRET_SOURCE_MARKER" not in page
    assert "write_table(" not in page
    body = page.split("<body", 1)[1]
    # No code editor areas and no "In [n]:" prompts; markdown cells remain.
    assert "jp-InputArea-editor" not in body and "jp-InputPrompt" not in body
    assert "In&nbsp;[" not in body and "jp-OutputPrompt" not in body
    assert "A sentence a reviewer reads." in page
    index = (toy_run / "index.html").read_text()
    for link in ("01_alpha.html", "02_beta.ipynb", "tables/01_alpha.csv", "manifest.json"):
        assert f'href="{link}"' in index


@pytest.mark.slow
def test_toy_tables_are_byte_identical_across_runs(toy_run, toy_dirs):
    again = _toy_run(toy_dirs, run_name="second", jobs=1)
    for table in (toy_run / "tables").iterdir():
        assert (again / "tables" / table.name).read_bytes() == table.read_bytes()
    a, b = runfolder.read_manifest(toy_run), runfolder.read_manifest(again)
    assert a["inputs"] == b["inputs"] and a["outputs"] == b["outputs"]


@pytest.mark.slow
def test_existing_run_name_refused_and_untouched(toy_run, toy_dirs):
    before = {p.name: p.stat().st_mtime_ns for p in toy_run.iterdir()}
    with pytest.raises(ForecastError, match="already exists") as info:
        _toy_run(toy_dirs, run_name="first")
    assert info.value.exit_code == 3
    assert {p.name: p.stat().st_mtime_ns for p in toy_run.iterdir()} == before


@pytest.mark.slow
def test_failing_notebook_gives_run_error_and_keeps_it(toy_dirs):
    _, _, out = toy_dirs
    with pytest.raises(RunError) as info:
        # sleep_s is not a declared run parameter: only the notebook checks it.
        _toy_run(toy_dirs, run_name="broken", parameters={"sleep_s": -5}, jobs=1)
    message = str(info.value)
    assert info.value.exit_code == 4
    assert "\n" not in message
    assert re.match(r"notebook 01_alpha\.ipynb failed in cell In \[3\]: ValueError: sleep_s "
                    r"must be >= 0, got -5; executed notebook kept in ", message)
    failed = out / "broken.failed"
    assert str(failed / "01_alpha.ipynb") in message
    assert not (out / "broken").exists() and not (out / ".tmp-broken").exists()
    executed = json.loads((failed / "01_alpha.ipynb").read_text())
    errors = [o for c in executed["cells"] for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "ValueError"
    m = runfolder.read_manifest(failed)
    assert m["status"] == "failed"
    statuses = {n["name"]: n["status"] for n in m["notebooks"]}
    # jobs=1: the failure cancels the notebook that had not started yet.
    assert statuses == {"01_alpha.ipynb": "failed", "02_beta.ipynb": "skipped"}
    assert (failed / "01_alpha.html").is_file()
    # The failed run's notebooks, pages and manifest name the folder it was kept in.
    assert f"<code>{failed}</code>" in (failed / "01_alpha.html").read_text()
    executed = nbformat.read(str(failed / "01_alpha.ipynb"), as_version=4)
    assert executed.metadata.papermill.parameters.output_dir == str(failed)
    assert m["parameters"]["output_dir"] == str(failed)
    assert (out / "latest").resolve() != failed.resolve()


@pytest.mark.slow
def test_cell_timeout_fails_the_run(toy_dirs):
    _, _, out = toy_dirs
    with pytest.raises(RunError, match=r"02_beta\.ipynb failed in cell In \[\d+\]: timed out "
                                       r"after 2 s") as info:
        _toy_run(toy_dirs, run_name="slow", parameters={"sleep_s": 30}, timeout=2,
                 notebooks=["02_beta"])
    assert "\n" not in str(info.value)
    assert (out / "slow.failed" / "02_beta.ipynb").is_file()
    # Whatever the interrupted kernel printed outside the cells is kept in a log, not on our
    # stdout/stderr; the manifest and the index point to it.
    m = runfolder.read_manifest(out / "slow.failed")
    for rel in m["kernel_logs"]:
        assert (out / "slow.failed" / rel).is_file()
        assert f'href="{rel}"' in (out / "slow.failed" / "index.html").read_text()


@pytest.mark.slow
def test_a_kernel_is_reused_with_a_fresh_namespace(toy_dirs, tmp_path):
    """One job: the second notebook runs in the first one's kernel (its imports paid once) but
    sees none of its names, no figure of it, and counts its cells from 1 as a new kernel does."""
    _, data_dir, _ = toy_dirs
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    first = ("import os, matplotlib.pyplot as plt\nLEFT_BEHIND = 1\nplt.figure()\n"
             "open(os.path.join(output_dir, 'pid1'), 'w').write(str(os.getpid()))")
    second = ("import os, matplotlib.pyplot as plt\n"
              "assert 'LEFT_BEHIND' not in globals() and 'plt' not in dir(__builtins__)\n"
              "assert plt.get_fignums() == [], plt.get_fignums()\n"
              "assert __name__ == '__main__' and '__spec__' in globals()\n"
              "open(os.path.join(output_dir, 'pid2'), 'w').write(str(os.getpid()))")
    for name, body in (("01_first", first), ("02_second", second)):
        params = nbformat.v4.new_code_cell('data_dir: str = ""\noutput_dir: str = ""\n')
        params.metadata["tags"] = ["parameters"]
        nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(body)])
        nb.metadata["kernelspec"] = {"name": "forecast", "display_name": "Python (forecast)",
                                     "language": "python"}
        nbformat.write(nb, str(nb_dir / f"{name}.ipynb"))
    done = pipeline.run(RunConfig(output_dir=tmp_path / "runs", notebook_dir=nb_dir, root=REPO,
                                  parameters={"data_dir": str(data_dir)}, quiet=True, jobs=1))
    assert (done / "pid1").read_text() == (done / "pid2").read_text()
    executed = nbformat.read(str(done / "02_second.ipynb"), as_version=4)
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2, 3]


@pytest.mark.slow
def test_a_stop_during_a_kernel_reset_ends_it_within_seconds(tmp_path):
    """A run stopped while a reused kernel is being reset: the kernel gets SIGTERM, and the
    reset ends at once instead of waiting out the cell timeout (600 s here)."""
    from jupyter_core.utils import run_sync

    kernels = pipeline.Kernels(REPO, tmp_path / "logs")
    manager = kernels.start()
    try:
        client = manager.client()
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=120)
        client.stop_channels()
        pipeline._reset(manager, 600)  # a live kernel is reset
        kernels.stop()
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="kernel reset failed: Kernel died"):
            pipeline._reset(manager, 600)
        assert time.monotonic() - started < 10
    finally:
        kernels.close()
