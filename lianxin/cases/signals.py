from django.dispatch import Signal

# Sent after the transaction that wrote a case event commits (never inside it),
# with `event`. Notifications, webhooks and rollups listen here and queue their
# own Huey jobs, so a slow receiver never holds a case lock.
case_event_committed = Signal()
