# Stored working-day durations for the figures (lianxin/figures, docs/metrics.md).

import datetime as dt

import chinese_calendar
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

# A frozen copy of the backfill as it stood when these columns were added: a migration
# runs with the historical models, never with today's code (which may have moved on).
BATCH = 2000
FIELDS = ["response_working_days", "reply_working_days", "resolve_working_days"]


def working_day_test(overrides):
    def is_working_day(day):
        if day in overrides:
            return overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package does not know: Monday to Friday
            return day.weekday() < 5

    return is_working_day


def working_days_between(start, end, is_working_day):
    """Working days in (start, end], never negative."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


def stamp(case, is_working_day):
    def between(start, end):
        if start is None or end is None:
            return None
        local = timezone.localtime
        return working_days_between(local(start).date(), local(end).date(), is_working_day)

    values = {
        "response_working_days": between(case.dispatched_at, case.accepted_at),
        "reply_working_days": between(case.registered_at, case.replied_at),
        "resolve_working_days": between(case.registered_at, case.resolved_at),
    }
    changed = False
    for name, value in values.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed = True
    return changed


def backfill(apps, schema_editor):
    """Stamp every case that reached a milestone; returns how many rows changed."""
    Case = apps.get_model("cases", "Case")
    DayOverride = apps.get_model("workdays", "DayOverride")
    is_working_day = working_day_test(
        dict(DayOverride.objects.values_list("date", "is_working_day"))
    )
    reached = Q(accepted_at__isnull=False) | Q(replied_at__isnull=False)
    cases = Case.objects.filter(reached).only(
        "pk", "registered_at", "dispatched_at", "accepted_at", "replied_at", "resolved_at", *FIELDS
    )
    changed, batch = 0, []
    for case in cases.order_by("pk").iterator(chunk_size=BATCH):
        if stamp(case, is_working_day):
            batch.append(case)
        if len(batch) >= BATCH:
            Case.objects.bulk_update(batch, FIELDS)
            changed, batch = changed + len(batch), []
    if batch:
        Case.objects.bulk_update(batch, FIELDS)
        changed += len(batch)
    return changed


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_support_exemplary_partner_channel"),
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="response_working_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="响应用时（工作日）"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="reply_working_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="答复用时（工作日）"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="resolve_working_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="办结用时（工作日）"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
