"""A care group's view of its homes (issue 19): real appliances, a real Prometheus, the shipped
rules and dashboard. Run by `make test-monitoring` (part of `make test`)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date

import pytest

from care_group import DASHBOARD, MONITORING, parse_metrics

# Labels Prometheus adds to every scraped sample: the job, the target's address and the home.
TARGET_LABELS = {"job", "instance", "home"}


def without_target_labels(metric: dict) -> frozenset:
    return frozenset((k, v) for k, v in metric.items() if k not in TARGET_LABELS and k != "__name__")


def scraped(group) -> dict[str, dict]:
    """Each home's /metrics, read directly with its token, parsed."""
    return {name: parse_metrics(home.metrics()) for name, home in group.homes.items()}


def value(samples: dict, name: str, **labels) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_every_home_answers_under_its_own_label(group):
    up = group.prometheus.query('up{job=~"carehome.*"}')
    assert sorted(r["metric"]["home"] for r in up) == sorted(group.NAMES)
    for result in up:
        home = group.homes[result["metric"]["home"]]
        assert result["metric"]["instance"] == home.address
        assert result["metric"]["job"] == f"carehome-{home.name}"
        assert result["value"][1] == "1"
    # Willow Court is scraped over HTTPS, its certificate checked against the one the group was given.
    schemes = {t["labels"]["home"]: t["scrapeUrl"].split(":")[0] for t in group.prometheus.api("targets")["activeTargets"]}
    assert schemes == {"willow-court": "https", "oak-lodge": "http", "ash-house": "http"}


def test_each_homes_figures_reach_prometheus_with_its_home_label(group):
    direct = scraped(group)
    for name in group.NAMES:
        stored = {}
        for result in group.prometheus.query(f'{{__name__=~"carehome_.+", home="{name}"}}'):
            stored[(result["metric"]["__name__"], without_target_labels(result["metric"]))] = float(result["value"][1])
        assert set(stored) == set(direct[name]), f"{name}: series differ: {set(stored) ^ set(direct[name])}"
        for key, figure in direct[name].items():
            if key[0] == "carehome_backup_age_seconds":
                assert abs(stored[key] - figure) < 60, (name, key)  # it grows by the second
            elif key[0] == "carehome_disk_free_bytes":
                assert abs(stored[key] - figure) < 500e6, (name, key)  # the disk is shared with whatever else writes
            else:
                assert stored[key] == figure, (name, key, stored[key], figure)


def test_the_homes_figures_differ_as_their_data_do(group):
    prometheus = group.prometheus
    residents = group.homes["willow-court"].residents()
    living = sum(1 for r in residents if r["status"] == "living-here" and not r["entered_in_error"])
    assert living >= 10, "the demo home has residents"
    assert prometheus.by_home('sum by (home) (carehome_residents_residents{status="living-here"})') == {
        "willow-court": living, "oak-lodge": living, "ash-house": 0}
    # Only Willow Court has had a backup.
    assert prometheus.by_home("carehome_backup_overdue") == {"willow-court": 0, "oak-lodge": 1, "ash-house": 1}
    ages = prometheus.by_home("home:carehome_backup_age:hours")
    assert list(ages) == ["willow-court"] and 0 <= ages["willow-court"] < 0.1
    # Oak Lodge has two more carers than Willow Court, from the same demo accounts.
    carers = prometheus.by_home('carehome_accounts_active{role="carer"}')
    assert carers["oak-lodge"] == carers["willow-court"] + 2
    assert carers["ash-house"] == 0
    # Oak Lodge's nurse recorded one more fall, with an injury.
    injured = prometheus.by_home('carehome_falls_log_falls_30d{injured="yes"}')
    assert injured["oak-lodge"] == injured["willow-court"] + 1
    assert prometheus.by_home('carehome_falls_log_falls_30d{injured="no"}')["oak-lodge"] == \
        prometheus.by_home('carehome_falls_log_falls_30d{injured="no"}')["willow-court"]
    # The empty home's EHCH figures are zero, and present (a zero is not a missing figure).
    assert prometheus.by_home("carehome_residents_admission_clocks_open")["ash-house"] == 0
    assert prometheus.by_home("home:carehome_falls_30d:sum")["ash-house"] == 0


def test_recording_rules_compute_the_rates_from_each_homes_figures(group):
    direct = scraped(group)
    prometheus = group.prometheus
    falls = prometheus.by_home("home:carehome_falls_30d:sum")
    on_time = prometheus.by_home("home:carehome_admissions_on_time_90d:ratio")
    admissions = prometheus.by_home("home:carehome_admissions_90d:sum")
    per_1000 = prometheus.by_home("home:carehome_falls_per_1000_occupied_bed_days_30d:ratio")
    for name, samples in direct.items():
        home_falls = value(samples, "carehome_falls_log_falls_30d", injured="yes") + value(samples, "carehome_falls_log_falls_30d", injured="no")
        assert falls[name] == home_falls
        outcomes = {o: value(samples, "carehome_residents_admissions_90d", outcome=o) for o in ("on-time", "late", "in-progress")}
        assert admissions[name] == sum(outcomes.values())
        decided = outcomes["on-time"] + outcomes["late"]
        if decided:
            assert on_time[name] == pytest.approx(outcomes["on-time"] / decided)
        else:
            assert name not in on_time, "no ratio for a home with no decided admissions"
        living = value(samples, "carehome_residents_residents", status="living-here")
        if living:
            assert per_1000[name] == pytest.approx(home_falls * 1000 / (living * 30))
        else:
            assert name not in per_1000, "no falls rate for a home with nobody living in it"
    assert falls["willow-court"] > 0 and "willow-court" in on_time, "the demo home exercises the rates"


def active_alerts(group, alertname: str) -> set[str]:
    return {a["labels"]["home"] for a in group.prometheus.api("alerts")["alerts"]
            if a["labels"]["alertname"] == alertname and a["state"] in ("pending", "firing")}


def test_the_shipped_rules_load_and_alert_on_the_right_homes(group):
    prometheus = group.prometheus
    groups = prometheus.api("rules")["groups"]
    assert {g["name"] for g in groups} == {"carehome-recording", "carehome-alerts"}
    for rule in (r for g in groups for r in g["rules"]):
        assert rule["health"] == "ok", (rule["name"], rule.get("lastError"))
    direct = scraped(group)

    def homes_where(check) -> set[str]:
        return {name for name, samples in direct.items() if check(samples)}

    expected = {
        "CarehomeBackupOverdue": {"oak-lodge", "ash-house"},
        # No demo home has run a restore drill.
        "CarehomeRestoreDrillDue": {"willow-court", "oak-lodge", "ash-house"},
        "CarehomeAdmissionClocksOverdue": homes_where(lambda s: value(s, "carehome_residents_admission_clocks_overdue") > 0),
        "CarehomeWeeklyRoundMissed": homes_where(lambda s: value(s, "carehome_home_round_rounds_held_28d") < 4),
        "CarehomeFallsChecksOverdue": homes_where(lambda s: value(s, "carehome_falls_log_checks_due", state="overdue") > 0),
        "CarehomeApplianceDown": set(),
        "CarehomePluginFailed": set(),
        "CarehomeFiguresNotCollected": set(),
        "CarehomeDatabaseNotWritable": set(),
    }
    # The demo home has an overdue clock and overdue checks; the new home has none (and no rounds).
    assert expected["CarehomeAdmissionClocksOverdue"] == {"willow-court", "oak-lodge"}
    assert "ash-house" in expected["CarehomeWeeklyRoundMissed"]
    # Alerting rules run every second, and each home's first scrape lands at its own moment: wait until
    # every alert stands on exactly the expected homes (a wrong home never settles, so this still fails).
    prometheus.wait_for("every alert on exactly the expected homes",
                        lambda: all(active_alerts(group, name) == homes for name, homes in expected.items()),
                        describe=lambda: {name: sorted(active_alerts(group, name)) for name in expected})
    for alertname, homes in expected.items():
        assert active_alerts(group, alertname) == homes, alertname


def dashboard_targets(dashboard: dict) -> list[tuple[dict, dict]]:
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return [(panel, target) for panel in panels for target in panel.get("targets", [])]


def test_the_dashboard_is_a_grafana_dashboard_over_the_home_variable(group):
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"] and isinstance(dashboard["schemaVersion"], int)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    home = variables["home"]
    assert home["type"] == "query" and home["includeAll"] and home["multi"]
    match = re.fullmatch(r"label_values\((\w+), home\)", home["definition"])
    assert match and home["query"] == home["definition"]
    # The variable's query lists the three homes.
    assert sorted(group.prometheus.api("label/home/values", **{"match[]": match.group(1)})) == sorted(group.NAMES)

    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24 and grid["h"] > 0, panel["title"]
        assert panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["type"] in {"table", "bargauge", "stat", "timeseries"}, panel["type"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]
    # Panels do not overlap.
    cells = set()
    for panel in dashboard["panels"]:
        g = panel["gridPos"]
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not (cells & mine), f"{panel['title']} overlaps another panel"
        cells |= mine
    targets = dashboard_targets(dashboard)
    assert len(targets) >= 15
    for panel, target in targets:
        assert "$home" in target["expr"], f"{panel['title']}: every query follows the home picker"
        assert target["datasource"] == panel["datasource"]


def grafana_expr(expr: str, homes: str) -> str:
    """What Grafana sends for a multi-value regex variable: the chosen homes joined with |, or allValue."""
    return expr.replace("${home}", homes).replace("$home", homes)


def test_every_dashboard_expression_returns_data_for_every_home(group):
    dashboard = json.loads(DASHBOARD.read_text())
    all_value = next(v for v in dashboard["templating"]["list"] if v["name"] == "home")["allValue"]
    for panel, target in dashboard_targets(dashboard):
        expr = grafana_expr(target["expr"], all_value)
        result = group.prometheus.query(expr)
        assert result, f"{panel['title']} ({target['refId']}): {expr} returned nothing"
        if target.get("range"):
            assert group.prometheus.query_range(expr), f"{panel['title']}: no range data for {expr}"
        # One home picked: that home's series only (Willow Court has a figure for every panel).
        picked = group.prometheus.query(grafana_expr(target["expr"], "willow-court"))
        assert {r["metric"].get("home") for r in picked} == {"willow-court"}, f"{panel['title']}: {expr}"
        two = group.prometheus.query(grafana_expr(target["expr"], "oak-lodge|ash-house"))
        assert {r["metric"].get("home") for r in two} <= {"oak-lodge", "ash-house"}, f"{panel['title']}: {expr}"
    # The overview table shows a row for every home (the empty one too).
    overview = next(p for p in dashboard["panels"] if p["title"] == "Homes at a glance")
    for target in overview["targets"]:
        homes = {r["metric"]["home"] for r in group.prometheus.query(grafana_expr(target["expr"], all_value))}
        assert homes == set(group.NAMES), (target["legendFormat"], homes)


def personal_strings(residents: list[dict]) -> set[str]:
    """Every form in which a resident's name, NHS number or date of birth could appear."""
    found = set()
    for r in residents:
        found |= {r["full_name"], r["preferred_name"]}
        found |= {part for part in r["full_name"].split() if len(part) > 2}
        if r["nhs_number"]:
            n = r["nhs_number"]
            found |= {n, f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"}
        if r["date_of_birth"]:
            born = date.fromisoformat(r["date_of_birth"])
            found |= {born.isoformat(), born.strftime("%d/%m/%Y"), born.strftime("%Y%m%d"),
                      f"{born.day} {born.strftime('%B %Y')}", f"{born.day} {born.strftime('%b %Y')}"}
    return found


def test_no_resident_name_nhs_number_or_date_of_birth_leaves_through_metrics(group):
    """Nor a member of staff's name: what /metrics serves, and everything Prometheus stored from it."""
    residents = group.homes["willow-court"].residents()
    assert len(residents) >= 10 and all(r["nhs_number"] and r["date_of_birth"] for r in residents)
    staff = group.homes["oak-lodge"].staff_names()
    assert "Niamh Nurse" in staff
    forbidden = personal_strings(residents) | set(staff)
    texts = {name: home.metrics() for name, home in group.homes.items()}
    # What Prometheus holds: every label name and value it has seen.
    stored = []
    for label in group.prometheus.api("labels"):
        stored.append(label)
        stored.extend(group.prometheus.api(f"label/{label}/values"))
    texts["prometheus"] = "\n".join(stored)
    assert "carehome_residents_residents" in texts["prometheus"]
    for where, text in texts.items():
        for secret in forbidden:
            found = re.search(r"(?<![\w-])" + re.escape(secret) + r"(?![\w-])", text)
            assert found is None, f"{secret!r} appears in {where}"
    # The check has teeth: a resident's surname in a label would have been caught.
    assert re.search(r"(?<![\w-])Hughes(?![\w-])", 'x{resident="Margaret Ann Hughes"} 1') and "Hughes" in forbidden


def test_a_home_that_stops_answering_is_noticed(group):
    prometheus = group.prometheus
    group.homes["ash-house"].process.stop()
    prometheus.wait_for("ash-house to be down", lambda: prometheus.by_home('up{job=~"carehome.*"}').get("ash-house") == 0, timeout=15)
    assert prometheus.by_home('up{job=~"carehome.*"}') == {"willow-court": 1, "oak-lodge": 1, "ash-house": 0}
    prometheus.wait_for("the appliance-down alert", lambda: active_alerts(group, "CarehomeApplianceDown") == {"ash-house"}, timeout=10)


def test_the_example_scrape_configuration_is_valid(tmp_path):
    """The example for several homes passes `promtool check config` with its files in place."""
    for name in ("prometheus-homes.example.yml", "carehome-rules.yml"):
        shutil.copy(MONITORING / name, tmp_path / name)
    example = (tmp_path / "prometheus-homes.example.yml").read_text()
    homes = re.findall(r"labels: \{ home: ([\w-]+) \}", example)
    assert len(homes) >= 3
    (tmp_path / "carehome").mkdir()
    for referenced in re.findall(r"(?:ca_file|credentials_file): (\S+)", example):
        (tmp_path / referenced).write_text("placeholder\n")
    result = subprocess.run(["promtool", "check", "config", str(tmp_path / "prometheus-homes.example.yml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    for home in homes:
        assert f"job_name: carehome-{home}" in example, "one job per home, named as the rules expect"
