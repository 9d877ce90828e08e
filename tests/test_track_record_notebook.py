"""Notebook 06_track_record executed on a fake earlier run and a tiny data folder with made-up
numbers (source ``test_only_synthetic.txt``; never real figures)."""

from __future__ import annotations

import re

import nbformat
import pytest

from forecast.errors import ForecastError
from tests.conftest import SYNTHETIC_SOURCE, write_data, write_run

# China total 2024-2025 [GWh] and world share: World total 2025 = 1,200 / 0.8 = 1,500 GWh.
HISTORY = f"""series,region,segment,year,value,unit,kind,variant,source,quote,derivation,note
production,China,total,2024,1000,GWh,reported,,{SYNTHETIC_SOURCE},a,,
production,China,total,2025,1200,GWh,reported,,{SYNTHETIC_SOURCE},b,,
production_share_of_world,China,total,2024,0.75,fraction,reported,,{SYNTHETIC_SOURCE},c,,
production_share_of_world,China,total,2025,0.8,fraction,reported,,{SYNTHETIC_SOURCE},d,,
"""
PROJECTIONS = """scenario,region,segment,year,unit,mean,p5,p10,p50,p90,p95
base,China,total,2025,GWh,1150,1000,1100,1150,1250,1300
base,China,total,2026,GWh,1300,1100,1200,1300,1400,1500
base,World,total,2025,GWh,1500,1400,1450,1500,1550,1600
base,World,total,2026,GWh,1700,1500,1600,1700,1800,1900
"""


@pytest.mark.slow
def test_track_record_notebook_scores_and_draws_each_vintage(tmp_path):
    from forecast.run.pipeline import RunConfig, run

    data_dir = write_data(tmp_path / "data", HISTORY)
    earlier = write_run(tmp_path / "old-runs" / "vintage-a", PROJECTIONS)
    # `forecast run` refuses a folder that cannot be scored before any kernel starts.
    unreadable = tmp_path / "old-runs" / "vintage-b.failed"
    unreadable.mkdir()
    with pytest.raises(ForecastError, match=r"vintage-b\.failed: a failed run, not a finished"):
        run(RunConfig(output_dir=tmp_path / "runs", run_name="now", quiet=True,
                      notebooks=["06_track_record.ipynb"],
                      parameters={"data_dir": str(data_dir),
                                  "earlier_runs": [str(earlier), str(unreadable)]}))
    assert not (tmp_path / "runs").exists()
    folder = run(RunConfig(output_dir=tmp_path / "runs", run_name="now", quiet=True,
                           notebooks=["06_track_record.ipynb"],
                           parameters={"data_dir": str(data_dir),
                                       "earlier_runs": [str(earlier)]}))
    assert sorted(p.name for p in (folder / "figures").iterdir()) == [
        "06_track_record_china.png", "06_track_record_world.png"]
    nb = nbformat.read(str(folder / "06_track_record.ipynb"), as_version=4)
    text = "\n".join(o.get("text", "") or "".join(o.get("data", {}).get("text/markdown", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "vintage-a (data to 2024)" in text
    assert "2 projected values now have an actual (years 2025)" in text
    # China total 2025: 1,150 / 1,200 - 1 = -4.2%, covered; crps 22 (hand-worked in
    # tests/evaluation/test_track_record.py).
    # The scores are displayed as tables (reviewer pages drop printed text): read their cells.
    html = "".join("".join(o.get("data", {}).get("text/html", ""))
                   for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", tr)
            for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
    row = next(r for r in rows if r and r[0] == "vintage-a" and "China" in r)
    assert row == ["vintage-a", "base", "China", "total", "2025", "1,100", "1,150",
                           "1,250", "1,200", "-4.2%", "yes", "22"]
