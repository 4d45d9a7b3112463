"""The figures' tally: what the cases count for, kept as they change (see tally.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tally(models.Model):
    """Counts of the cases registered on one day (or in one month) in one group.

    `counts` maps a fact ("status:closed", "reply_days:3", "reply_due:<deadline>", ...)
    to a number of cases. A row is never updated: a change to a case inserts the
    difference it makes as a day row, and `tally.compact` folds a day's rows into one
    settled row and carries them into the month's row. A day's cases count for the sum of
    its day rows; a month's for its month row plus its days' rows not yet settled.
    """

    class Span(models.TextChoices):
        DAY = "d", _("日")
        MONTH = "m", _("月")

    span = models.CharField(max_length=1, choices=Span.choices)
    # The registration day, or the first day of the registration month.
    day = models.DateField()
    dimension = models.CharField(max_length=12)
    # The group within the dimension ("" for cases without a value, and for the district).
    key = models.CharField(max_length=40, blank=True)
    counts = models.JSONField(default=dict)
    # The number of cases `counts` is of (the sum of its status facts), for the figures that
    # only count cases (hot spots) to add up in the database.
    cases = models.IntegerField(default=0)
    # False on the rows that changes insert, until `compact` folds them into their group.
    settled = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("统计累计")
        verbose_name_plural = _("统计累计")
        indexes = [
            models.Index(fields=["dimension", "span", "day"], name="tally_dimension_day"),
            models.Index(
                fields=["span", "day", "dimension", "key"],
                name="tally_unsettled",
                condition=models.Q(settled=False),
            ),
        ]

    def __str__(self):
        return f"{self.dimension}:{self.key or '-'} {self.span}{self.day}"
