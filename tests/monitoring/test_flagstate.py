"""Flags as a work queue: each closing rule, as of a date (docs/rules.md "Flags as a work queue")."""

from __future__ import annotations

import datetime as dt

from enforcewatch.clock import CHINA
from enforcewatch.monitoring.deadlines import Event, Flag, Point, Report
from enforcewatch.monitoring.flagstate import CLOSED, OPEN, PointHistory, flag_state, states

D = dt.date
RAISED = D(2026, 11, 6)  # overdue 2026-10: due 11-05, raised the day after


def history(reports=(), events=(), status="active", since=None) -> PointHistory:
    return PointHistory(list(reports), list(events), status, since)


def late(month: str, day: dt.date) -> Report:
    return Report("P1", month, dt.datetime(day.year, day.month, day.day, 10, tzinfo=CHINA))


def reminder(day: dt.date) -> Event:
    return Event("P1", "reminder", day)


def test_overdue_closes_when_that_months_report_arrives_late() -> None:
    h = history([late("2026-10", D(2026, 11, 9))])
    assert flag_state("overdue", "2026-10", RAISED, h, D(2026, 11, 9)).state == OPEN  # not before the day began
    got = flag_state("overdue", "2026-10", RAISED, h, D(2026, 11, 10))
    assert (got.state, got.closed_on, got.closed_because) == (CLOSED, D(2026, 11, 9), "report_arrived")
    other_month = history([late("2026-09", D(2026, 11, 9))])
    assert flag_state("overdue", "2026-10", RAISED, other_month, D(2026, 12, 1)).state == OPEN


def test_overdue_closes_on_a_reminder_recorded_after_it_was_raised() -> None:
    got = flag_state("overdue", "2026-10", RAISED, history(events=[reminder(D(2026, 11, 12))]), D(2026, 11, 20))
    assert (got.state, got.closed_on, got.closed_because) == (CLOSED, D(2026, 11, 12), "reminded")
    earlier = history(events=[reminder(D(2026, 11, 2))])  # before the flag was raised: not its answer
    assert flag_state("overdue", "2026-10", RAISED, earlier, D(2026, 11, 20)).state == OPEN


def test_overdue_closes_when_the_point_leaves_active_status() -> None:
    got = flag_state("overdue", "2026-10", RAISED, history(status="revoked", since=D(2026, 11, 15)), D(2026, 11, 20))
    assert (got.state, got.closed_on, got.closed_because) == (CLOSED, D(2026, 11, 15), "revoked")
    later = history(status="withdrawn", since=D(2026, 11, 25))  # set after the day asked about
    assert flag_state("overdue", "2026-10", RAISED, later, D(2026, 11, 20)).state == OPEN
    assert flag_state("overdue", "2026-10", RAISED, history(), D(2027, 6, 1)).state == OPEN


def test_earliest_closing_wins() -> None:
    h = history([late("2026-10", D(2026, 11, 20))], [reminder(D(2026, 11, 12))], "terminated", D(2026, 11, 25))
    got = flag_state("overdue", "2026-10", RAISED, h, D(2026, 12, 1))
    assert (got.closed_on, got.closed_because) == (D(2026, 11, 12), "reminded")


def test_reminder_due_closes_when_a_reminder_is_recorded() -> None:
    raised = D(2026, 11, 6)  # the pair Sep + Oct
    got = flag_state("reminder_due", "2026-10", raised, history(events=[reminder(D(2026, 11, 10))]), D(2026, 11, 11))
    assert (got.state, got.closed_on, got.closed_because) == (CLOSED, D(2026, 11, 10), "reminded")
    old = history(events=[reminder(D(2026, 8, 20))])  # a reminder from an earlier streak
    assert flag_state("reminder_due", "2026-10", raised, old, D(2026, 12, 1)).state == OPEN
    report = history([late("2026-10", D(2026, 11, 9))])  # a late report is still a miss: the reminder is due
    assert flag_state("reminder_due", "2026-10", raised, report, D(2026, 12, 1)).state == OPEN


def test_revocable_closes_when_staff_decide() -> None:
    raised = D(2026, 11, 6)
    kept = Event("P1", "revocation_kept", D(2026, 11, 20), flag_key="2026-10")
    got = flag_state("revocable", "2026-10", raised, history(events=[kept]), D(2026, 11, 21))
    assert (got.state, got.closed_on, got.closed_because) == (CLOSED, D(2026, 11, 20), "kept")
    other = Event("P1", "revocation_kept", D(2026, 11, 20), flag_key="disqualifying-1a2b3c4d")
    assert flag_state("revocable", "2026-10", raised, history(events=[other]), D(2026, 11, 21)).state == OPEN
    assert flag_state("revocable", "2026-10", raised, history(events=[reminder(D(2026, 11, 20))]),
                      D(2026, 11, 21)).state == OPEN
    revoked = flag_state("revocable", "2026-10", raised, history(status="revoked", since=D(2026, 11, 18)),
                         D(2026, 11, 21))
    assert (revoked.state, revoked.closed_because) == (CLOSED, "revoked")


def test_terminated_closes_when_the_status_is_set() -> None:
    raised = D(2026, 4, 9)
    got = flag_state("terminated", "withdrawn-1", raised, history(status="withdrawn", since=D(2026, 4, 20)),
                     D(2026, 5, 1))
    assert (got.state, got.closed_on, got.closed_because) == (CLOSED, D(2026, 4, 20), "withdrawn")
    assert flag_state("terminated", "withdrawn-1", raised, history(), D(2026, 5, 1)).state == OPEN
    unknown_day = flag_state("terminated", "withdrawn-1", raised, history(status="terminated"), D(2026, 5, 1))
    assert (unknown_day.state, unknown_day.closed_on) == (CLOSED, None)


def test_plaque_to_recover_closes_when_the_plaque_is_returned() -> None:
    raised = D(2026, 6, 30)
    returned = Event("P1", "plaque_returned", D(2026, 7, 3))
    got = flag_state("plaque_to_recover", "revoked", raised, history(events=[returned], status="revoked"),
                     D(2026, 7, 4))
    assert (got.state, got.closed_on, got.closed_because) == (CLOSED, D(2026, 7, 3), "plaque_returned")
    assert flag_state("plaque_to_recover", "revoked", raised, history(events=[returned], status="revoked"),
                      D(2026, 7, 3)).state == OPEN  # returned that day: seen from the next
    assert flag_state("plaque_to_recover", "revoked", raised, history(status="revoked", since=D(2026, 6, 1)),
                      D(2026, 9, 1)).state == OPEN


def test_states_pairs_each_flag_with_its_points_history() -> None:
    flags = [Flag("P1", "d", "overdue", "2026-10", RAISED), Flag("P2", "d", "overdue", "2026-10", RAISED)]
    points = [Point("P1", "d", "2026-01"), Point("P2", "d", "2026-01", "revoked", None, D(2026, 11, 8))]
    judged = states(flags, points, [late("2026-10", D(2026, 11, 7))], [], D(2026, 11, 20))
    assert [(f.point_id, s.state, s.closed_because) for f, s in judged] == [
        ("P1", CLOSED, "report_arrived"), ("P2", CLOSED, "revoked")]
    assert [s.state for _, s in states(flags, points[:1] + [Point("P2", "d", "2026-01")], [], [],
                                       D(2026, 11, 20))] == [OPEN, OPEN]
