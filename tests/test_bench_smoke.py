"""The benchmark harness still runs: `scripts/bench --smoke` for real, on Samskab embedded (a)
and the bare relay floor (c), every workload with a few clients for a second or two.

Benchmarks are not part of the suite (docs/BENCHMARKS.md); this run is, so that the harness
cannot rot between the times someone measures with it. It asserts what the person running the
bench reads: every workload's figures are in the JSON for each configuration where it applies,
nothing was lost, the votes add up, and the table shows a and c side by side.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMSKAB_WORKLOADS = (
    "fanout",
    "city",
    "saturation",
    "slow",
    "votes",
    "reconnect",
    "memory",
    "bytes",
    "page",
)
FLOOR_WORKLOADS = ("fanout", "city", "saturation", "slow", "reconnect", "memory")

pytestmark = [pytest.mark.system, pytest.mark.redis, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """One smoke run of the harness: its JSON and its table."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    argv = [sys.executable, "scripts/bench.py", "--smoke", "--only", "a,c", "--out", str(out)]
    proc = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        stdout, stderr = proc.communicate(timeout=200)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)  # the harness stops every server it started
        stdout, stderr = proc.communicate(timeout=60)
        pytest.fail(f"the smoke run did not finish in 200 s:\n{stderr[-3000:]}")
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{stderr[-3000:]}"
    results: dict[str, Any] = json.loads(out.read_text())
    return results, stdout


def _entry(results: dict[str, Any], workload: str, config: str) -> dict[str, Any]:
    found = [e for e in results["workloads"][workload] if e["config"] == config]
    assert found, f"no {workload} figures for {config}"
    entry: dict[str, Any] = found[0]
    return entry


def test_every_workload_has_its_figures_and_nothing_was_lost_on_samskab(
    smoke: tuple[dict[str, Any], str],
) -> None:
    results, _ = smoke
    assert results["problems"] == []
    for workload in SAMSKAB_WORKLOADS:
        _entry(results, workload, "a")

    fanout = _entry(results, "fanout", "a")
    assert fanout["acked"] == fanout["sent"] > 0
    assert fanout["loss"] == 0 and fanout["duplicates"] == 0
    assert fanout["latency_ms"]["count"] == fanout["expected"] > 0

    city = _entry(results, "city", "a")
    assert city["writers"] == len(city["rooms"]) == 3
    assert city["loss"] == 0 and city["deliveries"] == city["expected"] > 0

    saturation = _entry(results, "saturation", "a")
    assert saturation["steps"] and saturation["steps"][0]["loss"] == 0

    slow = _entry(results, "slow", "a")
    assert slow["healthy_loss"] == 0
    assert slow["slow"]["clients"] >= 1 and slow["slow"]["missing"] == 0

    votes = _entry(results, "votes", "a")
    assert votes["voters"] == votes["acked"] == votes["stored"] == 4
    assert votes["lost"] == 0 and votes["stats_correct"] is True
    assert votes["revealed"]["n"] == 4 and votes["revealed"]["mean"] == votes["expected"]["mean"]

    storm = _entry(results, "reconnect", "a")
    assert storm["clients"] == 3
    assert storm["missing"] == 0 and storm["duplicates"] == 0 and storm["not_caught_up"] == 0
    assert storm["loss"] == 0

    memory = _entry(results, "memory", "a")
    assert memory["n"] == 4 and memory["per_process"][0]["rss_after_kb"] > 0

    per_event = _entry(results, "bytes", "a")["per_event"]
    for kind in ("note.add", "note.move"):
        assert per_event[kind]["participant_html"] > per_event[kind]["participant_json"] > 0

    page = _entry(results, "page", "a")["workshop_page"]
    loaded = {a["path"] for a in page["assets"]}
    assert {"/static/app.js", "/static/app.css", "/static/vendor/htmx/htmx.min.js"} <= loaded
    assert 0 < page["gzip_kb"] < page["raw_kb"]


def test_the_floor_takes_part_where_it_applies(smoke: tuple[dict[str, Any], str]) -> None:
    results, _ = smoke
    for workload in FLOOR_WORKLOADS:
        _entry(results, workload, "c")
    for workload in ("votes", "bytes", "page"):
        assert not [e for e in results["workloads"][workload] if e["config"] == "c"]
    assert _entry(results, "fanout", "c")["loss"] == 0
    assert _entry(results, "city", "c")["loss"] == 0
    assert _entry(results, "slow", "c")["healthy_loss"] == 0
    storm = _entry(results, "reconnect", "c")
    assert storm["duplicates"] == 0 and storm["missing"] is None  # the floor keeps no log


def test_the_table_puts_a_and_c_side_by_side_with_the_targets(
    smoke: tuple[dict[str, Any], str],
) -> None:
    results, table = smoke
    header = table.splitlines()[0].split()
    assert header[:3] == ["figure", "a", "c"] and header[-1] == "target"
    assert "fan-out N=4 20/s" in table and "votes 4 in 1 s" in table
    assert {t["config"] for t in results["targets"]} >= {"a", "b"}
    assert "first participant page <= 60 KB gzipped" in table
