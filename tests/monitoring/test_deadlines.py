"""The monitoring-point rules (seed 000 §四, §七), evaluated as of a date. See docs/rules.md."""

from __future__ import annotations

import datetime as dt
import random

from enforcewatch.clock import CHINA
from enforcewatch.monitoring.deadlines import Event, Point, Report, evaluate, explain, timeline
from enforcewatch.monitoring.duedates import WorkCalendar

D = dt.date
UTC = dt.UTC
CAL = WorkCalendar()

# Due dates in 2026 (see tests/monitoring/test_duedates.py): Jan→2.5, Feb→3.5, Mar→4.7, Apr→5.6, May→6.5,
# Jun→7.6, Jul→8.5, Aug→9.7, Sep→10.8, Oct→11.5, Nov→12.7.


def point(**over: object) -> Point:
    values: dict = {"point_id": "P1", "district": "hongqi", "reporting_from": "2026-01", "status": "active"}
    values.update(over)
    return Point(**values)


def on_time(month: str, pid: str = "P1") -> Report:
    """A report received at noon China time on the 1st of the next month (always on time)."""
    y, m = map(int, month.split("-"))
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return Report(pid, month, dt.datetime(y, m, 1, 12, tzinfo=CHINA))


def received(month: str, at: dt.datetime, pid: str = "P1") -> Report:
    return Report(pid, month, at)


def kinds(result) -> list[tuple[str, str]]:
    return sorted((f.kind, f.key) for f in result.flags)


def run(points, reports, events, as_of):
    return evaluate(points, reports, events, as_of, CAL)


def months_on_time(*months: str) -> list[Report]:
    return [on_time(m) for m in months]


JAN_TO_SEP = [f"2026-{m:02d}" for m in range(1, 10)]


def test_month_is_due_only_after_its_due_date_has_passed() -> None:
    reports = months_on_time(*JAN_TO_SEP)
    assert kinds(run([point()], reports, [], D(2026, 11, 5))) == []  # due date itself: not yet due
    result = run([point()], reports, [], D(2026, 11, 6))
    assert kinds(result) == [("overdue", "2026-10")]
    assert result.flags[0].raised_on == D(2026, 11, 6)


def test_boundary_seconds_around_midnight_china_time() -> None:
    reports = months_on_time(*JAN_TO_SEP)
    last_moment = dt.datetime(2026, 11, 5, 15, 59, 59, 999999, tzinfo=UTC)  # 23:59:59.999999 CST
    assert kinds(run([point()], [*reports, received("2026-10", last_moment)], [], D(2026, 11, 6))) == []
    midnight = dt.datetime(2026, 11, 5, 16, 0, 0, tzinfo=UTC)  # 00:00:00 CST on 11-06
    late = run([point()], [*reports, received("2026-10", midnight)], [], D(2026, 11, 7))
    assert kinds(late) == [("overdue", "2026-10")]


def test_report_received_on_the_as_of_day_is_not_yet_seen() -> None:
    reports = months_on_time(*JAN_TO_SEP)
    early_in_as_of_day = dt.datetime(2026, 11, 6, 0, 30, tzinfo=CHINA)
    result = run([point()], [*reports, received("2026-10", early_in_as_of_day)], [], D(2026, 11, 6))
    assert kinds(result) == [("overdue", "2026-10")]


def test_amendment_does_not_change_the_on_time_judgement() -> None:
    reports = months_on_time(*JAN_TO_SEP)
    late_first = received("2026-10", dt.datetime(2026, 11, 6, 9, tzinfo=CHINA))
    earlier_stray = received("2026-10", dt.datetime(2026, 11, 9, 9, tzinfo=CHINA))
    result = run([point()], [*reports, earlier_stray, late_first], [], D(2026, 11, 20))
    assert kinds(result) == [("overdue", "2026-10")]


def test_two_consecutive_misses_call_for_a_reminder() -> None:
    reports = [*months_on_time(*JAN_TO_SEP[:8]),  # Sep absent, Oct late
               received("2026-10", dt.datetime(2026, 11, 10, tzinfo=CHINA))]
    result = run([point()], reports, [], D(2026, 11, 23))
    assert kinds(result) == [("overdue", "2026-09"), ("overdue", "2026-10"), ("reminder_due", "2026-10")]
    reminder = next(f for f in result.flags if f.kind == "reminder_due")
    assert reminder.details["months"] == ["2026-09", "2026-10"]
    assert reminder.raised_on == D(2026, 11, 6)


def test_on_time_report_ends_a_streak() -> None:
    reports = months_on_time("2026-01", "2026-02", "2026-04", "2026-06")  # Mar, May missed
    assert ("reminder_due", "2026-05") not in kinds(run([point()], reports, [], D(2026, 6, 10)))


def test_reminder_recorded_after_first_miss_fell_due_suppresses_reminder_due() -> None:
    reports = months_on_time("2026-01", "2026-02")  # Mar (due 4.7) and Apr (due 5.6) missed
    reminder = Event("P1", "reminder", D(2026, 4, 20))
    assert kinds(run([point()], reports, [reminder], D(2026, 5, 10))) == [
        ("overdue", "2026-03"), ("overdue", "2026-04"), ("revocable", "2026-04")]


def test_miss_after_reminder_is_revocable_once_per_reminder() -> None:
    reports = months_on_time("2026-01", "2026-02")  # Mar, Apr missed → reminder_due on 5.7
    reminder = Event("P1", "reminder", D(2026, 5, 8))
    result = run([point()], reports, [reminder], D(2026, 7, 10))  # May, Jun also missed
    got = kinds(result)
    assert ("reminder_due", "2026-04") in got
    assert ("revocable", "2026-05") in got
    assert ("revocable", "2026-06") not in got and ("reminder_due", "2026-06") not in got
    flag = next(f for f in result.flags if f.kind == "revocable")
    assert flag.details["reminder_on"] == "2026-05-08" and flag.raised_on == D(2026, 6, 6)


def test_reminder_stays_in_force_until_next_on_time_report() -> None:
    reminder = Event("P1", "reminder", D(2026, 5, 8))
    # Mar, Apr missed; reminded; May on time ends it; Jun, Jul missed: a new reminder is due, no revocation.
    reports = months_on_time("2026-01", "2026-02", "2026-05")
    got = kinds(run([point()], reports, [reminder], D(2026, 8, 10)))
    assert ("reminder_due", "2026-07") in got
    assert not any(k == "revocable" for k, _ in got)
    # Without the on-time May report the reminder is still in force for May.
    got2 = kinds(run([point()], months_on_time("2026-01", "2026-02"), [reminder], D(2026, 8, 10)))
    assert ("revocable", "2026-05") in got2


def test_reminder_on_the_due_date_itself_does_not_cover_that_month() -> None:
    reports = months_on_time("2026-01", "2026-02")
    reminder = Event("P1", "reminder", D(2026, 5, 6))  # Apr's due date
    got = kinds(run([point()], reports, [reminder], D(2026, 5, 10)))
    assert ("revocable", "2026-04") not in got and ("reminder_due", "2026-04") not in got


def test_disqualifying_event_revokes_from_next_month_and_stops_reports() -> None:
    event = Event("P1", "disqualifying", D(2026, 3, 15), reason="large_fine")
    result = run([point()], [], [event], D(2026, 6, 10))
    # Jan (due 2.5) and Feb (due 3.5) were due; Mar's due date 4.7 is after revocation on 4.1.
    assert kinds(result) == [("overdue", "2026-01"), ("overdue", "2026-02"), ("reminder_due", "2026-02"),
                             ("revocable", event.key)]
    flag = next(f for f in result.flags if f.kind == "revocable")
    assert flag.details["effective_on"] == "2026-04-01" and flag.raised_on == D(2026, 3, 16)


def test_termination_flags_active_point_and_stops_reports() -> None:
    event = Event("P1", "terminated", D(2026, 4, 7), reason="bankruptcy")
    result = run([point()], months_on_time("2026-01", "2026-02"), [event], D(2026, 6, 30))
    assert kinds(result) == [("terminated", event.key)]  # Mar due 4.7: on the effective day, not due
    withdrawn = Event("P1", "withdrawn", D(2026, 4, 8))
    assert kinds(run([point()], months_on_time("2026-01", "2026-02"), [withdrawn], D(2026, 6, 30))) == [
        ("overdue", "2026-03"), ("terminated", withdrawn.key)]


def test_plaque_to_recover_until_returned() -> None:
    for status in ("revoked", "terminated", "withdrawn"):
        result = run([point(status=status)], [], [], D(2026, 6, 30))
        assert kinds(result) == [("plaque_to_recover", status)]  # and no reporting flags
    returned = Event("P1", "plaque_returned", D(2026, 6, 1))
    assert kinds(run([point(status="revoked")], [], [returned], D(2026, 6, 30))) == []
    assert kinds(run([point(status="active")], months_on_time(*JAN_TO_SEP[:5]), [], D(2026, 6, 30))) == []


def test_terminated_flag_only_while_status_is_active() -> None:
    event = Event("P1", "terminated", D(2026, 2, 1), reason="restructuring")
    assert kinds(run([point(status="terminated")], [], [event], D(2026, 3, 1))) == [
        ("plaque_to_recover", "terminated")]


def test_nothing_due_before_reporting_from() -> None:
    assert kinds(run([point(reporting_from="2026-09")], [], [], D(2026, 10, 8))) == []
    assert kinds(run([point(reporting_from="2026-09")], [], [], D(2026, 10, 9))) == [("overdue", "2026-09")]


def test_unknown_year_warns_and_does_not_guess() -> None:
    reports = months_on_time(*[f"2026-{m:02d}" for m in range(1, 12)])
    quiet = run([point()], reports, [], D(2027, 1, 5))
    assert quiet.warnings == [] and quiet.flags == []
    loud = run([point()], reports, [], D(2027, 1, 6))
    assert loud.flags == [] and len(loud.warnings) == 1 and "2027" in loud.warnings[0]


def test_events_after_as_of_are_not_seen() -> None:
    event = Event("P1", "disqualifying", D(2026, 3, 15), reason="tax_violation")
    assert kinds(run([point()], months_on_time("2026-01", "2026-02"), [event], D(2026, 3, 15))) == []


def _random_history(rng: random.Random) -> tuple[list[Point], list[Report], list[Event]]:
    points, reports, events = [], [], []
    for i in range(12):
        pid = f"P{i}"
        points.append(point(point_id=pid, reporting_from=f"2025-{rng.randint(1, 12):02d}"))
        for m in range(24):
            y, mo = 2025 + m // 12, m % 12 + 1
            roll = rng.random()
            if roll < 0.6:
                reports.append(on_time(f"{y}-{mo:02d}", pid))
            elif roll < 0.8:
                ny, nm = (y + 1, 1) if mo == 12 else (y, mo + 1)
                reports.append(Report(pid, f"{y}-{mo:02d}", dt.datetime(ny, nm, 9 + rng.randint(0, 10),
                                                                      tzinfo=CHINA)))
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(["reminder", "reminder", "disqualifying", "withdrawn"])
            day = D(2025, 3, 1) + dt.timedelta(days=rng.randint(0, 600))
            events.append(Event(pid, kind, day, reason="large_fine" if kind == "disqualifying" else None))
    return points, reports, events


def test_catch_up_after_a_gap_equals_daily_runs() -> None:
    for seed in range(2):
        points, reports, events = _random_history(random.Random(seed))
        first_seen: dict[tuple[str, str, str], dt.date] = {}
        day, last = D(2025, 1, 1), D(2026, 11, 23)  # every day: what a daily schedule would have seen
        while day <= last:
            for f in run(points, reports, events, day).flags:
                first_seen.setdefault((f.point_id, f.kind, f.key), day)
            day += dt.timedelta(days=1)
        gap = run(points, reports, events, last)
        assert {(f.point_id, f.kind, f.key): f.raised_on for f in gap.flags} == first_seen
        assert gap.flags == run(points, reports, events, last).flags  # rerun: same flags


def test_explain_gives_month_by_month_reasons() -> None:
    reports = [*months_on_time("2026-01"), received("2026-02", dt.datetime(2026, 3, 6, 8, tzinfo=CHINA))]
    events = [Event("P1", "reminder", D(2026, 4, 10))]
    tl = timeline(point(), reports, events, D(2026, 5, 10), CAL)
    result = run([point()], reports, events, D(2026, 5, 10))
    text = "\n".join(explain(tl, result.flags, D(2026, 5, 10)))
    assert "2026-01 截止 2026-02-05：按时" in text
    assert "2026-02 截止 2026-03-05：逾期（2026-03-06 08:00:00 收到）" in text
    assert "2026-03 截止 2026-04-07：未报送" in text
    assert "2026-04 截止 2026-05-06：未报送；提醒（2026-04-10）仍有效" in text
    assert "标记 revocable [2026-04]" in text
