"""The shipped scenarios against the published outlook, and the public scenario API."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecast import scenarios
from forecast.errors import ScenarioError
from forecast.scenarios import catalog
from forecast.scenarios.noise import ProcessNoise
from forecast.scenarios.projection import PROJECTION_COLUMNS
from forecast.scenarios.schema import SEGMENTS, Noise

REPO = Path(__file__).resolve().parents[2]
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SHIPPED = ["base", "capacity_limited", "demand_led", "high", "low", "published", "regionalisation"]


def at(
    frame: pd.DataFrame, region: str, segment: str, year: int = 2030, column: str = "mean"
) -> float:
    row = frame[(frame.region == region) & (frame.segment == segment) & (frame.year == year)]
    assert len(row) == 1, (region, segment, year)
    return float(row[column].iloc[0])


@pytest.fixture(scope="module")
def central(history: pd.DataFrame, scenario_dir: Path) -> Any:
    """Central-value paths (a sweep of one run without overrides) of a shipped scenario."""

    def paths(name: str, year: int = 2030) -> pd.DataFrame:
        return scenarios.sweep(scenario_dir / f"{name}.yaml", {}, history, years=[year])

    return paths


def test_list_scenarios_has_every_shipped_file(scenario_dir) -> None:
    table = scenarios.list_scenarios(scenario_dir)
    assert list(table.columns) == ["name", "description", "path"]
    assert list(table["name"]) == SHIPPED
    for description in table["description"]:
        assert "\n" not in description and 20 < len(description) < 250
    assert all(Path(p).is_file() for p in table["path"])


def test_list_scenarios_reports_a_broken_file(tmp_path: Path, scenario_dir) -> None:
    shutil.copy(scenario_dir / "base.yaml", tmp_path / "base.yaml")
    (tmp_path / "zzz.yaml").write_text("name: zzz\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"zzz.yaml: key 'description': missing"):
        scenarios.list_scenarios(tmp_path)


def test_list_scenarios_rejects_duplicate_names(tmp_path: Path, scenario_dir) -> None:
    shutil.copy(scenario_dir / "base.yaml", tmp_path / "a.yaml")
    shutil.copy(scenario_dir / "base.yaml", tmp_path / "b.yaml")
    with pytest.raises(ScenarioError, match=r"b.yaml: key 'name': 'base' is also the name of"):
        scenarios.list_scenarios(tmp_path)


def test_a_scenario_name_is_looked_up_in_the_given_data_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(REPO / "data", data_dir)
    mine = data_dir / "scenarios" / "base.yaml"
    mine.write_text(mine.read_text(encoding="utf-8").replace(
        "  Central view:", "  Mine. Central view:", 1), encoding="utf-8")
    prepared = catalog.prepare_scenario("base", data_dir=data_dir)
    assert prepared.scenario.description.startswith("Mine.")


def test_published_reproduces_the_outlook(history, scenario_dir, published, central) -> None:
    frame = central("published")
    value = dict(zip(frame.region + "/" + frame.segment, frame.value, strict=True))
    assert value["China/power"] == pytest.approx(published["power"])
    assert value["China/consumer"] == pytest.approx(published["consumer"])
    assert value["China/storage"] == pytest.approx(published["storage"])
    assert value["China/total"] == pytest.approx(published["total"])
    # The outlook's own rounded figures (2,450 / "exceeding 126" / 1,226 / 3,800 GWh).
    assert value["China/power"] == pytest.approx(2450, rel=0.005)
    assert value["China/consumer"] == pytest.approx(126, rel=0.005)
    assert value["China/storage"] == pytest.approx(1226, rel=0.005)
    assert value["China/total"] == pytest.approx(3800, rel=0.005)
    # World through the 76% share held from 2024.
    assert value["World/total"] == pytest.approx(published["total"] / 0.76)
    # Its draws vary only from year to year (one common factor, median 0): the median stays
    # on the outlook's path and the band is one year's variation around it.
    frame = scenarios.project(scenario_dir / "published.yaml", history, n_draws=20_000)
    # Each segment varies like its kind, so the total's band is theirs at 2030's mix.
    mix = {seg: published[seg] for seg in ("power", "consumer", "storage")}
    noise = ProcessNoise.estimated(Noise(), mix)
    assert at(frame, "China", "total", column="p50") == pytest.approx(published["total"], rel=0.01)
    for q, col in ((0.1, "p10"), (0.9, "p90")):
        assert at(frame, "China", "total", column=col) == pytest.approx(
            published["total"] * np.exp(noise.quantile(q)), rel=0.01)


def test_demand_led_reproduces_published_ev_demand(central) -> None:
    frame = central("demand_led")
    value = dict(zip(frame.region + "/" + frame.segment, frame.value, strict=True))
    # EV-volumes: 42 M EVs x (2,772 / 42 = 66.0 kWh) = 2,772 GWh in 2030.
    assert value["World/ev_sales"] == pytest.approx(42.0)
    assert value["World/kwh_per_vehicle"] == pytest.approx(66.0)
    assert value["World/ev_demand"] == pytest.approx(2772.0)
    # Power production follows demand from 2024's 823 GWh at a constant 76% share:
    # 823 * 2772 / 870 = 2,622.2 GWh.
    assert value["China/power"] == pytest.approx(823 * 2772 / 870)
    # Storage +25%/yr and consumer +4%/yr on world production, China at 76%.
    assert value["China/storage"] == pytest.approx(254 * 1.25**6)
    assert value["China/consumer"] == pytest.approx(94 * 1.04**6)


def test_demand_led_drivers_start_from_2024_values(central) -> None:
    frame = central("demand_led", 2025)
    value = dict(zip(frame.segment, frame.value, strict=False))
    # 2025 is one sixth of the geometric way from 17.79 M to 42 M (EV-volumes).
    assert value["ev_sales"] == pytest.approx(17.79 * (42 / 17.79) ** (1 / 6))
    assert value["kwh_per_vehicle"] == pytest.approx(870 / 17.79 * (66 / (870 / 17.79)) ** (1 / 6))


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_projects_consistently(name: str, history, scenario_dir) -> None:
    frame = scenarios.project(scenario_dir / f"{name}.yaml", history, n_draws=2000, seed=1)
    assert list(frame.columns) == list(PROJECTION_COLUMNS)
    assert set(frame.region) == {"China", "World"}
    assert {"power", "consumer", "storage", "total"} <= set(frame.segment)
    assert sorted(set(frame.year)) == list(range(2025, 2031))
    q = frame[["p5", "p10", "p50", "p90", "p95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    gwh = frame[frame.unit == "GWh"]
    assert (gwh[["mean", "p5"]] >= 0).all().all()
    for region in ("China", "World"):
        parts = sum(at(frame, region, s) for s in ("power", "consumer", "storage"))
        assert parts == pytest.approx(at(frame, region, "total"))


def test_scenarios_are_ordered_as_argued(central) -> None:
    totals = {
        name: at(central(name), "China", "total", column="value")
        for name in ("low", "base", "high", "published")
    }
    assert totals["low"] < totals["base"] < totals["published"] < totals["high"]


def test_capacity_limited_never_exceeds_its_limit(history, scenario_dir, central) -> None:
    frame = scenarios.project(scenario_dir / "capacity_limited.yaml", history, n_draws=5000)
    for year in range(2025, 2031):
        assert at(frame, "China", "total", year) <= at(frame, "China", "capacity_limit", year)
    # The 2030 limit at central values: 2,000 GWh (document 004) * 1.05**5 * 0.8.
    limit = at(central("capacity_limited"), "China", "capacity_limit", column="value")
    assert limit == pytest.approx(2000 * 1.05**5 * 0.8)


def test_regionalisation_lowers_chinas_share(central) -> None:
    frame = central("regionalisation")
    share = at(frame, "China", "world_share", column="value")
    assert share == pytest.approx(0.62)


def test_csv_is_byte_identical_for_same_seed_and_differs_for_another(history, scenario_dir) -> None:
    path = scenario_dir / "base.yaml"
    one = scenarios.projection_to_csv(scenarios.project(path, history, 3000, seed=11))
    two = scenarios.projection_to_csv(scenarios.project(path, history, 3000, seed=11))
    other = scenarios.projection_to_csv(scenarios.project(path, history, 3000, seed=12))
    assert one == two
    assert one != other
    lines = one.splitlines()
    assert lines[0] == "scenario,region,segment,year,unit,mean,p5,p10,p50,p90,p95"
    assert lines[1].startswith("base,China,power,2025,GWh,")
    assert all(len(field.split(".")[1]) == 3 for field in lines[1].split(",")[5:])
    parsed = pd.read_csv(io.StringIO(one))
    assert len(parsed) == len(lines) - 1


def test_csv_never_prints_negative_zero() -> None:
    frame = pd.DataFrame(
        [["x", "China", "total", 2030, "GWh", -0.0, -1e-9, 0, 0, 0, 0]],
        columns=list(PROJECTION_COLUMNS),
    )
    assert "-0.000" not in scenarios.projection_to_csv(frame)


def test_text_output_shows_target_year_and_yearly_totals(history, scenario_dir) -> None:
    frame = scenarios.project(scenario_dir / "published.yaml", history, n_draws=10)
    text = scenarios.projection_to_text(frame)
    assert "Scenario published: projection to 2030 (median; p10-p90 is the 80% interval" in text
    header = next(line for line in text.splitlines() if line.startswith("region  segment"))
    assert header.split()[3:] == ["p50", "p10", "p90", "p5", "p95"]
    median = at(frame, "China", "total", column="p50")
    assert f"{median:,.0f}" in text
    for year in range(2025, 2031):
        assert f"China   {year}" in text


def test_target_year_override(history, scenario_dir, central) -> None:
    frame = scenarios.project(scenario_dir / "published.yaml", history, 10, target_year=2027)
    assert sorted(set(frame.year)) == [2025, 2026, 2027]
    assert at(central("published", 2027), "China", "power", 2027, "value") == pytest.approx(
        823 * 1.2**3)
    with pytest.raises(ScenarioError, match=r"key 'target_year': target year 2024 is not after"):
        scenarios.project(scenario_dir / "published.yaml", history, 10, target_year=2024)


def test_project_named_and_unknown_names(scenario_dir) -> None:
    frame = scenarios.project_named("published", scenario_dir=scenario_dir, n_draws=5)
    assert set(frame.scenario) == {"published"}
    with pytest.raises(ScenarioError, match=r"unknown scenario 'nope' \(known: base, "):
        scenarios.project_named("nope", scenario_dir=scenario_dir)


def test_shipped_assumptions_quote_the_source_document() -> None:
    if not SEEDS.is_dir():
        pytest.skip("source documents not available")
    text = (SEEDS / "002_760f87d2812c9bc1.txt").read_text(encoding="utf-8")
    for quote in (
        "annual compound growth rate will be 20%, with production reaching 2,450 GWh",
        "maintain a 5% annual compound growth rate, with production exceeding 126 GWh",
        "with production expected to reach 1,226 GWh",
        "global BEV+PHEV sales will reach 42 million units",
        "the demand for power batteries will reach 2,772 GWh",
    ):
        assert quote in text


def test_project_named_by_name_equals_project_of_the_file(history, scenario_dir) -> None:
    named = scenarios.project_named("low", scenario_dir, n_draws=500, seed=4)
    low = scenarios.project(scenario_dir / "low.yaml", history, n_draws=500, seed=4)
    pd.testing.assert_frame_equal(named, low)
    assert scenarios.projection_to_csv(named).count("\n") == len(named) + 1


def test_file_target_year_not_after_history_names_file(
    tmp_path: Path, history, scenario_dir
) -> None:
    text = (scenario_dir / "published.yaml").read_text(encoding="utf-8")
    path = tmp_path / "early.yaml"
    path.write_text(text.replace("target_year: 2030", "target_year: 2023"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"early.yaml: key 'target_year': target year 2023 is"):
        scenarios.project(path, history, n_draws=10)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_files_cite_their_sources_and_argue_in_prose(name: str, scenario_dir) -> None:
    sc = scenarios.load_scenario(scenario_dir / f"{name}.yaml")
    assert sc.name == name
    assert len(sc.rationale.split()) > 80
    for seg in SEGMENTS:
        assert sc.segments[seg].source, f"{name}: segments.{seg} has no source"
    assert sc.share.source, f"{name}: share has no source"
