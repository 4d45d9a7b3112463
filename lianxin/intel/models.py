"""Topics (意见办理小专题): recent open cases about the same problem at the same place.

The grouping is `lianxin.intel.topics`; `lianxin.intel.topicsync` keeps these rows
in step with it. Nothing here changes a case: handling a topic's cases together
goes through the workflow actions, case by case.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lianxin.cases.models import Case


class TopicQuerySet(models.QuerySet):
    def for_user(self, user):
        """Active topics holding at least one case `user` may see, hottest first."""
        visible = Case.objects.visible_to(user).values("pk")
        return (
            self.filter(active=True, memberships__case__in=visible)
            .distinct()
            .order_by("-hotness", "-last_at")
        )


class Topic(models.Model):
    title = models.CharField(_("专题名称"), max_length=100)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    hotness = models.FloatField(_("热度"), default=0)
    case_count = models.PositiveIntegerField(_("诉求件数"), default=0)
    resident_count = models.PositiveIntegerField(_("反映人数"), default=0)
    support_count = models.PositiveIntegerField(_("附议人数"), default=0)
    first_at = models.DateTimeField(_("首次反映"), null=True, blank=True)
    last_at = models.DateTimeField(_("最近反映"), null=True, blank=True)
    # A topic whose cases no longer group together (all handled, or regrouped) is kept
    # for the record but leaves the office's list.
    active = models.BooleanField(_("进行中"), default=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    refreshed_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理小专题")
        verbose_name_plural = _("办理小专题")
        ordering = ["-hotness"]
        indexes = [models.Index(fields=["active", "-hotness"], name="topic_active_hotness")]

    def __str__(self):
        return self.title


class TopicCase(models.Model):
    """A case's place in a topic; a case belongs to one topic at most."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="memberships")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="topic_membership")
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专题诉求")
        verbose_name_plural = _("专题诉求")

    def __str__(self):
        return f"{self.topic} / {self.case}"
