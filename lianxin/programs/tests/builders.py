"""Wishes brought to a status through the real actions, by the test district's cast
(`lianxin.test.District`): the resident posts, 福临社区's staff review, department A's
handler claims and fulfils."""

import datetime as dt

from django.utils import timezone

from lianxin.programs import actions
from lianxin.programs.models import Wish, WishStatus
from lianxin.workdays.days import local_date

WISH_TEXT = "家里老人腿脚不便，想要一副助行器，方便下楼晒太阳。"
FULFILMENT = "已送去助行器一副，并教老人调好高度。"


class Wishes:
    """Mixin for whatever holds the cast: each builder makes a fresh wish."""

    def posted(self, **fields) -> Wish:
        values = {
            "actor": self.resident,
            "community": self.community,
            "text": WISH_TEXT,
            "wisher_name": "王秀兰",
            "wisher_phone": "13812341234",
        }
        return actions.do_post_wish(**{**values, **fields})

    def published(self, **fields) -> Wish:
        return actions.do_publish_wish(self.posted(**fields), actor=self.community_staff)

    def promise(self, days=7) -> dt.date:
        return local_date(timezone.now()) + dt.timedelta(days=days)

    def claimed(self, claimer=None, **fields) -> Wish:
        wish = self.published(**fields)
        actions.do_claim_wish(wish, actor=claimer or self.handler_a, promised_date=self.promise())
        return Wish.objects.get(pk=wish.pk)

    def fulfilled(self, **fields) -> Wish:
        return actions.do_fulfil_wish(self.claimed(**fields), actor=self.handler_a, note=FULFILMENT)

    def confirmed(self, **fields) -> Wish:
        return actions.do_confirm_wish(self.fulfilled(**fields), actor=self.resident)

    def wish_in(self, status: str) -> Wish:
        S = WishStatus
        if status == S.PENDING:
            return self.posted()
        if status == S.CHANGES_REQUESTED:
            return actions.do_request_wish_change(
                self.posted(), actor=self.community_staff, note="请写明需要的助行器类型。"
            )
        if status == S.DECLINED:
            return actions.do_decline_wish(
                self.posted(), actor=self.community_staff, reason="属于诉求，已转诉求办理。"
            )
        return {
            S.PUBLISHED: self.published,
            S.CLAIMED: self.claimed,
            S.FULFILLED: self.fulfilled,
            S.CONFIRMED: self.confirmed,
        }[status]()
