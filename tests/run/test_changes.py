"""What changed since the previous finished run: inputs, parameters, packages, headline numbers."""

from __future__ import annotations

import json
from pathlib import Path

from forecast.run import changes

HEADLINE = ("scenario,China 2030 median [GWh],China 80% interval [GWh],China share median [%]\n"
            "base,3109,\"2,605-3,908\",74.5\n"
            "low,2052,\"1,915-2,195\",69.5\n")


def _manifest(**overrides: object) -> dict[str, object]:
    manifest: dict[str, object] = {
        "status": "ok",
        "finished": "2026-01-01T00:00:00+00:00",
        "data_sha256": "a" * 64,
        "inputs": {"data/history.csv": "1" * 64, "data/scenarios/base.yaml": "2" * 64},
        "parameters": {"data_dir": "/d", "output_dir": "/runs/old"},
        "notebook_defaults": {"00_summary.ipynb": {"n_draws": "10_000", "seed": "2030"}},
        "packages": {"numpy": "2.4.6", "pandas": "3.1.1"},
    }
    manifest.update(overrides)
    return manifest


def _run(folder: Path, headline: str = HEADLINE, **overrides: object) -> Path:
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "headline.csv").write_text(headline, encoding="utf-8")
    (folder / "manifest.json").write_text(
        json.dumps({"run_id": folder.name, **_manifest(**overrides)}), encoding="utf-8")
    return folder


def test_previous_run_is_the_last_finished_one(tmp_path):
    _run(tmp_path / "a", finished="2026-01-01T00:00:00+00:00")
    _run(tmp_path / "b", finished="2026-03-01T00:00:00+00:00")
    _run(tmp_path / "c.failed", finished="2026-04-01T00:00:00+00:00")
    _run(tmp_path / ".tmp-d", finished="2026-05-01T00:00:00+00:00")
    _run(tmp_path / "e", status="failed", finished="2026-06-01T00:00:00+00:00")
    _run(tmp_path / "now", finished="2026-07-01T00:00:00+00:00")
    assert changes.previous_run(tmp_path, exclude=["now"]) == tmp_path / "b"
    assert changes.previous_run(tmp_path / "missing") is None


def test_nothing_changed(tmp_path):
    old = _run(tmp_path / "old")
    new = _run(tmp_path / "new", parameters={"data_dir": "/d", "output_dir": "/runs/new"})
    found = changes.compare_runs(old, json.loads((new / "manifest.json").read_text()), new)
    assert found.nothing and found.previous_id == "old"
    text = changes.changes_html(found)
    assert 'href="../old/index.html"><code>old</code>' in text
    assert "Nothing changed" in text


def test_every_kind_of_change_is_listed(tmp_path):
    old = _run(tmp_path / "old")
    headline = HEADLINE.replace("3109", "3200").replace("74.5", "75.0").replace(
        "2,605-3,908", "2,700-4,000")
    manifest = _manifest(
        data_sha256="b" * 64,
        inputs={"data/history.csv": "9" * 64, "data/scenarios/high.yaml": "3" * 64},
        parameters={"data_dir": "/d", "output_dir": "/runs/new", "n_draws": 20_000},
        packages={"numpy": "2.5.0", "pandas": "3.1.1"},
    )
    new = _run(tmp_path / "new", headline)
    found = changes.compare_runs(old, manifest, new)
    assert found.previous_id == "old"
    assert found.data_changed is True
    assert found.inputs == [("data/history.csv", "changed"),
                            ("data/scenarios/base.yaml", "removed"),
                            ("data/scenarios/high.yaml", "added")]
    # n_draws: the notebooks' default 10_000 (source text), now set to 20,000 by the user;
    # output_dir differs between any two runs and is not a change.
    assert found.parameters == [("n_draws", "10000", "20000")]
    assert found.packages == [("numpy", "2.4.6", "2.5.0")]
    # 3,200 - 3,109 = +91 GWh = +2.9% of 3,109; 75.0 - 74.5 = +0.5 points.
    assert found.headline == [
        ("base", "China 2030 median [GWh]", "3,109", "3,200", "+91 (+2.9%)"),
        ("base", "China 80% interval [GWh]", "2,605-3,908", "2,700-4,000", "changed"),
        ("base", "China share median [%]", "74.5", "75.0", "+0.5"),
    ]
    text = changes.changes_html(found)
    for expected in ("Data folder: changed", "data/scenarios/high.yaml", "<td>20000</td>",
                     "<td>2.5.0</td>", "<td>+91 (+2.9%)</td>", "<code>old</code>"):
        assert expected in text


def test_a_headline_column_renamed_by_rolling_forward_shows_both(tmp_path):
    old = _run(tmp_path / "old", "scenario,China CAGR 2024-2030 [%/yr]\nbase,17.7\n")
    new = _run(tmp_path / "new", "scenario,China CAGR 2025-2030 [%/yr]\nbase,16.9\n")
    found = changes.compare_runs(old, _manifest(), new)
    assert found.headline == [
        ("base", "China CAGR 2025-2030 [%/yr]", "(none)", "16.9", "changed"),
        ("base", "China CAGR 2024-2030 [%/yr]", "17.7", "(none)", "changed"),
    ]


def test_no_previous_run_is_said(tmp_path):
    assert "No earlier finished run" in changes.changes_html(None)


def test_numeric_headline_columns_and_a_moved_data_folder(tmp_path):
    old = _run(tmp_path / "old", "scenario,china_p50,china_cagr\nbase,3109.48,0.176929\n",
               root="/repo", parameters={"data_dir": "/repo/data"},
               inputs={"data/history.csv": "1" * 64, "notebooks/00.ipynb": "2" * 64})
    new = _run(tmp_path / "new", "scenario,china_p50,china_cagr\nbase,3264.06,0.184475\n")
    manifest = _manifest(root="/repo", parameters={"data_dir": "/tmp/next"},
                         inputs={"/tmp/next/history.csv": "3" * 64, "notebooks/00.ipynb": "2" * 64})
    found = changes.compare_runs(old, manifest, new)
    # The data file changed, whichever folder it is in; the notebook did not.
    assert found.inputs == [("<data>/history.csv", "changed")]
    # 3,264.06 - 3,109.48 = +154.58 GWh = +5.0%; 18.4475% - 17.6929% = +0.75 points.
    assert found.headline == [
        ("base", "china_p50", "3,109", "3,264", "+155 (+5.0%)"),
        ("base", "china_cagr", "17.7%", "18.4%", "+0.8 pt"),
    ]
