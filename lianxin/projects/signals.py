from django.dispatch import Signal

# Sent after the overdue scan's transaction commits, with `lapse_ids`: the Lapse rows it
# recorded. The text messages to the lead units listen here (lianxin/notify/lapses.py),
# so that this floor never imports the faces above it.
lapses_recorded = Signal()
