from django.dispatch import Signal

# Sent after the transaction that wrote case events commits (never inside it),
# with `event_ids`: the new CaseEvent primary keys. Notifications, webhooks and
# rollups listen here and queue their own Huey jobs, so a slow receiver never
# holds a case lock.
case_events_committed = Signal()


def announce(event_ids: list[int]) -> None:
    from lianxin.cases.models import CaseEvent

    case_events_committed.send(sender=CaseEvent, event_ids=event_ids)
